package content

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
)

func page(fm string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\n" + fm + "\n---\nbody\n")}
}

func load(t *testing.T, fsys fstest.MapFS, opts Options) (*Site, []diag.Diagnostic) {
	t.Helper()
	var diags diag.List
	site := Load(fsys, config.Default(), catalog.Catalog{Probes: map[string]catalog.Probe{}}, markdown.New(markdown.Options{}), opts, &diags)
	return site, diags.Sorted()
}

func TestTreeOrderAndURLs(t *testing.T) {
	site, diags := load(t, fstest.MapFS{
		"content/_index.md":           page("title: Home"),
		"content/about.md":            page("title: About"),
		"content/ops/_index.md":       page("title: Operations\nweight: 1"),
		"content/ops/zeta.md":         page("title: Zeta\nweight: 1"),
		"content/ops/alpha.md":        page("title: Alpha"),
		"content/ops/beta.md":         page("title: Beta\nweight: 2"),
		"content/ops/deep/inner.md":   page("title: Inner"),
		"content/ops/wip.md":          page("title: WIP\ndraft: true"),
		"content/ops/notes.txt":       &fstest.MapFile{Data: []byte("ignored")},
		"content/_drafts/ignored.md":  page("title: Ignored"),
		"content/ops/.hidden/x.md":    page("title: Hidden"),
		"content/plain/first-page.md": &fstest.MapFile{Data: []byte("# From the heading\n\ntext\n")},
	}, Options{})
	require.Empty(t, diags)
	var got []string
	for _, p := range site.Pages {
		got = append(got, string(p.Kind)+" "+p.URL+" "+p.Title)
	}
	assert.Equal(t, []string{
		"home / Home",
		"section /ops/ Operations",
		"page /ops/zeta/ Zeta",
		"page /ops/beta/ Beta",
		"page /ops/alpha/ Alpha",
		"section /ops/deep/ Deep",
		"page /ops/deep/inner/ Inner",
		"page /about/ About",
		"section /plain/ Plain",
		"page /plain/first-page/ From the heading",
	}, got, "weighted pages first, then by title; drafts, _dirs, dot dirs and non-Markdown files are left out")
	inner := site.Pages[6]
	assert.Equal(t, []string{"/", "/ops/", "/ops/deep/"}, urls(inner.Ancestors()))
	assert.Equal(t, 3, site.Sections())
}

func TestDraftsIncludedOnRequest(t *testing.T) {
	site, _ := load(t, fstest.MapFS{"content/wip.md": page("title: WIP\ndraft: true")}, Options{Drafts: true})
	assert.Len(t, site.Pages, 2)
}

func TestFrontMatterFields(t *testing.T) {
	site, diags := load(t, fstest.MapFS{
		"content/x.md": page("title: X\ndescription: D\nweight: 3\ntags: [a, b]\naliases: /old/\nservice: api\nowner: team\nseverity: SEV-2\ncustom: 7"),
	}, Options{})
	require.Empty(t, diags)
	p := site.Pages[1]
	assert.Equal(t, "D", p.Description)
	assert.Equal(t, 3, p.Weight)
	assert.Equal(t, []string{"a", "b"}, p.Tags)
	assert.Equal(t, []string{"/old/"}, p.Aliases)
	assert.Equal(t, "api", p.Service)
	assert.Equal(t, "team", p.Owner)
	assert.Equal(t, "SEV-2", p.Severity)
	assert.Equal(t, map[string]any{"custom": 7}, p.Params)
}

func urls(ps []*Page) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.URL)
	}
	return out
}
