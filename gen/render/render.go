// Package render lays out pages through a theme's html/template layouts:
// header, section navigation, breadcrumbs, an in-page table of contents, the
// content and the footer.
//
// Rendering is two steps. Data builds a page's PageData: plain values
// copied from the content tree (the page's own fields, its navigation,
// breadcrumbs, children, neighbours and widget data), never a pointer into
// it, so that a layout sees that and nothing else. Execute lays the data
// out. PageData.WriteKey hashes exactly what a layout can see, which is how
// the site builder knows, for any theme, which pages an edit changed.
package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown/commtmpl"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// Theme is a parsed theme: one template set per page kind.
type Theme struct {
	kinds map[content.Kind]*template.Template
	// Static holds the theme's static/ files (CSS, JS).
	Static fs.FS
}

// Load parses a theme's layouts. root names the theme in diagnostics, e.g.
// "themes/default". Layouts: base.html (the document), nav.html, and one of
// page.html / section.html / home.html per kind defining "children"; home
// falls back to section.
func Load(fsys fs.FS, root string, diags *diag.List) *Theme {
	t := &Theme{kinds: map[content.Kind]*template.Template{}}
	static, err := fs.Sub(fsys, "static")
	if err == nil {
		t.Static = static
	}
	read := func(name string) (string, bool) {
		b, err := fs.ReadFile(fsys, "layouts/"+name)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
	var common *template.Template
	for _, name := range []string{"base.html", "nav.html"} {
		src, ok := read(name)
		if !ok {
			diags.Errorf(path.Join(root, "layouts", name), 1, 1, "theme layout is missing")
			return nil
		}
		if common == nil {
			common = template.New(name)
		} else {
			common = common.New(name)
		}
		if _, err := common.Parse(src); err != nil {
			templateError(diags, root, name, err)
			return nil
		}
	}
	for kind, names := range map[content.Kind][]string{
		content.Home:    {"home.html", "section.html"},
		content.Section: {"section.html"},
		content.Regular: {"page.html"},
	} {
		set, err := common.Lookup("base.html").Clone()
		if err != nil {
			diags.Errorf(root, 1, 1, "%v", err)
			return nil
		}
		for _, name := range names {
			if src, ok := read(name); ok {
				if _, err := set.New(name).Parse(src); err != nil {
					templateError(diags, root, name, err)
					return nil
				}
				break
			}
		}
		t.kinds[kind] = set
	}
	return t
}

var templateLine = regexp.MustCompile(`^template: [^:]+:(\d+):(?:(\d+):)? ?(.*)$`)

func templateError(diags *diag.List, root, name string, err error) {
	line, col, msg := 1, 1, err.Error()
	if m := templateLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			col, _ = strconv.Atoi(m[2])
		}
		msg = m[3]
	}
	diags.Errorf(path.Join(root, "layouts", name), line, col, "%s", msg)
}

// Link is a titled URL.
type Link struct {
	Title string
	URL   string
}

// NavItem is one entry of the section navigation.
type NavItem struct {
	Title   string
	URL     string
	Current bool
	// Link is <a href="URL">Title</a>, with aria-current="page" when
	// Current, escaped as a layout escapes it. It is made once per entry
	// and build: a layout that writes {{.Link}} instead of escaping Title
	// and URL itself saves three template function calls per entry on
	// every page, and a large site lists hundreds of entries on each.
	Link     template.HTML
	Children []NavItem
	// currentLink is Link for the page the entry names.
	currentLink template.HTML
}

// navLink is the markup of NavItem.Link.
var navLink = template.Must(template.New("link").Parse(`<a href="{{.URL}}"{{if .Current}} aria-current="page"{{end}}>{{.Title}}</a>`))

// navItem returns the entry for a page, with both of its links.
func navItem(title, url string) NavItem {
	it := NavItem{Title: title, URL: url}
	if plain(title, url) {
		// What the template below gives, without running it: a site's
		// URLs and titles are nearly always plain, and a build makes the
		// entries of every page.
		it.Link = template.HTML(`<a href="` + url + `">` + title + `</a>`)
		it.currentLink = template.HTML(`<a href="` + url + `" aria-current="page">` + title + `</a>`)
		return it
	}
	var b strings.Builder
	navLink.Execute(&b, it) // a string and a bool: it cannot fail
	it.Link = template.HTML(b.String())
	b.Reset()
	navLink.Execute(&b, NavItem{Title: title, URL: url, Current: true})
	it.currentLink = template.HTML(b.String())
	return it
}

// plain reports whether html/template would write title and url as they
// are: a site path of letters, digits and /._~- and a title without a
// character the escaper changes.
func plain(title, url string) bool {
	if !strings.HasPrefix(url, "/") {
		return false
	}
	for _, c := range []byte(url) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("/._~-", c) >= 0) {
			return false
		}
	}
	return !strings.ContainsAny(title, "<>&'\"+\x00")
}

// mark makes it the entry of the current page when current is true; the
// entries start unmarked.
func (it *NavItem) mark(current bool) {
	if current {
		it.Current, it.Link = true, it.currentLink
	}
}

// Child is one entry of a section's list of pages.
type Child struct {
	Title, Description, Severity, URL string
}

// SiteData is what layouts see as .Site.
type SiteData struct {
	Title    string
	Lang     string
	BasePath string
	ProbeAPI string
	assets   map[string]string
}

// Widget returns the URL of a widget file (widgets.wasm, wasm_exec.js), or
// "" when the site was built without widgets.
func (s SiteData) Widget(name string) string { return s.assets[name] }

// Asset returns the published URL of a theme static file (content-hashed).
func (s SiteData) Asset(name string) (string, error) {
	u, ok := s.assets[name]
	if !ok {
		return "", fmt.Errorf("no static file %q in the theme", name)
	}
	return u, nil
}

// contains reports whether p is below section s.
func contains(s, p *content.Page) bool {
	for a := p.Parent; a != nil; a = a.Parent {
		if a == s {
			return true
		}
	}
	return false
}

// Heading is a table-of-contents entry.
type Heading struct {
	Level    int
	Text, ID string
}

// Widgets is the page's data for the browser widgets, embedded as JSON.
// Every page has it, because incident mode runs on every page. Its JSON
// keys are package widget's Key constants.
type Widgets struct {
	Probes     []string         `json:"probes,omitempty"`
	Fields     []commtmpl.Field `json:"fields,omitempty"`
	Vars       []string         `json:"vars,omitempty"`
	Severities []string         `json:"severities,omitempty"`
	Tasks      int              `json:"tasks,omitempty"`
	// Targets are the severities' clock targets, for the incident bar.
	Targets []Target `json:"targets,omitempty"`
	// Postmortem is the URL of the postmortem template (a template with id
	// postmortem), or "" when the site has none.
	Postmortem string `json:"postmortem,omitempty"`
}

// Target is a severity's targets in whole seconds; zero means none.
type Target struct {
	ID         string `json:"id"`
	Respond    int64  `json:"respond,omitempty"`
	Resolve    int64  `json:"resolve,omitempty"`
	Internal   int64  `json:"internal,omitempty"`
	StatusPage int64  `json:"statusPage,omitempty"`
}

// PostmortemID is the template ID the incident bar's postmortem action
// fills and opens.
const PostmortemID = widget.PostmortemTemplate

// PageInfo is what layouts see of the page itself, as .Page.
type PageInfo struct {
	Kind content.Kind
	// Path is the source file relative to the site root; empty for a
	// section without _index.md.
	Path string
	// URL is the page's path below the base path, as content has it.
	URL         string
	Title       string
	Description string
	Weight      int
	Tags        []string
	Service     string
	Owner       string
	Severity    string
	// Alerts are the alerts the page answers.
	Alerts []string
	// LastReviewed is the front matter's date (2026-01-15), Overdue is set
	// once the review period has passed, and ReviewedAgo then says how
	// long ago the review was ("14 months").
	LastReviewed string
	Overdue      bool
	ReviewedAgo  string
	// Changed is the date of the page's last commit, when the site is a git
	// checkout; EditURL the "Edit this page" link, when the site has one.
	Changed string
	EditURL string
	// Params holds the front-matter keys stepcheck does not know.
	Params map[string]any
}

// PageData is what layouts see as the root value. It holds plain values
// only, copied from the content tree, never a pointer into it: a layout
// sees exactly this, so a page whose PageData is unchanged renders the same
// HTML (see WriteKey), whatever the theme shows of it.
type PageData struct {
	Site    SiteData
	Page    PageInfo
	Content template.HTML
	TOC     []Heading
	Crumbs  []Link
	Nav     []NavItem
	// NavHTML is the "nav" template rendered once for the page.
	NavHTML    template.HTML
	Children   []Child
	Neighbours *Neighbours
	Widgets    *Widgets
	// Diagrams counts the page's Mermaid diagrams. The default theme adds
	// its diagram script only when there is one.
	Diagrams int
}

// day formats a date as 2026-01-15, or "" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Neighbours are the previous and next pages of a section.
type Neighbours struct{ Prev, Next *Link }

// Renderer renders the pages of one site.
type Renderer struct {
	theme *Theme
	site  *content.Site
	data  SiteData
	// incident is the page data every page shares: severities, targets
	// and the postmortem template's URL.
	incident Widgets
	// urls is each page's published URL, made once rather than for every
	// page that links to it.
	urls map[*content.Page]string
	// top and open are the navigation's entries (see nav), made once.
	top  []NavItem
	open [][]NavItem
	// neighbours are each page's previous and next pages, made once.
	neighbours map[*content.Page]*Neighbours
}

// New prepares rendering of site. assets maps theme static file names to
// their published URLs.
func New(theme *Theme, site *content.Site, assets map[string]string) *Renderer {
	r := &Renderer{theme: theme, site: site, data: SiteData{
		Title:    site.Config.Title,
		Lang:     "en",
		BasePath: site.Config.BasePath(),
		ProbeAPI: site.Config.ProbeAPI,
		assets:   assets,
	}}
	for _, s := range site.Config.Severities {
		r.incident.Severities = append(r.incident.Severities, s.ID)
		r.incident.Targets = append(r.incident.Targets, Target{ID: s.ID, Respond: seconds(s.Respond), Resolve: seconds(s.Resolve),
			Internal: seconds(s.InternalUpdates), StatusPage: seconds(s.StatusPageUpdates)})
	}
	r.urls = make(map[*content.Page]string, len(site.Pages))
	for _, p := range site.Pages {
		r.urls[p] = r.URL(p)
	}
	r.makeNav()
	r.makeNeighbours()
	anchor := commtmpl.AnchorPrefix + PostmortemID
	for _, p := range site.Pages {
		if p.Doc != nil && r.incident.Postmortem == "" && slices.Contains(p.Doc.IDs, anchor) {
			r.incident.Postmortem = r.URL(p) + "#" + anchor
		}
	}
	return r
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// Site returns what layouts see as .Site.
func (r *Renderer) Site() SiteData { return r.data }

// URL returns a page's published path, with the base path.
func (r *Renderer) URL(p *content.Page) string {
	if u, ok := r.urls[p]; ok {
		return u
	}
	return r.data.BasePath + strings.TrimPrefix(p.URL, "/")
}

// Render writes one page's HTML.
func (r *Renderer) Render(p *content.Page) ([]byte, error) {
	return r.Execute(r.Data(p))
}

// Data builds what the layouts see of p.
func (r *Renderer) Data(p *content.Page) *PageData {
	d := &PageData{Site: r.data, Page: PageInfo{
		Kind: p.Kind, Path: p.Path, URL: p.URL, Title: p.Title, Description: p.Description, Weight: p.Weight,
		Tags: slices.Clone(p.Tags), Service: p.Service, Owner: p.Owner, Severity: p.Severity,
		Alerts: slices.Clone(p.Alerts), LastReviewed: day(p.LastReviewed), Overdue: p.Overdue, ReviewedAgo: p.ReviewedAgo,
		Changed: day(p.Changed), EditURL: r.site.Config.EditLink(p.Path),
	}, Content: shared(p.HTML), Nav: r.nav(p)}
	if len(p.Params) > 0 {
		d.Page.Params = maps.Clone(p.Params)
	}
	toc := 0
	for _, h := range p.Doc.Headings {
		if h.Level == 2 || h.Level == 3 {
			toc++
		}
	}
	if toc >= 2 {
		d.TOC = make([]Heading, 0, toc)
		for _, h := range p.Doc.Headings {
			if h.Level == 2 || h.Level == 3 {
				d.TOC = append(d.TOC, Heading{Level: h.Level, Text: h.Text, ID: h.ID})
			}
		}
	}
	depth := 0
	for a := p.Parent; a != nil; a = a.Parent {
		depth++
	}
	if depth > 0 {
		d.Crumbs = make([]Link, depth)
		for a := p.Parent; a != nil; a = a.Parent {
			depth--
			d.Crumbs[depth] = Link{Title: a.Title, URL: r.URL(a)}
		}
	}
	if len(p.Children) > 0 {
		d.Children = make([]Child, len(p.Children))
		for i, c := range p.Children {
			d.Children[i] = Child{Title: c.Title, Description: c.Description, Severity: c.Severity, URL: r.URL(c)}
		}
	}
	if n := r.neighbours[p]; n != nil {
		next := *n // the layout's own copy
		d.Neighbours = &next
	}
	d.Widgets = r.widgets(p)
	if p.Doc != nil {
		d.Diagrams = p.Doc.Diagrams
	}
	return d
}

// shared returns b as HTML without a copy. A page's HTML is never written
// after content.Load, and every build makes the data of every page, to key
// it: copying each page's HTML each time would cost more than the keys.
func shared(b []byte) template.HTML {
	return template.HTML(unsafe.String(unsafe.SliceData(b), len(b)))
}

// Execute lays out one page from its data. It fills in d.NavHTML.
func (r *Renderer) Execute(d *PageData) ([]byte, error) {
	page, nav, err := r.ExecuteParts(d)
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(page, []byte(NavSlot), nav), nil
}

// NavSlot stands for the navigation in a page from ExecuteParts. It is an
// empty list, so that a minifier treats the space around it as it treats
// the space around the navigation's own list.
const NavSlot = `<ul class="sc-nav-slot-5e1f"></ul>`

// ExecuteParts is Execute with the navigation kept apart: the page holds
// NavSlot wherever the layout writes .NavHTML, and nav is the navigation,
// rendered once. The default theme shows it twice (the phone menu and the
// sidebar), and on a large site it is most of a page's bytes: apart, it is
// minified once too.
func (r *Renderer) ExecuteParts(d *PageData) (page, nav []byte, err error) {
	set := r.theme.kinds[d.Page.Kind]
	var navBuf bytes.Buffer
	if err := set.ExecuteTemplate(&navBuf, "nav", d); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", d.Page.URL, err)
	}
	d.NavHTML = NavSlot
	var buf bytes.Buffer
	buf.Grow(len(d.Content) + 8<<10)
	err = set.ExecuteTemplate(&buf, "base.html", d)
	d.NavHTML = template.HTML(navBuf.String())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", d.Page.URL, err)
	}
	return buf.Bytes(), navBuf.Bytes(), nil
}

// widgets returns the page's widget data. Every page gets the incident
// data, even one without widgets of its own, since the incident bar shows on
// every page.
func (r *Renderer) widgets(p *content.Page) *Widgets {
	w := r.incident
	if doc := p.Doc; doc != nil {
		w.Fields, w.Vars, w.Tasks = doc.Fields, doc.Vars, doc.Tasks
		seen := map[string]bool{}
		for _, u := range doc.Probes {
			if !seen[u.ID] {
				seen[u.ID] = true
				w.Probes = append(w.Probes, u.ID)
			}
		}
	}
	return &w
}

// makeNeighbours links each page to the previous and next pages (not
// sections) of its section, in one pass over each section.
func (r *Renderer) makeNeighbours() {
	r.neighbours = map[*content.Page]*Neighbours{}
	for _, s := range r.site.Pages {
		var pages []*content.Page
		for _, c := range s.Children {
			if !c.IsSection() {
				pages = append(pages, c)
			}
		}
		for i, c := range pages {
			n := &Neighbours{}
			if i > 0 {
				n.Prev = &Link{Title: pages[i-1].Title, URL: r.URL(pages[i-1])}
			}
			if i+1 < len(pages) {
				n.Next = &Link{Title: pages[i+1].Title, URL: r.URL(pages[i+1])}
			}
			if n.Prev != nil || n.Next != nil {
				r.neighbours[c] = n
			}
		}
	}
}

// nav lists the home page's children, and opens the section that holds the
// current page one level further. Listing every page on every page would make
// a large site's pages grow with its size. The lists are made once per
// Renderer and copied for each page, which only marks where it is.
func (r *Renderer) nav(current *content.Page) []NavItem {
	items := slices.Clone(r.top)
	items[0].mark(current == r.site.Home)
	for i, c := range r.site.Home.Children {
		items[i+1].mark(c == current)
		if c.IsSection() && (c == current || contains(c, current)) {
			open := slices.Clone(r.open[i])
			for j, g := range c.Children {
				open[j].mark(g == current)
			}
			items[i+1].Children = open
		}
	}
	return items
}

// makeNav makes the navigation's entries: Home and the home page's
// children, and each child section's own children.
func (r *Renderer) makeNav() {
	home := r.site.Home
	r.top = append(r.top, navItem("Home", r.URL(home)))
	r.open = make([][]NavItem, len(home.Children))
	for i, c := range home.Children {
		r.top = append(r.top, navItem(c.Title, r.URL(c)))
		if !c.IsSection() {
			continue
		}
		r.open[i] = []NavItem{}
		for _, g := range c.Children {
			r.open[i] = append(r.open[i], navItem(g.Title, r.URL(g)))
		}
	}
}
