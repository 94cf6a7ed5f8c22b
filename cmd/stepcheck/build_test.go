package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshot reads every file below dir, by slash path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	}))
	return files
}

func TestBuildRefusesDestinations(t *testing.T) {
	for _, tc := range []struct {
		name string
		dest func(top, src string) string // the -d argument
		args []string
		want string // in the error after "stepcheck build: destination <dest> "
	}{
		{"content", func(_, src string) string { return filepath.Join(src, "content") }, nil,
			"is the site's content directory"},
		{"content with --force", func(_, src string) string { return filepath.Join(src, "content") }, []string{"--force"},
			"is the site's content directory"},
		{"site root", func(_, src string) string { return src }, []string{"--force"},
			"is the site root"},
		{"config file", func(_, src string) string { return filepath.Join(src, "stepcheck.yaml") }, []string{"--force"},
			"is the site's configuration file"},
		{"unmarked directory", func(top, _ string) string { return filepath.Join(top, "docs") }, nil,
			"holds notes.txt and no .stepcheck marker of an earlier build: stepcheck did not write it; use --force to replace it"},
		{"plain file", func(top, _ string) string { return filepath.Join(top, "notes.txt") }, nil,
			"is not a directory; use --force to replace it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			src := filepath.Join(top, "site")
			writeFile(t, filepath.Join(src, "stepcheck.yaml"), "title: Runbooks\n")
			writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\nhello\n")
			writeFile(t, filepath.Join(top, "docs/notes.txt"), "mine")
			writeFile(t, filepath.Join(top, "notes.txt"), "mine")
			before := snapshot(t, top)

			dest := tc.dest(top, src)
			code, stdout, stderr := runCLI(append([]string{"build", "-s", src, "-d", dest}, tc.args...)...)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "stepcheck build: destination "+dest+" "+tc.want)
			assert.Equal(t, before, snapshot(t, top), "nothing is written, and no temporary directory is left")
		})
	}
}

func TestBuildReplaces(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string // in the destination before the build
		args  []string
	}{
		{"missing directory", nil, nil},
		{"public with only its README", map[string]string{"README.md": "Build output.\n"}, nil},
		{"an earlier build", map[string]string{".stepcheck": "x", "index.html": "old"}, nil},
		{"unmarked directory with --force", map[string]string{"notes.txt": "mine"}, []string{"--force"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\nhello\n")
			dest := filepath.Join(src, "public")
			for name, body := range tc.files {
				writeFile(t, filepath.Join(dest, name), body)
			}
			code, _, stderr := runCLI(append([]string{"build", "-s", src, "-d", dest}, tc.args...)...)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, read(t, dest, "index.html"), "hello")
			assert.FileExists(t, filepath.Join(dest, ".stepcheck"))
			if _, ok := tc.files["README.md"]; ok {
				assert.Equal(t, "Build output.\n", read(t, dest, "README.md"), "public/README.md is kept")
			}
		})
	}
}
