package condition

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// JSONPath returns the value at path (object keys, and array indexes as
// decimal strings) in doc, a JSON text that json.Valid accepts. It scans the
// text for the path instead of decoding the document, so a large body costs
// no memory beyond itself: a string value without escapes is a slice of
// doc, and an object or array comes back as its JSON text, compacted only
// when it has spaces. Of duplicate keys the last wins, as in encoding/json.
// It reports false when any step is missing. On text that is not valid JSON
// the answer means nothing, but JSONPath never panics.
func JSONPath(doc string, path []string) (Value, bool) {
	i := skipSpace(doc, 0)
	for _, key := range path {
		if i >= len(doc) {
			return Value{}, false
		}
		switch doc[i] {
		case '{':
			found := -1
			i = skipSpace(doc, i+1)
			for i < len(doc) && doc[i] == '"' {
				end := skipString(doc, i)
				k := doc[i:end]
				i = skipSpace(doc, end)
				if i >= len(doc) || doc[i] != ':' {
					return Value{}, false
				}
				v := skipSpace(doc, i+1)
				if keyIs(k, key) {
					found = v
				}
				i = skipSpace(doc, skipValue(doc, v))
				if i < len(doc) && doc[i] == ',' {
					i = skipSpace(doc, i+1)
				}
			}
			if found < 0 {
				return Value{}, false
			}
			i = found
		case '[':
			n, ok := arrayIndex(key)
			if !ok {
				return Value{}, false
			}
			i = skipSpace(doc, i+1)
			for ; n > 0 && i < len(doc) && doc[i] != ']'; n-- {
				i = skipSpace(doc, skipValue(doc, i))
				if i < len(doc) && doc[i] == ',' {
					i = skipSpace(doc, i+1)
				}
			}
			if i >= len(doc) || doc[i] == ']' {
				return Value{}, false
			}
		default:
			return Value{}, false
		}
	}
	if i >= len(doc) {
		return Value{}, false
	}
	return jsonValue(doc[i:skipValue(doc, i)])
}

// jsonValue converts the text of one JSON value.
func jsonValue(raw string) (Value, bool) {
	if raw == "" {
		return Value{}, false
	}
	switch raw[0] {
	case '"':
		if len(raw) >= 2 && !strings.ContainsRune(raw, '\\') {
			return String(raw[1 : len(raw)-1]), true
		}
		var s string
		if json.Unmarshal([]byte(raw), &s) != nil {
			return Value{}, false
		}
		return String(s), true
	case '{', '[':
		if !strings.ContainsAny(raw, " \t\r\n") {
			return String(raw), true
		}
		var b bytes.Buffer
		if json.Compact(&b, []byte(raw)) != nil {
			return Value{}, false
		}
		return String(b.String()), true
	case 't':
		return Bool(true), raw == "true"
	case 'f':
		return Bool(false), raw == "false"
	case 'n':
		return Null(), raw == "null"
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return String(raw), true // out of float64's range: kept as written
		}
		return Value{}, false
	}
	return Number(f), true
}

// keyIs reports whether the quoted JSON string k is key.
func keyIs(k, key string) bool {
	if len(k) < 2 {
		return false
	}
	if !strings.ContainsRune(k, '\\') {
		return k[1:len(k)-1] == key
	}
	var s string
	return json.Unmarshal([]byte(k), &s) == nil && s == key
}

// arrayIndex reads a path step as an array index, as strconv.Atoi does.
func arrayIndex(s string) (int, bool) {
	i, err := strconv.Atoi(s)
	return i, err == nil && i >= 0
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string that opens at s[i].
func skipString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// skipValue returns the index just past the value that starts at s[i]. It
// always advances, so a scan of invalid text ends.
func skipValue(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '"':
				i = skipString(s, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(s)
	}
	start := i
	for i < len(s) && !strings.ContainsRune(",}] \t\r\n", rune(s[i])) {
		i++
	}
	if i == start {
		return i + 1
	}
	return i
}
