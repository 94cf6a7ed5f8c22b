// Package info parses the attributes that stepcheck reads from a fenced code
// block's info string: "bash probe=backend-live" or
// `template id=incident-start title="Incident start"`.
package info

import (
	"fmt"
	"strings"
)

// Attr is one key=value pair. Offset is the byte offset of the key within the
// info string, for diagnostics.
type Attr struct {
	Key, Value string
	Offset     int
}

// String is a parsed info string.
type String struct {
	Lang  string
	Attrs []Attr
}

// Get returns the value of key and whether it was given.
func (s String) Get(key string) (Attr, bool) {
	for _, a := range s.Attrs {
		if a.Key == key {
			return a, true
		}
	}
	return Attr{}, false
}

// Error is a malformed info string; Offset is relative to the info string.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Parse splits an info string into its language and its key=value
// attributes. Values may be double-quoted to hold spaces; a backslash escapes
// a quote inside them. Words without '=' after the language are ignored, as
// other Markdown tools put free text there.
func Parse(s string) (String, error) {
	var out String
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	word := func() string {
		start := i
		for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '=' {
			i++
		}
		return s[start:i]
	}
	skip()
	if i < len(s) && !strings.Contains(firstWord(s[i:]), "=") {
		out.Lang = word()
	}
	for {
		skip()
		if i >= len(s) {
			return out, nil
		}
		keyAt := i
		key := word()
		if i >= len(s) || s[i] != '=' {
			continue // a bare word
		}
		i++ // '='
		var val string
		if i < len(s) && s[i] == '"' {
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				i++
				if c == '"' {
					closed = true
					break
				}
				b.WriteByte(c)
			}
			if !closed {
				return out, &Error{Offset: keyAt, Msg: fmt.Sprintf("the quoted value of %s= is not closed", key)}
			}
			val = b.String()
		} else {
			start := i
			for i < len(s) && s[i] != ' ' && s[i] != '\t' {
				i++
			}
			val = s[start:i]
		}
		if key == "" {
			return out, &Error{Offset: keyAt, Msg: "an attribute has no name before '='"}
		}
		out.Attrs = append(out.Attrs, Attr{Key: key, Value: val, Offset: keyAt})
	}
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}
