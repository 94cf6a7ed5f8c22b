package server

import (
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

// maxUser bounds the user name an audit line carries: the header is the
// proxy's to set, but a request without a proxy in front may send any.
const maxUser = 128

// audit records who asked for which probe's check, and how it was
// answered: one line in Options.Audit, and the requests counter (which
// never carries the user). No target and no secret: a request names only a
// probe ID.
func (s *Server) audit(r *http.Request, probe, outcome string, status api.Status) {
	s.m.requests.WithLabelValues(probe, outcome).Inc()
	if s.opts.Audit == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("user", s.user(r)),
		slog.String("client", clientKey(r, s.opts.ClientIPHeader)),
		slog.String("probe", probe),
		slog.String("outcome", outcome),
		slog.String("trigger", trigger(r)),
	}
	if status != "" {
		attrs = append(attrs, slog.String("status", string(status)))
	}
	s.opts.Audit.LogAttrs(r.Context(), slog.LevelInfo, "check request", attrs...)
}

// trigger says what sent a check request, as the client says: "auto" for
// the widgets' own checks (api.TriggerQuery), "tap" for anything else. Only
// those two words reach the log, whatever the query holds.
func trigger(r *http.Request) string {
	if r.URL.Query().Get("trigger") == "auto" {
		return "auto"
	}
	return "tap"
}

// user is the user Options.UserHeader names, "anonymous" without one, as
// printable text of at most maxUser bytes.
func (s *Server) user(r *http.Request) string {
	if s.opts.UserHeader == "" {
		return "anonymous"
	}
	u := strings.Map(func(c rune) rune {
		if unicode.IsPrint(c) {
			return c
		}
		return -1
	}, strings.TrimSpace(r.Header.Get(s.opts.UserHeader)))
	if len(u) > maxUser {
		u = u[:maxUser]
		for !utf8.ValidString(u) {
			u = u[:len(u)-1]
		}
	}
	if u == "" {
		return "anonymous"
	}
	return u
}
