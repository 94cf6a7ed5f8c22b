package site

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/render"
)

// TestEveryPageCarriesTheIncidentData checks that every RepairX page, with
// widgets of its own or not, gives incident mode the severity targets of
// stepcheck.yaml in seconds and the postmortem template's URL.
func TestEveryPageCarriesTheIncidentData(t *testing.T) {
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: "../.."}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	data := regexp.MustCompile(`<script type="application/json" id="sc-page">(.*?)</script>`)
	pages := 0
	for name, b := range out.Files {
		if !strings.HasSuffix(name, ".html") || strings.HasPrefix(name, "assets/") {
			continue
		}
		if _, redirect := out.Site.AlertLinks["/"+strings.TrimSuffix(name, "index.html")]; redirect {
			continue // an alert's stable URL, which sends the browser on
		}
		m := data.FindSubmatch(b)
		if !assert.NotNil(t, m, "%s has no page data", name) {
			continue
		}
		var w render.Widgets
		require.NoError(t, json.Unmarshal(m[1], &w), name)
		assert.Equal(t, []string{"SEV-1", "SEV-2", "SEV-3", "SEV-4"}, w.Severities, name)
		assert.Equal(t, []render.Target{
			{ID: "SEV-1", Respond: 300, Resolve: 3600, Internal: 1800, StatusPage: 900},
			{ID: "SEV-2", Respond: 900, Resolve: 14400, Internal: 1800, StatusPage: 1800},
			{ID: "SEV-3", Respond: 1800, Resolve: 86400},
			{ID: "SEV-4", Respond: 7200, Resolve: 259200},
		}, w.Targets, name)
		assert.Equal(t, "/process/post-incident/#tpl-postmortem", w.Postmortem, name)
		pages++
	}
	assert.Equal(t, out.Pages, pages)
}
