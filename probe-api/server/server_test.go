package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
	"github.com/stepcheck/stepcheck/probe-api/internal/testsvc"
)

// target is a loopback HTTP target that counts connections and requests.
// When gate is set, each request signals hit and waits for release.
type target struct {
	srv   *httptest.Server
	conns *probetest.CountingListener
	hit   chan struct{}
	gate  chan struct{}
	mu    sync.Mutex
	reqs  int
}

func newTarget(t testing.TB, gated bool) *target {
	tg := &target{hit: make(chan struct{}, 1)}
	if gated {
		tg.gate = make(chan struct{})
	}
	tg.srv, tg.conns = probetest.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.mu.Lock()
		tg.reqs++
		tg.mu.Unlock()
		select {
		case tg.hit <- struct{}{}:
		default:
		}
		if tg.gate != nil {
			<-tg.gate
		}
		io.WriteString(w, `{"status":"ok"}`)
	}))
	return tg
}

func (tg *target) requests() int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.reqs
}

func catalogue(t testing.TB, src string, env map[string]string) *config.Catalogue {
	t.Helper()
	cat, err := config.Parse("probes.yaml", []byte(src), func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func httpCatalogue(t testing.TB, url string) *config.Catalogue {
	return catalogue(t, `probes:
  web:
    title: Web
    description: The web target.
    service: web
    type: http
    url: ${TARGET}/health
    expect: ["[STATUS] == 200", "[BODY].status == ok"]
    timeout: 5s
`, map[string]string{"TARGET": url})
}

// registry returns the built-in probe types, closed when the test ends
// (after the servers it built, whose cleanups come later and run first).
func registry(t testing.TB) *check.Registry {
	reg := builtin.New()
	t.Cleanup(func() { reg.Close() })
	return reg
}

func newServer(t *testing.T, cat *config.Catalogue, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	return newServerWith(t, registry(t), cat, opts)
}

func newServerWith(t *testing.T, reg *check.Registry, cat *config.Catalogue, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(reg, cat, opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return s, hs
}

func post(t *testing.T, c *http.Client, url string, hdr map[string]string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", url, err)
		return 0, nil, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func decode(t *testing.T, b []byte) api.Result {
	t.Helper()
	var r api.Result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return r
}

func TestCheckAndCache(t *testing.T) {
	tg := newTarget(t, false)
	s, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	code, b, hdr := post(t, nil, hs.URL+api.CheckPath("web"), nil)
	first := decode(t, b)
	if code != 200 || first.Status != api.StatusUp || first.ID != "web" || first.AgeMS != 0 || len(first.Conditions) != 2 {
		t.Fatalf("first check: %d %s", code, b)
	}
	if hdr.Get("Content-Type") != "application/json" || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", hdr)
	}
	_, b, _ = post(t, nil, hs.URL+api.CheckPath("web"), nil)
	second := decode(t, b)
	if second.CheckedAt != first.CheckedAt || second.AgeMS < 0 {
		t.Errorf("second check was not the cached one: %s", b)
	}
	if tg.requests() != 1 || total(s.m.cacheLocal) != 1 {
		t.Errorf("target saw %d requests, %v cache hits", tg.requests(), total(s.m.cacheLocal))
	}
}

func TestUncachedRunsEachTime(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: 0})
	for i := 0; i < 3; i++ {
		post(t, nil, hs.URL+api.CheckPath("web"), nil)
	}
	if tg.requests() != 3 {
		t.Errorf("cache window 0: target saw %d requests for 3 sequential checks", tg.requests())
	}
}

func TestListIsPublicOnly(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{})
	resp, err := http.Get(hs.URL + api.PathProbes)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var list api.ProbeList
	json.Unmarshal(b, &list)
	want := api.Probe{ID: "web", Title: "Web", Description: "The web target.", Service: "web", Type: "http"}
	if resp.StatusCode != 200 || len(list.Probes) != 1 || list.Probes[0] != want {
		t.Errorf("list: %d %s", resp.StatusCode, b)
	}
	if strings.Contains(string(b), tg.srv.URL) || strings.Contains(string(b), "127.0.0.1") || strings.Contains(string(b), "expect") {
		t.Errorf("list shows more than the public fields: %s", b)
	}
	one, err := http.Get(hs.URL + api.PathProbes + "/web")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(one.Body)
	one.Body.Close()
	var p api.Probe
	json.Unmarshal(b, &p)
	if one.StatusCode != 200 || p != want || strings.Contains(string(b), "127.0.0.1") {
		t.Errorf("GET one probe: %d %s", one.StatusCode, b)
	}
	if tg.conns.Count() != 0 {
		t.Errorf("listing contacted the target")
	}
}

func TestMethodsAndUnknownIDs(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	for _, tt := range []struct {
		method, path string
		code         int
		errCode      string
	}{
		{"POST", "/api/v1/probes/nope/check", 404, ENOTFOUND},
		{"POST", "/api/v1/probes/WEB/check", 404, ENOTFOUND},
		{"POST", "/api/v1/probes/web/check/extra", 404, ENOTFOUND},
		{"POST", "/api/v1/probes/web", 405, EMETHOD},
		{"GET", "/api/v1/probes/nope", 404, ENOTFOUND},
		{"POST", "/api/v2/probes/web/check", 404, ENOTFOUND},
		{"GET", "/api/v1/probes/web/check", 405, EMETHOD},
		{"PUT", "/api/v1/probes/web/check", 405, EMETHOD},
		{"POST", "/api/v1/probes", 405, EMETHOD},
	} {
		req, _ := http.NewRequest(tt.method, hs.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e api.Error
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != tt.code || e.Code != tt.errCode || e.Message == "" {
			t.Errorf("%s %s = %d %+v, want %d %s", tt.method, tt.path, resp.StatusCode, e, tt.code, tt.errCode)
		}
	}
	if tg.conns.Count() != 0 {
		t.Errorf("target saw %d connections for requests that named no probe", tg.conns.Count())
	}
}

// TestRequestsCannotChooseTargets sends everything a request could use to
// name another host, and counts connections at that host: there must be
// none, and the declared target sees exactly one check.
func TestRequestsCannotChooseTargets(t *testing.T) {
	tg := newTarget(t, false)
	other := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute, Rate: 0})
	otherURL := other.srv.URL
	otherHost := strings.TrimPrefix(otherURL, "http://")
	check := hs.URL + api.CheckPath("web")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	urls := []string{
		check + "?url=" + otherURL,
		check + "?target=" + otherHost + "&host=" + otherHost + "&dsn=postgres://" + otherHost,
		check + "/../../../" + otherHost,
		hs.URL + "/api/v1/probes/" + strings.ReplaceAll(otherURL, "/", "%2F") + "/check",
		hs.URL + "/api/v1/probes/web%2F..%2F" + otherHost + "/check",
		hs.URL + "/api/v1/probes/web/check/" + otherHost,
		hs.URL + "//" + otherHost + "/api/v1/probes/web/check",
	}
	for _, u := range urls {
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(`{"url":"`+otherURL+`","id":"web","addr":"`+otherHost+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		resp.Body.Close()
	}
	for _, h := range []string{"Host", "X-Forwarded-Host", "X-Forwarded-For", "Forwarded", "X-Original-URL", "X-Rewrite-URL", "X-Target", "Referer", "Origin"} {
		req, _ := http.NewRequest(http.MethodPost, check, strings.NewReader(`{"url":"`+otherURL+`"}`))
		val := otherHost
		switch h {
		case "Host":
			req.Host = otherHost
		case "Forwarded":
			val = "host=" + otherHost
		case "X-Original-URL", "X-Rewrite-URL", "Referer", "Origin":
			val = otherURL + "/health"
		}
		req.Header.Set(h, val)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		resp.Body.Close()
	}
	if n := other.conns.Count(); n != 0 {
		t.Errorf("a request reached the undeclared host: %d connections", n)
	}
	if n := tg.conns.Count(); n != 1 {
		t.Errorf("declared target saw %d connections, want 1", n)
	}
}

// TestThousandConcurrentRequestsOneConnection: 1,000 concurrent requests
// for one probe make exactly one connection to the target within a window.
func TestThousandConcurrentRequestsOneConnection(t *testing.T) {
	tg := newTarget(t, true)
	s, err := New(registry(t), httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var arrived atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		s.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() { hs.Close(); s.Close() })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}
	defer client.CloseIdleConnections()
	const n = 1000
	var wg sync.WaitGroup
	statuses := make(chan api.Status, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, b, _ := post(t, client, hs.URL+api.CheckPath("web"), nil)
			var r api.Result
			json.Unmarshal(b, &r)
			statuses <- r.Status
		}()
	}
	<-tg.hit // the one run has reached the target and is held there
	// Hold it until every request is being served, so that on a slow
	// machine the others join the run rather than arrive after it. There is
	// no event to wait on but the counter.
	for deadline := time.Now().Add(4 * time.Second); arrived.Load() < n && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(tg.gate)
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != api.StatusUp {
			t.Fatalf("a request got %q", st)
		}
	}
	if c, r := tg.conns.Count(), tg.requests(); c != 1 || r != 1 {
		t.Errorf("target saw %d connections and %d requests, want 1 and 1", c, r)
	}
	waited, cached := total(s.m.waitLocal), total(s.m.cacheLocal)
	if waited+cached != n-1 {
		t.Errorf("coalesced %v + cached %v, want %d in all", waited, cached, n-1)
	}
	t.Logf("%v requests joined the run in flight, %v were served from the cache", waited, cached)
}

// TestTwoReplicasShareRedis: two servers sharing the real Redis make one
// connection to the target between them for 1,000 concurrent requests.
func TestTwoReplicasShareRedis(t *testing.T) {
	rdb, prefix := testsvc.Redis(t)
	tg := newTarget(t, true)
	cat := httpCatalogue(t, tg.srv.URL)
	opts := Options{Cache: time.Minute, Redis: rdb, RedisPrefix: prefix}
	var arrived atomic.Int64
	replica := func() (*Server, *httptest.Server) {
		s, err := New(registry(t), cat, opts)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived.Add(1)
			s.Handler().ServeHTTP(w, r)
		}))
		t.Cleanup(func() { hs.Close(); s.Close() })
		return s, hs
	}
	a, hsA := replica()
	b, hsB := replica()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}
	defer client.CloseIdleConnections()
	const n = 1000
	var wg sync.WaitGroup
	fail := make(chan string, n)
	for i := 0; i < n; i++ {
		base := hsA.URL
		if i%2 == 1 {
			base = hsB.URL
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, body, _ := post(t, client, base+api.CheckPath("web"), nil)
			var r api.Result
			json.Unmarshal(body, &r)
			if r.Status != api.StatusUp {
				fail <- string(body)
			}
		}()
	}
	<-tg.hit
	// Hold the one run until every request is being served, so that on a
	// loaded machine the other replica's requests wait on the shared run
	// instead of arriving after it. The counter is the only signal.
	for deadline := time.Now().Add(4 * time.Second); arrived.Load() < n && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(tg.gate)
	wg.Wait()
	close(fail)
	for f := range fail {
		t.Fatalf("a request failed: %s", f)
	}
	if c, r := tg.conns.Count(), tg.requests(); c != 1 || r != 1 {
		t.Errorf("target saw %d connections and %d requests across two replicas, want 1 and 1", c, r)
	}
	runs := total(a.m.checks) + total(b.m.checks)
	fromRedis := total(a.m.waitShared) + total(a.m.cacheShared) + total(b.m.waitShared) + total(b.m.cacheShared)
	if runs != 1 || fromRedis != 1 {
		t.Errorf("runs %v, results taken from the other replica %v; want 1 and 1", runs, fromRedis)
	}
	// The audit's outcomes add up: one request ran the probe, every other
	// joined a run (here or on the other replica) or had a cached result.
	outcomes := func(how string) float64 {
		return total(a.m.requests.WithLabelValues("web", how)) + total(b.m.requests.WithLabelValues("web", how))
	}
	if ran, rest := outcomes(outcomeRan), outcomes(outcomeJoined)+outcomes(outcomeCached); ran != 1 || rest != n-1 {
		t.Errorf("requests: %v ran, %v joined or cached; want 1 and %d", ran, rest, n-1)
	}
	if keys, _ := rdb.Keys(context.Background(), prefix+"lock:*").Result(); len(keys) != 0 {
		t.Errorf("lock left behind: %v", keys)
	}
}

func TestRedisDownFallsBackToLocal(t *testing.T) {
	var logs probetest.LogBuffer
	rdb := redis.NewClient(&redis.Options{Addr: probetest.ClosedAddr(t), MaxRetries: -1, DisableIdentity: true})
	defer rdb.Close()
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute, Redis: rdb, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	for i := 0; i < 3; i++ {
		_, b, _ := post(t, nil, hs.URL+api.CheckPath("web"), nil)
		if r := decode(t, b); r.Status != api.StatusUp {
			t.Fatalf("check with Redis down: %s", b)
		}
	}
	if tg.requests() != 1 {
		t.Errorf("local cache not used: target saw %d requests", tg.requests())
	}
	resp, err := http.Get(hs.URL + api.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	var h health
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if resp.StatusCode != 200 || h.Cache != "local" || h.Redis != "down" || h.Note == "" {
		t.Errorf("healthz: %d %+v", resp.StatusCode, h)
	}
	if !strings.Contains(logs.String(), "shared cache unavailable") || strings.Contains(logs.String(), "127.0.0.1") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestHealthzShared(t *testing.T) {
	rdb, prefix := testsvc.Redis(t)
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Redis: rdb, RedisPrefix: prefix})
	resp, err := http.Get(hs.URL + api.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	var h health
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if h.Status != "ok" || h.Cache != "shared" || h.Redis != "up" || h.Probes != 1 {
		t.Errorf("healthz: %+v", h)
	}
}

// TestClientLeavingDoesNotCancelTheRun: the first client hangs up while
// the run is at the target; the run completes and serves the next client.
func TestClientLeavingDoesNotCancelTheRun(t *testing.T) {
	tg := newTarget(t, true)
	s, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	left := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+api.CheckPath("web"), nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		left <- err
	}()
	<-tg.hit
	cancel()
	if err := <-left; err == nil {
		t.Fatal("the first request was not cancelled")
	}
	close(tg.gate)
	_, b, _ := post(t, nil, hs.URL+api.CheckPath("web"), nil)
	if r := decode(t, b); r.Status != api.StatusUp {
		t.Errorf("after the first client left: %s", b)
	}
	if tg.requests() != 1 || total(s.m.checks) != 1 {
		t.Errorf("target saw %d requests, want 1", tg.requests())
	}
}

func TestSaturationIsUnknown(t *testing.T) {
	slow := newTarget(t, true)
	fast := newTarget(t, false)
	cat := catalogue(t, `probes:
  slow:
    type: http
    url: ${SLOW}
  fast:
    type: http
    url: ${FAST}
    timeout: 100ms
`, map[string]string{"SLOW": slow.srv.URL, "FAST": fast.srv.URL})
	_, hs := newServer(t, cat, Options{Concurrency: 1})
	done := make(chan struct{})
	go func() {
		post(t, nil, hs.URL+api.CheckPath("slow"), nil)
		close(done)
	}()
	<-slow.hit // the only slot is taken
	_, b, _ := post(t, nil, hs.URL+api.CheckPath("fast"), nil)
	close(slow.gate)
	<-done
	r := decode(t, b)
	if r.Status != api.StatusUnknown || !strings.Contains(r.Detail, "too many checks") {
		t.Errorf("saturated: %s", b)
	}
	if fast.conns.Count() != 0 {
		t.Errorf("a check that could not start reached its target")
	}
}

func TestCORS(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute, CORSOrigins: []string{"https://runbooks.example.com"}})
	check := hs.URL + api.CheckPath("web")

	code, _, hdr := post(t, nil, check, map[string]string{"Origin": "https://runbooks.example.com"})
	if code != 200 || hdr.Get("Access-Control-Allow-Origin") != "https://runbooks.example.com" || hdr.Get("Vary") != "Origin" {
		t.Errorf("allowed origin: %d %v", code, hdr)
	}
	code, _, hdr = post(t, nil, check, map[string]string{"Origin": "https://evil.example.net"})
	if code != 403 || hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin: %d %v", code, hdr)
	}
	code, _, _ = post(t, nil, check, map[string]string{"Origin": hs.URL})
	if code != 200 {
		t.Errorf("same origin: %d", code)
	}
	for origin, want := range map[string]int{"https://runbooks.example.com": 204, "https://evil.example.net": 403} {
		req, _ := http.NewRequest(http.MethodOptions, check, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || (want == 204 && resp.Header.Get("Access-Control-Allow-Methods") != "GET, POST") {
			t.Errorf("preflight from %s: %d %v", origin, resp.StatusCode, resp.Header)
		}
	}
	if tg.requests() != 1 {
		t.Errorf("target saw %d requests", tg.requests())
	}
}

func TestToken(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Token: "s3cret-token"})
	check := hs.URL + api.CheckPath("web")
	for hdr, want := range map[string]int{"": 401, "Bearer wrong": 401, "s3cret-token": 401, "Bearer s3cret-token": 200} {
		code, b, h := post(t, nil, check, map[string]string{"Authorization": hdr})
		if code != want {
			t.Errorf("Authorization %q: %d %s", hdr, code, b)
		}
		if code == 401 && (h.Get("WWW-Authenticate") == "" || strings.Contains(string(b), "s3cret")) {
			t.Errorf("401 response: %v %s", h, b)
		}
	}
	if resp, err := http.Get(hs.URL + api.PathHealth); err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz needs no token: %v", err)
	}
	if tg.requests() != 1 {
		t.Errorf("unauthorised requests reached the target: %d", tg.requests())
	}
}

func TestRateLimitPerClient(t *testing.T) {
	tg := newTarget(t, false)
	s, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute, Rate: 0.001, Burst: 2, ClientIPHeader: "X-Forwarded-For"})
	check := hs.URL + api.CheckPath("web")
	as := map[string]string{"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
	for i, want := range []int{200, 200, 429} {
		code, _, hdr := post(t, nil, check, as)
		if code != want {
			t.Errorf("request %d: %d, want %d", i, code, want)
		}
		if code == 429 && hdr.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
	}
	// Another client (the rightmost address is the one the proxy saw).
	if code, _, _ := post(t, nil, check, map[string]string{"X-Forwarded-For": "198.51.100.7, 198.51.100.8"}); code != 200 {
		t.Errorf("second client: %d", code)
	}
	if total(s.m.limited) != 1 {
		t.Errorf("rate-limited counter = %v", total(s.m.limited))
	}
}

func TestMetricsHideTargets(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	post(t, nil, hs.URL+api.CheckPath("web"), nil)
	post(t, nil, hs.URL+api.CheckPath("web"), nil)
	resp, err := http.Get(hs.URL + api.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(b)
	for _, want := range []string{
		`stepcheck_probe_checks_total{probe="web",status="up"} 1`,
		`stepcheck_probe_results_total{status="up"} 2`,
		`stepcheck_probe_cache_hits_total{cache="local"} 1`,
		`stepcheck_probe_coalesced_waits_total{scope="local"} 0`,
		`stepcheck_probe_check_duration_seconds_count{probe="web"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	port := tg.srv.URL[strings.LastIndexByte(tg.srv.URL, ':'):]
	if strings.Contains(text, tg.srv.URL) || strings.Contains(text, "/health\"") || strings.Contains(text, "127.0.0.1"+port) {
		t.Errorf("metrics show the target")
	}
}

// TestRedactionThroughServer: a failing postgres probe whose DSN carries a
// password shows neither in any response nor in the captured log.
func TestRedactionThroughServer(t *testing.T) {
	testsvc.PostgresDSN(t, "test")
	const password = "Pw-9f8e7d6c5b"
	dsn := "postgres://postgres:" + password + "@127.0.0.1:5432/stepcheck_no_such_db?sslmode=disable"
	cat := catalogue(t, "probes:\n  db:\n    type: postgres\n    dsn: ${DSN}\n    check: connections\n", map[string]string{"DSN": dsn})
	var logs probetest.LogBuffer
	_, hs := newServer(t, cat, Options{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	var out bytes.Buffer
	_, b, _ := post(t, nil, hs.URL+api.CheckPath("db"), nil)
	out.Write(b)
	if r := decode(t, b); r.Status != api.StatusDown || r.Detail != "postgres error 3D000 (database does not exist)" {
		t.Errorf("result: %s", b)
	}
	for _, path := range []string{api.PathProbes, api.PathHealth, api.PathMetrics} {
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&out, resp.Body)
		resp.Body.Close()
	}
	for _, secret := range []string{password, dsn, "127.0.0.1:5432", "postgres://"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("a response shows %q", secret)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log shows %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "probe check failed") {
		t.Errorf("failure not logged:\n%s", logs.String())
	}
}

func TestSetCatalogue(t *testing.T) {
	tg := newTarget(t, false)
	s, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	// Requests keep flowing while the catalogue is swapped.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				post(t, nil, hs.URL+api.CheckPath("web"), nil)
			}
		}()
	}
	next := catalogue(t, "probes:\n  port:\n    type: tcp\n    addr: ${ADDR}\n", map[string]string{"ADDR": strings.TrimPrefix(tg.srv.URL, "http://")})
	if err := s.SetCatalogue(next); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if code, _, _ := post(t, nil, hs.URL+api.CheckPath("web"), nil); code != 404 {
		t.Errorf("removed probe: %d", code)
	}
	if code, b, _ := post(t, nil, hs.URL+api.CheckPath("port"), nil); code != 200 || decode(t, b).Status != api.StatusUp {
		t.Errorf("new probe: %d %s", code, b)
	}
	bad := catalogue(t, "probes:\n  x:\n    type: nope\n", nil)
	if err := s.SetCatalogue(bad); err == nil {
		t.Error("SetCatalogue accepted an unknown type")
	}
	if code, _, _ := post(t, nil, hs.URL+api.CheckPath("port"), nil); code != 200 {
		t.Errorf("a failed swap lost the catalogue: %d", code)
	}
}

// total sums every counter and gauge sample a collector has.
func total(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 64)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	sum := 0.0
	for m := range ch {
		var pb dto.Metric
		m.Write(&pb)
		sum += pb.GetCounter().GetValue() + pb.GetGauge().GetValue()
	}
	return sum
}

func TestAfterCloseChecksAreUnknown(t *testing.T) {
	tg := newTarget(t, false)
	s, err := New(registry(t), httpCatalogue(t, tg.srv.URL), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+api.CheckPath("web"), nil))
	if r := decode(t, w.Body.Bytes()); r.Status != api.StatusUnknown || r.Detail != "probe server shutting down" {
		t.Errorf("after Close: %s", w.Body.String())
	}
	if tg.conns.Count() != 0 {
		t.Error("a check ran after Close")
	}
}
