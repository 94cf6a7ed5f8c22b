package config

import (
	"errors"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stepcheck/stepcheck/probe-api/condition"
)

// Kind says how a field's value is read and which rules it obeys: whether
// ${ENV} expands in it, whether it may be written literally, and whether
// what it holds must never be shown. The machinery for each kind lives
// here, once; a probe type only names its fields and their kinds.
type Kind uint8

// The kinds a probe type's fields may have.
const (
	// Text is shown as written and never expands ${ENV}, since it may reach
	// browsers: an HTTP method, a metric name, a check name.
	Text Kind = iota + 1
	// Payload is sent to the target, ${ENV} expanded (a request body, a
	// query). What the environment gave is secret; the literal text is not.
	Payload
	// Target names or reaches the target, ${ENV} expanded (a user name).
	// Its value is secret.
	Target
	// Addr is host:port, ${ENV} expanded. Its value and its host are secret.
	Addr
	// Secret is a credential. It comes from ${ENV} alone: anything written
	// literally, a default included, is an error.
	Secret
	// URL is a URL, ${ENV} expanded; a password in it must come from
	// ${ENV}. It is secret, with its host, user and password, and the Basic
	// credentials Go's HTTP client makes of them.
	URL
	// DSN is a PostgreSQL connection string, as a URL or key=value pairs,
	// under URL's rules. It is secret, with its hosts, user, password and
	// database.
	DSN
	// Duration is a Go duration of 0 or more: 2s, 500ms, 5m.
	Duration
	// Int is a whole number from 0 to 2³¹-1.
	Int
	// Fraction is a number from 0 to 1, such as a quantile.
	Fraction
	// Size is a byte count such as 65536, 512KiB or 4MiB, at most MaxBody.
	Size
	// Headers maps names to text, ${ENV} expanded; credential headers
	// (Authorization, Cookie, X-API-Key) take their value from ${ENV} only.
	Headers
	// Labels maps names to text as written, never expanded.
	Labels

	// conditions is a list of conditions; only expect and warn have it.
	conditions
)

var kindNames = [...]string{Text: "text", Payload: "payload", Target: "target", Addr: "addr", Secret: "secret",
	URL: "url", DSN: "dsn", Duration: "duration", Int: "int", Fraction: "fraction", Size: "size",
	Headers: "headers", Labels: "labels", conditions: "conditions"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// expands reports whether fields of the kind expand ${ENV}.
func (k Kind) expands() bool {
	switch k {
	case Payload, Target, Addr, Secret, URL, DSN, Headers:
		return true
	}
	return false
}

// Schema maps the fields a probe type reads, beyond those every probe has
// (title, description, service, type, timeout, expect, warn), to their
// kinds. A type declares it once and reads the values through Probe's
// accessors (Text, Duration, Int, Fraction, Size, Map) after Decode.
type Schema map[string]Kind

// Common reports whether every probe has the field, whatever its type.
func Common(field string) bool {
	_, ok := common[field]
	return ok
}

// common is the part of the format every probe shares, key by key. It is a
// read-only table.
var common = map[string]Kind{
	"title": Text, "description": Text, "service": Text, "type": Text,
	"timeout": Duration, "expect": conditions, "warn": conditions,
}

// setCommon stores a common field's value in its struct field.
func setCommon(p *Probe, name string, v any) {
	switch name {
	case "title":
		p.Title = v.(string)
	case "description":
		p.Description = v.(string)
	case "service":
		p.Service = v.(string)
	case "type":
		p.Type = v.(string)
	case "timeout":
		p.Timeout = v.(time.Duration)
	case "expect":
		p.Expect = v.([]*condition.Condition)
	case "warn":
		p.Warn = v.([]*condition.Condition)
	}
}

// Decode reads the fields of p's type, which s declares, and returns a new
// probe that has them: ${ENV} expanded through the lookup Parse was given,
// each kind's rules applied, and Secrets and Fingerprint covering every
// field. A field written in the file that is neither common nor in s is an
// ErrUnknownField error. p itself is not changed. The error, when not nil,
// joins one *Error per problem, in file order; the probe is returned with
// it, holding the fields that were read.
func (p *Probe) Decode(s Schema) (*Probe, error) {
	d := &decoder{path: p.path, lookup: p.lookup}
	q := *p
	q.typed = maps.Clone(p.typed)
	q.envParts = slices.Clone(p.envParts)
	q.needsEnv = maps.Clone(p.needsEnv)
	q.raw = nil
	for _, name := range p.order {
		f, ok := p.raw[name]
		if !ok {
			continue
		}
		kind, ok := s[name]
		if !ok {
			d.errorf(f.key, ErrUnknownField, "probe "+p.ID+": unknown field "+strconv.Quote(name)+" for type "+p.Type+fieldHint(s))
			continue
		}
		if d.lookup == nil && kind.expands() && needsEnv(f.val) {
			if q.needsEnv == nil {
				q.needsEnv = map[string]bool{}
			}
			q.needsEnv[name] = true
		}
		if v, ok := d.value(&q, name, kind, f.val); ok {
			q.typed[name] = v
		}
	}
	q.secrets = secretsOf(&q, s)
	q.fingerprint = fingerprint(&q)
	sortErrors(d.errs)
	return &q, errors.Join(d.errs...)
}

// fieldHint lists a schema's fields for an unknown-field message.
func fieldHint(s Schema) string {
	if len(s) == 0 {
		return " (it has only the fields every probe has)"
	}
	return " (it has " + strings.Join(slices.Sorted(maps.Keys(s)), ", ") + ")"
}

// Text returns a text field's value (Text, Payload, Target, Addr, Secret,
// URL or DSN), "" when it was not written.
func (p *Probe) Text(field string) string {
	v, _ := p.typed[field].(string)
	return v
}

// Duration returns a Duration field's value, 0 when it was not written.
func (p *Probe) Duration(field string) time.Duration {
	v, _ := p.typed[field].(time.Duration)
	return v
}

// Int returns an Int field's value, 0 when it was not written.
func (p *Probe) Int(field string) int {
	v, _ := p.typed[field].(int64)
	return int(v)
}

// Fraction returns a Fraction field's value and whether it was written.
func (p *Probe) Fraction(field string) (float64, bool) {
	v, ok := p.typed[field].(float64)
	return v, ok
}

// Size returns a Size field's value in bytes, 0 when it was not written.
func (p *Probe) Size(field string) int64 {
	v, _ := p.typed[field].(sizeValue)
	return int64(v)
}

// Map returns a Headers or Labels field's value, nil when it was not
// written. The map is shared: do not modify it.
func (p *Probe) Map(field string) map[string]string {
	v, _ := p.typed[field].(map[string]string)
	return v
}

// sizeValue keeps a Size apart from an Int in the probe's values.
type sizeValue int64

// rawField is a field of the probe's type as Parse found it, read by Decode.
type rawField struct{ key, val *yaml.Node }

// value reads one field's value; it reports false after recording an error.
func (d *decoder) value(p *Probe, name string, kind Kind, n *yaml.Node) (any, bool) {
	prefix := "probe " + p.ID + ": " + name + ": "
	switch kind {
	case conditions:
		return d.conditions(p, prefix, n)
	case Headers, Labels:
		return d.textMap(p, prefix, kind, n)
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, ErrInvalid, prefix+"must be a single value")
		return nil, false
	}
	if kind.expands() {
		return d.text(p, name, prefix, kind, n)
	}
	return d.number(prefix, kind, n)
}

// text reads a scalar that expands ${ENV}, under its kind's secret rules.
func (d *decoder) text(p *Probe, name, prefix string, kind Kind, n *yaml.Node) (any, bool) {
	lit, _ := expand(n.Value, nil, nil)
	switch {
	case kind == Secret && lit != "":
		d.errorf(n, ErrLiteralSecret, prefix+"must come from the environment: write ${VARIABLE} and set it where probe-api runs")
		return nil, false
	case (kind == URL || kind == DSN) && hasPassword(lit):
		d.errorf(n, ErrLiteralSecret, prefix+"contains a password written into the file: take it from the environment, e.g. ${PG_DSN}")
		return nil, false
	}
	s, ok := d.expand(p, prefix, n)
	if !ok {
		return nil, false
	}
	if kind == Addr {
		if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
			d.errs = append(d.errs, p.FieldErr(ErrInvalid, name, "must be host:port"))
			return nil, false
		}
	}
	return s, true
}

// number reads a scalar of a kind that is never expanded.
func (d *decoder) number(prefix string, kind Kind, n *yaml.Node) (any, bool) {
	switch kind {
	case Text:
		return n.Value, true
	case Duration:
		t, err := time.ParseDuration(n.Value)
		if err != nil || t < 0 {
			d.errorf(n, ErrInvalid, prefix+"must be a duration such as 2s or 500ms")
			return nil, false
		}
		return t, true
	case Int:
		i, err := strconv.ParseInt(n.Value, 10, 32)
		if err != nil || i < 0 {
			d.errorf(n, ErrInvalid, prefix+"must be a whole number, 0 or more")
			return nil, false
		}
		return i, true
	case Fraction:
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || f < 0 || f > 1 {
			d.errorf(n, ErrInvalid, prefix+"must be a number from 0 to 1")
			return nil, false
		}
		return f, true
	case Size:
		s, ok := parseSize(n.Value)
		if !ok {
			d.errorf(n, ErrInvalid, prefix+"must be a size such as 65536, 512KiB or 4MiB, up to 16MiB")
			return nil, false
		}
		return sizeValue(s), true
	}
	d.errorf(n, ErrInvalid, prefix+"internal: the type declares it with "+kind.String()+", which is not a kind of value")
	return nil, false
}
