//go:build js && wasm

// Command wasm is the page widgets, compiled with GOOS=js GOARCH=wasm: the
// probe status widget with "Check now", the incident form shared by the
// page's templates, command variables, checklists and incident mode
// (incident_js.go). They run in a Web Worker, never on the page's main
// thread, and reach the page through package bridge (dom_js.go). The logic
// lives in host-tested packages (status, form, store, incident); this file
// only wires them to the page.
package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/wasm/bridge"
	"github.com/stepcheck/stepcheck/wasm/form"
	"github.com/stepcheck/stepcheck/wasm/incident"
	"github.com/stepcheck/stepcheck/wasm/status"
	"github.com/stepcheck/stepcheck/wasm/store"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

type app struct {
	apiBase  string
	incident store.Incident
	probes   map[string]*status.Probe
	order    []string
	views    map[string][]probeUI // each probe's widgets on the page (its element)
	values   map[string]string    // form values, including automatic ones
	fields   []form.Field
	inputs   map[string][]node // every input of a field, by its name
	spans    []found           // the templates' placeholders
	filled   []filled          // what each shows, so the tick sends only changes
	vars     map[string][]node // every use of a command variable, by its name
	typing   node              // the input whose keystroke is being handled
	auto     bool              // the auto-refresh switch, on until the responder turns it off
	refresh  status.Refresh
	inc      incUI
}

// filled is what a template's placeholder shows.
type filled struct {
	text  string
	empty bool
}

// probeUI is one probe's widget on the page: the probe's element, which
// the page's half of the bridge gives its age line, Check now, detail and
// failing conditions (bridge.OpProbe).
type probeUI struct {
	root node
	age  string // the age line shown
}

func main() {
	start()
	a := &app{
		incident: store.Current(kv),
		probes:   map[string]*status.Probe{},
		views:    map[string][]probeUI{},
		values:   map[string]string{},
		inputs:   map[string][]node{},
		vars:     map[string][]node{},
		auto:     true,
	}
	b, _ := query(widget.SelBody, bridge.PropData+widget.DataProbeAPI, bridge.PropData+widget.DataSearch)
	a.apiBase = strings.TrimSuffix(b.str(0), "/")
	data := pageData()
	a.initProbes()
	a.fillPostmortem()
	a.initForm(data)
	a.initVars()
	a.initTasks()
	a.initIncident(data)
	a.initSearch(b.str(1))
	onNet = func(online bool) {
		if online {
			a.refresh.Reset()
			a.tick()
			return
		}
		for _, id := range a.order {
			if p := a.probes[id]; p.Status() != status.Unchecked {
				p.Fail(true, "this device is offline") // as fetchResult says it
			}
			a.renderProbe(id)
		}
	}
	onVisible = a.tick // a page shown again gets its statuses at once
	global.Call("setInterval", js.FuncOf(func(js.Value, []js.Value) any { a.tick(); return nil }), 1000)
	a.tick() // the statuses on open, without a tap
	op(bridge.OpReady)
	select {}
}

// pageData parses the page's widget data (widget.IDPageData), written by
// the build.
func pageData() js.Value {
	node, ok := query(widget.SelPageData, bridge.PropText)
	if !ok {
		return js.Null()
	}
	v := js.Null()
	func() {
		defer func() { _ = recover() }()
		v = global.Get("JSON").Call("parse", node.str(0))
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
	nodes := queryAll(document, widget.SelProbe, bridge.PropData+widget.DataProbe, bridge.PropTextOf+widget.SelProbeLabel, bridge.PropNodeOf+widget.SelState)
	if len(nodes) == 0 {
		return
	}
	for _, n := range nodes {
		id := n.str(0)
		if !api.ValidID(id) {
			continue
		}
		if _, ok := a.probes[id]; !ok {
			a.probes[id] = &status.Probe{ID: id}
			a.order = append(a.order, id)
		}
		op(bridge.OpProbe, n.n, listen(func(event) { a.check(id, false) }), n.node(2), n.str(1))
		a.views[id] = append(a.views[id], probeUI{root: n.n})
	}
	// One switch per page: auto-refresh every probe on it.
	bar := el("div", "sc-bar", "")
	label := add(bar, "label", "sc-auto", "")
	box := el("input", "", "")
	set(box, bridge.OpProp, "type", "checkbox")
	set(box, bridge.OpProp, "checked", true)
	appendTo(label, box, " Auto-refresh every 30 s") // status.RefreshMS
	op(bridge.OpAppend, a.incidentRow(), bar)
	on(box, "change", bridge.Listen{}, func(e event) {
		a.auto = e.checked
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
// The page says when the device is offline (a worker's own navigator.onLine
// is not what the page's is in every browser): then nothing is sent.
func (a *app) fetchResult(id string, auto bool) fetched {
	const offline = "this device is offline"
	if !online {
		return fetched{offline: true, reason: offline}
	}
	opts := global.Get("Object").New()
	opts.Set("method", "POST")
	opts.Set("cache", "no-store")
	headers := global.Get("Object").New()
	headers.Set("Accept", "application/json")
	opts.Set("headers", headers)
	if as := global.Get("AbortSignal"); as.Truthy() && as.Get("timeout").Truthy() {
		opts.Set("signal", as.Call("timeout", 20_000))
	}
	u := a.apiBase + api.CheckPath(id)
	if auto {
		u += api.TriggerQuery
	}
	resp, err := await(global.Call("fetch", u, opts))
	if err != nil {
		if !online {
			return fetched{offline: true, reason: offline}
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
	a.renderAge(id)
	v := a.probes[id].View(now())
	for _, ui := range a.views[id] {
		args := []any{ui.root, string(v.State), v.Badge, v.Detail, v.Busy}
		for _, f := range v.Failing {
			args = append(args, f)
		}
		op(bridge.OpProbeState, args...)
	}
}

// renderAge shows a probe's latency and the age of its result, which the
// tick changes every second, when it changed.
func (a *app) renderAge(id string) {
	v := a.probes[id].View(now())
	meta := v.Latency
	if v.Checked != "" {
		if meta != "" {
			meta += " · "
		}
		meta += v.Checked
	}
	views := a.views[id]
	for i := range views {
		if views[i].age != meta {
			views[i].age = meta
			op(bridge.OpProbeAge, views[i].root, meta)
		}
	}
}

// tick runs every second: ages, clocks and auto-refresh.
func (a *app) tick() {
	t := now()
	for _, id := range a.order {
		if a.probes[id].Status() != status.Unchecked {
			a.renderAge(id)
		}
	}
	// A page shown again after a while gets its statuses within a tick.
	if a.auto && a.refresh.Due(t, !hidden) {
		for _, id := range a.order {
			a.check(id, true)
		}
	}
	a.renderTemplates()
	a.incTick()
}

// ---- Incident form and templates ----

func (a *app) initForm(data js.Value) {
	if _, ok := query(widget.SelTemplate); !ok || !data.Truthy() {
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
	a.spans = queryAll(document, widget.SelTemplateField, bridge.PropData+widget.DataField)
	a.filled = make([]filled, len(a.spans))

	// A link's values are offered as a new incident (incident_js.go), so a
	// link never overwrites the fields of the incident under way.
	for _, f := range a.fields {
		if !f.Auto() {
			a.values[f.Name] = a.incident.Field(f.Name)
		}
	}

	// The form is in the page (gen/markdown/commtmpl), its inputs
	// disabled until now: filling and enabling it moves nothing.
	for _, in := range queryAll(document, widget.SelIncidentInputs, bridge.PropName) {
		name := in.str(0)
		set(in.n, bridge.OpProp, "value", a.values[name])
		set(in.n, bridge.OpProp, "disabled", false)
		a.listenInput(in.n, name, a.setField)
	}
	if f, ok := query(widget.SelIncidentForm); ok {
		on(f.n, "submit", bridge.Listen{Prevent: true}, func(event) {})
	}
	a.renderTemplates()
}

// addInput adds a row to box for field f: its label, and its input holding
// value, whose ID is prefix and the field's name. on gets the field's name
// and every value typed, cleaned.
func (a *app) addInput(box node, f form.Field, prefix, value string, on_ func(name, v string)) node {
	input := newNode()
	args := []any{box, input, f.Type, prefix + strings.ReplaceAll(f.Name, ".", "-"), f.Name, f.Label, value}
	for _, o := range f.Options {
		args = append(args, o)
	}
	op(bridge.OpField, args...)
	a.listenInput(input, f.Name, on_)
	return input
}

// listenInput passes every value typed into input, cleaned, to on_, and
// counts the input among the field name's.
func (a *app) listenInput(input node, name string, on_ func(name, v string)) {
	on(input, "input", bridge.Listen{}, func(e event) {
		// What the reader types is never written back into the same
		// input: the worker's answer would arrive after the next keystroke.
		a.typing = input
		on_(name, form.Clean(e.value))
		a.typing = bridge.None
	})
	a.inputs[name] = append(a.inputs[name], input)
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
	for i, span := range a.spans {
		name := span.str(0)
		if f := (filled{form.Value(a.values, name), a.values[name] == ""}); a.filled[i] != f {
			a.filled[i] = f
			setText(span.n, f.text)
			set(span.n, bridge.OpClass, "sc-empty", f.empty)
		}
	}
}

// ---- Command variables ----

func (a *app) initVars() {
	pres := queryAll(document, widget.SelVars, bridge.PropData+widget.DataVars, bridge.PropPrevWith+widget.ClassCodeBar)
	if len(pres) == 0 {
		return
	}
	for _, u := range queryAll(document, widget.SelVarUses, bridge.PropData+widget.DataVar) {
		a.vars[u.str(0)] = append(a.vars[u.str(0)], u.n)
	}
	var names []string
	seen := map[string]bool{}
	for _, pre := range pres {
		for _, n := range strings.Fields(pre.str(0)) {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	box := el("form", "sc-form sc-varform", "")
	set(box, bridge.OpAttr, "aria-label", "Values for the commands on this page")
	add(box, "p", "sc-form-title", "Values for the commands on this page")
	for _, n := range names {
		input := a.addInput(box, form.Field{Name: n, Label: "<" + n + ">"}, "sc-v-", a.incident.Var(n), func(n, v string) {
			a.incident.SetVar(n, v)
			a.fillVar(n, v)
		})
		set(input, bridge.OpProp, "autocomplete", "off")
		set(input, bridge.OpProp, "spellcheck", false)
		a.fillVar(n, a.incident.Var(n))
	}
	// Before the first command, or before its bar of buttons.
	anchor := pres[0].n
	if bar := pres[0].node(1); bar != bridge.None {
		anchor = bar
	}
	op(bridge.OpBefore, anchor, box)
	on(box, "submit", bridge.Listen{Prevent: true}, func(event) {})
}

func (a *app) fillVar(name, value string) {
	text := form.VarText(name, value)
	for _, v := range a.vars[name] {
		setText(v, text)
		set(v, bridge.OpClass, "sc-filled", strings.TrimSpace(value) != "")
	}
}

// ---- Checklists ----

func (a *app) initTasks() {
	seen := map[string]int{}
	for _, f := range queryAll(document, widget.SelTasks, bridge.PropParent, bridge.PropParentText) {
		box, li := f.n, f.node(0)
		text := strings.TrimSpace(f.str(1))
		key := store.TaskKey(pagePath, text, seen[text])
		seen[text]++
		set(box, bridge.OpProp, "disabled", false) // the property reflects: the attribute goes too
		set(box, bridge.OpAttr, "aria-label", text)
		stamp := add(li, "small", "sc-ticked", "")
		at, ticked := a.incident.Tick(key)
		set(box, bridge.OpProp, "checked", ticked)
		showTick(stamp, at)
		on(box, "change", bridge.Listen{}, func(e event) {
			at := ""
			if e.checked {
				at = global.Get("Date").New().Call("toISOString").String()
			}
			a.incident.SetTick(key, at)
			a.record(incident.KindTick, tickText(at)+text)
			showTick(stamp, at)
		})
	}
}

func showTick(stamp node, at string) {
	if at == "" {
		setText(stamp, "")
		return
	}
	_, clock := incident.Stamp(int64(global.Get("Date").Call("parse", at).Float()), tzOffset())
	setText(stamp, " ticked "+clock[:5])
}
