package content

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
)

// rel is a page's file below content/: "ops/x.md".
func rel(p *Page) string { return strings.TrimPrefix(p.Path, Dir+"/") }

// index records every page by file, folder and URL, and every alias, for
// resolving links. Two pages with one URL, and aliases that are not paths
// or clash with a page, are errors.
func (s *Site) index(diags *diag.List) {
	s.byFile = map[string]*Page{}
	s.byFold = map[string]*Page{}
	s.byURL = map[string]*Page{}
	s.Aliases = map[string]*Page{}
	for _, p := range s.Pages {
		if _, dup := s.byURL[p.URL]; !dup {
			s.byURL[p.URL] = p
		}
		if p.Path != "" {
			s.byFile[rel(p)] = p
		}
	}
	for _, p := range s.Drafts {
		p.excluded = true
		s.byFile[rel(p)] = p
	}
	for f, p := range s.byFile {
		s.byFold[strings.ToLower(f)] = p
	}
	s.aliasAt = map[string]Position{}
	for _, p := range s.Pages {
		for _, a := range p.Aliases {
			at := aliasPosition(p, a)
			u, err := aliasURL(p, a)
			if err != nil {
				diags.Errorf(p.Path, at.Line, at.Col, "front matter: %v", err)
				continue
			}
			if other, taken := s.byURL[u]; taken {
				what := "the URL of " + cmp.Or(other.Path, "the section "+other.URL)
				if s.Aliases[u] != nil {
					what = "an alias of " + other.Path
				}
				diags.Errorf(p.Path, at.Line, at.Col, "front matter: alias %s is already %s", u, what)
				continue
			}
			s.Aliases[u] = p
			s.aliasAt[u] = at
			s.byURL[u] = p
		}
	}
}

// Position is a place in a file, as diagnostics print it.
type Position struct {
	Path      string
	Line, Col int
}

// AliasAt returns where the alias with URL u is written.
func (s *Site) AliasAt(u string) Position { return s.aliasAt[u] }

// aliasPosition finds an alias as written in p's front matter: the first
// occurrence of its text from the aliases key's line on.
func aliasPosition(p *Page, alias string) Position {
	at := Position{Path: p.Path, Line: cmp.Or(p.Doc.MetaLines["aliases"], 1), Col: 1}
	if line, col, ok := p.Doc.Lines.Find(alias, at.Line); ok {
		at.Line, at.Col = line, col
	}
	return at
}

// aliasURL turns an alias as written into a URL below the base path,
// "/old/url/" or "/old.html". A relative alias is resolved against the
// page's URL, as a browser would.
func aliasURL(p *Page, alias string) (string, error) {
	u, err := url.Parse(alias)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("alias %q must be a path on this site, such as /old/url/", alias)
	}
	abs := u.Path
	if !strings.HasPrefix(abs, "/") {
		abs = (&url.URL{Path: p.URL}).ResolveReference(&url.URL{Path: abs}).Path
	}
	abs = path.Clean(abs)
	if path.Ext(abs) == "" && abs != "/" {
		abs += "/"
	}
	if abs == "/" {
		return "", fmt.Errorf("alias %q would replace the home page", alias)
	}
	return abs, nil
}

// errNoPage is why a link to a file reaches no page.
var errNoPage = errors.New("no such page")

// resolve finds the page a PageRef names on page from.
//
// A ref or relref shortcode is resolved as Hugo does: a path starting with
// "/" from content/; any other first against from's folder and then
// against content/; and a bare file name, when only one page has it. The
// ".md" may be left out, and a folder names its section. Names ignore case.
//
// A relative link to a .md file is resolved against from's folder, exactly,
// as GitHub does.
func (s *Site) resolve(from *Page, ref *markdown.PageRef) (*Page, error) {
	dir := path.Dir(rel(from))
	if !ref.Shortcode {
		if p := s.byFile[path.Join(dir, ref.Path)]; p != nil {
			return p, nil
		}
		return nil, errNoPage
	}
	if ref.Path == "" {
		return from, nil // {{< ref "#anchor" >}}
	}
	tries := []string{ref.Path}
	if !strings.HasPrefix(ref.Path, "/") {
		tries = []string{path.Join(dir, ref.Path), ref.Path}
	}
	for _, t := range tries {
		if p := s.lookup(t); p != nil {
			return p, nil
		}
	}
	if strings.Contains(strings.Trim(ref.Path, "/"), "/") {
		return nil, errNoPage
	}
	name := strings.ToLower(strings.TrimSuffix(ref.Path, ".md"))
	var found []*Page
	for _, p := range s.byFile {
		if strings.ToLower(strings.TrimSuffix(path.Base(p.Path), ".md")) == name {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return nil, errNoPage
	case 1:
		return found[0], nil
	}
	var paths []string
	for _, p := range found {
		paths = append(paths, p.Path)
	}
	slices.Sort(paths)
	return nil, fmt.Errorf("%d pages have that name (%s); give the folder too", len(found), strings.Join(paths, ", "))
}

// lookup finds the page of a path below content/, ignoring case: a file
// ("ops/x.md"), a file without ".md" ("ops/x"), a leaf bundle's folder, or
// a section's folder ("ops").
func (s *Site) lookup(p string) *Page {
	p = strings.ToLower(strings.Trim(path.Clean("/"+p), "/"))
	if p == "" || p == "_index.md" {
		return s.Home
	}
	if page := s.byFold[p]; page != nil {
		return page
	}
	if page := s.byFold[p+".md"]; page != nil {
		return page
	}
	if page := s.byFold[p+"/index.md"]; page != nil && page.URL == urlPath(p) {
		return page // a leaf bundle
	}
	for _, index := range []string{"/_index.md", "/readme.md"} {
		if page := s.byFold[p+index]; page != nil && page.IsSection() {
			return page
		}
	}
	// A folder without _index.md or README.md is a section too.
	if page := s.byURL[urlPath(p)]; page != nil && page.IsSection() && page.Path == "" {
		return page
	}
	return nil
}

// fill gives every page its HTML with the URLs of the pages it names. A ref
// or relref shortcode that names no page, or a draft left out of the build,
// is an error. Links to .md files that reach no page stay as written;
// checkLinks reports them.
func (s *Site) fill(diags *diag.List) {
	base := s.Config.BasePath()
	for _, p := range s.Pages {
		if p.Path == "" {
			continue
		}
		p.HTML = p.Doc.Fill(func(l markdown.Link) (string, bool) {
			if l.Page.File {
				return s.fileURL(p, l.Page)
			}
			target, err := s.resolve(p, l.Page)
			switch {
			case err != nil:
				if l.Page.Shortcode {
					diags.Errorf(p.Path, l.Line, l.Col, "%s names no page: %v", l.Dest, refHint(err))
				}
				return "", false
			case target.excluded:
				if l.Page.Shortcode {
					diags.Errorf(p.Path, l.Line, l.Col, "%s names a draft (%s), which this build leaves out; build with --drafts or link elsewhere", l.Dest, target.Path)
				}
				return "", false
			}
			u := base + strings.TrimPrefix(target.URL, "/")
			if target == p && l.Page.Path == "" {
				u = ""
			}
			if l.Page.Fragment != "" {
				u += "#" + l.Page.Fragment
			}
			return u, true
		})
	}
}

func refHint(err error) string {
	if errors.Is(err, errNoPage) {
		return "a path is relative to this page's folder or to " + Dir + "/, as in Hugo"
	}
	return err.Error()
}
