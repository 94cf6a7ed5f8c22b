package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixture repositories live in gen/content/testdata; their golden
// reports are tested there. Here they go through the whole command.

func TestBuildHugoSite(t *testing.T) {
	src := "../../gen/content/testdata/hugo-site"
	dest := filepath.Join(t.TempDir(), "public")
	code, stdout, stderr := runCLI("build", "-s", src, "-d", dest)
	require.Equal(t, 0, code, stderr)
	assert.NotRegexp(t, `(?m)^content/[^ ]+:\d+:\d+: [^w]`, stderr, "no errors, only warnings")
	assert.Contains(t, stdout, "with 3 warnings")

	page := read(t, dest, "alerts/node/nodeclockskew/index.html")
	assert.Contains(t, page, "<title>NodeClockSkew · Cluster runbooks</title>")
	assert.Contains(t, page, `href="/alerts/node/nodefilesystemalmostfull/"`, "relref resolved")

	for _, alias := range []string{"runbooks/node/nodeclockskew/index.html", "alerts/node/nodeclockskew/old-clock-skew.html"} {
		redirect := read(t, dest, alias)
		assert.Contains(t, redirect, `<meta http-equiv="refresh" content="0; url=/alerts/node/nodeclockskew/">`, alias)
		assert.Contains(t, redirect, `<link rel="canonical" href="/alerts/node/nodeclockskew/">`, alias)
	}
	assert.NoFileExists(t, filepath.Join(dest, "alerts/pods/podpending/index.html"), "drafts are left out")

	code, _, stderr = runCLI("build", "-s", src, "-d", dest, "--drafts")
	require.Equal(t, 0, code, stderr)
	assert.FileExists(t, filepath.Join(dest, "alerts/pods/podpending/index.html"))

	code, _, stderr = runCLI("lint", "-s", src)
	assert.Equal(t, 0, code, "the Hugo fixture lints with warnings only: %s", stderr)
}

func TestBuildPlainFolder(t *testing.T) {
	src := "../../gen/content/testdata/plain-folder"
	dest := filepath.Join(t.TempDir(), "public")
	code, stdout, stderr := runCLI("build", "-s", src, "-d", dest)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "with 1 warning")
	assert.Contains(t, stderr, `content/runbooks/database-failover.md:17:1: warning: link to "manual-failover.md": there is no content/runbooks/manual-failover.md`)

	home := read(t, dest, "index.html")
	assert.Contains(t, home, "<title>Payments team runbooks</title>")
	assert.Contains(t, home, `href="/runbooks/database-failover/#before-you-start"`)
	assert.FileExists(t, filepath.Join(dest, "runbooks/cache-flush/index.html"))

	code, stdout, _ = runCLI("lint", "-s", src)
	assert.Equal(t, 1, code, "lint fails on the link to a missing file")
	assert.Equal(t, `../../gen/content/testdata/plain-folder/content/runbooks/database-failover.md:17:1: error: link to "manual-failover.md": there is no content/runbooks/manual-failover.md
../../gen/content/testdata/plain-folder/content/runbooks/kube-pod-crash-looping.md:1:1: warning: page has no title and no heading, so it is titled "Kube pod crash looping" from its name; add "title:" to its front matter`,
		strings.TrimSpace(stdout))

	// Images and files beside the pages are published where the pages'
	// links now point.
	page := read(t, dest, "runbooks/cache-flush/index.html")
	for _, f := range []string{"runbooks/img/flush.png", "runbooks/helpers/screenshots/flush-dialog.png", "runbooks/hierarchy/alerts.svg"} {
		assert.FileExists(t, filepath.Join(dest, f))
		assert.Contains(t, page, `"/`+f+`"`)
	}
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	require.NoError(t, err)
	return string(b)
}
