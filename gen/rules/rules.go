// Package rules reads the alerting rules that a repository keeps beside its
// runbooks, so that stepcheck lint can check each alert's runbook_url
// against the site. It reads three shapes, in files of one or more YAML
// documents:
//
//   - a Prometheus rule file: a top-level groups list, as Prometheus,
//     Thanos, Mimir and Loki load it;
//   - a Kubernetes PrometheusRule object (the prometheus-operator's), with
//     the same groups under spec.groups, as kube-prometheus and Helm charts
//     keep them;
//   - a Kubernetes List whose items are PrometheusRule objects, as kubectl
//     get -o yaml writes them.
//
// Any other document (a Deployment, a kustomization, a ConfigMap) is
// skipped without a word, so a directory of manifests can be read whole.
// Recording rules are skipped too. Rules embedded as text in a ConfigMap's
// data are not read.
//
// An alert's runbook is its annotation runbook_url or, without one, its
// annotation runbook; labels are never read for it. Rule.RunbookURL fills
// in the template actions that name the alert and says when the URL
// depends on anything else.
//
// Its one job is reading rules with exact positions; it knows nothing
// about the site. Every problem becomes a diagnostic at path:line:col,
// pointing at the YAML node at fault, and all of them are reported, not
// only the first. Values are read as Prometheus reads them: anchors,
// aliases and merge keys (<<) work, a number is text as written, null is
// "", and a key given twice is an error.
package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/stepcheck/stepcheck/gen/diag"
	probeconfig "github.com/stepcheck/stepcheck/probe-api/config"
)

// Rule is one alerting rule as written in its file.
type Rule struct {
	// Alert is the alert's name.
	Alert string
	// Expr is the PromQL expression, as written (a block scalar keeps its
	// final newline).
	Expr string
	// Labels are the rule's labels over its group's labels (Prometheus 3
	// group labels), the rule's winning, as the alert carries them. Nil
	// when there are none.
	Labels map[string]string
	// Annotations are the rule's annotations, nil when there are none.
	Annotations map[string]string
	// Group is the name of the rule's group; empty when the group has none,
	// which is an error.
	Group string
	// Path is the file the rule was read from, as passed to Parse.
	Path string
	// Line and Col place the rule's alert key, 1-based; Col counts
	// characters, as diag.Diagnostic does.
	Line, Col int
	// Runbook is the annotation runbook_url or, when there is none, the
	// annotation runbook. Labels are never read for it. Nil when the rule
	// has neither.
	Runbook *Value
}

// Value is a scalar with the place where its text starts: after any
// anchor, tag and opening quote, and for a block scalar (| or >) at the
// first non-blank line of its content. An error about the value then
// points at the value itself. A value given by an alias is placed where
// its anchor's text is.
type Value struct {
	Text      string
	Line, Col int
}

// Severity returns the rule's severity label as written, or "".
func (r Rule) Severity() string { return r.Labels["severity"] }

// Summary returns the summary annotation or, without one, the message
// annotation, which older kubernetes-mixin alerts carry instead of summary
// and description. It returns "" when there is neither.
func (r Rule) Summary() string { return annotation(r.Annotations, "summary", "message") }

// Description returns the description annotation or, without one, the
// message annotation. It returns "" when there is neither.
func (r Rule) Description() string {
	return annotation(r.Annotations, "description", "message")
}

func annotation(as map[string]string, names ...string) string {
	for _, name := range names {
		if v, ok := as[name]; ok {
			return v
		}
	}
	return ""
}

// Parse reads the alerting rules of one file, reporting problems against
// path in diags: YAML syntax errors, at the line yaml.v3 names and column
// 1 (for an error of structure, such as a misindented key, that is where
// the enclosing block starts); rules and groups of the wrong shape; and
// alerting rules without an expr. Rules with errors are still returned,
// with what could be read, so that a caller can check the rest of them;
// the errors in diags fail the lint anyway. A syntax error ends the
// reading of the file, but the documents before it are kept. Rules come in
// file order.
//
// Parse never panics, whatever data holds. A nil diags drops the
// diagnostics. Parse is safe for concurrent use.
func Parse(path string, data []byte, diags *diag.List) []Rule {
	rules, ds := parse(path, data)
	if diags != nil {
		diags.Add(ds...)
	}
	return rules
}

// parse is Parse returning its diagnostics, so that Load can tell a file
// with errors from a file without rules.
func parse(path string, data []byte) ([]Rule, []diag.Diagnostic) {
	p := &parser{path: path, src: data, lines: lineStarts(data), limit: 16*len(data) + 10_000}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := decode(dec, &doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, msg := probeconfig.YAMLErrorIn(err, data)
			p.ds = append(p.ds, diag.Diagnostic{Path: path, Line: max(line, 1), Col: 1, Severity: diag.Error, Message: msg})
			break // the decoder cannot find the next document after an error
		}
		if len(doc.Content) > 0 {
			p.document(doc.Content[0])
		}
		if p.over {
			break
		}
	}
	return p.rules, p.ds
}

// decode guards against a panic in the YAML parser, so that no input
// stops a lint run; yaml.v3 has panicked on malformed input before.
func decode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse this file: %v", r)
		}
	}()
	return dec.Decode(n)
}

type parser struct {
	path  string
	src   []byte
	lines []int // the byte offset of each line's start
	ds    []diag.Diagnostic
	rules []Rule
	// work counts the nodes visited, and 16 for each rule, for the maps
	// it makes. Aliases let a small file name the same nodes over and over
	// (a "billion laughs"), so reading stops at limit, which a file
	// without aliases never reaches.
	work, limit int
	over        bool
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.ds = append(p.ds, diag.Diagnostic{
		Path: p.path, Line: max(n.Line, 1), Col: max(n.Column, 1),
		Severity: diag.Error, Message: fmt.Sprintf(format, args...),
	})
}

// spend counts units of work at n and reports whether reading may go on.
func (p *parser) spend(n *yaml.Node, units int) bool {
	if p.over {
		return false
	}
	p.work += units
	if p.work > p.limit {
		p.over = true
		p.errorf(n, "the aliases in this file expand to far more than the file holds; reading stopped here")
		return false
	}
	return true
}

// document reads one YAML document, if it is one of the shapes the package
// reads.
func (p *parser) document(root *yaml.Node) {
	root = resolve(root)
	if root.Kind != yaml.MappingNode {
		return
	}
	kind := lookup(root, "kind")
	switch {
	case kind == nil && lookup(root, "groups") != nil:
		for _, e := range p.entries(root) {
			if e.name == "groups" {
				p.groups(e.val)
			}
		}
	case isKind(kind, "PrometheusRule"):
		p.prometheusRule(root)
	case isKind(kind, "List"):
		p.list(root)
	}
}

// lookup returns the value of key in the mapping m, before m is known to
// be a document the package reads, and so without reporting anything; nil
// when m has no such key.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return resolve(m.Content[i+1])
		}
	}
	return nil
}

// isKind reports whether the value of a kind key names kind.
func isKind(n *yaml.Node, kind string) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.Value == kind
}

func (p *parser) list(root *yaml.Node) {
	for _, e := range p.entries(root) {
		if e.name != "items" {
			continue
		}
		items := resolve(e.val)
		if isNull(items) {
			return
		}
		if items.Kind != yaml.SequenceNode {
			p.errorf(items, "a List's items must be a list of objects")
			return
		}
		for _, item := range items.Content {
			if !p.spend(item, 1) {
				return
			}
			// A List never holds a List, so items are not read as one: an
			// alias could otherwise make a List its own item.
			if item = resolve(item); item.Kind == yaml.MappingNode {
				if isKind(lookup(item, "kind"), "PrometheusRule") {
					p.prometheusRule(item)
				}
			}
		}
	}
}

func (p *parser) prometheusRule(obj *yaml.Node) {
	for _, e := range p.entries(obj) {
		if e.name != "spec" {
			continue
		}
		spec := resolve(e.val)
		if isNull(spec) {
			return
		}
		if spec.Kind != yaml.MappingNode {
			p.errorf(spec, "a PrometheusRule's spec must be a mapping with groups")
			return
		}
		for _, e := range p.entries(spec) {
			if e.name == "groups" {
				p.groups(e.val)
			}
		}
	}
}

func (p *parser) groups(n *yaml.Node) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "groups must be a list of rule groups")
		return
	}
	for _, g := range n.Content {
		if !p.spend(g, 1) {
			return
		}
		p.group(resolve(g))
	}
}

func (p *parser) group(g *yaml.Node) {
	if g.Kind != yaml.MappingNode {
		p.errorf(g, "a rule group must be a mapping with a name and rules")
		return
	}
	var name string
	var named bool
	var rules *yaml.Node
	var labels []text
	for _, e := range p.entries(g) {
		switch e.name {
		case "name":
			named = true
			if s, ok := p.scalar(e.val, "a group's name"); ok && s == "" {
				p.errorf(e.val, "a rule group needs a name")
			} else {
				name = s
			}
		case "rules":
			rules = resolve(e.val)
		case "labels":
			labels = p.texts(e.val, "label")
		}
	}
	if !named {
		p.errorf(g, "a rule group needs a name")
	}
	if rules == nil || isNull(rules) {
		return
	}
	if rules.Kind != yaml.SequenceNode {
		p.errorf(rules, "the rules of a group must be a list of rules")
		return
	}
	for _, r := range rules.Content {
		if !p.spend(r, 16) {
			return
		}
		p.rule(resolve(r), name, labels)
	}
}

// rule reads one rule of a group; groupLabels are the group's labels.
func (p *parser) rule(n *yaml.Node, group string, groupLabels []text) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "a rule must be a mapping with alert (or record) and expr")
		return
	}
	var alertKey, alertVal, recordVal, exprVal, labelsVal, annotationsVal *yaml.Node
	for _, e := range p.entries(n) {
		switch e.name {
		case "alert":
			alertKey, alertVal = e.key, e.val
		case "record":
			recordVal = e.val
		case "expr":
			exprVal = e.val
		case "labels":
			labelsVal = e.val
		case "annotations":
			annotationsVal = e.val
		}
	}
	alert, ok := "", true
	if alertVal != nil {
		alert, ok = p.scalar(alertVal, "alert")
		if !ok {
			return
		}
	}
	recorded := false
	if recordVal != nil {
		s, ok := p.scalar(recordVal, "record")
		recorded = !ok || s != ""
	}
	switch {
	case alert != "" && recorded:
		p.errorf(alertKey, "a rule has both alert and record; keep one")
		return
	case recorded:
		return // a recording rule
	case alert == "" && alertVal != nil:
		p.errorf(alertVal, "a rule needs a name in alert (or record, for a recording rule)")
		return
	case alert == "":
		p.errorf(n, "a rule needs alert (or record, for a recording rule)")
		return
	}
	r := Rule{Alert: alert, Group: group, Path: p.path, Line: max(alertKey.Line, 1), Col: max(alertKey.Column, 1)}
	if exprVal == nil {
		p.errorf(alertKey, "alert %q has no expr", alert)
	} else if s, ok := p.scalar(exprVal, "expr"); ok && s == "" {
		p.errorf(exprVal, "alert %q has no expr", alert)
	} else {
		r.Expr = s
	}
	var labels []text
	if labelsVal != nil {
		labels = p.texts(labelsVal, "label")
	}
	for _, ls := range [][]text{groupLabels, labels} {
		for _, l := range ls {
			if r.Labels == nil {
				r.Labels = map[string]string{}
			}
			r.Labels[l.name] = l.text
		}
	}
	if annotationsVal != nil {
		for _, a := range p.texts(annotationsVal, "annotation") {
			if r.Annotations == nil {
				r.Annotations = map[string]string{}
			}
			r.Annotations[a.name] = a.text
			if a.name == "runbook_url" || (a.name == "runbook" && r.Runbook == nil) {
				line, col := p.textStart(a.node)
				r.Runbook = &Value{Text: a.text, Line: line, Col: col}
			}
		}
	}
	p.rules = append(p.rules, r)
}

// text is one entry of a labels or annotations mapping.
type text struct {
	name, text string
	node       *yaml.Node
}

// texts reads a mapping of names to text: labels or annotations. what
// names an entry in messages.
func (p *parser) texts(n *yaml.Node, what string) []text {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%ss must be a mapping of names to text", what)
		return nil
	}
	var out []text
	for _, e := range p.entries(n) {
		if s, ok := p.scalar(e.val, fmt.Sprintf("%s %q", what, e.name)); ok {
			out = append(out, text{name: e.name, text: s, node: resolve(e.val)})
		}
	}
	return out
}

// scalar decodes a scalar as text the way Prometheus does (yaml.v3 into a
// string): a number or a boolean is its text as written, null is "". A
// list or a mapping is an error; what names the value in the message.
func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	n = resolve(n)
	switch n.Kind {
	case yaml.SequenceNode:
		p.errorf(n, "%s must be text, not a list", what)
		return "", false
	case yaml.MappingNode:
		p.errorf(n, "%s must be text, not a mapping", what)
		return "", false
	case yaml.ScalarNode:
	default:
		p.errorf(n, "%s must be text", what)
		return "", false
	}
	var s string
	if err := n.Decode(&s); err != nil {
		_, msg := diag.YAMLError(err)
		p.errorf(n, "%s: %s", what, msg)
		return "", false
	}
	return s, true
}

// entry is one key of a mapping, with merge keys (<<) expanded.
type entry struct {
	name     string
	key, val *yaml.Node
}

// entries returns the keys of the mapping m in order, each once: a key
// given twice is an error (Prometheus and kubectl refuse it), and the
// first is kept. Keys merged in with << come after, unless m sets them
// itself, as YAML merges them. Keys that are not text are skipped.
func (p *parser) entries(m *yaml.Node) []entry {
	var out []entry
	seen := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !p.spend(m, 1) {
			return out
		}
		k, v := resolve(m.Content[i]), m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(k, "key %q is given twice (first on line %d); keep one", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, entry{name: k.Value, key: k, val: v})
	}
	visited := map[*yaml.Node]bool{m: true}
	for _, v := range merges {
		out = p.merge(out, seen, resolve(v), visited)
	}
	return out
}

// merge appends the keys of the merged value v (a mapping or a list of
// mappings, the first of which wins) that out does not hold yet. visited
// guards against a mapping that merges itself.
func (p *parser) merge(out []entry, seen map[string]*yaml.Node, v *yaml.Node, visited map[*yaml.Node]bool) []entry {
	switch v.Kind {
	case yaml.MappingNode:
		if visited[v] {
			return out
		}
		visited[v] = true
		var inner []*yaml.Node
		for i := 0; i+1 < len(v.Content); i += 2 {
			if !p.spend(v, 1) {
				return out
			}
			k := resolve(v.Content[i])
			if k.Kind != yaml.ScalarNode {
				continue
			}
			if k.ShortTag() == "!!merge" {
				inner = append(inner, v.Content[i+1])
				continue
			}
			if _, ok := seen[k.Value]; !ok {
				seen[k.Value] = k
				out = append(out, entry{name: k.Value, key: k, val: v.Content[i+1]})
			}
		}
		for _, w := range inner {
			out = p.merge(out, seen, resolve(w), visited)
		}
	case yaml.SequenceNode:
		for _, w := range v.Content {
			if w = resolve(w); w.Kind != yaml.MappingNode {
				p.errorf(w, "<< merges a mapping or a list of mappings")
				continue
			}
			out = p.merge(out, seen, w, visited)
		}
	default:
		p.errorf(v, "<< merges a mapping or a list of mappings")
	}
	return out
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// lineStarts returns the byte offset at which each line of src starts.
func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// line returns the text of 1-based line l without its line break, or nil
// when there is no such line. A byte-order mark, which yaml.v3 does not
// count in columns, is left out.
func (p *parser) line(l int) []byte {
	if l < 1 || l > len(p.lines) {
		return nil
	}
	start, end := p.lines[l-1], len(p.src)
	if l < len(p.lines) {
		end = p.lines[l] - 1
	}
	text := bytes.TrimSuffix(p.src[start:end], []byte("\r"))
	if l == 1 {
		text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
	}
	return text
}

// textStart returns where the text of the scalar n starts (see Value).
// When the source does not read as expected it returns n's own position.
func (p *parser) textStart(n *yaml.Node) (line, col int) {
	line, col = max(n.Line, 1), max(n.Column, 1)
	src := p.line(line)
	// Find the byte at column col, which counts characters.
	off := 0
	for c := 1; c < col; c++ {
		if off >= len(src) {
			return line, col
		}
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	rest := src[off:]
	c := col
	// Skip an anchor (&name) and a tag (!tag), in either order.
	for len(rest) > 0 && (rest[0] == '&' || rest[0] == '!') {
		i := bytes.IndexAny(rest, " \t")
		if i < 0 {
			return line, col
		}
		c += utf8.RuneCount(rest[:i])
		rest = rest[i:]
		for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			c++
			rest = rest[1:]
		}
	}
	opener := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0
	if !opener || len(rest) == 0 || bytes.IndexByte([]byte(`"'|>`), rest[0]) < 0 {
		return line, c
	}
	if quoted := rest[0] == '"' || rest[0] == '\''; quoted && len(bytes.TrimSpace(rest[1:])) > 0 {
		return line, c + 1
	}
	// A block scalar, or a quote that ends its line: the text starts on the
	// next line that is not blank.
	for l := line + 1; l <= len(p.lines); l++ {
		t := p.line(l)
		if len(bytes.TrimSpace(t)) == 0 {
			continue
		}
		return l, len(t) - len(bytes.TrimLeft(t, " \t")) + 1
	}
	return line, c
}
