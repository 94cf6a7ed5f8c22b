package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoInstallFromCleanClone checks what the README tells CI to do: a
// stepcheck made by plain `go install`, with no make wasm, publishes the
// whole product, widgets included. It clones HEAD, so it tests what is
// committed: work not yet committed is not in the clone.
func TestGoInstallFromCleanClone(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	if testing.Short() && !ci {
		t.Skip("-short: go install in a clean clone compiles stepcheck afresh")
	}
	need := func(msg string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		if ci {
			t.Fatalf("%s: %v", msg, err)
		}
		t.Skipf("%s: %v", msg, err)
	}
	_, err := exec.LookPath("git")
	need("git is needed to clone the repository (apt-get install -y git)", err)
	root, err := output("../..", "git", "rev-parse", "--show-toplevel")
	need("not in a git checkout, so there is no commit to clone", err)
	head, err := output(root, "git", "rev-parse", "HEAD")
	require.NoError(t, err)
	if dirty, _ := output(root, "git", "status", "--porcelain"); dirty != "" {
		t.Logf("uncommitted changes are not in the clone, which is of %s:\n%s", head, dirty)
	}

	tmp := t.TempDir()
	clone := filepath.Join(tmp, "clone")
	_, err = output(tmp, "git", "clone", "--quiet", "--no-checkout", root, clone)
	require.NoError(t, err)
	_, err = output(clone, "git", "checkout", "--quiet", head)
	require.NoError(t, err)
	bin := filepath.Join(tmp, "bin")
	install := exec.Command("go", "install", "./cmd/stepcheck")
	install.Dir = clone
	install.Env = append(os.Environ(), "GOBIN="+bin)
	out, err := install.CombinedOutput()
	require.NoError(t, err, "go install ./cmd/stepcheck in a clean clone:\n%s", out)

	site := filepath.Join(tmp, "site")
	writeFile(t, filepath.Join(site, "content/_index.md"), "---\ntitle: Home\n---\nhello\n")
	public := filepath.Join(tmp, "public")
	build := exec.Command(filepath.Join(bin, "stepcheck"), "build", "-s", site, "-d", public)
	var stderr bytes.Buffer
	build.Stderr = &stderr
	require.NoError(t, build.Run(), stderr.String())
	assert.NotContains(t, stderr.String(), "note:", "no note that the widgets are missing")

	committed := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(clone, "wasm/dist/files", name))
		require.NoError(t, err)
		return b
	}
	br := committed("widgets.wasm.br")
	wasm, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	require.NoError(t, err)

	published, err := filepath.Glob(filepath.Join(public, "assets", "widgets.*.wasm"))
	require.NoError(t, err)
	require.Len(t, published, 1, "one widgets.<hash>.wasm in assets/")
	got, err := os.ReadFile(published[0])
	require.NoError(t, err)
	assert.True(t, bytes.Equal(wasm, got), "the published widgets.wasm is the committed one, decoded")
	for ext, want := range map[string][]byte{".br": br, ".gz": committed("widgets.wasm.gz")} {
		got, err := os.ReadFile(published[0] + ext)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "the published %s is the committed one", ext)
	}
	execJS, err := filepath.Glob(filepath.Join(public, "assets", "wasm_exec.*.js"))
	require.NoError(t, err)
	require.Len(t, execJS, 1)
	got, err = os.ReadFile(execJS[0])
	require.NoError(t, err)
	assert.True(t, bytes.Equal(committed("wasm_exec.js"), got), "the published wasm_exec.js is the committed one")

	page, err := os.ReadFile(filepath.Join(public, "index.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "/assets/"+filepath.Base(published[0]), "the page loads the widgets")
	assert.Contains(t, string(page), "/assets/"+filepath.Base(execJS[0]), "the page loads wasm_exec.js")
}

// output runs a command in dir and returns its trimmed standard output; an
// error carries its standard error.
func output(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
