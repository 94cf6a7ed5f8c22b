package shortcode

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown/callout"
)

// fakeResolver resolves refs to "REF(target)" and knows one param.
type fakeResolver struct{ refs []string }

var _ Resolver = (*fakeResolver)(nil)

func (f *fakeResolver) Ref(tag *Tag, target string) string {
	f.refs = append(f.refs, tag.Name+" "+target)
	return "REF(" + target + ")"
}

func (f *fakeResolver) Param(name string) (string, bool) {
	if name == "statusPage" {
		return "status.example.com", true
	}
	return "", false
}

// convert parses src as Convert does (Protect, then parse, then render the
// original source) and returns the HTML and the problems.
func convert(t *testing.T, src string, r Resolver) (string, []diag.Problem) {
	t.Helper()
	md := goldmark.New(goldmark.WithExtensions(New(), callout.Extension()))
	pc := parser.NewContext()
	if r != nil {
		Use(pc, r)
	}
	psrc := Protect(pc, []byte(src))
	require.Len(t, psrc, len(src), "Protect keeps every offset")
	root := md.Parser().Parse(text.NewReader(psrc), parser.WithContext(pc))
	var problems []diag.Problem
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if s, ok := n.(*Shortcode); ok && entering {
			problems = append(problems, s.Problems()...)
		}
		if l, ok := n.(*ast.Link); ok && entering {
			if v, ok := Expand(pc, l.Destination, func(tag *Tag) string {
				v, _, _ := Value(pc, tag)
				return v
			}); ok {
				l.Destination = []byte(v)
			}
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	require.NoError(t, md.Renderer().Render(&buf, []byte(src), root))
	return buf.String(), problems
}

func TestUnknownShortcodes(t *testing.T) {
	src := "a {{< figure src=\"x.png\" >}} b {{% note %}}inner{{% /note %}} c {{</* lit */>}} d {{ not }} e {{< /stray >}}\n"
	html, problems := convert(t, src, nil)
	assert.Equal(t, "<p>a {{&lt; figure src=&quot;x.png&quot; &gt;}} b inner c {{&lt; lit &gt;}} d {{ not }} e {{&lt; /stray &gt;}}</p>\n", html,
		"a standalone tag shows as text, a paired one shows its inner text, an escaped one is literal")
	assert.Equal(t, []diag.Problem{
		{Offset: 2, Severity: diag.Warning, Message: `unknown shortcode "figure" is shown as text`},
		{Offset: 31, Severity: diag.Warning, Message: `unknown shortcode "note" is left out; its inner text is shown`},
		{Offset: 94, Severity: diag.Warning, Message: `closing shortcode "stray" has no opening tag, so it is shown as text`},
	}, problems)
}

func TestPairedShortcodeAcrossBlocks(t *testing.T) {
	src := "{{% details Why %}}\n\nDrain **first**.\n\n- one\n\n{{% /details %}}\n\n{{< tabs >}}\nKeep it short.\n{{< /tabs >}}\n"
	html, problems := convert(t, src, nil)
	assert.Equal(t, "<p>Drain <strong>first</strong>.</p>\n<ul>\n<li>one</li>\n</ul>\n<p>\nKeep it short.\n</p>\n", html,
		"tags on lines of their own leave no empty paragraphs")
	assert.Len(t, problems, 2)
}

// The callout shortcodes of the common Hugo themes become callouts, with
// their type in words: Learn's notice, Book's hint, Docsy's alert.
func TestCalloutShortcodes(t *testing.T) {
	src := "{{% notice warning %}}\n\nDrain **first**.\n\n- one\n\n{{% /notice %}}\n\n{{< hint danger >}}\nKeep it short.\n{{< /hint >}}\n\n" +
		"{{% alert title=\"Before <you> start\" color=\"warning\" %}}\nTake a backup.\n{{% /alert %}}\n\n{{< hint purple >}}\nOdd.\n{{< /hint >}}\n\n" +
		"{{% notice tip \"Shortcut\" %}}\nUse the alias.\n{{% /notice %}}\n"
	html, problems := convert(t, src, nil)
	assert.Equal(t, `<aside class="callout callout-warning" role="note"><p class="callout-title">Warning</p>
<p>Drain <strong>first</strong>.</p>
<ul>
<li>one</li>
</ul>
</aside>
<aside class="callout callout-caution" role="note"><p class="callout-title">Caution</p>
<p>
Keep it short.
</p>
</aside>
<aside class="callout callout-warning" role="note"><p class="callout-title">Before &lt;you&gt; start</p>
<p>
Take a backup.
</p>
</aside>
<aside class="callout callout-note" role="note"><p class="callout-title">Note</p>
<p>
Odd.
</p>
</aside>
<aside class="callout callout-tip" role="note"><p class="callout-title">Shortcut</p>
<p>
Use the alias.
</p>
</aside>
`, html)
	assert.Equal(t, []diag.Problem{
		{Offset: 204, Severity: diag.Warning, Message: `unknown callout type "purple" is shown as a note (known: note, tip, important, warning, caution, info, danger)`},
	}, problems)
}

func TestRefAndParam(t *testing.T) {
	r := &fakeResolver{}
	src := "See {{< ref \"ops/x.md#a\" >}}, [the page]({{< relref \"/ops/y.md\" >}} \"Y\") and [def].\n" +
		"Status: {{< param \"statusPage\" >}} {{< param name=\"missing\" >}} {{< ref >}}\n\n" +
		"[def]: {{% ref \"z.md\" %}}\n"
	html, problems := convert(t, src, r)
	assert.Equal(t, "<p>See REF(ops/x.md#a), <a href=\"REF(/ops/y.md)\" title=\"Y\">the page</a> and <a href=\"REF(z.md)\">def</a>.\n"+
		"Status: status.example.com {{&lt; param name=&quot;missing&quot; &gt;}} {{&lt; ref &gt;}}</p>\n", html)
	assert.Equal(t, []string{"ref ops/x.md#a", "relref /ops/y.md", "ref z.md"}, r.refs)
	assert.Equal(t, []diag.Problem{
		{Offset: 119, Message: `param "missing" is not set: add it to the page's front matter or to params in the site configuration`},
		{Offset: 148, Message: `ref needs the file of a page, such as {{< ref "ops/restart.md" >}}`},
	}, problems)
}

func TestParseTag(t *testing.T) {
	tests := []struct {
		in   string
		want *Tag
	}{
		{`{{< ref "a b.md" >}}`, &Tag{Name: "ref", Args: []string{"a b.md"}}},
		{`{{% notice warning %}}`, &Tag{Name: "notice", Args: []string{"warning"}}},
		{`{{< figure src="x.png" alt='y' >}}`, &Tag{Name: "figure", Named: map[string]string{"src": "x.png", "alt": "'y'"}}},
		{`{{< /notice >}}`, &Tag{Name: "notice", Closing: true}},
		{`{{< br />}}`, &Tag{Name: "br", SelfClosing: true}},
		{"{{< x `raw \"q\"` >}}", &Tag{Name: "x", Args: []string{`raw "q"`}}},
		{`{{< "x" >}}`, nil},
		{`{{< >}}`, nil},
		{`{{ x }}`, nil},
		{`{{< x`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseTag([]byte(tt.in))
			if tt.want == nil {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			got.Raw, got.width = "", 0
			assert.Equal(t, tt.want, got)
		})
	}
}
