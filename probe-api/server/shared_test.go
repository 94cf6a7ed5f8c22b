package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/internal/testsvc"
)

// replica starts one server of a shared-mode pair on its own loopback port.
func replica(t *testing.T, cat *config.Catalogue, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(registry(t), cat, opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	return s, hs
}

// ownRedis is a client of its own for a replica that the test will cut off,
// as a killed process's connections would be.
func ownRedis(t *testing.T) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: testsvc.RedisAddr, DisableIdentity: true, MaxRetries: -1, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// hits is a target that records when each request for each path arrived.
// The first request for a path listed in hang waits until the target is
// closed; every other request answers at once.
type hits struct {
	mu   sync.Mutex
	at   map[string][]time.Time
	hang map[string]bool
	hit  chan string
	stop chan struct{}
	srv  *httptest.Server
}

func newHits(t *testing.T, hang ...string) *hits {
	h := &hits{at: map[string][]time.Time{}, hang: map[string]bool{}, hit: make(chan string, 16), stop: make(chan struct{})}
	for _, p := range hang {
		h.hang[p] = true
	}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.at[r.URL.Path] = append(h.at[r.URL.Path], time.Now())
		first := len(h.at[r.URL.Path]) == 1
		h.mu.Unlock()
		select {
		case h.hit <- r.URL.Path:
		default:
		}
		if first && h.hang[r.URL.Path] {
			select {
			case <-h.stop:
			case <-r.Context().Done():
			}
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(func() { close(h.stop); h.srv.Close() })
	return h
}

func (h *hits) times(path string) []time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Time(nil), h.at[path]...)
}

// TestHolderVanishes: replica A takes the run lock and is then cut off from
// Redis in the middle of its run, as if it were killed. Its lease is the
// probe's timeout plus a small margin, and replica B takes over as soon as
// it lapses: a request that arrived a second after A's answers up after
// about a second, never by running while A's lease holds; a request that
// arrived with A's has no time left to run and answers unknown at its own
// timeout, and the next request runs the check.
func TestHolderVanishes(t *testing.T) {
	const timeout = 2 * time.Second
	setup := func(t *testing.T) (tg *hits, a, b *httptest.Server, rdbA, rdb *redis.Client, prefix string) {
		rdb, prefix = testsvc.Redis(t)
		tg = newHits(t, "/slow")
		cat := catalogue(t, `probes:
  slow:
    type: http
    url: ${TARGET}/slow
    timeout: 2s
`, map[string]string{"TARGET": tg.srv.URL})
		rdbA = ownRedis(t)
		_, a = replica(t, cat, Options{Cache: time.Minute, Redis: rdbA, RedisPrefix: prefix})
		_, b = replica(t, cat, Options{Cache: time.Minute, Redis: rdb, RedisPrefix: prefix})
		return
	}
	type answer struct {
		res  api.Result
		took time.Duration
	}
	ask := func(t *testing.T, base string) <-chan answer {
		ch := make(chan answer, 1)
		go func() {
			start := time.Now()
			_, body, _ := post(t, nil, base+api.CheckPath("slow"), nil)
			ch <- answer{decode(t, body), time.Since(start)}
		}()
		return ch
	}

	t.Run("a later waiter takes over", func(t *testing.T) {
		tg, a, b, rdbA, rdb, prefix := setup(t)
		sentA := time.Now()
		fromA := ask(t, a.URL)
		<-tg.hit // A holds the lock and its run is at the target
		rdbA.Close()
		time.Sleep(time.Second)
		got := <-ask(t, b.URL)
		t.Logf("B: %v %+v", got.took, got.res)
		if got.res.Status != api.StatusUp {
			t.Errorf("B did not take over: %+v", got.res)
		}
		if got.took > timeout+time.Second {
			t.Errorf("B answered after %v; the probe's timeout is %v", got.took, timeout)
		}
		at := tg.times("/slow")
		if len(at) != 2 {
			t.Fatalf("target saw %d checks, want A's and B's", len(at))
		}
		if lease := at[1].Sub(sentA); lease < timeout {
			t.Errorf("B ran %v after A took the lock, inside A's lease", lease)
		}
		// B releases its lock just after answering.
		for end := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			keys, _ := rdb.Keys(context.Background(), prefix+"lock:*").Result()
			if len(keys) == 0 {
				break
			}
			if time.Now().After(end) {
				t.Errorf("B left its lock behind: %v", keys)
				break
			}
		}
		<-fromA
	})

	t.Run("a waiter without time left answers unknown", func(t *testing.T) {
		tg, a, b, rdbA, _, _ := setup(t)
		sentA := time.Now()
		fromA := ask(t, a.URL)
		<-tg.hit
		rdbA.Close()
		got := <-ask(t, b.URL)
		t.Logf("B: %v %+v", got.took, got.res)
		at := tg.times("/slow")
		switch {
		case got.res.Status == api.StatusUp && len(at) == 2:
			// B reached the server more than the lease margin after A
			// took the lock (a loaded machine), so it had time left.
			t.Logf("B arrived late enough to take over")
		case got.res.Status != api.StatusUnknown || !strings.Contains(got.res.Detail, "another replica"):
			t.Errorf("B: %+v", got.res)
		case len(at) != 1:
			t.Errorf("target saw %d checks, want A's alone", len(at))
		}
		if len(at) == 2 && at[1].Sub(sentA) < timeout {
			t.Errorf("B ran %v after A took the lock, inside A's lease", at[1].Sub(sentA))
		}
		if got.took > timeout+time.Second {
			t.Errorf("B answered after %v; the probe's timeout is %v", got.took, timeout)
		}
		<-fromA
		// A's lease has lapsed by now: the next request runs the check.
		if next := <-ask(t, b.URL); next.res.Status != api.StatusUp {
			t.Errorf("after the lease: %+v", next.res)
		}
	})
}

// TestOneCheckPerWindowAcrossReplicas sends 50 bursts of 300 concurrent
// requests, split between two replicas that share the real Redis, each
// burst for a probe of its own (so each burst is one cache window). Every
// probe's target must see exactly one check.
func TestOneCheckPerWindowAcrossReplicas(t *testing.T) {
	rdb, prefix := testsvc.Redis(t)
	tg := newHits(t)
	const bursts, size = 50, 300
	var src strings.Builder
	src.WriteString("probes:\n")
	for i := 0; i < bursts; i++ {
		fmt.Fprintf(&src, "  p%02d:\n    type: http\n    url: ${TARGET}/p%02d\n", i, i)
	}
	cat := catalogue(t, src.String(), map[string]string{"TARGET": tg.srv.URL})
	opts := Options{Cache: time.Minute, Redis: rdb, RedisPrefix: prefix}
	_, a := replica(t, cat, opts)
	_, b := replica(t, cat, opts)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: size}}
	defer client.CloseIdleConnections()
	// On a very slow machine, stop sending after 40s and judge the bursts
	// sent.
	deadline := time.Now().Add(40 * time.Second)
	sent := 0
	for ; sent < bursts && time.Now().Before(deadline); sent++ {
		i := sent
		id := fmt.Sprintf("p%02d", i)
		start := make(chan struct{})
		var wg sync.WaitGroup
		bad := make(chan string, size)
		for j := 0; j < size; j++ {
			base := a.URL
			if j%2 == 1 {
				base = b.URL
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, body, _ := post(t, client, base+api.CheckPath(id), nil)
				if r := decode(t, body); r.Status != api.StatusUp {
					bad <- string(body)
				}
			}()
		}
		close(start)
		wg.Wait()
		close(bad)
		for body := range bad {
			t.Fatalf("burst %d: %s", i, body)
		}
	}
	twice := 0
	for i := 0; i < sent; i++ {
		at := tg.times(fmt.Sprintf("/p%02d", i))
		if len(at) != 1 {
			twice++
			t.Errorf("burst %d: the target saw %d checks in one window", i, len(at))
		}
	}
	if sent < bursts/2 {
		t.Errorf("only %d of %d bursts were sent in 40s", sent, bursts)
	}
	t.Logf("%d of %d bursts reached the target more than once", twice, sent)
}
