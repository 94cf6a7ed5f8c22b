package site

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

func TestCheckDestination(t *testing.T) {
	top := t.TempDir()
	src := filepath.Join(top, "site")
	for name, body := range map[string]string{
		"stepcheck.yaml":               "title: Runbooks\n",
		"hugo.toml":                    "title = \"Runbooks\"\n",
		"content/_index.md":            "# Home\n",
		"themes/default/layouts/x.tpl": "x",
		"static/logo.png":              "png",
		"layouts/_default/single.html": "x",
		"public/README.md":             "Build output.\n",
	} {
		writeTestFile(t, filepath.Join(src, name), body)
	}
	// A site whose content/ is a link to a folder elsewhere.
	linked := filepath.Join(top, "linked")
	runbooks := filepath.Join(top, "elsewhere", "runbooks")
	writeTestFile(t, filepath.Join(runbooks, "db.md"), "# DB\n")
	require.NoError(t, os.MkdirAll(linked, 0o755))
	require.NoError(t, os.Symlink(runbooks, filepath.Join(linked, "content")))

	unmarked := filepath.Join(top, "docs")
	writeTestFile(t, filepath.Join(unmarked, "notes.txt"), "mine")
	marked := filepath.Join(top, "www")
	writeTestFile(t, filepath.Join(marked, Marker), markerText)
	writeTestFile(t, filepath.Join(marked, "index.html"), "old site")
	file := filepath.Join(top, "notes.txt")
	writeTestFile(t, file, "mine")
	empty := filepath.Join(top, "empty")
	require.NoError(t, os.MkdirAll(empty, 0o755))

	for _, tc := range []struct {
		name, source, dest string
		force              bool
		want               error  // nil: the destination may be replaced
		names              string // the protected path the error names
	}{
		{name: "content", source: src, dest: filepath.Join(src, "content"), want: ErrProtected, names: filepath.Join(src, "content")},
		{name: "inside content, not there yet", source: src, dest: filepath.Join(src, "content", "out", "site"), want: ErrProtected, names: filepath.Join(src, "content")},
		{name: "content via symlink", source: linked, dest: runbooks, want: ErrProtected, names: filepath.Join(linked, "content")},
		{name: "inside content via symlink, not there yet", source: linked, dest: filepath.Join(runbooks, "new", "site"), want: ErrProtected, names: filepath.Join(linked, "content")},
		{name: "the symlink itself", source: linked, dest: filepath.Join(linked, "content"), want: ErrProtected, names: filepath.Join(linked, "content")},
		{name: "root", source: src, dest: src, want: ErrProtected, names: src},
		{name: "dest containing source", source: src, dest: top, want: ErrProtected, names: src},
		{name: "themes", source: src, dest: filepath.Join(src, "themes"), want: ErrProtected, names: filepath.Join(src, "themes")},
		{name: "static", source: src, dest: filepath.Join(src, "static"), want: ErrProtected, names: filepath.Join(src, "static")},
		{name: "layouts", source: src, dest: filepath.Join(src, "layouts", "_default"), want: ErrProtected, names: filepath.Join(src, "layouts")},
		{name: "config file", source: src, dest: filepath.Join(src, "stepcheck.yaml"), want: ErrProtected, names: filepath.Join(src, "stepcheck.yaml")},
		{name: "Hugo config file", source: src, dest: filepath.Join(src, "hugo.toml"), want: ErrProtected, names: filepath.Join(src, "hugo.toml")},
		{name: "unmarked non-empty dir", source: src, dest: unmarked, want: ErrUnmarked},
		{name: "unmarked non-empty dir with --force", source: src, dest: unmarked, force: true},
		{name: "plain file", source: src, dest: file, want: ErrNotDir},
		{name: "plain file with --force", source: src, dest: file, force: true},
		{name: "marked dir", source: src, dest: marked},
		{name: "public with only README.md", source: src, dest: filepath.Join(src, "public")},
		{name: "missing dir", source: src, dest: filepath.Join(top, "new", "public")},
		{name: "empty dir", source: src, dest: empty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forces := []bool{tc.force}
			if tc.want == ErrProtected {
				forces = []bool{false, true} // --force never overrides these
			}
			for _, force := range forces {
				err := CheckDestination(tc.source, tc.dest, force)
				if tc.want == nil {
					assert.NoError(t, err)
					continue
				}
				require.ErrorIs(t, err, tc.want, "force=%v", force)
				assert.Contains(t, err.Error(), tc.dest, "the error names the destination")
				assert.Contains(t, err.Error(), tc.names, "the error names what it would replace")
			}
		})
	}
}

func writeTestFile(t *testing.T, path, body string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
}

func TestPublishWritesTheMarker(t *testing.T) {
	root := writeSite(t, map[string]string{"content/_index.md": "---\ntitle: Home\n---\nhello\n"})
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: root}, &diags)
	require.NoError(t, err)
	assert.NotContains(t, out.Files, Marker, "the marker is no page and no file of the site")
	assert.NotContains(t, string(out.Files[ServiceWorker]), Marker, "the service worker does not precache it")

	dest := filepath.Join(t.TempDir(), "public")
	writeTestFile(t, filepath.Join(dest, "README.md"), "Build output.\n")
	require.NoError(t, CheckDestination(root, dest, false), "a public/ with only its README may be replaced")
	require.NoError(t, Publish(context.Background(), dest, out.Files))
	b, err := os.ReadFile(filepath.Join(dest, Marker))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), markerText+manifestHeader), "%s", b)
	assert.Contains(t, string(b), "\t\"index.html\"\n", "the marker lists the files")
	assert.FileExists(t, filepath.Join(dest, "README.md"))
	assert.NoError(t, CheckDestination(root, dest, false), "a published site may be replaced")
}

func TestCancelledBuildStops(t *testing.T) {
	root := writeSite(t, map[string]string{
		"content/_index.md":  "---\ntitle: Home\n---\nhello\n",
		"content/ops/db.md":  "---\ntitle: DB\n---\nx\n",
		"content/ops/web.md": "---\ntitle: Web\n---\ny\n",
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := NewBuilder(Options{Source: root})
	var diags diag.List
	out, _, err := b.Build(ctx, &diags)
	require.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, out)
	assert.Empty(t, b.docs, "no page was converted")
	assert.Empty(t, diags.Sorted(), "a cancelled build reports no problems of its own")

	out, _, err = b.Build(context.Background(), &diags)
	require.NoError(t, err, "the next build is whole")
	assert.Contains(t, string(out.Files["ops/db/index.html"]), "DB")
}

func TestCancelledPublishLeavesSiteUntouched(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	require.NoError(t, Publish(context.Background(), dest, map[string][]byte{"index.html": []byte("old")}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Publish(ctx, dest, map[string][]byte{"index.html": []byte("new"), "a/index.html": []byte("new")})
	require.ErrorIs(t, err, context.Canceled)
	b, err := os.ReadFile(filepath.Join(dest, "index.html"))
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	entries, err := os.ReadDir(filepath.Dir(dest))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary directory is left")
}

// TestPublishTrustsTheMarkersList: a file the previous marker lists, with
// the listed size and time, is linked without being read; one changed by
// hand since, even to the same size, is written again with the build's
// bytes.
func TestPublishTrustsTheMarkersList(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	files := map[string][]byte{"index.html": []byte("<p>home</p>"), "a/index.html": []byte("<p>a</p>"), "a b/it's.txt": []byte("odd name")}
	require.NoError(t, Publish(context.Background(), dest, files))
	// Files written just now are inside the racy window: only an old
	// marker's list is trusted. Make this one old.
	marker := filepath.Join(dest, Marker)
	future := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(marker, future, future))
	listed := readManifest(dest)
	require.Len(t, listed, 3, "every file is listed, odd names too")

	tampered := filepath.Join(dest, "a", "index.html")
	require.NoError(t, os.WriteFile(tampered, []byte("<p>X</p>"), 0o644))
	past := time.Now().Add(-time.Minute)
	require.NoError(t, os.Chtimes(tampered, past, past))
	before, err := os.Lstat(filepath.Join(dest, "index.html"))
	require.NoError(t, err)

	require.NoError(t, Publish(context.Background(), dest, files))
	b, err := os.ReadFile(tampered)
	require.NoError(t, err)
	assert.Equal(t, "<p>a</p>", string(b), "a hand edit of the same size is undone")
	after, err := os.Lstat(filepath.Join(dest, "index.html"))
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "an unchanged file is linked, not written")

	// A marker that lies is worth nothing: every file is compared.
	require.NoError(t, os.WriteFile(marker, []byte(markerText+manifestHeader+"8\t1\tzz\t\"index.html\"\nnot a line\n"), 0o644))
	require.NoError(t, os.Chtimes(marker, future, future))
	assert.Empty(t, readManifest(dest), "malformed lines are left out")
	require.NoError(t, Publish(context.Background(), dest, files))
	b, err = os.ReadFile(filepath.Join(dest, "index.html"))
	require.NoError(t, err)
	assert.Equal(t, "<p>home</p>", string(b))
}

// FuzzReadManifest: whatever the marker of a destination holds, reading its
// list neither panics nor keeps an entry it could not read whole.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(markerText + manifestHeader + "11\t1\t" + strings.Repeat("ab", 16) + "\t\"index.html\"\n"))
	f.Add([]byte(markerText))
	f.Add([]byte(manifestHeader + "1\t2\t3\t4\n\t\t\t\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, Marker)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		future := time.Now().Add(time.Hour)
		os.Chtimes(path, future, future)
		for name, e := range readManifest(dir) {
			if e.size < 0 || name == "" && !strings.Contains(string(data), `""`) {
				t.Fatalf("entry %q %+v from %q", name, e, data)
			}
		}
	})
}
