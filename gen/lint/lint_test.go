package lint

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

var sample = Report{
	Root: "docs",
	Diagnostics: []diag.Diagnostic{
		{Path: "content/a.md", Line: 3, Col: 5, Severity: diag.Error, Message: `unknown probe "pg-redy": declare it in content/probes.yaml`},
		{Path: "content/b,c.md", Line: 10, Col: 1, Severity: diag.Warning, Message: "100% sure:\nsecond line"},
	},
}

func write(t *testing.T, format string, r Report) string {
	t.Helper()
	f, ok := Formats()[format]
	require.True(t, ok)
	var b bytes.Buffer
	require.NoError(t, f.Write(&b, r))
	return b.String()
}

func TestText(t *testing.T) {
	assert.Equal(t, "docs/content/a.md:3:5: error: unknown probe \"pg-redy\": declare it in content/probes.yaml\n"+
		"docs/content/b,c.md:10:1: warning: 100% sure:\nsecond line\n", write(t, "text", sample))
	r := sample
	r.Root = "."
	assert.Contains(t, write(t, "text", r), "\ncontent/b,c.md:10:1: warning:", "the current directory adds nothing")
}

func TestJSON(t *testing.T) {
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(write(t, "json", sample)), &got))
	assert.Equal(t, map[string]any{
		"diagnostics": []any{
			map[string]any{"path": "docs/content/a.md", "line": 3.0, "col": 5.0, "severity": "error", "message": `unknown probe "pg-redy": declare it in content/probes.yaml`},
			map[string]any{"path": "docs/content/b,c.md", "line": 10.0, "col": 1.0, "severity": "warning", "message": "100% sure:\nsecond line"},
		},
		"errors":   1.0,
		"warnings": 1.0,
	}, got)
	assert.JSONEq(t, `{"diagnostics": [], "errors": 0, "warnings": 0}`, write(t, "json", Report{}), "a clean run is an empty list, not null")
}

func TestGitHub(t *testing.T) {
	assert.Equal(t,
		"::error file=docs/content/a.md,line=3,col=5,title=stepcheck lint::unknown probe \"pg-redy\": declare it in content/probes.yaml\n"+
			"::warning file=docs/content/b%2Cc.md,line=10,col=1,title=stepcheck lint::100%25 sure:%0Asecond line\n",
		write(t, "github", sample))
}

func TestFormatNames(t *testing.T) {
	assert.Equal(t, []string{"github", "json", "text"}, FormatNames())
	errs, warns := sample.Count()
	assert.Equal(t, [2]int{1, 1}, [2]int{errs, warns})
}
