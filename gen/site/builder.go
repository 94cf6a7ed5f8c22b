package site

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/gitdates"
	"github.com/stepcheck/stepcheck/gen/internal/parallel"
	"github.com/stepcheck/stepcheck/gen/markdown"
	"github.com/stepcheck/stepcheck/gen/render"
	"github.com/stepcheck/stepcheck/wasm/dist"
)

// Builder builds one site again and again, doing only the work a change
// needs; stepcheck serve keeps one for as long as it runs. Build does a full
// build the first time. After that it still reads every input, because
// reading is cheap and a watcher can miss or merge events, but it
//
//   - converts only the Markdown files whose bytes changed;
//   - renders only the pages whose output can change: a page is rendered
//     again when its own Markdown changed, or when the title, URL, kind,
//     description or order of a page it shows changed (its breadcrumbs, its
//     section's list, its previous and next pages, the navigation);
//   - renders every page when stepcheck.yaml, probes.yaml or the theme
//     changed.
//
// A Builder is safe for concurrent use; builds run one at a time.
type Builder struct {
	opts Options
	// DeferIndex makes Build reuse the last search index, which takes
	// longer to make than a page edit should wait for; UpdateIndex then
	// brings it up to date. The first build always makes it.
	DeferIndex bool

	mu      sync.Mutex
	seed    maphash.Seed
	docs    map[string]*docEntry
	conv    *markdown.Converter
	convKey uint64 // the stepcheck.yaml and probes.yaml the docs were made with
	theme   *themeState
	widgets *widgetFiles
	files   fileCache
	last    *built
	// dates are the files' last commits, read once, on the first build:
	// serve's later builds are of edits not yet committed. dateNote says
	// why there are none, when that is worth saying.
	dates     map[string]time.Time
	datesRead bool
	dateNote  string
}

// readDates reads when each file last changed, from git, on the first
// build.
func (b *Builder) readDates(ctx context.Context) {
	if b.datesRead || b.opts.Source == "" {
		return
	}
	b.datesRead = true
	dates, err := gitdates.Read(ctx, b.opts.Source)
	if err != nil {
		b.dateNote = "pages show no change dates: " + err.Error()
	}
	b.dates = dates
}

// NewBuilder returns a Builder for opts. It reads nothing until Build.
func NewBuilder(opts Options) *Builder {
	return &Builder{opts: opts, seed: maphash.MakeSeed(), docs: map[string]*docEntry{}, files: fileCache{}}
}

// Delta says what a build changed, compared with the last good build.
type Delta struct {
	// Pages are the URLs (below the base path, like Page.URL) of the pages
	// whose HTML changed or that are new, in order.
	Pages []string
	// Removed are the URLs of pages that are gone.
	Removed []string
	// Parsed counts the Markdown files converted, Rendered the pages laid
	// out; the others were reused.
	Parsed, Rendered int
	// Full is true when nothing could be reused: the first build, or a
	// change to stepcheck.yaml, probes.yaml or the theme's layouts.
	Full bool
	// Styles is set when the only change was to the theme's CSS: it maps
	// each old stylesheet URL to its new one, so an open page can swap its
	// stylesheet instead of reloading.
	Styles map[string]string
	// IndexStale is true when the search index is older than the pages
	// (DeferIndex); UpdateIndex refreshes it.
	IndexStale bool
}

// docEntry is one converted Markdown file and the bytes it came from.
type docEntry struct {
	src  []byte
	doc  *markdown.Doc
	seen bool
}

// themeState is the theme as last loaded: the files it was read from (nil
// for the built-in theme, which cannot change while we run) and what
// loading them gave.
type themeState struct {
	files  map[string][]byte
	theme  *render.Theme
	diags  []diag.Diagnostic
	static map[string][]byte // published static files
	assets map[string]string // static name → path below the publish dir
	err    error
}

type widgetFiles struct {
	files  map[string][]byte
	assets map[string]string
	err    error
}

// built is the last good build.
type built struct {
	out      *Output
	site     *content.Site
	basePath string
	assets   map[string]string // URLs as pages see them, the search entry as a placeholder
	static   map[string][]byte // theme and widget files
	files    map[string][]byte // the site's files (content.Site.Files), by name
	keys     map[string]uint64 // page file → what its HTML was made from
	raw      map[string][]byte // page file → HTML with the search placeholder
	pages    map[string][]byte // page file → published HTML
	index    map[string][]byte // search index files
	entry    string            // the search entry's URL
	stale    bool              // the index predates the pages
}

// searchPlaceholder stands for the search index's entry URL while pages are
// rendered. The entry's name is a hash of the whole index, so any edit
// changes it; filling it in afterwards lets an edit re-render one page, not
// all of them.
const searchPlaceholder = "stepcheck-search-entry-placeholder"

// Build builds the site, reusing what the last good build made wherever its
// inputs are unchanged. Problems go into diags; if any is an error, Build
// returns a *diag.Failed error, and the next build still compares against
// the last good one. When ctx is done Build stops converting and rendering
// pages and returns ctx.Err(), without the problems of the pages it did
// convert.
//
// A build goes through four stages, as Hugo's does: load (configuration,
// catalogue, theme, pages, files), plan (asset URLs, and which pages must
// be rendered again), render (those pages, and the search index beside
// them) and assemble (what changed, and the output).
func (b *Builder) Build(ctx context.Context, diags *diag.List) (*Output, *Delta, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ps := &pass{ctx: ctx, start: time.Now(), fsys: os.DirFS(b.opts.Source)}
	if err := b.load(ps, diags); err != nil {
		return nil, nil, err
	}
	if err := b.plan(ps); err != nil {
		return nil, nil, err
	}
	if err := b.render(ps); err != nil {
		return nil, nil, err
	}
	b.assemble(ps)
	return ps.next.out, ps.delta, nil
}

// pass is one Build's state as it goes through the stages.
type pass struct {
	ctx   context.Context
	start time.Time
	fsys  fs.FS

	// load
	cfgSrc, catSrc []byte
	basePath       string
	full, cssOnly  bool
	conv           *cachingConverter
	site           *content.Site
	files          map[string][]byte

	// plan
	assets     map[string]string
	last, next *built
	delta      *Delta
	jobs       []renderJob
	renderer   *render.Renderer
	minifier   *minifier

	// render
	changed map[string]bool
}

// renderJob is a page to render, from its data, and the file it goes to.
type renderJob struct {
	data *render.PageData
	file string
}

// load reads the configuration, the catalogue, the theme and every page
// (converting only those whose bytes changed), and the site's files.
func (b *Builder) load(ps *pass, diags *diag.List) error {
	fsys := ps.fsys
	ps.cfgSrc, _ = fs.ReadFile(fsys, config.FileName)
	catPath := path.Join(content.Dir, catalog.FileName)
	ps.catSrc, _ = fs.ReadFile(fsys, catPath)
	cfg := config.Load(fsys, diags)
	if cfg.File != config.FileName {
		ps.cfgSrc, _ = fs.ReadFile(fsys, cfg.File) // a Hugo configuration, or none
	}
	if b.opts.BaseURL != "" {
		cfg.BaseURL = strings.TrimSuffix(b.opts.BaseURL, "/") + "/"
	}
	if b.opts.LocalProbeAPI {
		cfg.ProbeAPI = ""
	}
	cat := catalog.Load(fsys, catPath, b.opts.CheckProbes, diags)
	ps.basePath = cfg.BasePath()

	convKey := b.hash(ps.cfgSrc, ps.catSrc, []byte(ps.basePath), []byte(cfg.ProbeAPI))
	ps.full = b.last == nil || b.conv == nil || convKey != b.convKey
	if ps.full {
		b.conv = newConverter(cfg, cat)
		b.convKey = convKey
		clear(b.docs)
	}

	prevTheme := b.theme
	b.loadTheme()
	diags.Add(b.theme.diags...)
	themeChanged := prevTheme != nil && prevTheme != b.theme
	ps.cssOnly = themeChanged && onlyCSS(prevTheme.files, b.theme.files)
	if themeChanged && !ps.cssOnly {
		ps.full = true
	}

	// The pages' problems are kept apart until the loading is over: once
	// ctx is done, every page not yet converted fails with ctx.Err().
	ps.conv = &cachingConverter{b: b, ctx: ps.ctx}
	var loadDiags diag.List
	b.readDates(ps.ctx)
	ps.site = content.Load(fsys, cfg, cat, ps.conv, content.Options{Drafts: b.opts.Drafts, Lint: b.opts.Lint, Now: b.opts.Now, Changed: b.dates}, &loadDiags)
	for p, e := range b.docs {
		if !e.seen {
			delete(b.docs, p)
		}
		e.seen = false
	}
	if err := ps.ctx.Err(); err != nil {
		return err
	}
	checkNames(ps.site, &loadDiags)
	diags.Add(loadDiags.Sorted()...)
	if n, _ := diags.Count(); n > 0 {
		return &diag.Failed{Errors: n}
	}
	if b.theme.err != nil {
		return b.theme.err
	}
	if err := b.loadWidgets(); err != nil {
		return err
	}
	var err error
	ps.files, err = b.files.read(fsys, ps.site)
	return err
}

// plan settles the asset URLs as pages show them, and which pages must be
// rendered: those whose key changed, or all of them.
func (b *Builder) plan(ps *pass) error {
	site, basePath := ps.site, ps.basePath
	static := maps.Clone(b.theme.static)
	if !hasDiagrams(site) {
		dropDiagramLibrary(static, b.theme.assets)
	}
	maps.Copy(static, b.widgets.files)
	assets := map[string]string{}
	for name, rel := range b.theme.assets {
		assets[name] = basePath + rel
	}
	for name, rel := range b.widgets.assets {
		assets[name] = basePath + rel
	}
	assets[SearchEntry] = basePath + searchPlaceholder
	if !b.opts.NoServiceWorker {
		assets[ServiceWorker] = basePath + ServiceWorker
		assets[Manifest] = basePath + Manifest
	}
	ps.assets = assets

	ps.last = b.last
	if ps.last != nil && ps.last.basePath != basePath {
		ps.full = true
	}
	if ps.full {
		ps.last = nil // compare against nothing: every page is rendered
	}
	last := ps.last
	next := &built{
		site: site, basePath: basePath, assets: assets, static: static, files: ps.files,
		keys: map[string]uint64{}, raw: map[string][]byte{}, pages: map[string][]byte{},
	}
	ps.next = next
	ps.delta = &Delta{Parsed: int(ps.conv.parsed.Load()), Full: ps.full}
	r := render.New(b.theme.theme, site, assets)
	ps.renderer, ps.minifier = r, newMinifier(!b.opts.NoMinify)
	global := b.globalKey(r.Site())

	// Each page is keyed on exactly what its layout sees, so a page is
	// rendered again when, and only when, that changed, whatever the theme
	// shows of the rest of the site.
	data := make([]*render.PageData, len(site.Pages))
	keys := make([]uint64, len(site.Pages))
	parallel.For(len(site.Pages), func(i int) {
		data[i] = r.Data(site.Pages[i])
		keys[i] = b.dataKey(global, data[i])
	})
	for i, p := range site.Pages {
		file := pageFile(p)
		next.keys[file] = keys[i]
		if last != nil && last.keys[file] == keys[i] {
			next.raw[file] = last.raw[file]
			continue
		}
		ps.jobs = append(ps.jobs, renderJob{data[i], file})
	}
	return nil
}

// renderPage lays out one page and minifies it.
func (ps *pass) renderPage(d *render.PageData) ([]byte, error) {
	page, nav, err := ps.renderer.ExecuteParts(d)
	if err == nil {
		page, err = ps.minifier.bytes("text/html", page)
	}
	if err == nil {
		nav, err = ps.minifier.bytes("text/html", nav)
	}
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(page, []byte(render.NavSlot), nav), nil
}

// render renders the planned pages, and makes the search index beside
// them unless it is deferred to UpdateIndex.
func (b *Builder) render(ps *pass) error {
	ctx, site, basePath, next, jobs := ps.ctx, ps.site, ps.basePath, ps.next, ps.jobs
	// A full index is made beside the rendering: it needs only the loaded
	// site, and the build's other steps leave a core idle.
	deferIndex := b.DeferIndex && b.last != nil && b.last.basePath == basePath
	type index struct {
		files map[string][]byte
		entry string
	}
	indexed := make(chan index, 1)
	if !deferIndex {
		go func() {
			files, entry := makeIndex(site, basePath)
			indexed <- index{files, entry}
		}()
	}
	rendered := make([][]byte, len(jobs))
	errs := make([]error, len(jobs))
	parallel.For(len(jobs), func(i int) {
		if ctx.Err() == nil {
			rendered[i], errs[i] = ps.renderPage(jobs[i].data)
		}
	})
	if err := ctx.Err(); err != nil {
		return err // the index, if it is being made, is left to finish alone
	}
	if err := errors.Join(errs...); err != nil {
		if !deferIndex {
			<-indexed
		}
		return err
	}
	ps.changed = map[string]bool{}
	for i, j := range jobs {
		next.raw[j.file] = rendered[i]
		if b.last == nil || !bytes.Equal(b.last.raw[j.file], rendered[i]) {
			ps.changed[j.file] = true
		}
	}
	ps.delta.Rendered = len(jobs)

	// The search index: made now, or left for UpdateIndex.
	if deferIndex {
		next.index, next.entry = b.last.index, b.last.entry
		next.stale = b.last.stale || len(ps.changed) > 0 || len(site.Pages) != len(b.last.site.Pages)
		return nil
	}
	select {
	case ix := <-indexed:
		next.index, next.entry = ix.files, ix.entry
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// assemble fills in the published pages and says what changed since the
// last good build: the pages to reload, those removed, the stylesheets to
// swap; then it makes the output and keeps this build as the last good one.
func (b *Builder) assemble(ps *pass) {
	site, next, delta := ps.site, ps.next, ps.delta
	b.fill(next, b.last)
	if b.last != nil {
		for _, p := range b.last.site.Pages {
			if _, ok := next.keys[pageFile(p)]; !ok {
				delta.Removed = append(delta.Removed, p.URL)
			}
		}
	}
	// A page showing an image that changed is shown again too: its HTML is
	// the same, but the browser must fetch the file anew.
	var filesChanged [][]byte
	if b.last != nil {
		for name, data := range ps.files {
			if old, ok := b.last.files[name]; !ok || !bytes.Equal(old, data) {
				filesChanged = append(filesChanged, []byte(`"`+ps.basePath+name))
			}
		}
	}
	for _, p := range site.Pages {
		if ps.changed[pageFile(p)] || slices.ContainsFunc(filesChanged, func(u []byte) bool { return bytes.Contains(p.HTML, u) }) {
			delta.Pages = append(delta.Pages, p.URL)
		}
	}
	if ps.cssOnly && !ps.full && delta.Parsed == 0 && len(delta.Removed) == 0 {
		delta.Styles = map[string]string{}
		for name, url := range ps.assets {
			if old := b.last.assets[name]; path.Ext(name) == ".css" && old != url {
				delta.Styles[old] = url
			}
		}
	}
	delta.IndexStale = next.stale

	next.out = b.output(next)
	next.out.Duration = time.Since(ps.start)
	b.last = next
}

// UpdateIndex makes the search index again if Build left it stale, and
// returns the site with it. It indexes without holding up Build: ok is false
// when there was nothing to do (no good build yet, or the index is current)
// and when a Build finished meanwhile, whose index is then still stale.
func (b *Builder) UpdateIndex(ctx context.Context) (out *Output, ok bool, err error) {
	b.mu.Lock()
	last := b.last
	b.mu.Unlock()
	if last == nil || !last.stale {
		return nil, false, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	start := time.Now()
	index, entry := makeIndex(last.site, last.basePath) // a built site is never modified
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last != last {
		return nil, false, nil
	}
	next := *last
	next.index, next.entry = index, entry
	next.stale = false
	next.pages = map[string][]byte{}
	b.fill(&next, last)
	next.out = b.output(&next)
	next.out.Duration = time.Since(start)
	b.last = &next
	return next.out, true, nil
}

// fill sets next.pages from next.raw, reusing the last published page where
// neither its HTML nor the search entry changed.
func (b *Builder) fill(next, last *built) {
	placeholder := []byte(next.basePath + searchPlaceholder)
	entry := []byte(next.entry)
	for file, raw := range next.raw {
		if last != nil && last.entry == next.entry && bytes.Equal(last.raw[file], raw) && last.pages[file] != nil {
			next.pages[file] = last.pages[file]
			continue
		}
		next.pages[file] = bytes.ReplaceAll(raw, placeholder, entry)
	}
}

// output assembles the published files.
func (b *Builder) output(next *built) *Output {
	out := &Output{Files: make(map[string][]byte, len(next.static)+len(next.index)+len(next.pages)), Site: next.site}
	maps.Copy(out.Files, next.files)
	maps.Copy(out.Files, next.static)
	maps.Copy(out.Files, next.index)
	maps.Copy(out.Files, next.pages)
	maps.Copy(out.Files, aliasFiles(next.site, next.basePath))
	maps.Copy(out.Files, alertFiles(next.site, next.basePath))
	if !b.opts.NoServiceWorker {
		maps.Copy(out.Files, offlineFiles(out.Files, next.files, next.basePath, next.site.Config.Title))
	}
	out.Pages = len(next.site.Pages)
	out.Sections = next.site.Sections()
	if b.dateNote != "" {
		out.Notes = append(out.Notes, b.dateNote)
	}
	if _, ok := next.assets[dist.Wasm]; !ok {
		out.Notes = append(out.Notes, "widgets.wasm is not built, so pages have no live widgets; run make wasm (or make build)")
	}
	return out
}

// makeIndex indexes the site and returns the index files and the entry's URL.
func makeIndex(site *content.Site, basePath string) (map[string][]byte, string) {
	files := map[string][]byte{}
	entry := indexSite(site, basePath, files)
	return files, basePath + entry
}

func newConverter(cfg config.Config, cat catalog.Catalog) *markdown.Converter {
	var sevIDs []string
	for _, s := range cfg.Severities {
		sevIDs = append(sevIDs, s.ID)
	}
	return markdown.New(markdown.Options{
		ProbeTitle: func(id string) (string, bool) {
			p, ok := cat.Probes[id]
			return p.Title, ok
		},
		ProbeAPI:   cfg.ProbeAPI,
		Severities: sevIDs,
		BasePath:   cfg.BasePath(),
		Params:     cfg.Params,
		Unsafe:     cfg.Unsafe,
	})
}

// cachingConverter returns the Doc made before for a file whose bytes have
// not changed. Docs are never modified after conversion, so sharing them
// between builds is safe.
type cachingConverter struct {
	b *Builder
	// ctx stops the conversions: once it is done, Convert returns its error.
	ctx    context.Context
	mu     sync.Mutex
	parsed atomic.Int64
}

func (c *cachingConverter) Convert(file string, src []byte) (*markdown.Doc, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	e := c.b.docs[file]
	if e != nil && bytes.Equal(e.src, src) {
		e.seen = true
		c.mu.Unlock()
		return e.doc, nil
	}
	c.mu.Unlock()
	doc, err := c.b.conv.Convert(file, src)
	if err != nil {
		return nil, err
	}
	c.parsed.Add(1)
	c.mu.Lock()
	c.b.docs[file] = &docEntry{src: src, doc: doc, seen: true}
	c.mu.Unlock()
	return doc, nil
}

// loadTheme reloads the theme when its files changed. The built-in theme is
// loaded once.
func (b *Builder) loadTheme() {
	dir := filepath.Join(b.opts.Source, ThemeDir)
	files, err := readTree(dir)
	if err != nil {
		files = nil // no theme of the site's own: the built-in one
	}
	if b.theme != nil && sameFiles(b.theme.files, files) && (files != nil) == (b.theme.files != nil) {
		return
	}
	var d diag.List
	t := &themeState{files: files, theme: loadTheme(b.opts.Source, &d)}
	t.diags = d.Sorted()
	t.static = map[string][]byte{}
	t.assets, t.err = publishStatic(t.theme.Static, newMinifier(!b.opts.NoMinify), t.static)
	b.theme = t
}

func (b *Builder) loadWidgets() error {
	if b.widgets == nil {
		w := &widgetFiles{files: map[string][]byte{}, assets: map[string]string{}}
		w.err = publishWidgets(b.opts.Widgets, w.files, w.assets)
		b.widgets = w
	}
	return b.widgets.err
}

// readTree reads every file below dir, by slash path.
func readTree(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	return files, err
}

func sameFiles(a, b map[string][]byte) bool {
	return maps.EqualFunc(a, b, bytes.Equal)
}

// onlyCSS reports whether the only differences between two theme trees are
// in static CSS files.
func onlyCSS(a, b map[string][]byte) bool {
	if a == nil || b == nil {
		return false
	}
	for _, m := range []map[string][]byte{a, b} {
		for name := range m {
			if bytes.Equal(a[name], b[name]) && (a[name] != nil) == (b[name] != nil) {
				continue
			}
			if !strings.HasPrefix(name, "static/") || path.Ext(name) != ".css" {
				return false
			}
		}
	}
	return true
}

// pageFile is the file a page is published as.
func pageFile(p *content.Page) string {
	return strings.TrimPrefix(p.URL, "/") + "index.html"
}

func (b *Builder) hash(parts ...[]byte) uint64 {
	var h maphash.Hash
	h.SetSeed(b.seed)
	for _, p := range parts {
		writeLen(&h, len(p))
		h.Write(p)
	}
	return h.Sum64()
}

// globalKey covers what every page's HTML depends on besides its own
// data: the theme's files and what layouts see of the site.
func (b *Builder) globalKey(site render.SiteData) uint64 {
	var h maphash.Hash
	h.SetSeed(b.seed)
	for _, name := range slices.Sorted(maps.Keys(b.theme.files)) {
		writeString(&h, name)
		writeLen(&h, len(b.theme.files[name]))
		h.Write(b.theme.files[name])
	}
	site.WriteKey(&h)
	return h.Sum64()
}

// dataKey is a page's key: the global key and the page's data.
func (b *Builder) dataKey(global uint64, d *render.PageData) uint64 {
	var h maphash.Hash
	h.SetSeed(b.seed)
	var g [8]byte
	binary.LittleEndian.PutUint64(g[:], global)
	h.Write(g[:])
	buf := keyBuffers.Get().(*[]byte)
	*buf = d.WriteKey(&h, *buf)
	keyBuffers.Put(buf)
	return h.Sum64()
}

// keyBuffers are WriteKey's scratch space, one per goroutine at a time.
var keyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func writeString(h *maphash.Hash, s string) {
	writeLen(h, len(s))
	h.WriteString(s)
}

func writeLen(h *maphash.Hash, n int) {
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(n))
	h.Write(buf[:])
}
