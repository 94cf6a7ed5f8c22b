package site

import (
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
)

// minifier shrinks HTML, CSS and JS. A *minify.M is safe for concurrent use
// once its minifiers are added.
type minifier struct{ m *minify.M }

func newMinifier(enabled bool) *minifier {
	if !enabled {
		return &minifier{}
	}
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("application/javascript", js.Minify)
	// Keep <html lang> and the document tags: some screen readers and the
	// widgets' DOM queries are happier with an explicit structure.
	m.Add("text/html", &html.Minifier{KeepDocumentTags: true, KeepEndTags: true, KeepQuotes: true})
	return &minifier{m: m}
}

func (mn *minifier) bytes(mediaType string, b []byte) ([]byte, error) {
	if mn.m == nil {
		return b, nil
	}
	return mn.m.Bytes(mediaType, b)
}
