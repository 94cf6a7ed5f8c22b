package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// schemas stand in for the probe types' own Fields, which live in packages
// that import this one; check/builtin's tests hold the real ones to the
// same rules.
var schemas = map[string]Schema{
	"http":       {"method": Text, "url": URL, "headers": Headers, "body": Payload, "max_body": Size},
	"tcp":        {"addr": Addr},
	"tls":        {"addr": Addr, "server_name": Target, "ca_file": Payload},
	"postgres":   {"dsn": DSN, "check": Text, "older_than": Duration},
	"redis":      {"addr": Addr, "username": Target, "password": Secret, "db": Int, "check": Text, "section": Text},
	"prometheus": {"url": URL, "query": Payload, "scrape": URL, "metric": Text, "labels": Labels, "quantile": Fraction, "headers": Headers, "max_body": Size},
}

// parse is Parse followed by each probe's Decode with its type's schema, as
// the check registry does, with every error in file order.
func parse(path string, data []byte, lookup LookupEnv) (*Catalogue, error) {
	cat, err := Parse(path, data, lookup)
	return decodeAll(cat, err)
}

func decodeAll(cat *Catalogue, err error) (*Catalogue, error) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = append(errs, err)
	}
	for i, p := range cat.Probes {
		dp, derr := p.Decode(schemas[p.Type])
		cat.Probes[i], cat.byID[p.ID] = dp, dp
		if j, ok := derr.(interface{ Unwrap() []error }); ok {
			errs = append(errs, j.Unwrap()...)
		}
	}
	sortErrors(errs)
	return cat, errors.Join(errs...)
}

func env(m map[string]string) LookupEnv {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestParseReference(t *testing.T) {
	data, err := os.ReadFile("testdata/probes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := parse("testdata/probes.yaml", data, env(map[string]string{
		"PG_DSN":        "postgres://probe:s3cret@db.internal:5432/app",
		"BACKEND_TOKEN": "tok",
		"REDIS_ADDR":    "",
	}))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	if len(cat.Probes) != 14 || cat.Probes[0].ID != "backend-live" || cat.Probes[12].ID != "latency-p95" {
		t.Fatalf("probes out of order or missing: %d", len(cat.Probes))
	}
	be, _ := cat.Probe("backend-live")
	if be.Text("url") != "http://127.0.0.1:3001/api/health/live" || be.Timeout != 2*time.Second || be.Map("headers")["Authorization"] != "Bearer tok" {
		t.Errorf("backend-live = %+v", be)
	}
	if len(be.Expect) != 2 || be.Expect[1].Text() != "[BODY].status == ok" || len(be.Warn) != 1 {
		t.Errorf("conditions = %v %v", be.Expect, be.Warn)
	}
	pg, _ := cat.Probe("pg-ready")
	if pg.Text("dsn") != "postgres://probe:s3cret@db.internal:5432/app" {
		t.Errorf("DSN not taken from the environment: %q", pg.Text("dsn"))
	}
	es, _ := cat.Probe("es-cluster")
	if es.Title != "Elasticsearch cluster" || es.Timeout != DefaultTimeout {
		t.Errorf("defaults not applied: %+v", es)
	}
	// An empty variable with a default takes the default, as in the shell.
	rd, _ := cat.Probe("redis-info")
	if rd.Text("addr") != "127.0.0.1:6379" || rd.Text("password") != "" {
		t.Errorf("redis addr = %q", rd.Text("addr"))
	}
	lq, _ := cat.Probe("pg-long-queries")
	if lq.Duration("older_than") != 5*time.Minute {
		t.Errorf("older_than = %v", lq.Duration("older_than"))
	}
	lat, _ := cat.Probe("latency-p95")
	q, hasQ := lat.Fraction("quantile")
	if !hasQ || q != 0.95 || lat.Map("labels")["method"] != "GET" {
		t.Errorf("latency-p95 = %+v", lat)
	}
	home, _ := cat.Probe("home-page")
	if home.Size("max_body") != 64<<10 || home.Text("method") != "HEAD" {
		t.Errorf("home-page = %+v", home)
	}
	pub := cat.Public()
	if pub[0].ID != "backend-live" || pub[0].Service != "backend" || pub[0].Type != "http" {
		t.Errorf("Public()[0] = %+v", pub[0])
	}
}

func TestFingerprint(t *testing.T) {
	src := "probes:\n  a:\n    type: tcp\n    addr: ${ADDR}\n"
	parse := func(addr string) string {
		cat, err := parse("p.yaml", []byte(src), env(map[string]string{"ADDR": addr}))
		if err != nil {
			t.Fatal(err)
		}
		return cat.Probes[0].Fingerprint()
	}
	a, b, a2 := parse("127.0.0.1:1"), parse("127.0.0.1:2"), parse("127.0.0.1:1")
	if a == b || a != a2 || strings.Contains(a, "127") {
		t.Errorf("fingerprints %q %q %q", a, b, a2)
	}
}

func TestPublicFieldsAndConditionsAreNotExpanded(t *testing.T) {
	src := "probes:\n  a:\n    title: Cost ${SECRET}\n    type: tcp\n    addr: 127.0.0.1:1\n    expect: [\"[CONNECTED] == ${SECRET}\"]\n"
	cat, err := parse("p.yaml", []byte(src), env(map[string]string{"SECRET": "hunter2"}))
	if err != nil {
		t.Fatal(err)
	}
	p := cat.Probes[0]
	if p.Title != "Cost ${SECRET}" || strings.Contains(p.Expect[0].Text(), "hunter2") {
		t.Errorf("expanded a public field: %q %q", p.Title, p.Expect[0].Text())
	}
}

func TestExpand(t *testing.T) {
	look := env(map[string]string{"A": "x", "EMPTY": ""})
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"${A}", "x"},
		{"${A:-d}", "x"},
		{"${B:-d}", "d"},
		{"${EMPTY:-d}", "d"},
		{"${EMPTY}", ""},
		{"${B:-}", ""},
		{"$$A and $A", "$A and $A"},
		{"a${A}b${B:-c}d", "axbcd"},
		{"trailing $", "trailing $"},
	}
	for _, tt := range tests {
		got, err := expand(tt.in, look, nil)
		if err != nil || got != tt.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // each "line:col: message part"
		is   error
	}{
		{"unset variable", "probes:\n  a:\n    type: tcp\n    addr: x${NOPE}\n",
			[]string{"4:12: probe a: addr: environment variable NOPE is not set"}, ErrUnsetEnv},
		{"unset variable in quotes", "probes:\n  a:\n    type: tcp\n    addr: \"${NOPE}\"\n",
			[]string{"4:12: probe a: addr: environment variable NOPE is not set"}, ErrUnsetEnv},
		{"literal password", "probes:\n  a:\n    type: redis\n    password: hunter2\n",
			[]string{"4:15: probe a: password: must come from the environment"}, ErrLiteralSecret},
		{"password as a default", "probes:\n  a:\n    type: redis\n    password: ${P:-hunter2}\n",
			[]string{"4:15: probe a: password: must come from the environment"}, ErrLiteralSecret},
		{"DSN with a password", "probes:\n  a:\n    type: postgres\n    dsn: postgres://u:hunter2@h/db\n",
			[]string{"4:10: probe a: dsn: contains a password written into the file"}, ErrLiteralSecret},
		{"DSN default with a password", "probes:\n  a:\n    type: postgres\n    dsn: ${DSN:-postgres://u:hunter2@h/db}\n",
			[]string{"4:10: probe a: dsn: contains a password"}, ErrLiteralSecret},
		{"keyword DSN with a password", "probes:\n  a:\n    type: postgres\n    dsn: host=h password=hunter2\n",
			[]string{"4:10: probe a: dsn: contains a password"}, ErrLiteralSecret},
		{"literal authorization header", "probes:\n  a:\n    type: http\n    headers: {Authorization: Bearer abc123}\n",
			[]string{"4:30: probe a: headers: Authorization must come from the environment"}, ErrLiteralSecret},
		{"unknown field", "probes:\n  a:\n    type: tcp\n    adress: x\n",
			[]string{`4:5: probe a: unknown field "adress"`}, ErrUnknownField},
		{"unknown top-level key", "probe:\n  a: {}\n",
			[]string{`1:1: unknown top-level key "probe"`, "1:1: the catalogue has no 'probes' mapping"}, ErrUnknownField},
		{"bad ID", "probes:\n  Bad_ID:\n    type: tcp\n",
			[]string{`2:3: probe ID "Bad_ID" must be lowercase`}, ErrInvalid},
		{"duplicate ID", "probes:\n  a:\n    type: tcp\n  a:\n    type: tcp\n",
			[]string{"4:3: probe a is declared twice (first at line 2)"}, ErrInvalid},
		{"missing type", "probes:\n  a:\n    title: A\n",
			[]string{"2:3: probe a: type: required"}, ErrMissing},
		{"bad timeout", "probes:\n  a:\n    type: tcp\n    timeout: soon\n",
			[]string{"4:14: probe a: timeout: must be a duration"}, ErrInvalid},
		{"timeout too long", "probes:\n  a:\n    type: tcp\n    timeout: 2h\n",
			[]string{"4:14: probe a: timeout: must be more than 0 and at most 1m0s"}, ErrInvalid},
		{"bad condition", "probes:\n  a:\n    type: tcp\n    expect:\n      - \"[STATUS] 200\"\n",
			[]string{"5:9: probe a: expect: invalid condition: expected an operator"}, ErrInvalid},
		{"conditions not a list", "probes:\n  a:\n    type: tcp\n    warn: \"[STATUS] == 200\"\n",
			[]string{"4:11: probe a: warn: must be a list"}, ErrInvalid},
		{"bad size", "probes:\n  a:\n    type: http\n    max_body: 1TB\n",
			[]string{"4:15: probe a: max_body: must be a size"}, ErrInvalid},
		{"bad quantile", "probes:\n  a:\n    type: prometheus\n    quantile: 95\n",
			[]string{"4:15: probe a: quantile: must be a number from 0 to 1"}, ErrInvalid},
		{"YAML syntax", "probes:\n  a:\n    type: tcp\n  b: c: d\n",
			[]string{"4:1: mapping values are not allowed in this context"}, ErrSyntax},
		{"not a mapping", "- a\n- b\n", []string{"1:1: the catalogue must be a mapping"}, ErrInvalid},
		{"empty file", "", []string{"1:1: empty catalogue"}, ErrMissing},
		{"probe not a mapping", "probes:\n  a: tcp\n", []string{"2:6: probe a must be a mapping"}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("p.yaml", []byte(tt.src), env(nil))
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error does not wrap %v: %v", tt.is, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), "p.yaml:"+w) {
					t.Errorf("missing %q in:\n%v", "p.yaml:"+w, err)
				}
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "abc123") {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

func TestParseReportsEveryError(t *testing.T) {
	src := "probes:\n  a:\n    type: tcp\n    timeout: x\n  b:\n    type: tcp\n    addr: ${NOPE}\n  c:\n    nope: 1\n"
	_, err := parse("p.yaml", []byte(src), env(nil))
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		lines = append(lines, l[:strings.Index(l, ": ")])
	}
	if strings.Join(lines, " ") != "p.yaml:4:14 p.yaml:7:11 p.yaml:8:3 p.yaml:9:5" {
		t.Errorf("errors not all reported in file order:\n%v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "probes.yaml")
	if err := os.WriteFile(path, []byte("probes:\n  a:\n    type: tcp\n    addr: ${STEPCHECK_TEST_ADDR}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STEPCHECK_TEST_ADDR", "127.0.0.1:9")
	cat, err := decodeAll(Load(path))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := cat.Probe("a"); p.Text("addr") != "127.0.0.1:9" || cat.Path != path {
		t.Errorf("Load = %+v", p)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v", err)
	}
}

// FuzzParse feeds the loader arbitrary catalogues, seeded from the
// reference catalogue and the site's own. It must never panic, and every
// error must be a positioned *Error.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/probes.yaml", filepath.Join("..", "..", "content", "probes.yaml")} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("probes:\n  a:\n    type: tcp\n    addr: ${X:-127.0.0.1:1}\n"))
	f.Add([]byte("probes:\n  a: &x\n    type: tcp\n  b: *x\n"))
	f.Add([]byte("probes: {a: {type: http, headers: {Authorization: \"Bearer ${T}\"}}}"))
	look := env(map[string]string{"X": "127.0.0.1:2", "T": "t"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := parse("f.yaml", data, look)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yaml:") {
					t.Fatalf("error without a position: %q", line)
				}
			}
			return
		}
		for _, p := range cat.Probes {
			if p.Type == "" || p.Title == "" || p.Timeout <= 0 {
				t.Fatalf("probe %q accepted without defaults: %+v", p.ID, p)
			}
		}
	})
}

func TestParseWithoutEnvironment(t *testing.T) {
	src := "probes:\n  a:\n    type: postgres\n    dsn: ${PG_DSN}\n    check: ready\n  b:\n    type: redis\n    password: hunter2\n"
	_, err := parse("p.yaml", []byte(src), nil)
	if errors.Is(err, ErrUnsetEnv) || !errors.Is(err, ErrLiteralSecret) {
		t.Errorf("nil lookup: %v", err)
	}
	cat, err := parse("p.yaml", []byte(src[:strings.Index(src, "  b:")]), nil)
	if err != nil || cat.Probes[0].Text("dsn") != "" {
		t.Errorf("nil lookup: %v", err)
	}
}

// TestSecrets: a probe knows every value it must never show, which is what
// came from the environment and what locates its target, down to the parts
// a driver prints on its own (a URL's host, a DSN's user and database).
func TestSecrets(t *testing.T) {
	src := `probes:
  web:
    type: http
    title: Web
    url: ${BASE}/health?key=${KEY}
    headers: {Authorization: "Bearer ${TOKEN}", Accept: application/json}
    body: '{"probe":true}'
  basic:
    type: http
    url: https://${WEB_USER}:${WEB_PW}@web.internal/
  pg-url:
    type: postgres
    dsn: ${PG_DSN}
  pg-kv:
    type: postgres
    dsn: host=${PG_HOST} port=5433 user=role_kv dbname='db kv' password=${PG_PW}
  pg-multi:
    type: postgres
    dsn: postgres://role_multi@h1.internal:5432,h2.internal:5433/db_multi
  cache:
    type: redis
    addr: ${REDIS_ADDR:-cache.internal:6379}
    username: ${REDIS_USER}
    password: ${REDIS_PW}
`
	cat, err := parse("p.yaml", []byte(src), env(map[string]string{
		"BASE": "https://api.internal:8443", "KEY": "k-123", "TOKEN": "tok-456",
		"PG_DSN":  "postgres://role_url:pw-url@db.internal:5432/db_url?sslmode=require",
		"PG_HOST": "kv.internal", "PG_PW": "pw-kv",
		"REDIS_USER": "cache_user", "REDIS_PW": "pw-redis", "WEB_USER": "web_user", "WEB_PW": "pw-web",
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id        string
		want, not []string
	}{
		{"web", []string{"https://api.internal:8443", "k-123", "tok-456", "https://api.internal:8443/health?key=k-123", "api.internal:8443", "api.internal"},
			[]string{"Web", "application/json", `{"probe":true}`, "Bearer tok-456"}},
		// Go sends a URL's user and password as Basic credentials, which an
		// echoing target shows.
		{"basic", []string{"web_user", "pw-web", "web.internal", "d2ViX3VzZXI6cHctd2Vi"}, nil},
		{"pg-url", []string{"postgres://role_url:pw-url@db.internal:5432/db_url?sslmode=require", "role_url", "pw-url", "db.internal", "db.internal:5432", "db_url"}, nil},
		{"pg-kv", []string{"kv.internal", "role_kv", "db kv", "pw-kv"}, []string{"'db kv'"}},
		{"pg-multi", []string{"role_multi", "h1.internal", "h2.internal", "h1.internal:5432", "h2.internal:5433", "db_multi"}, nil},
		{"cache", []string{"cache.internal:6379", "cache.internal", "cache_user", "pw-redis"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p, _ := cat.Probe(tt.id)
			got := map[string]bool{}
			for _, s := range p.Secrets() {
				got[s] = true
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("Secrets() lacks %q: %q", w, p.Secrets())
				}
			}
			for _, n := range append(tt.not, "") {
				if got[n] {
					t.Errorf("Secrets() has %q, which is public: %q", n, p.Secrets())
				}
			}
		})
	}
}

// TestMaxBody: max_body is capped at MaxBody, and a larger value is an
// error at its position.
func TestMaxBody(t *testing.T) {
	for _, tt := range []struct {
		value string
		want  int64
	}{{"16MiB", 16 << 20}, {"16777216", 16 << 20}, {"16MB", 16e6}, {"1KiB", 1 << 10}} {
		cat, err := parse("p.yaml", []byte("probes:\n  a:\n    type: http\n    max_body: "+tt.value+"\n"), env(nil))
		if err != nil {
			t.Errorf("max_body %s: %v", tt.value, err)
			continue
		}
		if got := cat.Probes[0].Size("max_body"); got != tt.want {
			t.Errorf("max_body %s = %d, want %d", tt.value, got, tt.want)
		}
	}
	if MaxBody != 16<<20 {
		t.Errorf("MaxBody = %d, and the README says 16MiB", MaxBody)
	}
	for _, value := range []string{"16777217", "17MiB", "17MB", "64MiB"} {
		_, err := parse("p.yaml", []byte("probes:\n  a:\n    type: http\n    max_body: "+value+"\n"), env(nil))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(fmt.Sprint(err), "p.yaml:4:15: probe a: max_body: must be a size such as 65536, 512KiB or 4MiB, up to 16MiB") {
			t.Errorf("max_body %s: %v", value, err)
		}
	}
}

// TestYAMLSyntaxPositions: yaml.v3 counts its parser's lines from 0 and its
// scanner's from 1; every syntax error lands on the line a writer must
// fix. Before, the parser's errors were reported a line early.
func TestYAMLSyntaxPositions(t *testing.T) {
	for _, tt := range []struct {
		src  string
		line int
	}{
		// did not find expected key (parser): yaml.v3 names the line where
		// the block mapping holding the problem starts, counted from 0.
		{"probes:\n  a:\n    type: tcp\n   - x\n", 2},
		{"probes:\n  - a\n - b\n", 3},                                               // the same with no context past line 1: the problem's line
		{"probes:\n  a:\n    expect: [\"[CONNECTED] == true\"\n    type: tcp\n", 3}, // a flow sequence opened on line 3 (parser)
		{"probes:\n  a:\n\ttype: tcp\n", 3},                                         // a tab (scanner)
		{"probes:\n  a: \"unclosed\n  b: 1\n", 2},                                   // a quoted scalar from line 2 (scanner)
		{"probes:\n  a:\n    type: tcp\n    addr: @x\n", 4},                         // cannot start any token (scanner)
		{"probes: [a\n", 1},                                                         // past the end: the last line
	} {
		_, err := parse("probes.yaml", []byte(tt.src), nil)
		var ce *Error
		if !errors.As(err, &ce) || !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: %v, want a syntax error", tt.src, err)
			continue
		}
		if ce.Line != tt.line {
			t.Errorf("%q: line %d (%s), want %d", tt.src, ce.Line, ce.Msg, tt.line)
		}
	}
}
