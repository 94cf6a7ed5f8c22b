// Package server is the probe API's HTTP layer: the catalogue listing, the
// check endpoint, /healthz and /metrics, with coalescing, caching (local, and
// shared through Redis when configured), a global concurrency limit,
// per-client rate limiting, CORS, an optional bearer token and slog logging.
//
// A request chooses a probe ID and nothing else: the query string, the body
// and headers such as Host or X-Forwarded-Host are never read for anything
// but CORS, the token and the rate-limit key.
package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// Defaults of Options.
const (
	DefaultCache       = 2 * time.Second
	DefaultConcurrency = 32
	DefaultRate        = 10
	DefaultBurst       = 30
	DefaultRateClients = 10000
	DefaultRedisPrefix = "stepcheck:probe:"
)

// Options configure a Server. The zero value is usable but caches nothing
// and limits no rate; the command line's defaults are DefaultCache,
// DefaultRate and DefaultBurst.
type Options struct {
	// Logger receives the server's logs. Nil discards them.
	Logger *slog.Logger
	// Cache is how long a result is served again before the probe runs
	// anew. Zero disables the cache; concurrent requests still share one run.
	Cache time.Duration
	// Concurrency bounds checks running at once; default DefaultConcurrency.
	// The wait for a slot comes out of the check's timeout (see
	// AnswerSlack): a check that cannot start within it is unknown.
	Concurrency int
	// Rate and Burst limit check requests per client (token bucket). Rate 0
	// disables the limit.
	Rate  rate.Limit
	Burst int
	// RateClients bounds the clients the rate limit keeps a bucket for;
	// default DefaultRateClients (about 2.5 MB). A new client takes the place
	// of the least recently seen one only once that one's bucket has
	// refilled; until then new clients share one bucket, so a flood of new
	// addresses can neither grow memory nor reset a client's budget.
	RateClients int
	// ClientIPHeader, when set, names a header such as X-Forwarded-For whose
	// rightmost address identifies the client for the rate limit. Set it only
	// behind a proxy that appends to that header.
	ClientIPHeader string
	// CORSOrigins are the origins (scheme://host[:port]) of the sites whose
	// pages may call the API from a browser, besides the API's own origin.
	// They match exactly: scheme, host and port (default ports included).
	CORSOrigins []string
	// PublicOrigins are the origins at which browsers reach the API itself,
	// such as https://runbooks.example.com behind a proxy. The API answers
	// only requests whose Host is one of their host names, an IP address
	// or localhost; any other gets 421, which is what a DNS-rebinding page
	// sends. Pages at these origins may call the API.
	PublicOrigins []string
	// Token, when set, is the bearer token every /api/ request must carry.
	Token string
	// MetricsToken, when set, is the bearer token /metrics requires, so
	// that metrics need not be public where the API is.
	MetricsToken string
	// Redis enables shared mode: results and the run lock live in Redis, so
	// replicas sharing it run each probe at most once per Cache window. The
	// client stays the caller's to close.
	Redis *redis.Client
	// Audit, when set, receives one line per check request: the user, the
	// client's address, the probe, how it was answered (ran, joined,
	// cached, limited or gone) and the status. Never a target or a secret.
	Audit *slog.Logger
	// UserHeader names the header in which an authenticating proxy in
	// front (oauth2-proxy's X-Forwarded-User, say) passes the user, for
	// the audit. Without such a proxy stripping it from requests, the
	// header is whatever the client says; without UserHeader, every user
	// is "anonymous".
	UserHeader string
	// RedisPrefix prefixes every shared key; default DefaultRedisPrefix.
	RedisPrefix string
	// RedisTimeout bounds each Redis operation; default 500ms.
	RedisTimeout time.Duration
}

// Server serves the probe API. Create it with New; it is safe for
// concurrent use, including SetCatalogue while requests are served.
type Server struct {
	opts     Options
	registry *check.Registry
	log      *slog.Logger
	m        *metrics
	lim      *limiter
	sem      chan struct{}
	shared   *shared
	origins  origins
	handler  http.Handler

	set     atomic.Pointer[check.Set] // gen's set, for listings
	gen     atomic.Pointer[generation]
	longest atomic.Int64 // the catalogue's longest timeout
	flight  singleflight.Group
	cache   localCache

	base   context.Context
	cancel context.CancelFunc
	mu     sync.Mutex // guards closed and runs.Add against Close
	closed bool
	runs   sync.WaitGroup
}

// New builds every probe of cat with reg's types and returns a Server for
// them. It contacts no target. The error joins every problem in the
// catalogue. reg stays the caller's: close it after the Server (it holds
// the pools every catalogue of the Server shares). The registry is passed
// in, never picked here, so that which probe types exist (and which drivers
// a binary links) is the command's choice.
func New(reg *check.Registry, cat *config.Catalogue, opts Options) (*Server, error) {
	if reg == nil {
		return nil, errors.New("server.New: no probe type registry")
	}
	origins, err := newOrigins(opts.CORSOrigins, opts.PublicOrigins)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, registry: reg, log: opts.Logger, m: newMetrics(), origins: origins}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.opts.Concurrency <= 0 {
		s.opts.Concurrency = DefaultConcurrency
	}
	s.sem = make(chan struct{}, s.opts.Concurrency)
	if s.opts.Rate > 0 {
		burst := s.opts.Burst
		if burst <= 0 {
			burst = 1
		}
		s.lim = newLimiter(s.opts.Rate, burst, s.opts.RateClients)
	}
	if opts.Redis != nil {
		prefix, timeout := opts.RedisPrefix, opts.RedisTimeout
		if prefix == "" {
			prefix = DefaultRedisPrefix
		}
		if timeout <= 0 {
			timeout = 500 * time.Millisecond
		}
		s.shared = &shared{rdb: opts.Redis, prefix: prefix, timeout: timeout, log: s.log, m: s.m}
		s.m.reg.MustRegister(s.m.sharedUp)
		s.m.sharedUp.Set(1)
	}
	s.cache.entries = map[string]*entry{}
	s.base, s.cancel = context.WithCancel(context.Background())
	if err := s.SetCatalogue(cat); err != nil {
		s.cancel()
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// SetCatalogue builds cat and, if every probe builds, swaps it in for new
// requests and drops cached results; runs in flight finish against the old
// probes, and once the last has ended the old catalogue is closed, which
// closes the database pools that the new one does not share. On error the
// current catalogue stays. It is safe to call while serving.
func (s *Server) SetCatalogue(cat *config.Catalogue) error {
	set, err := s.registry.Build(cat)
	if err != nil {
		return err
	}
	var longest time.Duration
	for _, p := range cat.Probes {
		longest = max(longest, p.Timeout)
	}
	g := &generation{set: set}
	g.refs.Store(1)
	s.set.Store(set)
	s.longest.Store(int64(longest))
	if old := s.gen.Swap(g); old != nil {
		old.release()
	}
	s.cache.reset()
	s.log.Info("catalogue loaded", "probes", set.Len(), "path", cat.Path)
	return nil
}

// LongestAnswer returns the longest a check request can take to answer
// under the current catalogue: its longest probe timeout plus AnswerSlack.
// An http.Server's WriteTimeout must be longer, or such answers are lost;
// after SetCatalogue raises a timeout it may be longer than before.
func (s *Server) LongestAnswer() time.Duration {
	return time.Duration(s.longest.Load()) + AnswerSlack
}

// Handler returns the API's handler: /api/v1/probes, /api/v1/probes/{id}/check,
// /healthz and /metrics. Mount it at the root of an origin.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops runs in flight and waits for them. Requests after Close get
// unknown results. The registry stays open: it is the caller's.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.runs.Wait()
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(api.PathProbes, s.api(http.HandlerFunc(s.handleList)))
	mux.Handle(api.PathProbes+"/{id}", s.api(http.HandlerFunc(s.handleProbe)))
	mux.Handle(api.PathProbes+"/{id}/check", s.api(http.HandlerFunc(s.handleCheck)))
	mux.HandleFunc(api.PathHealth, s.handleHealth)
	mux.Handle(api.PathMetrics, s.metricsHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, errorf(ENOTFOUND, "not found"))
	})
	return s.GuardHost(mux)
}

// api wraps an /api/ handler with CORS and the token.
func (s *Server) api(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Cache-Control"] = noStore
		h["X-Content-Type-Options"] = noSniff
		if origin := r.Header.Get("Origin"); origin != "" {
			if !s.origins.allows(origin, r) {
				s.error(w, r, errorf(EFORBIDDEN, "origin not allowed"))
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Methods", "GET, POST")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if !s.authorized(w, r, s.opts.Token, "probe-api") {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorized reports whether r may go on: token is empty, or r carries it
// as a bearer token. Otherwise it answers 401 with a challenge for realm.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, token, realm string) bool {
	if token == "" || bearerIs(r, token) {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`"`)
	s.error(w, r, errorf(EUNAUTHORIZED, "a valid bearer token is required"))
	return false
}

// bearerIs reports whether r carries "Authorization: Bearer want"; the
// scheme is case-insensitive (RFC 9110), the token compared in constant
// time.
func bearerIs(r *http.Request, want string) bool {
	scheme, got, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(want)) == 1
}

// allowMethods answers 405 with an Allow header, and reports false, unless
// r's method is one of methods.
func (s *Server) allowMethods(w http.ResponseWriter, r *http.Request, msg string, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	s.error(w, r, errorf(EMETHOD, msg))
	return false
}

// metricsHandler serves /metrics to GET and HEAD, and only with
// Options.MetricsToken when one is set.
func (s *Server) metricsHandler() http.Handler {
	prom := promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.allowMethods(w, r, "use GET", http.MethodGet, http.MethodHead) {
			return
		}
		if !s.authorized(w, r, s.opts.MetricsToken, "metrics") {
			return
		}
		prom.ServeHTTP(w, r)
	})
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	if !s.allowMethods(w, r, "use GET", http.MethodGet, http.MethodHead) {
		return
	}
	s.json(w, http.StatusOK, api.ProbeList{Probes: s.set.Load().Public()})
}

// handleProbe describes one probe. Pages link each probe's label here, so
// a reader without JavaScript learns what the probe checks; it runs nothing.
func (s *Server) handleProbe(w http.ResponseWriter, r *http.Request) {
	if !s.allowMethods(w, r, "use GET; POST to .../check runs the probe", http.MethodGet, http.MethodHead) {
		return
	}
	id := r.PathValue("id")
	for _, p := range s.set.Load().Public() {
		if p.ID == id {
			s.json(w, http.StatusOK, p)
			return
		}
	}
	s.error(w, r, errorf(ENOTFOUND, "no such probe"))
}

func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	if !s.allowMethods(w, r, "use POST", http.MethodPost) {
		return
	}
	id := r.PathValue("id")
	g := s.current()
	defer g.release()
	p, ok := g.set.Probe(id)
	if !ok || !api.ValidID(id) {
		s.error(w, r, errorf(ENOTFOUND, "no such probe"))
		return
	}
	if s.lim != nil && !s.lim.allow(clientKey(r, s.opts.ClientIPHeader), time.Now()) {
		s.m.limited.Inc()
		s.audit(r, id, outcomeLimited, "")
		w.Header().Set("Retry-After", "1")
		s.error(w, r, errorf(ERATELIMIT, "too many requests; try again in a second"))
		return
	}
	e, how, err := s.result(r.Context(), g, p)
	if err != nil {
		// The client went away; the run goes on for the others.
		s.audit(r, id, how, "")
		return
	}
	s.audit(r, id, how, e.res.Status)
	s.m.served(e.res.Status).Inc()
	age := time.Since(e.at).Milliseconds()
	if age < 0 {
		age = 0
	}
	w.Header()["Content-Type"] = jsonType
	w.WriteHeader(http.StatusOK)
	b := make([]byte, 0, len(e.head)+len(e.tail)+20)
	b = append(b, e.head...)
	b = strconv.AppendInt(b, age, 10)
	b = append(b, e.tail...)
	w.Write(b)
}

type health struct {
	Status string `json:"status"`
	Probes int    `json:"probes"`
	// Cache is "local" or "shared".
	Cache string `json:"cache"`
	// Redis is "up" or "down" in shared mode, absent otherwise.
	Redis string `json:"redis,omitempty"`
	// Note explains a degraded mode.
	Note string `json:"note,omitempty"`
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	// Only GET and HEAD: a health check pings Redis, which no other
	// method should be able to make it do.
	if !s.allowMethods(w, r, "use GET", http.MethodGet, http.MethodHead) {
		return
	}
	h := health{Status: "ok", Probes: s.set.Load().Len(), Cache: "local"}
	if s.shared != nil {
		h.Cache, h.Redis = "shared", "up"
		if !s.shared.ping(r.Context()) {
			h.Cache, h.Redis = "local", "down"
			h.Note = "shared cache unreachable: this replica falls back to its local cache, so targets may see one check per replica per window"
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.json(w, http.StatusOK, h)
}

func (s *Server) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// error writes err as JSON with the status from the code table. Internal
// errors are logged and shown only as "internal error".
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := errorCode(err)
	if code == EINTERNAL {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.json(w, errorStatus(code), api.Error{Code: code, Message: errorMessage(err)})
}

// Header values set on every API response. They are shared and must not be
// modified.
var (
	noStore  = []string{"no-store"}
	noSniff  = []string{"nosniff"}
	jsonType = []string{"application/json"}
)

// entry is a result and its JSON split around age_ms, so a cached answer
// costs no encoding.
type entry struct {
	res api.Result
	// at is res.CheckedAt parsed, for the age and the cache window.
	at         time.Time
	head, tail []byte
}

func newEntry(res api.Result) *entry {
	res.AgeMS = 0
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(res)
	b := buf.Bytes()
	const field = `"age_ms":0`
	i := bytes.Index(b, []byte(field)) + len(field) - 1
	at, err := time.Parse(api.TimeFormat, res.CheckedAt)
	if err != nil {
		at = time.Now() // a result from an older replica in shared mode
	}
	return &entry{res: res, at: at, head: b[:i], tail: b[i+1:]}
}

// localCache holds the latest result per probe key. It is safe for
// concurrent use.
type localCache struct {
	mu      sync.RWMutex
	entries map[string]*entry
}

func (c *localCache) get(key string, window time.Duration, now time.Time) (*entry, bool) {
	if window <= 0 {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || now.Sub(e.at) >= window {
		return nil, false
	}
	return e, true
}

func (c *localCache) put(key string, e *entry) {
	c.mu.Lock()
	c.entries[key] = e
	c.mu.Unlock()
}

func (c *localCache) reset() {
	c.mu.Lock()
	c.entries = map[string]*entry{}
	c.mu.Unlock()
}
