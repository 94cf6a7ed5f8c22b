package incident

import (
	"strconv"
	"strings"

	"github.com/stepcheck/stepcheck/wasm/form"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// SharedFields returns the incident fields a link carries: the built-in
// ones (widget.Fields, as a test checks) but the start time, which travels
// as ms since the epoch instead of the form's local "started", so a
// teammate in another time zone reads the same moment. It returns an
// array, a copy: a slice would cost the widgets code to allocate.
func SharedFields() [6]string {
	return [...]string{widget.FieldTitle, widget.FieldSeverity, widget.FieldStatus, widget.FieldImpact, widget.FieldETA, widget.FieldCommander}
}

// MaxLink bounds a share link's fragment, so it fits in a chat message and
// any browser's address bar.
const MaxLink = 4096

// maxParam bounds the text kept from one URL parameter.
const maxParam = 200

// Offer is an incident that a link offers to open. It comes from one of:
//   - an alert's runbook_url: ?alertname=…&severity=…&summary=…&startsAt=…
//   - a prefill: ?title=…&severity=…
//   - a share link, whose fragment never reaches a server:
//     #incident=<ID>&started=<ms>&title=…&t=<timeline line>&…
//
// The page shows it and opens nothing by itself.
type Offer struct {
	// ID is a shared incident's ID; it is empty for a new incident.
	ID             string
	Alert, Summary string
	// Fields are the fields the link sets: SharedFields, and those of the
	// page's templates. severity is one of the site's.
	Fields map[string]string
	// State holds the times the link gives; Started also comes from an
	// alert's startsAt.
	State
	// Timeline holds the lines of a shared timeline. (Link reads the
	// timeline from Fields instead, as the incident keeps it.)
	Timeline []string
	// Ignored says, as text, what the link held that was left out.
	Ignored []string
}

// stateNames name State's times in links and in the store, in the order
// of State.times.
var stateNames = [...]string{"started", "acked", "ended", KindCopy, KindStatusPage}

func (s *State) times() [5]*int64 {
	return [...]*int64{&s.Started, &s.Acked, &s.Ended, &s.LastInternal, &s.LastStatusPage}
}

// ParseOffer reads an offer from a URL query ("?alertname=…") or a share
// link's fragment ("#incident=…"). Besides the incident's own fields it
// takes the fields of the page's templates, known, with their values
// checked as the form would: a select's value must be one of its options.
// Any other parameter, and any malformed or invalid value, is left out and
// listed in Ignored. It reports false when the link names no incident, alert
// or title.
func ParseOffer(query string, severities []string, known []form.Field) (Offer, bool) {
	o := Offer{Fields: map[string]string{}}
	fields := append(form.Standard(severities), known...)
	if query != "" && (query[0] == '?' || query[0] == '#') {
		query = query[1:]
	}
	for _, pair := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(pair, "=")
		name, ok1 := form.Unescape(k)
		value, ok2 := form.Unescape(v)
		name = Line(name)
		n, isInt := Int(value)
		ok := ok1 && ok2
		// A loop over a table and a switch on its index cost the widgets
		// less than a switch on strings.
		switch i := index(params[:], name); {
		case !ok || pair == "":
		case i == 0:
			if ok = ValidID(value); ok {
				o.ID = value
			}
		case i == 1:
			o.Alert = cut(value)
		case i == 2:
			o.Summary = cut(value)
		case i == 3:
			o.Started, ok = ParseTime(value)
		case i == 4:
			l := Line(value)
			if ok = l != ""; ok {
				o.Timeline = append(o.Timeline, l)
			}
		case index(stateNames[:], name) >= 0:
			*o.times()[index(stateNames[:], name)], ok = n, isInt
		default:
			// A field of the incident or of the page's templates: a
			// select takes one of its options, long text keeps its lines.
			ok = false
			for _, f := range fields {
				if f.Name != name || f.Auto() || ok {
					continue
				}
				v := Line(value)
				switch {
				case name == widget.FieldSeverity:
					v = severity(value, severities)
				case f.Type == "select":
					v = pick(value, f.Options)
				case f.Type == "long":
					v = form.Clean(value)
				}
				if ok = v != ""; ok {
					o.Fields[name] = v
				}
			}
		}
		if !ok {
			if ok1 && ok2 {
				pair = name + "=" + value
			}
			o.Ignored = append(o.Ignored, cut(pair))
		}
	}
	if o.Fields[widget.FieldTitle] == "" && o.Alert != "" {
		o.Fields[widget.FieldTitle] = strings.TrimSuffix(o.Alert+": "+o.Summary, ": ")
	}
	return o, o.ID != "" || o.Fields[widget.FieldTitle] != ""
}

// Describe says what the offer holds, in the local time offsetMin minutes
// east of UTC at now: its title, severity and start, the alert and the
// number of timeline lines it brings, and what was left out.
func (o Offer) Describe(now int64, offsetMin int) string {
	more := ""
	if len(o.Timeline) > 0 {
		more = strconv.Itoa(len(o.Timeline)) + " timeline lines"
	}
	return join("\n", o.Fields[widget.FieldTitle], join(" · ", o.Fields[widget.FieldSeverity], "started "+When(o.Start(now), offsetMin), more),
		strings.TrimSuffix("Ignored: "+strings.Join(o.Ignored, ", "), "Ignored: "))
}

// Start is when an incident opened from the offer starts: its start time,
// or now when that is absent or in the future.
func (o Offer) Start(now int64) int64 {
	if o.Started <= 0 || o.Started > now {
		return now
	}
	return o.Started
}

// Link encodes the incident o describes as a share link's fragment, without
// the "#". With timeline, it carries as many of the newest lines of the
// "timeline" field as fit in MaxLink. label says in words what the link
// contains, how many lines were left out, and its size.
func (o Offer) Link(timeline bool) (fragment, label string) {
	fragment = "incident=" + o.ID
	for i, p := range o.times() {
		fragment += "&" + stateNames[i] + "=" + strconv.FormatInt(*p, 10)
	}
	label = "Share link: "
	for _, name := range SharedFields() {
		if v := Line(o.Fields[name]); v != "" {
			fragment += "&" + name + "=" + escape(v)
			label += name + ", "
		}
	}
	if len(fragment) > MaxLink {
		// Only absurd fields get here: each is at most MaxText bytes.
		return "", "Too long to share as a link"
	}
	label += "start time"
	if timeline {
		// The newest lines first, as long as they fit.
		lines := strings.Split(o.Fields[widget.FieldTimeline], "\n")
		n, kept, t := 0, 0, ""
		for i := len(lines) - 1; i >= 0; i-- {
			if l := Line(lines[i]); l != "" {
				n++
				if l = "&t=" + escape(l); len(fragment)+len(t)+len(l) <= MaxLink && kept+1 == n {
					t, kept = l+t, n
				}
			}
		}
		fragment += t
		label += " and " + strconv.Itoa(kept) + " timeline lines"
		if n > kept {
			label += " (" + strconv.Itoa(n-kept) + " oldest left out to stay under 4 KB)"
		}
	}
	return fragment, label + " · " + strconv.Itoa(len(fragment)) + " bytes"
}

// escape percent-encodes every byte but ASCII letters, digits and "-._~",
// and writes a space as "+", which form.Unescape reads back.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteString("%" + hex[c>>4:c>>4+1] + hex[c&15:c&15+1])
		}
	}
	return b.String()
}

func cut(s string) string {
	if s = Line(s); len(s) > maxParam {
		s = clip(s, maxParam) + "…"
	}
	return s
}

// params are the parameters a link carries beside SharedFields, in the
// order of ParseOffer's cases.
var params = [...]string{"incident", "alertname", "summary", "startsAt", "t"}

// index returns where s is in list, or -1.
func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// severity maps a severity from a link onto the site's severity IDs, which
// are in order, most severe first. A site ID matches in any case ("sev-1");
// Alertmanager's usual labels map by position: critical to the first,
// warning to the second, info to the last. Anything else is "".
func severity(v string, severities []string) string {
	i := -1
	switch form.Fold(strings.TrimSpace(v)) {
	case "critical":
		i = 0
	case "warning":
		i = 1
	case "info":
		i = len(severities) - 1
	}
	if i < 0 || i >= len(severities) {
		return pick(v, severities)
	}
	return severities[i]
}

// pick returns the option v names, in any case, or "".
func pick(v string, options []string) string {
	f := form.Fold(strings.TrimSpace(v))
	for _, o := range options {
		if form.Fold(o) == f {
			return o
		}
	}
	return ""
}
