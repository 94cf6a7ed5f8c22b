package alertcheck

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
	"github.com/stepcheck/stepcheck/gen/rules"
)

func site(t *testing.T, baseURL string) *content.Site {
	t.Helper()
	fsys := fstest.MapFS{
		"content/k8s/KubePodCrashLooping.md": {Data: []byte("---\ntitle: Crash loops\n---\n## Diagnosis\n\ntext\n")},
		"content/db.md":                      {Data: []byte("---\ntitle: Database\nalerts: [PostgresDown, PostgresReplicationLag, PostgresGone]\n---\n## PostgresReplicationLag\n\nlag\n")},
	}
	cfg := config.Default()
	cfg.BaseURL = baseURL
	var diags diag.List
	s := content.Load(fsys, cfg, catalog.Catalog{Probes: map[string]catalog.Probe{}}, markdown.New(markdown.Options{BasePath: cfg.BasePath()}), content.Options{}, &diags)
	assert.Empty(t, diags.Sorted())
	return s
}

// A rule file as a Prometheus server loads it, and a PrometheusRule
// object, with every case lint reports.
const promRules = `groups:
  - name: k8s
    rules:
      - alert: KubePodCrashLooping
        expr: rate(kube_pod_container_status_restarts_total[5m]) > 0
        annotations:
          runbook_url: https://runbooks.example.com/runbooks/k8s/kubepodcrashlooping/#diagnosis
      - alert: KubePodCrashLoopingRenamed
        expr: vector(1)
        annotations:
          runbook_url: https://runbooks.example.com/runbooks/k8s/crashloop/
      - alert: KubePodCrashLoopingAnchor
        expr: vector(1)
        annotations:
          runbook_url: https://runbooks.example.com/runbooks/k8s/kubepodcrashlooping/#mitigation
      - alert: PostgresDown
        expr: pg_up == 0
      - alert: NoPage
        expr: vector(1)
      - alert: OtherSite
        expr: vector(1)
        annotations:
          runbook_url: https://wiki.example.org/Postgres
`

const operatorRules = `apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: db
spec:
  groups:
    - name: db
      rules:
        - alert: PostgresReplicationLag
          expr: pg_replication_lag > 30
          annotations:
            runbook_url: '/runbooks/alerts/{{ $labels.alertname | toLower }}/'
        - alert: PostgresReplicationLagByNamespace
          expr: vector(1)
          annotations:
            runbook_url: /runbooks/db/{{ $labels.namespace }}/
        - alert: KubePodCrashLoopingStable
          expr: vector(1)
          annotations:
            runbook_url: /runbooks/alerts/kubepodcrashlooping/
        - alert: OutsideTheSite
          expr: vector(1)
          annotations:
            runbook_url: /wiki/db/
`

// lines are the diagnostics as lint prints them, in order.
func lines(diags *diag.List) []string {
	var out []string
	for _, d := range diags.Sorted() {
		out = append(out, d.String())
	}
	return out
}

func TestRunbookURLs(t *testing.T) {
	s := site(t, "https://runbooks.example.com/runbooks/")
	var diags diag.List
	rs := rules.Parse("rules/k8s.yaml", []byte(promRules), &diags)
	rs = append(rs, rules.Parse("deploy/db-rules.yaml", []byte(operatorRules), &diags)...)
	Check(s, rs, &diags)
	got := lines(&diags)
	assert.Equal(t, []string{
		"content/db.md:3:1: warning: alert PostgresGone is not defined by any of the rules given",
		"deploy/db-rules.yaml:16:27: warning: runbook_url of alert PostgresReplicationLag: Prometheus expands annotations before it adds the alertname label, so {{ $labels.alertname }} comes out empty; write the name: /runbooks/alerts/postgresreplicationlag/",
		"deploy/db-rules.yaml:20:26: warning: cannot check the runbook_url of alert PostgresReplicationLagByNamespace: it depends on template parts other than the alert's name (/runbooks/db/{{ $labels.namespace }}/)",
		"deploy/db-rules.yaml:28:26: alert OutsideTheSite: runbook_url /wiki/db/ is outside the site, whose pages are below /runbooks/",
		"rules/k8s.yaml:11:24: alert KubePodCrashLoopingRenamed: runbook_url https://runbooks.example.com/runbooks/k8s/crashloop/ reaches no page of this site",
		"rules/k8s.yaml:15:24: alert KubePodCrashLoopingAnchor: runbook_url https://runbooks.example.com/runbooks/k8s/kubepodcrashlooping/#mitigation reaches content/k8s/KubePodCrashLooping.md, which has no heading with the anchor #mitigation",
		"rules/k8s.yaml:16:9: warning: alert PostgresDown has no runbook_url; content/db.md answers it: add runbook_url: https://runbooks.example.com/runbooks/alerts/postgresdown/",
		"rules/k8s.yaml:18:9: warning: alert NoPage has no runbook_url",
	}, got)
}

func TestSiteWithoutHost(t *testing.T) {
	s := site(t, "/")
	var diags diag.List
	rs := rules.Parse("r.yaml", []byte("groups:\n  - name: g\n    rules:\n      - alert: KubePodCrashLooping\n        expr: up == 0\n        annotations:\n          runbook_url: https://runbooks.example.com/k8s/kubepodcrashlooping/\n      - alert: PostgresDown\n        expr: up == 0\n        annotations:\n          runbook_url: /db/\n"), &diags)
	Check(s, rs, &diags)
	got := lines(&diags)
	assert.Equal(t, []string{
		"content/db.md:3:1: warning: alert PostgresGone is not defined by any of the rules given",
		"content/db.md:3:1: warning: alert PostgresReplicationLag is not defined by any of the rules given",
		"r.yaml:7:24: alert KubePodCrashLooping: runbook_url https://runbooks.example.com/k8s/kubepodcrashlooping/ cannot be matched to this site: its baseURL has no host (set baseURL in stepcheck.yaml, or lint --base-url https://…); content/k8s/KubePodCrashLooping.md answers it, at /alerts/kubepodcrashlooping/",
	}, got, "a site path is checked (/db/ is fine); an absolute URL needs the site's host")
}
