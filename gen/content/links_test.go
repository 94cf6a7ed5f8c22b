package content

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
)

// loadWith loads fsys with its stepcheck.yaml (or the defaults) and its
// catalogue, as a build does, and returns the diagnostics as strings.
func loadWith(t *testing.T, fsys fs.FS, opts Options) (*Site, []string) {
	t.Helper()
	var diags diag.List
	cfg := config.Load(fsys, &diags)
	cat := catalog.Load(fsys, "content/probes.yaml", nil, &diags)
	conv := markdown.New(markdown.Options{BasePath: cfg.BasePath(), Params: cfg.Params, ProbeTitle: func(id string) (string, bool) {
		p, ok := cat.Probes[id]
		return p.Title, ok
	}})
	site := Load(fsys, cfg, cat, conv, opts, &diags)
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
	}
	return site, got
}

func md(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func byURL(t *testing.T, s *Site, url string) *Page {
	t.Helper()
	for _, p := range s.Pages {
		if p.URL == url {
			return p
		}
	}
	require.Failf(t, "no page", "%s", url)
	return nil
}

func TestPlainMarkdownFolder(t *testing.T) {
	site, diags := loadWith(t, fstest.MapFS{
		"content/README.md":                md("# Team runbooks\n\nStart with [the database](Database/Slow%20Queries.md) or [ops](ops/_index.md#owners).\n"),
		"content/Database/README.md":       md("# Databases\n"),
		"content/Database/Slow Queries.md": md("# Slow queries\n\nBack to [the index](../README.md) or [missing](gone.md).\n"),
		"content/ops/_index.md":            md("---\ntitle: Operations\n---\n\n## Owners\n"),
		"content/ops/README.md":            md("# Ops readme\n"),
	}, Options{})
	assert.Equal(t, []string{`content/Database/Slow Queries.md:3:38: warning: link to "gone.md": there is no content/Database/gone.md`}, diags)
	var got []string
	for _, p := range site.Pages {
		got = append(got, string(p.Kind)+" "+p.URL+" "+p.Title)
	}
	assert.Equal(t, []string{
		"home / Team runbooks",
		"section /database/ Databases",
		"page /database/slow-queries/ Slow queries",
		"section /ops/ Operations",
		"page /ops/readme/ Ops readme",
	}, got, "README.md is a folder's page unless it has _index.md; URLs are lower case with '-' for spaces")
	assert.Equal(t, `<p>Start with <a href="/database/slow-queries/">the database</a> or <a href="/ops/#owners">ops</a>.</p>`+"\n", string(site.Home.HTML))
	slow := byURL(t, site, "/database/slow-queries/")
	assert.Equal(t, `<p>Back to <a href="/">the index</a> or <a href="gone.md">missing</a>.</p>`+"\n", string(slow.HTML),
		"a link to a missing file stays as written")
}

func TestRefAndRelref(t *testing.T) {
	files := fstest.MapFS{
		"stepcheck.yaml":        md("baseURL: https://example.com/runbooks/\n"),
		"content/_index.md":     md("---\ntitle: Home\n---\n"),
		"content/ops/_index.md": md("---\ntitle: Ops\n---\n"),
		"content/ops/restart.md": md("---\ntitle: Restart\n---\n## Check\n\n" +
			"[same folder]({{< ref \"verify.md\" >}}) [from content]({{< relref \"/db/slow.md#explain\" >}})\n" +
			"[by name]({{< ref \"slow\" >}}) [section]({{< ref \"db\" >}}) [home]({{< ref \"/\" >}}) [here]({{< ref \"#check\" >}})\n" +
			"Text: {{< relref \"verify\" >}}\n"),
		"content/ops/verify.md": md("---\ntitle: Verify\n---\n"),
		"content/db/slow.md":    md("---\ntitle: Slow\n---\n## EXPLAIN it {#explain}\n"),
		"content/db/wip.md":     md("---\ntitle: WIP\ndraft: true\n---\n"),
		"content/db/notes.md":   md("---\ntitle: Notes\n---\n[a]({{< ref \"nope.md\" >}}) {{< ref \"wip.md\" >}}\n[b]({{< ref \"/verify.md\" >}}) [c]({{< ref \"index\" >}})\n"),
		"content/a/index.md":    md("---\ntitle: A\n---\n"),
		"content/b/index.md":    md("---\ntitle: B\n---\n"),
	}
	site, diags := loadWith(t, files, Options{})
	assert.Equal(t, []string{
		`content/db/notes.md:4:5: {{< ref "nope.md" >}} names no page: a path is relative to this page's folder or to content/, as in Hugo`,
		`content/db/notes.md:4:28: {{< ref "wip.md" >}} names a draft (content/db/wip.md), which this build leaves out; build with --drafts or link elsewhere`,
		`content/db/notes.md:5:5: {{< ref "/verify.md" >}} names no page: a path is relative to this page's folder or to content/, as in Hugo`,
		`content/db/notes.md:5:35: {{< ref "index" >}} names no page: 2 pages have that name (content/a/index.md, content/b/index.md); give the folder too`,
	}, diags)
	restart := byURL(t, site, "/ops/restart/")
	assert.Equal(t, `<h2 id="check">Check</h2>`+"\n"+
		`<p><a href="/runbooks/ops/verify/">same folder</a> <a href="/runbooks/db/slow/#explain">from content</a>`+"\n"+
		`<a href="/runbooks/db/slow/">by name</a> <a href="/runbooks/db/">section</a> <a href="/runbooks/">home</a> <a href="#check">here</a>`+"\n"+
		`Text: /runbooks/ops/verify/</p>`+"\n", string(restart.HTML))

	_, diags = loadWith(t, files, Options{Drafts: true})
	assert.NotContains(t, diags, `content/db/notes.md:4:28: {{< ref "wip.md" >}} names a draft (content/db/wip.md), which this build leaves out; build with --drafts or link elsewhere`)
}

func TestLinkChecks(t *testing.T) {
	files := fstest.MapFS{
		"content/_index.md": md("---\ntitle: Home\n---\n## Contacts\n"),
		"content/ops/a.md":  md("---\ntitle: A\naliases: [/old-a/]\n---\n## Steps\n\n```template id=start\n{{title}}\n```\n"),
		"content/ops/b.md": md("---\ntitle: B\n---\n" +
			"[ok](/ops/a/) [ok](/ops/a/#steps) [ok](a.md#tpl-start) [ok](/#contacts) [ok](/old-a/) [ok](#top) [ok](/ops/a)\n" +
			"[bad](/ops/c/) [bad](/ops/a/#nope) [bad](#nope) [bad](c.md) [bad](../x/) [bad](/ops/a.md)\n" +
			"[skip](https://example.com/x) [skip](mailto:a@b) [skip](/img/x.png) [skip](//cdn/x) [skip](wip.md)\n"),
		"content/ops/wip.md": md("---\ntitle: WIP\ndraft: true\n---\n"),
	}
	_, diags := loadWith(t, files, Options{})
	want := []string{
		`content/ops/b.md:5:1: warning: link to "/ops/c/": no page has that URL`,
		`content/ops/b.md:5:16: warning: link to "/ops/a/#nope": content/ops/a.md has no heading or template with the anchor #nope`,
		`content/ops/b.md:5:36: warning: link to "#nope": this page has no heading or template with the anchor #nope`,
		`content/ops/b.md:5:49: warning: link to "c.md": there is no content/ops/c.md`,
		`content/ops/b.md:5:61: warning: link to "../x/": no page has the URL /ops/x/`,
		`content/ops/b.md:5:74: warning: link to "/ops/a.md": no page has that URL`,
		`content/ops/b.md:6:85: warning: link to "wip.md": content/ops/wip.md is a draft, which this build leaves out`,
	}
	assert.Equal(t, want, diags, "a build warns")

	_, diags = loadWith(t, files, Options{Lint: true})
	for i, w := range want {
		want[i] = strings.Replace(w, ": warning: ", ": ", 1)
	}
	assert.Equal(t, want, diags, "lint fails")
}

func TestAliases(t *testing.T) {
	site, diags := loadWith(t, fstest.MapFS{
		"content/ops/a.md": md("---\ntitle: A\naliases: [/old/a/, old-a.html, ../legacy/A]\n---\n"),
		"content/ops/b.md": md("---\ntitle: B\naliases:\n  - /old/a/\n  - /ops/a/\n  - https://example.com/\n  - /\n---\n"),
	}, Options{})
	assert.Equal(t, []string{
		"content/ops/b.md:4:5: front matter: alias /old/a/ is already an alias of content/ops/a.md",
		"content/ops/b.md:5:5: front matter: alias /ops/a/ is already the URL of content/ops/a.md",
		`content/ops/b.md:6:5: front matter: alias "https://example.com/" must be a path on this site, such as /old/url/`,
		`content/ops/b.md:7:5: front matter: alias "/" would replace the home page`,
	}, diags)
	var got []string
	for u, p := range site.Aliases {
		got = append(got, u+" -> "+p.URL)
	}
	assert.ElementsMatch(t, []string{"/old/a/ -> /ops/a/", "/ops/a/old-a.html -> /ops/a/", "/ops/legacy/A/ -> /ops/a/"}, got)
}

func TestLintOnlyChecks(t *testing.T) {
	files := fstest.MapFS{
		"content/probes.yaml": md("probes:\n  used:\n    type: tcp\n  in-draft:\n    type: tcp\n  in-template:\n    type: tcp\n    # comment\n  unused:\n    type: tcp\n"),
		"content/a.md":        md("---\ntitle: A\n---\n{probe:used}\n\n## Steps\n\n## Steps\n\n```template id=t\n{{probe.in-template}}\n```\n"),
		"content/wip.md":      md("---\ntitle: WIP\ndraft: true\n---\n{probe:in-draft}\n"),
	}
	_, diags := loadWith(t, files, Options{})
	assert.Empty(t, diags, "a build reports neither")
	_, diags = loadWith(t, files, Options{Lint: true})
	assert.Equal(t, []string{
		`content/a.md:8:4: warning: heading "Steps" repeats the one on line 6, so its anchor is #steps-1 and links to #steps reach line 6; reword it or give it an {#id}`,
		`content/probes.yaml:9:3: warning: probe "unused" is declared but no page uses it: reference it with {probe:unused} or remove it`,
	}, diags)
}

func TestLeafBundles(t *testing.T) {
	site, diags := loadWith(t, fstest.MapFS{
		"content/ops/_index.md":             md("---\ntitle: Ops\n---\n"),
		"content/ops/restart/index.md":      md("---\ntitle: Restart\n---\n[notes]({{< ref \"ops/restart\" >}})\n"),
		"content/ops/restart/notes.md":      md("---\ntitle: A resource, not a page\n---\n"),
		"content/ops/restart/more/extra.md": md("---\ntitle: Also a resource\n---\n"),
		"content/index.md":                  md("---\ntitle: A page at /index/, as in Hugo\n---\n"),
	}, Options{})
	assert.Empty(t, diags)
	var got []string
	for _, p := range site.Pages {
		got = append(got, string(p.Kind)+" "+p.URL+" "+p.Title)
	}
	assert.Equal(t, []string{
		"home / Runbooks",
		"page /index/ A page at /index/, as in Hugo",
		"section /ops/ Ops",
		"page /ops/restart/ Restart",
	}, got, "a folder with index.md is one page; the files in it are not pages")
}

// Names that differ only in case are one URL, as URLs compare: each twin is
// an error, whether pages, folders with an _index.md or folders without.
func TestCaseTwinsAreErrors(t *testing.T) {
	_, diags := loadWith(t, fstest.MapFS{
		"content/ops/Database.md":     md("# Database\n"),
		"content/ops/database.md":     md("# database\n"),
		"content/Procedures/a.md":     md("# A\n"),
		"content/procedures/b.md":     md("# B\n"),
		"content/Alerts/_index.md":    md("---\ntitle: Alerts\n---\n"),
		"content/alerts/PodOOM.md":    md("# PodOOM\n"),
		"content/runbooks/Restart.md": md("# Restart\n"),
	}, Options{})
	assert.Equal(t, []string{
		"content/alerts:1:1: folder URL /alerts/ is also the URL of content/Alerts/_index.md; rename one of them",
		"content/ops/database.md:1:1: page URL /ops/database/ is also the URL of content/ops/Database.md; rename one of them",
		"content/procedures:1:1: folder URL /procedures/ is also the URL of the folder content/Procedures; rename one of them",
	}, diags)
}
