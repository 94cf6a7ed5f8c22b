package builtin

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

func noEnv(string) (string, bool) { return "", false }

// buildFile parses and builds a catalogue file with every built-in type,
// failing the test on any error.
func buildFile(t *testing.T, path string) (*config.Catalogue, *check.Set) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := config.Parse(path, data, noEnv)
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	r := New()
	t.Cleanup(func() { r.Close() })
	set, err := r.Build(cat)
	if err != nil {
		t.Fatalf("build:\n%v", err)
	}
	t.Cleanup(func() { set.Close() })
	return cat, set
}

// TestSiteCatalogue builds the site's own catalogue, so the format the
// writers use and the one the probe API accepts cannot drift apart.
func TestSiteCatalogue(t *testing.T) {
	cat, set := buildFile(t, filepath.Join("..", "..", "..", "content", "probes.yaml"))
	if set.Len() != len(cat.Probes) || set.Len() == 0 {
		t.Fatalf("built %d of %d probes", set.Len(), len(cat.Probes))
	}
}

// TestReferenceCatalogue: the reference catalogue declares every built-in
// type, and builds.
func TestReferenceCatalogue(t *testing.T) {
	path := filepath.Join("..", "..", "config", "testdata", "probes.yaml")
	cat, _ := buildFile(t, path)
	declared := map[string]bool{}
	for _, p := range cat.Probes {
		declared[p.Type] = true
	}
	r := New()
	defer r.Close()
	for _, typ := range r.Types() {
		if !declared[typ] {
			t.Errorf("%s declares no probe of type %s", path, typ)
		}
	}
}

func TestBuildReportsEveryTypeError(t *testing.T) {
	src := `probes:
  a:
    type: http
    url: ftp://x/
  b:
    type: tcp
    addr: nohostport
  c:
    type: postgres
    dsn: postgres://u@127.0.0.1/db
    check: vacuum
  d:
    type: redis
    addr: 127.0.0.1:6379
    check: ping
    expect: ["[STATUS] == 200"]
  e:
    type: prometheus
    url: http://127.0.0.1:9090
  f:
    type: smtp
  g:
    type: http
    url: http://127.0.0.1/
    dsn: postgres://u@127.0.0.1/db
`
	cat, err := config.Parse("probes.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	r := New()
	defer r.Close()
	_, err = r.Build(cat)
	if err == nil {
		t.Fatal("Build accepted a broken catalogue")
	}
	want := []string{
		"probes.yaml:4:10: probe a: url: must be an absolute http:// or https:// URL",
		"probes.yaml:7:11: probe b: addr: must be host:port",
		"probes.yaml:11:12: probe c: check: must be ready, connections, long-queries or blocked-locks",
		"probes.yaml:16:14: probe d: redis probe has no [STATUS] (it has [CONNECTED], [RESPONSE_TIME] for check ping)",
		"probes.yaml:17:3: probe e: query: give url with query, or scrape with metric",
		"probes.yaml:21:11: probe f: type: unknown type smtp (have http, postgres, prometheus, redis, tcp, tls)",
		`probes.yaml:25:5: probe g: unknown field "dsn" for type http (it has body, headers, max_body, method, url)`,
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if !errors.Is(err, check.ErrUnknownType) || !errors.Is(err, config.ErrUnknownField) || !errors.Is(err, config.ErrInvalid) {
		t.Errorf("error does not wrap the sentinels: %v", err)
	}
}
