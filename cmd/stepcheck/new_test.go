package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRunbookLintsClean(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.CopyFS(filepath.Join(src, "content"), os.DirFS("../../content")))
	cfg, err := os.ReadFile("../../stepcheck.yaml")
	require.NoError(t, err)
	writeFile(t, filepath.Join(src, "stepcheck.yaml"), string(cfg))

	code, stdout, stderr := runCLI("new", "runbook", "procedures/disk-full", "-s", src)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "content/procedures/disk-full.md\n", stdout)
	page, err := os.ReadFile(filepath.Join(src, "content/procedures/disk-full.md"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "title: Disk full\n")
	assert.Contains(t, string(page), "severity: SEV-1  # one of SEV-1, SEV-2, SEV-3, SEV-4\n")
	assert.Contains(t, string(page), "{probe:backend-live}", "a probe the catalogue declares")
	assert.Contains(t, string(page), "```template id=status-update")
	assert.Contains(t, string(page), "- [ ] Acknowledge the alert")

	code, stdout, stderr = runCLI("lint", "-s", src)
	assert.Equal(t, 0, code, stdout+stderr)
	assert.Empty(t, stdout, "the scaffold lints without a warning")

	code, _, stderr = runCLI("new", "-s", src, "runbook", "procedures/disk-full.md")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "already exists")
}

func TestNewRunbookWithoutProbes(t *testing.T) {
	src := t.TempDir()
	code, stdout, stderr := runCLI("new", "-s", src, "runbook", "db")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "content/db.md\n", stdout)
	page, err := os.ReadFile(filepath.Join(src, "content/db.md"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "<!-- No probe is declared yet. Declare one in content/probes.yaml")
	assert.NotContains(t, string(page), "probe=")

	code, stdout, stderr = runCLI("lint", "-s", src)
	assert.Equal(t, 0, code, stdout+stderr)
	assert.Empty(t, stdout)
}

func TestNewUsage(t *testing.T) {
	src := t.TempDir()
	for _, args := range [][]string{
		{"new"},
		{"new", "runbook"},
		{"new", "postmortem", "x"},
		{"new", "runbook", "../escape"},
		{"new", "runbook", "/abs"},
		{"new", "runbook", "ops/_index"},
		{"new", "runbook", "a", "b"},
		{"new", "--nope", "runbook", "a"},
	} {
		code, _, _ := runCLI(append(args, "-s", src)...)
		assert.Equal(t, 2, code, "%v", args)
	}
	entries, _ := os.ReadDir(src)
	assert.Empty(t, entries, "nothing is written on a usage error")
}

func TestNewRefusesAURLTwin(t *testing.T) {
	for _, tc := range []struct {
		name     string // the page to write
		existing string // the file or folder it would share its URL with; "" for none
	}{
		{"procedures/Database", "content/procedures/database.md"},
		{"PROCEDURES/DATABASE", "content/procedures"},
		{"ops/restart", "content/ops/Restart/index.md"},
		{"teams", "content/Teams/_index.md"},
		{"Guides", "content/guides/README.md"},
		{"guides/readme", "content/guides/README.md"},
		{"procedures/database/index", "content/procedures/database.md"},
		{"Procedures/disk-full", "content/procedures"},
		{"procedures/database-replica", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			for _, f := range []string{"content/procedures/database.md", "content/ops/Restart/index.md", "content/Teams/_index.md", "content/guides/README.md"} {
				writeFile(t, filepath.Join(src, f), "---\ntitle: X\n---\nx\n")
			}
			before := snapshot(t, src)
			code, stdout, stderr := runCLI("new", "runbook", tc.name, "-s", src)
			if tc.existing == "" {
				require.Equal(t, 0, code, stderr)
				assert.Equal(t, "content/"+tc.name+".md\n", stdout)
				return
			}
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "stepcheck new: "+tc.existing+" already has the URL ")
			assert.Equal(t, before, snapshot(t, src), "nothing is written")
		})
	}
}

// TestNewRunbooksFromRules writes a stub for each alert without a runbook,
// leaves the answered ones and existing files alone, and the stubs lint
// clean: each answers its alert by its file name.
func TestNewRunbooksFromRules(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\nRunbooks.\n")
	writeFile(t, filepath.Join(src, "content/k8s/KubePodCrashLooping.md"), "---\ntitle: Crash loops\n---\ntext\n")
	writeFile(t, filepath.Join(src, "content/alerts/KubeletDown.md"), "---\ntitle: Mine\n---\nmine\n")
	rulesFile := filepath.Join(t.TempDir(), "rules.yaml")
	writeFile(t, rulesFile, `groups:
  - name: k8s
    rules:
      - alert: KubePodCrashLooping
        expr: vector(1)
      - alert: KubeNodeNotReady
        expr: kube_node_status_condition{condition="Ready",status="true"} == 0
        for: 15m
        labels:
          severity: warning
        annotations:
          summary: Node is not ready.
          description: '{{ $labels.node }} has been unready for more than 15 minutes; see <docs> and *this*.'
      - alert: KubeAPIDown
        expr: |
          absent(up{job="apiserver"} == 1)
        labels:
          severity: critical
      - record: job:up:sum
        expr: sum(up)
`)
	code, stdout, stderr := runCLI("new", "-s", src, "runbook", "--from-rules", rulesFile)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, "content/alerts/KubeNodeNotReady.md\ncontent/alerts/KubeAPIDown.md\n", stdout)
	assert.Contains(t, stderr, "content/k8s/KubePodCrashLooping.md answers KubePodCrashLooping already")
	assert.Contains(t, stderr, "2 runbooks written, 1 alert has a runbook already")

	page, err := os.ReadFile(filepath.Join(src, "content/alerts/KubeNodeNotReady.md"))
	require.NoError(t, err)
	assert.Equal(t, "---\ntitle: KubeNodeNotReady\ndescription: \"Node is not ready.\"\nseverity: SEV-3\n# owner: platform-team\n# lastReviewed: 2026-01-15\n---\n\n"+
		"Node is not ready\\.\n\n\\{\\{ $labels\\.node \\}\\} has been unready for more than 15 minutes; see \\<docs\\> and \\*this\\*\\.\n\n"+
		"The alert fires when:\n\n```promql\nkube_node_status_condition{condition=\"Ready\",status=\"true\"} == 0\n```\n\n"+
		"## Meaning\n\n## Impact\n\n## Diagnosis\n\n## Mitigation", string(page))
	api, err := os.ReadFile(filepath.Join(src, "content/alerts/KubeAPIDown.md"))
	require.NoError(t, err)
	assert.Contains(t, string(api), "severity: SEV-1\n", "critical is the site's first severity")

	// Run again: nothing is overwritten, and an existing file is left be.
	writeFile(t, rulesFile+".2", "groups:\n  - name: g\n    rules:\n      - alert: KubeletDown\n        expr: vector(1)\n")
	code, stdout, stderr = runCLI("new", "-s", src, "runbook", "--from-rules", rulesFile, "--from-rules", rulesFile+".2")
	assert.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "0 runbooks written, 4 alerts have a runbook already", "KubeletDown.md, by its name, answers it")
	mine, _ := os.ReadFile(filepath.Join(src, "content/alerts/KubeletDown.md"))
	assert.Contains(t, string(mine), "mine")

	code, stdout, stderr = runCLI("lint", "-s", src)
	assert.Equal(t, 0, code, "the stubs lint clean: %s%s", stdout, stderr)
}
