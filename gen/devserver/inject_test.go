package devserver

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInject(t *testing.T) {
	snip := Snippet{Build: 7, Run: "r1", Banner: "Demo & <test>"}
	head := `<link rel="stylesheet" href="/_stepcheck/live.css"><script src="/_stepcheck/live.js" data-events="/_stepcheck/events" data-build="7" data-run="r1" defer></script>`
	banner := `<aside class="sc-dev-banner" aria-label="Demo">Demo &amp; &lt;test&gt;</aside>`
	for _, tc := range []struct{ name, page, want string }{
		{"a page", `<html><head><title>x</title></head><body class="k"><p>hi</p></body></html>`,
			`<html><head><title>x</title>` + head + `</head><body class="k">` + banner + `<p>hi</p></body></html>`},
		{"upper case tags", `<HTML><HEAD></HEAD><BODY><p>hi</BODY>`,
			`<HTML><HEAD>` + head + `</HEAD><BODY>` + banner + `<p>hi</BODY>`},
		{"a fragment", `<p>hi</p>`, head + banner + `<p>hi</p>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, string(Inject([]byte(tc.page), snip)))
		})
	}
	assert.NotContains(t, string(Inject([]byte("<p>"), Snippet{})), "sc-dev-banner", "no banner unless asked")
	assert.Contains(t, string(Inject([]byte("<p>"), Snippet{Stub: true})), `data-stub=""`)
}

func TestInjectingOnlyTouchesHTML(t *testing.T) {
	h := injecting(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte("<head></head><body>x</body>"))
		case "/gz/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte("compressed"))
		default:
			w.Header().Set("Content-Type", "text/css")
			w.Write([]byte("body{}"))
		}
	}), Snippet{Build: 1})
	for path, want := range map[string]string{"/gz/": "compressed", "/style.css": "body{}"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		assert.Equal(t, want, rec.Body.String())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/page/", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "/_stepcheck/live.js")
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("HEAD", "/page/", nil))
	assert.NotContains(t, rec.Body.String(), "live.js", "HEAD passes through")
}
