package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/check/redischeck"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/server"
)

// runProbeAPI serves the declared probes over HTTP until ctx is cancelled,
// then shuts down gracefully.
func runProbeAPI(ctx context.Context, args []string, _, stderr io.Writer) int {
	c := &probeAPICommand{stderr: stderr}
	defer c.close()
	err := c.parse(args)
	if err == nil {
		err = c.open()
	}
	if err == nil {
		err = c.run(ctx)
	}
	return exitCode("probe-api", err, stderr)
}

// probeAPICommand is stepcheck probe-api: parse reads the flags, open
// loads the catalogue and builds the server, run serves until cancelled,
// close releases what open made.
type probeAPICommand struct {
	stderr io.Writer
	flags  struct {
		config, addr, origins, public, userHeader, metricsToken, token string
		redisURL, redisPrefix, ipHeader, logLevel, logFormat           string
		cache                                                          time.Duration
		concurrency, burst                                             int
		rate                                                           float64
	}
	logger *slog.Logger
	opts   server.Options

	reg     *check.Registry
	rdb     *redis.Client
	srv     *server.Server
	ln      net.Listener
	closers closers
}

func (c *probeAPICommand) parse(args []string) error {
	fs := flag.NewFlagSet("stepcheck probe-api", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	f := &c.flags
	fs.StringVar(&f.config, "config", "content/probes.yaml", "probe catalogue `file`")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8081", "listen `address`")
	fs.StringVar(&f.origins, "cors-origin", "", "comma-separated `origins` of the sites whose pages may call the API (e.g. https://runbooks.example.com)")
	fs.StringVar(&f.public, "public-origin", "", "comma-separated `origins` at which browsers reach the API itself (e.g. https://probes.example.com); requests naming any other host than these, an IP address or localhost get 421")
	fs.StringVar(&f.userHeader, "user-header", "", "`header` in which an authenticating proxy passes the user, for the audit log (e.g. X-Forwarded-User)")
	fs.StringVar(&f.metricsToken, "metrics-token", "", "bearer `token` required on /metrics (default $STEPCHECK_METRICS_TOKEN)")
	fs.StringVar(&f.token, "token", "", "bearer `token` required on /api/ (default $STEPCHECK_PROBE_TOKEN; prefer the variable: flags show in ps)")
	fs.StringVar(&f.redisURL, "redis", "", "shared mode: Redis `URL` (redis://[:password@]host:6379/0) holding the cache and run lock (default $STEPCHECK_REDIS_URL)")
	fs.StringVar(&f.redisPrefix, "redis-prefix", server.DefaultRedisPrefix, "prefix of the shared Redis `keys`")
	fs.DurationVar(&f.cache, "cache", server.DefaultCache, "result cache `window`; 0 disables caching")
	fs.IntVar(&f.concurrency, "concurrency", server.DefaultConcurrency, "checks running at once, at most")
	fs.Float64Var(&f.rate, "rate", server.DefaultRate, "check requests per second per client; 0 disables the limit")
	fs.IntVar(&f.burst, "burst", server.DefaultBurst, "per-client burst above -rate")
	fs.StringVar(&f.ipHeader, "client-ip-header", "", "`header` whose rightmost address identifies the client (set only behind a proxy that appends to it, e.g. X-Forwarded-For)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "json", "log `format`: json or text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return usagef("-log-level: %v", err)
	}
	if f.logFormat != "json" && f.logFormat != "text" {
		return usagef("-log-format must be json or text")
	}
	if f.cache < 0 || f.concurrency < 1 || f.rate < 0 || f.burst < 0 {
		return usagef("-cache, -rate and -burst must not be negative, -concurrency at least 1")
	}
	origins, public := splitList(f.origins), splitList(f.public)
	if err := server.CheckOrigins(append(origins, public...)...); err != nil {
		return usagef("-cors-origin, -public-origin: %v", err)
	}
	c.logger = slog.New(newLogHandler(f.logFormat, c.stderr, &slog.HandlerOptions{Level: level}))
	c.opts = server.Options{
		Logger: c.logger,
		// The audit is written whatever -log-level says: it is the record
		// of who ran what, not a diagnostic.
		Audit:          slog.New(newLogHandler(f.logFormat, c.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		UserHeader:     f.userHeader,
		MetricsToken:   firstNonEmpty(f.metricsToken, os.Getenv("STEPCHECK_METRICS_TOKEN")),
		Cache:          f.cache,
		Concurrency:    f.concurrency,
		Rate:           rate.Limit(f.rate),
		Burst:          f.burst,
		ClientIPHeader: f.ipHeader,
		Token:          firstNonEmpty(f.token, os.Getenv("STEPCHECK_PROBE_TOKEN")),
		RedisPrefix:    f.redisPrefix,
		CORSOrigins:    origins,
		PublicOrigins:  public,
	}
	return nil
}

// open loads the catalogue, connects nothing yet (Redis and the targets are
// dialled on first use), builds the server and listens.
func (c *probeAPICommand) open() error {
	redischeck.SetLogger(c.logger) // go-redis's logger is process-wide; see its doc
	if u := firstNonEmpty(c.flags.redisURL, os.Getenv("STEPCHECK_REDIS_URL")); u != "" {
		rdb, err := server.RedisClient(u)
		if err != nil {
			return usagef("-redis: %v", err)
		}
		c.rdb, c.opts.Redis = rdb, rdb
		c.closers.add(rdb.Close)
	}
	c.reg = builtin.New()
	c.closers.add(c.reg.Close)
	cat, err := config.Load(c.flags.config)
	if err != nil {
		if cat != nil {
			// Every problem in one run, the types' own too, as lint
			// reports them.
			err = config.Sorted(errors.Join(err, c.reg.Check(cat)))
		}
		return catalogueError{err}
	}
	if c.srv, err = server.New(c.reg, cat, c.opts); err != nil {
		return catalogueError{err}
	}
	c.closers.add(c.srv.Close)
	if c.ln, err = net.Listen("tcp", c.flags.addr); err != nil {
		return err
	}
	c.closers.add(c.ln.Close) // harmless once Serve has closed it
	c.logger.Info("probe-api listening", "addr", c.ln.Addr().String(), "probes", len(cat.Probes), "shared", c.rdb != nil)
	if len(c.opts.PublicOrigins) == 0 && !loopbackOnly(c.ln.Addr()) {
		c.logger.Warn("listening beyond loopback without -public-origin: the API answers requests by IP address or localhost only; " +
			"a request naming a host gets 421 until that host's origin is given to -public-origin")
	}
	return nil
}

func (c *probeAPICommand) run(ctx context.Context) error {
	return serveProbeAPI(ctx, probeAPIHTTPServer(c.srv, c.logger), c.ln, c.srv, c.logger, probeAPIDrain)
}

// close releases what open made, last first: the listener, the server (its
// runs), the registry (its pools), Redis.
func (c *probeAPICommand) close() { c.closers.closeAll() }

// The probe API's connection timeouts. Reading a request and idling are
// bounded by constants; writing an answer is bounded by the catalogue's
// longest answer plus probeAPIWriteMargin, so the slowest check a
// catalogue allows is delivered, and a slow client is dropped soon after.
const (
	probeAPIReadHeaderTimeout = 5 * time.Second
	probeAPIReadTimeout       = 10 * time.Second
	probeAPIIdleTimeout       = 120 * time.Second
	probeAPIWriteMargin       = 5 * time.Second
	// probeAPIDrain is how long a shutdown lets checks in flight finish;
	// after it, they are stopped and answer unknown.
	probeAPIDrain = 10 * time.Second
	// probeAPIFlush is how long those last answers have to go out.
	probeAPIFlush = 2 * time.Second
)

// probeAPIHTTPServer returns the http.Server for srv. Its WriteTimeout is
// derived from srv's catalogue, which probe-api reads once; stepcheck serve,
// which reloads the catalogue, serves the API with no write timeout.
func probeAPIHTTPServer(srv *server.Server, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: probeAPIReadHeaderTimeout,
		ReadTimeout:       probeAPIReadTimeout,
		WriteTimeout:      srv.LongestAnswer() + probeAPIWriteMargin,
		IdleTimeout:       probeAPIIdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// serveProbeAPI serves hs on ln until ctx is cancelled, then shuts down: it
// stops accepting, lets the checks in flight finish for up to drain, then
// closes srv so that those still running answer unknown ("probe server
// shutting down") instead of being cut off, and lets those answers out.
func serveProbeAPI(ctx context.Context, hs *http.Server, ln net.Listener, srv *server.Server, logger *slog.Logger, drain time.Duration) error {
	err := serveUntilCancelled(ctx, hs, ln, shutdown{
		before: func() { logger.Info("probe-api shutting down") },
		drain:  drain,
		overrun: func() {
			logger.Warn("checks still running at shutdown are stopped", "drain", drain.String())
			srv.Close()
		},
		flush: probeAPIFlush,
	})
	if err != nil {
		logger.Error("probe-api stopped", "err", err)
	}
	return err
}

// checkProbes runs each probe type's own checks on a catalogue, as
// probe-api does when it starts, for build, lint and serve (see
// catalog.Check). Building probes contacts no target.
func checkProbes(cat *config.Catalogue) error {
	reg := builtin.New()
	defer reg.Close()
	return reg.Check(cat)
}

// newLogHandler returns a slog handler writing format ("json" or "text")
// to w.
func newLogHandler(format string, w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	if format == "text" {
		return slog.NewTextHandler(w, opts)
	}
	return slog.NewJSONHandler(w, opts)
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// loopbackOnly reports whether addr is a loopback address, which only this
// machine can reach.
func loopbackOnly(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
