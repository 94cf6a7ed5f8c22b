package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLintRules lints testdata/lint, which breaks each rule once, and
// checks every line of the report, position included.
func TestLintRules(t *testing.T) {
	code, stdout, stderr := runCLI("lint", "-s", "testdata/lint")
	assert.Equal(t, 1, code, stderr)
	assert.Equal(t, []string{
		// Broken internal links and anchors.
		`testdata/lint/content/_index.md:5:51: error: link to "/ops/gone/": no page has that URL`,
		// Unknown probe IDs.
		`testdata/lint/content/ops/restart.md:5:55: error: unknown probe "worker-live": declare it in content/probes.yaml`,
		`testdata/lint/content/ops/restart.md:7:5: error: link to "verify.md#after-a-restart": content/ops/verify.md has no heading or template with the anchor #after-a-restart`,
		`testdata/lint/content/ops/restart.md:7:45: error: link to "rollback.md": there is no content/ops/rollback.md`,
		`testdata/lint/content/ops/restart.md:8:5: error: link to "#checks": this page has no heading or template with the anchor #checks`,
		// Duplicate heading anchors: a repeated heading, then a repeated {#id}.
		`testdata/lint/content/ops/restart.md:12:4: warning: heading "Steps" repeats the one on line 10, so its anchor is #steps-1 and links to #steps reach line 10; reword it or give it an {#id}`,
		`testdata/lint/content/ops/restart.md:16:4: error: heading anchor #notify is already used by the heading on line 14; give this one another {#id}`,
		// Template fields without a type.
		`testdata/lint/content/ops/restart.md:19:24: warning: field "who" has no type; write {{who:text}} (or long, time, select(A|B)) where it first appears`,
		// A page without a title or a heading is titled by its name.
		`testdata/lint/content/ops/scratch-notes.md:1:1: warning: page has no title and no heading, so it is titled "Scratch notes" from its name; add "title:" to its front matter`,
		// Probes no page uses.
		`testdata/lint/content/probes.yaml:6:3: warning: probe "forgotten" is declared but no page uses it: reference it with {probe:forgotten} or remove it`,
	}, strings.Split(strings.TrimSuffix(stdout, "\n"), "\n"))
	assert.Contains(t, stderr, "6 errors")
}

func TestLintFormats(t *testing.T) {
	code, stdout, _ := runCLI("lint", "-s", "testdata/lint", "--format", "json")
	assert.Equal(t, 1, code)
	var report struct {
		Diagnostics []struct {
			Path, Severity, Message string
			Line, Col               int
		}
		Errors, Warnings int
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	assert.Equal(t, 6, report.Errors)
	assert.Equal(t, 4, report.Warnings)
	require.Len(t, report.Diagnostics, 10)
	first := report.Diagnostics[0]
	assert.Equal(t, "testdata/lint/content/_index.md", first.Path)
	assert.Equal(t, [2]int{5, 51}, [2]int{first.Line, first.Col})
	assert.Equal(t, "error", first.Severity)

	code, stdout, _ = runCLI("lint", "-s", "testdata/lint", "--format", "github")
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 10)
	assert.Equal(t, `::error file=testdata/lint/content/_index.md,line=5,col=51,title=stepcheck lint::link to "/ops/gone/": no page has that URL`, lines[0])
	assert.Equal(t, `::warning file=testdata/lint/content/probes.yaml,line=6,col=3,title=stepcheck lint::probe "forgotten" is declared but no page uses it: reference it with {probe:forgotten} or remove it`, lines[9])

	code, _, stderr := runCLI("lint", "-s", "testdata/lint", "--format", "sarif")
	assert.Equal(t, 2, code, "an unknown format is a usage error")
	assert.Contains(t, stderr, `unknown --format "sarif" (known: github, json, text)`)
}

func TestLintExitStatus(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\n[ok](/ops/x/)\n")
	writeFile(t, filepath.Join(src, "content/ops/x.md"), "---\ntitle: X\n---\n## Steps\n\n## Steps\n")
	code, stdout, stderr := runCLI("lint", "-s", src, "--format", "json")
	assert.Equal(t, 0, code, "warnings alone pass: %s", stderr)
	assert.Contains(t, stdout, `"warnings": 1`)
	assert.Contains(t, stderr, "3 pages checked: no errors, 1 warning")

	code, _, _ = runCLI("build", "-s", src, "-d", filepath.Join(t.TempDir(), "public"))
	assert.Equal(t, 0, code)
	writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\n[broken](/ops/y/)\n")
	code, _, stderr = runCLI("build", "-s", src, "-d", filepath.Join(t.TempDir(), "public"))
	assert.Equal(t, 0, code, "a build warns about a broken link and still publishes")
	assert.Contains(t, stderr, `content/_index.md:4:1: warning: link to "/ops/y/": no page has that URL`)
	code, _, _ = runCLI("lint", "-s", src)
	assert.Equal(t, 1, code, "lint fails on it")
}

// TestLintReportsWhatProbeAPIRefuses is the bug of issue 14: lint exited 0
// on catalogues that probe-api refuses at start. Now both print the same
// path:line:col lines, every one of them in one run: the file's problems
// and each type's own (a bad address, a check that does not exist), and a
// literal secret is never repeated.
func TestLintReportsWhatProbeAPIRefuses(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "content/_index.md"), "---\ntitle: Home\n---\n{probe:cache} {probe:web} {probe:ftp} {probe:port} {probe:db}\n")
	writeFile(t, filepath.Join(src, "content/probes.yaml"), `probes:
  cache:
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
  port:
    type: tcp
    addr: no-port-here
  db:
    type: postgres
    dsn: postgres://probe@db:5432/app
    check: vacuum
`)
	code, stdout, stderr := runCLI("lint", "-s", src)
	assert.Equal(t, 1, code, stderr)
	assert.NotContains(t, stdout+stderr, "hunter2")
	var lint []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if rest, ok := strings.CutPrefix(line, filepath.Join(src, "content/probes.yaml")+":"); ok {
			lint = append(lint, strings.Replace(rest, " error: ", " ", 1))
		}
	}

	code, _, stderr = runCLI("probe-api", "--config", filepath.Join(src, "content/probes.yaml"))
	assert.Equal(t, 1, code, stderr)
	assert.NotContains(t, stderr, "hunter2")
	var api []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if rest, ok := strings.CutPrefix(line, filepath.Join(src, "content/probes.yaml")+":"); ok {
			api = append(api, rest)
		}
	}
	assert.Len(t, lint, 8, "lint:\n%s", strings.Join(lint, "\n"))
	assert.Equal(t, lint, api, "probe-api and lint report the same problems at the same places, in the same order")
	for _, want := range []string{"18:11: probe port: addr: must be host:port", "22:12: probe db: check: must be ready", "14:11: probe ftp: type: unknown type ftp"} {
		assert.True(t, slices.ContainsFunc(lint, func(l string) bool { return strings.HasPrefix(l, want) }), "lint lacks %q", want)
	}
}

// TestLintAlertRules lints testdata/alerts/site against the Prometheus rule
// file and the PrometheusRule object in testdata/alerts/rules: each case
// of the rules check once, at the rule file's line and column, in every
// format, with the exit status of an error.
func TestLintAlertRules(t *testing.T) {
	code, stdout, stderr := runCLI("lint", "-s", "testdata/alerts/site", "--rules", "testdata/alerts/rules")
	assert.Equal(t, 1, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 6, stdout)
	assert.Equal(t, []string{
		`testdata/alerts/rules/kube/nodes.yaml:12:26: error: alert KubeNodeNotReady: runbook_url https://runbooks.example.com/k8s/node/#kubenotready reaches content/k8s/node.md, which has no heading with the anchor #kubenotready; its heading there is #kubenodenotready`,
		`testdata/alerts/rules/kube/nodes.yaml:13:11: warning: alert KubeletDown has no runbook_url`,
		`testdata/alerts/rules/prometheus.yml:15:24: error: alert KubeDeploymentReplicasMismatch: runbook_url https://runbooks.example.com/k8s/kubedeploymentreplicasmismatch/ reaches no page of this site`,
		`testdata/alerts/rules/prometheus.yml:19:24: warning: cannot check the runbook_url of alert KubeJobFailed: it depends on template parts other than the alert's name (https://runbooks.example.com/k8s/{{ $labels.namespace }}/jobs/)`,
	}, lines[:4], "the stable /alerts/kubepodcrashlooping/ URL resolves")
	assert.Regexp(t, `^testdata/alerts/site/content/k8s/KubePodCrashLooping.md:5:1: warning: review overdue: last reviewed \d+ years ago \(2020-01-15\), to be reviewed every 180 days; owner: platform-team$`, lines[4])
	assert.Equal(t, `testdata/alerts/site/content/k8s/node.md:3:1: warning: alert KubeNodeGone is not defined by any of the rules given`, lines[5])
	assert.Contains(t, stderr, "2 errors")

	code, stdout, _ = runCLI("lint", "-s", "testdata/alerts/site", "--rules", "testdata/alerts/rules/prometheus.yml", "--rules", "testdata/alerts/rules/kube", "--format", "github")
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "::error file=testdata/alerts/rules/prometheus.yml,line=15,col=24,title=stepcheck lint::alert KubeDeploymentReplicasMismatch")
	assert.Contains(t, stdout, "::warning file=testdata/alerts/site/content/k8s/KubePodCrashLooping.md,line=5,col=1,title=stepcheck lint::review overdue")

	code, stdout, _ = runCLI("lint", "-s", "testdata/alerts/site", "--rules", "testdata/alerts/rules", "--format", "json")
	assert.Equal(t, 1, code)
	var report struct {
		Diagnostics []struct{ Path, Severity, Message string }
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &report))
	stale := slices.IndexFunc(report.Diagnostics, func(d struct{ Path, Severity, Message string }) bool {
		return strings.HasPrefix(d.Message, "review overdue")
	})
	require.GreaterOrEqual(t, stale, 0, "the JSON report lists stale runbooks")
	assert.Equal(t, "testdata/alerts/site/content/k8s/KubePodCrashLooping.md", report.Diagnostics[stale].Path)

	code, stdout, _ = runCLI("lint", "-s", "testdata/alerts/site", "--rules", "testdata/alerts/nope.yml")
	assert.Equal(t, 1, code, "a rules path that is not there is an error")
	assert.Contains(t, stdout, "testdata/alerts/nope.yml:1:1: error: cannot read: no such file or directory")
}

// TestReadmeRulesExample runs the README's PrometheusRule example against
// the RepairX runbooks and expects the README's output, line for line.
func TestReadmeRulesExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, "here in\n`deploy/monitoring/repairx-rules.yaml`")
	require.Positive(t, start, "the README's PrometheusRule example")
	block := func(from int) (string, int) {
		open := strings.Index(text[from:], "```") + from
		bodyStart := strings.Index(text[open:], "\n") + open + 1
		end := strings.Index(text[bodyStart:], "```") + bodyStart
		return text[bodyStart:end], end + 3
	}
	rule, next := block(start)
	output, _ := block(next)

	src := t.TempDir()
	require.NoError(t, os.CopyFS(filepath.Join(src, "content"), os.DirFS("../../content")))
	data, err := os.ReadFile("../../stepcheck.yaml")
	require.NoError(t, err)
	writeFile(t, filepath.Join(src, "stepcheck.yaml"), string(data))
	writeFile(t, filepath.Join(src, "deploy/monitoring/repairx-rules.yaml"), rule)

	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(src))
	t.Cleanup(func() { _ = os.Chdir(wd) })
	lines := strings.Split(strings.TrimSuffix(output, "\n"), "\n")
	args := strings.Fields(strings.TrimPrefix(lines[0], "$ stepcheck "))
	code, stdout, stderr := runCLI(args...)
	assert.Equal(t, 1, code, stderr)
	assert.Equal(t, strings.Join(lines[1:], "\n")+"\n", stdout)
}
