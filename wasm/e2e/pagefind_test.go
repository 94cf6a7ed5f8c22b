package e2e

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/gen/static"
	"github.com/stepcheck/stepcheck/wasm/dist/pack/packer"
)

// BenchmarkSearchFirstQuery compares the bytes a first search query fetches
// from stepcheck's index and from Pagefind's, on the same generated site of
// 475 and of 4,750 pages built by stepcheck, each query in a fresh
// Chromium, and the two indexes' size on disk. It needs PAGEFIND, the path
// of a pagefind binary (make bench installs pagefind@1.6.0 from npm).
// Reported per query: the index bytes on the wire as served here, and the
// same files brotli-compressed (what a host that compresses sends).
func BenchmarkSearchFirstQuery(b *testing.B) {
	pagefind := os.Getenv("PAGEFIND")
	if pagefind == "" {
		b.Skip("set PAGEFIND to a pagefind binary (npm install pagefind@1.6.0) to compare with Pagefind")
	}
	chromium(b)
	for _, pages := range []int{475, 4750} {
		b.Run("pages="+strconv.Itoa(pages), func(b *testing.B) { firstQueries(b, pagefind, pages) })
	}
}

func firstQueries(b *testing.B, pagefind string, pages int) {
	src := b.TempDir()
	require.NoError(b, corpus.Write(src, pages))
	// Without the service worker: it precaches the index on the first
	// visit, before anyone searches, which would hide what a query fetches.
	public := buildSiteWith(b, site.Options{Source: src, NoServiceWorker: true})
	out, err := exec.Command(pagefind, "--site", public).CombinedOutput()
	require.NoError(b, err, "%s", out)
	// Bytes are counted at the server, because Pagefind fetches its index
	// from a Web Worker, whose requests the page's own timeline never sees.
	counter := &served{h: static.Handler(os.DirFS(public))}
	hs := httptest.NewServer(counter)
	b.Cleanup(hs.Close)

	queries := []string{"redis-cli", "replication lag", "restart gateway"}
	var ours, theirs, oursBr, theirsBr float64
	for b.Loop() {
		for _, q := range queries {
			wire, files := firstQuery(b, hs.URL, counter, "/assets/search/", `(async () => {
				const i = document.querySelector('#sc-search'); i.focus(); i.value = `+jsString(q)+`;
				i.dispatchEvent(new Event('input', {bubbles: true})); return true })()`,
				`document.querySelectorAll('#sc-results a').length > 0 &&
				 document.querySelectorAll('#sc-results .r-snippet').length === document.querySelectorAll('#sc-results a').length`)
			ours += wire
			oursBr += brotliSum(b, public, files)
			wire, files = firstQuery(b, hs.URL, counter, "/pagefind/", `(async () => {
				const pf = await import('/pagefind/pagefind.js');
				await pf.init();
				const r = await pf.search(`+jsString(q)+`);
				await Promise.all(r.results.slice(0, 8).map(x => x.data()));
				window.__pfDone = r.results.length > 0; return true })()`, `window.__pfDone === true`)
			theirs += wire
			theirsBr += brotliSum(b, public, files)
		}
	}
	n := float64(b.N * len(queries))
	b.ReportMetric(ours/n, "stepcheck-B")
	b.ReportMetric(oursBr/n, "stepcheck-br-B")
	b.ReportMetric(theirs/n, "pagefind-B")
	b.ReportMetric(theirsBr/n, "pagefind-br-B")
	b.ReportMetric(float64(dirSize(b, filepath.Join(public, "assets", "search"))), "stepcheck-index-disk-B")
	b.ReportMetric(float64(dirSize(b, filepath.Join(public, "pagefind"))), "pagefind-index-disk-B")
}

// firstQuery opens a page in a fresh browser, runs a query with start, waits
// for done, and returns the body bytes served under prefix meanwhile, and
// the paths.
func firstQuery(b *testing.B, base string, counter *served, prefix, start, done string) (float64, []string) {
	ctx := newPage(b, base)
	within(b, ctx, chromedp.Navigate(base+"/area-00/runbook-000/"))
	until(b, ctx, `document.documentElement.dataset.widgets === "ready"`)
	counter.reset()
	eval[bool](b, ctx, start)
	until(b, ctx, done)
	var total float64
	var paths []string
	for p, n := range counter.snapshot() {
		if strings.HasPrefix(p, prefix) {
			total += float64(n)
			paths = append(paths, p)
		}
	}
	return total, paths
}

// served counts response body bytes by path.
type served struct {
	h     http.Handler
	mu    sync.Mutex
	bytes map[string]int
}

func (s *served) reset() { s.mu.Lock(); s.bytes = map[string]int{}; s.mu.Unlock() }

func (s *served) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.bytes)
}

func (s *served) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cw := &countingWriter{ResponseWriter: w}
	s.h.ServeHTTP(cw, r)
	s.mu.Lock()
	if s.bytes != nil {
		s.bytes[r.URL.Path] += cw.n
	}
	s.mu.Unlock()
}

type countingWriter struct {
	http.ResponseWriter
	n int
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += n
	return n, err
}

func brotliSum(b *testing.B, public string, paths []string) float64 {
	var total float64
	for _, p := range paths {
		body, err := os.ReadFile(filepath.Join(public, filepath.FromSlash(strings.SplitN(p, "?", 2)[0])))
		require.NoError(b, err)
		c, err := packer.Brotli(body)
		require.NoError(b, err)
		total += float64(min(len(c), len(body)))
	}
	return total
}

// dirSize sums the sizes of the files below dir.
func dirSize(b *testing.B, dir string) int64 {
	var n int64
	require.NoError(b, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return err
	}))
	return n
}
