package check

import (
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/stepcheck/stepcheck/probe-api/condition"
)

// Redactor removes a probe's secrets and anything that looks like a network
// address from text: the one filter for everything a result shows and every
// log line says about a check. It is immutable and safe for concurrent use.
//
// It replaces, with "[redacted]":
//   - each secret, and its URL- and JSON-escaped forms, wherever it occurs;
//   - URLs (scheme://...), and the values of DSN keys such as user=, host=,
//     database= and password=;
//   - the names in drivers' messages: role "x", user "x", database "x";
//   - the name in "lookup name", IPv4 and IPv6 addresses, and host:port.
//
// Clock times (12:30:00, 2024-05-01T12:30:00Z) are left alone. Secrets under
// 3 bytes, and the software defaults "postgres", "template0", "template1"
// and "default" (which are words in the messages themselves and reveal
// nothing), are not replaced as free text, though the patterns above still
// redact them where a driver names a user or database.
type Redactor struct {
	secrets []string // longest first
	// reach is how far past a point a secret or an address that starts
	// before it can run: the longest secret, or 512 bytes, which covers a
	// host name (at most 253) with its port.
	reach int
}

// wellKnown are default names that are not secret enough to replace
// wherever they occur: "postgres error 3D000" must stay readable.
var wellKnown = map[string]bool{"postgres": true, "template0": true, "template1": true, "default": true}

// NewRedactor returns a Redactor for the given secrets.
func NewRedactor(secrets ...string) *Redactor {
	seen := map[string]bool{}
	var list []string
	for _, s := range secrets {
		if len(s) < 3 || wellKnown[s] {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s), jsonEscape(s)} {
			if !seen[form] {
				seen[form] = true
				list = append(list, form)
			}
		}
	}
	// Longest first, so that a secret inside another is not replaced first
	// and leaves the rest of the longer one showing.
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	r := &Redactor{secrets: list, reach: 512}
	if len(list) > 0 && len(list[0]) > r.reach {
		r.reach = len(list[0])
	}
	return r
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// rule is one pattern and its replacement (which may name groups, as in
// regexp.Regexp.ReplaceAllString).
type rule struct {
	re   *regexp.Regexp
	with string
}

const unquoted = "[^\\s\"'`,;)]+"

var rules = []rule{
	// URLs, with whatever credentials, host and path they carry.
	{regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'` + "`" + `]+`), "[redacted]"},
	// DSN keys and pgx's "user=x database=y".
	{regexp.MustCompile(`\b(password|passwd|pwd|user|username|role|host|hostaddr|port|dbname|database|sslkey|sslcert|sslrootcert|sslpassword)(\s*=\s*)(?:'(?:[^'\\]|\\.)*'|` + unquoted + `)`), "${1}${2}[redacted]"},
	// PostgreSQL's messages: role "x", user "x", database "x", host "x".
	{regexp.MustCompile(`\b(role|user|database|host|relation|schema|table)\s+"[^"]*"`), `${1} "[redacted]"`},
	// Go's resolver: "lookup db.internal on 10.0.0.2:53".
	{regexp.MustCompile(`\blookup\s+[^\s:]+`), "lookup [redacted]"},
	// [IPv6] with an optional port.
	{regexp.MustCompile(`\[[0-9a-fA-F:.]+(?:%[0-9a-zA-Z._-]+)?\](?::\d{1,5})?`), "[redacted]"},
	// IPv4 with an optional port.
	{regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b`), "[redacted]"},
	// IPv6: eight groups, or compressed with "::".
	{regexp.MustCompile(`\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b` +
		`|\b(?:[0-9a-fA-F]{1,4}:)+:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?(?:%[0-9a-zA-Z._-]+)?`), "[redacted]"},
	{regexp.MustCompile(`(^|[^0-9a-zA-Z:])::[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*\b`), "${1}[redacted]"},
}

var _ condition.Redactor = (*Redactor)(nil)

// hostPort matches host:port; redactHostPorts leaves clock times alone.
var hostPort = regexp.MustCompile(`\b[a-zA-Z0-9][a-zA-Z0-9.-]*:\d{1,5}\b`)

// redactedPort catches the port left behind when a host was a secret.
var redactedPort = regexp.MustCompile(`\[redacted\]:\d{1,5}\b`)

// String returns s with every secret and every address-like token replaced
// by "[redacted]". Text with nothing to replace comes back as it is, without
// an allocation, which matters for the large values conditions show.
func (r *Redactor) String(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	for _, rl := range rules {
		if rl.re.MatchString(s) {
			s = rl.re.ReplaceAllString(s, rl.with)
		}
	}
	s = redactHostPorts(s)
	if redactedPort.MatchString(s) {
		s = redactedPort.ReplaceAllString(s, "[redacted]")
	}
	return s
}

// Prefix returns s redacted as String does, at least as far as secrets and
// addresses start within its first n bytes; it may drop text further on,
// so a condition that shows 64 bytes of a 16 MiB body redacts a few hundred
// bytes of it, not all. It implements condition.Redactor.
func (r *Redactor) Prefix(s string, n int) string {
	// A secret or address cut at end starts at most reach before it, and
	// that stretch comes out at most 4 times as long (a 3-byte secret
	// becomes "[redacted]"). So if the output is at least n + 4×reach long,
	// the cut one starts past the first n bytes and is not shown; if
	// replacements before it shrank the text that much, read further.
	for end := n + 4*r.reach; end < len(s); end *= 2 {
		if out := r.String(s[:end]); len(out) >= n+4*r.reach {
			return out
		}
	}
	return r.String(s)
}

// redactHostPorts replaces host:port, except where the host has no letter
// (10:30) or a third part follows (12:30:00, 2024-05-01T12:30:00Z): those
// are clock times.
func redactHostPorts(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range hostPort.FindAllStringIndex(s, -1) {
		host := s[m[0]:strings.LastIndexByte(s[:m[1]], ':')]
		if !strings.ContainsAny(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
			m[1]+1 < len(s) && s[m[1]] == ':' && s[m[1]+1] >= '0' && s[m[1]+1] <= '9' {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString("[redacted]")
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
