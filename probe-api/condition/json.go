package condition

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// DecodeJSON decodes a JSON document for JSONPath, keeping numbers exact. It
// reports false for anything that is not one valid JSON value.
func DecodeJSON(b []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err == nil {
		return nil, false // trailing data
	}
	return doc, true
}

// JSONPath walks a document from DecodeJSON along path (object keys, and
// array indexes as decimal strings) and returns the value there. It reports
// false when any step is missing. Objects and arrays come back as compact
// JSON text.
func JSONPath(doc any, path []string) (Value, bool) {
	cur := doc
	for _, p := range path {
		switch n := cur.(type) {
		case map[string]any:
			next, ok := n[p]
			if !ok {
				return Value{}, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(n) {
				return Value{}, false
			}
			cur = n[i]
		default:
			return Value{}, false
		}
	}
	switch n := cur.(type) {
	case nil:
		return Null(), true
	case bool:
		return Bool(n), true
	case string:
		return String(n), true
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return String(n.String()), true
		}
		return Number(f), true
	default:
		b, err := json.Marshal(n)
		if err != nil {
			return Value{}, false
		}
		return String(string(b)), true
	}
}
