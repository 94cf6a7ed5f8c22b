// Package config loads the probe catalogue, content/probes.yaml, and is its
// only reader: the probe API, lint and the site generator all parse it here.
//
// Loading goes read → decode into yaml.v3 nodes (which keep line numbers) →
// read the fields every probe has (Parse) → read the fields of the probe's
// type with the kinds its Schema gives them (Probe.Decode, which the check
// registry calls), and reports every problem as "path:line:col: message",
// all of them, not only the first. The server refuses to start on any error.
//
// The rules of each Kind live here, once; a probe type only names its
// fields. Text, Labels and the common fields (title, description, service,
// type, conditions) never expand ${NAME} or ${NAME:-default}, because they
// are shown to browsers. Payload, Target, Addr, Secret, URL, DSN and
// Headers do. Secrets only ever come from the environment: a Secret, a URL
// or DSN carrying a password, or an Authorization or Cookie header written
// literally into the file is an error.
//
// What a type needs beyond the kinds (a URL for http, a check name for
// postgres, which variables its conditions may use) is validated when the
// check registry builds the probe, through Probe's FieldErr, Require, Only
// and RequireVars, so those errors carry positions too.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/condition"
)

// Errors in a catalogue wrap one of these; test them with errors.Is.
var (
	// ErrSyntax means the file is not valid YAML.
	ErrSyntax = errors.New("invalid YAML")
	// ErrUnknownField means a key the format does not have, or one the
	// probe's type does not use.
	ErrUnknownField = errors.New("unknown field")
	// ErrMissing means a required field is absent.
	ErrMissing = errors.New("missing field")
	// ErrInvalid means a field has a value of the wrong form.
	ErrInvalid = errors.New("invalid value")
	// ErrUnsetEnv means ${NAME} names an unset variable and gives no default.
	ErrUnsetEnv = errors.New("unset environment variable")
	// ErrLiteralSecret means a secret is written into the file instead of
	// coming from the environment.
	ErrLiteralSecret = errors.New("secret not from the environment")
	// ErrNeedsEnv marks a type's objection to a field whose value comes from
	// an environment variable that a Parse without environment (a nil
	// LookupEnv, as lint has) could not see. The value the probe API will
	// run with is unknown, so a linter drops these; with an environment they
	// never occur.
	ErrNeedsEnv = errors.New("value from the environment")
)

// Defaults and limits applied by Parse.
const (
	DefaultTimeout = 5 * time.Second
	MaxTimeout     = 60 * time.Second
	// MaxBody is the largest max_body. A running check holds up to max_body
	// of its response in memory, so with --concurrency checks at once the
	// server may hold that many times it.
	MaxBody = 16 << 20
)

// Error is one problem in a catalogue, at a position. It unwraps to one of
// the package's sentinel errors.
type Error struct {
	Path      string
	Line, Col int
	Msg       string
	Err       error
}

func (e *Error) Error() string {
	return e.Path + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Position is a line and column in the catalogue, both from 1.
type Position struct{ Line, Col int }

// Catalogue is a parsed, validated probe catalogue. It is immutable after
// Parse and safe for concurrent use.
type Catalogue struct {
	// Path is the file the catalogue came from, as given to Load or Parse.
	Path string
	// Probes are in file order.
	Probes []*Probe
	byID   map[string]*Probe
}

// Probe returns the probe with the given ID.
func (c *Catalogue) Probe(id string) (*Probe, bool) {
	p, ok := c.byID[id]
	return p, ok
}

// Public returns the public part of every probe, in file order.
func (c *Catalogue) Public() []api.Probe {
	out := make([]api.Probe, len(c.Probes))
	for i, p := range c.Probes {
		out[i] = p.Public()
	}
	return out
}

// Probe is one declared probe. Parse reads the fields every probe has, into
// the exported fields; the fields of its type, which only the type's Schema
// describes, are read by Decode and then through Text, Duration, Int,
// Fraction, Size and Map. It is immutable and safe for concurrent use.
type Probe struct {
	// Public fields.
	ID          string
	Title       string // defaults to ID
	Description string
	Service     string
	Type        string

	// Timeout bounds one check; default DefaultTimeout, at most MaxTimeout.
	Timeout time.Duration
	// Expect failing makes the probe down; Warn failing makes it degraded.
	Expect []*condition.Condition
	Warn   []*condition.Condition

	path   string
	lookup LookupEnv
	key    Position
	// fields is where each field written in the file has its value.
	fields map[string]Position
	// order is every field in file order, and typed the ones of the
	// probe's type as Decode read them; before Decode, those wait in raw.
	order       []string
	typed       map[string]any
	raw         map[string]rawField
	conds       map[*condition.Condition]Position
	fingerprint string
	envParts    []string // what each ${VAR} in a target field expanded to
	secrets     []string
	// needsEnv holds the fields whose value, parsed without environment,
	// came from a variable without default (see ErrNeedsEnv).
	needsEnv map[string]bool
	bad      bool // the probe had an error in the file
}

// HadErrors reports whether the probe had an error in the file; such a
// probe is in the catalogue Parse returns with its errors, not in Sound.
func (p *Probe) HadErrors() bool { return p.bad }

// Pos is where the probe's ID is declared.
func (p *Probe) Pos() Position { return p.key }

// Public returns the probe's public fields.
func (p *Probe) Public() api.Probe {
	return api.Probe{ID: p.ID, Title: p.Title, Description: p.Description, Service: p.Service, Type: p.Type}
}

// Fingerprint returns a short hash of everything the probe declares, secrets
// included, that changes whenever the probe's definition does. It reveals
// nothing about the values.
func (p *Probe) Fingerprint() string { return p.fingerprint }

// Has reports whether the field was written in the file.
func (p *Probe) Has(field string) bool {
	_, ok := p.fields[field]
	return ok
}

// FieldErr returns an *Error at the field's position (the probe's ID when the
// field is absent), with the message prefixed by the probe ID and field. The
// message must not contain the field's value when that value may be secret.
func (p *Probe) FieldErr(sentinel error, field, msg string) error {
	pos, ok := p.fields[field]
	if !ok {
		pos = p.key
	}
	if p.needsEnv[field] {
		sentinel = ErrNeedsEnv
	}
	return &Error{Path: p.path, Line: pos.Line, Col: pos.Col, Msg: "probe " + p.ID + ": " + field + ": " + msg, Err: sentinel}
}

// Require returns an error for each of the fields that is absent.
func (p *Probe) Require(fields ...string) error {
	var errs []error
	for _, f := range fields {
		if !p.Has(f) {
			errs = append(errs, p.FieldErr(ErrMissing, f, "required for type "+p.Type))
		}
	}
	return errors.Join(errs...)
}

// Only returns an error for each field written in the file that is neither
// common to all probes nor in allowed.
func (p *Probe) Only(allowed ...string) error {
	var errs []error
	for f := range p.fields {
		if Common(f) {
			continue
		}
		found := false
		for _, a := range allowed {
			found = found || a == f
		}
		if !found {
			errs = append(errs, p.FieldErr(ErrUnknownField, f, "not used by type "+p.Type))
		}
	}
	sortErrors(errs)
	return errors.Join(errs...)
}

// RequireVars returns an error for each condition that tests a variable not
// in vars, at the condition's position.
func (p *Probe) RequireVars(vars ...string) error { return p.RequireVarsOf("", vars...) }

// RequireVarsOf is RequireVars for a type whose variables depend on a mode
// of the probe, such as "check ping", which the message names.
func (p *Probe) RequireVarsOf(mode string, vars ...string) error {
	var errs []error
	for _, list := range [][]*condition.Condition{p.Expect, p.Warn} {
		for _, c := range list {
			name := c.Var().Name
			if !slices.Contains(vars, name) {
				pos := p.conds[c]
				errs = append(errs, &Error{Path: p.path, Line: pos.Line, Col: pos.Col, Err: ErrInvalid,
					Msg: "probe " + p.ID + ": " + p.Type + " probe has no [" + name + "]" + varHint(mode, vars)})
			}
		}
	}
	return errors.Join(errs...)
}

func varHint(mode string, vars []string) string {
	hint := " (it has"
	for i, v := range vars {
		if i > 0 {
			hint += ","
		}
		hint += " [" + v + "]"
	}
	if mode != "" {
		return hint + " for " + mode + ")"
	}
	return hint + ")"
}

// Load reads and parses the catalogue at path, expanding ${ENV} from the
// process environment. See Parse.
func Load(path string) (*Catalogue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFile {
		return nil, &Error{Path: path, Line: 1, Col: 1, Msg: "catalogue larger than 4 MiB", Err: ErrInvalid}
	}
	return Parse(path, data, os.LookupEnv)
}

const maxFile = 4 << 20

// Parse parses a catalogue from data; path only labels errors. lookup finds
// environment variables (os.LookupEnv in production; a map in tests). A nil
// lookup means no environment: every reference expands to its default or to
// nothing, without error, which lets a linter check the file's structure,
// conditions and secret rules where the secrets are not set. The error, when
// not nil, joins one *Error per problem, in file order.
//
// The catalogue is returned even with errors (nil only when the file is not
// YAML at all): it holds every probe with a valid, unique ID, so that a
// linter can report what uses them, and Sound gives those without errors,
// so that a probe type's own checks can run in the same pass.
func Parse(path string, data []byte, lookup LookupEnv) (*Catalogue, error) {
	d := &decoder{path: path, lookup: lookup}
	cat := d.catalogue(data)
	sortErrors(d.errs)
	return cat, errors.Join(d.errs...)
}

// Sound returns the catalogue of c's probes that had no error.
func (c *Catalogue) Sound() *Catalogue {
	out := &Catalogue{Path: c.Path, byID: map[string]*Probe{}}
	for _, p := range c.Probes {
		if !p.bad {
			out.Probes = append(out.Probes, p)
			out.byID[p.ID] = p
		}
	}
	return out
}

type decoder struct {
	path   string
	lookup LookupEnv
	errs   []error
}

func (d *decoder) errorf(n *yaml.Node, sentinel error, msg string) {
	d.errs = append(d.errs, &Error{Path: d.path, Line: n.Line, Col: n.Column, Msg: msg, Err: sentinel})
}

// YAMLError returns the line (from 1) and the message of a yaml.v3
// error. yaml.v3 counts lines from 0 in its parser's errors and from 1 in
// its scanner's, and says "line N" either way; the parser's messages are a
// fixed set, so those lines are moved down by one here. Without a line in
// the error (a problem on the first line), the line is 1.
func YAMLError(err error) (line int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line = 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, tail
				if yamlParserError(tail) {
					line++
				}
			}
		}
	}
	return line, strings.ReplaceAll(msg, "\n", " ")
}

// YAMLErrorIn is YAMLError for an error from parsing src: a parser error
// found at the end of the input is placed on src's last line rather than
// past it.
func YAMLErrorIn(err error, src []byte) (line int, msg string) {
	line, msg = YAMLError(err)
	last := strings.Count(strings.TrimRight(string(src), "\n"), "\n") + 1
	return min(line, last), msg
}

// yamlParserError reports whether msg is one of yaml.v3's parser errors
// (parserc.go), whose line it counts from 0.
func yamlParserError(msg string) bool {
	for _, m := range []string{
		"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
		"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
		"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
		"found incompatible YAML document", "found undefined tag handle",
	} {
		if msg == m {
			return true
		}
	}
	return false
}

func (d *decoder) catalogue(data []byte) *Catalogue {
	cat := &Catalogue{Path: d.path, byID: map[string]*Probe{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := YAMLErrorIn(err, data)
		d.errs = append(d.errs, &Error{Path: d.path, Line: line, Col: 1, Msg: msg, Err: ErrSyntax})
		return cat
	}
	if len(doc.Content) == 0 {
		d.errs = append(d.errs, &Error{Path: d.path, Line: 1, Col: 1, Msg: "empty catalogue: want a 'probes' mapping", Err: ErrMissing})
		return cat
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		d.errorf(root, ErrInvalid, "the catalogue must be a mapping with a 'probes' key")
		return cat
	}
	var probes *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Value != "probes" {
			d.errorf(k, ErrUnknownField, "unknown top-level key "+strconv.Quote(k.Value)+" (the catalogue has only 'probes')")
			continue
		}
		probes = resolve(root.Content[i+1])
	}
	if probes == nil {
		d.errorf(root, ErrMissing, "the catalogue has no 'probes' mapping")
		return cat
	}
	if probes.Kind != yaml.MappingNode {
		if probes.Tag != "!!null" {
			d.errorf(probes, ErrInvalid, "'probes' must map probe IDs to probes")
		}
		return cat
	}
	for i := 0; i+1 < len(probes.Content); i += 2 {
		k, v := probes.Content[i], resolve(probes.Content[i+1])
		id := k.Value
		if !api.ValidID(id) {
			d.errorf(k, ErrInvalid, "probe ID "+strconv.Quote(id)+" must be lowercase letters, digits and '-', starting with a letter or digit, 64 bytes at most")
			continue
		}
		if prev, dup := cat.byID[id]; dup {
			d.errorf(k, ErrInvalid, "probe "+id+" is declared twice (first at line "+strconv.Itoa(prev.key.Line)+")")
			continue
		}
		before := len(d.errs)
		p := d.probe(id, k, v)
		p.bad = len(d.errs) > before
		cat.byID[id] = p
		cat.Probes = append(cat.Probes, p)
	}
	return cat
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// needsEnv reports whether a scalar of n, or of the map n, refers to a
// variable without a default: its value is the environment's alone.
func needsEnv(n *yaml.Node) bool {
	if n.Kind == yaml.MappingNode {
		for i := 1; i < len(n.Content); i += 2 {
			if needsEnv(resolve(n.Content[i])) {
				return true
			}
		}
		return false
	}
	for rest := n.Value; ; {
		i := strings.Index(rest, "${")
		if i < 0 {
			return false
		}
		if i > 0 && rest[i-1] == '$' { // $${ is a literal
			rest = rest[i+2:]
			continue
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return false
		}
		if !strings.Contains(rest[i+2:i+end], ":-") {
			return true
		}
		rest = rest[i+end:]
	}
}

// probe reads the fields every probe has and keeps the others, whose kinds
// only the probe's type knows, for Decode.
func (d *decoder) probe(id string, k, v *yaml.Node) *Probe {
	p := &Probe{
		ID: id, path: d.path, lookup: d.lookup,
		key:    Position{k.Line, k.Column},
		fields: map[string]Position{},
		typed:  map[string]any{},
		conds:  map[*condition.Condition]Position{},
	}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, ErrInvalid, "probe "+id+" must be a mapping of fields")
		return p
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		fk, fv := v.Content[i], resolve(v.Content[i+1])
		name := fk.Value
		if seen[name] {
			d.errorf(fk, ErrInvalid, "probe "+id+": "+name+" is given twice")
			continue
		}
		seen[name] = true
		if fv.Tag == "!!null" && fv.Kind == yaml.ScalarNode {
			continue // "field:" with nothing is the same as leaving it out
		}
		kind, isCommon := common[name]
		if !isCommon {
			if p.raw == nil {
				p.raw = map[string]rawField{}
			}
			p.raw[name] = rawField{fk, fv}
			p.fields[name] = Position{fv.Line, fv.Column}
			p.order = append(p.order, name)
			continue
		}
		val, ok := d.value(p, name, kind, fv)
		if !ok {
			continue
		}
		p.fields[name] = Position{fv.Line, fv.Column}
		p.order = append(p.order, name)
		p.typed[name] = val
		setCommon(p, name, val)
	}
	if p.Title == "" {
		p.Title = id
	}
	if p.Type == "" {
		d.errs = append(d.errs, p.FieldErr(ErrMissing, "type", "required: the probe's type, such as http or tcp"))
	}
	switch {
	case !p.Has("timeout"):
		p.Timeout = DefaultTimeout
	case p.Timeout <= 0 || p.Timeout > MaxTimeout:
		d.errs = append(d.errs, p.FieldErr(ErrInvalid, "timeout", "must be more than 0 and at most "+MaxTimeout.String()))
	}
	p.fingerprint = fingerprint(p)
	return p
}

// fingerprint hashes the name and value of every field p has read, in file
// order.
func fingerprint(p *Probe) string {
	h := sha256.New()
	for _, name := range p.order {
		v, ok := p.typed[name]
		if !ok {
			continue
		}
		h.Write([]byte(name))
		h.Write([]byte{0})
		writeValue(h, v)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func writeValue(w io.Writer, v any) {
	switch x := v.(type) {
	case string:
		io.WriteString(w, x)
	case time.Duration:
		io.WriteString(w, x.String())
	case int64:
		io.WriteString(w, strconv.FormatInt(x, 10))
	case sizeValue:
		io.WriteString(w, strconv.FormatInt(int64(x), 10))
	case float64:
		io.WriteString(w, strconv.FormatFloat(x, 'g', -1, 64))
	case []*condition.Condition:
		for _, c := range x {
			io.WriteString(w, c.Text())
			w.Write([]byte{0})
		}
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			io.WriteString(w, k+"\x00"+x[k]+"\x00")
		}
	}
	w.Write([]byte{0})
}

// conditions reads a list of conditions, keeping each one's position.
func (d *decoder) conditions(p *Probe, prefix string, n *yaml.Node) (any, bool) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, ErrInvalid, prefix+"must be a list of conditions such as [\"[STATUS] == 200\"]")
		return nil, false
	}
	var out []*condition.Condition
	ok := true
	for _, item := range n.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode {
			d.errorf(item, ErrInvalid, prefix+"each condition must be text")
			ok = false
			continue
		}
		c, err := condition.Parse(item.Value)
		if err != nil {
			d.errorf(item, ErrInvalid, prefix+err.Error())
			ok = false
			continue
		}
		p.conds[c] = Position{item.Line, item.Column}
		out = append(out, c)
	}
	return out, ok
}

// textMap reads headers (expanded, credentials only from the environment)
// or labels (as written).
func (d *decoder) textMap(p *Probe, prefix string, kind Kind, n *yaml.Node) (any, bool) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, ErrInvalid, prefix+"must be a mapping of names to text")
		return nil, false
	}
	out := map[string]string{}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		hk, hv := n.Content[i], resolve(n.Content[i+1])
		if hv.Kind != yaml.ScalarNode {
			d.errorf(hv, ErrInvalid, prefix+hk.Value+" must be text")
			ok = false
			continue
		}
		s := hv.Value
		if kind == Headers {
			var good bool
			if s, good = d.expand(p, prefix+hk.Value+": ", hv); !good {
				ok = false
				continue
			}
			switch strings.ToLower(hk.Value) {
			case "authorization", "proxy-authorization", "cookie", "x-api-key":
				if lit, _ := expand(hv.Value, nil, nil); !authScheme(lit) {
					d.errorf(hv, ErrLiteralSecret, prefix+hk.Value+" must come from the environment, e.g. \"Bearer ${TOKEN}\" with only the variable in the file")
					ok = false
					continue
				}
			}
		}
		out[hk.Value] = s
	}
	return out, ok
}

// expand expands ${ENV} in a scalar of p, keeping what each reference
// expanded to among p's secrets; it reports false after recording an error
// positioned at the offending reference when the scalar is on one line.
func (d *decoder) expand(p *Probe, prefix string, n *yaml.Node) (string, bool) {
	s, err := expand(n.Value, d.lookup, &p.envParts)
	if err != nil {
		col := n.Column
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && !strings.Contains(n.Value, "\n") {
			col += err.off
			if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
				col++
			}
		}
		d.errs = append(d.errs, &Error{Path: d.path, Line: n.Line, Col: col, Msg: prefix + err.msg, Err: err.err})
		return "", false
	}
	return s, true
}

// authScheme reports whether the literal view of a credential header holds
// nothing but, at most, its scheme word (as in "Bearer ${TOKEN}").
func authScheme(lit string) bool {
	switch strings.ToLower(strings.TrimSpace(lit)) {
	case "", "bearer", "basic", "token", "digest", "apikey":
		return true
	}
	return false
}

// hasPassword reports whether a URL or key=value DSN carries a password.
func hasPassword(s string) bool {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if pw, set := u.User.Password(); set && pw != "" {
			return true
		}
	}
	if u, err := url.Parse(s); err == nil && u.Query().Get("password") != "" {
		return true
	}
	for _, f := range strings.Fields(s) {
		if k, v, ok := strings.Cut(f, "="); ok && strings.TrimSpace(k) == "password" && v != "" && v != "''" {
			return true
		}
	}
	return false
}

func parseSize(s string) (int64, bool) {
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"KB", 1000}, {"MB", 1000 * 1000}, {"B", 1}} {
		if t, ok := strings.CutSuffix(s, u.suf); ok {
			s, mult = t, u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > MaxBody/mult {
		return 0, false
	}
	return n * mult, true
}

// Sorted returns the problems err joins, nested joins flattened, in file
// order, as one joined error: how Parse's errors and the types' errors
// (check.Registry.Check) print together.
func Sorted(err error) error {
	var flat []error
	var walk func(error)
	walk = func(err error) {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range joined.Unwrap() {
				walk(e)
			}
		} else if err != nil {
			flat = append(flat, err)
		}
	}
	walk(err)
	sortErrors(flat)
	return errors.Join(flat...)
}

func sortErrors(errs []error) {
	sort.SliceStable(errs, func(i, j int) bool {
		a, aok := errs[i].(*Error)
		b, bok := errs[j].(*Error)
		if !aok || !bok {
			return aok
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
