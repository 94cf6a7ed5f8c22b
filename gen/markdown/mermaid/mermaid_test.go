package mermaid

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// convert renders src with only this extension, and counts the diagrams.
func convert(t testing.TB, src []byte) (string, int) {
	md := goldmark.New(goldmark.WithExtensions(New()))
	root := md.Parser().Parse(text.NewReader(src), parser.WithContext(parser.NewContext()))
	n := 0
	_ = ast.Walk(root, func(node ast.Node, entering bool) (ast.WalkStatus, error) {
		if _, ok := node.(*Block); ok && entering {
			n++
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	require.NoError(t, md.Renderer().Render(&buf, src, root))
	return buf.String(), n
}

func TestDiagrams(t *testing.T) {
	tests := []struct {
		name, src, want string
		diagrams        int
	}{
		{
			name: "a flowchart is a figure with its source as code",
			src:  "```mermaid\nflowchart LR\n  A[Alert] --> B{Up?}\n  B -- \"no\" --> C[Page <ONCALL> & co]\n```\n",
			want: `<figure class="sc-diagram" data-diagram="mermaid"><pre><code class="language-mermaid">flowchart LR
  A[Alert] --&gt; B{Up?}
  B -- &quot;no&quot; --&gt; C[Page &lt;ONCALL&gt; &amp; co]
</code></pre></figure>
`,
			diagrams: 1,
		},
		{
			name:     "markup in the source stays text",
			src:      "```mermaid\ngraph TD\n  A[\"</code></pre><script>alert(1)</script>\"]\n```\n",
			want:     "<figure class=\"sc-diagram\" data-diagram=\"mermaid\"><pre><code class=\"language-mermaid\">graph TD\n  A[&quot;&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;]\n</code></pre></figure>\n",
			diagrams: 1,
		},
		{
			name:     "words after the language are allowed",
			src:      "~~~mermaid title=\"Escalation\"\nsequenceDiagram\n  A->>B: page\n~~~\n",
			want:     "<figure class=\"sc-diagram\" data-diagram=\"mermaid\"><pre><code class=\"language-mermaid\">sequenceDiagram\n  A-&gt;&gt;B: page\n</code></pre></figure>\n",
			diagrams: 1,
		},
		{
			name:     "inside a list item, the item's indent is not part of the source",
			src:      "1. Escalate:\n\n   ```mermaid\n   graph LR\n     a --> b\n   ```\n",
			want:     "<ol>\n<li>\n<p>Escalate:</p>\n<figure class=\"sc-diagram\" data-diagram=\"mermaid\"><pre><code class=\"language-mermaid\">graph LR\n  a --&gt; b\n</code></pre></figure>\n</li>\n</ol>\n",
			diagrams: 1,
		},
		{
			name:     "an empty block is plain code: there is nothing to draw",
			src:      "```mermaid\n\n```\n",
			want:     "<pre><code class=\"language-mermaid\">\n</code></pre>\n",
			diagrams: 0,
		},
		{
			name: "other languages, case and indented code are left alone",
			src:  "```Mermaid\ngraph LR\n```\n\n```mermaidjs\ngraph LR\n```\n\n    mermaid\n",
			want: "<pre><code class=\"language-Mermaid\">graph LR\n</code></pre>\n" +
				"<pre><code class=\"language-mermaidjs\">graph LR\n</code></pre>\n" +
				"<pre><code>mermaid\n</code></pre>\n",
			diagrams: 0,
		},
		{
			name:     "a fence left open runs to the end, as any code block does",
			src:      "```mermaid\npie\n  \"a\" : 1\n",
			want:     "<figure class=\"sc-diagram\" data-diagram=\"mermaid\"><pre><code class=\"language-mermaid\">pie\n  &quot;a&quot; : 1\n</code></pre></figure>\n",
			diagrams: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html, n := convert(t, []byte(tt.src))
			assert.Equal(t, tt.want, html)
			assert.Equal(t, tt.diagrams, n)
		})
	}
}

// FuzzDiagram checks that a diagram's source never becomes markup: inside a
// figure the only elements are the ones this extension writes.
func FuzzDiagram(f *testing.F) {
	files, _ := filepath.Glob("../testdata/*.md")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("```mermaid\ngraph LR\n  a[\"<b>x</b>\"] --> b\n```\n"))
	f.Add([]byte("- ```mermaid\n  pie\n```\n> ```mermaid\n> graph\n"))
	tag := regexp.MustCompile(`<[^>]*>`)
	f.Fuzz(func(t *testing.T, src []byte) {
		html, n := convert(t, src)
		figures := strings.Split(html, `<figure class="sc-diagram" data-diagram="mermaid">`)[1:]
		assert.Len(t, figures, n)
		for _, fig := range figures {
			body, _, ok := strings.Cut(fig, "</figure>")
			require.True(t, ok)
			tags := tag.FindAllString(body, -1)
			assert.Equal(t, []string{`<pre>`, `<code class="language-mermaid">`, `</code>`, `</pre>`}, tags)
		}
	})
}
