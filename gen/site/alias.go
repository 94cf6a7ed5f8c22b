package site

import (
	"encoding/json"
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

// alertFiles returns the redirect of each alert's stable URL
// (/alerts/<alert in lower case>/) to its runbook and anchor. Unlike an
// alias, it keeps the query and fragment it was opened with, so the
// incident link ?alertname=… an Alertmanager template adds reaches the
// page; the refresh serves browsers without JavaScript.
func alertFiles(site *content.Site, basePath string) map[string][]byte {
	out := make(map[string][]byte, len(site.AlertLinks))
	for u, a := range site.AlertLinks {
		target := basePath + strings.TrimPrefix(a.Link(), "/")
		to := html.EscapeString(target)
		js, _ := json.Marshal(target) // escapes <, > and &, so it cannot end the script
		out[aliasFile(u)] = []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>` + html.EscapeString(a.Name) + " · " +
			html.EscapeString(a.Page.Title) + `</title><link rel="canonical" href="` + to + `"><meta name="robots" content="noindex">` +
			`<script>var u=new URL(` + string(js) + `,location.href);u.search=location.search;if(location.hash)u.hash=location.hash;location.replace(u.href)</script>` +
			`<noscript><meta http-equiv="refresh" content="0; url=` + to + `"></noscript></head><body><p>The runbook for ` + html.EscapeString(a.Name) +
			` is <a href="` + to + `">` + html.EscapeString(a.Page.Title) + `</a>.</p></body></html>` + "\n")
	}
	return out
}
