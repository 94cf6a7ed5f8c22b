package site

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

var assetHash = regexp.MustCompile(`\.[0-9a-f]{10}\.(css|js|wasm|txt|gz)`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGoldenPages renders a small fixture site through the default theme,
// without minification so the files diff well, and compares whole pages:
// layout, navigation, breadcrumbs, table of contents and widget data.
func TestGoldenPages(t *testing.T) {
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: "testdata/site", NoMinify: true}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	for _, page := range []string{"index.html", "ops/index.html", "ops/restart/index.html"} {
		t.Run(page, func(t *testing.T) {
			require.NotNil(t, out.Files[page])
			// Asset hashes change with every theme edit; the golden file
			// is about the page, so they are masked.
			got := assetHash.ReplaceAll(out.Files[page], []byte(".HASH.$1"))
			name := strings.ReplaceAll(strings.TrimSuffix(strings.TrimSuffix(page, "index.html"), "/"), "/", "_")
			if name == "" {
				name = "home"
			}
			golden := filepath.Join("testdata", "golden", name+".html")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./gen/site -update to create it")
			assert.Equal(t, string(want), string(got))
		})
	}
	page := string(out.Files["ops/restart/index.html"])
	assert.NotContains(t, page, "never-in-the-page", "probe targets stay out of pages")
	assert.NotContains(t, page, "<b>abuse</b>")
}
