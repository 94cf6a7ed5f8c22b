package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"
	"time"
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
