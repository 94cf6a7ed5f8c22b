package server

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

func TestCanonicalOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Runbooks.Example.com":       "https://runbooks.example.com:443",
		"https://runbooks.example.com/":      "https://runbooks.example.com:443",
		"http://runbooks.example.com:80":     "http://runbooks.example.com:80",
		"http://127.0.0.1:8081":              "http://127.0.0.1:8081",
		"http://[::1]:1313":                  "http://[::1]:1313",
		"https://runbooks.example.com.:8443": "https://runbooks.example.com:8443",
	} {
		got, err := canonicalOrigin(in)
		if err != nil || got != want {
			t.Errorf("canonicalOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "runbooks.example.com", "ftp://x.example", "https://", "https://u:p@x.example",
		"https://x.example/path", "https://x.example?q", "https://x.example#f", "null", "https://x.example:99999", "https://x.example:port"} {
		if got, err := canonicalOrigin(bad); err == nil {
			t.Errorf("canonicalOrigin(%q) = %q, want an error", bad, got)
		}
	}
}

// TestRebindingIsRefused is item 12 of issue 13: a page on evil.test whose
// name was rebound to the API's address sends Host: evil.test:PORT and
// Origin: http://evil.test:PORT. That was served with
// Access-Control-Allow-Origin; now the Host alone refuses it, before any
// probe runs, and so it is for /healthz and /metrics.
func TestRebindingIsRefused(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	port := hs.URL[strings.LastIndexByte(hs.URL, ':'):]
	for _, path := range []string{api.CheckPath("web"), api.PathProbes, api.PathHealth, api.PathMetrics} {
		method := http.MethodGet
		if strings.HasSuffix(path, "/check") {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, hs.URL+path, nil)
		req.Host = "evil.test" + port
		req.Header.Set("Origin", "http://evil.test"+port)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s %s with Host evil.test: %d %v, want 421 without CORS", method, path, resp.StatusCode, resp.Header)
		}
	}
	if n := tg.requests(); n != 0 {
		t.Errorf("the target saw %d checks from a rebinding page", n)
	}
}

// TestHostsServed: addresses and localhost are always served (a rebinding
// page cannot send them), a name only when it is a public origin's.
func TestHostsServed(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{PublicOrigins: []string{"https://runbooks.example.com"}})
	for host, want := range map[string]int{
		"127.0.0.1:8081":            200,
		"[::1]:8081":                200,
		"10.1.2.3":                  200, // a kubelet's probe, by pod IP
		"localhost:1313":            200,
		"LOCALHOST.":                200,
		"runbooks.example.com":      200, // as a TLS-terminating proxy forwards it
		"Runbooks.Example.com:8443": 200,
		"runbooks.example.com.evil": 421,
		"evil.runbooks.example.com": 421,
		"evil.test":                 421,
		"localhost.evil.test":       421,
	} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+api.PathHealth, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// TestNoHost: an HTTP/1.0 request may name no host; it names none served.
func TestNoHost(t *testing.T) {
	s, err := New(registry(t), httpCatalogue(t, "http://127.0.0.1:1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, api.PathHealth, nil)
	req.Host = ""
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusMisdirectedRequest {
		t.Errorf("no Host: %d, want 421", rec.Code)
	}
}

// TestOriginsCompareSchemeHostPort: same-origin means the scheme, host and
// port of the request itself; configured origins match exactly, default
// ports included.
func TestOriginsCompareSchemeHostPort(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute,
		CORSOrigins:   []string{"https://runbooks.example.com"},
		PublicOrigins: []string{"https://probes.example.com"}})
	self := hs.URL // http://127.0.0.1:PORT
	port := self[strings.LastIndexByte(self, ':'):]
	for origin, want := range map[string]int{
		self:                                200,
		"https://runbooks.example.com":      200,
		"https://runbooks.example.com:443":  200,
		"https://probes.example.com":        200,
		"http://runbooks.example.com":       403, // scheme differs
		"https://runbooks.example.com:8443": 403, // port differs
		"https://127.0.0.1" + port:          403, // this server is plain HTTP
		"http://127.0.0.1:1":                403,
		"http://localhost" + port:           403, // another host than the request's
		"null":                              403,
		"https://runbooks.example.com/x":    403,
		"https://evil.example.net":          403,
		"http://runbooks.example.com.evil":  403,
	} {
		code, _, hdr := post(t, nil, self+api.CheckPath("web"), map[string]string{"Origin": origin})
		if code != want {
			t.Errorf("Origin %q: %d, want %d", origin, code, want)
		}
		if got := hdr.Get("Access-Control-Allow-Origin"); (want == 200) != (got == origin) {
			t.Errorf("Origin %q: Access-Control-Allow-Origin %q", origin, got)
		}
	}
}

// TestSameOriginOverTLS: behind TLS the request's scheme is https.
func TestSameOriginOverTLS(t *testing.T) {
	tg := newTarget(t, false)
	s, err := New(registry(t), httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewTLSServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	c := hs.Client()
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	https := hs.URL
	http := "http" + strings.TrimPrefix(https, "https")
	if code, _, _ := post(t, c, https+api.CheckPath("web"), map[string]string{"Origin": https}); code != 200 {
		t.Errorf("same origin over TLS: %d", code)
	}
	if code, _, _ := post(t, c, https+api.CheckPath("web"), map[string]string{"Origin": http}); code != 403 {
		t.Errorf("http origin to the TLS server: %d, want 403", code)
	}
}

func TestBadOriginOptions(t *testing.T) {
	for _, o := range []Options{{CORSOrigins: []string{"runbooks.example.com"}}, {PublicOrigins: []string{"https://x.example/path"}}} {
		if _, err := New(registry(t), httpCatalogue(t, "http://127.0.0.1:1"), o); err == nil || !strings.Contains(err.Error(), "origin") {
			t.Errorf("New(%+v) = %v, want an origin error", o, err)
		}
	}
}

// TestGuardHost is the guard stepcheck serve puts in front of its pages:
// a rebinding page must not read drafts either.
func TestGuardHost(t *testing.T) {
	s, err := New(registry(t), httpCatalogue(t, "http://127.0.0.1:1"), Options{PublicOrigins: []string{"http://preview.example.com:1313"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pages := s.GuardHost(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("draft")) }))
	for host, want := range map[string]int{"127.0.0.1:1313": 200, "preview.example.com:1313": 200, "evil.test:1313": 421} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/drafts/", nil)
		req.Host = host
		pages.ServeHTTP(rec, req)
		if rec.Code != want || (want == 421 && strings.Contains(rec.Body.String(), "draft")) {
			t.Errorf("Host %q: %d %q, want %d", host, rec.Code, rec.Body, want)
		}
	}
}
