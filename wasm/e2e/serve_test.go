package e2e

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/devserver"
	"github.com/stepcheck/stepcheck/gen/devserver/demo"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/server"
	"github.com/stepcheck/stepcheck/themes"
)

// copySite copies the RepairX runbooks and the default theme into a
// temporary site root, which the test may edit.
func copySite(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	copyTree := func(fsys fs.FS, root, to string) {
		require.NoError(t, fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			out := filepath.Join(to, filepath.FromSlash(p))
			require.NoError(t, os.MkdirAll(filepath.Dir(out), 0o755))
			return os.WriteFile(out, b, 0o644)
		}))
	}
	copyTree(os.DirFS("../.."), "content", dst)
	copyTree(os.DirFS("../.."), "stepcheck.yaml", dst)
	copyTree(themes.Default(), ".", filepath.Join(dst, site.ThemeDir))
	return dst
}

// startServe runs the dev server on src with the real widgets, as stepcheck
// serve does, with the probe API behind it when api is set.
// The dev server reads the API's catalogue from src, expanding ${VAR}
// with env.
func startServe(t *testing.T, src string, api *server.Server, env config.LookupEnv, banner string, watch bool) *httptest.Server {
	t.Helper()
	widgetFS, _ := widgets(t)
	opts := devserver.Options{Site: site.Options{Source: src, Widgets: widgetFS}, Banner: banner, Env: env}
	if api != nil {
		opts.API = api
	}
	srv := devserver.New(opts)
	res := srv.Rebuild(context.Background(), nil)
	require.True(t, res.OK, diag.Join(res.Diagnostics))
	if watch {
		ctx, cancel := context.WithCancel(context.Background())
		stopped, err := srv.Watch(ctx)
		require.NoError(t, err)
		t.Cleanup(func() { cancel(); <-stopped })
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs
}

// axeClean runs axe-core on the page as TestAccessibility does, when axe-core
// is installed (always in CI).
func axeClean(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if os.Getenv("CI") != "true" && os.Getenv("AXE_CORE") == "" {
		if _, err := os.Stat(filepath.Join("..", "..", ".bench", "node_modules", "axe-core", "axe.min.js")); err != nil {
			t.Logf("axe-core not installed: %s not checked for accessibility", what)
			return
		}
	}
	axe := axeSource(t)
	eval[bool](t, ctx, `(() => { if (!window.axe) { `+axe+` } return true })()`)
	violations := eval[[]axeResult](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`)
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: %s: %s (%d): %s", what, v.ID, v.Help, len(v.Nodes), strings.Join(where[:min(len(where), 5)], " | "))
	}
}

func editFile(t *testing.T, path string, f func(string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(f(string(b))), 0o644))
}

// TestServeReloadsTheBrowser opens a page under serve, edits its Markdown
// on disk, and waits for the new text to appear with nothing done in the
// browser, at the same scroll position. Then it breaks the front matter
// (the overlay lists the error over the old page), fixes it, and changes
// the CSS (the stylesheet is swapped without a reload).
func TestServeReloadsTheBrowser(t *testing.T) {
	chromium(t)
	src := copySite(t)
	hs := startServe(t, src, nil, nil, "", true)
	ctx := newPage(t, hs.URL)
	within(t, ctx, chromedp.Navigate(hs.URL+"/procedures/database/"))
	until(t, ctx, `document.documentElement.dataset.serve === "connected"`)
	// The widgets add their bars and forms above the fold; scroll once they
	// have, or the browser's scroll anchoring moves the page under the test.
	until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
	// The page fetches its statuses on open; measure once they are in.
	const settled = `[...document.querySelectorAll('.sc-checked .sc-probe')].every(p => p.dataset.state !== "unchecked" && p.querySelector('.sc-check').getAttribute('aria-busy') !== 'true')`
	until(t, ctx, settled)
	eval[bool](t, ctx, `(() => { window.scrollTo(0, 900); window.notReloaded = true; return true })()`)
	require.Greater(t, eval[float64](t, ctx, `window.scrollY`), 0.0)
	// What the writer sees: where a heading sits in the viewport. The
	// widgets insert their forms again after a reload, and the browser's
	// scroll anchoring keeps the text in place, so scrollY alone may move.
	const anchor = `document.querySelector('#check-locks').getBoundingClientRect().top`
	scroll := eval[float64](t, ctx, anchor)

	md := filepath.Join(src, "content", "procedures", "database.md")
	orig, err := os.ReadFile(md)
	require.NoError(t, err)
	editFile(t, md, func(s string) string { return s + "\nA walrus saw this edit.\n" })
	until(t, ctx, `document.body.innerText.includes("A walrus saw this edit.")`)
	assert.False(t, eval[bool](t, ctx, `window.notReloaded === true`), "the page reloaded")
	until(t, ctx, `document.documentElement.dataset.serve === "connected"`)
	until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
	until(t, ctx, settled)
	assert.InDelta(t, scroll, eval[float64](t, ctx, anchor), 2, "the reload keeps the scroll position")

	// A broken save: the overlay lists the diagnostic over the old page.
	eval[bool](t, ctx, `(() => { window.notReloaded = true; return true })()`)
	require.NoError(t, os.WriteFile(md, []byte("---\ntitle: [oops\n---\n"+string(orig)), 0o644))
	until(t, ctx, `document.querySelector('#sc-dev-overlay[role="alert"]') !== null`)
	overlay := eval[string](t, ctx, `document.querySelector('#sc-dev-overlay').innerText`)
	assert.Regexp(t, `content/procedures/database\.md:\d+:\d+: front matter: `, overlay)
	assert.True(t, eval[bool](t, ctx, `document.body.innerText.includes("A walrus saw this edit.")`), "the last good page stays")
	assert.True(t, eval[bool](t, ctx, `window.notReloaded === true`))
	width := eval[float64](t, ctx, `document.querySelector('#sc-dev-overlay').getBoundingClientRect().width`)
	assert.LessOrEqual(t, width, 390.0, "the overlay fits a phone")
	assert.GreaterOrEqual(t, eval[float64](t, ctx, `document.querySelector('#sc-dev-overlay button').getBoundingClientRect().height`), 48.0)
	for _, scheme := range []string{"dark", "light"} {
		setScheme(t, ctx, scheme)
		axeClean(t, ctx, "the overlay in "+scheme+" mode")
	}
	if dir := os.Getenv("STEPCHECK_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "serve-overlay.png"), png, 0o644))
	}

	// The fix clears the overlay and reloads.
	editFile(t, md, func(s string) string {
		return strings.Replace(strings.TrimPrefix(s, "---\ntitle: [oops\n---\n"), "A walrus saw this edit.", "The walrus is gone.", 1) + "\nThe walrus is gone.\n"
	})
	until(t, ctx, `document.body.innerText.includes("The walrus is gone.") && document.querySelector('#sc-dev-overlay') === null`)
	assert.False(t, eval[bool](t, ctx, `window.notReloaded === true`), "the page reloaded")

	// CSS only: the stylesheet is swapped, the page stays.
	until(t, ctx, `document.documentElement.dataset.serve === "connected"`)
	eval[bool](t, ctx, `(() => { window.notReloaded = true; return true })()`)
	before := eval[string](t, ctx, `document.querySelector('link[rel=stylesheet]').getAttribute('href')`)
	editFile(t, filepath.Join(src, site.ThemeDir, "static", "style.css"), func(s string) string { return s + "\nbody { outline: 3px solid rgb(1, 2, 3) }\n" })
	until(t, ctx, `getComputedStyle(document.body).outlineColor === "rgb(1, 2, 3)"`)
	assert.NotEqual(t, before, eval[string](t, ctx, `document.querySelector('link[rel=stylesheet]').getAttribute('href')`))
	assert.True(t, eval[bool](t, ctx, `window.notReloaded === true`), "no reload for CSS")
}

// TestServeDemoShowsGreenAndRed opens the RepairX runbooks as make serve
// shows them on a machine without the RepairX services: the stand-ins'
// checks are up, and the monitoring stack, which nothing runs, is down.
// With STEPCHECK_SCREENSHOTS set it saves the demo pages at 390×844 in
// light and dark mode.
func TestServeDemoShowsGreenAndRed(t *testing.T) {
	chromium(t)
	svc, err := demo.Start()
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	api, err := server.New(builtinTypes(t), &config.Catalogue{}, server.Options{Cache: server.DefaultCache})
	require.NoError(t, err)
	t.Cleanup(func() { api.Close() })
	hs := startServe(t, "../..", api, svc.Lookup(os.LookupEnv), "Demo: the RepairX backend and frontend here are stand-ins.", false)
	ctx := newPage(t, hs.URL)

	shots := os.Getenv("STEPCHECK_SCREENSHOTS")
	for _, scheme := range []string{"light", "dark"} {
		setScheme(t, ctx, scheme)
		for _, p := range []string{"/procedures/service-down/", "/procedures/database/"} {
			within(t, ctx, chromedp.Navigate(hs.URL+p))
			until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
			assert.True(t, eval[bool](t, ctx, `document.querySelector('.sc-dev-banner').innerText.startsWith("Demo")`))
			eval[bool](t, ctx, `(() => { document.querySelectorAll('.sc-check').forEach(b => b.click()); return true })()`)
			until(t, ctx, `[...document.querySelectorAll('.sc-probe')].every(p => p.dataset.state !== "unchecked") && [...document.querySelectorAll('.sc-check')].every(b => b.getAttribute('aria-busy') !== 'true')`)
			states := eval[[]string](t, ctx, `[...new Set([...document.querySelectorAll('.sc-probe')].map(p => p.dataset.probe + "=" + p.dataset.state))]`)
			t.Logf("%s %s: %v", scheme, p, states)
			if p == "/procedures/service-down/" {
				assert.Contains(t, states, "backend-live=up")
				assert.Contains(t, states, "prometheus-healthy=down")
				axeClean(t, ctx, "the demo banner in "+scheme+" mode")
			}
			if shots == "" {
				continue
			}
			name := strings.Trim(strings.ReplaceAll(p, "/", "_"), "_")
			for i, sel := range []string{"", ".sc-checked", `.sc-probe[data-state="down"]`} {
				if sel != "" && !eval[bool](t, ctx, `document.querySelector(`+jsString(sel)+`) !== null`) {
					continue
				}
				js := `(() => { window.scrollTo(0, 0); return true })()`
				if sel != "" {
					js = `(() => { const e = document.querySelector(` + jsString(sel) + `); window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 64); return true })()`
				}
				eval[bool](t, ctx, js)
				png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(shots, "serve-demo-"+name+"-"+[]string{"top", "probe", "down"}[i]+"-"+scheme+".png"), png, 0o644))
			}
		}
	}
}
