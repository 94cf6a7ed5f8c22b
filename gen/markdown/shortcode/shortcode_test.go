package shortcode

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

func TestShortcodes(t *testing.T) {
	src := []byte("a {{< figure src=\"x.png\" >}} b {{% note %}}inner{{% /note %}} c {{</* lit */>}} d {{ not }}\n")
	md := goldmark.New(goldmark.WithExtensions(New()))
	root := md.Parser().Parse(text.NewReader(src))
	var names []string
	var warnings int
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if s, ok := n.(*Shortcode); ok && entering {
			names = append(names, s.Name)
			warnings += len(s.Problems())
		}
		return ast.WalkContinue, nil
	})
	assert.Equal(t, []string{"figure", "note", "note", "lit"}, names)
	assert.Equal(t, 2, warnings, "closing and escaped tags are not warned about")
	var buf bytes.Buffer
	require.NoError(t, md.Renderer().Render(&buf, src, root))
	assert.Equal(t, "<p>a {{&lt; figure src=&quot;x.png&quot; &gt;}} b {{% note %}}inner{{% /note %}} c {{&lt; lit &gt;}} d {{ not }}</p>\n", buf.String())
}
