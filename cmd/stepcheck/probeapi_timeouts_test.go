package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/server"
)

// silentTarget accepts connections and never answers; each accepted
// connection is signalled on the returned channel.
func silentTarget(t *testing.T) (addr string, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ch := make(chan struct{}, 16)
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			ch <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String(), ch
}

type checkAnswer struct {
	status, detail string
	took           time.Duration
	err            error
}

func askCheck(base, id string) <-chan checkAnswer {
	ch := make(chan checkAnswer, 1)
	go func() {
		start := time.Now()
		resp, err := http.Post(base+"/api/v1/probes/"+id+"/check", "", nil)
		if err != nil {
			ch <- checkAnswer{err: err, took: time.Since(start)}
			return
		}
		defer resp.Body.Close()
		var res struct{ Status, Detail string }
		err = json.NewDecoder(resp.Body).Decode(&res)
		ch <- checkAnswer{status: res.Status, detail: res.Detail, took: time.Since(start), err: err}
	}()
	return ch
}

// TestProbeAPIWriteTimeoutOutlastsTheLongestAnswer: the write timeout
// follows the catalogue's longest timeout, for the longest a catalogue may
// declare too, and a small catalogue does not let a slow client hold a
// connection for minutes.
func TestProbeAPIWriteTimeoutOutlastsTheLongestAnswer(t *testing.T) {
	for _, longest := range []time.Duration{time.Second, config.MaxTimeout} {
		t.Run(longest.String(), func(t *testing.T) {
			src := fmt.Sprintf("probes:\n  a:\n    type: tcp\n    addr: 127.0.0.1:1\n    timeout: 1s\n  b:\n    type: tcp\n    addr: 127.0.0.1:1\n    timeout: %s\n", longest)
			cat, err := config.Parse("probes.yaml", []byte(src), func(string) (string, bool) { return "", false })
			require.NoError(t, err)
			srv, err := server.New(builtinTypes(t), cat, server.Options{})
			require.NoError(t, err)
			defer srv.Close()
			hs := probeAPIHTTPServer(srv, slog.New(slog.DiscardHandler))
			assert.Equal(t, longest+server.AnswerSlack, srv.LongestAnswer())
			assert.Greater(t, hs.WriteTimeout, srv.LongestAnswer(), "an answer at the longest would be lost")
			assert.Less(t, hs.WriteTimeout, longest+10*time.Second, "the write timeout is not derived from the catalogue")
		})
	}
}

// TestProbeAPIDeliversTheLongestAnswer runs stepcheck probe-api with one
// concurrency slot. "hold" takes the slot against a target that never
// answers; "last" arrives a second later, waits for the slot, and runs until
// its own timeout: the longest answer this catalogue allows. It is
// delivered, in full, by the real server.
func TestProbeAPIDeliversTheLongestAnswer(t *testing.T) {
	addr, accepted := silentTarget(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "probes.yaml")
	writeFile(t, cfg, fmt.Sprintf("probes:\n  hold:\n    type: http\n    url: http://%[1]s/\n    timeout: 2s\n  last:\n    type: http\n    url: http://%[1]s/\n    timeout: 2s\n", addr))
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"probe-api", "--config", cfg, "--addr", "127.0.0.1:0", "--concurrency", "1", "--rate", "0"}, io.Discard, pw)
		pw.Close()
	}()
	defer func() {
		cancel()
		select {
		case c := <-code:
			assert.Equal(t, 0, c)
		case <-time.After(20 * time.Second):
			t.Error("probe-api did not stop")
		}
	}()
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "probe-api listening" {
				listening <- "http://" + line.Addr
			}
		}
	}()
	var base string
	select {
	case base = <-listening:
	case <-time.After(20 * time.Second):
		t.Fatal("probe-api did not start")
	}
	hold := askCheck(base, "hold")
	<-accepted // hold has the only slot
	time.Sleep(time.Second)
	got := <-askCheck(base, "last")
	t.Logf("last: %+v", got)
	require.NoError(t, got.err, "the longest answer was lost")
	assert.Equal(t, "unknown", got.status)
	assert.Contains(t, got.detail, "for a concurrency slot")
	assert.GreaterOrEqual(t, got.took, 2*time.Second, "not the longest answer: it ended before its timeout")
	assert.Less(t, got.took, 3*time.Second)
	assert.NoError(t, (<-hold).err)
}

// TestProbeAPIShutdownAnswersChecksInFlight: a check still running when
// the drain ends is stopped and answers unknown, rather than losing its
// answer when the process exits.
func TestProbeAPIShutdownAnswersChecksInFlight(t *testing.T) {
	addr, accepted := silentTarget(t)
	cat, err := config.Parse("probes.yaml", []byte("probes:\n  slow:\n    type: http\n    url: http://"+addr+"/\n    timeout: 30s\n"), func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	srv, err := server.New(builtinTypes(t), cat, server.Options{})
	require.NoError(t, err)
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	logger := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan error, 1)
	go func() {
		code <- serveProbeAPI(ctx, probeAPIHTTPServer(srv, logger), ln, srv, logger, 300*time.Millisecond)
	}()
	answer := askCheck("http://"+ln.Addr().String(), "slow")
	<-accepted
	cancel()
	select {
	case got := <-answer:
		require.NoError(t, got.err, "the answer was lost at shutdown")
		assert.Equal(t, "unknown", got.status)
		assert.True(t, strings.Contains(got.detail, "shutting down"), got.detail)
	case <-time.After(10 * time.Second):
		t.Fatal("no answer after shutdown")
	}
	select {
	case err := <-code:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not end")
	}
}

// builtinTypes returns the built-in probe types, closed when the test ends.
func builtinTypes(t testing.TB) *check.Registry {
	reg := builtin.New()
	t.Cleanup(func() { reg.Close() })
	return reg
}
