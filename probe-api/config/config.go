// Package config loads the probe catalogue, content/probes.yaml.
//
// Loading goes read → decode into yaml.v3 nodes (which keep line numbers) →
// expand ${ENV} in target fields → validate and fill defaults, and reports
// every problem as "path:line:col: message", all of them, not only the first.
// The server refuses to start on any error.
//
// Only target fields (url, scrape, addr, dsn, username, password, headers,
// body, query) expand ${NAME} and ${NAME:-default}. Public fields (title,
// description, service, type) and conditions never do, because they are shown
// to browsers. Secrets only ever come from the environment: a password,
// a DSN or URL carrying a password, or an Authorization or Cookie header
// written literally into the file is an error.
//
// This package validates what every probe shares. What a type needs (a URL
// for http, a check name for postgres, which variables its conditions may use)
// is validated when the check registry builds the probe, through Probe's
// FieldErr, Only and RequireVars, so those errors carry positions too.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"os"
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

// Probe is one declared probe. Fields a type does not use are zero. It is
// immutable after Parse and safe for concurrent use.
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

	// http and prometheus.
	Method  string            // http; default GET
	URL     string            // http: the target; prometheus: the Prometheus base URL for Query
	Headers map[string]string // http and prometheus
	Body    string            // http request body
	MaxBody int64             // bytes read from a response body; the type's default, at most MaxBody
	Scrape  string            // prometheus: an exposition endpoint to scrape
	Query   string            // prometheus: an instant PromQL query against URL
	Metric  string            // prometheus: the metric to read from Scrape
	Labels  map[string]string // prometheus: label values the scraped series must have
	// Quantile, when HasQuantile, reads a quantile of a scraped histogram or
	// summary instead of summing the series.
	Quantile    float64
	HasQuantile bool

	// tcp and redis.
	Addr     string
	Username string
	Password string
	DB       int

	// postgres.
	DSN       string
	OlderThan time.Duration // long-queries; default 1m

	// Check names the postgres or redis check (ready, connections,
	// long-queries, blocked-locks; ping, info).
	Check string
	// Section restricts redis info to one INFO section.
	Section string

	path        string
	key         Position
	fields      map[string]Position
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
		if commonFields[f] {
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
func (p *Probe) RequireVars(vars ...string) error {
	var errs []error
	for _, list := range [][]*condition.Condition{p.Expect, p.Warn} {
		for _, c := range list {
			name := c.Var().Name
			found := false
			for _, v := range vars {
				found = found || v == name
			}
			if !found {
				pos := p.conds[c]
				errs = append(errs, &Error{Path: p.path, Line: pos.Line, Col: pos.Col, Err: ErrInvalid,
					Msg: "probe " + p.ID + ": " + p.Type + " probe has no [" + name + "]" + varHint(p, vars)})
			}
		}
	}
	return errors.Join(errs...)
}

func varHint(p *Probe, vars []string) string {
	hint := " (it has"
	for i, v := range vars {
		if i > 0 {
			hint += ","
		}
		hint += " [" + v + "]"
	}
	if p.Check != "" {
		return hint + " for check " + p.Check + ")"
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

// field decodes one key of a probe. kind says how to read the value.
type field struct {
	kind fieldKind
	set  func(p *Probe, v any)
}

type fieldKind uint8

const (
	kindPublic   fieldKind = iota + 1 // text, never expanded
	kindTarget                        // text, ${ENV} expanded
	kindSecret                        // text, ${ENV} only: nothing literal
	kindLocator                       // URL or DSN, ${ENV} expanded; a password must come from ${ENV}
	kindDuration                      // 2s, 500ms
	kindInt                           // 0
	kindFloat                         // 0.95
	kindSize                          // 1MiB, 65536
	kindConds                         // a list of conditions
	kindHeaders                       // a map of text, ${ENV} expanded; auth headers only from ${ENV}
	kindLabels                        // a map of text, never expanded
)

// expands reports whether fields of the kind expand ${ENV}.
func (k fieldKind) expands() bool {
	return k == kindTarget || k == kindSecret || k == kindLocator || k == kindHeaders
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

// fields is the format, key by key. It is a read-only table.
var fields = map[string]field{
	"title":       {kindPublic, func(p *Probe, v any) { p.Title = v.(string) }},
	"description": {kindPublic, func(p *Probe, v any) { p.Description = v.(string) }},
	"service":     {kindPublic, func(p *Probe, v any) { p.Service = v.(string) }},
	"type":        {kindPublic, func(p *Probe, v any) { p.Type = v.(string) }},
	"timeout":     {kindDuration, func(p *Probe, v any) { p.Timeout = v.(time.Duration) }},
	"expect":      {kindConds, func(p *Probe, v any) { p.Expect = v.([]*condition.Condition) }},
	"warn":        {kindConds, func(p *Probe, v any) { p.Warn = v.([]*condition.Condition) }},
	"method":      {kindPublic, func(p *Probe, v any) { p.Method = v.(string) }},
	"url":         {kindLocator, func(p *Probe, v any) { p.URL = v.(string) }},
	"scrape":      {kindLocator, func(p *Probe, v any) { p.Scrape = v.(string) }},
	"headers":     {kindHeaders, func(p *Probe, v any) { p.Headers = v.(map[string]string) }},
	"body":        {kindTarget, func(p *Probe, v any) { p.Body = v.(string) }},
	"max_body":    {kindSize, func(p *Probe, v any) { p.MaxBody = v.(int64) }},
	"query":       {kindTarget, func(p *Probe, v any) { p.Query = v.(string) }},
	"metric":      {kindPublic, func(p *Probe, v any) { p.Metric = v.(string) }},
	"labels":      {kindLabels, func(p *Probe, v any) { p.Labels = v.(map[string]string) }},
	"quantile":    {kindFloat, func(p *Probe, v any) { p.Quantile, p.HasQuantile = v.(float64), true }},
	"addr":        {kindTarget, func(p *Probe, v any) { p.Addr = v.(string) }},
	"username":    {kindTarget, func(p *Probe, v any) { p.Username = v.(string) }},
	"password":    {kindSecret, func(p *Probe, v any) { p.Password = v.(string) }},
	"db":          {kindInt, func(p *Probe, v any) { p.DB = int(v.(int64)) }},
	"dsn":         {kindLocator, func(p *Probe, v any) { p.DSN = v.(string) }},
	"older_than":  {kindDuration, func(p *Probe, v any) { p.OlderThan = v.(time.Duration) }},
	"check":       {kindPublic, func(p *Probe, v any) { p.Check = v.(string) }},
	"section":     {kindPublic, func(p *Probe, v any) { p.Section = v.(string) }},
}

// commonFields are the fields every type accepts.
var commonFields = map[string]bool{"title": true, "description": true, "service": true, "type": true, "timeout": true, "expect": true, "warn": true}

func (d *decoder) probe(id string, k, v *yaml.Node) *Probe {
	p := &Probe{
		ID: id, path: d.path,
		key:    Position{k.Line, k.Column},
		fields: map[string]Position{},
		conds:  map[*condition.Condition]Position{},
	}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, ErrInvalid, "probe "+id+" must be a mapping of fields")
		return p
	}
	h := sha256.New()
	for i := 0; i+1 < len(v.Content); i += 2 {
		fk, fv := v.Content[i], resolve(v.Content[i+1])
		name := fk.Value
		f, ok := fields[name]
		if !ok {
			d.errorf(fk, ErrUnknownField, "probe "+id+": unknown field "+strconv.Quote(name))
			continue
		}
		if _, dup := p.fields[name]; dup {
			d.errorf(fk, ErrInvalid, "probe "+id+": "+name+" is given twice")
			continue
		}
		if fv.Tag == "!!null" && fv.Kind == yaml.ScalarNode {
			continue // "field:" with nothing is the same as leaving it out
		}
		val, ok := d.value(p, name, f.kind, fv)
		if !ok {
			continue
		}
		p.fields[name] = Position{fv.Line, fv.Column}
		if d.lookup == nil && f.kind.expands() && needsEnv(fv) {
			if p.needsEnv == nil {
				p.needsEnv = map[string]bool{}
			}
			p.needsEnv[name] = true
		}
		f.set(p, val)
		h.Write([]byte(name))
		h.Write([]byte{0})
		writeValue(h, val)
	}
	if p.Title == "" {
		p.Title = id
	}
	if p.Type == "" {
		d.errs = append(d.errs, p.FieldErr(ErrMissing, "type", "required (http, tcp, postgres, redis or prometheus)"))
	}
	switch {
	case !p.Has("timeout"):
		p.Timeout = DefaultTimeout
	case p.Timeout <= 0 || p.Timeout > MaxTimeout:
		d.errs = append(d.errs, p.FieldErr(ErrInvalid, "timeout", "must be more than 0 and at most "+MaxTimeout.String()))
	}
	p.fingerprint = hex.EncodeToString(h.Sum(nil)[:8])
	p.secrets = secretsOf(p)
	return p
}

func writeValue(w io.Writer, v any) {
	switch x := v.(type) {
	case string:
		io.WriteString(w, x)
	case time.Duration:
		io.WriteString(w, x.String())
	case int64:
		io.WriteString(w, strconv.FormatInt(x, 10))
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

// value reads one field's value; it reports false after recording an error.
func (d *decoder) value(p *Probe, name string, kind fieldKind, n *yaml.Node) (any, bool) {
	prefix := "probe " + p.ID + ": " + name + ": "
	switch kind {
	case kindConds:
		return d.conditions(p, prefix, n)
	case kindHeaders, kindLabels:
		return d.textMap(p, prefix, kind, n)
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, ErrInvalid, prefix+"must be a single value")
		return nil, false
	}
	return d.scalar(p, prefix, kind, n)
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
func (d *decoder) textMap(p *Probe, prefix string, kind fieldKind, n *yaml.Node) (any, bool) {
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
		if kind == kindHeaders {
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

// scalar reads a single value of kind.
func (d *decoder) scalar(p *Probe, prefix string, kind fieldKind, n *yaml.Node) (any, bool) {
	switch kind {
	case kindPublic:
		return n.Value, true
	case kindTarget:
		return d.expand(p, prefix, n)
	case kindSecret:
		if lit, _ := expand(n.Value, nil, nil); lit != "" {
			d.errorf(n, ErrLiteralSecret, prefix+"must come from the environment: write ${VARIABLE} and set it where probe-api runs")
			return nil, false
		}
		return d.expand(p, prefix, n)
	case kindLocator:
		if lit, _ := expand(n.Value, nil, nil); hasPassword(lit) {
			d.errorf(n, ErrLiteralSecret, prefix+"contains a password written into the file: take it from the environment, e.g. ${PG_DSN}")
			return nil, false
		}
		return d.expand(p, prefix, n)
	case kindDuration:
		t, err := time.ParseDuration(n.Value)
		if err != nil || t < 0 {
			d.errorf(n, ErrInvalid, prefix+"must be a duration such as 2s or 500ms")
			return nil, false
		}
		return t, true
	case kindInt:
		i, err := strconv.ParseInt(n.Value, 10, 32)
		if err != nil || i < 0 {
			d.errorf(n, ErrInvalid, prefix+"must be a whole number, 0 or more")
			return nil, false
		}
		return i, true
	case kindFloat:
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || f < 0 || f > 1 {
			d.errorf(n, ErrInvalid, prefix+"must be a number from 0 to 1")
			return nil, false
		}
		return f, true
	case kindSize:
		s, ok := parseSize(n.Value)
		if !ok {
			d.errorf(n, ErrInvalid, prefix+"must be a size such as 65536, 512KiB or 4MiB, up to 16MiB")
			return nil, false
		}
		return s, true
	}
	return nil, false
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
