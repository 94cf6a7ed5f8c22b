package pgcheck

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
	"github.com/stepcheck/stepcheck/probe-api/internal/testsvc"
)

func build(t *testing.T, typ *Type, dsn, fields string) *check.Probe {
	t.Helper()
	cat := probetest.Catalogue(t, "type: postgres\ndsn: ${DSN}\n"+fields, map[string]string{"DSN": dsn})
	r := check.NewRegistry()
	r.Add("postgres", typ)
	set, err := r.Build(cat)
	if err != nil {
		t.Fatalf("build:\n%v", err)
	}
	p, _ := set.Probe("p")
	return p
}

func value(t *testing.T, res api.Result, i int) string {
	t.Helper()
	if i >= len(res.Conditions) {
		t.Fatalf("no condition %d in %+v", i, res)
	}
	return res.Conditions[i].Result
}

func TestReady(t *testing.T) {
	dsn := testsvc.PostgresDSN(t, "test")
	typ := New()
	defer typ.Close()
	res, err := build(t, typ, dsn, "check: ready").Run(context.Background())
	if res.Status != api.StatusUp || err != nil || value(t, res, 0) != "[CONNECTED] (true) == true" {
		t.Fatalf("ready: %+v %v", res, err)
	}
	res, _ = build(t, typ, "postgres://postgres@"+probetest.ClosedAddr(t)+"/test?sslmode=disable", "check: ready").Run(context.Background())
	if res.Status != api.StatusDown || res.Detail != "connection refused" {
		t.Errorf("closed port: %s %q", res.Status, res.Detail)
	}
}

func TestConnections(t *testing.T) {
	conn := testsvc.Postgres(t, "postgres")
	var max int
	if err := conn.QueryRow(context.Background(), "SELECT current_setting('max_connections')::int").Scan(&max); err != nil {
		t.Fatal(err)
	}
	typ := New()
	defer typ.Close()
	p := build(t, typ, testsvc.PostgresDSN(t, "test"), "check: connections\nexpect: [\"[MAX] == "+strconv.Itoa(max)+"\", \"[USED] >= 2\", \"[USED_PCT] <= 100%\"]")
	res, err := p.Run(context.Background())
	if res.Status != api.StatusUp || err != nil {
		t.Fatalf("connections: %+v %v", res, err)
	}
	// The detail shows used of max, and the percentage follows from them.
	var used int
	var pct float64
	if _, err := fmtSscanf(res.Detail, &used, &max, &pct); err != nil {
		t.Fatalf("detail %q: %v", res.Detail, err)
	}
	if want := float64(int64(float64(used)/float64(max)*1000+0.5)) / 10; pct != want {
		t.Errorf("detail %q: percentage %v, want %v", res.Detail, pct, want)
	}
}

// fmtSscanf reads "U of M connections (P%)".
func fmtSscanf(s string, used, max *int, pct *float64) (int, error) {
	f := strings.Fields(strings.NewReplacer("(", "", "%)", "").Replace(s))
	if len(f) != 5 {
		return 0, strconv.ErrSyntax
	}
	var err error
	if *used, err = strconv.Atoi(f[0]); err != nil {
		return 0, err
	}
	if *max, err = strconv.Atoi(f[2]); err != nil {
		return 0, err
	}
	*pct, err = strconv.ParseFloat(f[4], 64)
	return 3, err
}

// eventually runs the probe until ok accepts the result, for states that
// build up inside PostgreSQL (a lock wait, a query's age) where there is no
// channel to wait on. It gives up after 10s.
func eventually(t *testing.T, p *check.Probe, ok func(api.Result) bool) api.Result {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := p.Run(context.Background())
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		if ok(res) {
			return res
		}
		if time.Now().After(deadline) {
			t.Fatalf("state never reached; last result %+v", res)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLongQueries(t *testing.T) {
	conn := testsvc.Postgres(t, "test")
	var sleeper int32
	if err := conn.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&sleeper); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "SELECT pg_sleep(30)")
		done <- err
	}()
	defer func() {
		cancel()
		<-done
	}()
	typ := New()
	defer typ.Close()
	dsn := testsvc.PostgresDSN(t, "test")
	p := build(t, typ, dsn, "check: long-queries\nolder_than: 200ms\nwarn: [\"[COUNT] == 0\"]")
	res := eventually(t, p, func(r api.Result) bool {
		return r.Status == api.StatusDegraded && strings.Contains(r.Detail, "(pid "+strconv.Itoa(int(sleeper))+")")
	})
	if !strings.HasPrefix(value(t, res, 0), "[COUNT] (") || strings.HasPrefix(value(t, res, 0), "[COUNT] (0)") {
		t.Errorf("count: %s", value(t, res, 0))
	}
	// Nothing has run for an hour.
	res, err := build(t, typ, dsn, "check: long-queries\nolder_than: 1h\nexpect: [\"[COUNT] == 0\", \"[LONGEST] >= 200ms\"]").Run(context.Background())
	if res.Status != api.StatusUp || err != nil {
		t.Errorf("older_than 1h: %+v %v", res, err)
	}
}

// TestLongQueriesCannotBeHidden: a session that names itself as the probe
// does (application_name stepcheck-probe) is still counted; only the
// probe's own backend, by its pid, is left out.
func TestLongQueriesCannotBeHidden(t *testing.T) {
	dsn := testsvc.PostgresDSN(t, "test")
	conn, err := pgx.Connect(context.Background(), dsn+"&application_name="+ApplicationName)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var hidden int32
	if err := conn.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&hidden); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "SELECT pg_sleep(30)")
		done <- err
	}()
	defer func() {
		cancel()
		<-done
	}()
	typ := New()
	defer typ.Close()
	p := build(t, typ, dsn, "check: long-queries\nolder_than: 200ms\nwarn: [\"[COUNT] == 0\"]")
	eventually(t, p, func(r api.Result) bool {
		return r.Status == api.StatusDegraded && strings.Contains(r.Detail, "(pid "+strconv.Itoa(int(hidden))+")")
	})
}

func TestBlockedLocks(t *testing.T) {
	ctx := context.Background()
	holder := testsvc.Postgres(t, "test")
	waiter := testsvc.Postgres(t, "test")
	var holderPID, waiterPID int32
	holder.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&holderPID)
	waiter.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&waiterPID)
	// An advisory lock leaves nothing behind in the database.
	key := time.Now().UnixNano()
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", key); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan error, 1)
	go func() {
		_, err := waiter.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", key)
		blocked <- err
	}()
	typ := New()
	defer typ.Close()
	p := build(t, typ, testsvc.PostgresDSN(t, "test"), "check: blocked-locks\nwarn: [\"[COUNT] == 0\"]")
	want := "pid " + strconv.Itoa(int(waiterPID)) + " blocked by pid " + strconv.Itoa(int(holderPID))
	res := eventually(t, p, func(r api.Result) bool { return strings.Contains(r.Detail, want) })
	if res.Status != api.StatusDegraded {
		t.Errorf("blocked: %+v", res)
	}
	res, _ = build(t, typ, testsvc.PostgresDSN(t, "test"), "check: blocked-locks\nexpect: [\"[BLOCKERS] =~ (^|,)"+strconv.Itoa(int(holderPID))+"(,|$)\"]").Run(ctx)
	if res.Status != api.StatusUp {
		t.Errorf("[BLOCKERS] does not name the holder: %+v", res)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-blocked; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

func TestStatementTimeout(t *testing.T) {
	typ := New()
	defer typ.Close()
	dsn := testsvc.PostgresDSN(t, "test")
	p := build(t, typ, dsn, "check: connections\ntimeout: 1500ms")
	if _, err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Another share of the same DSN and timeout gets the pool the check
	// opened.
	sh := typ.pools.Join(dsn + "\x00" + (1500 * time.Millisecond).String())
	defer sh.Release()
	pool, err := sh.Get(func() (*pgxpool.Pool, error) { return nil, errors.New("the check opened no pool") })
	if err != nil {
		t.Fatal(err)
	}
	var st, app string
	if err := pool.QueryRow(context.Background(), "SELECT current_setting('statement_timeout'), current_setting('application_name')").Scan(&st, &app); err != nil {
		t.Fatal(err)
	}
	if st != "1500ms" || app != ApplicationName {
		t.Errorf("statement_timeout = %q, application_name = %q", st, app)
	}
}

func TestSilentTargetReturnsAtDeadline(t *testing.T) {
	typ := New()
	defer typ.Close()
	p := build(t, typ, "postgres://postgres@"+probetest.Silent(t)+"/test?sslmode=disable", "check: ready\ntimeout: 300ms")
	start := time.Now()
	res, _ := p.Run(context.Background())
	if elapsed := time.Since(start); elapsed < 300*time.Millisecond || elapsed > 350*time.Millisecond {
		t.Errorf("returned after %v, want 300ms + at most 50ms", elapsed)
	}
	if res.Status != api.StatusDown || res.Detail != "timed out after 300ms" {
		t.Errorf("silent: %s %q", res.Status, res.Detail)
	}
}

// TestRedaction: a DSN's password, host and port, and the names of a
// database or role that does not exist, appear neither in the result nor in
// the logged error, in URL and key=value form.
func TestRedaction(t *testing.T) {
	testsvc.PostgresDSN(t, "test")
	const password = "Sup3r-Secret-Pw"
	typ := New()
	defer typ.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	for _, dsn := range []string{
		"postgres://postgres:" + password + "@" + probetest.ClosedAddr(t) + "/test?sslmode=disable",
		"postgres://postgres:" + password + "@127.0.0.1:5432/no_such_db_stepcheck?sslmode=disable",
		"host=127.0.0.1 port=5432 user=nobody_stepcheck password=" + password + " dbname=test sslmode=disable",
		"postgres://role_stepcheck_x@127.0.0.1:5432/test?sslmode=disable",
		"host=127.0.0.1 port=5432 user=postgres dbname=kv_db_stepcheck sslmode=disable",
	} {
		p := build(t, typ, dsn, "check: ready")
		res, err := p.Run(context.Background())
		if res.Status != api.StatusDown || err == nil {
			t.Fatalf("want a failure: %+v", res)
		}
		log.Warn("probe check failed", "detail", res.Detail, "err", err.Error())
		out := res.Detail
		for _, c := range res.Conditions {
			out += c.Result
		}
		for _, secret := range []string{password, dsn, "127.0.0.1", "5432", "nobody_stepcheck", "no_such_db_stepcheck", "role_stepcheck_x", "kv_db_stepcheck"} {
			if strings.Contains(out, secret) {
				t.Errorf("result shows %q: %+v", secret, res)
			}
		}
	}
	for _, secret := range []string{password, "127.0.0.1", ":5432", "nobody_stepcheck", "no_such_db_stepcheck", "role_stepcheck_x", "kv_db_stepcheck"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log shows %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "database does not exist") || !strings.Contains(logs.String(), "connection refused") ||
		!strings.Contains(logs.String(), `FATAL: role \"[redacted]\" does not exist`) {
		t.Errorf("log lost the cause:\n%s", logs.String())
	}
}
