package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/wasm/dist/pack/packer"
)

// Budgets from DESIGN.md. Sizes are deterministic, so tests assert them.
const (
	wasmBudget = 500 * 1000 // widgets.wasm, brotli
	pageBudget = 30 * 1000  // a page before wasm: HTML + CSS + bootstrap JS, brotli
)

func TestWidgetsWasmBudget(t *testing.T) {
	_, sizes := widgets(t)
	t.Logf("widgets.wasm: %d bytes raw, %d brotli, %d gzip (budget %d brotli)", sizes.Raw, sizes.Brotli, sizes.Gzip, wasmBudget)
	assert.LessOrEqual(t, sizes.Brotli, wasmBudget)
}

// TestPageWeightBudget weighs every RepairX page as a first visit fetches
// it before the widgets: its HTML, the stylesheet and the bootstrap script.
func TestPageWeightBudget(t *testing.T) {
	widgetFS, _ := widgets(t)
	var diags diag.List
	out, err := site.Build(context.Background(), site.Options{Source: "../..", Widgets: widgetFS}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	br := func(b []byte) int {
		c, err := packer.Brotli(b)
		require.NoError(t, err)
		return len(c)
	}
	var shared int
	for name, b := range out.Files {
		if strings.HasPrefix(name, "assets/style.") || strings.HasPrefix(name, "assets/stepcheck.") {
			shared += br(b)
		}
	}
	require.Positive(t, shared)
	heaviest, heaviestName := 0, ""
	for name, b := range out.Files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		total := br(b) + shared
		if total > heaviest {
			heaviest, heaviestName = total, name
		}
		assert.LessOrEqual(t, total, pageBudget, "%s weighs %d bytes brotli before wasm", name, total)
		t.Logf("page weight: %-45s %6d B brotli (HTML %d)", name, total, total-shared)
	}
	t.Logf("heaviest page before wasm: %s, %d bytes brotli (CSS + JS %d), budget %d", heaviestName, heaviest, shared, pageBudget)

	// Nothing blocks the first paint but one stylesheet, and the fonts are
	// the system's.
	stylesheet := regexp.MustCompile(`<link rel=stylesheet|<link rel="stylesheet"`)
	script := regexp.MustCompile(`<script[^>]*>`)
	for name, b := range out.Files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		if _, redirect := out.Site.AlertLinks["/"+strings.TrimSuffix(name, "index.html")]; redirect {
			// An alert's stable URL: a few hundred bytes that send the
			// browser on at once, query kept, which takes a script in
			// the head; it paints nothing.
			continue
		}
		head, _, _ := strings.Cut(string(b), "</head>")
		assert.Len(t, stylesheet.FindAllString(head, -1), 1, "%s: one stylesheet", name)
		for _, tag := range script.FindAllString(head, -1) {
			assert.True(t, strings.Contains(tag, "defer") || strings.Contains(tag, "async"), "%s: render-blocking %s", name, tag)
		}
		if strings.HasPrefix(name, "assets/") && strings.HasSuffix(name, ".css") {
			assert.NotContains(t, string(b), "@font-face", "system fonts only")
		}
	}
	for name, b := range out.Files {
		if strings.HasSuffix(name, ".css") {
			assert.NotContains(t, string(b), "@font-face", "%s: system fonts only", name)
			assert.NotRegexp(t, `url\([^)]*\.(woff2?|ttf|otf)`, string(b), "%s: no web fonts", name)
		}
	}
}
