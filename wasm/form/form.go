// Package form is the view model of the incident form that every template on
// a page shares: which fields it shows, their labels and inputs, cleaned
// values, and the filled-in text of each template. (A link's values reach
// the form through an incident: see package incident.) Values are
// plain text throughout; the glue only ever puts them into text nodes and
// input values, never into HTML.
package form

import (
	"strconv"
	"strings"

	"github.com/stepcheck/stepcheck/wasm/widget"
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
func (f Field) Auto() bool { return f.Type == widget.TypeAuto }

// Label returns a field's human label: "next_steps" reads "Next steps".
func Label(name string) string {
	// A switch, not a map: a map literal costs the widgets its init code.
	switch name {
	case widget.FieldTitle:
		return "Incident title"
	case widget.FieldETA:
		return "ETA"
	case widget.FieldCommander:
		return "Incident commander"
	case widget.FieldStarted:
		return "Started at"
	}
	if id, ok := strings.CutPrefix(name, widget.ProbeField); ok {
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
// the facts a responder always records, without labels. They are
// widget.Fields, as a test checks: converting those would cost the widgets
// more code than this list.
func Standard(severities []string) []Field {
	return []Field{
		{Name: widget.FieldTitle, Type: widget.TypeText},
		{Name: widget.FieldSeverity, Type: widget.TypeSelect, Options: severities},
		{Name: widget.FieldStatus, Type: widget.TypeSelect, Options: widget.Statuses()},
		{Name: widget.FieldImpact, Type: widget.TypeText},
		{Name: widget.FieldETA, Type: widget.TypeText},
		{Name: widget.FieldCommander, Type: widget.TypeText},
		{Name: widget.FieldStarted, Type: widget.TypeTime},
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

// MaxValue bounds a value, typed or taken from a URL, so a hostile link
// cannot fill the page or localStorage. It leaves room for an incident's
// timeline (about 200 lines), which is a field too.
const MaxValue = 20000

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

// Fold lowercases ASCII letters. Select options are ASCII words; the
// Unicode case tables strings.EqualFold needs would cost the widgets more
// than the whole form.
func Fold(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Unescape decodes a query component: '+' is a space and %XX a byte. It
// reports false for a malformed escape, which a caller then ignores.
func Unescape(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) > 15 || unhex(s[i+2]) > 15 {
				return "", false
			}
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// unhex returns a hex digit's value, or 16 for any other byte. (strconv's
// parsers would bring strconv.Quote and its tables into the widgets.)
func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 16
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

// Elapsed formats a duration in ms as "45 s", "12 min", "1 h" or
// "1 h 05 min". A negative duration is "0 s".
func Elapsed(ms float64) string {
	s := int64(max(ms, 0) / 1000)
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + " s"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + " min"
	}
	h := strconv.FormatInt(s/3600, 10) + " h"
	if m := s / 60 % 60; m > 0 {
		return h + " " + strconv.FormatInt(100+m, 10)[1:] + " min"
	}
	return h
}
