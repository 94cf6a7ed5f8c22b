package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveCLI runs stepcheck serve until the test ends and returns its URL and
// its terminal lines as they come.
func serveCLI(t *testing.T, args ...string) (base string, lines <-chan string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), pw, io.Discard)
		pw.Close()
	}()
	out := make(chan string, 100)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	serving := regexp.MustCompile(`^Serving .* at (http://127\.0\.0\.1:\d+)/ with live reload`)
	stop = func() int {
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	for {
		select {
		case line, ok := <-out:
			require.True(t, ok, "serve ended before serving")
			if m := serving.FindStringSubmatch(line); m != nil {
				return m[1], out, stop
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not start")
		}
	}
}

// waitLine waits for a terminal line that contains want.
func waitLine(t *testing.T, lines <-chan string, want string) string {
	t.Helper()
	for {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "serve ended")
			if strings.Contains(line, want) {
				return line
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no line with %q", want)
		}
	}
}

func checkStatus(t *testing.T, base, id string) string {
	t.Helper()
	resp, err := http.Post(base+"/api/v1/probes/"+id+"/check", "", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	var res struct{ Status string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	return res.Status
}

// TestServeDemo serves the RepairX runbooks as make serve does: the pages
// carry the demo banner, and the backend stand-in answers the probes.
func TestServeDemo(t *testing.T) {
	base, _, stop := serveCLI(t, "-s", "../..", "--demo")
	resp, err := http.Get(base + "/procedures/service-down/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), `class="sc-dev-banner"`)
	assert.Contains(t, string(page), "/_stepcheck/live.js")
	assert.Equal(t, "up", checkStatus(t, base, "backend-live"))
	assert.Equal(t, "up", checkStatus(t, base, "backend-latency-p95"))
	assert.Equal(t, 0, stop(), "Ctrl-C stops serve cleanly")
}

// TestServeReloadsTheCatalogue edits probes.yaml under a running serve: the
// probe API serves the new catalogue, and a broken one is reported with its
// position while the old one keeps answering.
func TestServeReloadsTheCatalogue(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\nhello {probe:one}\n")
	probes := filepath.Join(src, "content/probes.yaml")
	writeFile(t, probes, "probes:\n  one:\n    type: tcp\n    addr: 127.0.0.1:1\n")
	base, lines, stop := serveCLI(t, "-s", src)
	assert.Equal(t, "down", checkStatus(t, base, "one"))

	writeFile(t, probes, "probes:\n  one:\n    type: tcp\n    addr: 127.0.0.1:1\n  two:\n    type: tcp\n    addr: 127.0.0.1:1\n")
	waitLine(t, lines, "content/probes.yaml: the probe API reloaded 2 probes")
	assert.Equal(t, "down", checkStatus(t, base, "two"))

	writeFile(t, probes, "probes:\n  one:\n    type: tcp\n    addr: 127.0.0.1:1\n  two:\n    type: nosuch\n")
	waitLine(t, lines, "content/probes.yaml:6:11: probe two: type: unknown type nosuch")
	assert.Equal(t, "down", checkStatus(t, base, "two"), "the last good catalogue still answers")
	assert.Equal(t, 0, stop())
}

// TestServePrintsAProblemOnce: the site build and the probe API read
// probes.yaml with one parser, so a duplicate ID is one line, not two
// lines in two wordings.
func TestServePrintsAProblemOnce(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\n{probe:one}\n")
	probes := filepath.Join(src, "content/probes.yaml")
	writeFile(t, probes, "probes:\n  one:\n    type: tcp\n    addr: 127.0.0.1:1\n")
	_, lines, stop := serveCLI(t, "-s", src)
	writeFile(t, probes, "probes:\n  one:\n    type: tcp\n    addr: 127.0.0.1:1\n  one:\n    type: tcp\n    addr: 127.0.0.1:2\n")
	var dup []string
	for line := waitLine(t, lines, "declared twice"); !strings.HasPrefix(line, "Build failed"); line = <-lines {
		if strings.Contains(line, "declared twice") {
			dup = append(dup, line)
		}
	}
	assert.Equal(t, 0, stop())
	assert.Equal(t, []string{"content/probes.yaml:5:3: probe one is declared twice (first at line 2)"}, dup)
}
