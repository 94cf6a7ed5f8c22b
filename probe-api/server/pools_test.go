package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/check/pgcheck"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/internal/testsvc"
)

// TestReloadsClosePools edits the timeout of a postgres and a redis probe
// 20 times, checking both after each edit, as serve does on every save of
// probes.yaml. Each timeout is a pool of its own; the old ones must close.
// The probes log in as a PostgreSQL role and a Redis user made for this
// test, so that pg_stat_activity and CLIENT LIST count only their
// connections, whatever else runs.
func TestReloadsClosePools(t *testing.T) {
	pg := testsvc.Postgres(t, "test")
	rdb, _ := testsvc.Redis(t)
	ctx := context.Background()
	name := "stepcheck_reload_" + hexID()
	if _, err := pg.Exec(ctx, "CREATE ROLE "+name+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pg.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", name)
		pg.Exec(ctx, "DROP ROLE "+name)
	})
	if err := rdb.Do(ctx, "ACL", "SETUSER", name, "on", ">"+name, "~*", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Do(ctx, "ACL", "DELUSER", name) })
	pgConns := func() int {
		var n int
		if err := pg.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND application_name = $2", name, pgcheck.ApplicationName).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	redisConns := func() int {
		list, err := rdb.ClientList(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(list, " user="+name+" ")
	}
	// settle waits for closed connections to leave the server's lists.
	settle := func(most int, what string, count func() int) {
		t.Helper()
		n := count()
		for end := time.Now().Add(5 * time.Second); n > most && time.Now().Before(end); n = count() {
			time.Sleep(20 * time.Millisecond)
		}
		if n > most {
			t.Errorf("%s: %d connections open, want at most %d", what, n, most)
		}
	}
	cat := func(i int) *config.Catalogue {
		return catalogue(t, fmt.Sprintf(`probes:
  db:
    type: postgres
    dsn: postgres://%[1]s@127.0.0.1:5432/test?sslmode=disable
    check: ready
    timeout: %[2]dms
  cache:
    type: redis
    addr: 127.0.0.1:6379
    username: %[1]s
    password: ${PW}
    check: ping
    timeout: %[2]dms
`, name, 2000+i), map[string]string{"PW": name})
	}
	s, hs := newServer(t, cat(0), Options{})
	checkBoth := func(when string) {
		t.Helper()
		for _, id := range []string{"db", "cache"} {
			_, b, _ := post(t, nil, hs.URL+api.CheckPath(id), nil)
			if r := decode(t, b); r.Status != api.StatusUp {
				t.Fatalf("%s: %s: %s", when, id, b)
			}
		}
	}
	checkBoth("first catalogue")
	for i := 1; i <= 20; i++ {
		if err := s.SetCatalogue(cat(i)); err != nil {
			t.Fatal(err)
		}
		checkBoth(fmt.Sprintf("edit %d", i))
	}
	// One pool each is left, of at most 2 connections.
	settle(2, "PostgreSQL after 20 reloads", pgConns)
	settle(2, "Redis after 20 reloads", redisConns)
	// A catalogue that drops both closes both.
	if err := s.SetCatalogue(catalogue(t, "probes:\n  other:\n    type: tcp\n    addr: 127.0.0.1:1\n", nil)); err != nil {
		t.Fatal(err)
	}
	post(t, nil, hs.URL+api.CheckPath("other"), nil)
	settle(0, "PostgreSQL after the probes went", pgConns)
	settle(0, "Redis after the probes went", redisConns)
}

// TestReloadKeepsInFlightChecks: a reload during a check closes nothing
// that check uses; the old catalogue's checker closes once the check ends,
// and one the new catalogue shares stays open.
func TestReloadKeepsInFlightChecks(t *testing.T) {
	typ := &closingType{release: make(chan struct{}), started: make(chan string, 4)}
	reg := builtin.New()
	reg.Add("fake", typ)
	defer reg.Close()
	src := func(timeout string) *config.Catalogue {
		return catalogue(t, "probes:\n  slow:\n    type: fake\n    timeout: "+timeout+"\n  same:\n    type: fake\n", nil)
	}
	s, hs := newServerWith(t, reg, src("5s"), Options{})
	done := make(chan api.Result, 1)
	go func() {
		_, b, _ := post(t, nil, hs.URL+api.CheckPath("slow"), nil)
		done <- decode(t, b)
	}()
	<-typ.started // the check is running on the first catalogue's checker
	if err := s.SetCatalogue(src("4s")); err != nil {
		t.Fatal(err)
	}
	if n := typ.closedCount(); n != 0 {
		t.Errorf("the reload closed %d checkers while a check ran", n)
	}
	close(typ.release)
	if r := <-done; r.Status != api.StatusUp {
		t.Errorf("the check in flight during the reload: %+v", r)
	}
	// The old catalogue closes once its last user lets go (off the
	// request's path); both of its checkers close, the new ones stay.
	for end := time.Now().Add(5 * time.Second); typ.closedCount() < 2 && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	if n, built := typ.closedCount(), typ.builtCount(); n != 2 || built != 4 {
		t.Errorf("after the check: %d of %d checkers closed, want the old catalogue's 2 of 4", n, built)
	}
	_, b, _ := post(t, nil, hs.URL+api.CheckPath("same"), nil)
	if r := decode(t, b); r.Status != api.StatusUp {
		t.Errorf("the new catalogue: %s", b)
	}
}

// closingType is a probe type whose checkers record being closed. Each
// check signals started and, for probe "slow", waits for release; it fails
// if its checker was closed before it ended.
type closingType struct {
	release chan struct{}
	started chan string
	mu      sync.Mutex
	built   int
	closed  int
}

func (c *closingType) Fields() config.Schema { return nil }

func (c *closingType) New(p *config.Probe) (check.Checker, error) {
	c.mu.Lock()
	c.built++
	c.mu.Unlock()
	return &closingChecker{t: c, id: p.ID}, nil
}

func (c *closingType) closedCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *closingType) builtCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.built
}

type closingChecker struct {
	t      *closingType
	id     string
	closed atomic.Bool
}

var _ check.Checker = (*closingChecker)(nil)

func (c *closingChecker) Check(ctx context.Context) (*check.Observation, error) {
	c.t.started <- c.id
	if c.id == "slow" {
		<-c.t.release
	}
	if c.closed.Load() {
		return nil, errors.New("checker closed during its check")
	}
	return check.NewObservation(), nil
}

func (c *closingChecker) Close() error {
	if c.closed.Swap(true) {
		return errors.New("closed twice")
	}
	c.t.mu.Lock()
	c.t.closed++
	c.t.mu.Unlock()
	return nil
}

func hexID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
