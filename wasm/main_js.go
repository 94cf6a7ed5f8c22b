//go:build js && wasm

// Command wasm is the page widgets, compiled with GOOS=js GOARCH=wasm: the
// probe status widget with "Check now", the incident form shared by the
// page's templates, command variables, checklists and incident mode
// (incident_js.go). The logic lives in host-tested packages (status, form,
// store, incident); this file only wires them to the DOM.
package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/wasm/form"
	"github.com/stepcheck/stepcheck/wasm/incident"
	"github.com/stepcheck/stepcheck/wasm/status"
	"github.com/stepcheck/stepcheck/wasm/store"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

type app struct {
	funcs    funcs
	apiBase  string
	incident store.Incident
	probes   map[string]*status.Probe
	order    []string
	values   map[string]string // form values, including automatic ones
	fields   []form.Field
	auto     bool // the auto-refresh switch, on until the responder turns it off
	refresh  status.Refresh
	inc      incUI
}

func main() {
	a := &app{
		apiBase:  strings.TrimSuffix(str(document.Get("body").Get("dataset").Get(widget.DataProbeAPI)), "/"),
		incident: store.Current(newLocalStorage()),
		probes:   map[string]*status.Probe{},
		values:   map[string]string{},
		auto:     true,
	}
	data := pageData()
	a.initProbes()
	a.fillPostmortem()
	a.initForm(data)
	a.initVars()
	a.initTasks()
	a.initIncident(data)
	a.initSearch()
	a.funcs.on(global, "pagehide", func(js.Value) { a.funcs.release() })
	a.funcs.on(global, "online", func(js.Value) { a.refresh.Reset(); a.tick() })
	a.funcs.on(global, "offline", func(js.Value) {
		for _, id := range a.order {
			if p := a.probes[id]; p.Status() != status.Unchecked {
				p.Fail(true, "this device is offline")
			}
			a.renderProbe(id)
		}
	})
	ticker := js.FuncOf(func(js.Value, []js.Value) any { a.tick(); return nil })
	a.funcs = append(a.funcs, ticker)
	global.Call("setInterval", ticker, 1000)
	a.tick() // the statuses on open, without a tap
	ds := document.Get("documentElement").Get("dataset")
	ds.Set("widgetsReadyMs", global.Get("performance").Call("now").Int())
	ds.Set("widgets", "ready")
	select {}
}

// pageData parses the page's widget data (widget.IDPageData), written by
// the build.
func pageData() js.Value {
	node := document.Call("getElementById", widget.IDPageData)
	if node.IsNull() {
		return js.Null()
	}
	var v js.Value
	func() {
		defer func() { _ = recover() }()
		v = global.Get("JSON").Call("parse", node.Get("textContent"))
	}()
	return v
}

func strings_(v js.Value) []string {
	if !v.Truthy() {
		return nil
	}
	out := make([]string, v.Length())
	for i := range out {
		out[i] = str(v.Index(i))
	}
	return out
}

// ---- Probe status ----

func (a *app) initProbes() {
	nodes := queryAll(document, widget.SelProbe)
	if len(nodes) == 0 {
		return
	}
	for _, n := range nodes {
		id := str(n.Get("dataset").Get(widget.DataProbe))
		if !api.ValidID(id) {
			continue
		}
		if _, ok := a.probes[id]; !ok {
			a.probes[id] = &status.Probe{ID: id}
			a.order = append(a.order, id)
		}
		meta := el("span", "sc-meta", "")
		btn := el("button", "sc-check", "Check now")
		btn.Set("type", "button")
		btn.Call("setAttribute", "aria-label", "Check now: "+str(n.Call("querySelector", widget.SelProbeLabel).Get("textContent")))
		detail := el("span", "sc-detail", "")
		failing := el("ul", "sc-failing", "")
		failing.Set("hidden", true)
		n.Call("append", meta, btn, detail, failing)
		a.funcs.on(btn, "click", func(js.Value) { a.check(id, false) })
	}
	// One switch per page: auto-refresh every probe on it.
	bar := el("div", "sc-bar", "")
	label := el("label", "sc-auto", "")
	box := el("input", "", "")
	box.Set("type", "checkbox")
	box.Set("checked", true)
	label.Call("append", box, " Auto-refresh every 30 s") // status.RefreshMS
	bar.Call("append", label)
	if content := query(widget.SelContent); content.Truthy() {
		content.Call("prepend", bar)
	}
	a.funcs.on(box, "change", func(js.Value) {
		a.auto = box.Get("checked").Bool()
		if a.auto {
			a.refresh.Reset()
			a.tick()
		}
	})
}

// check runs one probe, on a tap or (auto) on its own. The request goes out
// from a goroutine: a click callback must never block.
func (a *app) check(id string, auto bool) {
	p := a.probes[id]
	if p == nil || !p.Start() {
		return
	}
	a.renderProbe(id)
	go func() {
		a.finish(id, a.fetchResult(id, auto))
		a.recordCheck(id, auto)
		a.renderProbe(id)
		a.renderTemplates()
	}()
}

type fetched struct {
	result  api.Result
	ok      bool
	offline bool
	reached bool // the API answered, but not with a result
	reason  string
}

// fetchResult asks the probe API for a probe's result. An automatic check
// says so (?trigger=auto), for the API's audit of who pressed Check now.
func (a *app) fetchResult(id string, auto bool) fetched {
	opts := global.Get("Object").New()
	opts.Set("method", "POST")
	opts.Set("cache", "no-store")
	headers := global.Get("Object").New()
	headers.Set("Accept", "application/json")
	opts.Set("headers", headers)
	if as := global.Get("AbortSignal"); as.Truthy() && as.Get("timeout").Truthy() {
		opts.Set("signal", as.Call("timeout", 20_000))
	}
	online := global.Get("navigator").Get("onLine")
	u := a.apiBase + api.CheckPath(id)
	if auto {
		u += api.TriggerQuery
	}
	resp, err := await(global.Call("fetch", u, opts))
	if err != nil {
		if online.Type() == js.TypeBoolean && !online.Bool() {
			return fetched{offline: true, reason: "this device is offline"}
		}
		return fetched{reason: "no answer from the probe API (" + err.Error() + ")"}
	}
	code := resp.Get("status").Int()
	body, err := await(resp.Call("json"))
	if err != nil || body.Type() != js.TypeObject {
		return fetched{reason: "the probe API answered HTTP " + strconv.Itoa(code) + " without a result"}
	}
	if code != 200 {
		msg := str(body.Get("error"))
		if msg == "" {
			msg = "HTTP " + strconv.Itoa(code)
		}
		return fetched{reached: code < 500, reason: msg}
	}
	return fetched{ok: true, result: decodeResult(body)}
}

func decodeResult(v js.Value) api.Result {
	r := api.Result{
		ID:        str(v.Get("id")),
		Status:    api.Status(str(v.Get("status"))),
		LatencyMS: int64(num(v.Get("latency_ms"))),
		AgeMS:     int64(num(v.Get("age_ms"))),
		Detail:    str(v.Get("detail")),
	}
	if cs := v.Get("conditions"); cs.Truthy() {
		for i := 0; i < cs.Length(); i++ {
			c := cs.Index(i)
			// The widget shows only what failed, by its result.
			r.Conditions = append(r.Conditions, api.Condition{
				Result:  str(c.Get("result")),
				Success: c.Get("success").Truthy(),
			})
		}
	}
	return r
}

func (a *app) finish(id string, f fetched) {
	a.refresh.Reached(f.ok || f.reached)
	p := a.probes[id]
	switch {
	case f.ok:
		p.Finish(f.result, now())
	case f.reached:
		// The API is there but refused (rate limit, unknown probe): the
		// target's state is unknown, not the API's reachability.
		p.Finish(api.Result{ID: id, Status: api.StatusUnknown, Detail: f.reason}, now())
	default:
		p.Fail(f.offline, f.reason)
	}
}

func (a *app) renderProbe(id string) {
	v := a.probes[id].View(now())
	for _, n := range queryAll(document, widget.SelProbeID(id)) {
		n.Get("dataset").Set(widget.DataState, string(v.State))
		n.Call("querySelector", widget.SelState).Set("textContent", v.Badge)
		meta := v.Latency
		if v.Checked != "" {
			if meta != "" {
				meta += " · "
			}
			meta += v.Checked
		}
		n.Call("querySelector", ".sc-meta").Set("textContent", meta)
		n.Call("querySelector", ".sc-detail").Set("textContent", v.Detail)
		btn := n.Call("querySelector", ".sc-check")
		btn.Set("disabled", v.Busy)
		btn.Call("setAttribute", "aria-busy", strconv.FormatBool(v.Busy))
		if v.Busy {
			btn.Set("textContent", "Checking…")
		} else {
			btn.Set("textContent", "Check now")
		}
		list := n.Call("querySelector", ".sc-failing")
		list.Set("textContent", "")
		for _, f := range v.Failing {
			list.Call("append", el("li", "", f))
		}
		list.Set("hidden", len(v.Failing) == 0)
	}
}

// tick runs every second: ages, clocks and auto-refresh.
func (a *app) tick() {
	t := now()
	for _, id := range a.order {
		if a.probes[id].Status() != status.Unchecked {
			a.renderProbe(id)
		}
	}
	// A page shown again after a while gets its statuses within a tick.
	if a.auto && a.refresh.Due(t, !document.Get("hidden").Bool()) {
		for _, id := range a.order {
			a.check(id, true)
		}
	}
	a.renderTemplates()
	a.incTick()
}

// ---- Incident form and templates ----

func (a *app) initForm(data js.Value) {
	first := query(widget.SelTemplate)
	if !first.Truthy() || !data.Truthy() {
		return
	}
	var page []form.Field
	if fs := data.Get(widget.KeyFields); fs.Truthy() {
		for i := 0; i < fs.Length(); i++ {
			f := fs.Index(i)
			page = append(page, form.Field{Name: str(f.Get(widget.KeyFieldName)), Type: str(f.Get(widget.KeyFieldType)),
				Options: strings_(f.Get(widget.KeyFieldOptions))})
		}
	}
	sevs := strings_(data.Get(widget.KeySeverities))
	a.fields = form.Fields(sevs, page)

	// A link's values are offered as a new incident (incident_js.go), so a
	// link never overwrites the fields of the incident under way.
	for _, f := range a.fields {
		if !f.Auto() {
			a.values[f.Name] = a.incident.Field(f.Name)
		}
	}

	panel := el("details", "sc-form", "")
	panel.Set("open", true)
	panel.Call("append", el("summary", "sc-form-title", "Incident details — fill in once, every template below uses them"))
	box := el("form", "", "")
	box.Call("setAttribute", "aria-label", "Incident details")
	for _, f := range a.fields {
		if f.Auto() {
			continue
		}
		a.addInput(box, f, "sc-f-", a.values[f.Name], a.setField)
	}
	panel.Call("append", box)
	anchor := sectionStart(first)
	anchor.Get("parentNode").Call("insertBefore", panel, anchor)
	a.funcs.on(box, "submit", func(ev js.Value) { ev.Call("preventDefault") })
	a.renderTemplates()
}

// sectionStart returns the h2 that opens the section holding n, so the form
// comes before the section's first heading rather than between a heading
// and its template. Without one it returns n's top-level block.
func sectionStart(n js.Value) js.Value {
	content := query(widget.SelContent)
	top := n
	for p := n.Get("parentNode"); p.Truthy() && !p.Equal(content); p = p.Get("parentNode") {
		top = p
	}
	for s := top.Get("previousElementSibling"); s.Truthy(); s = s.Get("previousElementSibling") {
		if str(s.Get("tagName")) == "H2" {
			return s
		}
	}
	return top
}

// addInput adds a row to box for field f: its label, and its input holding
// value, whose ID is prefix and the field's name. on gets the field's name
// and every value typed, cleaned.
func (a *app) addInput(box js.Value, f form.Field, prefix, value string, on func(name, v string)) js.Value {
	id := prefix + strings.ReplaceAll(f.Name, ".", "-")
	label := el("label", "", f.Label)
	label.Set("htmlFor", id)
	var input js.Value
	switch f.Type {
	case widget.TypeSelect:
		input = el("select", "", "")
		input.Call("append", el("option", "", "—"))
		input.Get("firstChild").Set("value", "")
		for _, o := range f.Options {
			opt := el("option", "", o)
			opt.Set("value", o)
			input.Call("append", opt)
		}
	case widget.TypeLong:
		input = el("textarea", "", "")
		input.Set("rows", 3)
	case widget.TypeTime:
		input = el("input", "", "")
		input.Set("type", "datetime-local")
	default:
		input = el("input", "", "")
		input.Set("type", "text")
	}
	input.Set("id", id)
	input.Set("name", f.Name)
	input.Set("value", value)
	name := f.Name
	a.funcs.on(input, "input", func(js.Value) { on(name, form.Clean(str(input.Get("value")))) })
	add(box, "div", "sc-row", "").Call("append", label, input)
	return input
}

// renderTemplates refreshes the automatic fields and writes every field's
// text into the templates' placeholders.
func (a *app) renderTemplates() {
	if a.fields == nil {
		return
	}
	a.values[widget.FieldNow] = incident.When(ms(), tzOffset())
	a.values[widget.FieldElapsed] = ""
	if started := a.values[widget.FieldStarted]; started != "" {
		if t := global.Get("Date").Call("parse", started).Float(); t == t { // not NaN
			a.values[widget.FieldElapsed] = form.Elapsed(now() - t)
		}
	}
	for id, p := range a.probes {
		if p.Status() != status.Unchecked {
			a.values[widget.ProbeField+id] = p.View(now()).Badge
		}
	}
	for _, span := range queryAll(document, widget.SelTemplateField) {
		name := str(span.Get("dataset").Get(widget.DataField))
		text := form.Value(a.values, name)
		if str(span.Get("textContent")) != text {
			span.Set("textContent", text)
		}
		span.Get("classList").Call("toggle", "sc-empty", a.values[name] == "")
	}
}

// ---- Command variables ----

func (a *app) initVars() {
	pres := queryAll(document, widget.SelVars)
	if len(pres) == 0 {
		return
	}
	var names []string
	seen := map[string]bool{}
	for _, pre := range pres {
		for _, n := range strings.Fields(str(pre.Get("dataset").Get(widget.DataVars))) {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	box := el("form", "sc-form sc-varform", "")
	box.Call("setAttribute", "aria-label", "Values for the commands on this page")
	box.Call("append", el("p", "sc-form-title", "Values for the commands on this page"))
	for _, n := range names {
		input := a.addInput(box, form.Field{Name: n, Label: "<" + n + ">"}, "sc-v-", a.incident.Var(n), func(n, v string) {
			a.incident.SetVar(n, v)
			a.fillVar(n, v)
		})
		input.Set("autocomplete", "off")
		input.Set("spellcheck", false)
		a.fillVar(n, a.incident.Var(n))
	}
	bar := pres[0].Get("previousElementSibling")
	anchor := pres[0]
	if bar.Truthy() && bar.Get("classList").Call("contains", widget.ClassCodeBar).Bool() {
		anchor = bar
	}
	anchor.Get("parentNode").Call("insertBefore", box, anchor)
	a.funcs.on(box, "submit", func(ev js.Value) { ev.Call("preventDefault") })
}

func (a *app) fillVar(name, value string) {
	text := form.VarText(name, value)
	for _, v := range queryAll(document, widget.SelVar(name)) {
		v.Set("textContent", text)
		v.Get("classList").Call("toggle", "sc-filled", strings.TrimSpace(value) != "")
	}
}

// ---- Checklists ----

func (a *app) initTasks() {
	page := str(global.Get("location").Get("pathname"))
	seen := map[string]int{}
	for _, box := range queryAll(document, widget.SelTasks) {
		li := box.Get("parentNode")
		text := strings.TrimSpace(str(li.Get("textContent")))
		key := store.TaskKey(page, text, seen[text])
		seen[text]++
		box.Set("disabled", false) // the property reflects: the attribute goes too
		box.Call("setAttribute", "aria-label", text)
		stamp := el("small", "sc-ticked", "")
		li.Call("append", stamp)
		at, ticked := a.incident.Tick(key)
		box.Set("checked", ticked)
		showTick(stamp, at)
		a.funcs.on(box, "change", func(js.Value) {
			at := ""
			if box.Get("checked").Bool() {
				at = global.Get("Date").New().Call("toISOString").String()
			}
			a.incident.SetTick(key, at)
			a.record(incident.KindTick, tickText(at)+text)
			showTick(stamp, at)
		})
	}
}

func showTick(stamp js.Value, at string) {
	if at == "" {
		stamp.Set("textContent", "")
		return
	}
	_, clock := incident.Stamp(int64(global.Get("Date").Call("parse", at).Float()), tzOffset())
	stamp.Set("textContent", " ticked "+clock[:5])
}
