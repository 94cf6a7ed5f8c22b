package commtmpl

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

type result struct {
	html     string
	fields   []Field
	blocks   []*Block
	problems []diag.Problem
}

func convert(t testing.TB, src []byte) result {
	md := goldmark.New(goldmark.WithExtensions(New(Options{})))
	pc := parser.NewContext()
	root := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	var r result
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if b, ok := n.(*Block); ok && entering {
			r.blocks = append(r.blocks, b)
			r.problems = append(r.problems, b.Problems()...)
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	require.NoError(t, md.Renderer().Render(&buf, src, root))
	r.html, r.fields = buf.String(), Fields(pc)
	return r
}

func TestFieldsAreSharedAndTyped(t *testing.T) {
	r := convert(t, []byte("```template id=a title=\"A\"\n{{severity}} {{who:select(Ann|Bob)}} {{probe.api-live}}\n```\n\n```template\n{{who}} {{started}} {{notes:long}}\n```\n"))
	require.Empty(t, r.problems)
	require.Len(t, r.blocks, 2)
	assert.Equal(t, "a", r.blocks[0].ID)
	assert.Equal(t, "template-2", r.blocks[1].ID, "a template without an id gets one from its position")
	var got []string
	for _, f := range r.fields {
		got = append(got, f.Name+":"+f.Type.String())
	}
	assert.Equal(t, []string{"severity:select(SEV-1|SEV-2|SEV-3|SEV-4)", "who:select(Ann|Bob)", "probe.api-live:auto", "started:time", "notes:long"}, got)
	assert.Equal(t, "api-live", r.blocks[0].ProbeUses()[0].ID)
}

// TestProbeFieldsTakeProbeIDs checks {{probe.id}} against the probe API's
// own rule for IDs, its length included.
func TestProbeFieldsTakeProbeIDs(t *testing.T) {
	long := strings.Repeat("a", 65)
	r := convert(t, []byte("```template id=a\n{{probe.api-live}} {{probe.Api}} {{probe.-x}} {{probe."+long+"}}\n```\n"))
	var msgs []string
	for _, p := range r.problems {
		msgs = append(msgs, p.Message)
	}
	assert.Equal(t, []string{
		`probe ID "Api" in {{probe.Api}} must be lowercase letters, digits and '-', 64 at most`,
		`probe ID "-x" in {{probe.-x}} must be lowercase letters, digits and '-', 64 at most`,
		`probe ID "` + long + `" in {{probe.` + long + `}} must be lowercase letters, digits and '-', 64 at most`,
	}, msgs)
	require.Len(t, r.blocks[0].ProbeUses(), 1)
	assert.Equal(t, "api-live", r.blocks[0].ProbeUses()[0].ID)
}

func TestTemplateTextIsEscaped(t *testing.T) {
	r := convert(t, []byte("```template id=x\n<script>alert(1)</script> {{title}} & \"q\"\n```\n"))
	assert.Contains(t, r.html, "&lt;script&gt;alert(1)&lt;/script&gt; <span class=\"sc-field\" data-field=\"title\">{{title}}</span> &amp; &quot;q&quot;")
	assert.NotContains(t, r.html, "<script>")
}

func FuzzTemplate(f *testing.F) {
	files, _ := filepath.Glob("../../../content/*/*.md")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte("```template")) {
			f.Add(b)
		}
	}
	f.Add([]byte("```template id=a title=\"x\n{{a:select(|)}}{{b:select(x|x)}}{{probe.}}{{"))
	f.Fuzz(func(t *testing.T, src []byte) {
		r := convert(t, src)
		for _, p := range r.problems {
			assert.True(t, p.Offset >= 0 && p.Offset <= len(src), "offset %d in %d bytes", p.Offset, len(src))
			assert.NotEmpty(t, p.Message)
		}
		for _, fl := range r.fields {
			assert.True(t, namePattern.MatchString(fl.Name) || strings.HasPrefix(fl.Name, widget.ProbeField), fl.Name)
		}
		// Template text never becomes markup: the only tags are ours.
		for _, b := range r.blocks {
			for _, p := range b.Parts {
				if p.Text != "" && strings.ContainsAny(p.Text, "<>") {
					assert.NotContains(t, r.html, p.Text)
				}
			}
		}
	})
}

// TestFormComesBeforeTheFirstTemplatesSection: one form per page, before
// the h2 that opens the section of the first template (not between a
// heading and its template), or before the template's top-level block when
// no h2 comes before it; its inputs are disabled until the widgets run,
// and a field's options are text.
func TestFormComesBeforeTheFirstTemplatesSection(t *testing.T) {
	src := "# Page\n\nIntro.\n\n## Tell people\n\nSay this:\n\n```template id=a\n{{title}} {{mood:select(calm|<b>loud</b>)}}\n```\n\n## Later\n\n```template id=b\n{{title}}\n```\n"
	html := convert(t, []byte(src)).html
	assert.Equal(t, 1, strings.Count(html, `<details class="`+widget.ClassForm+`"`), "one form per page")
	form := strings.Index(html, `<details class="`+widget.ClassForm)
	assert.Less(t, strings.Index(html, "Intro."), form)
	assert.Less(t, form, strings.Index(html, "<h2>Tell people</h2>"), "before the section's heading")
	assert.Contains(t, html, `<select id="sc-f-mood" name="mood" disabled><option value="">—</option><option value="calm">calm</option><option value="&lt;b&gt;loud&lt;/b&gt;">&lt;b&gt;loud&lt;/b&gt;</option></select>`)
	assert.Contains(t, html, `<input type="text" id="sc-f-title" name="title" disabled>`)
	assert.Contains(t, html, `<label for="sc-f-started">Started at</label><input type="datetime-local" id="sc-f-started" name="started" disabled>`)
	assert.NotContains(t, html, `name="now"`, "automatic fields have no input")

	// In a list, without an h2 before it: before the list.
	html = convert(t, []byte("Steps:\n\n1. Post this:\n\n   ```template id=a\n   {{title}}\n   ```\n")).html
	assert.Less(t, strings.Index(html, "<p>Steps:</p>"), strings.Index(html, `<details class="`+widget.ClassForm))
	assert.Less(t, strings.Index(html, `<details class="`+widget.ClassForm), strings.Index(html, "<ol>"))

	// No template, no form.
	assert.NotContains(t, convert(t, []byte("## Plain\n\n```sh\necho hi\n```\n")).html, widget.ClassForm)
}
