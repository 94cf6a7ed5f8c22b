package devserver

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/search"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/themes"
)

// syncBuffer is the terminal: written by the rebuilds, read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stream subscribes to the server's events as a browser showing page does.
func stream(t testing.TB, ctx context.Context, base, page string, build uint64, run string) <-chan Event {
	t.Helper()
	q := url.Values{"page": {page}, "build": {strconv.FormatUint(build, 10)}, "run": {run}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+PathEvents+"?"+q.Encode(), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	ch := make(chan Event, 16)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var ev Event
			if json.Unmarshal([]byte(data), &ev) == nil {
				ch <- ev
			}
		}
	}()
	return ch
}

// next waits for the next event, with a deadline.
func next(t testing.TB, events <-chan Event) Event {
	t.Helper()
	select {
	case ev, ok := <-events:
		require.True(t, ok, "the event stream ended")
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no event")
		return Event{}
	}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// save writes a file the way editors do: a temporary file renamed over it.
func save(t *testing.T, path, body string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	require.NoError(t, os.WriteFile(tmp, []byte(body), 0o644))
	require.NoError(t, os.Rename(tmp, path))
}

func copyTheme(t *testing.T, src string) {
	t.Helper()
	require.NoError(t, fs.WalkDir(themes.Default(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(themes.Default(), p)
		if err != nil {
			return err
		}
		dst := filepath.Join(src, site.ThemeDir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		return os.WriteFile(dst, b, 0o644)
	}))
}

var searchEntry = regexp.MustCompile(`data-search="([^"]+)"`)

// searchShard fetches the search index's entry file and then the postings
// shard that holds word, and returns the shard's text.
func searchShard(t *testing.T, base, entry, word string) string {
	t.Helper()
	gunzip := func(url string) string {
		code, body := get(t, url)
		require.Equal(t, http.StatusOK, code, url)
		r, err := gzip.NewReader(strings.NewReader(body))
		require.NoError(t, err, url)
		text, err := io.ReadAll(r)
		require.NoError(t, err, url)
		return string(text)
	}
	ix, err := search.ParseEntry(gunzip(base + entry))
	require.NoError(t, err)
	shards := ix.Shards(search.ParseQuery(word + " "))
	require.Len(t, shards, 1)
	return gunzip(base + entry[:strings.LastIndexByte(entry, '/')+1] + ix.ShardFile(shards[0]))
}

const pagePath = "content/area-00/runbook-004.md"
const pageURL = "/area-00/runbook-004/"

// TestServe starts serve on a temporary site, edits a page, breaks its
// front matter and fixes it, and changes the theme's CSS, checking the
// events a browser gets and the pages it is served.
func TestServe(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, corpus.Write(src, 30))
	copyTheme(t, src)
	var term syncBuffer
	s := New(Options{Site: site.Options{Source: src}, Log: &term})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := s.Rebuild(ctx, nil)
	require.True(t, first.OK, diag.Join(first.Diagnostics))
	assert.EqualValues(t, 1, first.Build)
	assert.Contains(t, term.String(), "Built 33 pages in ")
	stopped, err := s.Watch(ctx)
	require.NoError(t, err)
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()

	code, page := get(t, hs.URL+pageURL)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `<script src="/_stepcheck/live.js" data-events="/_stepcheck/events" data-build="1" data-run="`+s.Hub().Run+`" defer></script></head>`)
	code, script := get(t, hs.URL+PathScript)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, script, "EventSource")

	events := stream(t, ctx, hs.URL, pageURL, 1, s.Hub().Run)
	file := filepath.Join(src, filepath.FromSlash(pagePath))
	orig, err := os.ReadFile(file)
	require.NoError(t, err)

	t.Run("an edit reloads the page", func(t *testing.T) {
		_, before := get(t, hs.URL+pageURL)
		entry := searchEntry.FindStringSubmatch(before)
		require.NotNil(t, entry)
		save(t, file, strings.Replace(string(orig), "Confirm the symptom", "Confirm the walrus symptom", 1))
		ev := next(t, events)
		assert.Equal(t, "reload", ev.Type)
		assert.Equal(t, []string{pageURL}, ev.Pages)
		assert.EqualValues(t, 2, ev.Build)
		_, page := get(t, hs.URL+pageURL)
		assert.Contains(t, page, "Confirm the walrus symptom")
		assert.Contains(t, page, `data-build="2"`)
		assert.True(t, strings.Contains(term.String(), pagePath+": rendered 1 of 33 pages, 1 changed, in "), "the terminal shows the rebuild")

		// The search index follows the reload, and the pages point at it.
		deadline := time.Now().Add(20 * time.Second)
		for {
			_, page := get(t, hs.URL+pageURL)
			if now := searchEntry.FindStringSubmatch(page); now != nil && now[1] != entry[1] {
				assert.Contains(t, searchShard(t, hs.URL, now[1], "walrus"), "walrus\t")
				break
			}
			require.True(t, time.Now().Before(deadline), "the search index was not brought up to date")
			time.Sleep(10 * time.Millisecond)
		}
		code, _ := get(t, hs.URL+entry[1])
		assert.Equal(t, http.StatusOK, code, "the index of the build before is still served to pages not reloaded")
	})

	t.Run("broken front matter shows the error and keeps the page", func(t *testing.T) {
		save(t, file, strings.Replace(string(orig), "weight:", "weight: [1,\nx:", 1))
		ev := next(t, events)
		require.Equal(t, "errors", ev.Type)
		require.NotEmpty(t, ev.Diagnostics)
		assert.Regexp(t, `(?m)^content/area-00/runbook-004\.md:\d+:\d+: front matter: `, strings.Join(ev.Diagnostics, "\n"))
		for _, d := range ev.Diagnostics {
			assert.NotContains(t, d, "warning:", "the overlay lists errors; warnings stay in the terminal")
		}
		_, page := get(t, hs.URL+pageURL)
		assert.Contains(t, page, "Confirm the walrus symptom", "the last good page is still served")
		for _, d := range ev.Diagnostics {
			assert.True(t, strings.Contains(term.String(), d+"\n"), "the terminal shows %s too", d)
		}
		assert.True(t, strings.Contains(term.String(), "still serving the last good build"))

		// A browser that connects now learns of the failure at once.
		late := stream(t, ctx, hs.URL, pageURL, 2, s.Hub().Run)
		assert.Equal(t, ev, next(t, late))
	})

	t.Run("the fix reloads", func(t *testing.T) {
		save(t, file, strings.Replace(string(orig), "Confirm the symptom", "Confirm the fixed symptom", 1))
		ev := next(t, events)
		assert.Equal(t, "reload", ev.Type)
		assert.Equal(t, []string{pageURL}, ev.Pages)
		assert.EqualValues(t, 3, ev.Build)
		_, page := get(t, hs.URL+pageURL)
		assert.Contains(t, page, "Confirm the fixed symptom")
	})

	t.Run("a CSS change swaps the stylesheet", func(t *testing.T) {
		css := filepath.Join(src, site.ThemeDir, "static", "style.css")
		b, err := os.ReadFile(css)
		require.NoError(t, err)
		_, before := get(t, hs.URL+pageURL)
		save(t, css, string(b)+"\n.walrus { color: teal }\n")
		ev := next(t, events)
		assert.Equal(t, "reload", ev.Type)
		require.Len(t, ev.Styles, 1)
		for old, new := range ev.Styles {
			assert.Contains(t, before, `href="`+old+`"`)
			code, body := get(t, hs.URL+new)
			assert.Equal(t, http.StatusOK, code)
			assert.Contains(t, body, ".walrus")
			code, _ = get(t, hs.URL+old)
			assert.Equal(t, http.StatusOK, code, "the old stylesheet is still served to pages not reloaded")
		}

		// A page not reloaded keeps its stylesheet over more builds than
		// one: an editor's save often makes two.
		for i := range 3 {
			save(t, file, strings.Replace(string(orig), "Confirm the symptom", "Confirm the symptom, take "+strconv.Itoa(i), 1))
			require.Equal(t, "reload", next(t, events).Type)
		}
		for old := range ev.Styles {
			code, _ := get(t, hs.URL+old)
			assert.Equal(t, http.StatusOK, code, "the stylesheet of three builds ago is still served")
		}
	})

	t.Run("a page from an earlier run reloads when it reconnects", func(t *testing.T) {
		ev := next(t, stream(t, ctx, hs.URL, pageURL, 1, "earlier"))
		assert.Equal(t, "reload", ev.Type)
		assert.Equal(t, []string{pageURL}, ev.Pages)
	})

	cancel()
	select {
	case <-stopped:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	for range events {
		// The stream ends with the server's watch.
	}
}

// TestServeBeforeTheFirstGoodBuild serves a stub page with the overlay's
// script until the site builds.
func TestServeBeforeTheFirstGoodBuild(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, corpus.Write(src, 30))
	file := filepath.Join(src, filepath.FromSlash(pagePath))
	orig, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte("---\ntitle: [\n---\n"), 0o644))
	s := New(Options{Site: site.Options{Source: src}})
	res := s.Rebuild(context.Background(), nil)
	require.False(t, res.OK)
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	code, page := get(t, hs.URL+"/")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, page, `data-stub=""`)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := stream(t, ctx, hs.URL, "/", 0, s.Hub().Run)
	ev := next(t, events)
	require.Equal(t, "errors", ev.Type)
	assert.Regexp(t, `(?m)^content/area-00/runbook-004\.md:2:\d+: front matter: `, strings.Join(ev.Diagnostics, "\n"))

	require.NoError(t, os.WriteFile(file, orig, 0o644))
	require.True(t, s.Rebuild(context.Background(), []string{pagePath}).OK)
	assert.Equal(t, "reload", next(t, events).Type)
	code, _ = get(t, hs.URL+"/")
	assert.Equal(t, http.StatusOK, code)
}

// TestServeAPI mounts the API on the site's origin and points pages at it.
func TestServeAPI(t *testing.T) {
	api := &fakeAPI{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api "+r.URL.Path) })}
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "content"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "stepcheck.yaml"), []byte("title: T\nbaseURL: https://example.com/runbooks/\nprobeAPI: https://probes.example.com\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(src, "content/_index.md"), []byte("---\ntitle: Home\n---\nHi\n"), 0o644))
	s := New(Options{Site: site.Options{Source: src}, API: api, Banner: "Demo <b>mode</b>"})
	require.True(t, s.Rebuild(context.Background(), nil).OK)
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	_, body := get(t, hs.URL+"/api/v1/probes")
	assert.Equal(t, "api /api/v1/probes", body)
	_, body = get(t, hs.URL+"/healthz")
	assert.Equal(t, "api /healthz", body)
	_, page := get(t, hs.URL+"/")
	assert.Regexp(t, `data-probe-api[ >]`, page, "the pages call the API beside them (an empty attribute)")
	assert.Contains(t, page, `data-base="/"`, "serve serves at the root")
	assert.Regexp(t, `<body[^>]*><aside class="sc-dev-banner" aria-label="Demo">Demo &lt;b&gt;mode&lt;/b&gt;</aside>`, page)
}

// fakeAPI stands for the probe API: it records the catalogues it gets, and
// refuses one with a probe of type "refused".
type fakeAPI struct {
	h    http.Handler
	cats []*config.Catalogue
}

func (f *fakeAPI) Handler() http.Handler { return f.h }

func (f *fakeAPI) SetCatalogue(cat *config.Catalogue) error {
	for _, p := range cat.Probes {
		if p.Type == "refused" {
			return &config.Error{Path: cat.Path, Line: 5, Col: 5, Msg: "probe " + p.ID + ": refused"}
		}
	}
	f.cats = append(f.cats, cat)
	return nil
}

// TestServeKeepsTheCatalogueInStep: the API gets probes.yaml on the first
// build and after each change to it, and nothing for other edits; a broken
// catalogue is shown in every build until fixed, and not handed over.
func TestServeKeepsTheCatalogueInStep(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "content"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "content/_index.md"), []byte("---\ntitle: Home\n---\nHi\n"), 0o644))
	probesFile := filepath.Join(src, "content/probes.yaml")
	write := func(body string) { require.NoError(t, os.WriteFile(probesFile, []byte(body), 0o644)) }
	write("probes:\n  one:\n    type: tcp\n    addr: ${ADDR}\n")
	api := &fakeAPI{h: http.NotFoundHandler()}
	var log strings.Builder
	s := New(Options{Site: site.Options{Source: src}, API: api, Log: &log,
		Env: func(k string) (string, bool) { return "127.0.0.1:1", k == "ADDR" }})
	res := s.Rebuild(context.Background(), nil)
	require.True(t, res.OK, "${ADDR} comes from Options.Env: %s", diag.Join(res.Diagnostics))
	require.Len(t, api.cats, 1)

	require.True(t, s.Rebuild(context.Background(), []string{"content/_index.md"}).OK)
	assert.Len(t, api.cats, 1, "an edit elsewhere reloads no catalogue")

	write("probes:\n  one:\n    type: tcp\n    addr: 127.0.0.1:1\n  two:\n    type: refused\n")
	// The site still builds; the catalogue's problem is shown over it.
	res = s.Rebuild(context.Background(), []string{CatalogueFile})
	assert.Contains(t, diag.Join(res.Diagnostics), "content/probes.yaml:5:5: probe two: refused")
	assert.Len(t, api.cats, 1, "the last good catalogue stays")
	res = s.Rebuild(context.Background(), []string{"content/_index.md"})
	assert.Contains(t, diag.Join(res.Diagnostics), "probe two: refused", "the catalogue's problem shows until it is fixed")

	write("probes:\n  two:\n    type: tcp\n    addr: 127.0.0.1:1\n")
	res = s.Rebuild(context.Background(), []string{"."})
	assert.Empty(t, res.Diagnostics, "lost events reload it too")
	require.Len(t, api.cats, 2)
	assert.Contains(t, log.String(), "content/probes.yaml: the probe API reloaded 1 probes")
}

// TestProductionBuildHasNoReloadScript builds the RepairX runbooks as
// stepcheck build does: nothing of serve is in them.
func TestProductionBuildHasNoReloadScript(t *testing.T) {
	var diags diag.List
	out, err := site.Build(context.Background(), site.Options{Source: "../.."}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	for name, b := range out.Files {
		if strings.HasSuffix(name, ".wasm") || strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
			continue
		}
		for _, s := range []string{"/_stepcheck/", "live.js", "sc-dev-", "EventSource"} {
			assert.NotContains(t, string(b), s, name)
		}
	}
}
