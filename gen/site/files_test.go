package site

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/wasm/dist"
)

// buildErrors builds a site that must fail and returns its diagnostics.
func buildErrors(t *testing.T, files map[string]string) []string {
	t.Helper()
	var diags diag.List
	_, err := Build(context.Background(), Options{Source: writeSite(t, files)}, &diags)
	require.Error(t, err)
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
	}
	return got
}

func TestFilesArePublishedAndNotPrecached(t *testing.T) {
	root := writeSite(t, map[string]string{
		"content/_index.md":                    "# Home\n\n![logo](/images/logo.svg)\n",
		"content/ops/disk.md":                  "# Disk\n\n![graph](img/disk.png)\n",
		"content/ops/img/disk.png":             "png",
		"content/ops/Bundle/index.md":          "# Bundle\n\n![shot](Shot.PNG)\n",
		"content/ops/Bundle/Shot.PNG":          "png",
		"content/probes.yaml":                  "probes: {}\n",
		"content/.env":                         "SECRET=1\n",
		"content/ops/.git/config":              "secret",
		"static/images/logo.svg":               "<svg/>",
		"static/.well-known/security.txt":      "Contact: x\n",
		"static/.hidden":                       "x",
		"content/ops/helpers/screenshots/a.gz": "not a precompressed copy: a download",
	})
	outside := filepath.Join(t.TempDir(), "passwd")
	require.NoError(t, os.WriteFile(outside, []byte("root:x:0:0"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "content", "ops", "img", "passwd")))
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: root}, &diags)
	require.NoError(t, err, diags.Sorted())
	assert.NotContains(t, out.Files, "ops/img/passwd", "a symbolic link never publishes a file from outside the site")
	for _, name := range []string{"ops/img/disk.png", "ops/bundle/Shot.PNG", "images/logo.svg", ".well-known/security.txt", "ops/helpers/screenshots/a.gz"} {
		assert.Contains(t, out.Files, name)
	}
	for _, name := range []string{"probes.yaml", ".env", "ops/.git/config", ".hidden"} {
		assert.NotContains(t, out.Files, name, "%s must never be published", name)
	}
	assert.Contains(t, string(out.Files["ops/disk/index.html"]), `src="/ops/img/disk.png"`)
	assert.Contains(t, string(out.Files["ops/bundle/index.html"]), `src="/ops/bundle/Shot.PNG"`)
	sw := string(out.Files[ServiceWorker])
	assert.Contains(t, sw, `"/ops/disk/"`, "pages are precached")
	for _, name := range []string{"disk.png", "Shot.PNG", "logo.svg", "a.gz"} {
		assert.NotContains(t, sw, name, "images are cached as pages that show them are read, not up front")
	}
}

func TestFileAndAliasCollisions(t *testing.T) {
	got := buildErrors(t, map[string]string{
		"content/_index.md":       "# Home\n",
		"content/ops/x.md":        "---\ntitle: X\naliases:\n  - /index.html\n  - /sw.js\n  - /manifest.webmanifest\n  - /assets/style.css\n  - /ops/y/\n  - /images/logo.svg\n---\n",
		"content/ops/y.md":        "# Y\n",
		"content/ops/index.html":  "a file where a page is",
		"content/sw.js":           "a file where the worker is",
		"static/images/logo.svg":  "<svg/>",
		"static/assets/style.css": "body{}",
		"static/ops/img/x.png":    "png",
		"content/ops/img/x.png":   "png",
		"static/api/v1/probes":    "[]",
	})
	assert.Equal(t, []string{
		"content/ops/index.html:1:1: this file would replace the page /ops/ (a section without an index page); rename it",
		"content/ops/x.md:4:5: front matter: alias /index.html would replace the page /; choose another",
		"content/ops/x.md:5:5: front matter: alias /sw.js would replace the file content/sw.js; choose another",
		"content/ops/x.md:6:5: front matter: alias /manifest.webmanifest would replace the web app manifest; choose another",
		"content/ops/x.md:7:5: front matter: alias /assets/style.css would replace the file static/assets/style.css; choose another",
		"content/ops/x.md:8:5: front matter: alias /ops/y/ is already the URL of content/ops/y.md",
		"content/ops/x.md:9:5: front matter: alias /images/logo.svg would replace the file static/images/logo.svg; choose another",
		"content/sw.js:1:1: this file would be published at /sw.js, which is the service worker; move or rename it",
		"static/api/v1/probes:1:1: this file would be published at /api/v1/probes, which is the probe API's paths; move or rename it",
		"static/assets/style.css:1:1: this file would be published at /assets/style.css, which is the site's assets (assets/); move or rename it",
		"static/ops/img/x.png:1:1: this file is published at /ops/img/x.png, as content/ops/img/x.png is; rename one of them",
	}, got)
}

func TestMissingImagesAreReported(t *testing.T) {
	root := writeSite(t, map[string]string{
		"content/_index.md":   "# Home\n\nSee ![a](img/gone.png), ![b](/static-gone.png), [c](files/gone.sh) and [d](../up/) and ![e](https://example.com/x.png).\n",
		"content/img/ok.png":  "png",
		"content/ops/page.md": "# Page\n\n![fine](../img/ok.png)\n",
	})
	for _, lint := range []bool{false, true} {
		var diags diag.List
		_, err := Build(context.Background(), Options{Source: root, Lint: lint}, &diags)
		var got []string
		for _, d := range diags.Sorted() {
			got = append(got, d.String())
		}
		sev := "warning: "
		if lint {
			sev = ""
			require.Error(t, err, "lint fails on a missing image")
		} else {
			require.NoError(t, err, "a build publishes with a warning, as for a broken link")
		}
		assert.Equal(t, []string{
			`content/_index.md:3:5: ` + sev + `image "img/gone.png": there is no content/img/gone.png`,
			`content/_index.md:3:25: ` + sev + `image "/static-gone.png": no file of the site has the URL /static-gone.png`,
			`content/_index.md:3:49: ` + sev + `link to "files/gone.sh": there is no content/files/gone.sh`,
			`content/_index.md:3:72: ` + sev + `link to "../up/": no page has the URL /up/`,
		}, got)
	}
}

// placeholders are the internal stand-ins of the generator: a shortcode
// token, a page reference before it is filled in, the search entry.
var placeholders = regexp.MustCompile(`\{\{<@|stepcheck-page-ref-|` + searchPlaceholder)

// TestNoPlaceholderReachesOutput builds every fixture site of the project,
// and content/ itself, and scans every published file for the generator's
// internal placeholders.
func TestNoPlaceholderReachesOutput(t *testing.T) {
	roots := []string{"../.."}
	for _, pattern := range []string{"../content/testdata/*", "testdata/*", "../../cmd/stepcheck/testdata/*"} {
		dirs, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, d := range dirs {
			if st, err := os.Stat(filepath.Join(d, "content")); err == nil && st.IsDir() {
				roots = append(roots, d)
			}
		}
	}
	require.Greater(t, len(roots), 3)
	for _, root := range roots {
		t.Run(root, func(t *testing.T) {
			var diags diag.List
			out, err := Build(context.Background(), Options{Source: root, Widgets: dist.FS()}, &diags)
			if err != nil {
				t.Skipf("%s does not build (a fixture of errors): %v", root, err)
			}
			require.NotEmpty(t, out.Files)
			for name, b := range out.Files {
				if loc := placeholders.FindIndex(b); loc != nil {
					t.Errorf("%s holds an internal placeholder: %q", name, b[max(0, loc[0]-40):min(len(b), loc[1]+40)])
				}
			}
		})
	}
	// A token in a destination that no shortcode became must not leak either.
	root := writeSite(t, map[string]string{
		"content/_index.md": "# Home\n\n[a]({{< param repo >}}/x) [b]({{< param \"repo\" >}}) ![c]({{< param repo >}}/c.png)\n\n[d]: {{< param repo >}}/d\n\n[e][d] [f]({{< param nope >}}/x) [g](x/{{< param repo >}}/y)\n",
		"stepcheck.yaml":    "title: T\nparams:\n  repo: https://git.example.org/r\n",
	})
	var diags diag.List
	_, _ = Build(context.Background(), Options{Source: root}, &diags)
	var errs []string
	for _, d := range diags.Sorted() {
		if d.Severity == diag.Error {
			errs = append(errs, d.String())
		}
	}
	assert.Equal(t, []string{`content/_index.md:7:12: param "nope" is not set: add it to the page's front matter or to params in the site configuration`}, errs)
	out, err := Build(context.Background(), Options{Source: writeSite(t, map[string]string{
		"content/_index.md": "# Home\n\n[a]({{< param repo >}}/x) [b]({{< param \"repo\" >}}) ![c]({{< param repo >}}/c.png)\n\n[d]: {{< param repo >}}/d\n\n[e][d] [g](x/{{< param repo >}}/y)\n",
		"stepcheck.yaml":    "title: T\nparams:\n  repo: https://git.example.org/r\n",
	})}, &diag.List{})
	require.NoError(t, err)
	home := string(out.Files["index.html"])
	assert.NotRegexp(t, placeholders, home)
	for _, want := range []string{`href="https://git.example.org/r/x"`, `href="https://git.example.org/r"`, `src="https://git.example.org/r/c.png"`, `href="https://git.example.org/r/d"`, `href="x/https://git.example.org/r/y"`} {
		assert.Contains(t, home, want)
	}
}

// TestFileCacheSeesASameSizeSaveInTheSameTick: a file saved again with the
// same size within the file system's timestamp granularity keeps its
// modification time, so size and time alone would serve the old bytes. A
// file modified so recently that this can happen is read again until its
// time is safely in the past, as git treats "racily clean" files.
func TestFileCacheSeesASameSizeSaveInTheSameTick(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "content", "img.png")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte("first"), 0o644))
	st, err := os.Stat(p)
	require.NoError(t, err)
	site := &content.Site{Files: []content.File{{Path: "content/img.png", Name: "img.png"}}}
	c := fileCache{}
	out, err := c.read(os.DirFS(dir), site)
	require.NoError(t, err)
	assert.Equal(t, "first", string(out["img.png"]))

	require.NoError(t, os.WriteFile(p, []byte("again"), 0o644))
	require.NoError(t, os.Chtimes(p, st.ModTime(), st.ModTime())) // the same tick
	out, err = c.read(os.DirFS(dir), site)
	require.NoError(t, err)
	assert.Equal(t, "again", string(out["img.png"]))

	// A file whose time is well in the past is trusted: not read again.
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(p, old, old))
	_, err = c.read(os.DirFS(dir), site)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte("third"), 0o644))
	require.NoError(t, os.Chtimes(p, old, old))
	out, err = c.read(os.DirFS(dir), site)
	require.NoError(t, err)
	assert.Equal(t, "again", string(out["img.png"]), "an old, unchanged size and time is not read again")
}
