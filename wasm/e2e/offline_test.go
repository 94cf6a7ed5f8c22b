package e2e

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/gen/static"
)

// goOffline cuts the page, and its service worker, off the network.
func goOffline(t testing.TB, ctx context.Context) {
	within(t, ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		yes := true
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &yes,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
		}); err != nil {
			return chromedp.Void{}, err
		}
		// The older command also tells the page it is offline
		// (navigator.onLine), as a phone in a dead zone does.
		err := tg.Call(ctx, "Network.emulateNetworkConditions", map[string]any{
			"offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
		}, nil)
		return chromedp.Void{}, err
	})
}

// waitForOffline waits until the service worker controls the page and has
// precached url.
func waitForOffline(t testing.TB, ctx context.Context, url string) {
	until(t, ctx, `navigator.serviceWorker.controller !== null`)
	until(t, ctx, `(async () => { const keys = await caches.keys(); for (const k of keys) { if (await (await caches.open(k)).match(`+jsString(url)+`)) return true; } return false })()`)
}

func TestOfflineAfterFirstVisit(t *testing.T) {
	ctx, base := openRepairX(t, "/")
	waitForOffline(t, ctx, "/process/communication/")
	goOffline(t, ctx)
	assert.False(t, eval[bool](t, ctx, `navigator.onLine`))

	// A page never visited opens from the cache, with its widgets.
	within(t, ctx, chromedp.Navigate(base+"/procedures/database/"))
	until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
	assert.Equal(t, "Database issues", eval[string](t, ctx, `document.querySelector('h1').textContent`))

	// The probe API is never cached: the status widget says offline.
	within(t, ctx, chromedp.Click(chromedp.CSS(`.sc-checked .sc-check`)))
	until(t, ctx, `document.querySelector('.sc-checked .sc-probe').dataset.state === "offline"`)
	assert.Equal(t, "offline", eval[string](t, ctx, `document.querySelector('.sc-checked .sc-state').textContent`))

	// Search works from the cached index.
	within(t, ctx, chromedp.Click(chromedp.CSS(`#sc-search`)), typeText("pg_isready"))
	until(t, ctx, `document.querySelectorAll('#sc-results .r-snippet').length > 0`)

	// Templates fill and copy.
	within(t, ctx, chromedp.Navigate(base+"/process/communication/"))
	until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
	within(t, ctx, chromedp.SendKeys(chromedp.CSS(`#sc-f-title`), "Offline drill"))
	until(t, ctx, `document.querySelector('#tpl-incident-start code').textContent.includes("INCIDENT: Offline drill")`)
	within(t, ctx, chromedp.Click(chromedp.CSS(`#tpl-incident-start .code-bar .copy`)))
	until(t, ctx, `document.querySelector('#tpl-incident-start .code-bar .copy').textContent === "Copied"`)
	assert.Contains(t, eval[string](t, ctx, `navigator.clipboard.readText()`), "INCIDENT: Offline drill")
}

var swVersion = regexp.MustCompile(`const VERSION = "([0-9a-z]+)"`)

func TestNewBuildTakesOverAfterOneReload(t *testing.T) {
	chromium(t)
	src := t.TempDir()
	writeFile := func(rel, body string) {
		p := filepath.Join(src, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	writeFile("content/_index.md", "---\ntitle: Home\n---\nSee [the page](/page/).\n")
	writeFile("content/page.md", "---\ntitle: Page\n---\nVersion one of the page.\n")
	dest := filepath.Join(t.TempDir(), "public")
	widgetFS, _ := widgets(t)
	build := func() string {
		var diags diag.List
		out, err := site.Build(context.Background(), site.Options{Source: src, Widgets: widgetFS}, &diags)
		require.NoError(t, err, diag.Join(diags.Sorted()))
		require.NoError(t, site.Publish(context.Background(), dest, out.Files))
		return swVersion.FindStringSubmatch(string(out.Files[site.ServiceWorker]))[1]
	}
	v1 := build()
	hs := httptest.NewServer(static.Handler(os.DirFS(dest)))
	t.Cleanup(hs.Close)
	ctx := newPage(t, hs.URL)
	within(t, ctx, chromedp.Navigate(hs.URL+"/page/"))
	waitForOffline(t, ctx, "/page/")
	assert.Contains(t, eval[string](t, ctx, `document.querySelector('.content').textContent`), "Version one")

	writeFile("content/page.md", "---\ntitle: Page\n---\nVersion two of the page.\n")
	v2 := build()
	require.NotEqual(t, v1, v2, "a changed site has a new service worker")
	// The page checks for a new worker on every load; here it is asked
	// directly, then the test waits until the new worker has taken over.
	eval[bool](t, ctx, `(async () => { const r = await navigator.serviceWorker.getRegistration(); await r.update(); return true })()`)
	until(t, ctx, `(async () => { const k = await caches.keys(); return k.length === 1 && k[0] === "stepcheck-`+v2+`" })()`)
	within(t, ctx, chromedp.Reload())
	until(t, ctx, `document.querySelector('.content') !== null`)
	assert.Contains(t, eval[string](t, ctx, `document.querySelector('.content').textContent`), "Version two", "one reload shows the new build")
}
