package site

import (
	"html"
	"strings"

	"github.com/stepcheck/stepcheck/gen/content"
)

// aliasFiles returns a redirect page for each alias in front matter, as
// Hugo writes them: "/old/url/" becomes old/url/index.html and "/old.html"
// old.html, each sending the browser on to the page's URL below basePath.
// A link in the body serves browsers that ignore the refresh.
func aliasFiles(site *content.Site, basePath string) map[string][]byte {
	out := make(map[string][]byte, len(site.Aliases))
	for alias, p := range site.Aliases {
		name := aliasFile(alias)
		to := html.EscapeString(basePath + strings.TrimPrefix(p.URL, "/"))
		out[name] = []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>` + html.EscapeString(p.Title) +
			`</title><link rel="canonical" href="` + to + `"><meta name="robots" content="noindex"><meta http-equiv="refresh" content="0; url=` + to +
			`"></head><body><p>This page has moved to <a href="` + to + `">` + to + `</a>.</p></body></html>` + "\n")
	}
	return out
}
