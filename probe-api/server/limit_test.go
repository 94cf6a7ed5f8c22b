package server

import (
	"strconv"
	"testing"
	"time"
)

// TestLimiterBoundsClients: the limiter tracks at most its maximum of
// clients, however many addresses a flood brings, and a flood never resets
// the budget of a client that has spent it: only a client whose bucket has
// refilled, which a new bucket would equal, makes room for a new one.
func TestLimiterBoundsClients(t *testing.T) {
	const max, burst = 100, 3
	l := newLimiter(1, burst, max) // 1 request a second, 3 at once
	now := time.Unix(1_000_000, 0)
	spend := func(key string, at time.Time) {
		t.Helper()
		for i := 0; i < burst; i++ {
			if !l.allow(key, at) {
				t.Fatalf("%s: request %d of its burst refused", key, i+1)
			}
		}
		if l.allow(key, at) {
			t.Fatalf("%s: allowed past its burst", key)
		}
	}
	flood := func(prefix string, n int, at time.Time) (allowed int) {
		for i := 0; i < n; i++ {
			if l.allow(prefix+strconv.Itoa(i), at) {
				allowed++
			}
		}
		return allowed
	}

	spend("abuser", now)
	allowed := flood("a-", 200_000, now)
	if n := l.len(); n > max {
		t.Errorf("200,000 new addresses: %d clients tracked, want at most %d", n, max)
	}
	if l.allow("abuser", now) {
		t.Error("a flood of new addresses reset the abuser's budget")
	}
	// The flood's first addresses fill the table; the rest share one
	// bucket, as if they were one client.
	if allowed > max-1+burst {
		t.Errorf("the flood got %d requests through, want at most %d", allowed, max-1+burst)
	}

	// Ten seconds on, every bucket has refilled: new clients take the places
	// of the least recently seen, which lose nothing, up to the first client
	// that has spent from its bucket since (the abuser, again).
	later := now.Add(10 * time.Second)
	spend("abuser", later)
	if got := flood("b-", 1000, later); got < max-1 || got > max-1+burst {
		t.Errorf("after the refill %d of 1,000 new clients got a request through, want the %d places of the refilled and the shared %d", got, max-1, burst)
	}
	if n := l.len(); n > max {
		t.Errorf("%d clients tracked, want at most %d", n, max)
	}
	if l.allow("abuser", later) {
		t.Error("the abuser, recently seen and out of budget, was forgotten")
	}
	// A newcomer that took a place keeps its own bucket.
	// Two requests in a row: allow is not pure, each spends a token.
	first, second := l.allow("b-0", later.Add(time.Second)), l.allow("b-0", later.Add(time.Second))
	if !first || !second {
		t.Error("a tracked client lost its budget")
	}
}

// TestLimiterForgetsIdleClients: an idle client whose bucket has refilled
// is forgotten after limiterIdle; its memory goes, and it loses nothing.
func TestLimiterForgetsIdleClients(t *testing.T) {
	l := newLimiter(1, 2, 100)
	now := time.Unix(1_000_000, 0)
	for i := 0; i < 50; i++ {
		l.allow("c-"+strconv.Itoa(i), now)
	}
	l.allow("recent", now.Add(limiterIdle))
	l.allow("recent", now.Add(limiterIdle+2*time.Minute))
	if n := l.len(); n != 1 {
		t.Errorf("%d clients tracked after the idle ones went, want 1", n)
	}
}

// knows reports whether l keeps a bucket for key.
func (l *limiter) knows(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.clients[key]
	return ok
}
