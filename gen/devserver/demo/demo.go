// Package demo runs stand-ins for the RepairX services that a newcomer's
// machine does not have, for stepcheck serve --demo: a backend with
// /api/health/live and Prometheus metrics at /api/metrics, and a frontend
// with /health. They listen on loopback ports the system picks, and Lookup
// points the probe catalogue's ${REPAIRX_...} variables at them. Everything
// else the catalogue checks (PostgreSQL, Redis, Prometheus, Grafana,
// Elasticsearch) is checked for real and shows as down where it is not
// running.
package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Variables the stand-ins set, and the PostgreSQL DSN the demo uses unless
// REPAIRX_PG_DSN is set: the local server's postgres database, which a
// developer machine with trust authentication accepts.
const (
	BackendVar  = "REPAIRX_BACKEND_URL"
	FrontendVar = "REPAIRX_FRONTEND_URL"
	PGVar       = "REPAIRX_PG_DSN"
	PGDSN       = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// Services are the running stand-ins. Close them when done.
type Services struct {
	// Backend and Frontend are the stand-ins' base URLs.
	Backend, Frontend string
	servers           []*http.Server
}

// Start starts the stand-ins on 127.0.0.1.
func Start() (*Services, error) {
	s := &Services{}
	backend, err := s.serve(newBackend())
	if err != nil {
		return nil, err
	}
	frontend, err := s.serve(newFrontend())
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Backend, s.Frontend = backend, frontend
	return s, nil
}

func (s *Services) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	s.servers = append(s.servers, hs)
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the stand-ins, letting requests in flight finish for up to
// a second.
func (s *Services) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var errs []error
	for _, hs := range s.servers {
		if err := hs.Shutdown(ctx); err != nil {
			errs = append(errs, hs.Close())
		}
	}
	return errors.Join(errs...)
}

// Lookup wraps an environment lookup (os.LookupEnv) for the catalogue: the
// backend and frontend variables name the stand-ins whatever the
// environment says, and REPAIRX_PG_DSN defaults to PGDSN. Every other
// variable, the Redis address among them, comes from env, so the catalogue's
// loopback defaults apply.
func (s *Services) Lookup(env func(string) (string, bool)) func(string) (string, bool) {
	return func(name string) (string, bool) {
		switch name {
		case BackendVar:
			return s.Backend, true
		case FrontendVar:
			return s.Frontend, true
		}
		if v, ok := env(name); ok && v != "" {
			return v, true
		}
		if name == PGVar {
			return PGDSN, true
		}
		return "", false
	}
}

// newBackend is the RepairX backend's health and metrics. Its metrics start
// with a plausible history, so that the latency probe has a p95 to read from
// the first scrape, and count the stand-in's own requests after that.
func newBackend() http.Handler {
	reg := prometheus.NewRegistry()
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Time to answer HTTP requests.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total",
		Help: "HTTP requests answered.",
	}, []string{"method", "route", "status"})
	reg.MustRegister(duration, requests)
	routes := []string{"/api/repairs", "/api/customers", "/api/invoices", "/api/health/live"}
	for i := range 2000 {
		route, status := routes[i%len(routes)], "200"
		if i%97 == 0 {
			status = "500"
		}
		// 12 ms to about 310 ms, most requests fast.
		x := float64((i*37)%100) / 100
		secs := 0.012 + 0.3*x*x*x
		duration.WithLabelValues("GET", route, status).Observe(secs)
		requests.WithLabelValues("GET", route, status).Inc()
	}

	mux := http.NewServeMux()
	observe := func(route string, h http.HandlerFunc) {
		mux.HandleFunc("GET "+route, func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			h(w, r)
			duration.WithLabelValues(r.Method, route, "200").Observe(time.Since(start).Seconds())
			requests.WithLabelValues(r.Method, route, "200").Inc()
		})
	}
	observe("/api/health/live", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok","service":"repairx-backend","demo":true}` + "\n"))
	})
	mux.Handle("GET /api/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// newFrontend is the RepairX frontend's health check.
func newFrontend() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok","service":"repairx-frontend","demo":true}` + "\n"))
	})
	return mux
}
