package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

// TestProbeAPIProcess is not a test: TestProbeAPIStderrIsJSON runs the test
// binary again with STEPCHECK_TEST_ARGS set, and then this runs the command
// as main does, writing to the process's real stdout and stderr.
func TestProbeAPIProcess(t *testing.T) {
	args := os.Getenv("STEPCHECK_TEST_ARGS")
	if args == "" {
		t.Skip("runs only as the child of TestProbeAPIStderrIsJSON")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, strings.Split(args, "\n"), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// TestProbeAPIStderrIsJSON runs probe-api as its own process, with a Redis
// probe against a closed port and shared mode against another closed port,
// and reads the process's stderr: go-redis writes there on its own when its
// logger is not routed, so only a separate process shows it. Every line
// must be JSON, and none may name the closed ports' addresses.
func TestProbeAPIStderrIsJSON(t *testing.T) {
	probeAddr, sharedAddr := closedAddr(t), closedAddr(t)
	cfg := filepath.Join(t.TempDir(), "probes.yaml")
	writeFile(t, cfg, "probes:\n  cache:\n    type: redis\n    addr: ${CACHE_ADDR}\n    check: ping\n")
	args := []string{"probe-api", "--config", cfg, "--addr", "127.0.0.1:0", "--rate", "0", "--cache", "0",
		"--redis", "redis://" + sharedAddr + "/0"}
	cmd := exec.Command(os.Args[0], "-test.run=^TestProbeAPIProcess$")
	cmd.Env = append(os.Environ(), "STEPCHECK_TEST_ARGS="+strings.Join(args, "\n"), "CACHE_ADDR="+probeAddr)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	kill := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
	defer kill.Stop()

	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var seen []string
	var listen string
	for listen == "" {
		line, ok := <-lines
		require.True(t, ok, "probe-api ended before listening:\n%s", strings.Join(seen, "\n"))
		seen = append(seen, line)
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "probe-api listening" {
			listen = rec.Addr
		}
	}
	for i := 0; i < 2; i++ {
		resp, err := http.Post("http://"+listen+api.CheckPath("cache"), "", nil)
		require.NoError(t, err)
		var res api.Result
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
		resp.Body.Close()
		assert.Equal(t, api.StatusDown, res.Status, "%+v", res)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	for line := range lines {
		seen = append(seen, line)
	}
	require.NoError(t, cmd.Wait(), strings.Join(seen, "\n"))

	redisLines, auditLines := 0, 0
	for _, line := range seen {
		assert.True(t, json.Valid([]byte(line)), "not a JSON line on stderr: %s", line)
		for _, addr := range []string{probeAddr, sharedAddr} {
			assert.NotContains(t, line, addr)
		}
		if strings.Contains(line, `"msg":"redis client"`) {
			redisLines++
		}
		var audit struct{ Msg, Client, Probe, Outcome string }
		json.Unmarshal([]byte(line), &audit)
		switch audit.Msg {
		case "probe-api listening":
		case "check request":
			// The audit names the client, and nothing else of the network.
			auditLines++
			assert.Equal(t, "127.0.0.1", audit.Client, line)
			assert.Equal(t, "cache", audit.Probe, line)
			assert.NotContains(t, strings.Replace(line, `"client":"127.0.0.1"`, "", 1), "127.0.0.1", "an address in the audit")
		default:
			assert.NotContains(t, line, "127.0.0.1", "an address in the log")
		}
	}
	assert.Equal(t, 2, auditLines, "one audit line per check request")
	assert.NotZero(t, redisLines, "go-redis's lines reach the JSON log:\n%s", strings.Join(seen, "\n"))
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
