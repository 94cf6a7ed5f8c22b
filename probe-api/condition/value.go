package condition

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a Value. It decides how a value prints and which
// literals it can be compared with.
type Kind uint8

// The kinds of value a check can report and a literal can have.
const (
	KindNumber   Kind = iota + 1 // a plain number: 200, 0.05
	KindDuration                 // a duration: 812ms
	KindPercent                  // a percentage: 42.5%
	KindBytes                    // a size in bytes: 512MiB
	KindBool                     // true or false
	KindString                   // text
	KindNull                     // a JSON null
)

func (k Kind) String() string {
	switch k {
	case KindNumber:
		return "number"
	case KindDuration:
		return "duration"
	case KindPercent:
		return "percentage"
	case KindBytes:
		return "size"
	case KindBool:
		return "bool"
	case KindString:
		return "text"
	case KindNull:
		return "null"
	}
	return "invalid"
}

// Value is one observed or literal value. The zero Value is invalid; build
// values with Number, Duration, Percent, Bytes, Bool, String or Null.
type Value struct {
	kind Kind
	num  float64 // number; nanoseconds; percent (42.5 for 42.5%); bytes; 1 for true
	str  string
}

// Number returns a plain number value.
func Number(f float64) Value { return Value{kind: KindNumber, num: f} }

// Duration returns a duration value.
func Duration(d time.Duration) Value { return Value{kind: KindDuration, num: float64(d)} }

// Percent returns a percentage value; p is in percent, so 42.5 means 42.5%.
func Percent(p float64) Value { return Value{kind: KindPercent, num: p} }

// Bytes returns a size in bytes.
func Bytes(n float64) Value { return Value{kind: KindBytes, num: n} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{kind: KindBool, num: 1}
	}
	return Value{kind: KindBool}
}

// String returns a text value.
func String(s string) Value { return Value{kind: KindString, str: s} }

// Null returns the value of a JSON null.
func Null() Value { return Value{kind: KindNull} }

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// Float returns the value's number: nanoseconds for a duration, percent for a
// percentage, bytes for a size, 1 or 0 for a bool, and NaN for text and null.
func (v Value) Float() float64 {
	if v.kind == KindString || v.kind == KindNull {
		return math.NaN()
	}
	return v.num
}

// Text returns the text of a string value, and the printed form of any other.
func (v Value) Text() string {
	if v.kind == KindString {
		return v.str
	}
	return v.String()
}

// String prints the value the way a condition result shows it: 200, 812ms,
// 42.5%, 12.0MiB, true, ok, null.
func (v Value) String() string {
	switch v.kind {
	case KindNumber:
		return formatFloat(v.num)
	case KindDuration:
		d := time.Duration(v.num)
		switch {
		case d >= time.Second:
			d = d.Round(time.Millisecond)
		case d >= time.Millisecond:
			d = d.Round(10 * time.Microsecond)
		}
		return d.String()
	case KindPercent:
		return strconv.FormatFloat(v.num, 'f', -1, 64) + "%"
	case KindBytes:
		return formatBytes(v.num)
	case KindBool:
		return strconv.FormatBool(v.num != 0)
	case KindString:
		return v.str
	case KindNull:
		return "null"
	}
	return "(invalid)"
}

func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 6, 64)
}

var byteUnits = []struct {
	name string
	size float64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3}, {"B", 1},
}

func formatBytes(n float64) string {
	for _, u := range byteUnits[:4] {
		if math.Abs(n) >= u.size {
			return strconv.FormatFloat(n/u.size, 'f', 1, 64) + u.name
		}
	}
	return formatFloat(n) + "B"
}

// parseLiteral reads the right-hand side of a condition. Quoted text is
// always a string; otherwise the first form that fits wins: true/false, a
// percentage (80%), a size (512MiB), a number (200), a duration (500ms),
// and text.
func parseLiteral(s string) (Value, error) {
	if len(s) >= 2 && s[0] == '"' {
		u, err := strconv.Unquote(s)
		if err != nil {
			return Value{}, errBadQuote
		}
		return String(u), nil
	}
	switch s {
	case "true":
		return Bool(true), nil
	case "false":
		return Bool(false), nil
	case "null":
		return Null(), nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		if f, err := strconv.ParseFloat(p, 64); err == nil && !math.IsNaN(f) {
			return Percent(f), nil
		}
	}
	for _, u := range byteUnits {
		if p, ok := strings.CutSuffix(s, u.name); ok && p != "" && (p[len(p)-1] >= '0' && p[len(p)-1] <= '9' || p[len(p)-1] == '.') {
			if f, err := strconv.ParseFloat(p, 64); err == nil && !math.IsNaN(f) {
				return Bytes(f * u.size), nil
			}
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return Number(f), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return Duration(d), nil
	}
	return String(s), nil
}
