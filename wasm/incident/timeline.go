package incident

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stepcheck/stepcheck/wasm/form"
	"github.com/stepcheck/stepcheck/wasm/store"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// The kinds of event the timeline records.
const (
	KindAlert      = "alert" // the alert that led to the incident fired
	KindStart      = "start"
	KindEnd        = "end"
	KindCheck      = "check"       // a probe's result
	KindTick       = "tick"        // a checklist item ticked or unticked
	KindCopy       = "copy"        // an internal message copied
	KindStatusPage = "status-page" // a status page update copied
	KindEscalation = "escalation"
	KindNote       = "note"
)

var (
	kinds  = [...]string{KindAlert, KindStart, KindEnd, KindCheck, KindTick, KindCopy, KindStatusPage, KindEscalation, KindNote}
	labels = [...]string{"Alert fired", "Incident opened", "Incident ended", "Check", "Checklist", "Message copied",
		"Status page update copied", "Escalation", "Note"}
)

// CopyKind returns the kind of event that copying the template id records:
// a status page update for a template whose ID starts with "status-page",
// an internal message for any other.
func CopyKind(id string) string {
	if strings.HasPrefix(id, "status-page") {
		return KindStatusPage
	}
	return KindCopy
}

// Label returns how an event of kind reads, or "" for an unknown kind.
func Label(kind string) string {
	for i, k := range kinds {
		if k == kind {
			return labels[i]
		}
	}
	return ""
}

// MaxText bounds the text of one event.
const MaxText = 500

// MaxTimeline bounds the timeline; past it the oldest lines go. The form
// keeps a typed value up to the same size.
const MaxTimeline = form.MaxValue

// Line makes text fit one line of the timeline: at most MaxText bytes, with
// control characters dropped.
func Line(text string) string {
	return clip(strings.Join(strings.Fields(form.Clean(text)), " "), MaxText)
}

// clip cuts s to at most n bytes, on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// The timeline is the incident's "timeline" field: Markdown, one line per
// event, as the postmortem template asks for it:
//
//	- **2026-11-26 17:42:05**: Check: Backend liveness: down
//
// So the responder reads, edits and deletes it as text, and the postmortem
// is filled as it is kept.

// Record adds the line for an event of kind with text at ms to the
// incident's timeline, in the local time offsetMin minutes east of UTC, and
// returns the timeline. Copying an update is remembered for the clock.
func Record(inc store.Incident, kind, text string, ms int64, offsetMin int) string {
	date, clock := Stamp(ms, offsetMin)
	if kind == KindCopy || kind == KindStatusPage {
		inc.SetMeta(kind, strconv.FormatInt(ms, 10))
	}
	line := "- **" + date + " " + clock + "**: " + Label(kind)
	if text = Line(text); text != "" {
		line += ": " + text
	}
	t := inc.Field(widget.FieldTimeline)
	for strings.HasSuffix(t, "\n") {
		t = t[:len(t)-1]
	}
	if t != "" {
		line = t + "\n" + line
	}
	// Past MaxTimeline the oldest lines go.
	for len(line) > MaxTimeline {
		_, line, _ = strings.Cut(line, "\n")
	}
	inc.SetField(widget.FieldTimeline, line)
	return line
}
