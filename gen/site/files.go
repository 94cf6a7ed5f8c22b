package site

import (
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/probe-api/api"
)

// reserved says what the build itself publishes at name, or "" when it
// publishes nothing there. A file or an alias may not take these names:
// replacing the service worker or an asset would break every page, and a
// path the probe API or the preview server answers would never be served.
func reserved(name string) string {
	top, _, _ := strings.Cut(name, "/")
	switch {
	case top == "assets":
		return "the site's assets (assets/)"
	case name == ServiceWorker:
		return "the service worker"
	case name == Manifest:
		return "the web app manifest"
	case name == "icon-192.png" || name == "icon-512.png":
		return "the app icon"
	case name == Marker:
		return "the mark of a stepcheck build"
	case strings.HasPrefix(api.PathProbes, "/"+top+"/"), "/"+name == api.PathHealth, "/"+name == api.PathMetrics:
		return "the probe API's paths"
	case top == "_stepcheck":
		return "the preview server's paths"
	}
	return ""
}

// aliasFile is the file an alias URL is written as: "/old/url/" is
// old/url/index.html, "/old.html" old.html.
func aliasFile(alias string) string {
	name := strings.TrimPrefix(alias, "/")
	if name == "" || strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	return name
}

// checkNames reports every file and alias that would replace another
// published file: a file of content/ or static/ at a name the build uses,
// and an alias written where a page, a file or one of the build's own
// files is. Each is an error at the file, or at the alias in front matter.
func checkNames(site *content.Site, diags *diag.List) {
	for _, f := range site.Files {
		if what := reserved(f.Name); what != "" {
			diags.Errorf(f.Path, 1, 1, "this file would be published at %s, which is %s; move or rename it", f.URL(), what)
		}
	}
	pages := map[string]*content.Page{}
	for _, p := range site.Pages {
		pages[pageFile(p)] = p
	}
	for alias := range site.Aliases {
		name := aliasFile(alias)
		what := reserved(name)
		if p := pages[name]; p != nil {
			what = "the page " + p.URL
		}
		if f := site.FileNamed(name); f != nil {
			what = "the file " + f.Path
		}
		if what != "" {
			at := site.AliasAt(alias)
			diags.Errorf(at.Path, at.Line, at.Col, "front matter: alias %s would replace %s; choose another", alias, what)
		}
	}
}

// fileCache keeps the bytes of the site's files between builds, by path,
// so that stepcheck serve reads an image again only when it changed.
type fileCache map[string]cachedFile

type cachedFile struct {
	size   int64
	mod    time.Time
	readAt time.Time
	data   []byte
}

// racyWindow is how close to its read a file's modification time may be
// and the file still be saved again, with the same size, without the time
// changing: file systems keep times in ticks (a few milliseconds in the
// kernel's clock, whole seconds on some). A file read so soon after it
// changed is "racily clean", as git calls it, and is read again.
const racyWindow = 2 * time.Second

// trusted reports whether e still holds the file that st describes: the
// same size and time, and a time safely before e was read.
func (e cachedFile) trusted(st fs.FileInfo) bool {
	return e.size == st.Size() && e.mod.Equal(st.ModTime()) && e.mod.Before(e.readAt.Add(-racyWindow))
}

// read returns the published files of site, by name. Files whose size and
// modification time did not change since the last call are not read again,
// unless they changed just before that call (see racyWindow).
func (c fileCache) read(fsys fs.FS, site *content.Site) (map[string][]byte, error) {
	out := make(map[string][]byte, len(site.Files))
	seen := make(map[string]bool, len(site.Files))
	for _, f := range site.Files {
		st, err := fs.Stat(fsys, f.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		e, ok := c[f.Path]
		if !ok || !e.trusted(st) {
			readAt := time.Now()
			b, err := fs.ReadFile(fsys, f.Path)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			e = cachedFile{size: st.Size(), mod: st.ModTime(), readAt: readAt, data: b}
			c[f.Path] = e
		}
		seen[f.Path] = true
		out[f.Name] = e.data
	}
	for p := range c {
		if !seen[p] {
			delete(c, p)
		}
	}
	return out, nil
}
