package site

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// writeSite writes files (slash paths) under a fresh site root.
func writeSite(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return root
}

func TestBuildRepairX(t *testing.T) {
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: "../.."}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	assert.Empty(t, diags.Sorted(), "the shipped content builds without warnings")

	// One page per content page.
	var md []string
	require.NoError(t, filepath.WalkDir("../../content", func(p string, d os.DirEntry, err error) error {
		if strings.HasSuffix(p, ".md") {
			md = append(md, p)
		}
		return err
	}))
	assert.Equal(t, len(md)+1, out.Pages, "and the index of the alerts the pages answer")
	for _, want := range []string{"index.html", "procedures/index.html", "procedures/service-down/index.html", "process/post-incident/index.html"} {
		assert.Contains(t, out.Files, want)
	}

	page := string(out.Files["procedures/security-incident/index.html"])
	assert.Contains(t, page, `data-var="SUSPICIOUS_IP"`)
	assert.Contains(t, page, `data-probe="backend-live"`)
	assert.Contains(t, page, `<script type="application/json" id="sc-page">`)
	assert.NotContains(t, page, "ðŸ", "mis-encoded emoji are fixed")
	comm := string(out.Files["process/communication/index.html"])
	assert.Contains(t, comm, "🚨")
	assert.Contains(t, comm, `data-template="incident-start"`)

	for name, b := range out.Files {
		if strings.HasSuffix(name, ".html") {
			s := string(b)
			assert.NotContains(t, s, "REPAIRX_", "%s leaks catalogue internals", name)
			assert.NotContains(t, s, "${", "%s leaks catalogue internals", name)
			assert.NotContains(t, s, "dsn", "%s leaks catalogue internals", name)
		}
	}
}

func TestBuildReportsEveryProblem(t *testing.T) {
	root := writeSite(t, map[string]string{
		"stepcheck.yaml":      "title: T\nseverities:\n  - id: SEV-1\n    respond: soon\n",
		"content/probes.yaml": "probes:\n  api-live:\n    title: API\n    type: http\n",
		"content/_index.md":   "---\ntitle: Home\n---\nhi {probe:api-live}\n",
		"content/a.md":        "---\ntitle: [broken\n---\nbody\n",
		"content/b/c.md":      "---\ntitle: C\nweight: heavy\nseverity: SEV-9\n---\n\n- step {probe:nope}\n\n```template id=x\n{{who:colour}}\n```\n",
		"content/b/d.md":      "no front matter and no heading\n\n{{< youtube x >}}\n",
	})
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: root}, &diags)
	require.Error(t, err)
	assert.Nil(t, out)
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		`content/a.md:2:1: front matter: did not find expected ',' or ']'`,
		`content/b/c.md:3:1: front matter: weight must be a whole number, not text "heavy"`,
		`content/b/c.md:4:1: front matter: severity "SEV-9" is not one of the site's severities (SEV-1)`,
		`content/b/c.md:7:8: unknown probe "nope": declare it in content/probes.yaml`,
		`content/b/c.md:10:1: field "who": unknown type "colour" (known: long, select(A|B|...), text, time)`,
		`content/b/d.md:3:1: warning: unknown shortcode "youtube" is shown as text`,
		`stepcheck.yaml:4:14: respond "soon" is not a duration like 5m, 1h or 72h`,
	}, got)
}

func TestFailedBuildLeavesPublishedSiteUntouched(t *testing.T) {
	root := writeSite(t, map[string]string{
		"content/_index.md": "---\ntitle: Home\n---\nversion one\n",
	})
	dest := filepath.Join(t.TempDir(), "public")
	build := func() error {
		var diags diag.List
		out, err := Build(context.Background(), Options{Source: root}, &diags)
		if err != nil {
			return err
		}
		return Publish(context.Background(), dest, out.Files)
	}
	require.NoError(t, build())
	require.NoError(t, os.WriteFile(filepath.Join(dest, "README.md"), []byte("kept"), 0o644))
	first, err := os.ReadFile(filepath.Join(dest, "index.html"))
	require.NoError(t, err)
	assert.Contains(t, string(first), "version one")

	require.NoError(t, os.WriteFile(filepath.Join(root, "content/_index.md"), []byte("---\ntitle: [\n---\nversion two\n"), 0o644))
	require.Error(t, build())
	after, err := os.ReadFile(filepath.Join(dest, "index.html"))
	require.NoError(t, err)
	assert.Equal(t, first, after, "a failed build must not touch the published site")

	require.NoError(t, os.WriteFile(filepath.Join(root, "content/_index.md"), []byte("---\ntitle: Home\n---\nversion three\n"), 0o644))
	require.NoError(t, build())
	third, err := os.ReadFile(filepath.Join(dest, "index.html"))
	require.NoError(t, err)
	assert.Contains(t, string(third), "version three")
	readme, err := os.ReadFile(filepath.Join(dest, "README.md"))
	require.NoError(t, err)
	assert.Equal(t, "kept", string(readme), "public/README.md survives a publish")

	entries, err := os.ReadDir(filepath.Dir(dest))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary directories are left beside the site")
}

func TestPublishFailureLeavesSiteUntouched(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	require.NoError(t, Publish(context.Background(), dest, map[string][]byte{"index.html": []byte("old")}))
	err := Publish(context.Background(), dest, map[string][]byte{"index.html": []byte("new"), "../escape.html": []byte("x")})
	require.Error(t, err)
	b, err := os.ReadFile(filepath.Join(dest, "index.html"))
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	entries, err := os.ReadDir(filepath.Dir(dest))
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestBasePathAppliesToAssetsAndLinks(t *testing.T) {
	root := writeSite(t, map[string]string{
		"content/_index.md":        "---\ntitle: Home\n---\n[db](/procedures/db/)\n",
		"content/procedures/db.md": "---\ntitle: DB\n---\nx\n",
	})
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: root, BaseURL: "https://example.com/runbooks"}, &diags)
	require.NoError(t, err)
	home := string(out.Files["index.html"])
	assert.Contains(t, home, `href="/runbooks/procedures/db/"`)
	assert.Contains(t, home, `href="/runbooks/assets/style.`)
	assert.Contains(t, out.Files, "procedures/index.html", "a directory without _index.md is still a section")
}

func TestWidgetsAreShippedUnderHashedNames(t *testing.T) {
	root := writeSite(t, map[string]string{"content/_index.md": "---\ntitle: Home\n---\nx\n"})
	widgets := fstest.MapFS{
		"widgets.wasm":    {Data: []byte("\x00asm-fake")},
		"widgets.wasm.br": {Data: []byte("br")},
		"widgets.wasm.gz": {Data: []byte("gz")},
		"wasm_exec.js":    {Data: []byte("// go")},
	}
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: root, Widgets: widgets}, &diags)
	require.NoError(t, err)
	assert.Empty(t, out.Notes)
	var wasm, exec string
	for name := range out.Files {
		switch {
		case strings.HasPrefix(name, "assets/widgets.") && strings.HasSuffix(name, ".wasm"):
			wasm = name
		case strings.HasPrefix(name, "assets/wasm_exec."):
			exec = name
		}
	}
	require.Regexp(t, `^assets/widgets\.[0-9a-f]{10}\.wasm$`, wasm)
	assert.Equal(t, []byte("br"), out.Files[wasm+".br"])
	assert.Equal(t, []byte("gz"), out.Files[wasm+".gz"])
	home := string(out.Files["index.html"])
	assert.Contains(t, home, `data-wasm="/`+wasm+`"`)
	assert.Contains(t, home, `data-wasm-exec="/`+exec+`"`)

	out, err = Build(context.Background(), Options{Source: root, Widgets: fstest.MapFS{}}, &diags)
	require.NoError(t, err)
	assert.NotContains(t, string(out.Files["index.html"]), "data-wasm")
	assert.Len(t, out.Notes, 1, "a build without widgets says so")
}

func TestOfflineFiles(t *testing.T) {
	files := map[string][]byte{
		"index.html":               []byte("home"),
		"ops/index.html":           []byte("ops"),
		"assets/style.abc.css":     []byte("css"),
		"assets/search/terms.x.gz": []byte("t"),
		"assets/search/p.y.gz":     []byte("p"),
		"assets/search/f0.z.gz":    []byte("f"),
		"assets/style.abc.css.gz":  []byte("gz copy"),
	}
	out := offlineFiles(files, nil, "/runbooks/", "RepairX Incident Response")
	sw := string(out[ServiceWorker])
	assert.Contains(t, sw, `const PRECACHE = ["/runbooks/assets/search/f0.z.gz","/runbooks/assets/search/p.y.gz","/runbooks/assets/search/terms.x.gz","/runbooks/assets/style.abc.css","/runbooks/icon-192.png","/runbooks/icon-512.png","/runbooks/","/runbooks/manifest.webmanifest","/runbooks/ops/"]`,
		"a small site is precached whole, its search index too")
	assert.Contains(t, sw, `const BASE = "/runbooks/"`)
	assert.Contains(t, string(out[Manifest]), `"start_url": "/runbooks/"`)
	for _, name := range []string{"icon-192.png", "icon-512.png"} {
		img, err := png.Decode(bytes.NewReader(out[name]))
		require.NoError(t, err)
		assert.Equal(t, name[5:8], strconv.Itoa(img.Bounds().Dx()))
	}
	files["ops/index.html"] = []byte("ops, edited")
	again := offlineFiles(files, nil, "/runbooks/", "RepairX Incident Response")
	assert.NotEqual(t, sw, string(again[ServiceWorker]), "any change to the site makes a new worker")

	files["assets/search/f1.z.gz"] = make([]byte, precacheAllBelow)
	large := string(offlineFiles(files, nil, "/runbooks/", "RepairX Incident Response")[ServiceWorker])
	assert.Contains(t, large, `const PRECACHE = ["/runbooks/assets/search/terms.x.gz","/runbooks/assets/style.abc.css","/runbooks/icon-192.png","/runbooks/icon-512.png","/runbooks/","/runbooks/manifest.webmanifest"]`,
		"a large site precaches its assets, the home page and the index's entry; the rest is cached as it is used")
}
