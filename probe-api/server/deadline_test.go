package server

import (
	"strings"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
)

// TestQueuedCheckKeepsItsTimeout: with one concurrency slot, a check that
// waits for it spends its own timeout waiting, not a second one running.
// "hold" takes the slot and keeps it; "queued" (timeout 3s, a target that
// never answers) waits 2s for the slot and then has 1s left, so it answers
// after about 3s, not the 5s that a fresh timeout after the wait would take;
// "starved" (timeout 500ms) never gets the slot and answers unknown at its
// timeout. The bounds leave a second of margin for a loaded machine.
func TestQueuedCheckKeepsItsTimeout(t *testing.T) {
	hold := newTarget(t, true)
	silent := "http://" + probetest.Silent(t)
	cat := catalogue(t, `probes:
  hold:
    type: http
    url: ${HOLD}
    timeout: 30s
  queued:
    type: http
    url: ${SILENT}
    timeout: 3s
  starved:
    type: http
    url: ${SILENT}
    timeout: 500ms
`, map[string]string{"HOLD": hold.srv.URL, "SILENT": silent})
	_, hs := newServer(t, cat, Options{Concurrency: 1})
	held := make(chan struct{})
	go func() {
		defer close(held)
		post(t, nil, hs.URL+api.CheckPath("hold"), nil)
	}()
	<-hold.hit // the only slot is taken
	defer func() { close(hold.gate); <-held }()

	type answer struct {
		res  api.Result
		took time.Duration
	}
	ask := func(id string) <-chan answer {
		ch := make(chan answer, 1)
		go func() {
			start := time.Now()
			_, b, _ := post(t, nil, hs.URL+api.CheckPath(id), nil)
			ch <- answer{decode(t, b), time.Since(start)}
		}()
		return ch
	}
	starved := ask("starved")
	queued := ask("queued")

	s := <-starved
	if s.res.Status != api.StatusUnknown || !strings.Contains(s.res.Detail, "too many checks in flight") ||
		!strings.Contains(s.res.Detail, "no concurrency slot within its 500ms timeout") {
		t.Errorf("starved: %+v", s.res)
	}
	if s.took > 1500*time.Millisecond {
		t.Errorf("starved answered after %v; its timeout is 500ms", s.took)
	}

	time.Sleep(2*time.Second - s.took) // queued waits about 2s for the slot
	hold.gate <- struct{}{}            // hold's run ends and frees the slot

	q := <-queued
	t.Logf("queued: %v %+v", q.took, q.res)
	if q.took > 4*time.Second {
		t.Errorf("queued answered after %v; its timeout is 3s, the wait for a slot included", q.took)
	}
	if q.res.Status != api.StatusUnknown || !strings.Contains(q.res.Detail, "timed out after") ||
		!strings.Contains(q.res.Detail, "for a concurrency slot") || !strings.Contains(q.res.Detail, "3s timeout") {
		t.Errorf("queued: %+v", q.res)
	}
}
