package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
)

type auditLine struct {
	Msg, User, Client, Probe, Outcome, Status, Trigger string
}

func auditLines(t *testing.T, log string) []auditLine {
	t.Helper()
	var out []auditLine
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var l auditLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// TestAuditSaysWhoRanWhat: one JSON line per check request with the user
// from the header, the client, the probe and how it was answered; the
// counter has the same outcomes and never the user.
func TestAuditSaysWhoRanWhat(t *testing.T) {
	tg := newTarget(t, true)
	var log probetest.LogBuffer
	s, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{
		Cache: time.Minute, Rate: 0.001, Burst: 3, ClientIPHeader: "X-Forwarded-For",
		UserHeader: "X-Forwarded-User", Audit: slog.New(slog.NewJSONHandler(&log, nil)),
	})
	check := hs.URL + api.CheckPath("web")
	as := func(user, ip string) map[string]string {
		return map[string]string{"X-Forwarded-User": user, "X-Forwarded-For": ip}
	}
	// ada starts the run; bob joins it while the target holds it.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); post(t, nil, check, as("ada@example.com", "203.0.113.1")) }()
	<-tg.hit
	wg.Add(1)
	go func() { defer wg.Done(); post(t, nil, check, as("bob@example.com", "203.0.113.2")) }()
	// There is no event for joining a flight: wait until the limiter has
	// seen bob, which is microseconds before he joins, then a little more.
	waitFor(t, func() bool { return s.lim.knows("203.0.113.2") })
	time.Sleep(50 * time.Millisecond)
	close(tg.gate)
	wg.Wait()
	post(t, nil, check, as("ada@example.com", "203.0.113.1")) // cached
	post(t, nil, check, as("", "203.0.113.1"))                // anonymous, cached
	post(t, nil, check, as("ada@example.com", "203.0.113.1")) // limited: burst 3 spent
	// carol leaves before the answer.
	ctx, cancel := context.WithCancel(context.Background())
	s.cache.reset()
	tg.gate = make(chan struct{})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, check, nil)
	req.Header.Set("X-Forwarded-User", "carol")
	req.Header.Set("X-Forwarded-For", "203.0.113.3")
	done := make(chan struct{})
	go func() { defer close(done); http.DefaultClient.Do(req) }()
	<-tg.hit
	cancel()
	<-done
	waitFor(t, func() bool { return strings.Contains(log.String(), `"outcome":"gone"`) })
	close(tg.gate)

	lines := auditLines(t, log.String())
	got := map[string]int{}
	for _, l := range lines {
		if l.Msg != "check request" || l.Probe != "web" {
			t.Errorf("audit line %+v", l)
		}
		got[l.User+" "+l.Client+" "+l.Outcome+" "+l.Status]++
	}
	want := map[string]int{
		"ada@example.com 203.0.113.1 ran up":    1,
		"bob@example.com 203.0.113.2 joined up": 1,
		"ada@example.com 203.0.113.1 cached up": 1,
		"anonymous 203.0.113.1 cached up":       1,
		"ada@example.com 203.0.113.1 limited ":  1,
		"carol 203.0.113.3 gone ":               1,
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("audit: %d lines %q, want %d; all: %v", got[k], k, n, got)
		}
	}
	if len(lines) != 6 {
		t.Errorf("%d audit lines, want 6:\n%s", len(lines), log.String())
	}
	if strings.Contains(log.String(), tg.srv.URL[len("http://"):]) {
		t.Errorf("the audit names the target:\n%s", log.String())
	}
	text := metricText(t, hs)
	for _, w := range []string{
		`stepcheck_probe_requests_total{outcome="ran",probe="web"} 1`,
		`stepcheck_probe_requests_total{outcome="joined",probe="web"} 1`,
		`stepcheck_probe_requests_total{outcome="cached",probe="web"} 2`,
		`stepcheck_probe_requests_total{outcome="limited",probe="web"} 1`,
		`stepcheck_probe_requests_total{outcome="gone",probe="web"} 1`,
	} {
		if !strings.Contains(text, w) {
			t.Errorf("metrics lack %s", w)
		}
	}
	if strings.Contains(text, "ada@") || strings.Contains(text, "carol") {
		t.Error("a user reached the metrics")
	}
}

// TestAuditSaysWhatTriggeredACheck: the widgets' own checks (on open and
// on auto-refresh) say so, and the audit tells them from a tap; a query
// that says anything else is a tap, and never reaches the log as written.
func TestAuditSaysWhatTriggeredACheck(t *testing.T) {
	tg := newTarget(t, false)
	var log probetest.LogBuffer
	_, hs := newServer(t, httpCatalogue(t, tg.srv.URL), Options{Cache: time.Minute, Audit: slog.New(slog.NewJSONHandler(&log, nil))})
	check := hs.URL + api.CheckPath("web")
	for _, u := range []string{check + api.TriggerQuery, check, check + "?trigger=%3Cscript%3E", check + "?trigger=auto&trigger=tap"} {
		post(t, nil, u, nil)
	}
	var got []string
	for _, l := range auditLines(t, log.String()) {
		got = append(got, l.Trigger)
	}
	if strings.Join(got, " ") != "auto tap tap auto" {
		t.Errorf("triggers %v, want auto tap tap auto", got)
	}
	if strings.Contains(log.String(), "script") {
		t.Errorf("the query reached the log:\n%s", log.String())
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
	}
}

func metricText(t *testing.T, hs *httptest.Server) string {
	t.Helper()
	resp, err := http.Get(hs.URL + api.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestAuditUserIsSanitised: whatever a client puts in the header, the
// audit line is one line of printable text of bounded length.
func TestAuditUserIsSanitised(t *testing.T) {
	s := &Server{opts: Options{UserHeader: "X-Forwarded-User"}}
	for in, want := range map[string]string{
		"":                           "anonymous",
		"  ":                         "anonymous",
		"ada\r\n{\"user\":\"root\"}": "ada{\"user\":\"root\"}",
		"\x1b[31mred":                "[31mred",
		strings.Repeat("é", 100):     strings.Repeat("é", 64),
	} {
		r, _ := http.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("X-Forwarded-User", in)
		if got := s.user(r); got != want {
			t.Errorf("user(%q) = %q, want %q", in, got, want)
		}
	}
}
