package redischeck

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
	"github.com/stepcheck/stepcheck/probe-api/internal/testsvc"
)

func results(res api.Result) string {
	var s []string
	for _, c := range res.Conditions {
		s = append(s, c.Result)
	}
	return strings.Join(s, " | ")
}

func TestPing(t *testing.T) {
	testsvc.Redis(t)
	typ := New()
	defer typ.Close()
	res, err := probetest.Build(t, "redis", typ, "addr: "+testsvc.RedisAddr+"\ncheck: ping").Run(context.Background())
	if res.Status != api.StatusUp || err != nil || res.Detail != "PONG" {
		t.Fatalf("ping: %+v %v", res, err)
	}
	res, _ = probetest.Build(t, "redis", typ, "addr: "+probetest.ClosedAddr(t)+"\ncheck: ping").Run(context.Background())
	if res.Status != api.StatusDown || res.Detail != "connection refused" || results(res) != "[CONNECTED] (false) == true" {
		t.Errorf("closed port: %+v", res)
	}
}

func TestInfo(t *testing.T) {
	rdb, prefix := testsvc.Redis(t)
	ctx := context.Background()
	// One hit and one miss, so the hit rate exists, and a key, so the
	// keyspace has one.
	rdb.Set(ctx, prefix+"k", "v", time.Minute)
	rdb.Get(ctx, prefix+"k")
	rdb.Get(ctx, prefix+"missing")
	typ := New()
	defer typ.Close()
	p := probetest.Build(t, "redis", typ, "addr: "+testsvc.RedisAddr+"\ncheck: info\nexpect:\n"+
		"  - \"[USED_MEMORY] > 0\"\n  - \"[CONNECTED_CLIENTS] >= 1\"\n  - \"[KEYS] >= 1\"\n"+
		"  - \"[HIT_RATE] > 0%\"\n  - \"[HIT_RATE] < 100%\"\n  - \"[EVICTED_KEYS] >= 0\"")
	res, err := p.Run(ctx)
	if res.Status != api.StatusUp || err != nil {
		t.Fatalf("info: %s %v\n%s", res.Status, err, results(res))
	}
	for _, part := range []string{"memory ", "clients", "hit rate ", "keys"} {
		if !strings.Contains(res.Detail, part) {
			t.Errorf("detail %q lacks %q", res.Detail, part)
		}
	}
	// This server has no maxmemory, so there is no percentage, and a
	// condition on it fails rather than reading zero.
	maxmem, err := rdb.ConfigGet(ctx, "maxmemory").Result()
	if err != nil {
		t.Fatal(err)
	}
	if maxmem["maxmemory"] == "0" {
		res, _ = probetest.Build(t, "redis", typ, "addr: "+testsvc.RedisAddr+"\ncheck: info\nwarn: [\"[USED_MEMORY_PCT] < 90%\"]").Run(ctx)
		if res.Status != api.StatusDegraded || results(res) != "[USED_MEMORY_PCT] (missing) < 90%" {
			t.Errorf("no maxmemory: %s %s", res.Status, results(res))
		}
	}
	// section narrows INFO to one section.
	res, _ = probetest.Build(t, "redis", typ, "addr: "+testsvc.RedisAddr+"\ncheck: info\nsection: clients\nexpect: [\"[CONNECTED_CLIENTS] >= 1\", \"[USED_MEMORY] > 0\"]").Run(ctx)
	if results(res) != "[CONNECTED_CLIENTS] ("+strings.Fields(res.Detail)[0]+") >= 1 | [USED_MEMORY] (missing) > 0" {
		t.Errorf("section clients: %s", results(res))
	}
}

func TestReadInfo(t *testing.T) {
	obs := check.NewObservation()
	readInfo("# Memory\r\nused_memory:1048576\r\nmaxmemory:4194304\r\n# Stats\r\nkeyspace_hits:3\r\nkeyspace_misses:1\r\n# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\ndb3:keys=5,expires=1,avg_ttl=9\r\n", obs)
	for name, want := range map[string]string{"USED_MEMORY": "1.0MiB", "MAXMEMORY": "4.0MiB", "USED_MEMORY_PCT": "25%", "HIT_RATE": "75%", "KEYS": "7"} {
		if v, ok := obs.Get(name); !ok || v.String() != want {
			t.Errorf("%s = %v, want %s", name, v, want)
		}
	}
}

func TestSilentTargetReturnsAtDeadline(t *testing.T) {
	typ := New()
	defer typ.Close()
	p := probetest.Build(t, "redis", typ, "addr: "+probetest.Silent(t)+"\ncheck: ping\ntimeout: 300ms")
	start := time.Now()
	res, _ := p.Run(context.Background())
	if elapsed := time.Since(start); elapsed < 300*time.Millisecond || elapsed > 350*time.Millisecond {
		t.Errorf("returned after %v, want 300ms + at most 50ms", elapsed)
	}
	if res.Status != api.StatusDown || res.Detail != "timed out after 300ms" {
		t.Errorf("silent: %s %q", res.Status, res.Detail)
	}
}
