package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
)

// AnswerSlack is how long past its probe's timeout a check request may take
// to answer, counted from the moment it arrives. Everything a request waits
// for comes out of the probe's timeout: a concurrency slot, the shared cache,
// another replica's run. A run that cannot start in time answers unknown and
// says what it waited for.
const AnswerSlack = 50 * time.Millisecond

const (
	// startSlack is how late a run may start and still have its whole
	// timeout. A run that starts later gets what is left until arrival +
	// timeout + startSlack, and the rest of AnswerSlack delivers the answer.
	startSlack = 25 * time.Millisecond
	// waitSlack bounds a wait for another replica's run past the timeout:
	// that replica's own run ends by its arrival + timeout + startSlack.
	waitSlack = 40 * time.Millisecond
	// guardSlack is when a request stops waiting for its flight at all.
	// Flights end by waitSlack; this only catches a Redis client that does
	// not honour its context's deadline.
	guardSlack = 45 * time.Millisecond
)

// How a check request was answered, in the audit log and in
// stepcheck_probe_requests_total.
const (
	outcomeRan     = "ran"     // this request started the run
	outcomeJoined  = "joined"  // it waited for a run in flight, here or on another replica
	outcomeCached  = "cached"  // a result of this cache window, local or shared
	outcomeLimited = "limited" // refused by the per-client rate limit
	outcomeGone    = "gone"    // the client left before the answer; the run went on
)

var (
	errSaturated = errors.New("concurrency limit reached")
	errGone      = errors.New("client gone")
	errNoTime    = errors.New("no time left in the timeout")
	errReloaded  = errors.New("catalogue reloaded")
)

// generation is one built catalogue and its users: the server while it is
// current (one reference), and each request and run holding a probe of it.
// The last to let go closes the set, which closes the pools that no newer
// catalogue shares, so no check in flight loses its pool to a reload.
type generation struct {
	set  *check.Set
	refs atomic.Int64
}

// acquire takes a reference, unless the set is already closed.
func (g *generation) acquire() bool {
	for {
		n := g.refs.Load()
		if n <= 0 {
			return false
		}
		if g.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release gives a reference back, and closes the set (off the caller's
// path: a pool's Close waits for its connections) after the last.
func (g *generation) release() {
	if g.refs.Add(-1) == 0 {
		go g.set.Close()
	}
}

// current returns the current generation, acquired. SetCatalogue stores a
// new generation before it releases the old, so the loop ends.
func (s *Server) current() *generation {
	for {
		if g := s.gen.Load(); g.acquire() {
			return g
		}
	}
}

// budget is the time one flight has: from the arrival of the request that
// started it, the probe's timeout.
type budget struct {
	arrived time.Time
	timeout time.Duration
}

// runBy is when the flight's run must have ended.
func (b budget) runBy() time.Time { return b.arrived.Add(b.timeout + startSlack) }

// waitBy is when the flight stops waiting for another replica's run.
func (b budget) waitBy() time.Time { return b.arrived.Add(b.timeout + waitSlack) }

// result answers one check request: from the local cache, or by joining the
// run in flight for the probe (singleflight), or by starting one. The run
// has the server's context, not the request's, so a client that leaves does
// not cancel it for the others; result then returns errGone. The answer
// comes within the probe's timeout plus AnswerSlack of the call. The
// outcome says how it was answered.
func (s *Server) result(ctx context.Context, g *generation, p *check.Probe) (e *entry, outcome string, err error) {
	arrived := time.Now()
	key := p.ID() + ":" + p.Fingerprint()
	if e, ok := s.cache.get(key, s.opts.Cache, arrived); ok {
		s.m.cacheLocal.Inc()
		return e, outcomeCached, nil
	}
	var ran atomic.Bool // set in the flight's goroutine
	b := budget{arrived: arrived, timeout: p.Timeout()}
	ch := s.flight.DoChan(key, func() (any, error) {
		ran.Store(true)
		e, how := s.run(g, p, key, b)
		return flown{e, how}, nil
	})
	guard := time.NewTimer(time.Until(arrived.Add(p.Timeout() + guardSlack)))
	defer guard.Stop()
	select {
	case r := <-ch:
		f := r.Val.(flown)
		if !ran.Load() {
			s.m.waitLocal.Inc()
			return f.e, outcomeJoined, nil
		}
		return f.e, f.how, nil
	case <-guard.C:
		s.log.Warn("probe check had no answer within its timeout", "probe", p.ID())
		res, _ := p.NotRun("no answer within its "+p.Timeout().String()+" timeout; try again", errNoTime)
		how := outcomeJoined
		if ran.Load() {
			how = outcomeRan
		}
		return newEntry(res), how, nil
	case <-ctx.Done():
		return nil, outcomeGone, errGone
	}
}

// flown is what a flight gives every request that shares it: the answer,
// and how the request that started the flight got it.
type flown struct {
	e   *entry
	how string
}

// run is the one run of a flight: through Redis in shared mode while Redis
// works, and locally otherwise. It says how the result was had: ran, or in
// shared mode cached or joined (another replica's).
func (s *Server) run(g *generation, p *check.Probe, key string, b budget) (*entry, string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		res, _ := p.NotRun("probe server shutting down", context.Canceled)
		return newEntry(res), outcomeRan
	}
	s.runs.Add(1)
	s.mu.Unlock()
	defer s.runs.Done()
	// The run keeps its catalogue open, whether or not its requests stay.
	// Only a request that left at once, just as a reload retired its
	// catalogue, can find it closed.
	if !g.acquire() {
		res, _ := p.NotRun("the probe catalogue was reloaded; try again", errReloaded)
		return newEntry(res), outcomeRan
	}
	defer g.release()
	ctx, cancel := context.WithDeadline(s.base, b.waitBy())
	defer cancel()
	waited := ""
	if s.shared != nil && s.shared.usable(time.Now()) {
		if e, how, ok := s.runShared(ctx, p, key, b); ok {
			return e, how
		}
		waited = "the shared cache" // which failed: run here, in what is left
	}
	res, ran := s.runLocal(ctx, p, b, waited)
	e := newEntry(res)
	if ran && s.opts.Cache > 0 {
		s.cache.put(key, e)
	}
	return e, outcomeRan
}

// leaseMargin is how long a run lock outlives the holder's run, so that the
// holder always stores its result and releases the lock before the lease
// lapses and a waiter on another replica takes over.
const leaseMargin = 250 * time.Millisecond

// runShared takes the result from Redis, or the lock and runs the probe, or
// waits for the replica holding the lock to announce its result. The lock's
// lease ends leaseMargin after the holder's run must end; a waiter whose
// holder vanished (killed, or cut off from Redis) takes the lock over as
// soon as the lease lapses, and runs the probe in what is left of its own
// budget. runShared reports false when Redis failed, and the caller should
// run the probe locally.
func (s *Server) runShared(ctx context.Context, p *check.Probe, key string, b budget) (*entry, string, bool) {
	sh := s.shared
	// Subscribe first, so that an announcement made after the lookups
	// below cannot be missed.
	sub, err := sh.subscribe(ctx, key)
	if err != nil {
		return nil, "", false
	}
	defer sub.close()
	// Redis reads do not watch for cancellation, only deadlines: closing the
	// subscription ends a wait when the server shuts down.
	defer context.AfterFunc(s.base, sub.close)()
	keep := func(res api.Result, how string) (*entry, string, bool) {
		e := newEntry(res)
		if s.opts.Cache > 0 {
			s.cache.put(key, e)
		}
		return e, how, true
	}
	waited := "the shared cache"
	for {
		res, ok, err := sh.get(ctx, key)
		if err != nil {
			return nil, "", false
		}
		if ok {
			s.m.cacheShared.Inc()
			return keep(res, outcomeCached)
		}
		if !time.Now().Before(b.runBy()) {
			res, _ := p.NotRun("another replica was running this check and did not answer within its "+p.Timeout().String()+" timeout; try again", errNoTime)
			return newEntry(res), outcomeJoined, true
		}
		token, left, err := sh.lock(ctx, key, time.Until(b.runBy())+leaseMargin)
		if err != nil {
			return nil, "", false
		}
		if token != "" {
			return s.runHolding(ctx, p, key, token, b, waited, keep)
		}
		// Another replica holds the lock: wait for its announcement, for
		// its lease to lapse, or for the end of the budget.
		until := time.Now().Add(left)
		if w := b.waitBy(); until.After(w) {
			until = w
		}
		res, heard, err := sub.wait(ctx, until)
		switch {
		case err != nil:
			return nil, "", false
		case heard == heardResult:
			s.m.waitShared.Inc()
			return keep(res, outcomeJoined)
		case heard == heardNothing && !time.Now().Before(b.waitBy()):
			res, _ := p.NotRun("another replica is running this check and did not answer within its "+p.Timeout().String()+" timeout; try again", errNoTime)
			return newEntry(res), outcomeJoined, true
		case heard == heardNothing:
			// The lease lapsed without a word: the holder is gone.
			waited = "another replica that stopped answering"
		}
	}
}

// runHolding runs the probe under the lock token and hands the result to
// Redis afterwards, without making the answer wait for it.
func (s *Server) runHolding(ctx context.Context, p *check.Probe, key, token string, b budget, waited string, keep func(api.Result, string) (*entry, string, bool)) (*entry, string, bool) {
	sh := s.shared
	// Read the result again: a run that ended between the lookup and the
	// lock stored its result in the transaction that released the lock.
	if s.opts.Cache > 0 {
		res, ok, err := sh.get(ctx, key)
		if err != nil {
			s.finishLater(key, token, nil, false)
			return nil, "", false
		}
		if ok {
			s.finishLater(key, token, &res, false)
			s.m.cacheShared.Inc()
			return keep(res, outcomeCached)
		}
	}
	res, ran := s.runLocal(ctx, p, b, waited)
	if !ran {
		// Nothing reached the target; another replica may do better.
		s.finishLater(key, token, nil, false)
		return newEntry(res), outcomeRan, true
	}
	s.finishLater(key, token, &res, true)
	return keep(res, outcomeRan)
}

// finishLater stores res when store is set, releases the lock and announces
// res, off the path of the answer and whatever the server's state: a server
// shutting down still releases its locks.
func (s *Server) finishLater(key, token string, res *api.Result, store bool) {
	window := s.opts.Cache
	if !store {
		window = 0
	}
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		s.shared.finish(context.Background(), key, token, res, window)
	}()
}

// runLocal runs the probe here, within the global concurrency limit, and
// reports whether it ran. The wait for a slot comes out of the budget: a run
// that gets no slot in time is unknown, and a run that got one too late for
// its whole timeout and then ran out of time is unknown too, because the
// target never had its full timeout to answer. waited says what the flight
// waited for before it asked for a slot, if anything.
func (s *Server) runLocal(ctx context.Context, p *check.Probe, b budget, waited string) (api.Result, bool) {
	asked := time.Now()
	var res api.Result
	var err error
	ran := false
	t := time.NewTimer(time.Until(b.runBy()))
	defer t.Stop()
	switch {
	case s.base.Err() != nil:
		res, err = p.NotRun("probe server shutting down", s.base.Err())
	case !asked.Before(b.runBy()):
		why := "no time left in its " + p.Timeout().String() + " timeout"
		if waited != "" {
			why += " after waiting for " + waited
		}
		res, err = p.NotRun(why+"; try again", errNoTime)
	default:
		select {
		case s.sem <- struct{}{}:
			start := time.Now()
			rctx, cancel := context.WithDeadline(ctx, b.runBy())
			res, err = p.Run(rctx)
			cut := errors.Is(rctx.Err(), context.DeadlineExceeded)
			stopped := errors.Is(rctx.Err(), context.Canceled) // by Close, not by us
			cancel()
			<-s.sem
			ran = true
			s.m.duration.WithLabelValues(p.ID()).Observe(time.Since(start).Seconds())
			switch {
			case stopped:
				// Cancelled by Close: that says nothing about the target.
				res, err = p.NotRun("probe server shutting down", s.base.Err())
				ran = false
			case cut && res.Status == api.StatusDown && start.Add(p.Timeout()).After(b.runBy()):
				res.Status = api.StatusUnknown
				res.Detail = lateDetail(time.Since(start), start.Sub(b.arrived), p.Timeout(), waited, start.Sub(asked))
			}
		case <-t.C:
			res, err = p.NotRun("too many checks in flight; try again shortly (no concurrency slot within its "+p.Timeout().String()+" timeout)", errSaturated)
		case <-s.base.Done():
			res, err = p.NotRun("probe server shutting down", s.base.Err())
		}
	}
	s.m.checks.WithLabelValues(p.ID(), string(res.Status)).Inc()
	attrs := []any{"probe", p.ID(), "type", p.Type(), "status", res.Status, "latency_ms", res.LatencyMS}
	if err != nil {
		s.log.Warn("probe check failed", append(attrs, "detail", res.Detail, "err", err.Error())...)
	} else {
		s.log.Info("probe checked", attrs...)
	}
	return res, ran
}

// lateDetail explains a run that started late and ran out of time: e.g.
// "timed out after 1s: it could start only 2s into its 3s timeout, having
// waited 2s for a concurrency slot".
func lateDetail(ran, late, timeout time.Duration, waited string, slot time.Duration) string {
	var why []string
	if before := late - slot; waited != "" && before >= time.Millisecond {
		why = append(why, short(before)+" for "+waited)
	}
	if slot >= time.Millisecond {
		why = append(why, short(slot)+" for a concurrency slot")
	}
	d := fmt.Sprintf("timed out after %s: it could start only %s into its %s timeout", short(ran), short(late), timeout)
	if len(why) > 0 {
		d += ", having waited " + strings.Join(why, " and ")
	}
	return d
}

// short rounds d for people: to the millisecond below a second, to 10 ms
// above.
func short(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}
