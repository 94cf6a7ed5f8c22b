package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Who may call the API is decided by two headers that a browser sets and a
// page cannot: Host, the name the browser resolved, and Origin, the page
// that asks.
//
// DNS rebinding is the attack this guards against: a page on evil.test
// makes its name resolve to the API's address, and the browser, believing
// it talks to evil.test, sends Host: evil.test and Origin: http://evil.test
// — a same-origin request as far as the browser knows. So the Host is
// checked first, and only names the API serves pass: its public origins'
// host names, and IP addresses and localhost, which a rebinding page cannot
// make a browser send (the browser sends the name it resolved). Then Origin
// must be a configured origin or the request's own (scheme, host and port).

// canonicalOrigin returns origin as scheme://host:port, lower case with
// the port spelled out, or an error when it is not a bare http(s) origin.
func canonicalOrigin(origin string) (string, error) {
	u, err := url.Parse(origin)
	switch {
	case err != nil:
		return "", fmt.Errorf("origin %q: %v", origin, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("origin %q: want http:// or https:// and a host", origin)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("origin %q: no host", origin)
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("origin %q: an origin is scheme://host[:port], nothing more", origin)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("origin %q: bad port", origin)
	}
	return u.Scheme + "://" + net.JoinHostPort(hostName(u.Hostname()), port), nil
}

// CheckOrigins returns an error naming each of origins that is not a bare
// scheme://host[:port] origin, as Options' origins must be.
func CheckOrigins(origins ...string) error {
	var errs []error
	for _, o := range origins {
		if _, err := canonicalOrigin(o); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// hostName lower-cases a host name and drops a trailing dot, so that
// "Example.COM." and "example.com" are one name.
func hostName(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// splitHost splits a Host header into its name (canonical, brackets
// removed) and port ("" when absent).
func splitHost(host string) (name, port string) {
	if h, p, err := net.SplitHostPort(host); err == nil {
		return hostName(h), p
	}
	return hostName(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")), ""
}

// origins is what the Server knows about who may call it.
type origins struct {
	// allowed holds the canonical CORS and public origins.
	allowed map[string]bool
	// names holds the host names of the public origins.
	names map[string]bool
}

func newOrigins(cors, public []string) (origins, error) {
	o := origins{allowed: map[string]bool{}, names: map[string]bool{}}
	var errs []error
	for i, list := range [][]string{cors, public} {
		for _, origin := range list {
			c, err := canonicalOrigin(origin)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			o.allowed[c] = true
			if i == 1 {
				u, _ := url.Parse(c)
				o.names[u.Hostname()] = true
			}
		}
	}
	return o, errors.Join(errs...)
}

// serves reports whether the API answers to the Host header host: an IP
// address, localhost, or a public origin's name, whatever the port (a
// proxy may forward the public name with or without it).
func (o origins) serves(host string) bool {
	name, _ := splitHost(host)
	if name == "" {
		return false
	}
	return name == "localhost" || net.ParseIP(name) != nil || o.names[name]
}

// allows reports whether a page at origin may call the API through r,
// whose Host the API serves: a configured origin, or r's own origin (its
// scheme, host and port, as a same-origin page sends it on POST).
func (o origins) allows(origin string, r *http.Request) bool {
	c, err := canonicalOrigin(origin)
	if err != nil {
		return false
	}
	if o.allowed[c] {
		return true
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	self, err := canonicalOrigin(scheme + "://" + r.Host)
	return err == nil && c == self
}

// GuardHost wraps h so that a request whose Host the API does not serve
// (see Options.PublicOrigins) gets 421 Misdirected Request. The API's own
// handler is guarded already; stepcheck serve guards its pages with it too,
// so a rebinding page can read no draft either.
func (s *Server) GuardHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.origins.serves(r.Host) {
			w.Header()["Cache-Control"] = noStore
			s.error(w, r, errorf(EMISDIRECTED, "this server does not answer to the host this request names; "+
				"reach it at its address or at localhost, or add the name's origin to --public-origin"))
			return
		}
		h.ServeHTTP(w, r)
	})
}
