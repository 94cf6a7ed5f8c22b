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

// Response is what came back. Body holds at most MaxBody bytes, in a buffer
// of at most MaxBody; Truncated says the target sent more, which was not
// read.
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
	size := resp.ContentLength
	if method == http.MethodHead {
		size = 0
	}
	out.Body, out.Truncated, err = readBody(resp.Body, size, req.MaxBody)
	out.Elapsed = time.Since(start)
	return out, err
}

// firstRead is the buffer a body of unknown length starts in. Most answers
// fit; a longer one moves once to a buffer of the whole limit.
const firstRead = 64 << 10

// readBody reads at most max bytes of r into one buffer and reports whether
// more followed. The buffer is never larger than max: it is size bytes when
// the length is known (size >= 0, and max when size is more), else
// firstRead, growing straight to max only if the body goes on. So a body
// costs its own length when the target says it, at most max plus firstRead
// when not, never the doubling of io.ReadAll.
func readBody(r io.Reader, size, max int64) (body []byte, truncated bool, err error) {
	switch {
	case size > max:
		size = max
	case size < 0:
		size = min(max, firstRead)
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			// Full: read one byte more to learn whether the body goes on.
			var one [1]byte
			n, err := io.ReadFull(r, one[:])
			if n == 0 {
				if err == io.EOF {
					err = nil
				}
				return buf, false, err
			}
			if int64(len(buf)) >= max {
				return buf, true, nil
			}
			grown := make([]byte, len(buf), max)
			copy(grown, buf)
			buf = append(grown, one[0])
			continue
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
}
