// Package shortcode recognises Hugo shortcodes ({{< name args >}} and
// {{% name args %}}) so that existing Hugo runbooks build. A shortcode that
// stepcheck does not implement is a warning, and renders as its own text so
// nothing the writer wrote disappears.
package shortcode

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// KindShortcode is the shortcode node's kind.
var KindShortcode = ast.NewNodeKind("Shortcode")

// Shortcode is one shortcode tag, opening or closing.
type Shortcode struct {
	ast.BaseInline
	Name    string
	Closing bool
	Raw     string
	Offset  int
	// Escaped is Hugo's {{</* x */>}}, which means the literal {{< x >}}.
	Escaped bool
}

// Kind implements ast.Node.
func (n *Shortcode) Kind() ast.NodeKind { return KindShortcode }

// Dump implements ast.Node.
func (n *Shortcode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.Name}, nil)
}

// Problems warns that the shortcode is not implemented. Closing tags are not
// reported again.
func (n *Shortcode) Problems() []diag.Problem {
	if n.Closing || n.Escaped {
		return nil
	}
	return []diag.Problem{{Offset: n.Offset, Severity: diag.Warning,
		Message: fmt.Sprintf("unknown shortcode %q is shown as text", n.Name)}}
}

type extension struct{}

// New returns the extension.
func New() goldmark.Extender { return extension{} }

// Extend implements goldmark.Extender.
func (extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(inlineParser{}, 140)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)))
}

type inlineParser struct{}

func (inlineParser) Trigger() []byte { return []byte{'{'} }

func (inlineParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	var closer string
	switch {
	case bytes.HasPrefix(line, []byte("{{<")):
		closer = ">}}"
	case bytes.HasPrefix(line, []byte("{{%")):
		closer = "%}}"
	default:
		return nil
	}
	end := bytes.Index(line[3:], []byte(closer))
	if end < 0 {
		return nil
	}
	consumed := 3 + end + len(closer)
	raw := string(line[:consumed])
	inner := strings.TrimSpace(string(line[3 : 3+end]))
	escaped := strings.HasPrefix(inner, "/*") && strings.HasSuffix(inner, "*/")
	if escaped {
		inner = strings.TrimSpace(inner[2 : len(inner)-2])
		raw = "{{" + raw[2:3] + " " + inner + " " + closer
	}
	closing := strings.HasPrefix(inner, "/")
	name := strings.Fields(strings.TrimPrefix(inner, "/") + " ")
	if len(name) == 0 {
		return nil
	}
	block.Advance(consumed)
	return &Shortcode{Name: name[0], Closing: closing, Raw: raw, Offset: seg.Start, Escaped: escaped}
}

type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindShortcode, func(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.Write(util.EscapeHTML([]byte(node.(*Shortcode).Raw)))
		}
		return ast.WalkSkipChildren, nil
	})
}
