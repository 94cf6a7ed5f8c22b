// Package status is the view model of the probe status widget: what the
// badge says, how old the result is and which conditions failed. It holds
// no DOM and no clock, so it tests on the host; the wasm glue feeds it
// results and the current time in milliseconds.
package status

import (
	"strconv"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/wasm/form"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// State is the widget's state, written to data-state. It extends the probe
// API's statuses with the states only a browser can be in.
type State string

const (
	Unchecked   State = widget.StateUnchecked
	Up          State = State(api.StatusUp)
	Degraded    State = State(api.StatusDegraded)
	Down        State = State(api.StatusDown)
	Unknown     State = State(api.StatusUnknown)
	Unreachable State = "unreachable" // the probe API did not answer
	Offline     State = "offline"     // the browser has no network
)

// badge is the words beside the colour; status is never colour alone.
func badge(s State) string {
	switch s {
	case Unchecked:
		return widget.UncheckedText
	case Unreachable:
		return "probe API unreachable"
	}
	return string(s)
}

// View is everything the widget shows.
type View struct {
	State State
	Badge string
	// Latency is "123 ms", or empty.
	Latency string
	// Checked is "checked 4 s ago", or empty.
	Checked string
	// Detail is the probe API's short explanation or the reason the check
	// could not be made.
	Detail string
	// Failing lists the failed conditions with their actual values, e.g.
	// "[STATUS] (503) == 200".
	Failing []string
	// Busy is true while a check runs: the button shows a spinner and
	// ignores further taps.
	Busy bool
}

// Probe tracks one probe's latest result. Its zero value is unchecked.
// It is not safe for concurrent use; the glue serialises events.
type Probe struct {
	ID     string
	busy   bool
	state  State
	result api.Result
	has    bool
	// at is when the result was produced, in ms since the epoch on the
	// browser's clock: receipt time minus the server-reported age.
	at     float64
	detail string
}

// Start marks a check as running. It reports false if one already is, so a
// double tap sends one request.
func (p *Probe) Start() bool {
	if p.busy {
		return false
	}
	p.busy = true
	return true
}

// Finish records a result received at nowMS.
func (p *Probe) Finish(r api.Result, nowMS float64) {
	p.busy = false
	p.result, p.has = r, true
	p.at = nowMS - float64(r.AgeMS)
	p.detail = r.Detail
	switch State(r.Status) {
	case Up, Degraded, Down, Unknown:
		p.state = State(r.Status)
	default:
		p.state = Unknown
		p.detail = "the probe API answered with an unknown status"
	}
}

// Fail records that no result could be had. offline distinguishes a
// browser without network from a probe API that did not answer. The last
// result, if any, stays visible with its age, so the responder still sees
// what was last known.
func (p *Probe) Fail(offline bool, reason string) {
	p.busy = false
	if offline {
		p.state = Offline
	} else {
		p.state = Unreachable
	}
	p.detail = reason
}

// Status returns the probe's current state, for {{probe.id}} template fields.
func (p *Probe) Status() State {
	if p.state == "" {
		return Unchecked
	}
	return p.state
}

// View returns what to show at nowMS.
func (p *Probe) View(nowMS float64) View {
	v := View{State: p.Status(), Busy: p.busy, Detail: p.detail}
	v.Badge = badge(v.State)
	if p.has {
		v.Latency = strconv.FormatInt(p.result.LatencyMS, 10) + " ms"
		v.Checked = "checked " + Ago(nowMS-p.at)
		for _, c := range p.result.Conditions {
			if !c.Success {
				v.Failing = append(v.Failing, c.Result)
			}
		}
	}
	return v
}

// Ago formats a duration in milliseconds as "just now", "4 s ago",
// "3 min ago" or "2 h 05 min ago", as form.Elapsed does. Negative
// durations (clock skew between browser and server) read as "just now".
func Ago(ms float64) string {
	if ms < 1000 {
		return "just now"
	}
	return form.Elapsed(ms) + " ago"
}
