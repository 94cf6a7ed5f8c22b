// Package callout renders callouts: the notes and warnings a runbook sets
// apart ("drain the node first"). Two sources give them:
//
//   - GitHub alerts, a blockquote whose first line is [!NOTE], [!TIP],
//     [!IMPORTANT], [!WARNING] or [!CAUTION], which this package's
//     transformer finds;
//   - Hugo's common callout shortcodes (hint, notice, alert, admonition,
//     callout), which package shortcode pairs and hands to Wrap.
//
// Both render one element: the type in words (a title the reader sees and
// a screen reader says), then the content. The theme colours it, but the
// words carry the meaning, so it reads without colour.
package callout

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Type is a callout's kind, one of GitHub's five.
type Type string

// The types, and the word each shows.
const (
	Note      Type = "note"
	Tip       Type = "tip"
	Important Type = "important"
	Warning   Type = "warning"
	Caution   Type = "caution"
)

var titles = map[Type]string{Note: "Note", Tip: "Tip", Important: "Important", Warning: "Warning", Caution: "Caution"}

// synonyms maps the type names Hugo themes use (Book's hint info|warning|
// danger, Learn's notice, Docsy's alert color=…, Bootstrap's colours) to
// GitHub's five.
var synonyms = map[string]Type{
	"note": Note, "info": Note, "primary": Note, "secondary": Note, "light": Note, "dark": Note, "default": Note,
	"tip": Tip, "hint": Tip, "success": Tip,
	"important": Important,
	"warning":   Warning, "warn": Warning, "attention": Warning,
	"caution": Caution, "danger": Caution, "error": Caution, "alert": Caution,
}

// Parse names the type that a word stands for.
func Parse(word string) (Type, bool) {
	t, ok := synonyms[strings.ToLower(strings.TrimSpace(word))]
	return t, ok
}

// Shortcodes are the Hugo shortcodes that are callouts.
var Shortcodes = map[string]bool{"hint": true, "notice": true, "alert": true, "admonition": true, "callout": true}

// KindCallout is the callout node's kind.
var KindCallout = ast.NewNodeKind("Callout")

// Callout is a block holding the callout's content.
type Callout struct {
	ast.BaseBlock
	Variant Type
	// Title is what the callout shows above its content: the type's word
	// unless the writer gave one (Docsy's title="…").
	Title string
}

// Kind implements ast.Node.
func (n *Callout) Kind() ast.NodeKind { return KindCallout }

// Dump implements ast.Node.
func (n *Callout) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Type": string(n.Variant), "Title": n.Title}, nil)
}

// New returns a callout of type t; an empty title shows the type's word.
func New(t Type, title string) *Callout {
	if title = strings.TrimSpace(title); title == "" {
		title = titles[t]
	}
	return &Callout{Variant: t, Title: title}
}

// Wrap moves the siblings from first to last (inclusive, same parent) into
// c, which takes their place.
func Wrap(c *Callout, first, last ast.Node) {
	parent := first.Parent()
	parent.InsertBefore(parent, first, c)
	for n := first; n != nil; {
		next := n.NextSibling()
		c.AppendChild(c, n)
		if n == last {
			break
		}
		n = next
	}
}

// Extension renders callouts and turns GitHub alerts into them.
func Extension() goldmark.Extender { return extender{} }

type extender struct{}

func (extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(alerts{}, 900)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 500)))
}

// alerts finds blockquotes whose first line is a GitHub alert marker.
type alerts struct{}

func (alerts) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var found []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if q, ok := n.(*ast.Blockquote); ok && entering {
			found = append(found, q)
		}
		return ast.WalkContinue, nil
	})
	for _, q := range found {
		p, ok := q.FirstChild().(*ast.Paragraph)
		if !ok || p.Lines().Len() == 0 {
			continue
		}
		first := p.Lines().At(0)
		t, ok := marker(first.Value(src))
		if !ok {
			continue
		}
		dropFirstLine(p, first.Stop, src)
		c := New(t, "")
		q.Parent().ReplaceChild(q.Parent(), q, c)
		for n := q.FirstChild(); n != nil; {
			next := n.NextSibling()
			c.AppendChild(c, n)
			n = next
		}
	}
}

// marker reads a line "[!TYPE]", in any case, with nothing else on it
// (GitHub shows a line with more as an ordinary quote).
func marker(line []byte) (Type, bool) {
	s := strings.TrimSpace(string(line))
	if !strings.HasPrefix(s, "[!") || !strings.HasSuffix(s, "]") {
		return "", false
	}
	t := Type(strings.ToLower(s[2 : len(s)-1]))
	_, ok := titles[t]
	return t, ok
}

// dropFirstLine removes the marker line's inline nodes from p, and p itself
// when nothing else is left.
func dropFirstLine(p *ast.Paragraph, stop int, src []byte) {
	for c := p.FirstChild(); c != nil; {
		next := c.NextSibling()
		t, ok := c.(*ast.Text)
		if ok && t.Segment.Start >= stop {
			break
		}
		p.RemoveChild(p, c)
		if ok && (t.SoftLineBreak() || t.HardLineBreak()) {
			break
		}
		c = next
	}
	lines := p.Lines()
	rest := text.NewSegments()
	for i := 1; i < lines.Len(); i++ {
		rest.Append(lines.At(i))
	}
	p.SetLines(rest)
	if p.FirstChild() == nil {
		p.Parent().RemoveChild(p.Parent(), p)
	}
}

type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindCallout, func(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		n := node.(*Callout)
		if entering {
			// The title is the type in words; role=note, not a landmark,
			// so a screen reader says it once, where it stands.
			_, _ = w.WriteString(`<aside class="callout callout-` + string(n.Variant) + `" role="note"><p class="callout-title">` +
				string(util.EscapeHTML([]byte(n.Title))) + "</p>\n")
		} else {
			_, _ = w.WriteString("</aside>\n")
		}
		return ast.WalkContinue, nil
	})
}
