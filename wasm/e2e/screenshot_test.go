package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestScreenshots renders the RepairX runbooks, with the real probe
// catalogue checked live (PostgreSQL and Redis on this machine are up, the
// RepairX services are not), at 390×844 in light and dark mode, and saves
// full-page PNGs for review. They go to $STEPCHECK_SCREENSHOTS, or to the
// test's temporary directory; they are artefacts, never committed.
func TestScreenshots(t *testing.T) {
	chromium(t)
	out := os.Getenv("STEPCHECK_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(out, 0o755))
	public := buildSite(t, "../..")
	hs, _ := serveSite(t, "../..", public, map[string]string{})
	ctx := newPage(t, hs.URL)
	pages := []string{
		"/",
		"/procedures/service-down/",
		"/procedures/security-incident/",
		"/procedures/detection/",
		"/alerts/",
		"/process/communication/?title=Checkout%20down&severity=SEV-1&status=Identified&commander=Ana",
	}
	for _, scheme := range []string{"light", "dark"} {
		setScheme(t, ctx, scheme)
		for _, p := range pages {
			within(t, ctx, chromedp.Navigate(hs.URL+p))
			until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
			eval[bool](t, ctx, `(() => { document.querySelectorAll('.sc-check').forEach(b => b.click()); return true })()`)
			until(t, ctx, `[...document.querySelectorAll('.sc-check')].every(b => b.getAttribute('aria-busy') !== 'true')`)
			name := strings.Trim(strings.ReplaceAll(strings.SplitN(p, "?", 2)[0], "/", "_"), "_")
			if name == "" {
				name = "home"
			}
			// The top of the page, then the first widget of each kind.
			shots := map[string]string{"top": ""}
			for kind, sel := range map[string]string{"probe": ".sc-checked", "form": ".sc-form", "vars": ".sc-varform", "tasks": "li > input[type=checkbox]", "template": ".sc-template"} {
				if eval[bool](t, ctx, `document.querySelector(`+jsString(sel)+`) !== null`) {
					shots[kind] = sel
				}
			}
			for kind, sel := range shots {
				js := `(() => { window.scrollTo(0, 0); return true })()`
				if sel != "" {
					js = `(() => { const e = document.querySelector(` + jsString(sel) + `); window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 64); return true })()`
				}
				eval[bool](t, ctx, js)
				png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(out, name+"-"+kind+"-"+scheme+".png"), png, 0o644))
			}
		}
	}
	// The search box with results, on the home page.
	within(t, ctx, chromedp.Navigate(hs.URL+"/"))
	until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
	within(t, ctx, chromedp.Click(chromedp.CSS(`#sc-search`)), typeText("redis-cli pin"))
	until(t, ctx, `document.querySelectorAll('#sc-results .r-snippet').length > 0`)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(out, "search-results.png"), png, 0o644))
	t.Logf("screenshots in %s", out)
}

// setScheme emulates prefers-color-scheme.
func setScheme(t testing.TB, ctx context.Context, scheme string) {
	within(t, ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return chromedp.Void{}, err
	})
}
