package condition

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// env is a map-backed Env with an optional JSON body.
type env struct {
	vals map[string]Value
	body string
}

var _ Env = (*env)(nil)

func (e *env) Lookup(v Var) (Value, bool) {
	if v.Name == "BODY" {
		if e.body == "" {
			return Value{}, false
		}
		if len(v.Path) == 0 {
			return String(e.body), true
		}
		if !json.Valid([]byte(e.body)) {
			return Value{}, false
		}
		return JSONPath(e.body, v.Path)
	}
	x, ok := e.vals[v.Name]
	return x, ok
}

func TestEval(t *testing.T) {
	e := &env{
		vals: map[string]Value{
			"STATUS":        Number(503),
			"RESPONSE_TIME": Duration(812 * time.Millisecond),
			"USED_PCT":      Percent(42.5),
			"CONNECTED":     Bool(true),
			"VALUE":         Number(0.07),
			"USED_MEMORY":   Bytes(3 << 20),
			"ZERO":          Number(0),
		},
		body: `{"status":"yellow","checks":[{"name":"db","ok":true}],"count":"3","n":null,"nested":{"a":1}}`,
	}
	tests := []struct {
		cond string
		ok   bool
		want string
	}{
		{"[STATUS] == 200", false, "[STATUS] (503) == 200"},
		{"[STATUS] != 200", true, "[STATUS] (503) != 200"},
		{"[STATUS] >= 500", true, "[STATUS] (503) >= 500"},
		{"[STATUS] < 400", false, "[STATUS] (503) < 400"},
		{"[RESPONSE_TIME] < 500ms", false, "[RESPONSE_TIME] (812ms) < 500ms"},
		{"[RESPONSE_TIME] < 1s", true, "[RESPONSE_TIME] (812ms) < 1s"},
		{"[RESPONSE_TIME] < 900", true, "[RESPONSE_TIME] (812ms) < 900"},
		{"[USED_PCT] < 80%", true, "[USED_PCT] (42.5%) < 80%"},
		{"[USED_PCT] < 40", false, "[USED_PCT] (42.5%) < 40"},
		{"[USED_PCT] < 5s", false, "[USED_PCT] (42.5%) < 5s (cannot compare percentage with duration)"},
		{"[VALUE] < 5%", false, "[VALUE] (0.07) < 5%"},
		{"[VALUE] < 10%", true, "[VALUE] (0.07) < 10%"},
		{"[VALUE] < 100ms", true, "[VALUE] (0.07) < 100ms"},
		{"[USED_MEMORY] < 2MiB", false, "[USED_MEMORY] (3.0MiB) < 2MiB"},
		{"[USED_MEMORY] <= 3145728", true, "[USED_MEMORY] (3.0MiB) <= 3145728"},
		{"[CONNECTED] == true", true, "[CONNECTED] (true) == true"},
		{"[CONNECTED] == false", false, "[CONNECTED] (true) == false"},
		{"[ZERO] == 0", true, "[ZERO] (0) == 0"},
		{"[BODY].status == yellow", true, "[BODY].status (yellow) == yellow"},
		{"[BODY].status != red", true, "[BODY].status (yellow) != red"},
		{"[BODY].status == green", false, "[BODY].status (yellow) == green"},
		{`[BODY].status == "yellow"`, true, `[BODY].status (yellow) == "yellow"`},
		{"[BODY].checks[0].ok == true", true, "[BODY].checks[0].ok (true) == true"},
		{"[BODY].checks[0].name == db", true, "[BODY].checks[0].name (db) == db"},
		{"[BODY].count > 2", true, "[BODY].count (3) > 2"},
		{"[BODY].status > 2", false, "[BODY].status (yellow) > 2 (not a number)"},
		{"[BODY].status < zzz", false, "[BODY].status (yellow) < zzz (cannot order text)"},
		{"[BODY].n == null", true, "[BODY].n (null) == null"},
		{"[BODY].nested == {\"a\":1}", true, `[BODY].nested ({"a":1}) == {"a":1}`},
		{"[BODY] =~ \"yel+ow\"", true, "[BODY] (92 bytes) =~ \"yel+ow\""},
		{"[BODY] !~ red", true, "[BODY] (92 bytes) !~ red"},
		{"[BODY].status =~ ^y", true, "[BODY].status (yellow) =~ ^y"},
		// Missing values fail whatever the operator.
		{"[BODY].missing == ok", false, "[BODY].missing (missing) == ok"},
		{"[BODY].missing != ok", false, "[BODY].missing (missing) != ok"},
		{"[BODY].checks[9].ok == true", false, "[BODY].checks[9].ok (missing) == true"},
		{"[NOPE] == 0", false, "[NOPE] (missing) == 0"},
		{"[NOPE] !~ x", false, "[NOPE] (missing) !~ x"},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			c, err := Parse(tt.cond)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			ok, got := c.Eval(e, nil)
			if ok != tt.ok || got != tt.want {
				t.Errorf("Eval = %v, %q; want %v, %q", ok, got, tt.ok, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
		msg  string
	}{
		{"STATUS == 200", ErrSyntax, "must start with a variable"},
		{"[STATUS == 200", ErrSyntax, "unclosed"},
		{"[status] == 200", ErrSyntax, "upper-case"},
		{"[] == 200", ErrSyntax, "upper-case"},
		{"[STATUS] 200", ErrSyntax, "expected an operator"},
		{"[STATUS] ==", ErrSyntax, "missing value"},
		{"[STATUS] ==   ", ErrSyntax, "missing value"},
		{"[STATUS].x == 1", ErrSyntax, "only [BODY]"},
		{"[BODY]. == 1", ErrSyntax, "empty key"},
		{"[BODY][x] == 1", ErrSyntax, "index"},
		{`[BODY] == "unterminated`, ErrSyntax, "quoted"},
		{"[BODY] =~ (", ErrRegexp, "invalid regexp"},
		{"[BODY] == " + strings.Repeat("x", MaxLen), ErrSyntax, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) = %v, want %v", tt.in, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestVarString(t *testing.T) {
	c, err := Parse("  [BODY].a.b[3].c-d == x  ")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Var().String(); got != "[BODY].a.b[3].c-d" {
		t.Errorf("Var = %q", got)
	}
	if c.Text() != "[BODY].a.b[3].c-d == x" {
		t.Errorf("Text = %q", c.Text())
	}
}

// replacer is a Redactor that replaces fixed strings.
type replacer struct{ r *strings.Replacer }

var _ Redactor = (*replacer)(nil)

func (r *replacer) Prefix(s string, n int) string { return r.r.Replace(s) }

// TestEvalRedacts: the actual value passes the redactor before it is cut to
// 64 bytes, so a secret across the cut never shows in part; the condition as
// written is public and is shown as it is.
func TestEvalRedacts(t *testing.T) {
	const secret = "tok-0123456789abcdef"
	pad := strings.Repeat("a", 55)
	e := &env{
		vals: map[string]Value{"TEXT": String(pad + secret + "zzz")},
		body: `{"status":"ok","host":"` + secret + `"}`,
	}
	tests := []struct {
		cond string
		want string
	}{
		{"[TEXT] == x", "[TEXT] (" + pad + "[redac...) == x"},
		{"[BODY].host == x", "[BODY].host ([redacted]) == x"},
		{"[BODY].host =~ ^tok", "[BODY].host ([redacted]) =~ ^tok"},
		{"[BODY].status == ok", "[BODY].status ([redacted]) == ok"},
		{"[BODY] =~ tok", "[BODY] (45 bytes) =~ tok"},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			c, err := Parse(tt.cond)
			if err != nil {
				t.Fatal(err)
			}
			r := &replacer{r: strings.NewReplacer(secret, "[redacted]", "ok", "[redacted]")}
			_, got := c.Eval(e, r)
			if got != tt.want {
				t.Errorf("Eval = %q, want %q", got, tt.want)
			}
		})
	}
	// Without a redactor the value shows as it is.
	c, _ := Parse("[BODY].host == x")
	if _, got := c.Eval(e, nil); got != "[BODY].host ("+secret+") == x" {
		t.Errorf("Eval without a redactor = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[STATUS] == 200", "[BODY].status == ok", "[RESPONSE_TIME] < 500ms", "[USED_PCT] < 80%",
		"[BODY].status != red", "[BODY] =~ \"^ok\"", "[BODY].a[0].b >= 1.5", "[USED_MEMORY] < 512MiB",
		"[CONNECTED] == true", `[BODY].x == "q\"uote"`, "[VALUE] < 5%",
	} {
		f.Add(s)
	}
	e := &env{vals: map[string]Value{"STATUS": Number(200)}, body: `{"status":"ok","a":[{"b":2}]}`}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrRegexp) {
				t.Fatalf("Parse(%q) error %v wraps no sentinel", s, err)
			}
			return
		}
		ok, shown := c.Eval(e, nil)
		if !strings.HasPrefix(shown, c.Var().String()+" (") {
			t.Fatalf("Eval(%q) = %v, %q: result does not start with the variable", s, ok, shown)
		}
		// Parsing what Text returns gives the same condition.
		c2, err := Parse(c.Text())
		if err != nil {
			t.Fatalf("Parse(Text()) of %q: %v", s, err)
		}
		if ok2, shown2 := c2.Eval(e, nil); ok2 != ok || shown2 != shown {
			t.Fatalf("reparse of %q evaluates differently", s)
		}
	})
}
