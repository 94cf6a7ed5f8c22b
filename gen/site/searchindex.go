package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/search"
)

// searchDir is where the index files are published. Their names carry
// content hashes, so they sit with the other immutable assets.
const searchDir = "assets/search/"

// SearchEntry is the key of the search index's entry file in the asset map.
const SearchEntry = "search"

// indexSite indexes every page's sections and adds the index files to
// files, gzip-compressed: the widgets decompress them, so every host sends
// them small, and the index on disk is about a tenth of its text. It
// returns the entry file's path below the publish directory.
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
				// The alerts a page answers find it, as its tags do.
				d.Description, d.Tags = p.Description, slices.Concat(p.Tags, p.Alerts)
			}
			b.Add(d)
		}
		if len(p.Doc.Sections) == 0 {
			b.Add(search.Document{URL: url, PageTitle: p.Title, Description: p.Description, Tags: p.Tags})
		}
		if p == s.AlertIndex {
			for _, sec := range s.AlertSections() {
				b.Add(search.Document{URL: url, Anchor: sec.ID, PageTitle: p.Title, Heading: sec.Heading, Text: sec.Text})
			}
		}
	}
	idx, entry := b.Files()
	// One writer is reused: a new one allocates over a megabyte.
	var gz gzipper
	for name, body := range idx {
		files[path.Join(searchDir, name)] = gz.compress(body)
	}
	return path.Join(searchDir, entry)
}

// SearchFiles returns the text of the search index files of a built site,
// by name below the search directory, and the entry file's name, for
// search.Open. Tests and benchmarks use it.
func (o *Output) SearchFiles() (files map[string][]byte, entry string, err error) {
	files = map[string][]byte{}
	for name, body := range o.Files {
		rest, ok := strings.CutPrefix(name, searchDir)
		if !ok {
			continue
		}
		r, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, "", err
		}
		if files[rest], err = io.ReadAll(r); err != nil {
			return nil, "", err
		}
		if strings.HasPrefix(rest, "terms.") {
			entry = rest
		}
	}
	return files, entry, nil
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
		g.w, _ = gzip.NewWriterLevel(&g.buf, gzip.DefaultCompression)
	} else {
		g.w.Reset(&g.buf)
	}
	_, _ = g.w.Write(b)
	_ = g.w.Close()
	return bytes.Clone(g.buf.Bytes())
}
