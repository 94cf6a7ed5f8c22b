package httpcheck

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
)

func run(t *testing.T, typ *Type, fields string) api.Result {
	t.Helper()
	p := probetest.Build(t, "http", typ, fields)
	res, _ := p.Run(context.Background())
	return res
}

func conds(res api.Result) string {
	var s []string
	for _, c := range res.Conditions {
		s = append(s, c.Result)
	}
	return strings.Join(s, " | ")
}

func TestHTTP(t *testing.T) {
	var status atomic.Value
	status.Store("green")
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok","checks":{"db":"up"}}`)
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/_cluster/health", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"cluster_name":"logs","status":"`+status.Load().(string)+`"}`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Method+" "+r.Header.Get("X-Probe")+" "+string(b))
	})
	srv, _ := probetest.Server(t, mux)
	typ := New()
	defer typ.Close()

	tests := []struct {
		name   string
		fields string
		status api.Status
		conds  string
	}{
		{"json body", "url: " + srv.URL + "/health\nexpect: [\"[STATUS] == 200\", \"[BODY].status == ok\", \"[BODY].checks.db == up\"]",
			api.StatusUp, "[STATUS] (200) == 200 | [BODY].status (ok) == ok | [BODY].checks.db (up) == up"},
		{"failing status prints the actual value", "url: " + srv.URL + "/fail\nexpect: [\"[STATUS] == 200\"]",
			api.StatusDown, "[STATUS] (503) == 200"},
		{"implicit 2xx", "url: " + srv.URL + "/fail", api.StatusDown, "[STATUS] (503) < 300"},
		{"missing JSON field is a failure", "url: " + srv.URL + "/health\nexpect: [\"[BODY].uptime >= 0\"]",
			api.StatusDown, "[STATUS] (200) < 300 | [BODY].uptime (missing) >= 0"},
		{"body regexp", "url: " + srv.URL + "/health\nexpect: [\"[BODY] =~ \\\"status.:.ok\\\"\"]",
			api.StatusUp, `[STATUS] (200) < 300 | [BODY] (36 bytes) =~ "status.:.ok"`},
		{"warn only degrades", "url: " + srv.URL + "/health\nwarn: [\"[RESPONSE_TIME] < 0ms\"]",
			api.StatusDegraded, ""},
		{"method, header and body", "url: " + srv.URL + "/echo\nmethod: POST\nheaders: {X-Probe: yes}\nbody: hello\nexpect: [\"[BODY] =~ ^POST.yes.hello$\"]",
			api.StatusUp, "[STATUS] (200) < 300 | [BODY] (14 bytes) =~ ^POST.yes.hello$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, typ, tt.fields)
			if res.Status != tt.status {
				t.Errorf("status = %s, want %s (%s; %s)", res.Status, tt.status, res.Detail, conds(res))
			}
			if tt.conds != "" && conds(res) != tt.conds {
				t.Errorf("conditions = %q, want %q", conds(res), tt.conds)
			}
		})
	}

	// Elasticsearch cluster health: red is down, yellow degraded, green up.
	es := "url: " + srv.URL + "/_cluster/health\nexpect: [\"[STATUS] == 200\", \"[BODY].status != red\"]\nwarn: [\"[BODY].status == green\"]"
	for _, c := range []struct {
		color string
		want  api.Status
	}{{"green", api.StatusUp}, {"yellow", api.StatusDegraded}, {"red", api.StatusDown}} {
		status.Store(c.color)
		if res := run(t, typ, es); res.Status != c.want {
			t.Errorf("cluster %s: status %s, want %s (%s)", c.color, res.Status, c.want, conds(res))
		}
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	elsewhere, elsewhereConns := probetest.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "you should not be here")
	}))
	srv, _ := probetest.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/x", http.StatusFound)
	}))
	typ := New()
	defer typ.Close()
	res := run(t, typ, "url: "+srv.URL+"/")
	if res.Status != api.StatusDown || res.Detail != "HTTP 302 (redirect not followed)" {
		t.Errorf("redirect: %s %q", res.Status, res.Detail)
	}
	if strings.Contains(res.Detail+conds(res), elsewhere.URL) {
		t.Errorf("result shows the Location: %+v", res)
	}
	if n := elsewhereConns.Count(); n != 0 {
		t.Errorf("redirect target saw %d connections", n)
	}
}

func TestHugeBodyIsCutOff(t *testing.T) {
	written := make(chan int64, 1)
	srv, _ := probetest.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		var n int64
		for n < 1<<30 { // 1 GiB, unless the client hangs up
			m, err := w.Write(chunk)
			n += int64(m)
			if err != nil {
				break
			}
		}
		written <- n
	}))
	typ := New()
	defer typ.Close()
	res := run(t, typ, "url: "+srv.URL+"/\nmax_body: 64KiB\ntimeout: 10s\nexpect: [\"[BODY] !~ y\"]")
	if res.Status != api.StatusUp || !strings.Contains(res.Detail, "body cut at 64.0KiB") {
		t.Errorf("huge body: %s %q %s", res.Status, res.Detail, conds(res))
	}
	if !strings.Contains(conds(res), "(65536 bytes)") {
		t.Errorf("kept body is not the limit: %s", conds(res))
	}
	if n := <-written; n >= 1<<30 {
		t.Errorf("target wrote the whole %d bytes: the body was drained, not cut", n)
	}
}

func TestSilentTargetReturnsAtDeadline(t *testing.T) {
	addr := probetest.Silent(t)
	typ := New()
	defer typ.Close()
	p := probetest.Build(t, "http", typ, "url: http://"+addr+"/\ntimeout: 300ms")
	start := time.Now()
	res, err := p.Run(context.Background())
	elapsed := time.Since(start)
	if elapsed < 300*time.Millisecond || elapsed > 350*time.Millisecond {
		t.Errorf("returned after %v, want 300ms + at most 50ms", elapsed)
	}
	if res.Status != api.StatusDown || res.Detail != "timed out after 300ms" || err == nil {
		t.Errorf("silent target: %s %q %v", res.Status, res.Detail, err)
	}
}

func TestValidation(t *testing.T) {
	for _, fields := range []string{
		"url: ftp://127.0.0.1/",
		"url: http://127.0.0.1/\nmethod: DELETE",
		"url: http://127.0.0.1/\nexpect: [\"[CONNECTED] == true\"]",
		"url: http://127.0.0.1/\naddr: 127.0.0.1:1",
		"method: GET",
	} {
		r := check.NewRegistry()
		r.Add("http", New())
		if _, err := r.Build(probetest.Catalogue(t, "type: http\n"+fields, nil)); err == nil {
			t.Errorf("accepted %q", fields)
		}
	}
}

// bigBody is a JSON document of exactly n bytes.
func bigBody(n int) []byte {
	head, tail := `{"status":"ok","pad":"`, `"}`
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

// bodyServer serves body on /length with a Content-Length, and on /chunked
// in 64 KiB chunks without one.
func bodyServer(t testing.TB, body []byte) string {
	mux := http.NewServeMux()
	mux.HandleFunc("/length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for b := body; len(b) > 0; {
			n := min(len(b), 64<<10)
			w.Write(b[:n])
			w.(http.Flusher).Flush()
			b = b[n:]
		}
	})
	srv, _ := probetest.Server(t, mux)
	return srv.URL
}

const bigConds = "expect: [\"[BODY].status == ok\", \"[BODY] =~ \\\"pad\\\"\", \"[BODY] != x\", \"[BODY].pad != x\"]"

// TestBodyCostsItsLimit: checking a body of max_body (16 MiB) allocates
// about that much, not a multiple of it: the body is read into one buffer
// of at most max_body, and [BODY], its regexp and its JSON paths read that
// buffer in place. Each check also reports the body exactly.
func TestBodyCostsItsLimit(t *testing.T) {
	const size = 16 << 20
	url := bodyServer(t, bigBody(size))
	typ := New()
	defer typ.Close()
	for _, path := range []string{"/length", "/chunked"} {
		t.Run(path, func(t *testing.T) {
			p := probetest.Build(t, "http", typ, "url: "+url+path+"\nmax_body: 16MiB\ntimeout: 30s\n"+bigConds)
			if res, err := p.Run(context.Background()); res.Status != api.StatusUp || err != nil {
				t.Fatalf("%s %v: %s", res.Status, err, conds(res))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			res, _ := p.Run(context.Background())
			runtime.ReadMemStats(&after)
			if res.Status != api.StatusUp || strings.Contains(res.Detail, "cut") {
				t.Fatalf("%s %q: %s", res.Status, res.Detail, conds(res))
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > size*5/4 {
				t.Errorf("one check of a %d-byte body allocated %d bytes (%.1f×)", size, got, float64(got)/size)
			}
		})
	}
}

// BenchmarkBody16MiB measures one check of a 16 MiB JSON body with
// conditions on its text, a regexp and two JSON paths; B/op should stay
// near 16 MiB.
func BenchmarkBody16MiB(b *testing.B) {
	const size = 16 << 20
	url := bodyServer(b, bigBody(size))
	typ := New()
	defer typ.Close()
	for _, path := range []string{"/length", "/chunked"} {
		b.Run(path[1:], func(b *testing.B) {
			p := probetest.Build(b, "http", typ, "url: "+url+path+"\nmax_body: 16MiB\ntimeout: 30s\n"+bigConds)
			b.ReportAllocs()
			b.SetBytes(size)
			for i := 0; i < b.N; i++ {
				if res, _ := p.Run(context.Background()); res.Status != api.StatusUp {
					b.Fatalf("%s: %s", res.Status, conds(res))
				}
			}
		})
	}
}

// TestBodyLimits: a body exactly max_body long is whole; one byte more is
// cut at max_body, with or without a Content-Length, and a HEAD reads none.
func TestBodyLimits(t *testing.T) {
	body := bigBody(100 << 10)
	url := bodyServer(t, body)
	typ := New()
	defer typ.Close()
	for _, tt := range []struct {
		path, max string
		want      string
	}{
		{"/length", "102400", "HTTP 200"},
		{"/chunked", "102400", "HTTP 200"},
		{"/length", "102399", "HTTP 200; body cut at 100.0KiB"},
		{"/chunked", "102399", "HTTP 200; body cut at 100.0KiB"},
		{"/chunked", "1KiB", "HTTP 200; body cut at 1.0KiB"},
	} {
		res := run(t, typ, "url: "+url+tt.path+"\nmax_body: "+tt.max+"\nexpect: [\"[BODY] =~ \\\"^\\\\\\\\{\\\"\"]")
		if res.Detail != tt.want || res.Status != api.StatusUp {
			t.Errorf("%s, max_body %s: %s %q %s", tt.path, tt.max, res.Status, res.Detail, conds(res))
		}
	}
	res := run(t, typ, "url: "+url+"/length\nmethod: HEAD\nexpect: [\"[BODY] == \\\"\\\"\"]")
	if res.Status != api.StatusUp {
		t.Errorf("HEAD: %s %q %s", res.Status, res.Detail, conds(res))
	}
}
