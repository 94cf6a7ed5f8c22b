package site

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

var assetHash = regexp.MustCompile(`\.[0-9a-f]{10}\.(css|js|wasm|txt|gz)`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGoldenPages renders a small fixture site through the default theme,
// without minification so the files diff well, and compares whole pages:
// layout, navigation, breadcrumbs, table of contents and widget data.
//
// The fixture is copied into a git repository of its own, committed at a
// fixed time, and built at a fixed time, so that change dates and review
// banners are the same on every run.
func TestGoldenPages(t *testing.T) {
	src := gitFixture(t, "testdata/site", "2026-11-20T09:00:00Z")
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: src, NoMinify: true, Now: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	for _, page := range []string{"index.html", "ops/index.html", "ops/restart/index.html", "alerts/index.html", "alerts/apidown/index.html"} {
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

// gitFixture copies dir into a new git repository, commits it with the
// given date, and returns the copy's path.
func gitFixture(t *testing.T, dir, when string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed; install it to run the golden pages")
	}
	src := t.TempDir()
	require.NoError(t, os.CopyFS(src, os.DirFS(dir)))
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-q", "-m", "fixture"}} {
		cmd := exec.Command("git", append([]string{"-C", src}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+when, "GIT_COMMITTER_DATE="+when, "GIT_AUTHOR_NAME=t",
			"GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	return src
}
