package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// parseFile parses a file of testdata and returns its rules and its
// diagnostics as text, sorted.
func parseFile(t *testing.T, path string) ([]Rule, []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var diags diag.List
	rules := Parse(path, data, &diags)
	return rules, lines(&diags)
}

func lines(diags *diag.List) []string {
	var out []string
	for _, d := range diags.Sorted() {
		out = append(out, d.String())
	}
	return out
}

func TestParsePrometheusRuleFile(t *testing.T) {
	const path = "testdata/node.rules.yml"
	rules, diags := parseFile(t, path)
	assert.Empty(t, diags)
	assert.Equal(t, []Rule{
		{
			Alert:  "NodeFilesystemAlmostFull",
			Expr:   "node_filesystem_avail_bytes{fstype!=\"\"} / node_filesystem_size_bytes < 0.05\n",
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary":     "Filesystem has less than 5% space left.",
				"description": `Filesystem on {{ $labels.device }} at {{ $labels.instance }} has only {{ printf "%.2f" $value }}% available space left.`,
				"runbook_url": "https://runbooks.example.com/alerts/{{ $labels.alertname | toLower }}",
			},
			Group: "node.rules", Path: path, Line: 8, Col: 9,
			Runbook: &Value{Text: "https://runbooks.example.com/alerts/{{ $labels.alertname | toLower }}", Line: 17, Col: 24},
		},
		{
			Alert:  "NodeHighCPU",
			Expr:   "instance:node_cpu_utilisation:rate5m > 0.9",
			Labels: map[string]string{"severity": "warning", "team": "infra"},
			Annotations: map[string]string{
				"summary":     "CPU above 90% on {{ $labels.instance }}",
				"runbook_url": "https://runbooks.example.com/alerts/{{ $labels.namespace }}/node-high-cpu",
			},
			Group: "node.rules", Path: path, Line: 18, Col: 9,
			// The text starts after the opening quote, in column 24.
			Runbook: &Value{Text: "https://runbooks.example.com/alerts/{{ $labels.namespace }}/node-high-cpu", Line: 26, Col: 25},
		},
		{
			Alert: "APIHighErrorRate",
			Expr:  `sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05`,
			// team comes from the group's labels.
			Labels: map[string]string{"severity": "page", "team": "api"},
			Annotations: map[string]string{
				"message": "More than 5% of API requests fail.",
				"runbook": "https://runbooks.example.com/api/high-error-rate",
			},
			Group: "api", Path: path, Line: 34, Col: 9,
			Runbook: &Value{Text: "https://runbooks.example.com/api/high-error-rate", Line: 42, Col: 20},
		},
		{
			Alert: "APIDown",
			Expr:  `up{job="api"} == 0`,
			// The rule's team wins over the group's.
			Labels:      map[string]string{"severity": "critical", "team": "platform"},
			Annotations: map[string]string{"runbook_url": "https://runbooks.example.com/api/down"},
			Group:       "api", Path: path, Line: 43, Col: 9,
			Runbook: &Value{Text: "https://runbooks.example.com/api/down", Line: 47, Col: 25},
		},
	}, rules)

	type want struct {
		url                            string
		checkable                      bool
		severity, summary, description string
	}
	got := make([]want, len(rules))
	for i, r := range rules {
		got[i].url, got[i].checkable = r.RunbookURL()
		got[i].severity, got[i].summary, got[i].description = r.Severity(), r.Summary(), r.Description()
	}
	assert.Equal(t, []want{
		{"https://runbooks.example.com/alerts/nodefilesystemalmostfull", true, "critical", "Filesystem has less than 5% space left.",
			`Filesystem on {{ $labels.device }} at {{ $labels.instance }} has only {{ printf "%.2f" $value }}% available space left.`},
		{"", false, "warning", "CPU above 90% on {{ $labels.instance }}", ""},
		{"https://runbooks.example.com/api/high-error-rate", true, "page", "More than 5% of API requests fail.", "More than 5% of API requests fail."},
		{"https://runbooks.example.com/api/down", true, "critical", "", ""},
	}, got)
}

func TestParseKubePrometheus(t *testing.T) {
	const path = "testdata/kube-prometheus.yaml"
	rules, diags := parseFile(t, path)
	assert.Empty(t, diags, "the Deployment is skipped without a word")
	assert.Equal(t, []Rule{
		{
			Alert: "AlertmanagerFailedReload",
			Expr: "# Without max_over_time, failed scrapes could create false negatives, see\n" +
				"# https://www.robustperception.io/alerting-on-gauges-in-prometheus-2-0 for details.\n" +
				`max_over_time(alertmanager_config_last_reload_successful{job="alertmanager-main",namespace="monitoring"}[5m]) == 0` + "\n",
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"description": "Configuration has failed to load for {{ $labels.namespace }}/{{ $labels.pod}}.",
				"runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/alertmanager/alertmanagerfailedreload",
				"summary":     "Reloading an Alertmanager configuration has failed.",
			},
			Group: "alertmanager.rules", Path: path, Line: 28, Col: 7,
			Runbook: &Value{Text: "https://runbooks.prometheus-operator.dev/runbooks/alertmanager/alertmanagerfailedreload", Line: 31, Col: 22},
		},
		{
			Alert: "KubeStateMetricsListErrors",
			Expr: `(sum(rate(kube_state_metrics_list_total{job="kube-state-metrics",result="error"}[5m])) by (cluster)` + "\n" +
				"  /\n" +
				`sum(rate(kube_state_metrics_list_total{job="kube-state-metrics"}[5m])) by (cluster))` + "\n" +
				"> 0.01\n",
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"message":     "kube-state-metrics is experiencing errors at an elevated rate in list operations.",
				"runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kube-state-metrics/kubestatemetricslisterrors",
			},
			Group: "kube-state-metrics", Path: path, Line: 50, Col: 7,
			// A folded block scalar: the URL is on the line after ">-".
			Runbook: &Value{Text: "https://runbooks.prometheus-operator.dev/runbooks/kube-state-metrics/kubestatemetricslisterrors", Line: 54, Col: 11},
		},
	}, rules)
	url, ok := rules[1].RunbookURL()
	assert.True(t, ok)
	assert.Equal(t, "https://runbooks.prometheus-operator.dev/runbooks/kube-state-metrics/kubestatemetricslisterrors", url)
	assert.Equal(t, "kube-state-metrics is experiencing errors at an elevated rate in list operations.", rules[1].Summary())
}

func TestParseList(t *testing.T) {
	const path = "testdata/list.yaml"
	rules, diags := parseFile(t, path)
	assert.Empty(t, diags, "the ConfigMap item is skipped, its groups key too")
	assert.Equal(t, []Rule{{
		Alert:  "etcdMembersDown",
		Expr:   `max without (endpoint) (sum without (instance) (up{job=~".*etcd.*"} == bool 0)) > 0`,
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"description": `etcd cluster "{{ $labels.job }}": members are down ({{ $value }}).`,
			"runbook_url": "https://runbooks.example.com/{{$labels.alertname}}",
		},
		Group: "etcd", Path: path, Line: 18, Col: 9,
		Runbook: &Value{Text: "https://runbooks.example.com/{{$labels.alertname}}", Line: 21, Col: 24},
	}}, rules)
	url, ok := rules[0].RunbookURL()
	assert.True(t, ok)
	assert.Equal(t, "https://runbooks.example.com/etcdMembersDown", url)
}

func TestParseAnchors(t *testing.T) {
	const path = "testdata/anchors.yaml"
	rules, diags := parseFile(t, path)
	assert.Empty(t, diags)
	runbook := &Value{Text: "https://runbooks.example.com/storage/disk-full", Line: 10, Col: 35}
	assert.Equal(t, []Rule{
		{
			Alert:       "DiskFull",
			Expr:        "node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05",
			Labels:      map[string]string{"severity": "critical", "team": "storage"},
			Annotations: map[string]string{"runbook_url": runbook.Text},
			Group:       "disks", Path: path, Line: 4, Col: 5,
			// After the anchor and the tag.
			Runbook: runbook,
		},
		{
			Alert: "DiskAlmostFull",
			Expr:  "node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1",
			// Merged from DiskFull's labels, severity overridden.
			Labels: map[string]string{"severity": "warning", "team": "storage"},
			// summary: ~ is null, which Prometheus reads as "".
			Annotations: map[string]string{"runbook_url": runbook.Text, "summary": ""},
			Group:       "disks", Path: path, Line: 11, Col: 5,
			// An alias is placed at the text it names.
			Runbook: runbook,
		},
	}, rules)
}

func TestParseBroken(t *testing.T) {
	for _, tc := range []struct {
		path  string
		rules []Rule
		diags []string
	}{
		{
			path:  "testdata/broken/syntax.yaml",
			diags: []string{"testdata/broken/syntax.yaml:7:1: mapping values are not allowed in this context"},
		},
		{
			// The first document's rule is kept. yaml.v3 places this parser
			// error at the start of the enclosing block (the group on line
			// 18), not at the misindented labels of line 22.
			path: "testdata/broken/second-document.yaml",
			rules: []Rule{{
				Alert: "AppDown", Expr: `up{job="app"} == 0`, Group: "app",
				Path: "testdata/broken/second-document.yaml", Line: 9, Col: 7,
			}},
			diags: []string{"testdata/broken/second-document.yaml:18:1: did not find expected key"},
		},
		{
			path: "testdata/broken/shapes.yaml",
			rules: []Rule{
				{Alert: "NoExpr", Labels: map[string]string{"severity": "warning"}, Group: "app", Path: "testdata/broken/shapes.yaml", Line: 4, Col: 5},
				{Alert: "EmptyExpr", Group: "app", Path: "testdata/broken/shapes.yaml", Line: 7, Col: 5},
				{Alert: "AnnotationsNotAMapping", Expr: "up == 0", Group: "app", Path: "testdata/broken/shapes.yaml", Line: 9, Col: 5},
				{
					Alert: "AnnotationNotText", Expr: "up == 0",
					Annotations: map[string]string{"runbook_url": "https://runbooks.example.com/annotation-not-text"},
					Group:       "app", Path: "testdata/broken/shapes.yaml", Line: 12, Col: 5,
					Runbook: &Value{Text: "https://runbooks.example.com/annotation-not-text", Line: 17, Col: 20},
				},
				{
					Alert: "DuplicateRunbook", Expr: "up == 0",
					Annotations: map[string]string{"runbook_url": "https://runbooks.example.com/first"},
					Group:       "app", Path: "testdata/broken/shapes.yaml", Line: 18, Col: 5,
					Runbook: &Value{Text: "https://runbooks.example.com/first", Line: 21, Col: 20},
				},
				{Alert: "NamelessGroup", Expr: "vector(1)", Path: "testdata/broken/shapes.yaml", Line: 32, Col: 5},
				{
					Alert: "LabelsNotText", Expr: "up == 0",
					// A number is text as written, as Prometheus reads it.
					Labels: map[string]string{"priority": "3"},
					Path:   "testdata/broken/shapes.yaml", Line: 42, Col: 5,
				},
			},
			diags: []string{
				`testdata/broken/shapes.yaml:4:5: alert "NoExpr" has no expr`,
				`testdata/broken/shapes.yaml:8:11: alert "EmptyExpr" has no expr`,
				`testdata/broken/shapes.yaml:11:18: annotations must be a mapping of names to text`,
				`testdata/broken/shapes.yaml:16:9: annotation "summary" must be text, not a list`,
				`testdata/broken/shapes.yaml:22:7: key "runbook_url" is given twice (first on line 21); keep one`,
				`testdata/broken/shapes.yaml:23:5: a rule has both alert and record; keep one`,
				`testdata/broken/shapes.yaml:26:5: a rule needs alert (or record, for a recording rule)`,
				`testdata/broken/shapes.yaml:28:11: a rule needs a name in alert (or record, for a recording rule)`,
				`testdata/broken/shapes.yaml:30:5: a rule must be a mapping with alert (or record) and expr`,
				`testdata/broken/shapes.yaml:31:3: a rule group needs a name`,
				`testdata/broken/shapes.yaml:36:5: the rules of a group must be a list of rules`,
				`testdata/broken/shapes.yaml:38:9: a rule group needs a name`,
				`testdata/broken/shapes.yaml:40:9: a group's name must be text, not a list`,
				`testdata/broken/shapes.yaml:45:17: label "severity" must be text, not a mapping`,
				`testdata/broken/shapes.yaml:47:3: a rule group must be a mapping with a name and rules`,
			},
		},
		{
			path: "testdata/broken/objects.yaml",
			diags: []string{
				"testdata/broken/objects.yaml:5:7: a PrometheusRule's spec must be a mapping with groups",
				"testdata/broken/objects.yaml:13:5: groups must be a list of rule groups",
				"testdata/broken/objects.yaml:17:8: a List's items must be a list of objects",
				"testdata/broken/objects.yaml:19:9: groups must be a list of rule groups",
			},
		},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			rules, diags := parseFile(t, tc.path)
			assert.Equal(t, tc.rules, rules)
			assert.Equal(t, tc.diags, diags)
		})
	}
}

// TestParseSkips covers documents that are not rules, and rule files
// without alerting rules: nothing is read and nothing is said.
func TestParseSkips(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"empty", ""},
		{"comments", "# nothing here\n"},
		{"empty documents", "---\n---\n"},
		{"scalar", "just text\n"},
		{"list", "- groups: []\n"},
		{"deployment", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec: {groups: 1}\n"},
		{"kustomization", "resources:\n  - rules.yaml\n"},
		{"config map", "apiVersion: v1\nkind: ConfigMap\ndata:\n  alerts.yaml: |\n    groups:\n    - name: a\n"},
		{"other kind with groups", "kind: Thing\ngroups: 1\n"},
		{"null groups", "groups:\n"},
		{"empty groups", "groups: []\n"},
		{"null rules", "groups:\n- name: a\n  rules:\n"},
		{"recording rules", "groups:\n- name: a\n  rules:\n  - record: a:b\n    expr: sum(b)\n"},
		{"PrometheusRule without spec", "kind: PrometheusRule\nmetadata: {name: a}\n"},
		{"PrometheusRule with null spec", "kind: PrometheusRule\nspec:\n"},
		{"List of other kinds", "kind: List\nitems:\n- kind: Service\n  spec: {groups: [x]}\n"},
		{"null items", "kind: List\nitems:\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.List
			assert.Empty(t, Parse("f.yaml", []byte(tc.src), &diags))
			assert.Empty(t, lines(&diags))
		})
	}
}

// TestParsePositions covers where the alert and the runbook's text are
// placed, in sources that editors and yaml.v3 count differently.
func TestParsePositions(t *testing.T) {
	rule := func(alert, runbook string) string {
		return "groups:\n- name: g\n  rules:\n  - " + alert + "\n    expr: up\n    annotations:\n      " + runbook + "\n"
	}
	for _, tc := range []struct {
		name, src   string
		line, col   int
		runbook     Value
		description string
	}{
		{"plain", rule("alert: A", "runbook_url: https://r/a"), 4, 5, Value{"https://r/a", 7, 20}, ""},
		{"double quoted", rule("alert: A", `runbook_url: "https://r/a"`), 4, 5, Value{"https://r/a", 7, 21}, ""},
		{"single quoted", rule("alert: A", "runbook_url: 'https://r/a'"), 4, 5, Value{"https://r/a", 7, 21}, ""},
		{"quote ending its line", rule("alert: A", "runbook_url: \"\n        https://r/a\""), 4, 5, Value{" https://r/a", 8, 9}, ""},
		{"literal block with a comment", rule("alert: A", "runbook_url: |  # the runbook\n\n        https://r/a"), 4, 5, Value{"\nhttps://r/a\n", 9, 9}, ""},
		{"tag", rule("alert: A", "runbook_url: !!str https://r/a"), 4, 5, Value{"https://r/a", 7, 26}, ""},
		{"anchor", rule("alert: A", "runbook_url: &u https://r/a"), 4, 5, Value{"https://r/a", 7, 23}, ""},
		{"flow mapping", "groups: [{name: g, rules: [{alert: A, expr: up, annotations: {runbook_url: \"https://r/a\"}}]}]\n",
			1, 29, Value{"https://r/a", 1, 77}, ""},
		// Columns count characters: ü and 日本 are one column each.
		{"non-ASCII", "groups: [{name: ü, rules: [{alert: A, expr: up, annotations: {description: 日本, runbook_url: 'https://r/ü'}}]}]\n", 1, 29, Value{"https://r/ü", 1, 94}, "日本"},
		{"runbook_url after runbook", rule("alert: A", "runbook: https://r/old\n      runbook_url: https://r/new"), 4, 5, Value{"https://r/new", 8, 20}, ""},
		{"runbook after runbook_url", rule("alert: A", "runbook_url: https://r/new\n      runbook: https://r/old"), 4, 5, Value{"https://r/new", 7, 20}, ""},
		{"alert not first", "groups:\n- name: g\n  rules:\n  - expr: up\n    alert: A\n    annotations: {runbook_url: https://r/a}\n", 5, 5, Value{"https://r/a", 6, 32}, ""},
		{"byte-order mark", "\ufeff" + "groups: [{name: g, rules: [{alert: A, expr: up, annotations: {runbook_url: x}}]}]\n", 1, 29, Value{"x", 1, 76}, ""},
		{"CRLF", strings.ReplaceAll(rule("alert: A", "runbook_url: |\n        https://r/a"), "\n", "\r\n"), 4, 5, Value{"https://r/a\n", 8, 9}, ""},
		{"tab", "groups:\n- name: g\n  rules:\n  - alert:\tA\n    expr: up\n    annotations: {runbook_url:\t'https://r/a'}\n", 4, 5, Value{"https://r/a", 6, 33}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.List
			rules := Parse("f.yaml", []byte(tc.src), &diags)
			require.Empty(t, lines(&diags))
			require.Len(t, rules, 1)
			assert.Equal(t, "A", rules[0].Alert)
			assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{rules[0].Line, rules[0].Col}, "alert")
			require.NotNil(t, rules[0].Runbook)
			assert.Equal(t, tc.runbook, *rules[0].Runbook)
			assert.Equal(t, tc.description, rules[0].Description())
		})
	}
}

// TestParseAliases checks that aliases which name their own node, or
// which expand far beyond the file (a "billion laughs"), end the reading
// instead of looping or running out of memory.
func TestParseAliases(t *testing.T) {
	t.Run("self", func(t *testing.T) {
		for _, src := range []string{
			"kind: List\nitems: &i [*i]\n",
			"groups: &g [{name: a, rules: *g}]\n",
			"groups:\n- name: a\n  rules:\n  - alert: A\n    expr: x\n    labels: &l {<<: *l, a: b}\n",
		} {
			var diags diag.List
			Parse("f.yaml", []byte(src), &diags) // must return
		}
	})
	t.Run("billion laughs", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("a: &r {alert: A, expr: x, labels: {a: b}}\nb: &rs [")
		b.WriteString(strings.Repeat("*r,", 1000))
		b.WriteString("]\nc: &g {name: g, rules: *rs}\nd: &gs [")
		b.WriteString(strings.Repeat("*g,", 1000))
		b.WriteString("]\ne: &o {kind: PrometheusRule, spec: {groups: *gs}}\n---\nkind: List\nitems: [")
		b.WriteString(strings.Repeat("*o,", 1000))
		b.WriteString("]\n")
		start := time.Now()
		var diags diag.List
		rules := Parse("bomb.yaml", []byte(b.String()), &diags)
		assert.Less(t, time.Since(start), 10*time.Second)
		assert.Less(t, len(rules), 20_000, "a billion would be read without the limit")
		assert.Equal(t, []string{"bomb.yaml:2:2499: the aliases in this file expand to far more than the file holds; reading stopped here"}, lines(&diags))
	})
}

func TestParseNilDiags(t *testing.T) {
	assert.Empty(t, Parse("f.yaml", []byte("groups: ["), nil))
}

func TestRunbookURL(t *testing.T) {
	for _, tc := range []struct {
		text      string
		url       string
		checkable bool
	}{
		{"https://r/plain", "https://r/plain", true},
		{"  https://r/spaces\n", "https://r/spaces", true},
		{"/runbooks/relative", "/runbooks/relative", true},
		{"", "", true},
		{"https://r/{{ $labels.alertname }}", "https://r/KubePodCrashLooping", true},
		{"https://r/{{$labels.alertname}}", "https://r/KubePodCrashLooping", true},
		{"https://r/{{ .Labels.alertname }}", "https://r/KubePodCrashLooping", true},
		{"https://r/{{ $labels.alertname | toLower }}", "https://r/kubepodcrashlooping", true},
		{"https://r/{{$labels.alertname|toLower}}", "https://r/kubepodcrashlooping", true},
		{"https://r/{{   $labels.alertname   |   tolower   }}", "https://r/kubepodcrashlooping", true},
		{"https://r/{{ .Labels.alertname | toLower }}", "https://r/kubepodcrashlooping", true},
		{"https://r/{{ toLower $labels.alertname }}", "https://r/kubepodcrashlooping", true},
		{"https://r/{{\t$labels.alertname\t}}", "https://r/KubePodCrashLooping", true},
		{"https://r/ {{- $labels.alertname -}} /x", "https://r/KubePodCrashLooping/x", true},
		{"https://r/{{ $labels.alertname }}#{{ $labels.alertname | toLower }}", "https://r/KubePodCrashLooping#kubepodcrashlooping", true},
		{"https://r/{{ $labels.namespace }}", "", false},
		{"https://r/{{ $labels.alertname }}/{{ $labels.namespace }}", "", false},
		{"https://r/{{ $value }}", "", false},
		{"https://r/{{ $labels.alertname | toUpper }}", "", false},
		{"https://r/{{ $labels.alertname | toLower | title }}", "", false},
		{"https://r/{{ $labels.alertname | reReplaceAll \"-\" \"_\" }}", "", false},
		{"https://r/{{ toLower $labels.alertname $labels.job }}", "", false},
		{"https://r/{{ printf \"%s\" $labels.alertname }}", "", false},
		{"https://r/{{-$labels.alertname}}", "", false}, // "-$labels" is not a trim marker
		{"https://r/{{ $labels.alertname", "", false},
		{"https://r/{{}}", "", false},
		{"https://r/{{/* a comment */}}", "", false},
		{"https://r/{{ $externalURL }}", "", false},
	} {
		t.Run(tc.text, func(t *testing.T) {
			r := Rule{Alert: "KubePodCrashLooping", Runbook: &Value{Text: tc.text, Line: 1, Col: 1}}
			url, checkable := r.RunbookURL()
			assert.Equal(t, tc.url, url)
			assert.Equal(t, tc.checkable, checkable)
		})
	}
	t.Run("no runbook", func(t *testing.T) {
		url, checkable := Rule{Alert: "A"}.RunbookURL()
		assert.Equal(t, "", url)
		assert.False(t, checkable)
	})
}

func TestSummaryDescription(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		annotations          map[string]string
		summary, description string
	}{
		{"none", nil, "", ""},
		{"both", map[string]string{"summary": "s", "description": "d", "message": "m"}, "s", "d"},
		{"message only", map[string]string{"message": "m"}, "m", "m"},
		{"summary and message", map[string]string{"summary": "s", "message": "m"}, "s", "m"},
		{"empty summary", map[string]string{"summary": "", "message": "m"}, "", "m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Rule{Annotations: tc.annotations, Labels: map[string]string{"severity": "Critical"}}
			assert.Equal(t, tc.summary, r.Summary())
			assert.Equal(t, tc.description, r.Description())
			assert.Equal(t, "Critical", r.Severity(), "as written")
		})
	}
	assert.Equal(t, "", Rule{}.Severity())
}

func TestLoad(t *testing.T) {
	appDown := Rule{
		Alert: "AppDown", Expr: `up{job="app"} == 0`,
		Labels:      map[string]string{"severity": "page"},
		Annotations: map[string]string{"runbook_url": "https://runbooks.example.com/app/{{ $labels.alertname | toLower }}"},
		Group:       "app", Path: filepath.FromSlash("testdata/repo/monitoring/app.rules"), Line: 4, Col: 5,
		Runbook: &Value{Text: "https://runbooks.example.com/app/{{ $labels.alertname | toLower }}", Line: 10, Col: 20},
	}
	dbLag := Rule{
		Alert: "DBReplicationLag", Expr: "pg_replication_lag_seconds > 30",
		Labels: map[string]string{"severity": "warning"},
		Group:  "db", Path: filepath.FromSlash("testdata/repo/monitoring/db.rules.yml"), Line: 4, Col: 5,
	}
	for _, tc := range []struct {
		name  string
		paths []string
		rules []Rule
		diags []string
	}{
		{
			// .github/ and .broken.yaml are not read, README.md is not YAML,
			// and kustomization.yaml, deployment.yaml and recording.yaml
			// hold no alerting rules but were not named.
			name:  "directory",
			paths: []string{"testdata/repo"},
			rules: []Rule{appDown, dbLag},
		},
		{
			name:  "files in sorted order, each once",
			paths: []string{"testdata/repo/monitoring/db.rules.yml", "./testdata/repo/", "testdata/repo/monitoring/app.rules"},
			rules: []Rule{appDown, dbLag},
		},
		{
			name:  "named files without alerting rules",
			paths: []string{"testdata/repo/monitoring/recording.yaml", "testdata/repo/deploy/deployment.yaml", "testdata/repo/monitoring/README.md"},
			diags: []string{
				"testdata/repo/deploy/deployment.yaml:1:1: warning: no alerting rules in this file",
				"testdata/repo/monitoring/README.md:1:9: groups must be a list of rule groups",
				"testdata/repo/monitoring/recording.yaml:1:1: warning: no alerting rules in this file",
			},
		},
		{
			name:  "a named hidden file is read",
			paths: []string{"testdata/repo/.broken.yaml"},
			diags: []string{"testdata/repo/.broken.yaml:1:1: did not find expected node content"},
		},
		{
			name:  "a file with errors gets no warning",
			paths: []string{"testdata/broken/syntax.yaml"},
			diags: []string{"testdata/broken/syntax.yaml:7:1: mapping values are not allowed in this context"},
		},
		{
			name:  "missing",
			paths: []string{"testdata/missing.yaml", "testdata/repo/monitoring/db.rules.yml"},
			rules: []Rule{dbLag},
			diags: []string{"testdata/missing.yaml:1:1: cannot read: no such file or directory"},
		},
		{
			name:  "nothing",
			paths: nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.List
			rules := Load(tc.paths, &diags)
			assert.Equal(t, tc.rules, rules)
			var want []string
			for _, d := range tc.diags {
				want = append(want, filepath.FromSlash(d))
			}
			assert.Equal(t, want, lines(&diags))
		})
	}
}

func TestLoadNilDiags(t *testing.T) {
	assert.Empty(t, Load([]string{"testdata/missing.yaml"}, nil))
}

// FuzzParse checks that no input makes Parse panic, and that everything
// it reports has a place in the file.
func FuzzParse(f *testing.F) {
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, string(filepath.Separator)+"fuzz"+string(filepath.Separator)) {
			return err
		}
		data, err := os.ReadFile(path)
		f.Add(data)
		return err
	})
	require.NoError(f, err)
	for _, seed := range []string{
		"kind: List\nitems: &i [*i]\n",
		"groups: [{name: g, rules: [{alert: A, expr: up, annotations: {runbook_url: !!str &a \"x\"}}]}]\n",
		"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations:\n      runbook_url: >\n\n",
		"\ufeffgroups: [\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var diags diag.List
		rules := Parse("f.yaml", src, &diags)
		for _, d := range diags.Sorted() {
			if d.Line < 1 || d.Col < 1 {
				t.Fatalf("diagnostic without a position: %v", d)
			}
		}
		for _, r := range rules {
			if r.Line < 1 || r.Col < 1 || r.Alert == "" || r.Path != "f.yaml" {
				t.Fatalf("rule %+v", r)
			}
			if r.Runbook != nil && (r.Runbook.Line < 1 || r.Runbook.Col < 1) {
				t.Fatalf("runbook without a position: %+v", *r.Runbook)
			}
			r.RunbookURL()
		}
	})
}
