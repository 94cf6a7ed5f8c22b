// Package incident is the logic of incident mode, free of the DOM so that it
// tests on the host: the severity clock, the timeline, the postmortem fill,
// share links and alert deep links. Times are milliseconds since the Unix
// epoch, as the browser's Date.now() gives them, and every function that
// needs the current time takes it as a parameter. Values are plain text; the
// glue only puts them into text nodes and input values.
//
// The package avoids time, fmt and sort on purpose: each would cost the
// widgets more than everything here.
package incident

import (
	"github.com/stepcheck/stepcheck/wasm/form"
)

// Severity is one level of the site's severity classification with its
// targets in seconds, as the build writes them into the page. A zero target
// means there is none, and the clock then leaves that line out.
type Severity struct {
	ID string
	// Respond and Resolve are the response and resolution targets.
	Respond, Resolve int64
	// Internal and StatusPage are how often an update is due in the
	// incident channel and on the status page.
	Internal, StatusPage int64
}

// Level is how a clock stands against its target.
type Level int

// The levels, from calm to late.
const (
	None Level = iota // no target
	OK                // under 80% of the target
	Near              // from 80% of the target
	Over              // at or past the target
)

var (
	levelNames = [...]string{"none", "ok", "near", "over"}
	levelWords = [...]string{"", "on track", "near target", "target passed"}
)

// String returns the level's name, as the glue writes it to data-level.
func (l Level) String() string { return levelNames[l] }

// Gauge returns the level of elapsed against target, both in the same unit:
// Near from 80% of the target, Over from 100%. It uses integers, so the
// boundaries are exact.
func Gauge(elapsed, target int64) Level {
	switch {
	case target <= 0:
		return None
	case elapsed >= target:
		return Over
	case elapsed*5 >= target*4:
		return Near
	}
	return OK
}

// State is what the clock needs to know about an incident. Every time is in
// ms since the epoch, and zero means "not yet".
type State struct {
	// Started is when the incident began (the alert's startsAt, or when it
	// was opened); Acked is when a responder opened it in stepcheck, which
	// is its response. Ended is when it was ended.
	Started, Acked, Ended int64
	// LastInternal and LastStatusPage are when an update was last copied
	// for the incident channel and for the status page.
	LastInternal, LastStatusPage int64
}

// Meter is one line of the clock: its text, which always names its level
// in words, and the level.
type Meter struct {
	Text  string
	Level Level
}

// View is what the incident bar shows.
type View struct {
	// Elapsed is the time since the start, or the incident's duration once
	// it has ended.
	Elapsed              string
	Respond, Resolve     Meter
	Internal, StatusPage Meter
	// Level is the worst level that still matters: the resolution and the
	// updates due, and the response until there has been one.
	Level Level
}

// Clock returns the incident's clock at now against the severity's targets.
// Once the incident has ended, the clock stops and no update is due.
func Clock(sev Severity, s State, now int64) View {
	end := now
	if s.Ended > 0 {
		end = s.Ended
	}
	ack, name := end, "Respond "
	if s.Acked > 0 && s.Acked < end {
		ack, name = s.Acked, "Responded in "
	}
	v := View{Elapsed: Dur(end - s.Started), Respond: meter(name, ack-s.Started, sev.Respond, false)}
	name = "Resolve "
	if s.Ended > 0 {
		name = "Resolved in "
	} else {
		v.Internal = meter("Internal update", now-max(s.Started, s.LastInternal), sev.Internal, true)
		v.StatusPage = meter("Status page update", now-max(s.Started, s.LastStatusPage), sev.StatusPage, true)
	}
	v.Resolve = meter(name, end-s.Started, sev.Resolve, false)
	v.Level = max(v.Resolve.Level, v.Internal.Level, v.StatusPage.Level)
	if s.Acked == 0 {
		v.Level = max(v.Level, v.Respond.Level)
	}
	return v
}

// meter measures elapsed against a target in seconds. An update falls due
// at its target: it reads "due in" or "overdue by"; any other target reads
// "elapsed of target · level".
func meter(name string, elapsed, target int64, update bool) Meter {
	if target <= 0 {
		return Meter{}
	}
	target *= 1000
	l := Gauge(elapsed, target)
	text := name + Dur(elapsed) + " of " + Dur(target) + " · " + levelWords[l]
	if update {
		text = name + " due in " + Dur(target-elapsed)
		if l == Over {
			text = name + " overdue by " + Dur(elapsed-target)
		}
	}
	return Meter{Text: text, Level: l}
}

// Dur formats a duration in ms as form.Elapsed does: "45 s", "12 min",
// "1 h", "1 h 05 min".
func Dur(ms int64) string { return form.Elapsed(float64(ms)) }

// Text returns what the incident bar says: summary for the closed bar (the
// incident, the resolution clock and the most urgent update) and detail, one
// line per clock.
func (v View) Text(severity, title string, ended bool) (summary, detail string) {
	if title == "" {
		title = "Untitled incident"
	}
	state := ""
	if ended {
		state = "ended"
	}
	// The most urgent update is the one at the higher level; on a tie the
	// status page's, which the targets make the more frequent.
	urgent := v.Internal
	if v.StatusPage.Level >= urgent.Level || urgent.Text == "" {
		urgent = v.StatusPage
	}
	return join("\n", join(" · ", join(" ", severity, title), v.Elapsed, state), v.Resolve.Text, urgent.Text),
		join("\n", v.Respond.Text, v.Resolve.Text, v.Internal.Text, v.StatusPage.Text)
}

// join joins the parts that are not empty with sep.
func join(sep string, parts ...string) string {
	s := ""
	for _, p := range parts {
		if p != "" && s != "" {
			s += sep
		}
		s += p
	}
	return s
}
