package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/internal/testsvc"
)

// TestMethodNotAllowedSaysAllow is item 13 of issue 13: every 405 names the
// methods that would do, and /healthz and /metrics answer GET and HEAD
// only (a POST to /healthz used to ping Redis).
func TestMethodNotAllowedSaysAllow(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute})
	for _, tt := range []struct{ method, path, allow string }{
		{"POST", api.PathProbes, "GET, HEAD"},
		{"DELETE", api.PathProbes + "/web", "GET, HEAD"},
		{"GET", api.CheckPath("web"), "POST"},
		{"PUT", api.CheckPath("web"), "POST"},
		{"POST", api.PathHealth, "GET, HEAD"},
		{"PUT", api.PathHealth, "GET, HEAD"},
		{"POST", api.PathMetrics, "GET, HEAD"},
	} {
		req, _ := http.NewRequest(tt.method, hs.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), tt.allow)
		}
	}
	for _, path := range []string{api.PathProbes, api.PathHealth, api.PathMetrics} {
		resp, err := http.Head(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("HEAD %s: %d", path, resp.StatusCode)
		}
	}
	if tg.requests() != 0 {
		t.Errorf("the target saw %d checks", tg.requests())
	}
}

// TestHealthzPostDoesNotTouchRedis: in shared mode, refused methods reach
// no Redis command.
func TestHealthzPostDoesNotTouchRedis(t *testing.T) {
	rdb, _ := testsvc.Redis(t)
	cmds := &countingHook{}
	rdb.AddHook(cmds)
	_, hs := newServer(t, httpCatalogue(t, "http://127.0.0.1:1"), Options{Redis: rdb, RedisPrefix: "stepcheck:test:" + t.Name() + ":"})
	for range 20 {
		resp, err := http.Post(hs.URL+api.PathHealth, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := cmds.n.Load(); n != 0 {
		t.Errorf("20 POSTs to /healthz made %d Redis commands", n)
	}
	if resp, err := http.Get(hs.URL + api.PathHealth); err != nil || resp.StatusCode != 200 || cmds.n.Load() == 0 {
		t.Errorf("GET /healthz: %v %v, %d Redis commands: the hook counts nothing", resp, err, cmds.n.Load())
	}
}

// countingHook counts the commands one Redis client sends.
type countingHook struct{ n atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// TestBearerSchemeAnyCase: RFC 9110 makes the auth scheme case-insensitive.
func TestBearerSchemeAnyCase(t *testing.T) {
	tg := newTarget(t, false)
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute, Token: "tok-1"})
	for hdr, want := range map[string]int{"bearer tok-1": 200, "BEARER tok-1": 200, "Bearer  tok-1 ": 200,
		"Basic tok-1": 401, "Bearertok-1": 401, "bearer tok-2": 401, "bearer": 401} {
		if code, _, _ := post(t, nil, hs.URL+api.CheckPath("web"), map[string]string{"Authorization": hdr}); code != want {
			t.Errorf("Authorization %q: %d, want %d", hdr, code, want)
		}
	}
}

// TestMetricsToken: with a metrics token, /metrics is closed to everyone
// else, and the API's token does not open it.
func TestMetricsToken(t *testing.T) {
	_, hs := newServer(t, httpCatalogue(t, "http://127.0.0.1:1"), Options{Token: "api-tok", MetricsToken: "metrics-tok"})
	for hdr, want := range map[string]int{"": 401, "Bearer api-tok": 401, "Bearer metrics-tok": 200, "bearer metrics-tok": 200} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+api.PathMetrics, nil)
		if hdr != "" {
			req.Header.Set("Authorization", hdr)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("/metrics with %q: %d, want %d", hdr, resp.StatusCode, want)
		}
		if want == 401 && (strings.Contains(string(b), "stepcheck_") || strings.Contains(string(b), "metrics-tok")) {
			t.Errorf("a refused /metrics request got %q", b)
		}
	}
	// /healthz stays open for load balancers.
	if resp, err := http.Get(hs.URL + api.PathHealth); err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz: %v %v", resp, err)
	}
}
