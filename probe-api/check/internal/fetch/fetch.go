// Package fetch makes the HTTP requests of the http and prometheus probe
// types: no redirects followed, no proxy from the environment, and response
// bodies read through a limit.
package fetch

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrBadURL is returned by ParseURL for anything but an absolute http or
// https URL with a host.
var ErrBadURL = errors.New("must be an absolute http:// or https:// URL")

// ParseURL parses an http or https URL with a host. Its error never contains
// the URL, which may carry credentials.
func ParseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, ErrBadURL
	}
	return u, nil
}

// NewClient returns a client that never follows redirects, ignores proxy
// environment variables and keeps a few idle connections per target.
// Deadlines come from each request's context.
func NewClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext:           (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Request is one declared request.
type Request struct {
	Method  string // default GET
	URL     *url.URL
	Headers map[string]string // Host sets the request's Host
	Body    string
	MaxBody int64 // bytes kept from the body
}

// Response is what came back. Body holds at most MaxBody bytes; Truncated
// says the target sent more, which was not read.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
	Elapsed   time.Duration // from sending to the end of the read body
}

// Do sends req with c under ctx. The response body is read through a limit
// and closed; a truncated body ends the connection rather than draining it.
func Do(ctx context.Context, c *http.Client, req Request) (*Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, req.URL.String(), body)
	if err != nil {
		return nil, err
	}
	hr.Header.Set("User-Agent", "stepcheck-probe")
	for k, v := range req.Headers {
		if strings.EqualFold(k, "Host") {
			hr.Host = v
			continue
		}
		hr.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := c.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &Response{Status: resp.StatusCode, Header: resp.Header}
	out.Body, err = io.ReadAll(io.LimitReader(resp.Body, req.MaxBody+1))
	if int64(len(out.Body)) > req.MaxBody {
		out.Body, out.Truncated = out.Body[:req.MaxBody], true
	}
	out.Elapsed = time.Since(start)
	if err != nil {
		return out, err
	}
	return out, nil
}
