package callout

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

func render(t *testing.T, src string) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, goldmark.New(goldmark.WithExtensions(extension.GFM, Extension())).Convert([]byte(src), &buf))
	return buf.String()
}

func TestGitHubAlerts(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"marker on its own line", "> [!WARNING]\n> Drain the node **first**.\n",
			"<aside class=\"callout callout-warning\" role=\"note\"><p class=\"callout-title\">Warning</p>\n<p>Drain the node <strong>first</strong>.</p>\n</aside>\n"},
		{"any case, paragraphs after", "> [!caution]\n>\n> Data loss.\n>\n> - take a backup\n",
			"<aside class=\"callout callout-caution\" role=\"note\"><p class=\"callout-title\">Caution</p>\n<p>Data loss.</p>\n<ul>\n<li>take a backup</li>\n</ul>\n</aside>\n"},
		{"each of the five", "> [!NOTE]\n> a\n\n> [!TIP]\n> b\n\n> [!IMPORTANT]\n> c\n",
			"<aside class=\"callout callout-note\" role=\"note\"><p class=\"callout-title\">Note</p>\n<p>a</p>\n</aside>\n" +
				"<aside class=\"callout callout-tip\" role=\"note\"><p class=\"callout-title\">Tip</p>\n<p>b</p>\n</aside>\n" +
				"<aside class=\"callout callout-important\" role=\"note\"><p class=\"callout-title\">Important</p>\n<p>c</p>\n</aside>\n"},
		{"nested in a list item", "- step\n\n  > [!TIP]\n  > Use the alias.\n",
			"<ul>\n<li>\n<p>step</p>\n<aside class=\"callout callout-tip\" role=\"note\"><p class=\"callout-title\">Tip</p>\n<p>Use the alias.</p>\n</aside>\n</li>\n</ul>\n"},
		{"an unknown type is a quote", "> [!DANGER]\n> x\n", "<blockquote>\n<p>[!DANGER]\nx</p>\n</blockquote>\n"},
		{"text after the marker is a quote", "> [!NOTE] read this\n", "<blockquote>\n<p>[!NOTE] read this</p>\n</blockquote>\n"},
		{"a plain quote", "> quoted\n", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"},
		{"the marker alone", "> [!NOTE]\n", "<aside class=\"callout callout-note\" role=\"note\"><p class=\"callout-title\">Note</p>\n</aside>\n"},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, render(t, tt.src)) })
	}
}

func TestTypeWords(t *testing.T) {
	for word, want := range map[string]Type{"info": Note, "Danger": Caution, "success": Tip, "warning": Warning, " important ": Important} {
		got, ok := Parse(word)
		assert.True(t, ok, word)
		assert.Equal(t, want, got, word)
	}
	_, ok := Parse("purple")
	assert.False(t, ok)
	assert.Equal(t, "Warning", New(Warning, " ").Title, "an empty title shows the type's word")
}

func FuzzAlerts(f *testing.F) {
	f.Add("> [!NOTE]\n> a\n")
	f.Add("- > [!tip]\n  >\n  > b\n")
	f.Fuzz(func(t *testing.T, src string) {
		var buf bytes.Buffer
		_ = goldmark.New(goldmark.WithExtensions(extension.GFM, Extension())).Convert([]byte(src), &buf)
	})
}
