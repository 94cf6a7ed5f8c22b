// Package proberef is the goldmark extension for probe references: the live
// state of a declared probe, shown beside a runbook step.
//
// Two forms exist. Inline, in any paragraph or list item:
//
//   - [ ] Database accepts connections {probe:pg-ready}
//
// And on a fenced code block, in the info string after the language, naming
// one or more probes separated by commas:
//
//	```bash probe=backend-live,frontend-health
//
// Both render static HTML that reads without JavaScript (the probe's label, a
// "not checked" state and a link to the probe API) and carries the data
// attributes the status widget brings to life.
package proberef

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown/info"
	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// Use is one mention of a probe ID at a byte offset of the source.
type Use struct {
	ID     string
	Offset int
}

// KindRef is the inline probe reference's node kind.
var KindRef = ast.NewNodeKind("ProbeRef")

// Ref is an inline {probe:id} reference.
type Ref struct {
	ast.BaseInline
	Use
}

// Kind implements ast.Node.
func (n *Ref) Kind() ast.NodeKind { return KindRef }

// Dump implements ast.Node.
func (n *Ref) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"ID": n.ID}, nil)
}

// ProbeUses reports the probe this reference names.
func (n *Ref) ProbeUses() []Use { return []Use{n.Use} }

// KindChecked is the kind of a code block wrapped with its probes.
var KindChecked = ast.NewNodeKind("ProbeChecked")

// Checked wraps a code block whose info string names probes. Its only child
// is the code block.
type Checked struct {
	ast.BaseBlock
	Uses     []Use
	problems []diag.Problem
}

// Kind implements ast.Node.
func (n *Checked) Kind() ast.NodeKind { return KindChecked }

// Dump implements ast.Node.
func (n *Checked) Dump(source []byte, level int) {
	ids := make([]string, len(n.Uses))
	for i, u := range n.Uses {
		ids[i] = u.ID
	}
	ast.DumpHelper(n, source, level, map[string]string{"IDs": strings.Join(ids, ",")}, nil)
}

// ProbeUses reports the probes the code block names.
func (n *Checked) ProbeUses() []Use { return n.Uses }

// Problems reports malformed probe lists.
func (n *Checked) Problems() []diag.Problem { return n.problems }

// Options configure the rendering.
type Options struct {
	// Title returns the probe's public label; ok is false for an unknown ID,
	// which is then rendered by its ID (the build reports it separately).
	Title func(id string) (title string, ok bool)
	// APIBase is the probe API's base URL without a trailing slash; empty
	// means the site's own origin.
	APIBase string
}

type extension struct{ opts Options }

// New returns the extension.
func New(opts Options) goldmark.Extender { return &extension{opts: opts} }

// Extend implements goldmark.Extender.
func (e *extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithInlineParsers(util.Prioritized(inlineParser{}, 150)),
		parser.WithASTTransformers(util.Prioritized(transformer{}, 200)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&nodeRenderer{opts: e.opts}, 100)))
}

var prefix = []byte("{probe:")

type inlineParser struct{}

func (inlineParser) Trigger() []byte { return []byte{'{'} }

func (inlineParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < len(prefix) || string(line[:len(prefix)]) != string(prefix) {
		return nil
	}
	end := strings.IndexByte(string(line), '}')
	if end < 0 {
		return nil
	}
	id := string(line[len(prefix):end])
	// The probe API's own rule for IDs. Anything else stays plain text,
	// so prose like "{probe:Foo}" is never silently swallowed.
	if !api.ValidID(id) {
		return nil
	}
	block.Advance(end + 1)
	return &Ref{Use: Use{ID: id, Offset: seg.Start}}
}

type transformer struct{}

func (transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var blocks []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fcb, ok := n.(*ast.FencedCodeBlock); ok && entering && fcb.Info != nil {
			blocks = append(blocks, fcb)
		}
		return ast.WalkContinue, nil
	})
	for _, fcb := range blocks {
		infoStart := fcb.Info.Segment.Start
		parsed, err := info.Parse(string(fcb.Info.Segment.Value(src)))
		if err != nil {
			continue // the block's owner (template or plain code) reports malformed info strings
		}
		attr, ok := parsed.Get("probe")
		if !ok {
			continue
		}
		wrap := &Checked{}
		valueAt := infoStart + attr.Offset + len("probe=")
		for _, id := range strings.Split(attr.Value, ",") {
			switch {
			case id == "":
				wrap.problems = append(wrap.problems, diag.Problem{Offset: valueAt, Message: "empty probe ID in probe= (write probe=a,b with no spaces)"})
			case !api.ValidID(id):
				wrap.problems = append(wrap.problems, diag.Problem{Offset: valueAt, Message: "probe ID \"" + id + "\" must be lowercase letters, digits and '-'"})
			default:
				wrap.Uses = append(wrap.Uses, Use{ID: id, Offset: valueAt})
			}
			valueAt += len(id) + 1
		}
		parent := fcb.Parent()
		parent.ReplaceChild(parent, fcb, wrap)
		wrap.AppendChild(wrap, fcb)
	}
}

type nodeRenderer struct{ opts Options }

func (r *nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindRef, r.renderRef)
	reg.Register(KindChecked, r.renderChecked)
}

func (r *nodeRenderer) renderRef(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		r.writeProbe(w, node.(*Ref).ID, "span")
	}
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderChecked(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</div>\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<div class="sc-checked"><div class="sc-probes">`)
	for _, u := range node.(*Checked).Uses {
		r.writeProbe(w, u.ID, "div")
	}
	_, _ = w.WriteString("</div>\n")
	return ast.WalkContinue, nil
}

// writeProbe writes one probe's static status, in the markup the status
// widget looks for (see package widget).
func (r *nodeRenderer) writeProbe(w util.BufWriter, id, tag string) {
	title, ok := id, false
	if r.opts.Title != nil {
		if t, known := r.opts.Title(id); known {
			title, ok = t, true
		}
	}
	esc := func(s string) { _, _ = w.Write(util.EscapeHTML([]byte(s))) }
	_, _ = w.WriteString("<" + tag + ` class="` + widget.ClassProbe + `" data-` + widget.DataProbe + `="`)
	esc(id)
	_, _ = w.WriteString(`" data-` + widget.DataState + `="` + widget.StateUnchecked + `"><span class="` + widget.ClassState + `" role="status">` +
		widget.UncheckedText + `</span> <a class="` + widget.ClassProbeLabel + `" href="`)
	esc(r.opts.APIBase + api.PathProbes + "/" + id)
	_, _ = w.WriteString(`" rel="nofollow">`)
	esc(title)
	_, _ = w.WriteString("</a>")
	if !ok {
		_, _ = w.WriteString(` <span class="sc-probe-unknown">(not declared)</span>`)
	}
	_, _ = w.WriteString("</" + tag + ">")
}
