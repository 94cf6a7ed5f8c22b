// Package mermaid is the goldmark extension for Mermaid diagrams: a fenced
// code block whose language is "mermaid", as GitHub renders them.
//
//	```mermaid
//	flowchart LR
//	  alert --> triage --> fix
//	```
//
// A diagram renders as its source, escaped, in a <pre><code> inside
// <figure class="sc-diagram" data-diagram="mermaid">, so without JavaScript
// it reads as code. A page with a diagram loads the theme's diagrams.js,
// which loads the Mermaid library after the first paint and draws each
// diagram in place; a diagram that fails to draw keeps its code on the page,
// with Mermaid's error above it.
//
// An empty block stays a plain code block: there is nothing to draw.
package mermaid

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Language is the info-string language that marks a diagram.
const Language = "mermaid"

// KindBlock is the diagram's node kind.
var KindBlock = ast.NewNodeKind("MermaidDiagram")

// Block is one diagram. Its lines are the diagram's source.
type Block struct {
	ast.BaseBlock
}

// Kind implements ast.Node.
func (n *Block) Kind() ast.NodeKind { return KindBlock }

// IsRaw implements ast.Node: the lines are diagram source, not Markdown.
func (n *Block) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *Block) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

type extension struct{}

// New returns the extension.
func New() goldmark.Extender { return extension{} }

// priority places the transformer after proberef's (200), which wraps a code
// block that names probes and keeps the block itself as its child, and
// before cmdvar's (300), which would take a <NAME> in a diagram's label for
// a command variable.
const priority = 250

// Extend implements goldmark.Extender.
func (extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(transformer{}, priority)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)))
}

type transformer struct{}

func (transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var blocks []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fcb, ok := n.(*ast.FencedCodeBlock); ok && entering && string(fcb.Language(src)) == Language && !blank(fcb, src) {
			blocks = append(blocks, fcb)
		}
		return ast.WalkContinue, nil
	})
	for _, fcb := range blocks {
		b := &Block{}
		b.SetLines(fcb.Lines())
		parent := fcb.Parent()
		parent.ReplaceChild(parent, fcb, b)
	}
}

func blank(n ast.Node, src []byte) bool {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if len(bytes.TrimSpace(seg.Value(src))) > 0 {
			return false
		}
	}
	return true
}

type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindBlock, renderBlock)
}

// renderBlock writes the figure. data-diagram="mermaid" and the code inside
// it are the contract with diagrams.js, which reads the source from the
// code's text.
func renderBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<figure class="sc-diagram" data-diagram="mermaid"><pre><code class="language-mermaid">`)
	lines := node.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		_, _ = w.Write(util.EscapeHTML(seg.Value(src)))
	}
	_, _ = w.WriteString("</code></pre></figure>\n")
	return ast.WalkSkipChildren, nil
}
