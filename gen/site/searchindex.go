package site

import (
	"bytes"
	"compress/gzip"
	"path"

	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/search"
)

// searchDir is where the index files are published. Their names carry
// content hashes, so they sit with the other immutable assets.
const searchDir = "assets/search/"

// SearchEntry is the key of the search index's entry file in the asset map.
const SearchEntry = "search"

// indexSite indexes every page's sections and adds the index files to
// files. It returns the entry file's path below the publish directory.
func indexSite(s *content.Site, basePath string, files map[string][]byte) string {
	var b search.Builder
	for _, p := range s.Pages {
		if p.Doc == nil {
			continue
		}
		url := basePath + p.URL[1:]
		for i, sec := range p.Doc.Sections {
			d := search.Document{URL: url, Anchor: sec.ID, PageTitle: p.Title, Heading: sec.Heading, Text: sec.Text}
			if i == 0 {
				d.Description, d.Tags = p.Description, p.Tags
			}
			b.Add(d)
		}
		if len(p.Doc.Sections) == 0 {
			b.Add(search.Document{URL: url, PageTitle: p.Title, Description: p.Description, Tags: p.Tags})
		}
	}
	idx, entry := b.Files()
	// Index files are text and compress about tenfold; a gzip copy lets
	// any host (and stepcheck's own server) send them small. One writer is
	// reused: a new one allocates over a megabyte.
	var gz gzipper
	for name, body := range idx {
		p := path.Join(searchDir, name)
		files[p] = body
		// Small files (each page's text) are left alone: hundreds more
		// files cost a publish more than their few kilobytes save.
		if len(body) >= 8<<10 {
			if c := gz.compress(body); len(c) < len(body) {
				files[p+".gz"] = c
			}
		}
	}
	return path.Join(searchDir, entry)
}

// gzipper compresses with one reusable writer; it is not safe for
// concurrent use.
type gzipper struct {
	w   *gzip.Writer
	buf bytes.Buffer
}

func (g *gzipper) compress(b []byte) []byte {
	g.buf.Reset()
	if g.w == nil {
		g.w, _ = gzip.NewWriterLevel(&g.buf, gzip.BestSpeed)
	} else {
		g.w.Reset(&g.buf)
	}
	_, _ = g.w.Write(b)
	_ = g.w.Close()
	return bytes.Clone(g.buf.Bytes())
}
