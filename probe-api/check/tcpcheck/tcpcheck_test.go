package tcpcheck

import (
	"context"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
)

func TestTCP(t *testing.T) {
	ln := &probetest.CountingListener{Listener: probetest.Listen(t)}
	defer ln.Close()
	accepted := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
		close(accepted)
	}()
	p := probetest.Build(t, "tcp", New(), "addr: "+ln.Addr().String()+"\nwarn: [\"[RESPONSE_TIME] < 10s\"]")
	res, err := p.Run(context.Background())
	<-accepted
	if res.Status != api.StatusUp || err != nil || ln.Count() != 1 {
		t.Fatalf("listening port: %s %q %v, %d connections", res.Status, res.Detail, err, ln.Count())
	}
	if res.Conditions[0].Result != "[CONNECTED] (true) == true" {
		t.Errorf("conditions = %+v", res.Conditions)
	}

	p = probetest.Build(t, "tcp", New(), "addr: "+probetest.ClosedAddr(t))
	res, err = p.Run(context.Background())
	if res.Status != api.StatusDown || res.Detail != "connection refused" || err == nil {
		t.Errorf("closed port: %s %q %v", res.Status, res.Detail, err)
	}
	if res.Conditions[0].Result != "[CONNECTED] (false) == true" {
		t.Errorf("conditions = %+v", res.Conditions)
	}
}

// A target that accepts and never answers: connecting is all a tcp check
// does, so it is up at once, well before the deadline.
func TestSilentTarget(t *testing.T) {
	p := probetest.Build(t, "tcp", New(), "addr: "+probetest.Silent(t)+"\ntimeout: 300ms")
	start := time.Now()
	res, _ := p.Run(context.Background())
	if elapsed := time.Since(start); res.Status != api.StatusUp || elapsed > 350*time.Millisecond {
		t.Errorf("silent listener: %s after %v", res.Status, elapsed)
	}
}

// A check that ignores its context still returns at the deadline + 50ms:
// the runner does not wait for it.
func TestRunnerEnforcesDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	stuck := check.TypeFunc(func(*config.Probe) (check.Checker, error) {
		return check.Func(func(context.Context) (*check.Observation, error) {
			<-release
			return check.NewObservation(), nil
		}), nil
	})
	p := probetest.Build(t, "stuck", stuck, "timeout: 200ms")
	start := time.Now()
	res, _ := p.Run(context.Background())
	elapsed := time.Since(start)
	if elapsed < 200*time.Millisecond || elapsed > 250*time.Millisecond {
		t.Errorf("returned after %v, want 200ms + at most 50ms", elapsed)
	}
	if res.Status != api.StatusDown || res.Detail != "timed out after 200ms" {
		t.Errorf("stuck check: %s %q", res.Status, res.Detail)
	}
}
