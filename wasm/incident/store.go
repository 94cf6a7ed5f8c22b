package incident

import (
	"strconv"
	"strings"

	"github.com/stepcheck/stepcheck/wasm/store"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// An incident keeps, beside its form fields (the timeline among them), its
// times in the store as records named by stateNames, in ms since the epoch.

// Open opens the incident o offers at now and makes it current. A new
// incident (o.ID empty) gets an ID, starts at o's start time and counts its
// response from now; its timeline starts with the alert, if any, and its
// opening. A shared incident keeps its ID and times, and its timeline
// unless this device has one for it already, which it keeps: it may hold
// the responder's own edits. The offer's fields are set.
func Open(kv store.KV, o Offer, now int64, offsetMin int) store.Incident {
	id := o.ID
	if id == "" {
		id, o.Acked = NewID(now), now
	}
	inc := store.Open(kv, id)
	for n, v := range o.Fields {
		inc.SetField(n, v)
	}
	inc.SetField(widget.FieldStarted, InputValue(o.Start(now), offsetMin))
	for i, p := range o.times() {
		if i > 0 {
			inc.SetMeta(stateNames[i], stamp(*p))
		}
	}
	if inc.Field(widget.FieldTimeline) == "" {
		inc.SetField(widget.FieldTimeline, strings.Join(o.Timeline, "\n"))
	}
	if o.ID == "" {
		if o.Alert != "" {
			Record(inc, KindAlert, o.Alert+" "+o.Summary, o.Start(now), offsetMin)
		}
		Record(inc, KindStart, o.Fields[widget.FieldSeverity]+" "+o.Fields[widget.FieldTitle], now, offsetMin)
	}
	return inc
}

func stamp(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return strconv.FormatInt(ms, 10)
}

// End ends the incident at now and returns its timeline. Its clock stops;
// it stays on the device until it is forgotten.
func End(inc store.Incident, now int64, offsetMin int) string {
	inc.SetMeta("ended", stamp(now))
	return Record(inc, KindEnd, inc.Field(widget.FieldStatus), now, offsetMin)
}

// StateOf returns the incident's clock state. started is its "started"
// field as ms; when it is 0, the incident counts from its opening.
func StateOf(inc store.Incident, started int64) State {
	var s State
	for i, p := range s.times() {
		*p, _ = Int(inc.Meta(stateNames[i]))
	}
	s.Started = started
	if s.Started <= 0 {
		s.Started = s.Acked
	}
	return s
}

// Brief is one line about an incident kept on this device, for the list of
// earlier incidents.
func Brief(inc store.Incident) string {
	s := inc.Field(widget.FieldSeverity) + " " + inc.Field(widget.FieldTitle) + " · " + inc.Field(widget.FieldStarted)
	if inc.Meta("ended") == "" {
		s += " · not ended"
	}
	return s
}
