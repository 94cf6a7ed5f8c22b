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
				`stepcheck.yaml:1:1: unknown key "titel" (known: title, baseURL, probeAPI, severities, params, unsafe, reviewEvery, editURL)`,
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

func TestUnsafe(t *testing.T) {
	var diags diag.List
	cfg := Parse("stepcheck.yaml", []byte("unsafe: true\n"), &diags)
	require.Empty(t, diags.Sorted())
	assert.True(t, cfg.Unsafe)
	assert.Equal(t, "stepcheck.yaml", cfg.File)
}

func TestHugoConfiguration(t *testing.T) {
	tests := []struct {
		name, file, src string
	}{
		{"toml", "hugo.toml", `baseURL = "https://runbooks.example.com/"
languageCode = "en-us"
Title = "Operator runbooks"
theme = "hugo-book"

[params]
  statusPage = "status.example.com"
  [params.contacts]
    oncall = "#oncall"

[markup.goldmark.renderer]
  unsafe = true
`},
		{"yaml", "config.yaml", `baseurl: https://runbooks.example.com
title: Operator runbooks
menu:
  main: [{name: Home, url: /}]
params:
  statusPage: status.example.com
  contacts:
    oncall: "#oncall"
markup:
  goldmark:
    renderer:
      unsafe: true
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.List
			cfg := Load(fstest.MapFS{tt.file: {Data: []byte(tt.src)}}, &diags)
			require.Empty(t, diags.Sorted(), "Hugo's own keys are not errors")
			assert.Equal(t, tt.file, cfg.File)
			assert.Equal(t, "Operator runbooks", cfg.Title)
			assert.Equal(t, "https://runbooks.example.com/", cfg.BaseURL)
			assert.Equal(t, "status.example.com", cfg.Params["statusPage"])
			assert.NotNil(t, cfg.Params["contacts"])
			assert.True(t, cfg.Unsafe)
			assert.Equal(t, Default().Severities, cfg.Severities)
		})
	}
}

func TestStepcheckYAMLWinsOverHugo(t *testing.T) {
	var diags diag.List
	cfg := Load(fstest.MapFS{
		"stepcheck.yaml": {Data: []byte("title: Ours\n")},
		"hugo.toml":      {Data: []byte("title = \"Theirs\"\n")},
		"config.yaml":    {Data: []byte("title: Older\n")},
	}, &diags)
	require.Empty(t, diags.Sorted())
	assert.Equal(t, "Ours", cfg.Title)

	cfg = Load(fstest.MapFS{
		"hugo.toml":   {Data: []byte("title = \"Theirs\"\n")},
		"config.yaml": {Data: []byte("title: Older\n")},
	}, &diags)
	assert.Equal(t, "Theirs", cfg.Title, "hugo.toml comes before config.yaml, as in Hugo")
}

func TestHugoConfigurationProblems(t *testing.T) {
	tests := []struct {
		name, file, src string
		want            []string
	}{
		{
			name: "toml syntax",
			file: "hugo.toml",
			src:  "title = \"x\"\nbaseURL = \"/\n",
			want: []string{"hugo.toml:2:13: strings cannot contain newlines"},
		},
		{
			name: "toml types",
			file: "config.toml",
			src:  "title = 3\nbaseURL = \"https://\"\nparams = 1\n[markup.goldmark.renderer]\nunsafe = \"yes\"\n",
			want: []string{
				"config.toml:1:1: title must be text",
				`config.toml:2:1: baseURL "https://" is not a URL or a path`,
				"config.toml:3:1: params must be a table of keys and values",
				"config.toml:5:1: markup.goldmark.renderer.unsafe must be true or false",
			},
		},
		{
			name: "yaml types",
			file: "config.yaml",
			src:  "title:\n  - a\nmarkup:\n  goldmark:\n    renderer:\n      unsafe: 1\n",
			want: []string{
				"config.yaml:1:1: title must be text",
				"config.yaml:6:1: markup.goldmark.renderer.unsafe must be true or false",
			},
		},
		{
			name: "yaml syntax",
			file: "config.yaml",
			src:  "title: x\n  bad: [\n",
			want: []string{"config.yaml:2:1: mapping values are not allowed in this context"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.List
			Load(fstest.MapFS{tt.file: {Data: []byte(tt.src)}}, &diags)
			var got []string
			for _, d := range diags.Sorted() {
				got = append(got, d.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReviewAndEditSettings(t *testing.T) {
	var diags diag.List
	cfg := Parse("stepcheck.yaml", []byte("reviewEvery: 26w\neditURL: https://github.com/org/runbooks/edit/main\n"), &diags)
	require.Empty(t, diags.Sorted())
	assert.Equal(t, Period(182), cfg.ReviewEvery)
	assert.Equal(t, "https://github.com/org/runbooks/edit/main/content/ops/x.md", cfg.EditLink("content/ops/x.md"))
	assert.Empty(t, Default().EditLink("content/ops/x.md"), "no editURL, no link")

	Parse("stepcheck.yaml", []byte("reviewEvery: soon\neditURL: javascript:alert(1)\n"), &diags)
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		`stepcheck.yaml:1:14: reviewEvery "soon" must be a number of days, weeks, months or years: 180d, 26w, 6m, 1y`,
		`stepcheck.yaml:2:10: editURL "javascript:alert(1)" must be an http(s) URL, such as https://github.com/org/runbooks/edit/main/`,
	}, got)

	for in, want := range map[string]Period{"180d": 180, "6m": 180, "1y": 365, "2w": 14} {
		got, ok := ParsePeriod(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "d", "0d", "-3d", "12h", "1.5y", "99999y"} {
		_, ok := ParsePeriod(bad)
		assert.False(t, ok, bad)
	}
}

// The edit links the common Hugo themes configure: Relearn's editURL ends
// in the content directory; Book and Docsy name the repository.
func TestHugoEditURL(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"relearn", "[params]\neditURL = \"https://github.com/o/r/edit/main/content/\"\n", "https://github.com/o/r/edit/main/content/ops/x.md"},
		{"papermod", "[params.editPost]\nURL = \"https://github.com/o/r/tree/main/content\"\n", "https://github.com/o/r/tree/main/content/ops/x.md"},
		{"book", "[params]\nBookRepo = \"https://github.com/o/r\"\nBookEditPath = \"edit/main/site\"\n", "https://github.com/o/r/edit/main/site/content/ops/x.md"},
		{"docsy", "[params]\ngithub_repo = \"https://github.com/o/r\"\ngithub_subdir = \"docs\"\n", "https://github.com/o/r/edit/main/docs/content/ops/x.md"},
		{"none", "[params]\neditURL = \"not a url\"\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.List
			cfg := ParseHugo("hugo.toml", []byte(tt.src), &diags)
			require.Empty(t, diags.Sorted())
			assert.Equal(t, tt.want, cfg.EditLink("content/ops/x.md"))
		})
	}
}
