package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

// probeAPICLI runs stepcheck probe-api in this process until the test
// ends, and returns its base URL (on 127.0.0.1) and its log lines.
func probeAPICLI(t *testing.T, args ...string) (base string, lines <-chan string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx, append([]string{"probe-api"}, args...), io.Discard, pw)
		pw.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	out := make(chan string, 100)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	for {
		select {
		case line, ok := <-out:
			require.True(t, ok, "probe-api ended before listening")
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "probe-api listening" {
				_, port, err := net.SplitHostPort(rec.Addr)
				require.NoError(t, err)
				return "http://127.0.0.1:" + port, out
			}
		case <-time.After(20 * time.Second):
			t.Fatal("probe-api did not start")
		}
	}
}

// request sends method to base+path naming host in the Host header, and
// returns the status and body.
func request(t *testing.T, method, base, path, host string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func probesFile(t *testing.T) string {
	cfg := filepath.Join(t.TempDir(), "probes.yaml")
	writeFile(t, cfg, "probes:\n  one:\n    type: tcp\n    addr: 127.0.0.1:1\n")
	return cfg
}

// TestProbeAPIPublicOriginAndAudit: beyond loopback without
// --public-origin, probe-api warns and answers addresses only; with it, the
// public name too. Each check is an audit line with the proxy's user, and
// --metrics-token closes /metrics.
func TestProbeAPIPublicOriginAndAudit(t *testing.T) {
	base, lines := probeAPICLI(t, "--config", probesFile(t), "--addr", "0.0.0.0:0")
	waitLine(t, lines, "listening beyond loopback without -public-origin")
	code, _ := request(t, "POST", base, api.CheckPath("one"), "runbooks.example.com", nil)
	assert.Equal(t, http.StatusMisdirectedRequest, code)

	t.Setenv("STEPCHECK_METRICS_TOKEN", "m-tok")
	base, lines = probeAPICLI(t, "--config", probesFile(t), "--public-origin", "https://runbooks.example.com",
		"--user-header", "X-Forwarded-User")
	code, body := request(t, "POST", base, api.CheckPath("one"), "runbooks.example.com",
		map[string]string{"Origin": "https://runbooks.example.com", "X-Forwarded-User": "ada@example.com"})
	assert.Equal(t, 200, code, body)
	line := waitLine(t, lines, `"msg":"check request"`)
	assert.Contains(t, line, `"user":"ada@example.com"`)
	assert.Contains(t, line, `"probe":"one"`)
	assert.Contains(t, line, `"outcome":"ran"`)
	assert.NotContains(t, line, "127.0.0.1:1", "the audit names no target")
	code, _ = request(t, "POST", base, api.CheckPath("one"), "evil.test", map[string]string{"Origin": "http://evil.test"})
	assert.Equal(t, http.StatusMisdirectedRequest, code)
	code, _ = request(t, "GET", base, api.PathMetrics, "", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body = request(t, "GET", base, api.PathMetrics, "", map[string]string{"Authorization": "Bearer m-tok"})
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `stepcheck_probe_requests_total{outcome="ran",probe="one"} 1`)
}

func TestProbeAPIRefusesBadOrigins(t *testing.T) {
	for _, flag := range []string{"--public-origin", "--cors-origin"} {
		code, _, stderr := runCLI("probe-api", "--config", probesFile(t), flag, "runbooks.example.com")
		assert.Equal(t, 2, code, flag)
		assert.Contains(t, stderr, `origin "runbooks.example.com"`, flag)
	}
	code, _, stderr := runCLI("serve", "--public-origin", "https://x.example/path")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--public-origin")
}

// TestServeRefusesRebinding: stepcheck serve's pages and API answer only
// the hosts it serves, so a DNS-rebinding page reads no draft and runs no
// probe; and its API has probe-api's rate limit.
func TestServeRefusesRebinding(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\nhello {probe:one}\n")
	writeFile(t, filepath.Join(src, "content/secret.md"), "---\ntitle: Unreleased plan\ndraft: true\n---\nthe draft\n")
	writeFile(t, filepath.Join(src, "content/probes.yaml"), "probes:\n  one:\n    type: tcp\n    addr: 127.0.0.1:1\n")
	base, _, stop := serveCLI(t, "-s", src, "--drafts", "--public-origin", "http://preview.example.com:1313")
	port := base[strings.LastIndexByte(base, ':'):]

	code, body := request(t, "GET", base, "/secret/", "evil.test"+port, nil)
	assert.Equal(t, http.StatusMisdirectedRequest, code)
	assert.NotContains(t, body, "draft")
	code, _ = request(t, "POST", base, api.CheckPath("one"), "evil.test"+port, map[string]string{"Origin": "http://evil.test" + port})
	assert.Equal(t, http.StatusMisdirectedRequest, code)
	code, body = request(t, "GET", base, "/secret/", "preview.example.com:1313", nil)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "the draft")
	code, _ = request(t, "GET", base, "/secret/", "", nil)
	assert.Equal(t, 200, code)

	limited := 0
	for range 40 {
		if code, _ := request(t, "POST", base, api.CheckPath("one"), "", nil); code == http.StatusTooManyRequests {
			limited++
		}
	}
	assert.NotZero(t, limited, "40 checks at once from one client: the rate limit refuses some")
	assert.Equal(t, 0, stop())
}
