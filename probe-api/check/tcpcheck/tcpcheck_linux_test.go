package tcpcheck

import (
	"context"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
)

// A listener that never answers a SYN: the check returns at its deadline
// + 50 ms at most, as down.
func TestUnansweringTargetReturnsAtDeadline(t *testing.T) {
	p := probetest.Build(t, "tcp", New(), "addr: "+probetest.Unanswering(t)+"\ntimeout: 300ms")
	start := time.Now()
	res, err := p.Run(context.Background())
	elapsed := time.Since(start)
	if elapsed < 300*time.Millisecond || elapsed > 350*time.Millisecond {
		t.Errorf("returned after %v, want 300ms + at most 50ms", elapsed)
	}
	if res.Status != api.StatusDown || res.Detail != "timed out after 300ms" || err == nil {
		t.Errorf("unanswering target: %s %q %v", res.Status, res.Detail, err)
	}
}
