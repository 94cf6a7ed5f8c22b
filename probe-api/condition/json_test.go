package condition

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSONPath(t *testing.T) {
	doc := ` { "status" : "ok", "esc\u0061ped": "a\"b\u00e9", "dup": 1, "dup": 2,
		"list": [ 10, {"x": [true, false, null]}, "s" ], "nested": { "a" : 1, "b": [1, 2] },
		"compact": {"a":[1,2]}, "big": 1e400, "neg": -0.5e-3, "k-e_y": "v" } `
	tests := []struct {
		path string
		want string
		kind Kind
		ok   bool
	}{
		{"status", "ok", KindString, true},
		{"escaped", `a"bé`, KindString, true},
		{"dup", "2", KindNumber, true},
		{"list.0", "10", KindNumber, true},
		{"list.1.x.0", "true", KindBool, true},
		{"list.1.x.2", "null", KindNull, true},
		{"list.2", "s", KindString, true},
		{"nested", `{"a":1,"b":[1,2]}`, KindString, true},
		{"compact", `{"a":[1,2]}`, KindString, true},
		{"big", "1e400", KindString, true},
		{"neg", "-0.0005", KindNumber, true},
		{"k-e_y", "v", KindString, true},
		{"missing", "", 0, false},
		{"list.3", "", 0, false},
		{"list.x", "", 0, false},
		{"status.a", "", 0, false},
		{"nested.b.-1", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			v, ok := JSONPath(doc, strings.Split(tt.path, "."))
			if ok != tt.ok || ok && (v.Text() != tt.want || v.Kind() != tt.kind) {
				t.Errorf("JSONPath(%s) = %v (%s), %v; want %q (%s), %v", tt.path, v, v.Kind(), ok, tt.want, tt.kind, tt.ok)
			}
		})
	}
	if v, ok := JSONPath(`"top"`, nil); !ok || v.Text() != "top" {
		t.Errorf("empty path = %v %v", v, ok)
	}
}

// decodePath walks the path the simple way, in the whole decoded document:
// the oracle for FuzzJSONPath. It returns the decoded value there.
func decodePath(doc string, path []string) (any, bool) {
	cur, ok := decode(doc)
	if !ok {
		return nil, false
	}
	for _, p := range path {
		switch n := cur.(type) {
		case map[string]any:
			next, ok := n[p]
			if !ok {
				return Value{}, false
			}
			cur = next
		case []any:
			i, ok := arrayIndex(p)
			if !ok || i >= len(n) {
				return Value{}, false
			}
			cur = n[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func decode(doc string) (any, bool) {
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// same reports whether got is what the decoded value want reads as.
func same(got Value, want any) bool {
	switch n := want.(type) {
	case nil:
		return got.Kind() == KindNull
	case bool:
		return got.Kind() == KindBool && got.Text() == strconv.FormatBool(n)
	case string:
		return got.Kind() == KindString && got.Text() == n
	case json.Number:
		if f, err := n.Float64(); err == nil {
			return got.Kind() == KindNumber && got.Float() == f
		}
		return got.Kind() == KindString && got.Text() == n.String()
	}
	// An object or array: its text decodes to the same thing.
	v, ok := decode(got.Text())
	return ok && got.Kind() == KindString && reflect.DeepEqual(v, want)
}

// FuzzJSONPath: on any valid document JSONPath finds what decoding the whole
// document finds, and on any text at all it never panics.
func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{
		`{"status":"ok","checks":{"db":"up"}}`, `[1,{"a":[true,null]},"x"]`, `{"a":1,"a":2}`,
		`{"esc\"aped":"\u00e9\n"}`, `{"n":-1.5e+3,"big":1e999}`, `  {"a" : [ 1 , 2 ] }  `, `"s"`, `{"":{"":0}}`,
	} {
		f.Add(s, "a")
		f.Add(s, "0")
	}
	f.Add(`{"a":{"b":[0,{"c":"d"}]}}`, "a.b.1.c")
	f.Fuzz(func(t *testing.T, doc, path string) {
		var p []string
		if path != "" {
			p = strings.Split(path, ".")
		}
		got, gotOK := JSONPath(doc, p) // must not panic, valid or not
		if !json.Valid([]byte(doc)) || !utf8.ValidString(doc) {
			return
		}
		want, wantOK := decodePath(doc, p)
		if gotOK != wantOK || gotOK && !same(got, want) {
			t.Fatalf("JSONPath(%q, %q) = %v (%s) %v; decoding finds %#v %v", doc, path, got, got.Kind(), gotOK, want, wantOK)
		}
	})
}
