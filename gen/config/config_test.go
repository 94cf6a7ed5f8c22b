package config

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

func TestParse(t *testing.T) {
	src := `title: RepairX Incident Response
baseURL: https://runbooks.example.com/ops
probeAPI: https://probes.example.com/
severities:
  - id: SEV-1
    name: Critical
    respond: 5m
    resolve: 1h
    statusPageUpdates: 15m
  - id: SEV-2
    resolve: 4h
params:
  statusPage: status.repairx.com
`
	var diags diag.List
	cfg := Parse("stepcheck.yaml", []byte(src), &diags)
	require.Empty(t, diags.Sorted())
	assert.Equal(t, "RepairX Incident Response", cfg.Title)
	assert.Equal(t, "https://runbooks.example.com/ops/", cfg.BaseURL)
	assert.Equal(t, "/ops/", cfg.BasePath())
	assert.Equal(t, "https://probes.example.com", cfg.ProbeAPI)
	require.Len(t, cfg.Severities, 2)
	assert.Equal(t, Severity{ID: "SEV-1", Name: "Critical", Respond: 5 * time.Minute, Resolve: time.Hour, StatusPageUpdates: 15 * time.Minute}, cfg.Severities[0])
	assert.Equal(t, "status.repairx.com", cfg.Params["statusPage"])
}

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	var diags diag.List
	cfg := Load(fstest.MapFS{}, &diags)
	assert.Empty(t, diags.Sorted())
	assert.Equal(t, Default(), cfg)
	assert.Equal(t, "/", cfg.BasePath())
}

func TestParseReportsEveryProblemWithPosition(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "bad yaml",
			src:  "title: x\n  bad: [\n",
			want: []string{"stepcheck.yaml:2:1: mapping values are not allowed in this context"},
		},
		{
			name: "several problems at once",
			src: `titel: typo
severities:
  - id: SEV-1
    respond: soon
  - name: nameless
  - id: SEV-1
probeAPI: ftp://x
`,
			want: []string{
				`stepcheck.yaml:1:1: unknown key "titel" (known: title, baseURL, probeAPI, severities, params)`,
				`stepcheck.yaml:4:14: respond "soon" is not a duration like 5m, 1h or 72h`,
				`stepcheck.yaml:5:5: a severity needs an id, such as SEV-1`,
				`stepcheck.yaml:6:5: severity "SEV-1" is listed twice`,
				`stepcheck.yaml:7:11: probeAPI "ftp://x" must be an http(s) URL or a path on the site's origin`,
			},
		},
		{
			name: "wrong type",
			src:  "params: [1, 2]\n",
			want: []string{"stepcheck.yaml:1:9: cannot unmarshal !!seq into map[string]interface {}"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.List
			Parse("stepcheck.yaml", []byte(tt.src), &diags)
			var got []string
			for _, d := range diags.Sorted() {
				got = append(got, d.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("title: x\nseverities:\n  - id: SEV-1\n    respond: 5m\n"))
	f.Add([]byte("params: {a: [1, {b: c}]}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		var diags diag.List
		cfg := Parse("f.yaml", src, &diags)
		assert.NotEmpty(t, cfg.BaseURL)
		for _, d := range diags.Sorted() {
			assert.Positive(t, d.Line)
			assert.Positive(t, d.Col)
		}
	})
}
