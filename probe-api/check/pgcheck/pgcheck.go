// Package pgcheck is the postgres probe type (pgx/v5). Each DSN gets one
// small long-lived pool (at most 2 connections, application_name
// stepcheck-probe), and every query runs under statement_timeout equal to the
// probe's timeout as well as the check's deadline.
//
// The checks, and the variables their conditions may use:
//
//	ready          [CONNECTED] [RESPONSE_TIME]             like pg_isready; adds expect [CONNECTED] == true
//	connections    [USED] [MAX] [USED_PCT] [RESPONSE_TIME]  client backends against max_connections
//	long-queries   [COUNT] [LONGEST] [RESPONSE_TIME]        active queries older than older_than (default 1m), but its own
//	blocked-locks  [COUNT] [BLOCKERS] [RESPONSE_TIME]       backends waiting on a lock, and the pids blocking them
//
// Other sessions' activity is visible only to a role with pg_read_all_stats
// (for example a member of pg_monitor); give the probe's role that.
package pgcheck

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/internal/share"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// DefaultOlderThan is the default of older_than for long-queries.
const DefaultOlderThan = time.Minute

// ApplicationName is the application_name of the probe's connections, so a
// DBA can tell them apart. Checks never trust it: anyone can set it, so
// long-queries leaves out only the backend running its own query, by
// pg_backend_pid().
const ApplicationName = "stepcheck-probe"

// Type builds postgres checkers and owns their pools, one per DSN and
// timeout, shared by the checkers with that pair. A pool opens on first use
// and closes when the last checker sharing it is closed (when a reloaded
// catalogue no longer has it), or at Close. Type is safe for concurrent use.
type Type struct {
	pools *share.Pools[*pgxpool.Pool]
}

var _ check.Type = (*Type)(nil)

// New returns a Type with no pools yet.
func New() *Type {
	return &Type{pools: share.New(func(p *pgxpool.Pool) error { p.Close(); return nil })}
}

// Close closes every pool. Checks after Close fail.
func (t *Type) Close() error { return t.pools.Close() }

type query func(ctx context.Context, c *checker, pool *pgxpool.Pool, obs *check.Observation) error

var checks = map[string]struct {
	vars []string
	run  query
}{
	"ready":         {[]string{"CONNECTED", "RESPONSE_TIME"}, ready},
	"connections":   {[]string{"USED", "MAX", "USED_PCT", "RESPONSE_TIME"}, connections},
	"long-queries":  {[]string{"COUNT", "LONGEST", "RESPONSE_TIME"}, longQueries},
	"blocked-locks": {[]string{"COUNT", "BLOCKERS", "RESPONSE_TIME"}, blockedLocks},
}

// Fields are the fields a postgres probe has.
func (t *Type) Fields() config.Schema {
	return config.Schema{"dsn": config.DSN, "check": config.Text, "older_than": config.Duration}
}

// New validates p and returns its Checker. It needs dsn and check (ready,
// connections, long-queries or blocked-locks) and takes older_than for
// long-queries. It parses the DSN but does not connect.
func (t *Type) New(p *config.Probe) (check.Checker, error) {
	name := p.Text("check")
	allowed := []string{"dsn", "check"}
	if name == "long-queries" {
		allowed = append(allowed, "older_than")
	}
	if err := errors.Join(p.Require("dsn", "check"), p.Only(allowed...)); err != nil {
		return nil, err
	}
	kind, ok := checks[name]
	if !ok {
		return nil, p.FieldErr(config.ErrInvalid, "check", "must be ready, connections, long-queries or blocked-locks")
	}
	if err := p.RequireVarsOf("check "+name, kind.vars...); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(p.Text("dsn"))
	if err != nil {
		return nil, p.FieldErr(config.ErrInvalid, "dsn", "not a valid PostgreSQL connection string")
	}
	cfg.MaxConns = 2
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = time.Minute
	cfg.ConnConfig.ConnectTimeout = p.Timeout
	cfg.ConnConfig.RuntimeParams["application_name"] = ApplicationName
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(p.Timeout.Milliseconds(), 10)
	olderThan := p.Duration("older_than")
	if olderThan == 0 {
		olderThan = DefaultOlderThan
	}
	share := t.pools.Join(p.Text("dsn") + "\x00" + p.Timeout.String())
	return &checker{share: share, cfg: cfg, run: kind.run, check: name, olderThan: olderThan}, nil
}

// pool returns the pool for c's DSN, creating it on first use.
func (c *checker) pool() (*pgxpool.Pool, error) {
	pool, err := c.share.Get(func() (*pgxpool.Pool, error) {
		return pgxpool.NewWithConfig(context.Background(), c.cfg.Copy())
	})
	switch {
	case errors.Is(err, share.ErrClosed):
		return nil, check.Safe("probe server shutting down", check.ErrNotRun)
	case errors.Is(err, share.ErrReleased):
		return nil, check.Safe("probe replaced by a reloaded catalogue", check.ErrNotRun)
	}
	return pool, err
}

// Close gives up c's share in its pool, and closes the pool if c was the
// last to share it. It must not be called while c runs a check; a second
// call does nothing.
func (c *checker) Close() error { return c.share.Release() }

type checker struct {
	share     *share.Share[*pgxpool.Pool]
	cfg       *pgxpool.Config
	run       query
	check     string
	olderThan time.Duration
}

func (c *checker) Defaults() (expect, warn []string) {
	if c.check == "ready" {
		return []string{"[CONNECTED] == true"}, nil
	}
	return nil, nil
}

func (c *checker) Check(ctx context.Context) (*check.Observation, error) {
	obs := check.NewObservation()
	pool, err := c.pool()
	if err != nil {
		return obs, err
	}
	start := time.Now()
	if err := c.run(ctx, c, pool, obs); err != nil {
		return obs, describe(err)
	}
	obs.Set("RESPONSE_TIME", condition.Duration(time.Since(start)))
	return obs, nil
}

func ready(ctx context.Context, _ *checker, pool *pgxpool.Pool, obs *check.Observation) error {
	if err := pool.Ping(ctx); err != nil {
		obs.Set("CONNECTED", condition.Bool(false))
		return err
	}
	obs.Set("CONNECTED", condition.Bool(true))
	obs.Detail = "accepting connections"
	return nil
}

func connections(ctx context.Context, _ *checker, pool *pgxpool.Pool, obs *check.Observation) error {
	var used, max int64
	err := pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
		current_setting('max_connections')::int`).Scan(&used, &max)
	if err != nil {
		return err
	}
	pct := 0.0
	if max > 0 {
		pct = float64(int64(float64(used)/float64(max)*1000+0.5)) / 10
	}
	obs.Set("USED", condition.Number(float64(used))).
		Set("MAX", condition.Number(float64(max))).
		Set("USED_PCT", condition.Percent(pct))
	obs.Detail = strconv.FormatInt(used, 10) + " of " + strconv.FormatInt(max, 10) + " connections (" + condition.Percent(pct).String() + ")"
	return nil
}

func longQueries(ctx context.Context, c *checker, pool *pgxpool.Pool, obs *check.Observation) error {
	var count int64
	var longest float64
	var pid *int32
	err := pool.QueryRow(ctx, `SELECT
		count(*) FILTER (WHERE now() - query_start > make_interval(secs => $1)),
		coalesce(extract(epoch FROM max(now() - query_start)), 0)::float8,
		(array_agg(pid ORDER BY query_start))[1]
		FROM pg_stat_activity
		WHERE state = 'active' AND backend_type = 'client backend'
		AND pid <> pg_backend_pid() AND query_start IS NOT NULL`,
		c.olderThan.Seconds()).Scan(&count, &longest, &pid)
	if err != nil {
		return err
	}
	longestD := time.Duration(longest * float64(time.Second)).Round(time.Millisecond)
	obs.Set("COUNT", condition.Number(float64(count))).Set("LONGEST", condition.Duration(longestD))
	obs.Detail = strconv.FormatInt(count, 10) + " active for more than " + c.olderThan.String()
	if pid != nil {
		obs.Detail += "; longest " + condition.Duration(longestD).String() + " (pid " + strconv.Itoa(int(*pid)) + ")"
	}
	return nil
}

func blockedLocks(ctx context.Context, _ *checker, pool *pgxpool.Pool, obs *check.Observation) error {
	rows, err := pool.Query(ctx, `SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity
		WHERE cardinality(pg_blocking_pids(pid)) > 0 ORDER BY pid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var parts []string
	blockers := map[int32]bool{}
	count := 0
	for rows.Next() {
		var pid int32
		var by []int32
		if err := rows.Scan(&pid, &by); err != nil {
			return err
		}
		count++
		names := make([]string, len(by))
		for i, b := range by {
			blockers[b] = true
			names[i] = strconv.Itoa(int(b))
		}
		if len(parts) < 5 {
			parts = append(parts, "pid "+strconv.Itoa(int(pid))+" blocked by pid "+strings.Join(names, ", "))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	list := make([]int, 0, len(blockers))
	for b := range blockers {
		list = append(list, int(b))
	}
	sort.Ints(list)
	ids := make([]string, len(list))
	for i, b := range list {
		ids[i] = strconv.Itoa(b)
	}
	obs.Set("COUNT", condition.Number(float64(count))).Set("BLOCKERS", condition.String(strings.Join(ids, ",")))
	obs.Detail = strconv.Itoa(count) + " blocked"
	if len(parts) > 0 {
		obs.Detail += ": " + strings.Join(parts, "; ")
		if count > len(parts) {
			obs.Detail += "; …"
		}
	}
	return nil
}

// sqlStates names the SQLSTATEs worth telling a responder about.
var sqlStates = map[string]string{
	"28P01": "authentication failed",
	"28000": "role not allowed to connect",
	"3D000": "database does not exist",
	"53300": "too many connections",
	"57014": "query cancelled by statement_timeout",
	"57P01": "server shutting down",
	"57P03": "server starting up or in recovery",
	"42501": "permission denied",
}

// describe wraps a server error so the result can say what it was without
// its message, which may name users, databases or tables.
func describe(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		msg := "postgres error " + pg.Code
		if s, ok := sqlStates[pg.Code]; ok {
			msg += " (" + s + ")"
		}
		return check.Safe(msg, err)
	}
	return err
}
