package devserver

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWatcher watches a real site: the inputs are reported relative to the
// root, editors' temporary files and other directories are not, and a new
// section directory is watched as soon as it appears.
func TestWatcher(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "content", "ops"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "public"), 0o755))
	w, err := NewWatcher(root, Batcher{})
	require.NoError(t, err)
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan []string)
	go w.Run(ctx, out)

	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	// until waits for a batch holding want, and returns every path seen.
	until := func(want string) []string {
		t.Helper()
		var seen []string
		deadline := time.After(20 * time.Second)
		for {
			select {
			case batch := <-out:
				seen = append(seen, batch...)
				if slices.Contains(batch, want) {
					return seen
				}
			case <-deadline:
				t.Fatalf("no batch with %s; saw %v", want, seen)
			}
		}
	}

	write("public/index.html", "not an input")
	write("content/ops/.restart.md.swp", "swap")
	write("content/ops/restart.md", "# Restart\n")
	seen := until("content/ops/restart.md")
	assert.NotContains(t, seen, "public/index.html")
	assert.NotContains(t, seen, "content/ops/.restart.md.swp")

	write("stepcheck.yaml", "title: T\n")
	until("stepcheck.yaml")
	write("hugo.toml", "title = 'T'\n")
	until("hugo.toml")

	// A new section: its directory appears, then a page in it is edited.
	write("content/db/_index.md", "# DB\n")
	until("content/db")
	write("content/db/_index.md", "# Databases\n")
	until("content/db/_index.md")

	write("themes/default/static/style.css", "body{}")
	until("themes")

	// Hugo's static/, appearing after serve started, then a file in it.
	write("static/images/logo.svg", "<svg/>")
	until("static")
	write("static/images/logo.svg", "<svg></svg>")
	until("static/images/logo.svg")
}
