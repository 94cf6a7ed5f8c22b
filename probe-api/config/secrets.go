package config

import (
	"encoding/base64"
	"net"
	"net/url"
	"strings"
)

// Secrets returns every value of the probe that must never be shown: what
// each ${VAR} expanded to (defaults included), the value of each Target,
// Addr, Secret, URL and DSN field as expanded, and the parts of them that
// drivers print or send on their own: an address's host; a URL's host,
// hostname, user and password (and their Basic credentials); a DSN's hosts,
// user, password and database, in URL and key=value form. Payloads and
// literal header values are not secrets, nor are public fields. A probe
// Decode has not read has only what its common fields expanded, which is
// nothing. The slice is shared: do not modify it.
func (p *Probe) Secrets() []string { return p.secrets }

func secretsOf(p *Probe, s Schema) []string {
	var out []string
	add := func(ss ...string) {
		for _, s := range ss {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	add(p.envParts...)
	for _, name := range p.order {
		v := p.Text(name)
		switch s[name] {
		case Target, Secret:
			add(v)
		case Addr:
			add(v)
			if host, _, err := net.SplitHostPort(v); err == nil {
				add(host)
			}
		case URL:
			add(v)
			if u, err := url.Parse(v); err == nil {
				add(urlParts(u, false)...)
			}
		case DSN:
			add(v)
			if u, err := url.Parse(v); err == nil && u.Scheme != "" {
				add(urlParts(u, true)...)
			} else {
				add(keywordParts(v)...)
			}
		}
	}
	seen := make(map[string]bool, len(out))
	uniq := out[:0]
	for _, s := range out {
		if !seen[s] {
			seen[s] = true
			uniq = append(uniq, s)
		}
	}
	return uniq
}

// urlParts lists a URL's hosts (each of a comma-separated list, as
// PostgreSQL allows), with and without port, and its user and password
// (for http, also as the Basic credentials sent).
// For a DSN it adds the database (the path) and the connection parameters
// of the query that name a host, user, password or database.
func urlParts(u *url.URL, dsn bool) []string {
	var out []string
	for _, h := range strings.Split(u.Host, ",") {
		out = append(out, h)
		if host, _, err := net.SplitHostPort(h); err == nil {
			out = append(out, host)
		}
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		out = append(out, u.User.String(), u.User.Username(), pw)
		if !dsn {
			// net/http sends them as Basic credentials, which an echoing
			// target shows back.
			out = append(out, base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw)))
		}
	}
	if dsn {
		out = append(out, strings.TrimPrefix(u.Path, "/"))
		q := u.Query()
		for _, k := range dsnSecretKeys {
			for _, v := range q[k] {
				out = append(out, strings.Split(v, ",")...)
			}
		}
	}
	return out
}

// dsnSecretKeys are the connection parameters whose values drivers print.
var dsnSecretKeys = []string{"host", "hostaddr", "user", "password", "dbname"}

// keywordParts lists the hosts, user, password and database of a key=value
// DSN ("host=db port=5432 user=probe dbname='my db'"), values unquoted as
// libpq reads them.
func keywordParts(dsn string) []string {
	var out []string
	for k, v := range keywords(dsn) {
		for _, want := range dsnSecretKeys {
			if k == want {
				out = append(out, v)
				if k == "host" || k == "hostaddr" {
					out = append(out, strings.Split(v, ",")...)
				}
			}
		}
	}
	return out
}

// keywords parses libpq's key = value list: values may be single-quoted,
// and a backslash escapes the next byte. A malformed list yields what was
// read before the fault.
func keywords(s string) map[string]string {
	out := map[string]string{}
	i := 0
	space := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	for {
		space()
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		key := s[start:i]
		space()
		if key == "" || i >= len(s) || s[i] != '=' {
			return out
		}
		i++
		space()
		var v strings.Builder
		quoted := i < len(s) && s[i] == '\''
		if quoted {
			i++
		}
		for i < len(s) {
			c := s[i]
			if quoted && c == '\'' {
				i++
				break
			}
			if !quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
				break
			}
			if c == '\\' && i+1 < len(s) {
				i++
				c = s[i]
			}
			v.WriteByte(c)
			i++
		}
		out[key] = v.String()
	}
}
