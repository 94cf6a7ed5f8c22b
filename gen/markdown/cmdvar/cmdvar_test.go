package cmdvar

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

func convert(t testing.TB, src []byte) (string, []string) {
	md := goldmark.New(goldmark.WithExtensions(New()))
	pc := parser.NewContext()
	root := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	var buf bytes.Buffer
	require.NoError(t, md.Renderer().Render(&buf, src, root))
	return buf.String(), Names(pc)
}

func TestVariables(t *testing.T) {
	html, names := convert(t, []byte("```sh\nping <HOST> && ssh <USER>@<HOST>\ncat <file> <<EOF\n```\n\n```sh\necho <USER>\n```\n\n```\nno vars\n```\n"))
	assert.Equal(t, []string{"HOST", "USER"}, names)
	assert.Equal(t, `<pre class="sc-vars" data-vars="HOST USER"><code class="language-sh">ping <var class="sc-var" data-var="HOST">&lt;HOST&gt;</var> &amp;&amp; ssh <var class="sc-var" data-var="USER">&lt;USER&gt;</var>@<var class="sc-var" data-var="HOST">&lt;HOST&gt;</var>
cat &lt;file&gt; &lt;&lt;EOF
</code></pre>
<pre class="sc-vars" data-vars="USER"><code class="language-sh">echo <var class="sc-var" data-var="USER">&lt;USER&gt;</var>
</code></pre>
<pre><code>no vars
</code></pre>
`, html)
}

func FuzzCommandVars(f *testing.F) {
	files, _ := filepath.Glob("../../../content/*/*.md")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("```\n<A><B_1>< C ><D\n```"))
	f.Fuzz(func(t *testing.T, src []byte) {
		html, names := convert(t, src)
		for _, n := range names {
			assert.Regexp(t, `^[A-Z][A-Z0-9_]*$`, n)
			assert.Contains(t, html, `data-var="`+n+`"`)
		}
		// Everything between <var> tags is the escaped name: the only
		// elements this extension writes are pre, code and var.
		for _, chunk := range strings.Split(html, `<var class="sc-var" data-var="`)[1:] {
			name, _, _ := strings.Cut(chunk, `"`)
			assert.Regexp(t, `^[A-Z][A-Z0-9_]*$`, name)
		}
	})
}
