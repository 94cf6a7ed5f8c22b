package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

// metrics are the server's Prometheus metrics. Labels carry probe IDs and
// statuses only, never a target.
type metrics struct {
	reg         *prometheus.Registry
	checks      *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	results     *prometheus.CounterVec
	requests    *prometheus.CounterVec
	cacheLocal  prometheus.Counter
	cacheShared prometheus.Counter
	waitLocal   prometheus.Counter
	waitShared  prometheus.Counter
	limited     prometheus.Counter
	sharedUp    prometheus.Gauge
	byStatus    map[api.Status]prometheus.Counter
}

// served returns the results counter for a status, resolved once.
func (m *metrics) served(st api.Status) prometheus.Counter {
	if c, ok := m.byStatus[st]; ok {
		return c
	}
	return m.results.WithLabelValues(string(st))
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.checks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stepcheck_probe_checks_total",
		Help: "Checks run against targets, by probe and result status.",
	}, []string{"probe", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "stepcheck_probe_check_duration_seconds",
		Help:    "How long checks against targets took, by probe.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"probe"})
	m.results = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stepcheck_probe_results_total",
		Help: "Results served to clients (fresh, coalesced or cached), by status.",
	}, []string{"status"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stepcheck_probe_requests_total",
		Help: "Check requests by probe and outcome: ran, joined (a run in flight), cached, limited (rate limit) or gone (the client left).",
	}, []string{"probe", "outcome"})
	hits := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stepcheck_probe_cache_hits_total",
		Help: "Requests answered from the result cache, by cache (local or shared).",
	}, []string{"cache"})
	waits := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stepcheck_probe_coalesced_waits_total",
		Help: "Requests that waited for a run already in flight instead of starting one, by where that run was (local or shared).",
	}, []string{"scope"})
	m.limited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "stepcheck_probe_rate_limited_total",
		Help: "Check requests refused by the per-client rate limit.",
	})
	m.sharedUp = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "stepcheck_probe_shared_cache_up",
		Help: "1 when the shared (Redis) cache is in use, 0 when this replica fell back to its local cache.",
	})
	m.byStatus = map[api.Status]prometheus.Counter{}
	for _, st := range []api.Status{api.StatusUp, api.StatusDegraded, api.StatusDown, api.StatusUnknown} {
		m.byStatus[st] = m.results.WithLabelValues(string(st))
	}
	m.cacheLocal, m.cacheShared = hits.WithLabelValues("local"), hits.WithLabelValues("shared")
	m.waitLocal, m.waitShared = waits.WithLabelValues("local"), waits.WithLabelValues("shared")
	m.reg.MustRegister(m.checks, m.duration, m.results, m.requests, hits, waits, m.limited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
