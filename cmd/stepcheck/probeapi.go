package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/stepcheck/stepcheck/probe-api/check/redischeck"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/server"
)

// runProbeAPI serves the declared probes over HTTP until ctx is cancelled,
// then shuts down gracefully.
func runProbeAPI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stepcheck probe-api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfgPath   = fs.String("config", "content/probes.yaml", "probe catalogue `file`")
		addr      = fs.String("addr", "127.0.0.1:8081", "listen `address`")
		origins   = fs.String("cors-origin", "", "comma-separated `origins` of the sites whose pages may call the API (e.g. https://runbooks.example.com)")
		public    = fs.String("public-origin", "", "comma-separated `origins` at which browsers reach the API itself (e.g. https://probes.example.com); requests naming any other host than these, an IP address or localhost get 421")
		userHdr   = fs.String("user-header", "", "`header` in which an authenticating proxy passes the user, for the audit log (e.g. X-Forwarded-User)")
		metricsTk = fs.String("metrics-token", "", "bearer `token` required on /metrics (default $STEPCHECK_METRICS_TOKEN)")
		token     = fs.String("token", "", "bearer `token` required on /api/ (default $STEPCHECK_PROBE_TOKEN; prefer the variable: flags show in ps)")
		redisURL  = fs.String("redis", "", "shared mode: Redis `URL` (redis://[:password@]host:6379/0) holding the cache and run lock (default $STEPCHECK_REDIS_URL)")
		prefix    = fs.String("redis-prefix", server.DefaultRedisPrefix, "prefix of the shared Redis `keys`")
		cache     = fs.Duration("cache", server.DefaultCache, "result cache `window`; 0 disables caching")
		conc      = fs.Int("concurrency", server.DefaultConcurrency, "checks running at once, at most")
		perClient = fs.Float64("rate", server.DefaultRate, "check requests per second per client; 0 disables the limit")
		burst     = fs.Int("burst", server.DefaultBurst, "per-client burst above -rate")
		ipHeader  = fs.String("client-ip-header", "", "`header` whose rightmost address identifies the client (set only behind a proxy that appends to it, e.g. X-Forwarded-For)")
		logLevel  = fs.String("log-level", "info", "log `level`: debug, info, warn or error")
		logFormat = fs.String("log-format", "json", "log `format`: json or text")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stepcheck probe-api: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "stepcheck probe-api: -log-level: %v\n", err)
		return 2
	}
	if *logFormat != "json" && *logFormat != "text" {
		fmt.Fprintf(stderr, "stepcheck probe-api: -log-format must be json or text\n")
		return 2
	}
	logger := slog.New(newLogHandler(*logFormat, stderr, &slog.HandlerOptions{Level: level}))
	redischeck.SetLogger(logger) // go-redis's logger is process-wide; see its doc
	if err := server.CheckOrigins(append(splitList(*origins), splitList(*public)...)...); err != nil {
		fmt.Fprintf(stderr, "stepcheck probe-api: -cors-origin, -public-origin: %v\n", err)
		return 2
	}
	if *cache < 0 || *conc < 1 || *perClient < 0 || *burst < 0 {
		fmt.Fprintln(stderr, "stepcheck probe-api: -cache, -rate and -burst must not be negative, -concurrency at least 1")
		return 2
	}

	cat, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	opts := server.Options{
		Logger: logger,
		// The audit is written whatever -log-level says: it is the record
		// of who ran what, not a diagnostic.
		Audit:          slog.New(newLogHandler(*logFormat, stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		UserHeader:     *userHdr,
		MetricsToken:   firstNonEmpty(*metricsTk, os.Getenv("STEPCHECK_METRICS_TOKEN")),
		Cache:          *cache,
		Concurrency:    *conc,
		Rate:           rate.Limit(*perClient),
		Burst:          *burst,
		ClientIPHeader: *ipHeader,
		Token:          firstNonEmpty(*token, os.Getenv("STEPCHECK_PROBE_TOKEN")),
		RedisPrefix:    *prefix,
	}
	opts.CORSOrigins, opts.PublicOrigins = splitList(*origins), splitList(*public)
	if u := firstNonEmpty(*redisURL, os.Getenv("STEPCHECK_REDIS_URL")); u != "" {
		ropts, err := redis.ParseURL(u)
		if err != nil {
			fmt.Fprintln(stderr, "stepcheck probe-api: -redis: not a valid redis:// or rediss:// URL")
			return 2
		}
		ropts.ContextTimeoutEnabled = true
		ropts.DisableIdentity = true
		ropts.MaxRetries = -1
		rdb := redis.NewClient(ropts)
		defer rdb.Close()
		opts.Redis = rdb
	}
	srv, err := server.New(cat, opts)
	if err != nil {
		fmt.Fprintf(stderr, "stepcheck probe-api: %v\n", err)
		return 1
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "stepcheck probe-api: %v\n", err)
		return 1
	}
	hs := probeAPIHTTPServer(srv, logger)
	logger.Info("probe-api listening", "addr", ln.Addr().String(), "probes", len(cat.Probes), "shared", opts.Redis != nil)
	if len(opts.PublicOrigins) == 0 && !loopbackOnly(ln.Addr()) {
		logger.Warn("listening beyond loopback without -public-origin: the API answers requests by IP address or localhost only; " +
			"a request naming a host gets 421 until that host's origin is given to -public-origin")
	}
	return serveProbeAPI(ctx, hs, ln, srv, logger, probeAPIDrain)
}

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
func serveProbeAPI(ctx context.Context, hs *http.Server, ln net.Listener, srv *server.Server, logger *slog.Logger, drain time.Duration) int {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		logger.Error("probe-api stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("probe-api shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	err := hs.Shutdown(sctx)
	cancel()
	if err != nil {
		logger.Warn("checks still running at shutdown are stopped", "drain", drain.String())
		srv.Close()
		fctx, cancel := context.WithTimeout(context.Background(), probeAPIFlush)
		defer cancel()
		if err := hs.Shutdown(fctx); err != nil {
			logger.Warn("shutdown", "err", err)
			hs.Close()
		}
	}
	return 0
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
