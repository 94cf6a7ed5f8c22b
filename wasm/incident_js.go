//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"

	"github.com/stepcheck/stepcheck/wasm/bridge"
	"github.com/stepcheck/stepcheck/wasm/form"
	"github.com/stepcheck/stepcheck/wasm/incident"
	"github.com/stepcheck/stepcheck/wasm/store"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// incUI is incident mode on the page: the incident bar, an offer to start
// or open an incident from a link, and the timeline that records what the
// responder does. The logic is in package incident; this is the DOM.
//
// Buttons carry data-act and data-arg, and their clicks run act. Starting, opening, ending and forgetting an incident
// reload the page, which then shows the current incident everywhere: form,
// variables, ticks and bar. Every call into JavaScript costs the widgets
// code (see BENCHMARKS.md), so this file makes few.
type incUI struct {
	sevs       []incident.Severity
	ids        []string
	postmortem string
	pageSev    string // the page's own severity
	row        node   // the incident row (widget.SelIncident)
	bar        node   // details.sc-inc-bar, or bridge.None
	sum        node
	detail     node
	link       node              // the share link
	offer      incident.Offer    // what the link offers
	checks     map[string]string // the last result seen of each probe
	shown      [3]string         // the clock's summary, detail and level shown
}

// initIncident sets up incident mode: the offer a link brings, the bar of
// the current incident or the button that starts one, the incidents kept on
// this device, and the postmortem's own fields on its page. It is one
// function because each one more costs the widgets.
func (a *app) initIncident(data js.Value) {
	u := &a.inc
	if !data.Truthy() {
		return
	}
	u.checks, u.postmortem = map[string]string{}, str(data.Get(widget.KeyPostmortem))
	if sev, ok := query(widget.SelPageSeverity, bridge.PropText); ok {
		u.pageSev = sev.str(0)
	}
	ts := data.Get(widget.KeyTargets)
	for i := 0; ts.Truthy() && i < ts.Length(); i++ {
		t := ts.Index(i)
		n := func(k string) int64 { return int64(num(t.Get(k))) }
		s := incident.Severity{ID: str(t.Get(widget.KeyTargetID)), Respond: n(widget.KeyTargetRespond), Resolve: n(widget.KeyTargetResolve),
			Internal: n(widget.KeyTargetInternal), StatusPage: n(widget.KeyTargetStatusPage)}
		u.sevs, u.ids = append(u.sevs, s), append(u.ids, s.ID)
	}
	// The built-in fields (widget.Fields) and the timeline: a list costs
	// the widgets less than building one from widget.Fields.
	for _, n := range [...]string{widget.FieldTitle, widget.FieldSeverity, widget.FieldStatus, widget.FieldImpact, widget.FieldETA,
		widget.FieldCommander, widget.FieldStarted, widget.FieldTimeline} {
		if _, ok := a.values[n]; !ok {
			a.values[n] = a.incident.Field(n)
		}
	}
	box := a.incidentRow()
	a.recordCopies()

	// The offer: a shared incident in the fragment, or an alert or a
	// prefill in the query. It never opens one by itself.
	q, label := pageHash, "Open this incident"
	if !strings.HasPrefix(q, "#incident=") {
		q, label = pageQuery, "Start incident"
	}
	if o, ok := incident.ParseOffer(q, u.ids, a.fields); ok {
		u.offer = o
		offer := add(box, "div", "sc-offer", "")
		add(offer, "p", "", o.Describe(ms(), tzOffset()))
		a.button(offer, label, "offer", "")
	}

	if a.incident.ID == store.DefaultIncident {
		a.button(box, "Start an incident", "start", "")
	} else {
		// The bar: the clock, the incident's fields with its timeline, a
		// note, and what to do with the incident.
		u.bar = add(box, "details", "sc-inc-bar", "")
		u.sum = add(u.bar, "summary", "", "")
		u.detail = add(u.bar, "p", "sc-inc-clock", "")
		fields := add(u.bar, "div", "sc-inc-fields", "")
		for _, f := range form.Fields(u.ids, []form.Field{{Name: widget.FieldTimeline, Type: widget.TypeLong}, {Name: "note", Type: widget.TypeText}}) {
			a.addInput(fields, f, "sc-i-", a.values[f.Name], a.setField)
		}
		a.buttons(fields, "Add note", incident.KindNote, "", "Escalated", incident.KindEscalation, "")
		// Once it has ended, the next incident starts here.
		end, act := "End incident", "end"
		if a.incident.Meta("ended") != "" {
			end, act = "Start a new incident", "start"
		}
		acts := add(u.bar, "div", "sc-inc-actions", "")
		if u.postmortem != "" {
			set(add(acts, "a", "sc-btn", "Postmortem"), bridge.OpProp, "href", u.postmortem)
		}
		a.buttons(acts, "Copy share link", "share", "timeline",
			"Copy share link without the timeline", "share", "", end, act, "", "Forget this incident", "forget", "")
		u.link = add(add(u.bar, "p", "sc-inc-link", ""), "a", "", "")
		a.incTick()
	}

	// The incidents kept on this device, the latest first.
	list := bridge.None
	ids := store.List(kv)
	for i := len(ids) - 1; i >= 0; i-- {
		if ids[i] == a.incident.ID {
			continue
		}
		if list == bridge.None {
			d := add(box, "details", "sc-inc-earlier", "")
			add(d, "summary", "", "Earlier incidents on this device")
			list = add(d, "ul", "", "")
		}
		a.button(add(list, "li", "", incident.Brief(store.Get(kv, ids[i]))+" "), "Open", "open", ids[i])
	}
}

// incidentRow returns the incident row (widget.SelIncident), making one at
// the top of main when the theme has none.
func (a *app) incidentRow() node {
	if a.inc.row != bridge.None {
		return a.inc.row
	}
	if row, ok := query(widget.SelIncident); ok {
		a.inc.row = row.n
	} else if main, ok := query(widget.SelMain); ok {
		a.inc.row = el("section", "sc-inc", "")
		set(a.inc.row, bridge.OpAttr, "aria-label", "Incident")
		op(bridge.OpPrepend, main.n, a.inc.row)
	}
	return a.inc.row
}

// button adds a button that runs act with arg. Forgetting asks first, on
// the page, inside the click.
func (a *app) button(parent node, text, act, arg string) node {
	b := add(parent, "button", "sc-btn", text)
	set(b, bridge.OpProp, "type", "button")
	set(b, bridge.OpData, "act", act)
	set(b, bridge.OpData, "arg", arg)
	var opts bridge.Listen
	if act == "forget" {
		opts.Confirm = "Forget this incident? Its fields, ticks and timeline are removed from this device."
	}
	on(b, "click", opts, func(event) { a.act(act, arg) })
	return b
}

// recordCopies records the copies of templates in the timeline, wherever
// they are on the page: the bootstrap script announces each one
// (widget.EventCopied, its detail the template's ID and title, on a line
// each).
func (a *app) recordCopies() {
	on(document, widget.EventCopied, bridge.Listen{}, func(e event) {
		id, title, _ := strings.Cut(e.value, "\n")
		// Copying the postmortem is not recorded: it is the record.
		if id != widget.PostmortemTemplate {
			a.record(incident.CopyKind(id), title+" ("+a.values[widget.FieldStatus]+")")
		}
	})
}

func tzOffset() int { return -global.Get("Date").New().Call("getTimezoneOffset").Int() }

func ms() int64 { return int64(now()) }

func (u *incUI) sev(id string) incident.Severity {
	for _, s := range u.sevs {
		if s.ID == id {
			return s
		}
	}
	return incident.Severity{}
}

// record adds an entry to the current incident's timeline. Without an
// incident it does nothing: only an incident has a timeline.
func (a *app) record(kind, text string) {
	if a.incident.ID != store.DefaultIncident {
		a.setField(widget.FieldTimeline, incident.Record(a.incident, kind, text, ms(), tzOffset()))
	}
}

// recordCheck records a probe's result: every one the responder tapped
// for, and of the checks that ran on their own (auto) only a change seen
// on this page, so that opening a page or auto-refresh does not fill the
// timeline with the same answers.
func (a *app) recordCheck(id string, auto bool) {
	v := a.probes[id].View(now())
	prev, seen := a.inc.checks[id]
	a.inc.checks[id] = v.Badge
	if !auto || seen && prev != v.Badge {
		a.record(incident.KindCheck, id+": "+v.Badge)
	}
}

func tickText(at string) string {
	if at == "" {
		return "unticked: "
	}
	return "ticked: "
}

// setField changes an incident field everywhere on the page: its value, the
// store, every input for it (the form's and the bar's) and the templates.
func (a *app) setField(name, v string) {
	a.values[name] = v
	a.incident.SetField(name, v)
	for _, in := range a.inputs[name] {
		if in != a.typing {
			set(in, bridge.OpProp, "value", v)
		}
	}
	a.renderTemplates()
}

// fillPostmortem fills the postmortem from the incident on the page that
// holds its template, before the form reads the fields.
func (a *app) fillPostmortem() {
	if _, ok := query(widget.SelPostmortem); ok && a.incident.ID != store.DefaultIncident {
		incident.Fill(a.incident, a.state(), ms(), tzOffset())
	}
}

// state is the incident's clock state. The browser reads the local
// "started" field, so daylight saving time is its business.
func (a *app) state() incident.State {
	started := global.Get("Date").Call("parse", a.incident.Field(widget.FieldStarted)).Float()
	if started != started { // NaN
		started = 0
	}
	return incident.StateOf(a.incident, int64(started))
}

// buttons adds a button for each (text, act, arg), leaving out those
// without text.
func (a *app) buttons(parent node, spec ...string) {
	for i := 0; i+2 < len(spec); i += 3 {
		if spec[i] != "" {
			a.button(parent, spec[i], spec[i+1], spec[i+2])
		}
	}
}

// incTick refreshes the clock; tick calls it every second.
func (a *app) incTick() {
	u := &a.inc
	if u.bar == bridge.None {
		return
	}
	s := a.state()
	v := incident.Clock(u.sev(a.values[widget.FieldSeverity]), s, ms())
	sum, detail := v.Text(a.values[widget.FieldSeverity], a.values[widget.FieldTitle], s.Ended > 0)
	// The clock changes every second or minute: only what changed is sent.
	if now := [3]string{sum, detail, v.Level.String()}; now != u.shown {
		u.shown = now
		setText(u.sum, sum)
		setText(u.detail, detail)
		set(u.bar, bridge.OpData, "level", now[2])
	}
}

// act runs a button's action, with its argument. Starting, opening, ending and
// forgetting an incident show the page again, without the link's query or
// fragment, so that an offer is never taken twice.
func (a *app) act(act, arg string) {
	u := &a.inc
	switch act {
	case "start":
		// The fields typed before any incident was started carry over;
		// the page's severity is the default.
		u.offer = incident.Offer{Fields: map[string]string{}}
		for _, n := range incident.SharedFields() {
			if a.incident.ID == store.DefaultIncident {
				u.offer.Fields[n] = a.values[n]
			}
		}
		if u.offer.Fields[widget.FieldSeverity] == "" && u.pageSev != "" {
			u.offer.Fields[widget.FieldSeverity] = u.sev(u.pageSev).ID
		}
		fallthrough
	case "offer":
		incident.Open(kv, u.offer, ms(), tzOffset())
	case "open":
		store.Open(kv, arg)
	case "end":
		incident.End(a.incident, ms(), tzOffset())
	case "forget":
		var keys []string // the page asked first (button)
		for k := range kv.m {
			keys = append(keys, k)
		}
		a.incident.Forget(keys)
	case incident.KindNote, incident.KindEscalation:
		if v := a.values["note"]; v != "" {
			a.record(act, v)
			a.setField("note", "")
		}
		return
	case "share":
		frag, label := incident.Offer{ID: a.incident.ID, Fields: a.values, State: a.state()}.Link(arg != "")
		setText(u.link, label)
		if frag != "" {
			href := pageOrigin + pagePath + "#" + frag
			set(u.link, bridge.OpProp, "href", href)
			op(bridge.OpCopy, href)
		}
		return
	}
	op(bridge.OpNavigate, pagePath, true)
}
