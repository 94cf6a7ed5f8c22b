// Package check runs declared probes: a registry of probe types (one package
// per type under check/), the observation a check returns, and the runner
// that applies a deadline, evaluates the conditions and decides the status.
//
// Types register by name, in the manner of tdewolff/minify's M.Add:
//
//	r := check.NewRegistry()
//	r.Add("tcp", tcpcheck.New())
//
// A Type declares its fields and their kinds (Fields, a config.Schema) and
// turns one probe, decoded with them, into a Checker; a Checker runs one
// check against its target under a context. The kinds' rules (${ENV}
// expansion, secrets only from the environment, what is redacted) are
// config's, so a new type is one package and one Add.
package check

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"unsafe"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// ErrNotRun marks an error that kept a check from running at all, such as a
// saturated server; such a result is unknown rather than down.
var ErrNotRun = errors.New("check did not run")

// ErrUnknownType is wrapped by Build's error for a probe whose type is not
// registered.
var ErrUnknownType = errors.New("unknown probe type")

// Checker runs one check against a declared target. Check must honour ctx's
// deadline, and may return a partial observation together with an error: the
// error makes the probe down, and its conditions are still evaluated against
// what was observed. Implementations must be safe for concurrent use. A
// Checker that holds resources of its Type (a share in a pool) is also an
// io.Closer; Set.Close closes it once no check runs on it.
type Checker interface {
	Check(ctx context.Context) (*Observation, error)
}

// Func adapts a function to a Checker.
type Func func(ctx context.Context) (*Observation, error)

// Check calls f(ctx).
func (f Func) Check(ctx context.Context) (*Observation, error) { return f(ctx) }

// Type builds the Checker for one declared probe of its type. Fields names
// the fields the type reads beyond those every probe has, with their kinds;
// the registry decodes each probe with them before New, so a field of the
// wrong form, a secret written into the file or a field the type does not
// have never reaches New. New validates what the kinds cannot (which fields
// are required, which values are allowed: with p.Require, p.Only,
// p.RequireVars and p.FieldErr, so errors carry positions), reads the
// values through p.Text, p.Duration and the rest, and must not contact the
// target.
type Type interface {
	Fields() config.Schema
	New(p *config.Probe) (Checker, error)
}

// TypeFunc adapts a function to a Type that has only the fields every
// probe has.
type TypeFunc func(p *config.Probe) (Checker, error)

// Fields returns no fields.
func (f TypeFunc) Fields() config.Schema { return nil }

// New calls f(p).
func (f TypeFunc) New(p *config.Probe) (Checker, error) { return f(p) }

// Defaulter is implemented by a Checker that adds conditions the catalogue
// did not write, e.g. http's "[STATUS] < 300" when no expect condition tests
// [STATUS]. The returned conditions must parse.
type Defaulter interface {
	Defaults() (expect, warn []string)
}

// Registry maps type names to Types. Add types before calling Build; after
// that, Build and Close are safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	types map[string]Type
	// fields is every registered type's fields: a probe of an unknown
	// type is still read with them, so that a password written into the
	// file is refused whatever the type says.
	fields config.Schema
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{types: map[string]Type{}, fields: config.Schema{}}
}

// Add registers t under name, replacing any Type already there. A field
// means the same in every type: Add panics when t declares a field with a
// kind another type gives it differently, or one every probe has.
func (r *Registry) Add(name string, t Type) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for f, k := range t.Fields() {
		if prev, ok := r.fields[f]; (ok && prev != k) || config.Common(f) {
			panic("check: type " + name + " declares field " + f + " as " + k.String() + ", which the catalogue already has as another kind")
		}
		r.fields[f] = k
	}
	r.types[name] = t
}

// Types returns the registered type names, sorted.
func (r *Registry) Types() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.types))
	for n := range r.types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Build builds every probe of cat. It contacts no target. The error, when not
// nil, joins every problem found (each a *config.Error with a position).
func (r *Registry) Build(cat *config.Catalogue) (*Set, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := &Set{byID: make(map[string]*Probe, len(cat.Probes)), public: cat.Public()}
	var errs []error
	for _, p := range cat.Probes {
		pr, err := r.build(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.byID[p.ID] = pr
	}
	if err := errors.Join(errs...); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// decode reads p's fields with its type's Schema. An unknown type is an
// error, and p is then read with every type's fields, for the rules of
// their kinds; the Type is nil.
func (r *Registry) decode(p *config.Probe) (*config.Probe, Type, error) {
	if t, ok := r.types[p.Type]; ok {
		dp, err := p.Decode(t.Fields())
		return dp, t, err
	}
	var errs []error
	if p.Type != "" {
		errs = append(errs, p.FieldErr(ErrUnknownType, "type", "unknown type "+p.Type+" (have "+strings.Join(r.typesLocked(), ", ")+")"))
	}
	_, err := p.Decode(r.fields)
	return nil, nil, errors.Join(append(errs, withoutUnknownFields(err))...)
}

// build decodes p and builds its Checker.
func (r *Registry) build(p *config.Probe) (*Probe, error) {
	dp, t, err := r.decode(p)
	if err != nil {
		return nil, err
	}
	c, err := t.New(dp)
	if err != nil {
		return nil, err
	}
	pr, err := newProbe(dp, c)
	if err != nil {
		closeChecker(c)
		return nil, err
	}
	return pr, nil
}

// withoutUnknownFields drops the unknown-field errors of a probe decoded
// with every type's fields: with its own type unknown, which fields it may
// have is unknown too.
func withoutUnknownFields(err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		if errors.Is(err, config.ErrUnknownField) {
			return nil
		}
		return err
	}
	var keep []error
	for _, e := range joined.Unwrap() {
		if !errors.Is(e, config.ErrUnknownField) {
			keep = append(keep, e)
		}
	}
	return errors.Join(keep...)
}

// Check reports every problem of a catalogue that Parse returned with
// errors, or without: what Build would refuse, for each probe, including
// the fields of its type on a probe whose common fields had errors (only
// New is not run on those), so that one run shows all a writer must fix.
// It contacts no target.
func (r *Registry) Check(cat *config.Catalogue) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var errs []error
	for _, p := range cat.Probes {
		if p.HadErrors() {
			_, _, err := r.decode(p)
			errs = append(errs, err)
			continue
		}
		pr, err := r.build(p)
		if err == nil {
			err = closeChecker(pr.checker)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func closeChecker(c Checker) error {
	if cl, ok := c.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

func (r *Registry) typesLocked() []string {
	names := make([]string, 0, len(r.types))
	for n := range r.types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close closes every registered Type that is an io.Closer (types that keep
// connection pools), and returns their errors joined.
func (r *Registry) Close() error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var errs []error
	for _, t := range r.types {
		if c, ok := t.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// Set is a built catalogue: the runnable probes by ID. It is immutable and
// safe for concurrent use.
type Set struct {
	byID   map[string]*Probe
	public []api.Probe
}

// Probe returns the probe with the given ID.
func (s *Set) Probe(id string) (*Probe, bool) {
	p, ok := s.byID[id]
	return p, ok
}

// Public returns the public fields of every probe, in catalogue order. The
// slice is shared: do not modify it.
func (s *Set) Public() []api.Probe { return s.public }

// Len returns the number of probes.
func (s *Set) Len() int { return len(s.byID) }

// Close closes every Checker of the set that is an io.Closer, which lets a
// Type free what only this set used (a pool that no other set shares), and
// returns their errors joined. Call it once, after the last run on the set
// has ended; Public and Len still work after it.
func (s *Set) Close() error {
	var errs []error
	for _, p := range s.byID {
		errs = append(errs, closeChecker(p.checker))
	}
	return errors.Join(errs...)
}

// Observation is what one check saw: named values for conditions, an
// optional response body for [BODY], and a safe detail line. It is not safe
// for concurrent use; a Checker builds it and hands it over.
type Observation struct {
	// Detail is a short explanation shown to people, e.g. "2 blocked; blocked
	// by pid 4242". It should not name a target or a secret; the runner
	// passes it through the probe's Redactor in any case.
	Detail string

	values  map[string]condition.Value
	body    []byte
	text    string // body, as text sharing its memory
	hasBody bool
	json    int8 // 0 not yet checked, 1 JSON, -1 not JSON
}

// NewObservation returns an empty Observation.
func NewObservation() *Observation {
	return &Observation{values: map[string]condition.Value{}}
}

// Set records a named value and returns o, for chaining.
func (o *Observation) Set(name string, v condition.Value) *Observation {
	o.values[name] = v
	return o
}

// Get returns a recorded value.
func (o *Observation) Get(name string) (condition.Value, bool) {
	v, ok := o.values[name]
	return v, ok
}

// SetBody records a response body for [BODY] conditions. [BODY] alone is the
// text; [BODY].path reads the body as JSON. The observation keeps b and
// reads it in place, without a copy for the text or for JSON paths: the
// caller must not modify b afterwards.
func (o *Observation) SetBody(b []byte) {
	o.body, o.hasBody, o.json = b, true, 0
	o.text = unsafe.String(unsafe.SliceData(b), len(b))
}

// Lookup implements condition.Env.
func (o *Observation) Lookup(v condition.Var) (condition.Value, bool) {
	if v.Name != "BODY" || !o.hasBody {
		x, ok := o.values[v.Name]
		return x, ok
	}
	if len(v.Path) == 0 {
		return condition.String(o.text), true
	}
	if o.json == 0 {
		o.json = -1
		if json.Valid(o.body) {
			o.json = 1
		}
	}
	if o.json < 0 {
		return condition.Value{}, false
	}
	return condition.JSONPath(o.text, v.Path)
}
