// Package devserver is what stepcheck serve adds to the generator for a
// writer: a watcher that batches an editor's bursts of file events, a
// Server that rebuilds incrementally (site.Builder) and serves the site
// from memory, a Hub that tells browsers over Server-Sent Events which
// pages changed or why the build failed, and the script, injected into
// pages as they are served, that reloads the page, swaps stylesheets and
// shows the error overlay. None of it reaches a production build.
package devserver

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/gen/static"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

//go:embed live.js
var liveJS []byte

//go:embed live.css
var liveCSS []byte

// Options configure a Server.
type Options struct {
	// Site says what to build; Site.Source is the site root, which is
	// watched. The site is always served at the root of the origin, so
	// Site.BaseURL is set to "/".
	Site site.Options
	// API, when set, serves /api/ and /healthz on the site's own origin:
	// the probe API. The pages are then pointed at their own origin, and
	// the API's catalogue is read from the site's content/probes.yaml on
	// the first build and again whenever it changes; its problems show
	// with the site's, and the last good catalogue keeps answering.
	API ProbeAPI
	// Env expands ${VAR} in probes.yaml; nil means os.LookupEnv.
	Env config.LookupEnv
	// Banner is plain text shown at the top of every page; empty for none.
	Banner string
	// Log receives what the terminal shows: build times and diagnostics.
	// Nil discards it.
	Log io.Writer
	// Batcher batches file events; its zero value uses the defaults.
	Batcher Batcher
}

// Server rebuilds and serves one site for a writer. Create it with New; it
// is safe for concurrent use, and builds run one at a time.
type Server struct {
	opts    Options
	log     io.Writer
	builder *site.Builder
	hub     *Hub
	snap    atomic.Pointer[snapshot]
	handler http.Handler

	mu     sync.Mutex      // one build at a time; guards the fields below
	build  uint64          // the last good build's number
	stale  bool            // the published search index predates the pages
	warned map[string]bool // warnings the terminal has shown
	probes *probes         // the probe API's catalogue, when there is an API

	indexKick chan struct{} // wakes the indexer after a build left the index stale
}

// snapshot is one build as served.
type snapshot struct {
	fs    *memFS
	own   map[string][]byte // the build's own files
	kept  map[string]keptAsset
	build uint64
}

// keptAsset is a hashed asset an earlier build had and this one does not,
// still served for pages loaded before it, with the last build that had it.
type keptAsset struct {
	b     []byte
	build uint64
}

// keepAssetsFor is how many builds a replaced asset stays served: an
// editor's save often makes two builds, and a reader may not reload for a
// while. Assets are small and content-hashed, so this bounds the memory of
// a long session of stylesheet edits.
const keepAssetsFor = 32

// Result says what one Rebuild did.
type Result struct {
	// OK is false when the build failed; the last good build is still
	// served.
	OK bool
	// Build is the number of the build now served.
	Build uint64
	// Delta says what changed; nil when the build failed.
	Delta *site.Delta
	// Diagnostics are every problem found, warnings included.
	Diagnostics []diag.Diagnostic
	Duration    time.Duration
	// Pages counts the site's pages.
	Pages int
}

// New returns a Server for opts. It builds nothing until Rebuild or Run.
func New(opts Options) *Server {
	opts.Site.BaseURL = "/"
	opts.Site.LocalProbeAPI = opts.API != nil
	// A service worker serving cached pages would hide every edit.
	opts.Site.NoServiceWorker = true
	s := &Server{opts: opts, log: opts.Log, hub: NewHub(), indexKick: make(chan struct{}, 1)}
	if s.log == nil {
		s.log = io.Discard
	}
	if opts.API != nil {
		env := opts.Env
		if env == nil {
			env = os.LookupEnv
		}
		s.probes = &probes{api: opts.API, source: opts.Site.Source, env: env}
	}
	s.builder = site.NewBuilder(opts.Site)
	s.builder.DeferIndex = true
	mux := http.NewServeMux()
	mux.Handle(PathEvents, s.hub)
	mux.HandleFunc(PathScript, asset(liveJS, "text/javascript; charset=utf-8"))
	mux.HandleFunc(PathStyle, asset(liveCSS, "text/css; charset=utf-8"))
	if opts.API != nil {
		mux.Handle("/api/", opts.API.Handler())
		mux.Handle("/healthz", opts.API.Handler())
	}
	mux.HandleFunc("/", s.serveSite)
	s.handler = mux
	return s
}

// Handler serves the site, the live-reload stream and its script, and the
// API when Options.API is set.
func (s *Server) Handler() http.Handler { return s.handler }

// Hub returns the hub that tells browsers about builds.
func (s *Server) Hub() *Hub { return s.hub }

// Rebuild builds the site after changes to the given paths (slash paths
// relative to the site root; they only label the terminal output, because
// the Builder compares every input). A good build is served at once and
// announced; a failed one is announced with its diagnostics, and the last
// good build stays served. The terminal gets the time and the diagnostics.
func (s *Server) Rebuild(ctx context.Context, changed []string) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	var extra []diag.Diagnostic
	if s.probes != nil {
		var line string
		line, extra = s.probes.reload(changed)
		if line != "" {
			fmt.Fprintln(s.log, line)
		}
	}
	var diags diag.List
	out, delta, err := s.builder.Build(ctx, &diags)
	diags.Add(extra...)
	res := Result{Build: s.build, Diagnostics: diags.Sorted(), Duration: time.Since(start)}
	s.printDiagnostics(res.Diagnostics)
	if err != nil {
		if ctx.Err() != nil {
			return res
		}
		lines := errorLines(res.Diagnostics)
		if len(lines) == 0 || !isFailed(err) {
			lines = append(lines, "stepcheck: "+err.Error())
		}
		fmt.Fprintf(s.log, "Build failed (%v); still serving the last good build\n", err)
		s.hub.Failed(lines)
		return res
	}
	s.build++
	res.OK, res.Build, res.Delta, res.Pages = true, s.build, delta, out.Pages
	s.publish(out.Files)
	s.stale = delta.IndexStale
	res.Duration = time.Since(start)
	s.report(changed, res, out.Notes)
	s.hub.Built(s.build, delta.Pages, delta.Removed, delta.Styles)
	if hasErrors(extra) {
		s.hub.Failed(errorLines(res.Diagnostics))
	}
	if s.stale {
		select {
		case s.indexKick <- struct{}{}:
		default: // the indexer is already due
		}
	}
	return res
}

// report prints one line per build: what changed and how long it took.
func (s *Server) report(changed []string, res Result, notes []string) {
	d := res.Delta
	took := res.Duration.Round(100 * time.Microsecond)
	switch {
	case changed == nil:
		fmt.Fprintf(s.log, "Built %d pages in %s\n", res.Pages, took)
	case d.Styles != nil:
		fmt.Fprintf(s.log, "%s: swapped the stylesheet, rendered %d pages in %s\n", what(changed), d.Rendered, took)
	case d.Rendered == 0 && len(d.Removed) == 0:
		fmt.Fprintf(s.log, "%s: no page changed (%s)\n", what(changed), took)
	default:
		fmt.Fprintf(s.log, "%s: rendered %d of %d pages, %d changed, in %s\n", what(changed), d.Rendered, res.Pages, len(d.Pages)+len(d.Removed), took)
	}
	for _, n := range notes {
		if changed == nil {
			fmt.Fprintf(s.log, "note: %s\n", n)
		}
	}
}

func what(changed []string) string {
	switch len(changed) {
	case 0:
		return "rebuild"
	case 1:
		return changed[0]
	}
	return fmt.Sprintf("%s and %d more", changed[0], len(changed)-1)
}

// publish serves files from now on. Hashed assets of the last
// keepAssetsFor builds stay served too, so a page that was not reloaded can
// still fetch them.
func (s *Server) publish(files map[string][]byte) {
	all, kept := files, map[string]keptAsset{}
	if prev := s.snap.Load(); prev != nil {
		for name, k := range prev.kept {
			if k.build+keepAssetsFor > s.build {
				kept[name] = k
			}
		}
		for name, b := range prev.own {
			if strings.HasPrefix(name, "assets/") {
				kept[name] = keptAsset{b: b, build: prev.build}
			}
		}
		all = maps.Clone(files)
		for name, k := range kept {
			if _, ok := files[name]; ok {
				delete(kept, name)
				continue
			}
			all[name] = k.b
		}
	}
	s.snap.Store(&snapshot{fs: newMemFS(all), own: files, kept: kept, build: s.build})
}

// indexer brings the search index up to date after each edit, beside the
// rebuilds rather than before them: indexing a large site takes longer than
// the budget for a page edit, and no page's text depends on the index.
func (s *Server) indexer(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.indexKick:
		}
		s.updateIndex(ctx)
	}
}

// updateIndex publishes the build with a fresh index, unless a newer build
// came meanwhile; that one kicked the indexer again. No event goes out.
func (s *Server) updateIndex(ctx context.Context) {
	s.mu.Lock()
	stale, build := s.stale, s.build
	s.mu.Unlock()
	if !stale {
		return
	}
	out, ok, err := s.builder.UpdateIndex(ctx)
	if err != nil || !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.build == build {
		s.publish(out.Files)
		s.stale = false
	}
}

// Watch starts watching the site and returns once the watches are in
// place. Rebuilds then follow each batch of changes until ctx is done; call
// Rebuild once first for the first build. The returned channel is closed
// when watching has stopped and every live-reload stream has ended.
func (s *Server) Watch(ctx context.Context) (<-chan struct{}, error) {
	w, err := NewWatcher(s.opts.Site.Source, s.opts.Batcher)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", s.opts.Site.Source, err)
	}
	stopped := make(chan struct{})
	batches := make(chan []string)
	watching, indexing := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watching)
		w.Run(ctx, batches)
	}()
	go func() {
		defer close(indexing)
		s.indexer(ctx)
	}()
	go func() {
		defer close(stopped)
		defer s.hub.Close()
		defer func() { <-watching; <-indexing }()
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case batch := <-batches:
				s.Rebuild(ctx, batch)
			}
		}
	}()
	return stopped, nil
}

// stubPage is served before the first good build, so that the browser has a
// page to show the overlay on and to reload when the build is fixed.
const stubPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not built yet · stepcheck serve</title></head>
<body><main style="padding:16px;font:17px/1.5 system-ui,sans-serif"><h1>The site has not built yet</h1><p>Fix the problems listed here or in the terminal, and save: this page reloads by itself.</p></main></body></html>
`

func (s *Server) serveSite(w http.ResponseWriter, r *http.Request) {
	snap := s.snap.Load()
	if snap == nil {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		body := Inject([]byte(stubPage), Snippet{Run: s.hub.Run, Stub: true, Banner: s.opts.Banner})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(body)
		return
	}
	snip := Snippet{Build: snap.build, Run: s.hub.Run, Banner: s.opts.Banner}
	injecting(static.Handler(snap.fs), snip).ServeHTTP(w, r)
}

func asset(body []byte, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	}
}

// printDiagnostics prints every error, and the warnings the terminal has not
// shown yet: a site with many warnings would otherwise bury each
// rebuild's line under them.
func (s *Server) printDiagnostics(ds []diag.Diagnostic) {
	warned := map[string]bool{}
	for _, d := range dedupe(ds) {
		line := d.String()
		if d.Severity == diag.Warning {
			warned[line] = true
			if s.warned[line] {
				continue
			}
		}
		fmt.Fprintln(s.log, line)
	}
	s.warned = warned
}

// errorLines are what the overlay lists: the errors that failed the build.
// Warnings stay in the terminal, so they never bury an error.
func errorLines(ds []diag.Diagnostic) []string {
	var out []string
	for _, d := range dedupe(ds) {
		if d.Severity == diag.Error {
			out = append(out, d.String())
		}
	}
	return out
}

// dedupe drops repeated diagnostics: probes.yaml is read by both the site
// build and the probe API, which may report the same YAML error.
func dedupe(ds []diag.Diagnostic) []diag.Diagnostic {
	seen := map[string]bool{}
	var out []diag.Diagnostic
	for _, d := range ds {
		if k := d.String(); !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}

func hasErrors(ds []diag.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == diag.Error {
			return true
		}
	}
	return false
}

func isFailed(err error) bool {
	var f *diag.Failed
	return errors.As(err, &f)
}
