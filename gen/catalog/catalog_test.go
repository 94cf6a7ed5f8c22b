package catalog

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/probe-api/api"
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
	c := Parse("content/probes.yaml", []byte(src), &diags)
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
	Parse("probes.yaml", []byte(src), &diags)
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		`probes.yaml:2:3: probe ID "Bad_ID" must be lowercase letters, digits and '-', 64 at most`,
		`probes.yaml:6:3: probe "dup" is declared twice (first on line 4)`,
		`probes.yaml:8:3: probe "notype" has no type`,
		`probes.yaml:9:12: probe "notype": title must be text`,
	}, got)
}

func TestLoadMissingIsEmpty(t *testing.T) {
	var diags diag.List
	c := Load(fstest.MapFS{}, FileName, &diags)
	assert.Empty(t, c.Probes)
	assert.False(t, diags.HasErrors())
}

func TestParseBadYAML(t *testing.T) {
	var diags diag.List
	Parse("probes.yaml", []byte("probes:\n  a: [\n"), &diags)
	ds := diags.Sorted()
	require.Len(t, ds, 1)
	assert.Equal(t, 2, ds[0].Line)
	assert.Equal(t, "did not find expected node content", ds[0].Message)
}
