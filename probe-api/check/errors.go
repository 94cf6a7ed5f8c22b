package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/config"
)

// SafeError is an error whose Message may be shown to a browser as it is.
// Checkers wrap a failure in one (with Safe) when they can say more than
// Describe's generic classes without revealing a target or a secret.
type SafeError struct {
	Message string
	Err     error
}

func (e *SafeError) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

func (e *SafeError) Unwrap() error { return e.Err }

// Safe returns a *SafeError. msg must not contain a target or a secret.
func Safe(msg string, err error) error { return &SafeError{Message: msg, Err: err} }

// Describe returns a short description of a check error that is safe to show
// to anyone: a timeout, a refused or reset connection, a failed name lookup
// or TLS handshake, a SafeError's message, or else "check failed". It never
// includes the error's text, which may name hosts or carry credentials.
func Describe(err error, timeout time.Duration) string {
	var safe *SafeError
	var dns *net.DNSError
	var netErr net.Error
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.Is(err, ErrNotRun):
		if errors.As(err, &safe) {
			return safe.Message
		}
		return "check could not run"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out after " + timeout.String()
	case errors.As(err, &safe):
		return safe.Message
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.As(err, &dns):
		return "name lookup failed"
	case errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &certErr),
		errors.As(err, &recordErr), errors.As(err, &alert):
		return "TLS handshake failed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by target"
	case errors.Is(err, context.Canceled):
		return "check cancelled"
	}
	return "check failed"
}

// Redactor removes known secrets and anything that looks like a network
// address from text. It is immutable and safe for concurrent use.
type Redactor struct {
	secrets []string // longest first
}

// NewRedactor returns a Redactor for the given secrets; empty and very short
// (under 3 bytes) ones are ignored.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	seen := map[string]bool{}
	for _, s := range secrets {
		if len(s) >= 3 && !seen[s] {
			seen[s] = true
			r.secrets = append(r.secrets, s)
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	return r
}

// addressLike matches URLs, key=value DSN credentials and hosts, IPv4 and
// bracketed IPv6 addresses with or without a port, and host:port pairs.
var addressLike = regexp.MustCompile(
	`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'` + "`" + `]+` +
		`|\b(?:password|passwd|pwd|user|host|hostaddr|dbname|sslkey|sslpassword)\s*=\s*[^\s"'` + "`" + `]+` +
		`|\[[0-9a-fA-F:.%]+\](?::\d+)?` +
		`|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b` +
		`|\b[a-zA-Z0-9][a-zA-Z0-9.-]*:\d{1,5}\b` +
		`|\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}\b`)

// redactedPort catches the port left behind when a host was a secret.
var redactedPort = regexp.MustCompile(`\[redacted\]:\d{1,5}\b`)

// String returns s with every secret and every address-like token replaced
// by "[redacted]".
func (r *Redactor) String(s string) string {
	s = addressLike.ReplaceAllString(s, "[redacted]")
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return redactedPort.ReplaceAllString(s, "[redacted]")
}

// secretsOf lists what must never appear in a log line about p: every target
// field, each URL's host and userinfo, and header values.
func secretsOf(p *config.Probe) []string {
	out := []string{p.URL, p.Scrape, p.DSN, p.Addr, p.Password, p.Username, p.Body}
	for _, v := range p.Headers {
		out = append(out, v)
	}
	for _, loc := range []string{p.URL, p.Scrape, p.DSN} {
		if u, err := url.Parse(loc); err == nil && u.Host != "" {
			out = append(out, u.Host, u.Hostname(), u.User.String())
			if pw, ok := u.User.Password(); ok {
				out = append(out, pw)
			}
		}
		for _, f := range strings.Fields(loc) {
			if k, v, ok := strings.Cut(f, "="); ok && (k == "host" || k == "password" || k == "user" || k == "hostaddr") {
				out = append(out, v)
			}
		}
	}
	if host, _, err := net.SplitHostPort(p.Addr); err == nil {
		out = append(out, host)
	}
	return out
}
