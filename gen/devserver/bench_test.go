package devserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
	"github.com/stepcheck/stepcheck/gen/site"
)

// benchPage is the page the benchmarks edit, in the 450-page corpus.
const (
	benchPage = "content/area-07/runbook-007.md"
	benchURL  = "/area-07/runbook-007/"
)

// rebuildTimes collects the time of each rebuild from the terminal lines.
type rebuildTimes struct {
	mu    sync.Mutex
	times []time.Duration
}

var rebuildLine = regexp.MustCompile(`: rendered \d+ of \d+ pages, \d+ changed, in (\S+)\n`)

func (r *rebuildTimes) Write(p []byte) (int, error) {
	if m := rebuildLine.FindSubmatch(p); m != nil {
		if d, err := time.ParseDuration(string(m[1])); err == nil {
			r.mu.Lock()
			r.times = append(r.times, d)
			r.mu.Unlock()
		}
	}
	return len(p), nil
}

func (r *rebuildTimes) median() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return median(r.times)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func (s *Server) settled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.stale
}

// BenchmarkSaveToReload is the writer's wait in stepcheck serve: from
// writing one page of the 450-page corpus to a browser's event stream
// receiving the reload, through fsnotify, batching, the incremental rebuild
// and the hub. It reports the median rebuild (budget 50 ms) and the median
// save-to-event time (budget 150 ms). Between saves it waits for the search
// index to catch up, as a writer's saves are seconds apart.
func BenchmarkSaveToReload(b *testing.B) {
	src := b.TempDir()
	require.NoError(b, corpus.Write(src, 450))
	var rebuilds rebuildTimes
	s := New(Options{Site: site.Options{Source: src}, Log: &rebuilds})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.True(b, s.Rebuild(ctx, nil).OK)
	stopped, err := s.Watch(ctx)
	require.NoError(b, err)
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	defer func() { cancel(); <-stopped }() // before Close, which waits for the event stream
	events := stream(b, ctx, hs.URL, benchURL, 1, s.Hub().Run)
	file := filepath.Join(src, filepath.FromSlash(benchPage))
	orig, err := os.ReadFile(file)
	require.NoError(b, err)

	var waits []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		require.NoError(b, os.WriteFile(file, fmt.Appendf(slices.Clone(orig), "\nSave number %d.\n", i), 0o644))
		for ev := next(b, events); !slices.Contains(ev.Pages, benchURL); ev = next(b, events) {
		}
		waits = append(waits, time.Since(start))
		b.StopTimer()
		for !s.settled() {
			time.Sleep(time.Millisecond)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(median(waits).Microseconds())/1000, "save-to-event-ms")
	b.ReportMetric(float64(rebuilds.median().Microseconds())/1000, "rebuild-ms")
}

// BenchmarkHugoServer times hugo server on the same corpus, for comparison:
// from writing one page to hugo's "Total in N ms" line, which it prints just
// before it tells the browser to reload, in its default fast-render mode
// and with --disableFastRender. It reports hugo's own rebuild time as
// rebuild-ms. It skips without hugo (apt-get install -y hugo).
func BenchmarkHugoServer(b *testing.B) {
	for _, mode := range []struct{ name, flag string }{{"fast-render", ""}, {"full", "--disableFastRender"}} {
		b.Run(mode.name, func(b *testing.B) { benchHugo(b, mode.flag) })
	}
}

func benchHugo(b *testing.B, flag string) {
	hugo, err := exec.LookPath("hugo")
	if err != nil {
		b.Skip("hugo not found: apt-get install -y hugo")
	}
	src := b.TempDir()
	require.NoError(b, corpus.Write(src, 450))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	args := []string{"server", "--source", src, "--bind", "127.0.0.1", "--port", port, "--disableLiveReload=false"}
	if flag != "" {
		args = append(args, flag)
	}
	cmd := exec.Command(hugo, args...)
	out, err := cmd.StdoutPipe()
	require.NoError(b, err)
	cmd.Stderr = io.Discard
	require.NoError(b, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	waitFor := func(prefix string) string {
		for {
			select {
			case l, ok := <-lines:
				require.True(b, ok, "hugo server ended")
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-time.After(60 * time.Second):
				b.Fatalf("hugo printed no %q", prefix)
			}
		}
	}
	waitFor("Web Server is available")
	file := filepath.Join(src, filepath.FromSlash(benchPage))
	orig, err := os.ReadFile(file)
	require.NoError(b, err)
	var waits, rebuilds []time.Duration
	// hugo collects events on a 500 ms ticker, so its wait depends on when
	// in the tick a save falls; saves at random moments give the wait a
	// writer sees on average.
	rng := rand.New(rand.NewPCG(1, 2))
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		time.Sleep(time.Duration(rng.Int64N(int64(500 * time.Millisecond))))
		b.StartTimer()
		start := time.Now()
		require.NoError(b, os.WriteFile(file, fmt.Appendf(slices.Clone(orig), "\nSave number %d.\n", i), 0o644))
		total := waitFor("Total in ")
		waits = append(waits, time.Since(start))
		if ms, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(total, "Total in "), " ms")); err == nil {
			rebuilds = append(rebuilds, time.Duration(ms)*time.Millisecond)
		}
	}
	b.ReportMetric(float64(median(waits).Microseconds())/1000, "save-to-event-ms")
	b.ReportMetric(float64(median(rebuilds).Microseconds())/1000, "rebuild-ms")
}
