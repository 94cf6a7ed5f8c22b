package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diagramFixture is a site with one page of Mermaid diagrams (a flowchart,
// a wide one and a broken one) and a home page without any.
const diagramFixture = "testdata/diagrams"

// openDiagramSite builds and serves the diagram fixture and opens a phone
// page on it, with alert() recorded rather than shown.
func openDiagramSite(t testing.TB) (context.Context, string) {
	t.Helper()
	chromium(t)
	public := buildSite(t, diagramFixture)
	hs, _ := serveSite(t, diagramFixture, public, map[string]string{})
	ctx := newPage(t, hs.URL)
	within(t, ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.alert = () => { window.__alerted = true; };`,
		})
		return chromedp.Void{}, err
	})
	return ctx, hs.URL
}

// allDiagramsSettled holds once every figure is drawn or has failed.
const allDiagramsSettled = `[...document.querySelectorAll('figure.sc-diagram')].every(f => f.dataset.status === "drawn" || f.dataset.status === "failed")`

// requested lists the URLs the page fetched (the service worker's own
// fetches are not the page's).
const requested = `performance.getEntriesByType("resource").map(e => e.name)`

func TestMermaidDiagramIsDrawnInPlaceOfItsCode(t *testing.T) {
	ctx, base := openDiagramSite(t)
	within(t, ctx, chromedp.Navigate(base+"/ops/escalation/"))
	until(t, ctx, allDiagramsSettled)
	figs := `[...document.querySelectorAll('figure.sc-diagram')]`
	assert.Equal(t, []string{"drawn", "drawn", "failed"}, eval[[]string](t, ctx, figs+`.map(f => f.dataset.status)`))

	// The flowchart is an SVG with the diagram's words, and its code is
	// folded away beneath it.
	first := figs + `[0]`
	assert.Equal(t, 1, eval[int](t, ctx, first+`.querySelectorAll('.sc-diagram-svg svg').length`))
	assert.Contains(t, eval[string](t, ctx, first+`.querySelector('svg').textContent`), "Acked in 5 min?")
	assert.Greater(t, eval[float64](t, ctx, first+`.querySelector('svg').getBoundingClientRect().height`), 100.0)
	assert.False(t, eval[bool](t, ctx, first+`.querySelector('pre').checkVisibility()`), "the code is folded under the drawing")
	assert.Equal(t, "Diagram source", eval[string](t, ctx, first+`.querySelector('details.sc-diagram-src > summary').textContent`))
	assert.Contains(t, eval[string](t, ctx, first+`.querySelector('pre code').textContent`), `alert["Alert fires"] --> ack`)

	// securityLevel strict: markup in a label is sanitised, so no handler
	// survives and nothing runs.
	assert.Zero(t, eval[int](t, ctx, `document.querySelectorAll('.content [onerror], .content script').length`))
	assert.False(t, eval[bool](t, ctx, `window.__alerted === true`))

	// The wide diagram scrolls inside its box; the page never scrolls sideways.
	wide := figs + `[1].querySelector('.sc-diagram-svg')`
	assert.Greater(t, eval[int](t, ctx, wide+`.scrollWidth`), eval[int](t, ctx, wide+`.clientWidth`), "the wide diagram scrolls")
	assert.GreaterOrEqual(t, eval[float64](t, ctx, wide+`.querySelector('svg').getBoundingClientRect().width`),
		0.75*eval[float64](t, ctx, wide+`.querySelector('svg').viewBox.baseVal.width`)-1, "and is not shrunk below 3/4")
	assert.LessOrEqual(t, eval[int](t, ctx, `document.documentElement.scrollWidth`), eval[int](t, ctx, `window.innerWidth`), "no sideways page scroll")

	// A broken diagram keeps its code, with Mermaid's reason above it.
	broken := figs + `[2]`
	assert.Contains(t, eval[string](t, ctx, broken+`.querySelector('.sc-diagram-error').textContent`), "Parse error")
	assert.Equal(t, "flowchart TD\n  a -->\n", eval[string](t, ctx, broken+`.querySelector('pre code').textContent`))
	assert.Positive(t, eval[float64](t, ctx, broken+`.querySelector('pre').getBoundingClientRect().height`), "its code is visible")
	assert.Zero(t, eval[int](t, ctx, broken+`.querySelectorAll('svg').length`))

	lib := eval[string](t, ctx, `document.querySelector('script[data-mermaid]').dataset.mermaid`)
	assert.Regexp(t, `^/assets/vendor/mermaid\.min\.[0-9a-f]{10}\.js$`, lib)
	assert.Contains(t, eval[[]string](t, ctx, requested), base+lib)
}

// TestDiagramCodeStaysWhenTheLibraryFails serves the site without the
// library, as a phone offline before the worker has it would see it: every
// diagram keeps its code, and says why it is not drawn.
func TestDiagramCodeStaysWhenTheLibraryFails(t *testing.T) {
	chromium(t)
	public := buildSite(t, diagramFixture)
	libs, err := filepath.Glob(filepath.Join(public, "assets", "vendor", "mermaid.min.*"))
	require.NoError(t, err)
	require.NotEmpty(t, libs)
	for _, p := range libs {
		require.NoError(t, os.Remove(p))
	}
	hs, _ := serveSite(t, diagramFixture, public, map[string]string{})
	ctx := newPage(t, hs.URL)
	within(t, ctx, chromedp.Navigate(hs.URL+"/ops/escalation/"))
	until(t, ctx, allDiagramsSettled)
	figs := `[...document.querySelectorAll('figure.sc-diagram')]`
	assert.Equal(t, []string{"failed", "failed", "failed"}, eval[[]string](t, ctx, figs+`.map(f => f.dataset.status)`))
	assert.Contains(t, eval[string](t, ctx, figs+`[0].querySelector('.sc-diagram-error').textContent`), "The diagram library did not load.")
	assert.Contains(t, eval[string](t, ctx, figs+`[0].querySelector('pre code').innerText`), `alert["Alert fires"]`)
}

func TestPageWithoutDiagramLoadsNoMermaid(t *testing.T) {
	ctx, base := openDiagramSite(t)
	within(t, ctx, chromedp.Navigate(base+"/"))
	until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
	time.Sleep(500 * time.Millisecond) // past any script started after the first paint
	for _, url := range eval[[]string](t, ctx, requested) {
		assert.NotContains(t, strings.ToLower(url), "mermaid", "a page without a diagram fetched %s", url)
		assert.NotContains(t, url, "/diagrams.")
	}
	assert.NotContains(t, strings.ToLower(eval[string](t, ctx, `document.documentElement.outerHTML`)), "mermaid")
	assert.False(t, eval[bool](t, ctx, `"mermaid" in window`))
}

func TestDiagramSourceReadsWithoutJavaScript(t *testing.T) {
	ctx, base := openDiagramSite(t)
	disableScripts(t, ctx)
	within(t, ctx, chromedp.Navigate(base+"/ops/escalation/"))
	until(t, ctx, `document.readyState === "complete"`)
	code := `document.querySelector('figure.sc-diagram pre code')`
	// innerText is the text as laid out: visible, not just present.
	assert.Contains(t, eval[string](t, ctx, code+`.innerText`), `alert["Alert fires"] --> ack{"Acked in 5 min?"}`)
	assert.Greater(t, eval[float64](t, ctx, code+`.getBoundingClientRect().height`), 50.0)
	assert.Zero(t, eval[int](t, ctx, `document.querySelectorAll('svg').length`))
	for _, url := range eval[[]string](t, ctx, requested) {
		assert.NotContains(t, url, "mermaid", "without JavaScript nothing loads the library")
	}
}

// TestDiagramScreenshots saves the diagram page at 390×844 in light and dark
// mode, for review, to $STEPCHECK_SCREENSHOTS (or the test's temporary
// directory) as mermaid-light.png and mermaid-dark.png, and the broken
// diagram as mermaid-error-light.png and mermaid-error-dark.png. It also checks that
// each scheme draws with its own Mermaid theme, and that a change of scheme
// while the page is open draws the diagrams again.
func TestDiagramScreenshots(t *testing.T) {
	out := os.Getenv("STEPCHECK_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(out, 0o755))
	ctx, base := openDiagramSite(t)
	// The luminance of the first node's fill, 0 (black) to 1 (white).
	nodeFill := `(() => {
		const fill = getComputedStyle(document.querySelector('.sc-diagram-svg svg .node rect, .sc-diagram-svg svg .node polygon')).fill;
		const [r, g, b] = fill.match(/\d+/g).map(Number);
		return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
	})()`
	for _, scheme := range []string{"light", "dark"} {
		setScheme(t, ctx, scheme)
		within(t, ctx, chromedp.Navigate(base+"/ops/escalation/"))
		until(t, ctx, allDiagramsSettled)
		until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
		if scheme == "dark" {
			assert.Less(t, eval[float64](t, ctx, nodeFill), 0.4, "dark mode draws dark nodes")
		} else {
			assert.Greater(t, eval[float64](t, ctx, nodeFill), 0.6, "light mode draws light nodes")
		}
		for name, sel := range map[string]string{"mermaid-": "figure.sc-diagram", "mermaid-error-": `figure.sc-diagram[data-status="failed"]`} {
			eval[bool](t, ctx, `(() => { const e = document.querySelector(`+jsString(sel)+`); window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 120); return true })()`)
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(out, name+scheme+".png"), png, 0o644))
		}
	}
	// The page is open in dark mode; the phone turns to light, and nothing
	// of the dark drawing stays.
	setScheme(t, ctx, "light")
	until(t, ctx, allDiagramsSettled+` && `+nodeFill+` > 0.6`)
	assert.Greater(t, eval[float64](t, ctx, strings.Replace(nodeFill, `'.sc-diagram-svg svg .node rect, .sc-diagram-svg svg .node polygon')).fill`, `'.sc-diagram-svg svg .edgeLabel')).backgroundColor`, 1)), 0.6,
		"edge labels are light again")
	t.Logf("screenshots in %s", out)
}

// TestDiagramPageAccessibility runs axe-core on the diagram page, drawn, in
// light and dark mode, with the source of a drawing unfolded too.
func TestDiagramPageAccessibility(t *testing.T) {
	axe := axeSource(t)
	ctx, base := openDiagramSite(t)
	for _, scheme := range []string{"light", "dark"} {
		t.Run(scheme, func(t *testing.T) {
			setScheme(t, ctx, scheme)
			within(t, ctx, chromedp.Navigate(base+"/ops/escalation/"))
			until(t, ctx, allDiagramsSettled)
			until(t, ctx, `document.documentElement.dataset.widgets === "ready"`)
			eval[bool](t, ctx, `(() => { document.querySelector('details.sc-diagram-src').open = true; if (!window.axe) { `+axe+` } return true })()`)
			violations := eval[[]axeResult](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`)
			for _, v := range violations {
				var where []string
				for _, n := range v.Nodes {
					where = append(where, strings.Join(n.Target, " "))
				}
				t.Errorf("%s: %s (%d): %s", v.ID, v.Help, len(v.Nodes), strings.Join(where[:min(len(where), 5)], " | "))
			}
		})
	}
}
