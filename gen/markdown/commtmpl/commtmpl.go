// Package commtmpl is the goldmark extension for communication templates:
// status updates and postmortems that a responder fills in once and copies.
//
// A template is a fenced code block whose language is "template":
//
//	```template id=incident-start title="Incident start (internal)"
//	🚨 {{severity}} INCIDENT: {{title}}
//	- Impact: {{impact}}
//	- Next steps: {{next_steps:long}}
//	```
//
// Placeholders are {{name}} or {{name:type}}. Built-in fields (see Builtins)
// need no type; any other field declares one of text, long, time or
// select(A|B|...) the first time it appears on a page. All templates on a
// page share one set of fields, so a field may not change type.
//
// The built-in fields, their types and the markup the template widget looks
// for are package widget's.
package commtmpl

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown/info"
	"github.com/stepcheck/stepcheck/gen/markdown/proberef"
	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// Language is the info-string language that marks a template block.
const Language = "template"

// AnchorPrefix starts a template's element ID: a template with id
// incident-start can be linked to as #tpl-incident-start.
const AnchorPrefix = widget.TemplateAnchor

// Type is a field's input type.
type Type struct {
	// Name is text, long, time, select or auto (filled by the browser).
	Name    string   `json:"type"`
	Options []string `json:"options,omitempty"`
}

func (t Type) String() string {
	if t.Name == widget.TypeSelect {
		return "select(" + strings.Join(t.Options, "|") + ")"
	}
	return t.Name
}

func (t Type) equal(u Type) bool { return t.String() == u.String() }

// Field is one field that a page's templates use.
type Field struct {
	Name string `json:"name"`
	Type
	// Typed is false for a non-built-in field that was never given a type;
	// it then defaults to text, and lint warns about it.
	Typed bool `json:"-"`
	// Offset is where the field first appears.
	Offset int `json:"-"`
}

// Builtins returns the fields every page knows without a declaration: those
// of widget.Fields, and the automatic now and elapsed. severities are the
// site's severity IDs (SEV-1..SEV-4 by default).
func Builtins(severities []string) map[string]Type {
	m := map[string]Type{
		widget.FieldNow:     {Name: widget.TypeAuto},
		widget.FieldElapsed: {Name: widget.TypeAuto},
	}
	for _, f := range widget.Fields(severities) {
		m[f.Name] = Type{Name: f.Type, Options: f.Options}
	}
	return m
}

// Part is a run of literal text, or a field when Field is non-empty.
type Part struct {
	Text  string
	Field string
}

// KindBlock is the template block's node kind.
var KindBlock = ast.NewNodeKind("CommTemplate")

// Block is one template.
type Block struct {
	ast.BaseBlock
	ID, Title string
	Parts     []Part
	uses      []proberef.Use
	problems  []diag.Problem
}

// Kind implements ast.Node.
func (n *Block) Kind() ast.NodeKind { return KindBlock }

// Dump implements ast.Node.
func (n *Block) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"ID": n.ID, "Title": n.Title}, nil)
}

// Problems reports malformed placeholders, types and fences.
func (n *Block) Problems() []diag.Problem { return n.problems }

// ProbeUses reports the probes named by {{probe.id}} fields.
func (n *Block) ProbeUses() []proberef.Use { return n.uses }

// Options configure the extension.
type Options struct {
	// Severities are the options of the built-in severity field.
	Severities []string
}

type extension struct{ opts Options }

// New returns the extension.
func New(opts Options) goldmark.Extender {
	if len(opts.Severities) == 0 {
		opts.Severities = []string{"SEV-1", "SEV-2", "SEV-3", "SEV-4"}
	}
	return &extension{opts: opts}
}

// Extend implements goldmark.Extender.
func (e *extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(&transformer{builtins: Builtins(e.opts.Severities), severities: e.opts.Severities}, 100)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)))
}

var fieldsKey = parser.NewContextKey()

// Fields returns the fields used by the templates of the page just parsed
// with pc, in order of first appearance.
func Fields(pc parser.Context) []Field {
	fs, _ := pc.Get(fieldsKey).([]Field)
	return fs
}

type transformer struct {
	builtins   map[string]Type
	severities []string
}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

func (t *transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var blocks []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fcb, ok := n.(*ast.FencedCodeBlock); ok && entering && string(fcb.Language(src)) == Language {
			blocks = append(blocks, fcb)
		}
		return ast.WalkContinue, nil
	})
	if len(blocks) == 0 {
		return
	}
	page := &pageFields{builtins: t.builtins, index: map[string]int{}}
	ids := map[string]bool{}
	var first ast.Node
	for i, fcb := range blocks {
		b := t.block(fcb, src, page, i+1)
		if ids[b.ID] {
			b.problems = append(b.problems, diag.Problem{Offset: fcb.Info.Segment.Start, Message: fmt.Sprintf("template id %q is used twice on this page", b.ID)})
		}
		ids[b.ID] = true
		parent := fcb.Parent()
		parent.ReplaceChild(parent, fcb, b)
		if first == nil {
			first = b
		}
	}
	insertForm(doc, first, t.severities, page.fields)
	for _, f := range page.fields {
		if !f.Typed {
			// Reported once, at the first use, as a warning: the field still
			// works as free text.
			blocksWarn(doc, f)
		}
	}
	pc.Set(fieldsKey, page.fields)
}

// blocksWarn attaches an "untyped field" warning to the block holding the
// field's first use.
func blocksWarn(doc *ast.Document, f Field) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		b, ok := n.(*Block)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		if b.Lines().Len() > 0 && b.Lines().At(0).Start <= f.Offset && f.Offset <= b.Lines().At(b.Lines().Len()-1).Stop {
			b.problems = append(b.problems, diag.Problem{Offset: f.Offset, Severity: diag.Warning,
				Message: fmt.Sprintf("field %q has no type; write {{%s:text}} (or long, time, select(A|B)) where it first appears", f.Name, f.Name)})
			return ast.WalkStop, nil
		}
		return ast.WalkSkipChildren, nil
	})
}

type pageFields struct {
	builtins map[string]Type
	fields   []Field
	index    map[string]int
}

func (t *transformer) block(fcb *ast.FencedCodeBlock, src []byte, page *pageFields, n int) *Block {
	b := &Block{ID: "template-" + strconv.Itoa(n)}
	b.SetLines(fcb.Lines())
	infoAt := fcb.Info.Segment.Start
	parsed, err := info.Parse(string(fcb.Info.Segment.Value(src)))
	if e, ok := err.(*info.Error); ok {
		b.problems = append(b.problems, diag.Problem{Offset: infoAt + e.Offset, Message: "template: " + e.Msg})
	}
	for _, a := range parsed.Attrs {
		switch a.Key {
		case "id":
			if idPattern.MatchString(a.Value) {
				b.ID = a.Value
			} else {
				b.problems = append(b.problems, diag.Problem{Offset: infoAt + a.Offset, Message: fmt.Sprintf("template id %q must be lowercase letters, digits and '-'", a.Value)})
			}
		case "title":
			b.Title = a.Value
		default:
			b.problems = append(b.problems, diag.Problem{Offset: infoAt + a.Offset, Message: fmt.Sprintf("unknown template attribute %q (known: id, title)", a.Key)})
		}
	}
	if !closed(fcb, src) {
		b.problems = append(b.problems, diag.Problem{Offset: infoAt, Message: "template block is not closed: end it with a line of ``` like the one that opens it"})
	}
	lines := fcb.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		t.parseLine(b, page, string(seg.Value(src)), seg.Start)
	}
	return b
}

// parseLine splits one template line into text and fields.
func (t *transformer) parseLine(b *Block, page *pageFields, line string, at int) {
	for {
		open := strings.Index(line, "{{")
		if open < 0 {
			b.appendText(line)
			return
		}
		b.appendText(line[:open])
		rest := line[open+2:]
		end := strings.Index(rest, "}}")
		if end < 0 {
			b.problems = append(b.problems, diag.Problem{Offset: at + open, Message: "placeholder is not closed: write {{name}} on one line"})
			b.appendText(line[open:])
			return
		}
		spec := strings.TrimSpace(rest[:end])
		fieldAt := at + open
		if name, ok := t.field(b, page, spec, fieldAt); ok {
			b.Parts = append(b.Parts, Part{Field: name})
		} else {
			b.appendText(line[open : open+2+end+2])
		}
		consumed := open + 2 + end + 2
		line, at = line[consumed:], at+consumed
	}
}

func (b *Block) appendText(s string) {
	if s == "" {
		return
	}
	if n := len(b.Parts); n > 0 && b.Parts[n-1].Field == "" {
		b.Parts[n-1].Text += s
		return
	}
	b.Parts = append(b.Parts, Part{Text: s})
}

// field parses "name" or "name:type" and records it on the page.
func (t *transformer) field(b *Block, page *pageFields, spec string, at int) (string, bool) {
	problem := func(format string, args ...any) (string, bool) {
		b.problems = append(b.problems, diag.Problem{Offset: at, Message: fmt.Sprintf(format, args...)})
		return "", false
	}
	name, typeSpec, hasType := strings.Cut(spec, ":")
	name, typeSpec = strings.TrimSpace(name), strings.TrimSpace(typeSpec)
	if id, ok := strings.CutPrefix(name, widget.ProbeField); ok {
		if hasType {
			return problem("field %q is filled automatically and takes no type", name)
		}
		if !api.ValidID(id) {
			return problem("probe ID %q in {{%s}} must be lowercase letters, digits and '-', 64 at most", id, name)
		}
		b.uses = append(b.uses, proberef.Use{ID: id, Offset: at})
		page.add(Field{Name: name, Type: Type{Name: widget.TypeAuto}, Typed: true, Offset: at})
		return name, true
	}
	if !namePattern.MatchString(name) {
		if name == "" {
			return problem("empty placeholder {{}}: name a field, such as {{title}}")
		}
		return problem("field name %q must start with a letter and hold only a-z, 0-9 and _", name)
	}
	builtin, isBuiltin := t.builtins[name]
	if !hasType {
		if isBuiltin {
			page.add(Field{Name: name, Type: builtin, Typed: true, Offset: at})
		} else if _, seen := page.index[name]; !seen {
			page.add(Field{Name: name, Type: Type{Name: widget.TypeText}, Offset: at})
		}
		return name, true
	}
	typ, err := parseType(typeSpec)
	if err != nil {
		return problem("field %q: %v", name, err)
	}
	if isBuiltin {
		if !typ.equal(builtin) {
			return problem("field %q is built in as %s; drop the type", name, builtin)
		}
		page.add(Field{Name: name, Type: builtin, Typed: true, Offset: at})
		return name, true
	}
	if i, seen := page.index[name]; seen {
		prev := page.fields[i]
		if prev.Typed && !typ.equal(prev.Type) {
			return problem("field %q is %s here but %s earlier on this page; a page's templates share one form", name, typ, prev.Type)
		}
		page.fields[i].Type, page.fields[i].Typed = typ, true
		return name, true
	}
	page.add(Field{Name: name, Type: typ, Typed: true, Offset: at})
	return name, true
}

func (p *pageFields) add(f Field) {
	if _, ok := p.index[f.Name]; ok {
		return
	}
	p.index[f.Name] = len(p.fields)
	p.fields = append(p.fields, f)
}

// typeNames are the types a field may declare, as an error lists them.
var typeNames = [...]string{widget.TypeText, widget.TypeLong, widget.TypeTime, widget.TypeSelect + "(A|B|...)"}

func parseType(s string) (Type, error) {
	switch s {
	case widget.TypeText, widget.TypeLong, widget.TypeTime:
		return Type{Name: s}, nil
	}
	if inner, ok := strings.CutPrefix(s, widget.TypeSelect+"("); ok && strings.HasSuffix(inner, ")") {
		opts := strings.Split(strings.TrimSuffix(inner, ")"), "|")
		seen := map[string]bool{}
		for i, o := range opts {
			o = strings.TrimSpace(o)
			if o == "" {
				return Type{}, fmt.Errorf("select has an empty option")
			}
			if seen[o] {
				return Type{}, fmt.Errorf("select lists %q twice", o)
			}
			seen[o] = true
			opts[i] = o
		}
		return Type{Name: widget.TypeSelect, Options: opts}, nil
	}
	known := append([]string(nil), typeNames[:]...)
	sort.Strings(known)
	return Type{}, fmt.Errorf("unknown type %q (known: %s)", s, strings.Join(known, ", "))
}

// closed reports whether a fenced code block ends with a closing fence.
// goldmark ends an unclosed fence silently at the end of its container; for a
// template that would swallow the rest of the page, so it is an error.
func closed(fcb *ast.FencedCodeBlock, src []byte) bool {
	infoStart := fcb.Info.Segment.Start
	lineStart := strings.LastIndexByte(string(src[:infoStart]), '\n') + 1
	opener := strings.TrimLeft(string(src[lineStart:infoStart]), " \t>")
	fence := strings.TrimRight(opener, " \t")
	if fence == "" {
		return true
	}
	// The line after the opener or after the last content line.
	pos := infoStart
	if n := fcb.Lines().Len(); n > 0 {
		pos = fcb.Lines().At(n-1).Stop - 1
	}
	nl := strings.IndexByte(string(src[pos:]), '\n')
	if nl < 0 {
		return false
	}
	next := string(src[pos+nl+1:])
	if i := strings.IndexByte(next, '\n'); i >= 0 {
		next = next[:i]
	}
	next = strings.TrimRight(strings.TrimLeft(next, " \t>"), " \t\r")
	return strings.HasPrefix(next, fence) && strings.Trim(next, fence[:1]) == ""
}

type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindBlock, renderBlock)
	reg.Register(KindForm, renderForm)
}

// renderBlock writes the template with its placeholders visible, so it reads
// and copies by hand without JavaScript, in the markup the template widget
// looks for (see package widget).
func renderBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	b := node.(*Block)
	esc := func(s string) { _, _ = w.Write(util.EscapeHTML([]byte(s))) }
	_, _ = w.WriteString(`<figure class="` + widget.ClassTemplate + `" id="` + widget.TemplateAnchor)
	esc(b.ID)
	_, _ = w.WriteString(`" data-` + widget.DataTemplate + `="`)
	esc(b.ID)
	_, _ = w.WriteString(`"><figcaption>`)
	if b.Title != "" {
		esc(b.Title)
	} else {
		esc(b.ID)
	}
	_, _ = w.WriteString(`</figcaption><pre class="sc-template-text"><code>`)
	for _, p := range b.Parts {
		if p.Field == "" {
			esc(p.Text)
			continue
		}
		_, _ = w.WriteString(`<span class="` + widget.ClassField + `" data-` + widget.DataField + `="`)
		esc(p.Field)
		_, _ = w.WriteString(`">{{`)
		esc(p.Field)
		_, _ = w.WriteString(`}}</span>`)
	}
	_, _ = w.WriteString("</code></pre></figure>\n")
	return ast.WalkSkipChildren, nil
}
