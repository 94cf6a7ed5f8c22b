package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
}

func TestBuildAndLintExitStatus(t *testing.T) {
	src := t.TempDir()
	dest := filepath.Join(t.TempDir(), "public")
	writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\nhello\n")

	code, stdout, stderr := runCLI("build", "-s", src, "-d", dest)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `^Built 1 pages \(0 sections, \d+ files\) into .* with 0 warnings in \d+m?s\n$`, stdout)
	assert.FileExists(t, filepath.Join(dest, "index.html"))

	writeFile(t, filepath.Join(src, "content/bad.md"), "---\ntitle: [\n---\n{probe:nope}\n")
	code, _, stderr = runCLI("build", "--source", src, "--destination", dest)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, filepath.Join("content", "bad.md")+":2:1: front matter:")
	assert.Contains(t, stderr, "content/bad.md:4:1: unknown probe \"nope\"")
	assert.Contains(t, stderr, "nothing was written")
	assert.NoFileExists(t, filepath.Join(dest, "bad", "index.html"))

	code, stdout, _ = runCLI("lint", "-s", src)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "content/bad.md:4:1: error: unknown probe")

	require.NoError(t, os.Remove(filepath.Join(src, "content/bad.md")))
	lintDest := filepath.Join(src, "public")
	code, _, stderr = runCLI("lint", "-s", src)
	assert.Equal(t, 0, code, stderr)
	assert.NoDirExists(t, lintDest, "lint writes nothing")
}

func TestUsageErrors(t *testing.T) {
	code, _, stderr := runCLI()
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "usage: stepcheck <command>")
	code, _, _ = runCLI("frobnicate")
	assert.Equal(t, 2, code)
	code, _, _ = runCLI("build", "--no-such-flag")
	assert.Equal(t, 2, code)
	code, _, _ = runCLI("build", "extra-arg")
	assert.Equal(t, 2, code)
	code, _, _ = runCLI("lint", "extra-arg")
	assert.Equal(t, 2, code)
}
