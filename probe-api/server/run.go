package server

import (
	"context"
	"errors"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
)

var (
	errSaturated = errors.New("concurrency limit reached")
	errGone      = errors.New("client gone")
)

// result answers one check request: from the local cache, or by joining the
// run in flight for the probe (singleflight), or by starting one. The run
// has the server's context, not the request's, so a client that leaves does
// not cancel it for the others; result then returns errGone.
func (s *Server) result(ctx context.Context, p *check.Probe) (*entry, error) {
	key := p.ID() + ":" + p.Fingerprint()
	if e, ok := s.cache.get(key, s.opts.Cache, time.Now()); ok {
		s.m.cacheLocal.Inc()
		return e, nil
	}
	ran := false
	ch := s.flight.DoChan(key, func() (any, error) {
		ran = true
		return s.run(p, key), nil
	})
	select {
	case r := <-ch:
		if !ran {
			s.m.waitLocal.Inc()
		}
		return r.Val.(*entry), nil
	case <-ctx.Done():
		return nil, errGone
	}
}

// run is the one run of a flight: through Redis in shared mode while Redis
// works, and locally otherwise.
func (s *Server) run(p *check.Probe, key string) *entry {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		res, _ := p.NotRun("probe server shutting down", context.Canceled)
		return newEntry(res)
	}
	s.runs.Add(1)
	s.mu.Unlock()
	defer s.runs.Done()
	if s.shared != nil && s.shared.usable(time.Now()) {
		if e, ok := s.runShared(s.base, p, key); ok {
			return e
		}
	}
	e := newEntry(s.runLocal(s.base, p))
	if s.opts.Cache > 0 {
		s.cache.put(key, e)
	}
	return e
}

// runShared takes the result from Redis, or the lock and runs the probe, or
// waits for the replica holding the lock to announce its result. It reports
// false when Redis failed, or the lock holder vanished, and the caller should
// run the probe locally.
func (s *Server) runShared(ctx context.Context, p *check.Probe, key string) (*entry, bool) {
	sh := s.shared
	// Subscribe first, so that an announcement made after the lookups
	// below cannot be missed.
	sub, err := sh.subscribe(ctx, key)
	if err != nil {
		return nil, false
	}
	defer sub.close()
	keep := func(res api.Result) *entry {
		e := newEntry(res)
		if s.opts.Cache > 0 {
			s.cache.put(key, e)
		}
		return e
	}
	res, ok, err := sh.get(ctx, key)
	if err != nil {
		return nil, false
	}
	if ok {
		s.m.cacheShared.Inc()
		return keep(res), true
	}
	// The lock outlives the longest a run can take: a wait for a
	// concurrency slot plus the check, each bounded by the timeout.
	ttl := 2*p.Timeout() + time.Second
	token, err := sh.lock(ctx, key, ttl)
	if err != nil {
		return nil, false
	}
	if token == "" {
		wctx, cancel := context.WithTimeout(ctx, ttl)
		defer cancel()
		res, ok := sub.wait(wctx)
		if !ok {
			return nil, false
		}
		s.m.waitShared.Inc()
		return keep(res), true
	}
	res = s.runLocal(ctx, p)
	sh.finish(ctx, key, token, res, s.opts.Cache)
	return keep(res), true
}

// runLocal runs the probe here, within the global concurrency limit. A run
// that gets no slot within the probe's timeout is unknown.
func (s *Server) runLocal(ctx context.Context, p *check.Probe) api.Result {
	t := time.NewTimer(p.Timeout())
	defer t.Stop()
	var res api.Result
	var err error
	select {
	case s.sem <- struct{}{}:
		start := time.Now()
		res, err = p.Run(ctx)
		<-s.sem
		s.m.duration.WithLabelValues(p.ID()).Observe(time.Since(start).Seconds())
	case <-t.C:
		res, err = p.NotRun("too many checks in flight; try again shortly", errSaturated)
	case <-ctx.Done():
		res, err = p.NotRun("probe server shutting down", ctx.Err())
	}
	s.m.checks.WithLabelValues(p.ID(), string(res.Status)).Inc()
	attrs := []any{"probe", p.ID(), "type", p.Type(), "status", res.Status, "latency_ms", res.LatencyMS}
	if err != nil {
		s.log.Warn("probe check failed", append(attrs, "detail", res.Detail, "err", err.Error())...)
	} else {
		s.log.Info("probe checked", attrs...)
	}
	return res
}
