// Package form is the view model of the incident form that every template on
// a page shares: which fields it shows, their labels and inputs, values
// prefilled from a URL, and the filled-in text of each template. Values are
// plain text throughout; the glue only ever puts them into text nodes and
// input values, never into HTML.
package form

import (
	"strconv"
	"strings"
)

// Field is one input of the form. Type is text, long, time, select or auto
// (filled by the page: now, elapsed, probe.<id>).
type Field struct {
	Name    string
	Type    string
	Options []string
	Label   string
}

// Auto reports whether the page fills the field itself.
func (f Field) Auto() bool { return f.Type == "auto" }

// Statuses are the incident statuses, in order.
var Statuses = []string{"Investigating", "Identified", "Monitoring", "Resolved"}

var labels = map[string]string{
	"title":     "Incident title",
	"severity":  "Severity",
	"status":    "Status",
	"impact":    "Impact",
	"eta":       "ETA",
	"commander": "Incident commander",
	"started":   "Started at",
	"now":       "Now",
	"elapsed":   "Elapsed",
}

// Label returns a field's human label: "next_steps" reads "Next steps".
func Label(name string) string {
	if l, ok := labels[name]; ok {
		return l
	}
	if id, ok := strings.CutPrefix(name, "probe."); ok {
		return "Status of " + id
	}
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		return string(c-'a'+'A') + s[1:]
	}
	return s
}

// Standard returns the fields every form shows, whatever its templates use:
// the facts a responder always records.
func Standard(severities []string) []Field {
	return []Field{
		{Name: "title", Type: "text"},
		{Name: "severity", Type: "select", Options: severities},
		{Name: "status", Type: "select", Options: Statuses},
		{Name: "impact", Type: "text"},
		{Name: "eta", Type: "text"},
		{Name: "commander", Type: "text"},
		{Name: "started", Type: "time"},
	}
}

// Fields returns the standard fields followed by the page's own, in the
// order the page first uses them, each once, with labels set.
func Fields(severities []string, page []Field) []Field {
	out := Standard(severities)
	seen := map[string]bool{}
	for _, f := range out {
		seen[f.Name] = true
	}
	for _, f := range page {
		if !seen[f.Name] {
			seen[f.Name] = true
			out = append(out, f)
		}
	}
	for i := range out {
		out[i].Label = Label(out[i].Name)
	}
	return out
}

// MaxValue bounds a value taken from a URL, so a hostile link cannot fill
// the page or localStorage.
const MaxValue = 2000

// Clean makes a value safe to keep: control characters other than newline
// and tab are dropped and the length is bounded. It does not and need not
// escape HTML, because values are only ever text.
func Clean(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r == '\n' || r == '\t' || (r >= ' ' && r != 0x7f && !(r >= 0x80 && r < 0xa0)) {
			b.WriteRune(r)
		}
		if b.Len() >= MaxValue {
			break
		}
	}
	return b.String()
}

// Prefill reads field values from a URL query string ("?title=…&severity=SEV-2").
// Unknown names, automatic fields and select values that are not among the
// options are ignored; a select matches its option case-insensitively.
func Prefill(query string, fields []Field) map[string]string {
	byName := map[string]Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	out := map[string]string{}
	query = strings.TrimPrefix(query, "?")
	for _, pair := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(pair, "=")
		name, ok1 := unescape(k)
		value, ok2 := unescape(v)
		f, known := byName[name]
		if !ok1 || !ok2 || !known || f.Auto() {
			continue
		}
		value = Clean(value)
		if f.Type == "select" {
			value = option(f.Options, value)
			if value == "" {
				continue
			}
		}
		if f.Type == "long" {
			out[name] = value
		} else {
			out[name] = strings.TrimSpace(strings.ReplaceAll(value, "\n", " "))
		}
	}
	return out
}

func option(opts []string, v string) string {
	for _, o := range opts {
		if asciiFold(o) == asciiFold(strings.TrimSpace(v)) {
			return o
		}
	}
	return ""
}

// asciiFold lowercases ASCII letters. Select options are ASCII words; the
// Unicode case tables strings.EqualFold needs would cost the widgets more
// than the whole form.
func asciiFold(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// unescape decodes a query component: '+' is a space and %XX a byte. It
// reports false for a malformed escape, which Prefill then ignores.
func unescape(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(n))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// Part is a run of template text, or a field when Field is set.
type Part struct {
	Text  string
	Field string
}

// Placeholder is what an empty field shows: the placeholder as written, so
// a message copied too early still says what is missing.
func Placeholder(name string) string { return "{{" + name + "}}" }

// Value returns the text a field shows: its value, or its placeholder.
func Value(values map[string]string, name string) string {
	if v := values[name]; v != "" {
		return v
	}
	return Placeholder(name)
}

// Fill returns a template's text with every field filled from values.
func Fill(parts []Part, values map[string]string) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Field == "" {
			b.WriteString(p.Text)
		} else {
			b.WriteString(Value(values, p.Field))
		}
	}
	return b.String()
}

// VarText is what a command variable shows: its value, or <NAME>.
func VarText(name, value string) string {
	value = strings.TrimSpace(value)
	if value == "" {
		return "<" + name + ">"
	}
	return value
}

// Elapsed formats a duration in ms as "45 s", "12 min" or "1 h 05 min".
func Elapsed(ms float64) string {
	if ms < 0 {
		ms = 0
	}
	s := int64(ms / 1000)
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + " s"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + " min"
	}
	m := (s / 60) % 60
	pad := ""
	if m < 10 {
		pad = "0"
	}
	return strconv.FormatInt(s/3600, 10) + " h " + pad + strconv.FormatInt(m, 10) + " min"
}

// Clock formats a wall-clock time, given as the browser's local date parts
// and its offset from UTC in minutes east, as "2026-11-26 17:42 UTC+01:00".
func Clock(year, month, day, hour, minute, offsetMin int) string {
	two := func(n int) string {
		if n < 10 {
			return "0" + strconv.Itoa(n)
		}
		return strconv.Itoa(n)
	}
	sign := "+"
	if offsetMin < 0 {
		sign, offsetMin = "-", -offsetMin
	}
	return strconv.Itoa(year) + "-" + two(month) + "-" + two(day) + " " + two(hour) + ":" + two(minute) +
		" UTC" + sign + two(offsetMin/60) + ":" + two(offsetMin%60)
}
