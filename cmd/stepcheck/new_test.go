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
