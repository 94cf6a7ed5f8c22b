package content

import (
	"cmp"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
)

// checkLinks reports internal links that reach no page, and anchors that
// reach no heading or template on their page, with severity sev: a build
// warns, so a site with a broken link still publishes as it would with
// Hugo, and lint fails. External URLs are not fetched, and links to other
// files (images, downloads) are not checked.
func checkLinks(s *Site, sev diag.Severity, diags *diag.List) {
	for _, p := range s.Pages {
		if p.Path == "" {
			continue
		}
		for _, l := range p.Doc.Links {
			if problem := s.missingFile(p, l); problem != "" {
				diags.Add(diag.Diagnostic{Path: p.Path, Line: l.Line, Col: l.Col, Severity: sev, Message: problem})
				continue
			}
			target, frag, problem := s.follow(p, l)
			if problem == "" && target != nil && frag != "" && !hasAnchor(target, frag) {
				where := cmp.Or(target.Path, "the section "+target.URL)
				if target == p {
					where = "this page"
				}
				problem = fmt.Sprintf("link to %q: %s has no heading or template with the anchor #%s", l.Dest, where, frag)
			}
			if problem != "" {
				diags.Add(diag.Diagnostic{Path: p.Path, Line: l.Line, Col: l.Col, Severity: sev, Message: problem})
			}
		}
	}
}

// follow finds the page an internal link reaches and its fragment. target
// is nil for a link that is not checked (an external URL, another kind of
// file, a ref already reported by fill); problem says why an internal link
// reaches no page.
func (s *Site) follow(p *Page, l markdown.Link) (target *Page, frag, problem string) {
	if ref := l.Page; ref != nil && ref.File {
		if _, ok := s.fileURL(p, ref); ok {
			return nil, "", ""
		}
		// No file by that name: the link is a URL, as written.
	} else if ref != nil {
		t, err := s.resolve(p, ref)
		switch {
		case ref.Shortcode && (err != nil || t.excluded):
			return nil, "", "" // fill reported it
		case err != nil:
			return nil, "", fmt.Sprintf("link to %q: there is no %s", l.Dest, path.Join(path.Dir(p.Path), ref.Path))
		case t.excluded:
			return nil, "", fmt.Sprintf("link to %q: %s is a draft, which this build leaves out", l.Dest, t.Path)
		}
		return t, unescape(ref.Fragment), ""
	}
	u, err := url.Parse(l.Dest)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(l.Dest, "//") {
		return nil, "", ""
	}
	frag = unescape(u.Fragment)
	if u.Path == "" {
		if frag == "" {
			return nil, "", ""
		}
		return p, frag, ""
	}
	abs := u.Path
	if !strings.HasPrefix(abs, "/") {
		abs = (&url.URL{Path: p.URL}).ResolveReference(&url.URL{Path: abs}).Path
	}
	abs = strings.TrimSuffix(abs, "index.html")
	if ext := path.Ext(abs); ext != "" && ext != ".html" && ext != ".htm" && ext != ".md" {
		return nil, "", "" // an image or a download: not a page
	}
	if t := s.byURL[abs]; t != nil {
		return t, frag, ""
	}
	if t := s.byURL[abs+"/"]; t != nil && path.Ext(abs) == "" {
		return t, frag, ""
	}
	if l.Dest != abs {
		return nil, "", fmt.Sprintf("link to %q: no page has the URL %s", l.Dest, abs)
	}
	return nil, "", fmt.Sprintf("link to %q: no page has that URL", l.Dest)
}

func unescape(frag string) string {
	if f, err := url.PathUnescape(frag); err == nil {
		return f
	}
	return frag
}

// Locate finds the page a URL path below the base path reaches, as a link
// would: "/ops/x/", "/ops/x", "/ops/x/index.html", an alias or an alert's
// link. It returns nil when no page is there.
func (s *Site) Locate(u string) *Page {
	u = strings.TrimSuffix(u, "index.html")
	if t := s.byURL[u]; t != nil {
		return t
	}
	if path.Ext(u) == "" {
		return s.byURL[u+"/"]
	}
	return nil
}

// HasAnchor reports whether the page has an element with the ID frag.
func (p *Page) HasAnchor(frag string) bool { return hasAnchor(p, frag) }

// hasAnchor reports whether a page has an element with the ID frag. "top"
// always works: browsers scroll to the top for it.
func hasAnchor(p *Page, frag string) bool {
	return frag == "top" || slices.Contains(p.Doc.IDs, frag)
}

// lint reports what only stepcheck lint checks: probes that no page uses
// (drafts count), and headings whose anchors clash (markdown.Doc.Lint).
func lint(fsys fs.FS, s *Site, diags *diag.List) {
	used := map[string]bool{}
	for _, p := range append(slices.Clone(s.Pages), s.Drafts...) {
		for _, u := range p.Doc.Probes {
			used[u.ID] = true
		}
		diags.Add(p.Doc.Lint...)
		if p.titledByName {
			diags.Warnf(p.Path, 1, 1, "page has no title and no heading, so it is titled %q from its name; add \"title:\" to its front matter", p.Title)
		}
	}
	var lines []string
	if b, err := fs.ReadFile(fsys, s.Catalog.Path); err == nil {
		lines = strings.Split(string(b), "\n")
	}
	for _, id := range s.Catalog.IDs() {
		if used[id] {
			continue
		}
		line := s.Catalog.Probes[id].Line
		col := 1
		if line >= 1 && line <= len(lines) {
			if i := strings.Index(lines[line-1], id); i >= 0 {
				col = utf8.RuneCountInString(lines[line-1][:i]) + 1
			}
		}
		diags.Warnf(s.Catalog.Path, line, col, "probe %q is declared but no page uses it: reference it with {probe:%s} or remove it", id, id)
	}
}
