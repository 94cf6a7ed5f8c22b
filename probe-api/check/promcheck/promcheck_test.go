package promcheck

import (
	"context"
	"io"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
)

func results(res api.Result) string {
	var s []string
	for _, c := range res.Conditions {
		s = append(s, c.Result)
	}
	return strings.Join(s, " | ")
}

// TestQuery runs the seed's "error rate above 5%" check against answers
// shaped like Prometheus's /api/v1/query.
func TestQuery(t *testing.T) {
	answers := map[string]string{
		"low":    `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"0.012"]}]}}`,
		"high":   `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"0.07"]}]}}`,
		"empty":  `{"status":"success","data":{"resultType":"vector","result":[]}}`,
		"nan":    `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"NaN"]}]}}`,
		"scalar": `{"status":"success","data":{"resultType":"scalar","result":[1700000000.1,"0.01"]}}`,
		"bad":    `{"status":"error","errorType":"bad_data","error":"parse error at char 3: secret stuff"}`,
		"matrix": `{"status":"success","data":{"resultType":"matrix","result":[]}}`,
	}
	var gotQuery atomic.Value
	srv, _ := probetest.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/prom/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query().Get("query")
		gotQuery.Store(q)
		io.WriteString(w, answers[strings.Fields(q)[0]])
	}))
	typ := New()
	defer typ.Close()
	tests := []struct {
		answer string
		status api.Status
		want   string
		detail string
	}{
		{"low", api.StatusUp, "[VALUE] (0.012) < 5%", "value 0.012"},
		{"high", api.StatusDown, "[VALUE] (0.07) < 5%", "value 0.07"},
		{"empty", api.StatusDown, "[VALUE] (missing) < 5%", "no data"},
		{"nan", api.StatusDown, "[VALUE] (missing) < 5%", "no data (NaN)"},
		{"scalar", api.StatusUp, "[VALUE] (0.01) < 5%", "value 0.01"},
		{"bad", api.StatusDown, "[VALUE] (missing) < 5%", "query failed (bad_data)"},
		{"matrix", api.StatusDown, "[VALUE] (missing) < 5%", "query must return a scalar or an instant vector, not matrix"},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			query := tt.answer + ` sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))`
			p := probetest.Build(t, "prometheus", typ, "url: "+srv.URL+"/prom/\nquery: '"+query+"'\nexpect: [\"[VALUE] < 5%\"]")
			res, _ := p.Run(context.Background())
			if res.Status != tt.status || results(res) != tt.want || res.Detail != tt.detail {
				t.Errorf("got %s %q %q, want %s %q %q", res.Status, results(res), res.Detail, tt.status, tt.want, tt.detail)
			}
			if got := gotQuery.Load(); got != query {
				t.Errorf("sent query %q", got)
			}
		})
	}
}

// TestScrape reads metrics from a real client_golang exposition endpoint:
// the seed's http_request_duration check as a p95 of a histogram, and a
// counter summed over the series that match labels.
func TestScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "h", Buckets: []float64{0.1, 0.25, 0.5, 1},
	}, []string{"method"})
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "c"}, []string{"method", "status"})
	sum := prometheus.NewSummary(prometheus.SummaryOpts{Name: "rpc_seconds", Help: "s", Objectives: map[float64]float64{0.5: 0.01, 0.9: 0.01}})
	reg.MustRegister(dur, reqs, sum)
	for i := 0; i < 100; i++ {
		// 90 fast GETs, 10 slow ones: p95 falls in the 0.5–1s bucket.
		if i < 90 {
			dur.WithLabelValues("GET").Observe(0.05)
		} else {
			dur.WithLabelValues("GET").Observe(0.8)
		}
		dur.WithLabelValues("POST").Observe(5)
		sum.Observe(0.2)
	}
	reqs.WithLabelValues("GET", "200").Add(90)
	reqs.WithLabelValues("GET", "500").Add(7)
	reqs.WithLabelValues("POST", "500").Add(3)
	srv, _ := probetest.Server(t, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	typ := New()
	defer typ.Close()
	tests := []struct {
		fields string
		status api.Status
		want   string
	}{
		// rank 95 of 100: 5 of the 10 in (0.5, 1] → 0.5 + 0.5*0.5 = 0.75s.
		{"metric: http_request_duration_seconds\nlabels: {method: GET}\nquantile: 0.95\nwarn: [\"[VALUE] < 500ms\"]",
			api.StatusDegraded, "[VALUE] (0.75) < 500ms"},
		{"metric: http_request_duration_seconds\nlabels: {method: GET}\nquantile: 0.5\nwarn: [\"[VALUE] < 500ms\"]",
			api.StatusUp, "[VALUE] (0.0555556) < 500ms"},
		{"metric: http_requests_total\nlabels: {status: \"500\"}\nexpect: [\"[VALUE] == 10\", \"[SERIES] == 2\"]",
			api.StatusUp, "[VALUE] (10) == 10 | [SERIES] (2) == 2"},
		{"metric: http_request_duration_seconds_count\nlabels: {method: POST}\nexpect: [\"[VALUE] == 100\"]",
			api.StatusUp, "[VALUE] (100) == 100"},
		{"metric: rpc_seconds\nquantile: 0.9\nexpect: [\"[VALUE] < 1s\"]",
			api.StatusUp, "[VALUE] (0.2) < 1s"},
		{"metric: not_there_total\nexpect: [\"[VALUE] >= 0\"]",
			api.StatusDown, "[VALUE] (missing) >= 0"},
	}
	for _, tt := range tests {
		t.Run(strings.Fields(tt.fields)[1], func(t *testing.T) {
			res, _ := probetest.Build(t, "prometheus", typ, "scrape: "+srv.URL+"/metrics\n"+tt.fields).Run(context.Background())
			if res.Status != tt.status || results(res) != tt.want {
				t.Errorf("got %s %q (%s), want %s %q", res.Status, results(res), res.Detail, tt.status, tt.want)
			}
		})
	}
}

func TestParseSample(t *testing.T) {
	name, labels, v, ok := parseSample(`req_total{path="/a\"b",le="+Inf"} 3.5 1700000000000`)
	if !ok || name != "req_total" || labels["path"] != `/a"b` || labels["le"] != "+Inf" || v != 3.5 {
		t.Errorf("parseSample = %q %v %v %v", name, labels, v, ok)
	}
	for _, bad := range []string{"# HELP x y", "", "x{a=\"b\" 1", "x notanumber", "x{a=b} 1"} {
		if _, _, _, ok := parseSample(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
}

func TestQuantile(t *testing.T) {
	bs := []bucket{{0.1, 0}, {0.5, 50}, {1, 100}, {math.Inf(1), 100}}
	if q := quantile(0.75, bs); q != 0.75 {
		t.Errorf("p75 = %v", q)
	}
	if q := quantile(0.5, []bucket{{1, 0}, {math.Inf(1), 0}}); !math.IsNaN(q) {
		t.Errorf("no observations: %v", q)
	}
	if q := quantile(0.5, []bucket{{1, 3}, {2, 5}}); !math.IsNaN(q) {
		t.Errorf("no +Inf bucket: %v", q)
	}
}
