package e2e

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// TestAlertIndexAndStableLinks: /alerts/ lists the alerts RepairX's pages
// answer, each linked to its runbook; an alert's stable URL, as a rule's
// runbook_url uses it, lands on the runbook with the incident offer of the
// alert deep link, its query kept through the redirect.
func TestAlertIndexAndStableLinks(t *testing.T) {
	ctx, base := openRepairX(t, "/alerts/")
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll('.sc-alerts tbody tr')].map(r => r.cells[0].textContent + " " + r.cells[0].querySelector('a').getAttribute('href') + " " + r.cells[2].textContent)`)
	assert.Equal(t, []string{
		"BackendDown /procedures/service-down/ SEV-1",
		"FrontendDown /procedures/service-down/ SEV-1",
		"HighErrorRate /procedures/high-latency/ SEV-2",
		"HighLatency /procedures/high-latency/ SEV-2",
	}, rows)
	assert.False(t, eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth`), "the table scrolls inside itself on a phone, not the page")

	// Search finds a runbook by the alert it answers.
	within(t, ctx, chromedp.Click(chromedp.CSS(`#sc-search`)), typeText("HighErrorRate"))
	until(t, ctx, `document.querySelectorAll('#sc-results a').length > 0`)
	assert.Contains(t, eval[[]string](t, ctx, `[...document.querySelectorAll('#sc-results a')].map(a => a.getAttribute('href'))`), "/procedures/high-latency/")

	within(t, ctx, chromedp.Navigate(base+"/alerts/backenddown/?alertname=BackendDown&severity=critical&summary="+url.QueryEscape("Backend is down")))
	until(t, ctx, `location.pathname === "/procedures/service-down/" && document.documentElement.dataset.widgets === "ready" && document.querySelector('.sc-offer p') !== null`)
	assert.Contains(t, eval[string](t, ctx, `document.querySelector('.sc-offer p').textContent`), "BackendDown: Backend is down")
	assert.Equal(t, "?alertname=BackendDown&severity=critical&summary=Backend+is+down", eval[string](t, ctx, `location.search`))
}
