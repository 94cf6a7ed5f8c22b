package markdown

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/stepcheck/stepcheck/gen/markdown/cmdvar"
	"github.com/stepcheck/stepcheck/gen/markdown/commtmpl"
	"github.com/stepcheck/stepcheck/gen/markdown/mermaid"
	"github.com/stepcheck/stepcheck/gen/markdown/proberef"
)

// Section is the plain text of one part of a page, from one h2 or h3 to the
// next, for the search index. The text before the first heading is a
// section with an empty ID. Code is included: commands are what responders
// search for.
type Section struct {
	ID, Heading string
	Text        string
}

// sections splits a parsed page into sections of plain text.
func sections(root ast.Node, src []byte) []Section {
	out := []Section{{}}
	var b strings.Builder
	word := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	lines := func(n ast.Node) {
		ls := n.Lines()
		for i := 0; i < ls.Len(); i++ {
			seg := ls.At(i)
			word(strings.TrimSpace(string(seg.Value(src))))
		}
	}
	flush := func() { out[len(out)-1].Text = strings.Join(strings.Fields(b.String()), " ") }
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			// Every block ends a word: a tight list's items are text
			// blocks, not paragraphs, and would otherwise run together.
			if n.Type() == ast.TypeBlock {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if n.Level == 2 || n.Level == 3 {
				flush()
				b.Reset()
				id, _ := n.AttributeString("id")
				idb, _ := id.([]byte)
				out = append(out, Section{ID: string(idb), Heading: plainText(n, src)})
				return ast.WalkSkipChildren, nil
			}
			word(plainText(n, src))
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			b.Write(n.Segment.Value(src))
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			word(string(n.URL(src)))
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock, *cmdvar.Block, *mermaid.Block:
			lines(n)
			return ast.WalkSkipChildren, nil
		case *commtmpl.Block:
			for _, p := range n.Parts {
				if p.Field != "" {
					word(p.Field)
				} else {
					word(p.Text)
				}
			}
			return ast.WalkSkipChildren, nil
		case *proberef.Ref:
			word(n.ID)
		case *proberef.Checked:
			for _, u := range n.Uses {
				word(u.ID)
			}
		case *east.TableCell:
			b.WriteByte(' ')
		}
		return ast.WalkContinue, nil
	})
	flush()
	if out[0].Text == "" && len(out) > 1 {
		out = out[1:]
	}
	return out
}
