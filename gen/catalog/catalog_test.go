package catalog

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

func TestParseKeepsOnlyPublicFields(t *testing.T) {
	src := `probes:
  backend-live:
    title: Backend liveness
    description: GET /api/health/live answers 200.
    service: backend
    type: http
    url: http://secret-internal:3001/api/health/live
  pg-ready:
    type: postgres
    dsn: ${PG_DSN}
`
	var diags diag.List
	c := Parse("content/probes.yaml", []byte(src), nil, &diags)
	require.Empty(t, diags.Sorted())
	assert.Equal(t, []string{"backend-live", "pg-ready"}, c.IDs())
	assert.Equal(t, Probe{Probe: api.Probe{ID: "backend-live", Title: "Backend liveness", Description: "GET /api/health/live answers 200.", Service: "backend", Type: "http"}, Line: 2}, c.Probes["backend-live"])
	assert.Equal(t, "pg-ready", c.Probes["pg-ready"].Title, "the title defaults to the ID")
}

func TestParseProblems(t *testing.T) {
	src := `probes:
  Bad_ID:
    type: http
  dup:
    type: tcp
  dup:
    type: tcp
  notype:
    title: [a]
`
	var diags diag.List
	Parse("probes.yaml", []byte(src), nil, &diags)
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		`probes.yaml:2:3: probe ID "Bad_ID" must be lowercase letters, digits and '-', starting with a letter or digit, 64 bytes at most`,
		`probes.yaml:6:3: probe dup is declared twice (first at line 4)`,
		`probes.yaml:8:3: probe notype: type: required: the probe's type, such as http or tcp`,
		`probes.yaml:9:12: probe notype: title: must be a single value`,
	}, got)
}

// TestParseRefusesWhatTheProbeAPIRefuses is the bug of issue 14: lint
// passed catalogues that probe-api refuses at start. Each of these is an
// error now, all in one run, and a literal secret is never repeated.
func TestParseRefusesWhatTheProbeAPIRefuses(t *testing.T) {
	src := `probes:
  db:
    type: redis
    addr: cache:6379
    check: ping
    password: hunter2
  web:
    type: http
    url: https://example.com/
    colour: blue
    expect: ["[STATUS] = 200"]
    timeout: 5 minutes
  ftp:
    type: ftp
    timeout: 0s
`
	var diags diag.List
	c := Parse("probes.yaml", []byte(src), lint, &diags)
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
		assert.NotContains(t, d.String(), "hunter2")
	}
	require.Len(t, got, 6, "%v", got)
	for i, want := range []string{"probes.yaml:6:15: probe db: password:", "probes.yaml:10:5: probe web: unknown field \"colour\"",
		"probes.yaml:11:14: probe web: expect:", "probes.yaml:12:14: probe web: timeout:",
		"probes.yaml:14:11: probe ftp: type: unknown type ftp", "probes.yaml:15:14: probe ftp: timeout:"} {
		assert.Contains(t, got[i], want)
	}
	assert.Equal(t, []string{"db", "ftp", "web"}, c.IDs(), "probes with errors still have their public part")
}

// lint checks a catalogue with every built-in type, as stepcheck lint does.
// Only this test links the registry; gen itself never does.
func lint(cat *config.Catalogue) error {
	r := builtin.New()
	defer r.Close()
	return r.Check(cat)
}

// TestParseRunsTheTypesChecks: each type's fields and checks are applied
// through Check, on probes with errors in their common fields too, and on
// probes of an unknown type as far as the kinds of every type's fields go;
// objections to values only the environment gives are left out.
func TestParseRunsTheTypesChecks(t *testing.T) {
	src := `probes:
  good:
    type: tcp
    addr: ${ADDR}
  bad:
    type: tcp
    colour: x
  broken:
    type: tcp
    timeout: x
    addr: nope
  ftp:
    type: ftp
    password: hunter2
    colour: x
`
	var diags diag.List
	Parse("probes.yaml", []byte(src), lint, &diags)
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		`probes.yaml:7:5: probe bad: unknown field "colour" for type tcp (it has addr)`,
		`probes.yaml:10:14: probe broken: timeout: must be a duration such as 2s or 500ms`,
		`probes.yaml:11:11: probe broken: addr: must be host:port`,
		`probes.yaml:13:11: probe ftp: type: unknown type ftp (have http, postgres, prometheus, redis, tcp, tls)`,
		`probes.yaml:14:15: probe ftp: password: must come from the environment: write ${VARIABLE} and set it where probe-api runs`,
	}, got, "addr comes from ${ADDR}, which lint cannot see: no objection to it")
}

func TestLoadMissingIsEmpty(t *testing.T) {
	var diags diag.List
	c := Load(fstest.MapFS{}, FileName, nil, &diags)
	assert.Empty(t, c.Probes)
	assert.False(t, diags.HasErrors())
}

func TestParseBadYAML(t *testing.T) {
	var diags diag.List
	Parse("probes.yaml", []byte("probes:\n  a: [\n"), nil, &diags)
	ds := diags.Sorted()
	require.Len(t, ds, 1)
	assert.Equal(t, 2, ds[0].Line)
	assert.Equal(t, "did not find expected node content", ds[0].Message)
}

// TestGeneratorLinksNoDriver: the probe types' checks reach the generator
// only through Check, so no generator package links a database driver.
func TestGeneratorLinksNoDriver(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/stepcheck/stepcheck/gen/...").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, dep := range strings.Fields(string(out)) {
		for _, driver := range []string{"github.com/jackc/pgx", "github.com/redis/go-redis", "github.com/stepcheck/stepcheck/probe-api/check"} {
			assert.False(t, strings.HasPrefix(dep, driver), "the generator links %s", dep)
		}
	}
}

// FuzzParse: any bytes give a catalogue and positioned diagnostics, never a
// panic, and never a probe with an ID the API would refuse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"probes:\n  a:\n    type: tcp\n    addr: ${A}\n", "probes: [", "", "probes:\n  A B: {}\n", "x: &a [*a]\n"} {
		f.Add([]byte(seed))
	}
	if b, err := os.ReadFile("../../content/probes.yaml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var diags diag.List
		c := Parse("probes.yaml", src, func(*config.Catalogue) error { return nil }, &diags)
		for _, d := range diags.Sorted() {
			if d.Line < 1 || d.Col < 1 {
				t.Fatalf("diagnostic without a position: %v", d)
			}
		}
		for id := range c.Probes {
			if !api.ValidID(id) {
				t.Fatalf("probe ID %q", id)
			}
		}
	})
}
