// Package redischeck is the redis probe type (go-redis/v9). Each address and
// credential pair gets one small long-lived client.
//
// The checks, and the variables their conditions may use:
//
//	ping  [CONNECTED] [RESPONSE_TIME]; adds expect [CONNECTED] == true
//	info  [USED_MEMORY] [MAXMEMORY] [USED_MEMORY_PCT] [CONNECTED_CLIENTS]
//	      [HIT_RATE] [KEYS] [EVICTED_KEYS] [REJECTED_CONNECTIONS] [RESPONSE_TIME]
//
// info reads the INFO sections memory, clients, stats and keyspace, or only
// the one named by section. [USED_MEMORY_PCT] exists only when maxmemory is
// set, and [HIT_RATE] only once the server has seen a lookup; a condition on a
// value that does not exist fails.
package redischeck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/internal/share"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// Type builds redis checkers and owns their clients, one per address,
// credentials, db and timeout, shared by the checkers with those. A client
// connects on first use and closes when the last checker sharing it is
// closed (when a reloaded catalogue no longer has it), or at Close. It is
// safe for concurrent use.
type Type struct {
	clients *share.Pools[*redis.Client]
}

var _ check.Type = (*Type)(nil)

// New returns a Type with no clients yet.
func New() *Type {
	return &Type{clients: share.New((*redis.Client).Close)}
}

// Close closes every client. Checks after Close fail.
func (t *Type) Close() error { return t.clients.Close() }

var (
	pingVars = []string{"CONNECTED", "RESPONSE_TIME"}
	infoVars = []string{"USED_MEMORY", "MAXMEMORY", "USED_MEMORY_PCT", "CONNECTED_CLIENTS",
		"HIT_RATE", "KEYS", "EVICTED_KEYS", "REJECTED_CONNECTIONS", "RESPONSE_TIME"}
)

// Fields are the fields a redis probe has.
func (t *Type) Fields() config.Schema {
	return config.Schema{"addr": config.Addr, "username": config.Target, "password": config.Secret,
		"db": config.Int, "check": config.Text, "section": config.Text}
}

// New validates p and returns its Checker. It needs addr (host:port) and
// check (ping or info), and takes username, password (from the environment
// only), db and, for info, section.
func (t *Type) New(p *config.Probe) (check.Checker, error) {
	name, addr, section := p.Text("check"), p.Text("addr"), p.Text("section")
	allowed := []string{"addr", "username", "password", "db", "check"}
	if name == "info" {
		allowed = append(allowed, "section")
	}
	if err := errors.Join(p.Require("addr", "check"), p.Only(allowed...)); err != nil {
		return nil, err
	}
	var vars []string
	switch name {
	case "ping":
		vars = pingVars
	case "info":
		vars = infoVars
	default:
		return nil, p.FieldErr(config.ErrInvalid, "check", "must be ping or info")
	}
	if err := p.RequireVarsOf("check "+name, vars...); err != nil {
		return nil, err
	}
	sections := []string{"memory", "clients", "stats", "keyspace"}
	if section != "" {
		for _, r := range section {
			if !(r >= 'a' && r <= 'z') {
				return nil, p.FieldErr(config.ErrInvalid, "section", "must be an INFO section name such as memory or stats")
			}
		}
		sections = []string{section}
	}
	opts := &redis.Options{
		Addr:                  addr,
		Username:              p.Text("username"),
		Password:              p.Text("password"),
		DB:                    p.Int("db"),
		DialTimeout:           p.Timeout,
		ReadTimeout:           p.Timeout,
		WriteTimeout:          p.Timeout,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
		PoolSize:              2,
		MaxIdleConns:          2,
		ConnMaxIdleTime:       5 * time.Minute,
		DisableIdentity:       true,
		Protocol:              2,
	}
	key := strings.Join([]string{addr, opts.Username, opts.Password, strconv.Itoa(opts.DB), p.Timeout.String()}, "\x00")
	return &checker{share: t.clients.Join(key), opts: opts, info: name == "info", sections: sections}, nil
}

// client returns the client for c's target, creating it on first use.
func (c *checker) client() (*redis.Client, error) {
	cl, err := c.share.Get(func() (*redis.Client, error) { return redis.NewClient(c.opts), nil })
	switch {
	case errors.Is(err, share.ErrClosed):
		return nil, check.Safe("probe server shutting down", check.ErrNotRun)
	case errors.Is(err, share.ErrReleased):
		return nil, check.Safe("probe replaced by a reloaded catalogue", check.ErrNotRun)
	}
	return cl, err
}

// Close gives up c's share in its client, and closes the client if c was
// the last to share it. It must not be called while c runs a check; a
// second call does nothing.
func (c *checker) Close() error { return c.share.Release() }

type checker struct {
	share    *share.Share[*redis.Client]
	opts     *redis.Options
	info     bool
	sections []string
}

func (c *checker) Defaults() (expect, warn []string) {
	if !c.info {
		return []string{"[CONNECTED] == true"}, nil
	}
	return nil, nil
}

func (c *checker) Check(ctx context.Context) (*check.Observation, error) {
	obs := check.NewObservation()
	cl, err := c.client()
	if err != nil {
		return obs, err
	}
	start := time.Now()
	if !c.info {
		if err := cl.Ping(ctx).Err(); err != nil {
			obs.Set("CONNECTED", condition.Bool(false))
			return obs, describe(err)
		}
		obs.Set("CONNECTED", condition.Bool(true)).Set("RESPONSE_TIME", condition.Duration(time.Since(start)))
		obs.Detail = "PONG"
		return obs, nil
	}
	text, err := cl.Info(ctx, c.sections...).Result()
	if err != nil {
		return obs, describe(err)
	}
	obs.Set("RESPONSE_TIME", condition.Duration(time.Since(start)))
	readInfo(text, obs)
	return obs, nil
}

// readInfo turns INFO text into values and a detail line.
func readInfo(text string, obs *check.Observation) {
	fields := map[string]string{}
	keys, haveKeyspace := 0.0, false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			haveKeyspace = haveKeyspace || line == "# Keyspace"
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if strings.HasPrefix(k, "db") {
			// db0:keys=12,expires=0,avg_ttl=0
			for _, kv := range strings.Split(v, ",") {
				if n, ok := strings.CutPrefix(kv, "keys="); ok {
					f, _ := strconv.ParseFloat(n, 64)
					keys += f
				}
			}
			continue
		}
		fields[k] = v
	}
	num := func(k string) (float64, bool) {
		v, ok := fields[k]
		if !ok {
			return 0, false
		}
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	var detail []string
	used, hasUsed := num("used_memory")
	max, hasMax := num("maxmemory")
	if hasUsed {
		obs.Set("USED_MEMORY", condition.Bytes(used))
	}
	if hasMax {
		obs.Set("MAXMEMORY", condition.Bytes(max))
	}
	switch {
	case hasUsed && hasMax && max > 0:
		pct := float64(int64(used/max*1000+0.5)) / 10
		obs.Set("USED_MEMORY_PCT", condition.Percent(pct))
		detail = append(detail, "memory "+condition.Bytes(used).String()+" of "+condition.Bytes(max).String()+" ("+condition.Percent(pct).String()+")")
	case hasUsed:
		detail = append(detail, "memory "+condition.Bytes(used).String()+" (no maxmemory)")
	}
	if n, ok := num("connected_clients"); ok {
		obs.Set("CONNECTED_CLIENTS", condition.Number(n))
		detail = append(detail, strconv.FormatFloat(n, 'f', -1, 64)+" clients")
	}
	hits, okH := num("keyspace_hits")
	misses, okM := num("keyspace_misses")
	if okH && okM && hits+misses > 0 {
		rate := float64(int64(hits/(hits+misses)*1000+0.5)) / 10
		obs.Set("HIT_RATE", condition.Percent(rate))
		detail = append(detail, "hit rate "+condition.Percent(rate).String())
	}
	for _, f := range []struct{ k, name string }{{"evicted_keys", "EVICTED_KEYS"}, {"rejected_connections", "REJECTED_CONNECTIONS"}} {
		if n, ok := num(f.k); ok {
			obs.Set(f.name, condition.Number(n))
			detail = append(detail, strconv.FormatFloat(n, 'f', -1, 64)+" "+strings.ReplaceAll(f.k, "_", " "))
		}
	}
	if haveKeyspace {
		obs.Set("KEYS", condition.Number(keys))
		detail = append(detail, strconv.FormatFloat(keys, 'f', -1, 64)+" keys")
	}
	obs.Detail = strings.Join(detail, "; ")
}

// describe turns a server's error reply into a safe description; redis
// errors are short codes plus text that may name keys.
func describe(err error) error {
	var re redis.Error
	if errors.As(err, &re) {
		code, _, _ := strings.Cut(re.Error(), " ")
		switch code {
		case "NOAUTH", "WRONGPASS":
			return check.Safe("authentication failed", err)
		case "LOADING":
			return check.Safe("redis loading its dataset", err)
		}
		return check.Safe("redis error "+code, err)
	}
	return err
}

// SetLogger sends go-redis's own log lines (a pool that failed to dial, a
// connection dropped with unread data) to log, at level warn with the
// message "redis client", after the address-level redaction of
// check.Redactor; without it go-redis writes them raw to stderr, outside the
// JSON log and with the target's address.
//
// go-redis keeps one logger for the whole process (redis.SetLogger), shared
// by every client: the probes' and the shared mode's. So this is a setting
// of the process, not of a Type: call it once where the process starts,
// before any client exists. It has no per-probe secrets to remove, only
// addresses, hosts and DSN-like keys; the runner's own log line about a
// failed check carries the probe's full redaction.
func SetLogger(log *slog.Logger) {
	redis.SetLogger(&logger{log: log, redact: check.NewRedactor()})
}

// logger adapts slog to go-redis's internal Logging interface.
type logger struct {
	log    *slog.Logger
	redact *check.Redactor
}

func (l *logger) Printf(ctx context.Context, format string, v ...any) {
	if ctx == nil {
		ctx = context.Background()
	}
	l.log.WarnContext(ctx, "redis client", "text", l.redact.String(fmt.Sprintf(format, v...)))
}
