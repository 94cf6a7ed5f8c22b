package content

import (
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
)

func page(fm string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\n" + fm + "\n---\nbody\n")}
}

func load(t *testing.T, fsys fstest.MapFS, opts Options) (*Site, []diag.Diagnostic) {
	t.Helper()
	var diags diag.List
	site := Load(fsys, config.Default(), catalog.Catalog{Probes: map[string]catalog.Probe{}}, markdown.New(markdown.Options{}), opts, &diags)
	return site, diags.Sorted()
}

func TestTreeOrderAndURLs(t *testing.T) {
	site, diags := load(t, fstest.MapFS{
		"content/_index.md":           page("title: Home"),
		"content/about.md":            page("title: About"),
		"content/ops/_index.md":       page("title: Operations\nweight: 1"),
		"content/ops/zeta.md":         page("title: Zeta\nweight: 1"),
		"content/ops/alpha.md":        page("title: Alpha"),
		"content/ops/beta.md":         page("title: Beta\nweight: 2"),
		"content/ops/deep/inner.md":   page("title: Inner"),
		"content/ops/wip.md":          page("title: WIP\ndraft: true"),
		"content/ops/notes.txt":       &fstest.MapFile{Data: []byte("ignored")},
		"content/_drafts/ignored.md":  page("title: Ignored"),
		"content/ops/.hidden/x.md":    page("title: Hidden"),
		"content/plain/first-page.md": &fstest.MapFile{Data: []byte("# From the heading\n\ntext\n")},
	}, Options{})
	require.Empty(t, diags)
	var got []string
	for _, p := range site.Pages {
		got = append(got, string(p.Kind)+" "+p.URL+" "+p.Title)
	}
	assert.Equal(t, []string{
		"home / Home",
		"section /ops/ Operations",
		"page /ops/zeta/ Zeta",
		"page /ops/beta/ Beta",
		"page /ops/alpha/ Alpha",
		"section /ops/deep/ Deep",
		"page /ops/deep/inner/ Inner",
		"page /about/ About",
		"section /plain/ Plain",
		"page /plain/first-page/ From the heading",
	}, got, "weighted pages first, then by title; drafts, _dirs, dot dirs and non-Markdown files are left out")
	inner := site.Pages[6]
	assert.Equal(t, []string{"/", "/ops/", "/ops/deep/"}, urls(inner.Ancestors()))
	assert.Equal(t, 3, site.Sections())
}

func TestDraftsIncludedOnRequest(t *testing.T) {
	site, _ := load(t, fstest.MapFS{"content/wip.md": page("title: WIP\ndraft: true")}, Options{Drafts: true})
	assert.Len(t, site.Pages, 2)
}

func TestFrontMatterFields(t *testing.T) {
	site, diags := load(t, fstest.MapFS{
		"content/x.md": page("title: X\ndescription: D\nweight: 3\ntags: [a, b]\naliases: /old/\nservice: api\nowner: team\nseverity: SEV-2\ncustom: 7"),
	}, Options{})
	require.Empty(t, diags)
	p := site.Pages[1]
	assert.Equal(t, "D", p.Description)
	assert.Equal(t, 3, p.Weight)
	assert.Equal(t, []string{"a", "b"}, p.Tags)
	assert.Equal(t, []string{"/old/"}, p.Aliases)
	assert.Equal(t, "api", p.Service)
	assert.Equal(t, "team", p.Owner)
	assert.Equal(t, "SEV-2", p.Severity)
	assert.Equal(t, map[string]any{"custom": 7}, p.Params)
}

func urls(ps []*Page) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.URL)
	}
	return out
}

func TestAlertsAndReviewFields(t *testing.T) {
	site, diags := load(t, fstest.MapFS{
		"content/k8s/KubePodCrashLooping.md":   page("title: Crash loops\nalerts: [KubeContainerWaiting]\nlastReviewed: 2026-01-15\nreviewEvery: 90d\nowner: platform-team"),
		"content/k8s/etcdMembersDown/index.md": page("title: etcd"),
		"content/k8s/overview.md":              page("title: Overview\nalerts: KubeAPIDown\nlastReviewed: \"2025-03-01T10:00:00Z\""),
		"content/k8s/checklist.md":             page("title: Checklist"),
		"content/k8s/SLO.md":                   page("title: SLOs"),
		"content/k8s/bad.md":                   page("title: Bad\nalerts: [\"kube pod\"]\nlastReviewed: last week\nreviewEvery: often"),
	}, Options{})
	byURL := map[string]*Page{}
	for _, p := range site.Pages {
		byURL[p.URL] = p
	}
	crash := byURL["/k8s/kubepodcrashlooping/"]
	assert.Equal(t, []string{"KubeContainerWaiting", "KubePodCrashLooping"}, crash.Alerts, "the front matter's, then the file's name")
	assert.Equal(t, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), crash.LastReviewed)
	assert.Equal(t, config.Period(90), crash.ReviewEvery)
	assert.Equal(t, []string{"etcdMembersDown"}, byURL["/k8s/etcdmembersdown/"].Alerts, "a leaf bundle's folder names the alert")
	assert.Equal(t, []string{"KubeAPIDown"}, byURL["/k8s/overview/"].Alerts)
	assert.Equal(t, 2025, byURL["/k8s/overview/"].LastReviewed.Year())
	assert.Empty(t, byURL["/k8s/checklist/"].Alerts, "a plain word is not an alert")
	assert.Empty(t, byURL["/k8s/slo/"].Alerts, "nor an acronym")
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		`content/k8s/bad.md:3:1: front matter: alert "kube pod" is not an alert name (letters, digits and _, as in KubePodCrashLooping)`,
		`content/k8s/bad.md:4:1: front matter: lastReviewed must be a date such as 2026-01-15, not text "last week"`,
		`content/k8s/bad.md:5:1: front matter: reviewEvery "often" must be a number of days, weeks, months or years: 180d, 26w, 6m, 1y`,
	}, got)
}

func TestReviewDue(t *testing.T) {
	fsys := fstest.MapFS{
		"content/stale.md": page("title: Stale\nowner: platform-team\nlastReviewed: 2025-10-01"),
		"content/fresh.md": page("title: Fresh\nlastReviewed: 2026-11-01"),
		"content/own.md":   page("title: Own period\nlastReviewed: 2026-11-01\nreviewEvery: 7d"),
		"content/never.md": page("title: Never reviewed"),
	}
	cfg := config.Default()
	cfg.ReviewEvery = 180
	var diags diag.List
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	site := Load(fsys, cfg, catalog.Catalog{Probes: map[string]catalog.Probe{}}, markdown.New(markdown.Options{}),
		Options{Lint: true, Now: now, Changed: map[string]time.Time{"content/fresh.md": now.AddDate(0, 0, -3)}}, &diags)
	state := map[string]string{}
	for _, p := range site.Pages {
		state[p.URL] = fmt.Sprint(p.Overdue, " ", p.ReviewedAgo, " ", p.Changed.Format(time.DateOnly))
	}
	assert.Equal(t, "true 14 months 0001-01-01", state["/stale/"])
	assert.Equal(t, "false  2026-12-01", state["/fresh/"], "within the site's 180 days; its change date from git")
	assert.Equal(t, "true 4 weeks 0001-01-01", state["/own/"], "a page's own period wins")
	assert.Equal(t, "false  0001-01-01", state["/never/"])
	var got []string
	for _, d := range diags.Sorted() {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		"content/own.md:3:1: warning: review overdue: last reviewed 4 weeks ago (2026-11-01), to be reviewed every 7 days",
		"content/stale.md:4:1: warning: review overdue: last reviewed 14 months ago (2025-10-01), to be reviewed every 180 days; owner: platform-team",
	}, got)
}
