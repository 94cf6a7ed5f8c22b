package proberef

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gfm "github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

func convert(t testing.TB, src []byte) (string, []Use, ast.Node) {
	md := goldmark.New(goldmark.WithExtensions(gfm.GFM, New(Options{
		Title: func(id string) (string, bool) { return "T<" + id + ">", id == "known" },
	})))
	root := md.Parser().Parse(text.NewReader(src))
	var uses []Use
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if u, ok := n.(interface{ ProbeUses() []Use }); ok && entering {
			uses = append(uses, u.ProbeUses()...)
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	require.NoError(t, md.Renderer().Render(&buf, src, root))
	return buf.String(), uses, root
}

func TestInlineAndBlockReferences(t *testing.T) {
	src := []byte("- ok {probe:known} and {probe:other}\n\n```sh probe=known\nx\n```\n")
	html, uses, _ := convert(t, src)
	assert.Equal(t, []Use{{ID: "known", Offset: 5}, {ID: "other", Offset: 23}, {ID: "known", Offset: 50}}, uses)
	assert.Contains(t, html, `<span class="sc-probe" data-probe="known" data-state="unchecked"><span class="sc-state" role="status">not checked</span> <a class="sc-probe-label" href="/api/v1/probes/known" rel="nofollow">T&lt;known&gt;</a></span>`,
		"the label is escaped")
	assert.Contains(t, html, `(not declared)`)
	assert.Contains(t, html, `<div class="sc-checked"><div class="sc-probes"><div class="sc-probe" data-probe="known"`)
}

func TestCodeBlockWithoutProbeIsUntouched(t *testing.T) {
	html, uses, _ := convert(t, []byte("```sh title=\"x\"\necho {probe:in-code}\n```\n"))
	assert.Empty(t, uses, "references inside code are code")
	assert.Equal(t, "<pre><code class=\"language-sh\">echo {probe:in-code}\n</code></pre>\n", html)
}

// seeds returns the shipped content pages, the fuzzers' starting corpus.
func seeds(f *testing.F) {
	files, _ := filepath.Glob("../../../content/*/*.md")
	more, _ := filepath.Glob("../../../content/*.md")
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("{probe:a}{probe:}{probe:a-b}{probe:a"))
	f.Add([]byte("```x probe=a,,b\n```"))
}

func FuzzProbeRef(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		_, uses, _ := convert(t, src)
		for _, u := range uses {
			assert.True(t, api.ValidID(u.ID), u.ID)
			assert.True(t, u.Offset >= 0 && u.Offset <= len(src), "offset %d in %d bytes", u.Offset, len(src))
		}
	})
}
