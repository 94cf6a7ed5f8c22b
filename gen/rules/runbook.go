package rules

import "strings"

// RunbookURL returns the rule's runbook URL with the template actions that
// name the alert filled in, so that it can be looked up on the site:
// {{ $labels.alertname }} and {{ .Labels.alertname }}, in any spacing and
// with Go's trim markers ({{- and -}}), become the alert's name, and the
// same piped to toLower or tolower ({{ $labels.alertname | toLower }}), or
// given to it ({{ toLower $labels.alertname }}), its name in lower case.
// Spaces around the URL are trimmed.
//
// Any other action ({{ $labels.namespace }}, {{ $value }}, a function it
// does not know, an unclosed {{) makes checkable false: the URL depends on
// what fires, and the caller should say that it cannot be checked rather
// than guess. A URL without actions is checkable as it is. A rule without
// Runbook returns "", false; tell that case apart by Runbook being nil.
//
// Prometheus itself does not put alertname in $labels when it expands
// annotations (the alert gets that label afterwards), so a URL built from
// $labels.alertname reaches Alertmanager with the name missing unless the
// expression's series carry an alertname label. RunbookURL returns the URL
// the rule's author meant; warning about the difference is the caller's
// choice.
func (r Rule) RunbookURL() (url string, checkable bool) {
	if r.Runbook == nil {
		return "", false
	}
	return expand(strings.TrimSpace(r.Runbook.Text), r.Alert)
}

// expand fills the actions of text that name the alert with alert.
func expand(text, alert string) (string, bool) {
	var b strings.Builder
	for {
		open := strings.Index(text, "{{")
		if open < 0 {
			b.WriteString(text)
			return b.String(), true
		}
		n := strings.Index(text[open+2:], "}}")
		if n < 0 {
			return "", false
		}
		before, action, after := text[:open], text[open+2:open+2+n], text[open+2+n+2:]
		// A trim marker is a dash beside the braces with a space on its
		// other side; it trims the spaces of the text next to it.
		if len(action) >= 2 && action[0] == '-' && isSpace(action[1]) {
			before, action = strings.TrimRight(before, spaces), action[1:]
		}
		if len(action) >= 2 && action[len(action)-1] == '-' && isSpace(action[len(action)-2]) {
			after, action = strings.TrimLeft(after, spaces), action[:len(action)-1]
		}
		name, ok := alertName(action, alert)
		if !ok {
			return "", false
		}
		b.WriteString(before)
		b.WriteString(name)
		text = after
	}
}

// spaces are the characters Go templates count as spaces.
const spaces = " \t\r\n"

func isSpace(c byte) bool { return strings.IndexByte(spaces, c) >= 0 }

// alertName returns what the action (the text between {{ and }}) expands
// to when it names the alert, and false for any other action.
func alertName(action, alert string) (string, bool) {
	isName := func(s string) bool { return s == "$labels.alertname" || s == ".Labels.alertname" }
	isLower := func(s string) bool { return s == "toLower" || s == "tolower" }
	fields := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
	}
	switch cmds := strings.Split(action, "|"); len(cmds) {
	case 1:
		f := fields(cmds[0])
		switch {
		case len(f) == 1 && isName(f[0]):
			return alert, true
		case len(f) == 2 && isLower(f[0]) && isName(f[1]):
			return strings.ToLower(alert), true
		}
	case 2:
		first, second := fields(cmds[0]), fields(cmds[1])
		if len(first) == 1 && isName(first[0]) && len(second) == 1 && isLower(second[0]) {
			return strings.ToLower(alert), true
		}
	}
	return "", false
}
