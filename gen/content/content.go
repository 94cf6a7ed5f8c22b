// Package content loads a site's content tree: every Markdown page under
// content/, its front matter (with Hugo's field names), its place in the
// section tree and its URL, converted by gen/markdown. Once every page is
// known it resolves the links between them and checks the whole site (see
// Options.Lint). It reports every problem it finds as path:line:col and
// never writes anything.
//
// Hugo sites and plain Markdown folders load as they are: _index.md is a
// section's page, and so is README.md in a folder without one, as on
// GitHub. URLs are lower case with spaces as '-', as Hugo makes them.
package content

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/internal/parallel"
	"github.com/stepcheck/stepcheck/gen/markdown"
)

// Dir is the content directory below the site root.
const Dir = "content"

// Kind is what a page is in the tree.
type Kind string

const (
	// Home is content/_index.md, at "/".
	Home Kind = "home"
	// Section is a directory's _index.md (or a directory without one).
	Section Kind = "section"
	// Regular is any other page.
	Regular Kind = "page"
)

// Page is one page of the site.
type Page struct {
	// Path is the source file relative to the site root, as diagnostics
	// print it; empty for a section that has no _index.md.
	Path string
	Kind Kind
	// URL is the page's path below the base path: "/", "/procedures/",
	// "/procedures/database/".
	URL string

	Title       string
	Description string
	Weight      int
	Tags        []string
	Aliases     []string
	Draft       bool
	Service     string
	Owner       string
	Severity    string
	// Alerts are the alerts the page answers: front matter alerts:, and
	// the page's own name when it is an alert's (KubePodCrashLooping.md),
	// which is also NamedAlert.
	Alerts     []string
	NamedAlert string
	// declaredAlerts are those of the front matter.
	declaredAlerts []string
	// LastReviewed is the front matter's lastReviewed date, if any, and
	// ReviewEvery the page's own review period (0: the site's).
	LastReviewed time.Time
	ReviewEvery  config.Period
	// Overdue is set when the review period has passed since LastReviewed,
	// and ReviewedAgo then says how long ago that was ("14 months").
	Overdue     bool
	ReviewedAgo string
	// Changed is the page file's last commit, when the site is a git
	// checkout.
	Changed time.Time
	// Params holds front-matter keys stepcheck does not know, for themes.
	Params map[string]any

	Doc *markdown.Doc
	// HTML is Doc.HTML with the URLs of the pages it names filled in; the
	// layouts show this.
	HTML []byte

	// Parent is the section above, nil for the home page.
	Parent *Page
	// Children are a section's pages and subsections in display order.
	Children []*Page

	excluded     bool   // a draft this build leaves out
	titledByName bool   // no title or heading: the title is the file's name
	dir          string // a section without _index.md: its folder below content/
}

// IsSection reports whether the page lists other pages.
func (p *Page) IsSection() bool { return p.Kind == Home || p.Kind == Section }

// Ancestors returns the sections from the home page down to p's parent.
func (p *Page) Ancestors() []*Page {
	var out []*Page
	for a := p.Parent; a != nil; a = a.Parent {
		out = append(out, a)
	}
	slices.Reverse(out)
	return out
}

// Site is a loaded content tree.
type Site struct {
	Config  config.Config
	Catalog catalog.Catalog
	Home    *Page
	// Pages holds every page, sections included, in tree order.
	Pages []*Page
	// Drafts are the pages left out because they are drafts. Lint counts
	// the probes they use.
	Drafts []*Page
	// Aliases maps each alias URL (below the base path, like Page.URL) to
	// the page it redirects to.
	Aliases map[string]*Page
	// Files are the files published as they are: those beside the pages
	// under content/, then those of StaticDir.
	Files []File
	// Alerts are the alerts the pages answer, by name; AlertIndex is the
	// page that lists them (at AlertsURL), and AlertLinks the redirect
	// URLs each alert gets there, to its runbook.
	Alerts     []Alert
	AlertIndex *Page
	AlertLinks map[string]Alert

	byFile map[string]*Page // by path below content/, drafts included
	byFold map[string]*Page // byFile in lower case
	byURL  map[string]*Page // pages and aliases

	aliasAt    map[string]Position // where each alias is written
	fileByName map[string]*File    // by published name
	fileByRel  map[string]*File    // files under content/, by path below it
}

// Sections counts the section pages, the home page excluded.
func (s *Site) Sections() int {
	n := 0
	for _, p := range s.Pages {
		if p.Kind == Section {
			n++
		}
	}
	return n
}

// Options control loading.
type Options struct {
	// Drafts includes pages marked draft: true.
	Drafts bool
	// Lint runs the checks of stepcheck lint: a broken internal link or
	// anchor is an error rather than a warning, and probes no page uses and
	// headings whose anchors clash are reported.
	Lint bool
	// Now is when review dates are judged; zero means the time of Load.
	Now time.Time
	// Changed is when each file last changed (gitdates.Read), by path
	// below the site root; nil when unknown.
	Changed map[string]time.Time
}

// Converter turns one page's Markdown into a Doc. *markdown.Converter is
// one; stepcheck serve passes one that returns the Doc it made before when a
// file's bytes have not changed. Convert is called concurrently.
type Converter interface {
	Convert(path string, src []byte) (*markdown.Doc, error)
}

// Load reads every page of the site at fsys (the site root) and converts it
// with conv. Problems go into diags; the returned site holds every page that
// could be read, so that lint can report on all of them.
func Load(fsys fs.FS, cfg config.Config, cat catalog.Catalog, conv Converter, opts Options, diags *diag.List) *Site {
	site := &Site{Config: cfg, Catalog: cat}
	files, err := site.readTree(fsys)
	if err != nil {
		diags.Errorf(Dir, 1, 1, "cannot read the content directory: %v", err)
		return site
	}
	files, indexed := bundled(files)
	pages := make([]*Page, len(files))
	parallel.For(len(files), func(i int) {
		pages[i] = loadPage(fsys, files[i], conv, indexed, diags)
	})
	t := site.sortPages(pages, opts.Drafts)
	t.link()
	site.Pages = t.inOrder(site.Home, site.Pages)

	site.Files = append(site.Files, loadStatic(fsys, diags)...)
	site.index(diags)
	site.indexFiles(diags)
	site.alerts(diags)
	site.fill(diags)
	if site.AlertIndex != nil {
		// A new slice: the page's own HTML may be its Doc's, which serve
		// reuses.
		site.AlertIndex.HTML = slices.Concat(site.AlertIndex.HTML, site.alertTable(site.Config.BasePath()))
	}
	validate(site, diags)
	site.dates(opts)
	if opts.Lint {
		lintReviews(site, diags)
	}
	sev := diag.Warning
	if opts.Lint {
		sev = diag.Error
		lint(fsys, site, diags)
	}
	checkLinks(site, sev, diags)
	return site
}

// readTree lists the Markdown files under content/ and adds every other
// published file to site.Files. Folders whose names start with "." or "_"
// are skipped, as Hugo does.
func (site *Site) readTree(fsys fs.FS) (markdown []string, err error) {
	err = fs.WalkDir(fsys, Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != Dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".md") && !strings.HasPrefix(name, ".") {
			markdown = append(markdown, p)
		} else if !d.IsDir() && isPublished(p, d) {
			site.Files = append(site.Files, File{Path: p, Name: publishedName(strings.TrimPrefix(p, Dir+"/"))})
		}
		return nil
	})
	return markdown, err
}

// bundled drops the Markdown files that belong to a leaf bundle: as in
// Hugo, a leaf bundle's index.md is the page of its folder, and everything
// else in the folder belongs to it rather than being a page. indexed holds
// the directories with an _index.md.
func bundled(files []string) (pages []string, indexed map[string]bool) {
	indexed = map[string]bool{}
	leaves := map[string]bool{} // leaf bundles: directories with an index.md
	for _, f := range files {
		switch path.Base(f) {
		case "_index.md":
			indexed[path.Dir(f)] = true
		case "index.md":
			leaves[path.Dir(f)] = true
		}
	}
	pages = slices.DeleteFunc(files, func(f string) bool {
		for d := path.Dir(f); d != Dir && d != "."; d = path.Dir(d) {
			if leaves[d] && !indexed[d] && (d != path.Dir(f) || path.Base(f) != "index.md") {
				return true
			}
		}
		return false
	})
	return pages, indexed
}

// tree is the site's pages on their way into a tree: the section pages by
// their directory below content/, and the regular pages.
type tree struct {
	byDir   map[string]*Page
	regular []*Page
}

// sortPages sets drafts aside (unless drafts are wanted), sorts the rest
// into sections and regular pages, and settles the home page and the
// site's title.
func (site *Site) sortPages(pages []*Page, drafts bool) *tree {
	t := &tree{byDir: map[string]*Page{}}
	for _, p := range pages {
		switch {
		case p == nil:
		case p.Draft && !drafts:
			site.Drafts = append(site.Drafts, p)
		case p.IsSection():
			t.byDir[sectionDir(p.Path)] = p
		default:
			t.regular = append(t.regular, p)
		}
	}
	cfg := site.Config
	if t.byDir[""] == nil {
		t.byDir[""] = &Page{Kind: Home, URL: "/", Title: cfg.Title, Doc: emptyDoc()}
	}
	site.Home = t.byDir[""]
	if site.Home.Title == "" || site.Home.Path == "" {
		site.Home.Title = cmp.Or(site.Home.Title, cfg.Title)
	}
	if cfg.File == "" && site.Home.Path != "" {
		// A folder of Markdown without a configuration: its README's
		// heading names the site better than the default does.
		site.Config.Title = site.Home.Title
	}
	return t
}

// section returns the section page for a directory, creating the ones
// that have no _index.md, as Hugo does.
func (t *tree) section(dir string) *Page {
	if s, ok := t.byDir[dir]; ok {
		return s
	}
	s := &Page{Kind: Section, URL: urlPath(dir), Title: titleFromName(path.Base(dir)), Doc: emptyDoc(), dir: dir}
	t.byDir[dir] = s
	return s
}

// link gives every page but the home page its parent section.
func (t *tree) link() {
	var all []*Page
	for dir := range t.byDir {
		all = append(all, t.byDir[dir])
	}
	all = append(all, t.regular...)
	for _, p := range all {
		if p.Kind != Home {
			t.adopt(t.section(parentDir(p)), p)
		}
	}
	// Implicit sections created above may themselves need parents.
	for changed := true; changed; {
		changed = false
		for dir, s := range t.byDir {
			if s.Parent == nil && s.Kind != Home {
				t.adopt(t.section(cleanDir(path.Dir(dir))), s)
				changed = true
			}
		}
	}
}

func (t *tree) adopt(parent, p *Page) {
	p.Parent = parent
	parent.Children = append(parent.Children, p)
}

// parentDir is the directory, below content/, of the section p belongs to.
func parentDir(p *Page) string {
	if p.Kind == Section {
		if p.Path == "" {
			return cleanDir(path.Dir(strings.Trim(p.URL, "/")))
		}
		return cleanDir(path.Dir(sectionDir(p.Path)))
	}
	dir := strings.TrimPrefix(strings.TrimPrefix(path.Dir(p.Path), Dir), "/")
	if path.Base(p.Path) == "index.md" {
		dir = path.Dir(dir) // a leaf bundle
	}
	return cleanDir(dir)
}

// cleanDir turns path.Dir's "." for the top into "".
func cleanDir(dir string) string {
	if dir == "." {
		return ""
	}
	return dir
}

// inOrder appends p and its descendants to out, depth first, each page's
// children sorted by weight.
func (t *tree) inOrder(p *Page, out []*Page) []*Page {
	slices.SortFunc(p.Children, byWeight)
	out = append(out, p)
	for _, c := range p.Children {
		out = t.inOrder(c, out)
	}
	return out
}

// byWeight orders pages as Hugo does: by weight, with unweighted (0) pages
// after weighted ones, then by title, then by URL for stability.
func byWeight(a, b *Page) int {
	wa, wb := a.Weight, b.Weight
	if (wa == 0) != (wb == 0) {
		if wa == 0 {
			return 1
		}
		return -1
	}
	return cmp.Or(cmp.Compare(wa, wb), cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)), cmp.Compare(a.URL, b.URL))
}

// sectionDir is the directory of an _index.md below content/: "" for the home page.
func sectionDir(p string) string {
	d := strings.TrimPrefix(path.Dir(p), Dir)
	return strings.TrimPrefix(d, "/")
}

// loadPage reads and converts one page. indexed holds the directories that
// have an _index.md; a README.md is the page of a directory without one.
func loadPage(fsys fs.FS, file string, conv Converter, indexed map[string]bool, diags *diag.List) *Page {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		diags.Errorf(file, 1, 1, "%v", err)
		return nil
	}
	doc, err := conv.Convert(file, src)
	if err != nil {
		diags.Errorf(file, 1, 1, "%v", err)
		return nil
	}
	diags.Add(doc.Diagnostics...)
	rel := strings.TrimPrefix(file, Dir+"/")
	p := &Page{Path: file, Doc: doc, HTML: doc.HTML, Kind: Regular, Params: map[string]any{}}
	base := path.Base(rel)
	isIndex := base == "_index.md" || (strings.EqualFold(base, "README.md") && !indexed[path.Dir(file)])
	switch {
	case isIndex && path.Dir(rel) == ".":
		p.Kind, p.URL = Home, "/"
	case isIndex:
		p.Kind, p.URL = Section, urlPath(path.Dir(rel))
	case base == "index.md" && !indexed[path.Dir(file)] && path.Dir(rel) != ".":
		p.URL = urlPath(path.Dir(rel)) // a leaf bundle
	default:
		p.URL = urlPath(strings.TrimSuffix(rel, path.Ext(rel)))
	}
	frontMatter(p, doc, diags)
	if p.Kind == Regular {
		name := strings.TrimSuffix(base, path.Ext(base))
		if name == "index" {
			name = path.Base(path.Dir(rel))
		}
		if a, ok := alertFromName(name); ok {
			p.NamedAlert = a
			if !slices.Contains(p.Alerts, a) {
				p.Alerts = append(p.Alerts, a)
			}
		}
	}
	if p.Title == "" {
		p.Title = doc.HeadingTitle
	}
	if p.Title == "" && p.Kind != Home {
		// As GitHub shows a file and Hugo a section without a title: by name.
		name := strings.TrimSuffix(base, path.Ext(base))
		if isIndex || name == "index" {
			name = path.Base(path.Dir(rel))
		}
		p.Title, p.titledByName = titleFromName(name), true
	}
	return p
}

// frontMatter decodes the known keys; values of the wrong type are errors at
// the key's line.
func frontMatter(p *Page, doc *markdown.Doc, diags *diag.List) {
	at := func(key string) int { return cmp.Or(doc.MetaLines[key], 1) }
	bad := func(key, want string, v any) {
		diags.Errorf(p.Path, at(key), 1, "front matter: %s must be %s, not %v", key, want, describe(v))
	}
	str := func(key string, v any, dst *string) {
		switch v := v.(type) {
		case string:
			*dst = v
		case int, float64, bool:
			*dst = fmt.Sprint(v)
		default:
			bad(key, "text", v)
		}
	}
	list := func(key string, v any, dst *[]string) {
		switch v := v.(type) {
		case string:
			*dst = []string{v}
		case []any:
			for _, item := range v {
				s, ok := item.(string)
				if !ok {
					bad(key, "a list of text", v)
					return
				}
				*dst = append(*dst, s)
			}
		default:
			bad(key, "a list of text", v)
		}
	}
	for key, v := range doc.Meta {
		switch key {
		case "title":
			str(key, v, &p.Title)
		case "description":
			str(key, v, &p.Description)
		case "service":
			str(key, v, &p.Service)
		case "owner":
			str(key, v, &p.Owner)
		case "severity":
			str(key, v, &p.Severity)
		case "weight":
			switch n := v.(type) {
			case int:
				p.Weight = n
			case int64: // TOML
				p.Weight = int(n)
			default:
				bad(key, "a whole number", v)
			}
		case "draft":
			if b, ok := v.(bool); ok {
				p.Draft = b
			} else {
				bad(key, "true or false", v)
			}
		case "tags":
			list(key, v, &p.Tags)
		case "aliases":
			list(key, v, &p.Aliases)
		case "alerts":
			list(key, v, &p.Alerts)
			p.declaredAlerts = slices.Clone(p.Alerts)
			for _, a := range p.Alerts {
				if !alertName.MatchString(a) {
					diags.Errorf(p.Path, at(key), 1, "front matter: alert %q is not an alert name (letters, digits and _, as in KubePodCrashLooping)", a)
				}
			}
		case "lastReviewed":
			if d, ok := date(v); ok {
				p.LastReviewed = d
			} else {
				bad(key, "a date such as 2026-01-15", v)
			}
		case "reviewEvery":
			var s string
			str(key, v, &s)
			if period, ok := config.ParsePeriod(s); ok {
				p.ReviewEvery = period
			} else if s != "" {
				diags.Errorf(p.Path, at(key), 1, "front matter: reviewEvery %q must be a number of days, weeks, months or years: 180d, 26w, 6m, 1y", s)
			}
		default:
			p.Params[key] = v
		}
	}
}

// dates fills in each page's change date and review state.
func (site *Site) dates(opts Options) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	for _, p := range site.Pages {
		if p.Path != "" {
			p.Changed = opts.Changed[p.Path]
		}
		period := cmp.Or(p.ReviewEvery, site.Config.ReviewEvery)
		if p.LastReviewed.IsZero() || period == 0 {
			continue
		}
		if now.After(p.LastReviewed.AddDate(0, 0, int(period))) {
			p.Overdue, p.ReviewedAgo = true, ago(p.LastReviewed, now)
		}
	}
}

// lintReviews warns of each page past its review date, at its lastReviewed
// key, so a team can list its stale runbooks.
func lintReviews(site *Site, diags *diag.List) {
	for _, p := range site.Pages {
		if !p.Overdue {
			continue
		}
		owner := ""
		if p.Owner != "" {
			owner = "; owner: " + p.Owner
		}
		period := cmp.Or(p.ReviewEvery, site.Config.ReviewEvery)
		diags.Warnf(p.Path, cmp.Or(p.Doc.MetaLines["lastReviewed"], 1), 1, "review overdue: last reviewed %s ago (%s), to be reviewed every %d days%s",
			p.ReviewedAgo, p.LastReviewed.Format(time.DateOnly), period, owner)
	}
}

// ago says how long before now t was, in the largest unit that reads
// naturally: days, weeks, months or years.
func ago(t, now time.Time) string {
	days := int(now.Sub(t).Hours() / 24)
	n, unit := days, "day"
	switch {
	case days >= 730:
		n, unit = days/365, "year"
	case days >= 60:
		n, unit = days*12/365, "month"
	case days >= 14:
		n, unit = days/7, "week"
	}
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// alertName is what Prometheus allows in an alert name (a metric name
// without colons).
var alertName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// alertFromName returns the alert a page's file names, by the runbook
// repositories' convention: a file named for the alert, in CamelCase with
// at least two words (KubePodCrashLooping.md, etcdMembersDown.md), not a
// plain word (overview.md, README.md).
func alertFromName(name string) (string, bool) {
	if !alertName.MatchString(name) || strings.ToUpper(name) == name || strings.ToLower(name) == name {
		return "", false
	}
	humps := 0
	for i := 1; i < len(name); i++ {
		if name[i] >= 'A' && name[i] <= 'Z' && name[i-1] >= 'a' && name[i-1] <= 'z' {
			humps++
		}
	}
	return name, humps > 0
}

// date reads a front matter date: YAML text 2026-01-15 (or a full
// timestamp), or a date the decoder made one (TOML's local dates are
// time.Time values in a location of their own).
func date(v any) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		return v, true
	case string:
		for _, layout := range []string{time.DateOnly, time.RFC3339} {
			if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "empty"
	case string:
		return fmt.Sprintf("text %q", v)
	case []any:
		return "a list"
	case map[any]any, map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%v", v)
}

// validate reports problems that need the whole site: missing titles,
// unknown probes and severities.
func validate(site *Site, diags *diag.List) {
	sevs := map[string]bool{}
	var sevIDs []string
	for _, s := range site.Config.Severities {
		sevs[s.ID] = true
		sevIDs = append(sevIDs, s.ID)
	}
	for _, p := range site.Pages {
		if p.Path == "" {
			// Two folders whose names differ only in case, neither with an
			// _index.md, are one URL: one would silently replace the other.
			if prev := site.byURL[p.URL]; prev != p && prev != nil {
				at, other := p, prev
				if prev.Path == "" && prev.dir > p.dir {
					// Map order decides which twin came first; report the
					// same one every build.
					at, other = prev, p
				}
				diags.Errorf(path.Join(Dir, at.dir), 1, 1, "folder URL %s is also the URL of %s; rename one of them", p.URL, source(other))
			}
			continue
		}
		if prev := site.byURL[p.URL]; prev != p && prev != nil {
			diags.Errorf(p.Path, 1, 1, "page URL %s is also the URL of %s; rename one of them", p.URL, source(prev))
		}
		if p.Severity != "" && !sevs[p.Severity] {
			diags.Errorf(p.Path, cmp.Or(p.Doc.MetaLines["severity"], 1), 1, "front matter: severity %q is not one of the site's severities (%s)", p.Severity, strings.Join(sevIDs, ", "))
		}
		for _, u := range p.Doc.Probes {
			if !site.Catalog.Has(u.ID) {
				line, col := p.Doc.Lines.Position(u.Offset)
				diags.Errorf(p.Path, line, col, "unknown probe %q: declare it in %s/%s", u.ID, Dir, catalog.FileName)
			}
		}
	}
}

// source names where a page comes from, for diagnostics.
func source(p *Page) string {
	if p.Path == "" {
		return "the folder " + path.Join(Dir, p.dir)
	}
	return p.Path
}

// urlPath makes the URL of a path below content/ as Hugo does: lower case,
// spaces as '-', and only letters, digits and "._-~+/" kept. "" is "/".
func urlPath(rel string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(rel) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-~+/", r):
			b.WriteRune(r)
		}
	}
	if t := strings.Trim(b.String(), "/"); t != "" && t != "." {
		return "/" + t + "/"
	}
	return "/"
}

// emptyDoc is the body of a section that has no _index.md.
func emptyDoc() *markdown.Doc { return &markdown.Doc{Lines: diag.NewLines(nil)} }

// titleFromName makes a file or folder name readable, as the title of a
// page that has none: "kube-pod-crash-looping" is "Kube pod crash looping".
func titleFromName(name string) string {
	t := strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(name))
	if t == "" {
		return name
	}
	r, size := utf8.DecodeRuneInString(t)
	return string(unicode.ToUpper(r)) + t[size:]
}
