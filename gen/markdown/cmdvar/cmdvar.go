// Package cmdvar is the goldmark extension for command variables: a value
// the responder supplies, written <UPPER_SNAKE_CASE> inside a code block:
//
//	iptables -A INPUT -s <SUSPICIOUS_IP> -j DROP
//
// The reader types the value once and every command on the page that uses it
// shows and copies the filled-in command. Without JavaScript the placeholder
// stays visible, so the command can still be copied and edited by hand.
package cmdvar

import (
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/stepcheck/stepcheck/wasm/widget"
)

// Pattern matches one variable. Upper case only: shell code is full of
// <lower> redirections and heredocs that must stay untouched.
var Pattern = regexp.MustCompile(`<([A-Z][A-Z0-9_]*)>`)

// KindBlock is the kind of a code block that holds variables.
var KindBlock = ast.NewNodeKind("CommandVars")

// Block replaces a code block that uses variables.
type Block struct {
	ast.BaseBlock
	Language string
	Vars     []string // distinct, in order of appearance
}

// Kind implements ast.Node.
func (n *Block) Kind() ast.NodeKind { return KindBlock }

// IsRaw implements ast.Node: the lines are code, not Markdown.
func (n *Block) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *Block) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Vars": strings.Join(n.Vars, ",")}, nil)
}

type extension struct{}

// New returns the extension.
func New() goldmark.Extender { return extension{} }

// Extend implements goldmark.Extender.
func (extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(transformer{}, 300)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)))
}

var namesKey = parser.NewContextKey()

// Names returns the variables used on the page just parsed with pc, in order
// of first appearance.
func Names(pc parser.Context) []string {
	ns, _ := pc.Get(namesKey).([]string)
	return ns
}

type transformer struct{}

func (transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var blocks []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.Kind() {
		case ast.KindFencedCodeBlock, ast.KindCodeBlock:
			if entering {
				blocks = append(blocks, n)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	var page []string
	seen := map[string]bool{}
	for _, n := range blocks {
		var vars []string
		inBlock := map[string]bool{}
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			for _, m := range Pattern.FindAllSubmatch(seg.Value(src), -1) {
				name := string(m[1])
				if !inBlock[name] {
					inBlock[name] = true
					vars = append(vars, name)
				}
				if !seen[name] {
					seen[name] = true
					page = append(page, name)
				}
			}
		}
		if len(vars) == 0 {
			continue
		}
		b := &Block{Vars: vars}
		if fcb, ok := n.(*ast.FencedCodeBlock); ok {
			b.Language = string(fcb.Language(src))
		}
		b.SetLines(lines)
		parent := n.Parent()
		parent.ReplaceChild(parent, n, b)
	}
	if len(page) > 0 {
		pc.Set(namesKey, page)
	}
}

type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindBlock, renderBlock)
}

// renderBlock writes the code with each variable as a <var> element, in
// the markup the variables widget looks for (see package widget).
func renderBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	b := node.(*Block)
	_, _ = w.WriteString(`<pre class="` + widget.ClassVars + `" data-` + widget.DataVars + `="`)
	_, _ = w.WriteString(strings.Join(b.Vars, " ")) // names match Pattern: safe in an attribute
	_, _ = w.WriteString(`"><code`)
	if b.Language != "" {
		_, _ = w.WriteString(` class="language-`)
		_, _ = w.Write(util.EscapeHTML([]byte(b.Language)))
		_, _ = w.WriteString(`"`)
	}
	_, _ = w.WriteString(">")
	lines := b.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		line := seg.Value(src)
		last := 0
		for _, m := range Pattern.FindAllSubmatchIndex(line, -1) {
			_, _ = w.Write(util.EscapeHTML(line[last:m[0]]))
			name := line[m[2]:m[3]]
			_, _ = w.WriteString(`<var class="` + widget.ClassVar + `" data-` + widget.DataVar + `="`)
			_, _ = w.Write(name)
			_, _ = w.WriteString(`">&lt;`)
			_, _ = w.Write(name)
			_, _ = w.WriteString(`&gt;</var>`)
			last = m[1]
		}
		_, _ = w.Write(util.EscapeHTML(line[last:]))
	}
	_, _ = w.WriteString("</code></pre>\n")
	return ast.WalkSkipChildren, nil
}
