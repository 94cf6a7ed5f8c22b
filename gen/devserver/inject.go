package devserver

import (
	"bytes"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// Paths the dev server adds to the site. Content never publishes below
// /_stepcheck/, because directories starting with "_" are not pages.
const (
	PathEvents = "/_stepcheck/events"
	PathScript = "/_stepcheck/live.js"
	PathStyle  = "/_stepcheck/live.css"
)

// Snippet is what the dev server adds to every HTML page it serves: the
// live-reload script and its stylesheet (the error overlay, the banner),
// and an optional banner. A production build never contains it: only the
// dev server's handler adds it, as each page is served.
type Snippet struct {
	// Build and Run identify the build the page comes from (see Hub).
	Build uint64
	Run   string
	// Stub marks a placeholder page served before any build succeeded;
	// it reloads after the first good build.
	Stub bool
	// Banner is plain text shown at the top of every page; empty for none.
	Banner string
}

// head is the markup that goes before </head>.
func (s Snippet) head() []byte {
	var b bytes.Buffer
	b.WriteString(`<link rel="stylesheet" href="` + PathStyle + `">`)
	b.WriteString(`<script src="` + PathScript + `" data-events="` + PathEvents + `" data-build="` + strconv.FormatUint(s.Build, 10) + `" data-run="` + html.EscapeString(s.Run) + `"`)
	if s.Stub {
		b.WriteString(` data-stub=""`)
	}
	b.WriteString(` defer></script>`)
	return b.Bytes()
}

// body is the markup that goes right after <body ...>.
func (s Snippet) body() []byte {
	if s.Banner == "" {
		return nil
	}
	return []byte(`<aside class="sc-dev-banner" aria-label="Demo">` + html.EscapeString(s.Banner) + `</aside>`)
}

// Inject returns page with the snippet added: the script and stylesheet at
// the end of <head>, the banner at the start of <body>. A page without
// those tags gets them at its start and end.
func Inject(page []byte, s Snippet) []byte {
	head, body := s.head(), s.body()
	out := make([]byte, 0, len(page)+len(head)+len(body))
	lower := bytes.ToLower(page)
	i := bytes.Index(lower, []byte("</head>"))
	j := -1
	if k := bytes.Index(lower, []byte("<body")); k >= 0 {
		if end := bytes.IndexByte(page[k:], '>'); end >= 0 {
			j = k + end + 1
		}
	}
	switch {
	case i >= 0 && j > i:
		out = append(out, page[:i]...)
		out = append(out, head...)
		out = append(out, page[i:j]...)
		out = append(out, body...)
		out = append(out, page[j:]...)
	default:
		out = append(out, head...)
		out = append(out, body...)
		out = append(out, page...)
	}
	return out
}

// injector buffers an HTML response so the snippet can go into it; other
// responses pass through untouched.
type injector struct {
	http.ResponseWriter
	snippet Snippet
	status  int
	html    bool
	decided bool
	buf     bytes.Buffer
}

func (w *injector) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	w.html = strings.HasPrefix(h.Get("Content-Type"), "text/html") && h.Get("Content-Encoding") == ""
}

func (w *injector) WriteHeader(status int) {
	w.decide()
	if w.html {
		w.status = status
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *injector) Write(b []byte) (int, error) {
	w.decide()
	if w.html {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// finish writes a buffered HTML response with the snippet in it.
func (w *injector) finish() {
	if !w.html {
		return
	}
	body := Inject(w.buf.Bytes(), w.snippet)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(body)
}

// injecting serves next with the snippet that snippet returns added to
// every HTML response. HEAD requests pass through, as they carry no body.
func injecting(next http.Handler, snippet Snippet) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		iw := &injector{ResponseWriter: w, snippet: snippet}
		next.ServeHTTP(iw, r)
		iw.finish()
	})
}
