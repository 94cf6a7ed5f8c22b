package content

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
)

// StaticDir is Hugo's folder of files published as they are at the site's
// root.
const StaticDir = "static"

// File is a file of the site that is not a page and is published as it is:
// an image, a diagram or a download beside the pages under content/, or a
// file of StaticDir.
type File struct {
	// Path is the file below the site root, as diagnostics print it:
	// "content/ops/img/x.png", "static/images/logo.svg".
	Path string
	// Name is where it is published, relative to the publish directory.
	// A file under content/ keeps its name, in the folder whose URL its
	// folder's pages have ("content/Ops/img/X.png" is "ops/img/X.png"), so
	// a relative link from a leaf bundle or a section page still reaches
	// it. A file of static/ keeps its whole path, as Hugo publishes it.
	Name string
}

// URL is the file's path below the base path, like Page.URL.
func (f File) URL() string { return "/" + f.Name }

// isPublished reports whether a file under content/ or static/ is
// published. Markdown is pages; the probe catalogue holds the addresses of
// the systems checked; hidden files (.env, .git) stay private; and only
// regular files are copied, so a symbolic link cannot publish a file from
// outside the site.
func isPublished(p string, d fs.DirEntry) bool {
	name := d.Name()
	switch {
	case !d.Type().IsRegular(),
		strings.HasPrefix(name, "."),
		strings.HasSuffix(strings.ToLower(name), ".md"),
		p == path.Join(Dir, catalog.FileName):
		return false
	}
	return true
}

// publishedName is where a file below content/ (rel) is published.
func publishedName(rel string) string {
	return strings.TrimPrefix(urlPath(path.Dir(rel)), "/") + path.Base(rel)
}

// loadStatic lists StaticDir's files, if the site has one.
func loadStatic(fsys fs.FS, diags *diag.List) []File {
	if st, err := fs.Stat(fsys, StaticDir); err != nil || !st.IsDir() {
		return nil
	}
	var files []File
	err := fs.WalkDir(fsys, StaticDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != StaticDir && strings.HasPrefix(d.Name(), ".") && d.Name() != ".well-known" {
			return fs.SkipDir
		}
		if !d.IsDir() && isPublished(p, d) {
			files = append(files, File{Path: p, Name: strings.TrimPrefix(p, StaticDir+"/")})
		}
		return nil
	})
	if err != nil {
		diags.Errorf(StaticDir, 1, 1, "cannot read the static directory: %v", err)
	}
	return files
}

// indexFiles records the site's files by where they are published and,
// for those under content/, by their path below it. Two files published at
// one name, or a file published where a page is, are errors: one would
// silently replace the other.
func (s *Site) indexFiles(diags *diag.List) {
	s.fileByName = map[string]*File{}
	s.fileByRel = map[string]*File{}
	pageFiles := map[string]*Page{}
	for _, p := range s.Pages {
		pageFiles[strings.TrimPrefix(p.URL, "/")+"index.html"] = p
	}
	for i := range s.Files {
		f := &s.Files[i]
		if prev := s.fileByName[f.Name]; prev != nil {
			diags.Errorf(f.Path, 1, 1, "this file is published at %s, as %s is; rename one of them", f.URL(), prev.Path)
			continue
		}
		if p := pageFiles[f.Name]; p != nil {
			diags.Errorf(f.Path, 1, 1, "this file would replace the page %s (%s); rename it", p.URL, pageSource(p))
			continue
		}
		s.fileByName[f.Name] = f
		if rel, ok := strings.CutPrefix(f.Path, Dir+"/"); ok {
			s.fileByRel[rel] = f
		}
	}
}

func pageSource(p *Page) string {
	if p.Path == "" {
		return "a section without an index page"
	}
	return p.Path
}

// fileURL returns the published URL (with the base path) of the file a
// File link names from page p, or ok=false when it names none.
func (s *Site) fileURL(p *Page, ref *markdown.PageRef) (string, bool) {
	f := s.fileByRel[path.Join(path.Dir(rel(p)), ref.Path)]
	if f == nil {
		return "", false
	}
	u := s.Config.BasePath() + f.Name
	if ref.Query != "" {
		u += "?" + ref.Query
	}
	if ref.Fragment != "" {
		u += "#" + ref.Fragment
	}
	return u, true
}

// FileNamed returns the file published at name, or nil.
func (s *Site) FileNamed(name string) *File { return s.fileByName[name] }

// missingFile says why a link or image that names a file reaches none, or
// returns "". A relative one is tried beside the page, as on GitHub, then
// as a URL against the page's, as a browser would; a site path ("/x.png")
// is looked up among the published files. Only images, and relative links
// with a file extension other than a page's, are checked: any other link
// may reach something the build does not know of.
func (s *Site) missingFile(p *Page, l markdown.Link) string {
	ref := l.Page
	var asURL string
	switch {
	case ref != nil && ref.File:
		if _, ok := s.fileURL(p, ref); ok {
			return ""
		}
		if !l.Image && !hasFileExt(ref.Path) {
			return ""
		}
		asURL = (&url.URL{Path: p.URL}).ResolveReference(&url.URL{Path: ref.Path}).Path
	case ref == nil && l.Image:
		u, err := url.Parse(l.Dest)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(l.Dest, "//") {
			return ""
		}
		asURL = u.Path
	default:
		return ""
	}
	if s.fileByName[strings.TrimPrefix(asURL, "/")] != nil {
		return ""
	}
	what := "link to"
	if l.Image {
		what = "image"
	}
	if ref != nil {
		return fmt.Sprintf("%s %q: there is no %s", what, l.Dest, path.Join(path.Dir(p.Path), ref.Path))
	}
	return fmt.Sprintf("%s %q: no file of the site has the URL %s", what, l.Dest, asURL)
}

// hasFileExt reports whether a link's path ends in a file extension that
// is not a page's.
func hasFileExt(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case "", ".html", ".htm":
		return false
	}
	return true
}
