package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// axeSource returns axe-core's script: $AXE_CORE, or the copy .ci/run
// installs from npm into .bench/.
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("AXE_CORE")
	if p == "" {
		p = filepath.Join("..", "..", ".bench", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is required in CI (.ci/run installs it): %v", err)
		}
		t.Skipf("axe-core not found at %s; run: (mkdir -p .bench && cd .bench && npm install axe-core@4)", p)
	}
	return string(b)
}

type axeResult struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// TestAccessibility runs axe-core in Chromium, in light and dark mode, on
// every page type: the home page, a procedure page with live widgets, a
// page of templates with a link's offer, an incident's bar opened from an
// alert link, and search results. Once an incident is started, the pages
// after it show its bar too. It demands zero violations.
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	ctx, base := openRepairX(t, "/")
	pages := []struct{ name, path, setup string }{
		{"home", "/", ""},
		{"procedure", "/procedures/database/", `document.querySelectorAll('.sc-check').forEach(b => b.click())`},
		{"templates", "/process/communication/?title=Checkout%20down&severity=SEV-1", ""},
		{"incident", "/procedures/detection/?alertname=BackendDown&severity=critical&summary=Backend%20down&bogus=1", `document.querySelector('.sc-offer [data-act=offer]').click()`},
		{"section", "/procedures/", ""},
		{"search results", "/", `(() => { const i = document.querySelector('#sc-search'); i.focus(); i.value = 'redis'; i.dispatchEvent(new Event('input', {bubbles: true})); })()`},
	}
	for _, scheme := range []string{"light", "dark"} {
		setScheme(t, ctx, scheme)
		for _, p := range pages {
			t.Run(scheme+" "+p.name, func(t *testing.T) {
				within(t, ctx, chromedp.Navigate(base+p.path))
				until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
				if p.setup != "" {
					eval[bool](t, ctx, `(() => { `+p.setup+`; return true })()`)
				}
				if p.name == "search results" {
					until(t, ctx, `document.querySelectorAll('#sc-results .r-snippet').length > 0`)
				}
				if p.name == "incident" {
					// Starting shows the page again without the link's query.
					until(t, ctx, `location.search === "" && document.documentElement.dataset.widgets === "ready" && document.querySelector('.sc-inc-bar') !== null`)
					eval[bool](t, ctx, `(() => { document.querySelector('.sc-inc-bar').open = true; document.querySelector('.sc-inc-earlier') && (document.querySelector('.sc-inc-earlier').open = true); return true })()`)
				}
				if p.name == "procedure" {
					until(t, ctx, `[...document.querySelectorAll('.sc-check')].every(b => b.getAttribute('aria-busy') !== 'true')`)
				}
				eval[bool](t, ctx, `(() => { if (!window.axe) { `+axe+` } return true })()`)
				violations := eval[[]axeResult](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`)
				for _, v := range violations {
					var where []string
					for _, n := range v.Nodes {
						where = append(where, strings.Join(n.Target, " "))
					}
					t.Errorf("%s: %s (%d): %s", v.ID, v.Help, len(v.Nodes), strings.Join(where[:min(len(where), 5)], " | "))
				}
				assert.Empty(t, violations)
			})
		}
	}
}

// TestPhoneLayoutsDoNotScrollSideways checks every RepairX page at 390×844
// and 360×640: only code blocks and tables may scroll, inside themselves.
func TestPhoneLayoutsDoNotScrollSideways(t *testing.T) {
	ctx, base := openRepairX(t, "/")
	paths := eval[[]string](t, ctx, `[...new Set([...document.querySelectorAll('a[href^="/"]')].map(a => new URL(a.href).pathname))].filter(p => !p.startsWith('/api/'))`)
	require.NotEmpty(t, paths)
	for _, size := range [][2]int64{{390, 844}, {360, 640}} {
		within(t, ctx, chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateScale(2), chromedp.EmulateMobile))
		for _, p := range paths {
			within(t, ctx, chromedp.Navigate(base+p))
			until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
			over := eval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
			assert.LessOrEqual(t, over, 0, "%s scrolls sideways by %d px at %dx%d", p, over, size[0], size[1])
		}
	}
}
