package site

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/themes"
)

var diagramScript = regexp.MustCompile(`<script src="(/assets/diagrams\.[0-9a-f]{10}\.js)" data-mermaid="(/assets/vendor/mermaid\.min\.[0-9a-f]{10}\.js)" defer></script>`)

const flowPage = "---\ntitle: Flow\n---\n## Escalate\n\n```mermaid\nflowchart LR\n  alert --> page\n```\n"

// TestDiagramPagesLoadTheLibrary checks that a page with a diagram gets the
// diagram script, which names the library, that the library is published
// byte for byte as the theme has it, with its precompressed copies, and that
// a page without a diagram carries no trace of either.
func TestDiagramPagesLoadTheLibrary(t *testing.T) {
	root := writeSite(t, map[string]string{
		"content/_index.md":   "---\ntitle: Home\n---\nNo diagram here.\n\n```sh\necho ok\n```\n",
		"content/ops/flow.md": flowPage,
	})
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: root}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))

	flow := string(out.Files["ops/flow/index.html"])
	m := diagramScript.FindAllStringSubmatch(flow, -1)
	require.Len(t, m, 1, "one diagram script, deferred, in:\n%s", flow)
	head, _, _ := strings.Cut(flow, "</head>")
	assert.Contains(t, head, m[0][0], "the script is in the head, deferred")
	assert.Contains(t, flow, `<figure class="sc-diagram" data-diagram="mermaid"><pre><code class="language-mermaid">flowchart LR`)
	assert.Contains(t, out.Files, strings.TrimPrefix(m[0][1], "/"), "the diagram script is published")

	lib := strings.TrimPrefix(m[0][2], "/")
	for _, ext := range []string{"", ".br", ".gz"} {
		want, err := fs.ReadFile(themes.Default(), "static/"+themes.Mermaid+ext)
		require.NoError(t, err)
		assert.Equal(t, want, out.Files[lib+ext], "%s%s is the theme's file, not minified again", lib, ext)
	}
	assert.Contains(t, out.Files, "vendor/mermaid.min.js.LICENSE.txt", "the library's licence goes with it")
	for name := range out.Files {
		assert.False(t, strings.HasPrefix(name, "vendor/") && name != "vendor/mermaid.min.js.LICENSE.txt" || strings.HasSuffix(name, ".js.br") && !strings.HasPrefix(name, "assets/"),
			"%s: precompressed copies are published beside their file, not as files of their own", name)
	}

	home := string(out.Files["index.html"])
	assert.NotContains(t, strings.ToLower(home), "mermaid", "a page without a diagram carries no trace of the library")
	assert.NotContains(t, home, "/assets/diagrams.")
}

// TestLibraryOnlyWhenAPageHasADiagram checks that a site without diagrams
// publishes no library, and that serve's builder publishes it, and puts the
// script on the page, as soon as an edit adds the first diagram.
func TestLibraryOnlyWhenAPageHasADiagram(t *testing.T) {
	root := writeSite(t, map[string]string{
		"content/_index.md":   "---\ntitle: Home\n---\nhome\n",
		"content/ops/flow.md": "---\ntitle: Flow\n---\n## Escalate\n\nno diagram yet\n",
	})
	b := NewBuilder(Options{Source: root, NoServiceWorker: true})
	var diags diag.List
	out, _, err := b.Build(context.Background(), &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	for name := range out.Files {
		assert.NotContains(t, name, "mermaid", "no page has a diagram")
		assert.NotContains(t, name, "diagrams.")
	}

	edit(t, root, "content/ops/flow.md", replace("no diagram yet\n", "```mermaid\nflowchart LR\n  alert --> page\n```\n"))
	out, delta, err := b.Build(context.Background(), &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	assert.Equal(t, []string{"/ops/flow/"}, delta.Pages, "only the page with the diagram changes")
	m := diagramScript.FindStringSubmatch(string(out.Files["ops/flow/index.html"]))
	require.NotNil(t, m)
	assert.Contains(t, out.Files, strings.TrimPrefix(m[2], "/"))
	sameFilesAs(t, fresh(t, Options{Source: root, NoServiceWorker: true}), out.Files)
}

// TestDiagramLibraryIsNotPrecached states what the service worker should
// do with the library: fetch it when a page with a diagram asks for it, not
// at install on every visit to the site.
func TestDiagramLibraryIsNotPrecached(t *testing.T) {
	root := writeSite(t, map[string]string{
		"content/_index.md":   "---\ntitle: Home\n---\nhome\n",
		"content/ops/flow.md": flowPage,
	})
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: root}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	assert.NotContains(t, string(out.Files[ServiceWorker]), "mermaid")
}
