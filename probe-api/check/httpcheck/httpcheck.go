// Package httpcheck is the http probe type: one declared request, with
// conditions on [STATUS], [BODY] (text, regexp or .json.path) and
// [RESPONSE_TIME]. Redirects are not followed, and the body is read through a
// limit (max_body, default 1 MiB).
package httpcheck

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/internal/fetch"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// DefaultMaxBody is the default of max_body.
const DefaultMaxBody = 1 << 20

// vars are the variables an http probe's conditions may use.
var vars = []string{"STATUS", "BODY", "RESPONSE_TIME"}

var methods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodOptions: true}

// Type builds http checkers. They share one client and its idle
// connections. Type is safe for concurrent use.
type Type struct {
	client *http.Client
}

var _ check.Type = (*Type)(nil)

// New returns a Type with its own client.
func New() *Type {
	return &Type{client: fetch.NewClient()}
}

// Close closes the client's idle connections.
func (t *Type) Close() error {
	t.client.CloseIdleConnections()
	return nil
}

// Fields are the fields an http probe has.
func (t *Type) Fields() config.Schema {
	return config.Schema{"method": config.Text, "url": config.URL, "headers": config.Headers, "body": config.Payload, "max_body": config.Size}
}

// New validates p and returns its Checker. It needs url; it takes method (GET,
// HEAD, POST or OPTIONS; default GET), headers, body and max_body. When no
// expect condition tests [STATUS], the checker adds "[STATUS] < 300".
func (t *Type) New(p *config.Probe) (check.Checker, error) {
	if err := errors.Join(p.Require("url"), p.RequireVars(vars...)); err != nil {
		return nil, err
	}
	u, err := fetch.ParseURL(p.Text("url"))
	if err != nil {
		return nil, p.FieldErr(config.ErrInvalid, "url", err.Error())
	}
	method := p.Text("method")
	if method == "" {
		method = http.MethodGet
	}
	if !methods[method] {
		return nil, p.FieldErr(config.ErrInvalid, "method", "must be GET, HEAD, POST or OPTIONS")
	}
	max := p.Size("max_body")
	if max == 0 {
		max = DefaultMaxBody
	}
	c := &checker{client: t.client, req: fetch.Request{Method: method, URL: u, Headers: p.Map("headers"), Body: p.Text("body"), MaxBody: max}}
	for _, cond := range p.Expect {
		c.testsStatus = c.testsStatus || cond.Var().Name == "STATUS"
	}
	return c, nil
}

type checker struct {
	client      *http.Client
	req         fetch.Request
	testsStatus bool
}

func (c *checker) Defaults() (expect, warn []string) {
	if c.testsStatus {
		return nil, nil
	}
	return []string{"[STATUS] < 300"}, nil
}

func (c *checker) Check(ctx context.Context) (*check.Observation, error) {
	obs := check.NewObservation()
	resp, err := fetch.Do(ctx, c.client, c.req)
	if resp == nil {
		return obs, err
	}
	obs.Set("STATUS", condition.Number(float64(resp.Status)))
	obs.Detail = "HTTP " + strconv.Itoa(resp.Status)
	if resp.Status >= 300 && resp.Status < 400 {
		obs.Detail += " (redirect not followed)"
	}
	if err != nil {
		return obs, err // the body broke off while reading
	}
	obs.Set("RESPONSE_TIME", condition.Duration(resp.Elapsed))
	obs.SetBody(resp.Body)
	if resp.Truncated {
		obs.Detail += "; body cut at " + condition.Bytes(float64(c.req.MaxBody)).String()
	}
	return obs, nil
}
