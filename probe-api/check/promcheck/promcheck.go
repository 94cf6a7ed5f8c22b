// Package promcheck is the prometheus probe type, in one of two modes:
//
//   - query: an instant PromQL query against a Prometheus HTTP API (url is the
//     Prometheus base URL, e.g. http://prometheus:9090). [VALUE] is the first
//     sample of the result, [SERIES] how many series came back.
//   - scrape: one metric read from an exposition endpoint (scrape is its URL;
//     metric, optional labels and quantile choose the series). [VALUE] is the
//     sum of the matching series, or with quantile the quantile of a summary
//     or histogram (interpolated like histogram_quantile), in the metric's
//     unit; [SERIES] is how many series matched.
//
// Both add [RESPONSE_TIME]. No data, or NaN, leaves [VALUE] missing, which
// fails any condition on it: write queries that return 0 when quiet (e.g.
// "... or vector(0)") if quiet is fine.
package promcheck

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/internal/fetch"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// vars are the variables a prometheus probe's conditions may use.
var vars = []string{"VALUE", "SERIES", "RESPONSE_TIME"}

// DefaultMaxBody is the default of max_body: how much of a query answer or a
// scraped page is read.
const DefaultMaxBody = 8 << 20

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// Type builds prometheus checkers. They share one HTTP client. Type is safe
// for concurrent use.
type Type struct {
	client *http.Client
}

var _ check.Type = (*Type)(nil)

// New returns a Type with its own client.
func New() *Type { return &Type{client: fetch.NewClient()} }

// Close closes the client's idle connections.
func (t *Type) Close() error {
	t.client.CloseIdleConnections()
	return nil
}

// Fields are the fields a prometheus probe has.
func (t *Type) Fields() config.Schema {
	return config.Schema{"url": config.URL, "query": config.Payload, "scrape": config.URL, "metric": config.Text,
		"labels": config.Labels, "quantile": config.Fraction, "headers": config.Headers, "max_body": config.Size}
}

// New validates p and returns its Checker. It needs either url and query, or
// scrape and metric (with optional labels and quantile); both modes take
// headers and max_body.
func (t *Type) New(p *config.Probe) (check.Checker, error) {
	if err := p.RequireVars(vars...); err != nil {
		return nil, err
	}
	max := p.Size("max_body")
	if max == 0 {
		max = DefaultMaxBody
	}
	switch {
	case p.Has("query") && p.Has("scrape"):
		return nil, p.FieldErr(config.ErrInvalid, "scrape", "give either url with query, or scrape with metric, not both")
	case p.Has("query"):
		if err := errors.Join(p.Require("url"), p.Only("url", "query", "headers", "max_body")); err != nil {
			return nil, err
		}
		base, err := fetch.ParseURL(p.Text("url"))
		if err != nil {
			return nil, p.FieldErr(config.ErrInvalid, "url", err.Error())
		}
		u := *base
		u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v1/query"
		u.RawQuery = url.Values{"query": {p.Text("query")}}.Encode()
		return &checker{client: t.client, req: fetch.Request{URL: &u, Headers: p.Map("headers"), MaxBody: max}, read: readQuery}, nil
	case p.Has("scrape"):
		if err := errors.Join(p.Require("metric"), p.Only("scrape", "metric", "labels", "quantile", "headers", "max_body")); err != nil {
			return nil, err
		}
		u, err := fetch.ParseURL(p.Text("scrape"))
		if err != nil {
			return nil, p.FieldErr(config.ErrInvalid, "scrape", err.Error())
		}
		metric := p.Text("metric")
		if !metricName.MatchString(metric) {
			return nil, p.FieldErr(config.ErrInvalid, "metric", "must be a metric name such as http_requests_total")
		}
		quantile, hasQuantile := p.Fraction("quantile")
		sel := selector{metric: metric, labels: p.Map("labels"), quantile: quantile, hasQuantile: hasQuantile}
		headers := map[string]string{"Accept": "text/plain;version=0.0.4"}
		for k, v := range p.Map("headers") {
			headers[k] = v
		}
		return &checker{client: t.client, req: fetch.Request{URL: u, Headers: headers, MaxBody: max}, read: sel.read}, nil
	}
	return nil, p.FieldErr(config.ErrMissing, "query", "give url with query, or scrape with metric")
}

type checker struct {
	client *http.Client
	req    fetch.Request
	read   func(body []byte, obs *check.Observation) error
}

func (c *checker) Check(ctx context.Context) (*check.Observation, error) {
	obs := check.NewObservation()
	resp, err := fetch.Do(ctx, c.client, c.req)
	if err != nil {
		return obs, err
	}
	obs.Set("RESPONSE_TIME", condition.Duration(resp.Elapsed))
	if resp.Status != http.StatusOK {
		return obs, check.Safe("HTTP "+strconv.Itoa(resp.Status)+" from the metrics endpoint", nil)
	}
	if resp.Truncated {
		return obs, check.Safe("answer larger than max_body ("+condition.Bytes(float64(c.req.MaxBody)).String()+")", nil)
	}
	return obs, c.read(resp.Body, obs)
}

// setValue records [VALUE] unless v is NaN or infinite, and [SERIES].
func setValue(obs *check.Observation, v float64, series int) {
	obs.Set("SERIES", condition.Number(float64(series)))
	switch {
	case series == 0:
		obs.Detail = "no data"
	case math.IsNaN(v) || math.IsInf(v, 0):
		obs.Detail = "no data (" + strconv.FormatFloat(v, 'g', -1, 64) + ")"
	default:
		obs.Set("VALUE", condition.Number(v))
		obs.Detail = "value " + condition.Number(v).String()
		if series > 1 {
			obs.Detail += " (" + strconv.Itoa(series) + " series)"
		}
	}
}

// readQuery reads a /api/v1/query answer.
func readQuery(body []byte, obs *check.Observation) error {
	var ans struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Data      struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return check.Safe("not a Prometheus API answer", err)
	}
	if ans.Status != "success" {
		return check.Safe("query failed ("+safeWord(ans.ErrorType)+")", nil)
	}
	switch ans.Data.ResultType {
	case "scalar":
		var s [2]json.RawMessage
		if err := json.Unmarshal(ans.Data.Result, &s); err != nil {
			return check.Safe("bad scalar result", err)
		}
		v, err := sampleValue(s[1])
		if err != nil {
			return err
		}
		setValue(obs, v, 1)
	case "vector":
		var vec []struct {
			Value [2]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(ans.Data.Result, &vec); err != nil {
			return check.Safe("bad vector result", err)
		}
		if len(vec) == 0 {
			setValue(obs, 0, 0)
			return nil
		}
		v, err := sampleValue(vec[0].Value[1])
		if err != nil {
			return err
		}
		setValue(obs, v, len(vec))
	default:
		return check.Safe("query must return a scalar or an instant vector, not "+safeWord(ans.Data.ResultType), nil)
	}
	return nil
}

func sampleValue(raw json.RawMessage) (float64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, check.Safe("bad sample value", err)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, check.Safe("bad sample value", err)
	}
	return v, nil
}

// safeWord keeps a short identifier from a remote answer, or nothing.
func safeWord(s string) string {
	if len(s) > 32 {
		return "?"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_') {
			return "?"
		}
	}
	return s
}

// selector chooses series from an exposition page.
type selector struct {
	metric      string
	labels      map[string]string
	quantile    float64
	hasQuantile bool
}

type bucket struct{ le, count float64 }

func (s selector) read(body []byte, obs *check.Observation) error {
	var sum float64
	series := 0
	var summary []float64
	buckets := map[float64]float64{} // le -> cumulative count, summed over series
	for _, line := range strings.Split(string(body), "\n") {
		name, labels, value, ok := parseSample(line)
		if !ok || !s.matches(labels) {
			continue
		}
		switch {
		case name == s.metric && s.hasQuantile:
			if q, err := strconv.ParseFloat(labels["quantile"], 64); err == nil && q == s.quantile {
				summary = append(summary, value)
			}
		case name == s.metric:
			sum += value
			series++
		case s.hasQuantile && name == s.metric+"_bucket":
			le, err := strconv.ParseFloat(labels["le"], 64)
			if err == nil {
				buckets[le] += value
			}
		}
	}
	switch {
	case !s.hasQuantile:
		setValue(obs, sum, series)
	case len(summary) > 0:
		v := 0.0
		for _, x := range summary {
			v = math.Max(v, x)
		}
		setValue(obs, v, len(summary))
	case len(buckets) > 0:
		bs := make([]bucket, 0, len(buckets))
		for le, c := range buckets {
			bs = append(bs, bucket{le, c})
		}
		sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
		setValue(obs, quantile(s.quantile, bs), 1)
	default:
		setValue(obs, 0, 0)
	}
	return nil
}

func (s selector) matches(labels map[string]string) bool {
	for k, v := range s.labels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// quantile estimates the q-quantile from cumulative buckets sorted by le, by
// linear interpolation within the bucket, as PromQL's histogram_quantile
// does. It returns NaN without a +Inf bucket or without observations.
func quantile(q float64, bs []bucket) float64 {
	if len(bs) < 2 || !math.IsInf(bs[len(bs)-1].le, 1) {
		return math.NaN()
	}
	total := bs[len(bs)-1].count
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	i := sort.Search(len(bs), func(i int) bool { return bs[i].count >= rank })
	if i == len(bs)-1 {
		return bs[len(bs)-2].le
	}
	if i == 0 && bs[0].le <= 0 {
		return bs[0].le
	}
	lower, prev := 0.0, 0.0
	if i > 0 {
		lower, prev = bs[i-1].le, bs[i-1].count
	}
	upper, count := bs[i].le, bs[i].count-prev
	if count == 0 {
		return upper
	}
	return lower + (upper-lower)*((rank-prev)/count)
}

// parseSample parses one sample line of the text exposition format:
// name{label="value",...} value [timestamp]. Comments and blank lines are
// not samples.
func parseSample(line string) (name string, labels map[string]string, value float64, ok bool) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", nil, 0, false
	}
	i := 0
	for i < len(line) && line[i] != '{' && line[i] != ' ' && line[i] != '\t' {
		i++
	}
	name, rest := line[:i], line[i:]
	labels = map[string]string{}
	if strings.HasPrefix(rest, "{") {
		var good bool
		rest, good = parseLabels(rest[1:], labels)
		if !good {
			return "", nil, 0, false
		}
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return "", nil, 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return "", nil, 0, false
	}
	return name, labels, v, true
}

// parseLabels reads label="value" pairs up to the closing brace and returns
// what follows it.
func parseLabels(s string, into map[string]string) (string, bool) {
	for {
		s = strings.TrimLeft(s, " ,")
		if strings.HasPrefix(s, "}") {
			return s[1:], true
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return "", false
		}
		key := strings.TrimSpace(s[:eq])
		s = s[eq+2:]
		var b strings.Builder
		i := 0
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					b.WriteByte('\n')
				default:
					b.WriteByte(s[i])
				}
				continue
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return "", false
		}
		into[key] = b.String()
		s = s[i+1:]
	}
}
