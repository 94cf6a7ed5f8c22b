// Package condition parses and evaluates probe conditions such as
// "[STATUS] == 200", "[BODY].status != red", "[RESPONSE_TIME] < 500ms" and
// "[USED_PCT] < 80%".
//
// A condition is a variable in brackets, an optional JSON path (only after
// [BODY]), an operator and a literal:
//
//	[NAME] op literal
//	[BODY].path.to[0].field op literal
//	[BODY] =~ regexp
//
// The operators are == != < <= > >=, plus =~ and !~ (RE2 regexp match) on
// text. Literals are read as true/false/null, a percentage (80%), a size
// (512MiB, 10MB), a number (200, 0.05), a duration (500ms), or else text;
// "double quotes" force text. A failing condition prints its actual value:
// "[STATUS] (503) == 200". A missing value always fails, whatever the
// operator: "[BODY].status (missing) == ok".
//
// How a number literal meets a value of another kind: against a duration it
// means milliseconds, against a percentage it means percent, against a size it
// means bytes. A percentage literal against a plain number is a fraction
// (5% is 0.05), and a duration literal against a plain number is seconds, so
// "[VALUE] < 5%" and "[VALUE] < 500ms" read naturally on Prometheus values.
package condition

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// Errors returned by Parse, wrapped with detail; test them with errors.Is.
var (
	// ErrSyntax means the condition is not "[NAME] op literal".
	ErrSyntax = errors.New("invalid condition")
	// ErrRegexp means the regexp after =~ or !~ does not compile.
	ErrRegexp = errors.New("invalid regexp")

	errBadQuote = errors.New("bad quoted literal")
)

// Op is a comparison operator.
type Op uint8

// The operators, in the order they are tried when parsing (longest first).
const (
	OpEq Op = iota + 1
	OpNe
	OpLe
	OpGe
	OpLt
	OpGt
	OpMatch
	OpNotMatch
)

var opText = [...]string{OpEq: "==", OpNe: "!=", OpLe: "<=", OpGe: ">=", OpLt: "<", OpGt: ">", OpMatch: "=~", OpNotMatch: "!~"}

func (o Op) String() string {
	if int(o) < len(opText) && o > 0 {
		return opText[o]
	}
	return "?"
}

// Var names a value a check reports: Name is the part in brackets and Path,
// only for BODY, the JSON path after it (object keys, and array indexes as
// decimal strings).
type Var struct {
	Name string
	Path []string
}

// String prints the variable as written: [BODY].a.b[0].
func (v Var) String() string {
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(v.Name)
	b.WriteByte(']')
	for _, p := range v.Path {
		if isIndex(p) {
			b.WriteByte('[')
			b.WriteString(p)
			b.WriteByte(']')
			continue
		}
		b.WriteByte('.')
		b.WriteString(p)
	}
	return b.String()
}

// Env gives a condition the values one check observed. Lookup reports false
// when the value is missing, which makes every condition on it fail.
type Env interface {
	Lookup(v Var) (Value, bool)
}

// Condition is one parsed condition. It is immutable and safe for concurrent
// use.
type Condition struct {
	text string
	v    Var
	op   Op
	raw  string // the literal as written
	lit  Value
	re   *regexp.Regexp
}

// Text returns the condition as written, trimmed.
func (c *Condition) Text() string { return c.text }

// Var returns the variable the condition tests.
func (c *Condition) Var() Var { return c.v }

// MaxLen is the longest condition Parse accepts, in bytes.
const MaxLen = 1024

// Parse parses one condition. Errors wrap ErrSyntax or ErrRegexp.
func Parse(s string) (*Condition, error) {
	text := strings.TrimSpace(s)
	if len(text) > MaxLen {
		return nil, syntaxErr("longer than " + strconv.Itoa(MaxLen) + " bytes")
	}
	if !strings.HasPrefix(text, "[") {
		return nil, syntaxErr(`must start with a variable such as [STATUS]`)
	}
	end := strings.IndexByte(text, ']')
	if end < 0 {
		return nil, syntaxErr("unclosed [")
	}
	name := text[1:end]
	if !validName(name) {
		return nil, syntaxErr("variable name " + strconv.Quote(name) + " must be upper-case letters, digits and _")
	}
	c := &Condition{text: text, v: Var{Name: name}}
	rest := text[end+1:]
	path, rest, err := parsePath(rest)
	if err != nil {
		return nil, err
	}
	if len(path) > 0 && name != "BODY" {
		return nil, syntaxErr("only [BODY] takes a path")
	}
	c.v.Path = path
	rest = strings.TrimLeft(rest, " \t")
	c.op, rest = parseOp(rest)
	if c.op == 0 {
		return nil, syntaxErr("expected an operator (== != < <= > >= =~ !~) after " + c.v.String())
	}
	c.raw = strings.TrimSpace(rest)
	if c.raw == "" {
		return nil, syntaxErr("missing value after " + c.op.String())
	}
	if c.op == OpMatch || c.op == OpNotMatch {
		pat := c.raw
		if pat[0] == '"' {
			u, err := strconv.Unquote(pat)
			if err != nil {
				return nil, syntaxErr("bad quoted regexp")
			}
			pat = u
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, errors.Join(ErrRegexp, err)
		}
		c.re = re
		return c, nil
	}
	c.lit, err = parseLiteral(c.raw)
	if err != nil {
		return nil, syntaxErr("bad quoted value " + c.raw)
	}
	return c, nil
}

func syntaxErr(msg string) error {
	return &parseError{msg: msg}
}

type parseError struct{ msg string }

func (e *parseError) Error() string { return "invalid condition: " + e.msg }
func (e *parseError) Unwrap() error { return ErrSyntax }

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isIndex(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parsePath reads .key and [n] segments up to the first space or operator
// character. Keys are letters, digits, _ and -.
func parsePath(s string) (path []string, rest string, err error) {
	for len(s) > 0 {
		switch s[0] {
		case '.':
			i := 1
			for i < len(s) && isKeyByte(s[i]) {
				i++
			}
			if i == 1 {
				return nil, "", syntaxErr("empty key in path")
			}
			path = append(path, s[1:i])
			s = s[i:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 || !isIndex(s[1:end]) {
				return nil, "", syntaxErr("path index must be [n]")
			}
			path = append(path, s[1:end])
			s = s[end+1:]
		default:
			return path, s, nil
		}
		if len(path) > 32 {
			return nil, "", syntaxErr("path deeper than 32")
		}
	}
	return path, s, nil
}

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func parseOp(s string) (Op, string) {
	for _, op := range []Op{OpEq, OpNe, OpLe, OpGe, OpMatch, OpNotMatch, OpLt, OpGt} {
		if t := opText[op]; strings.HasPrefix(s, t) {
			return op, s[len(t):]
		}
	}
	return 0, s
}

// Redactor removes secrets from an actual value before Eval shows it.
// check.Redactor is one.
type Redactor interface {
	// Prefix returns s with every secret replaced that starts within its
	// first n bytes, replaced whole even where it runs past them. It may
	// drop text further on, so that a large value costs only what is shown.
	Prefix(s string, n int) string
}

// shown is how much of an actual value a result shows.
const shown = 64

// Eval evaluates the condition against env. It returns whether the condition
// holds and the condition with the actual value shown, e.g.
// "[STATUS] (503) == 200". A missing value fails. The actual value passes
// through r, when not nil, before it is cut to 64 bytes, so a secret across
// the cut never shows in part; the condition as written is public and shown
// as it is. Comparisons use the value itself.
func (c *Condition) Eval(env Env, r Redactor) (bool, string) {
	v, ok := env.Lookup(c.v)
	if !ok {
		return false, c.show("missing", "", nil)
	}
	actual := v.String()
	if c.re != nil {
		if v.kind != KindString {
			ok = c.re.MatchString(actual)
		} else {
			ok = c.re.MatchString(v.str)
			actual = strconv.Itoa(len(v.str)) + " bytes"
			if len(v.str) <= 40 && c.v.Path != nil {
				actual = v.str
			}
		}
		if c.op == OpNotMatch {
			ok = !ok
		}
		return ok, c.show(actual, "", r)
	}
	ok, why := compare(v, c.op, c.lit)
	return ok, c.show(actual, why, r)
}

func (c *Condition) show(actual, why string, r Redactor) string {
	if r != nil {
		actual = r.Prefix(actual, shown)
	}
	if len(actual) > shown {
		actual = actual[:shown-3] + "..."
	}
	s := c.v.String() + " (" + actual + ") " + c.op.String() + " " + c.raw
	if why != "" {
		s += " (" + why + ")"
	}
	return s
}

// compare applies op to an actual value and a literal. why explains a
// comparison that cannot be made; such a comparison fails, except that != is
// true between values of different kinds.
func compare(v Value, op Op, lit Value) (ok bool, why string) {
	a, b, numeric, why := coerce(v, lit)
	if why != "" {
		if op == OpNe {
			return true, ""
		}
		if op == OpEq {
			return false, ""
		}
		return false, why
	}
	if numeric {
		switch op {
		case OpEq:
			return a == b, ""
		case OpNe:
			return a != b, ""
		case OpLt:
			return a < b, ""
		case OpLe:
			return a <= b, ""
		case OpGt:
			return a > b, ""
		case OpGe:
			return a >= b, ""
		}
		return false, "bad operator"
	}
	switch op {
	case OpEq:
		return v.Text() == lit.Text(), ""
	case OpNe:
		return v.Text() != lit.Text(), ""
	}
	return false, "cannot order " + v.kind.String()
}

// coerce brings an actual value and a literal to one numeric scale, or says
// they compare as text (numeric false, why empty), or why they cannot be
// compared at all.
func coerce(v, lit Value) (a, b float64, numeric bool, why string) {
	cannot := "cannot compare " + v.kind.String() + " with " + lit.kind.String()
	switch v.kind {
	case KindDuration:
		switch lit.kind {
		case KindDuration:
			return v.num, lit.num, true, ""
		case KindNumber:
			return v.num, lit.num * 1e6, true, "" // milliseconds
		}
		return 0, 0, false, cannot
	case KindPercent:
		switch lit.kind {
		case KindPercent, KindNumber:
			return v.num, lit.num, true, ""
		}
		return 0, 0, false, cannot
	case KindBytes:
		switch lit.kind {
		case KindBytes, KindNumber:
			return v.num, lit.num, true, ""
		}
		return 0, 0, false, cannot
	case KindNumber:
		switch lit.kind {
		case KindNumber, KindBytes:
			return v.num, lit.num, true, ""
		case KindPercent:
			return v.num, lit.num / 100, true, ""
		case KindDuration:
			return v.num, lit.num / 1e9, true, "" // seconds
		}
		return 0, 0, false, cannot
	case KindBool:
		if lit.kind == KindBool {
			return v.num, lit.num, true, ""
		}
		return 0, 0, false, cannot
	case KindNull:
		if lit.kind == KindNull {
			return 0, 0, false, ""
		}
		return 0, 0, false, cannot
	case KindString:
		switch lit.kind {
		case KindString:
			return 0, 0, false, ""
		case KindNull:
			return 0, 0, false, cannot
		case KindBool:
			if v.str == "true" || v.str == "false" {
				return Bool(v.str == "true").num, lit.num, true, ""
			}
			return 0, 0, false, cannot
		}
		// A number written as JSON text, e.g. "count": "3".
		f, err := strconv.ParseFloat(strings.TrimSpace(v.str), 64)
		if err != nil {
			return 0, 0, false, "not a number"
		}
		return coerce(Number(f), lit)
	}
	return 0, 0, false, cannot
}
