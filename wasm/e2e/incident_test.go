package e2e

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIncidentMode walks through an incident on the RepairX runbooks in
// Chromium at 390×844, as a responder paged at night would: an alert's
// runbook link offers an incident, the responder starts it, runs a check,
// ticks a checklist item and copies the Investigating status update, then
// exports the postmortem, which holds those events in order with their
// times. A teammate opens the share link in a fresh browser profile and sees
// the same incident.
//
// It saves the screenshots the README's walkthrough describes into
// $STEPCHECK_SCREENSHOTS, or the test's temporary directory.
func TestIncidentMode(t *testing.T) {
	chromium(t)
	shots := os.Getenv("STEPCHECK_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(shots, 0o755))
	shot := func(ctx context.Context, name, sel string) {
		t.Helper()
		js := `(() => { window.scrollTo(0, 0); return true })()`
		if sel != "" {
			js = `(() => { const e = document.querySelector(` + jsString(sel) + `); window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 64); return true })()`
		}
		eval[bool](t, ctx, js)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(shots, "incident-"+name+".png"), png, 0o644))
	}
	ready := `document.documentElement.dataset.widgets === "ready"`
	timeline := `((document.querySelector('#sc-i-timeline') || {}).value || "")`

	tg := newTarget(t)
	public := buildSite(t, "../..")
	hs, _ := serveSite(t, "../..", public, map[string]string{"REPAIRX_BACKEND_URL": tg.srv.URL})
	ctx := newPage(t, hs.URL)

	// 1. The alert's runbook_url, as Alertmanager fills it in: the offer
	// shows its values as text and starts nothing.
	firing := time.Now().Add(-3 * time.Minute).UTC().Truncate(time.Second)
	alert := hs.URL + "/procedures/detection/?alertname=BackendDown&severity=critical&summary=" +
		url.QueryEscape("Backend is down") + "&startsAt=" + url.QueryEscape(firing.Format(time.RFC3339)) + "&bogus=%3Cb%3Ex"
	within(t, ctx, chromedp.Navigate(alert))
	until(t, ctx, ready)
	offer := eval[string](t, ctx, `document.querySelector('.sc-offer p').textContent`)
	assert.Contains(t, offer, "BackendDown: Backend is down\nSEV-1 · started ")
	assert.Contains(t, offer, "Ignored: bogus=<b>x", "an unknown parameter is shown, as text")
	assert.Equal(t, 0, eval[int](t, ctx, `document.querySelectorAll('.sc-offer b, .sc-inc-bar').length`), "nothing started, nothing rendered as HTML")
	assert.GreaterOrEqual(t, eval[float64](t, ctx, `document.querySelector('.sc-offer .sc-btn').getBoundingClientRect().height`), 48.0)
	shot(ctx, "1-offer", "")

	// 2. Start the incident: the page shows it again, without the link's
	// query, with the bar at the top.
	tap(t, ctx, `.sc-offer [data-act=offer]`)
	until(t, ctx, ready+` && document.querySelector('.sc-inc-bar') !== null && location.search === ""`)
	summary := eval[string](t, ctx, `document.querySelector('.sc-inc-bar summary').textContent`)
	assert.Regexp(t, `^SEV-1 BackendDown: Backend is down · 3 min\nResolve 3 min of 1 h · on track\n`, summary)
	assert.Equal(t, "ok", eval[string](t, ctx, `document.querySelector('.sc-inc-bar').dataset.level`))
	assert.Equal(t, 0, eval[int](t, ctx, `document.querySelectorAll('.sc-offer').length`), "the offer is not made twice")
	shot(ctx, "2-bar", "")

	// 3. Run a check, and 4. tick a checklist item.
	tap(t, ctx, `.sc-probe[data-probe="backend-live"] .sc-check`)
	until(t, ctx, timeline+`.includes("Check: backend-live: up")`)
	tap(t, ctx, `.content li > input[type=checkbox]`)
	until(t, ctx, timeline+`.includes("Checklist: ticked: Acknowledge Alert within 5 minutes")`)
	eval[bool](t, ctx, `(() => { document.querySelector('.sc-inc-bar').open = true; return true })()`)
	clock := eval[string](t, ctx, `document.querySelector('.sc-inc-clock').textContent`)
	assert.Regexp(t, `^Responded in 3 min of 5 min · on track\nResolve 3 min of 1 h · on track\nInternal update due in 2\d min\nStatus page update due in 1\d min$`, clock)
	shot(ctx, "3-timeline", ".sc-inc-clock")

	// 5. Copy the Investigating status page update.
	within(t, ctx, chromedp.Navigate(hs.URL+"/process/communication/"))
	until(t, ctx, ready)
	eval[bool](t, ctx, `(() => { const s = document.querySelector('#sc-f-status'); s.value = 'Investigating'; s.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)
	until(t, ctx, `document.querySelector('#tpl-status-page code').textContent.startsWith("Investigating: BackendDown: Backend is down")`)
	tap(t, ctx, `#tpl-status-page .code-bar .copy`)
	until(t, ctx, `document.querySelector('#tpl-status-page .copy').textContent === "Copied"`)
	assert.True(t, strings.HasPrefix(eval[string](t, ctx, `navigator.clipboard.readText()`), "Investigating: BackendDown: Backend is down\n"))
	until(t, ctx, timeline+`.includes("Status page update copied: Status page update (status.repairx.com) (Investigating)")`)
	assert.Contains(t, eval[string](t, ctx, `document.querySelector('.sc-inc-bar summary').textContent`), "Status page update due in 1",
		"the status page clock counts from the copy")

	// 6. Export the postmortem: the bar's link fills it on its page, and
	// its Copy button copies the Markdown.
	eval[bool](t, ctx, `(() => { document.querySelector('.sc-inc-bar').open = true; return true })()`)
	tap(t, ctx, `.sc-inc-actions a`)
	until(t, ctx, ready+` && location.pathname === "/process/post-incident/" && document.querySelector('#tpl-postmortem code').textContent.includes("Status page update copied")`)
	shot(ctx, "4-postmortem", "#tpl-postmortem")
	tap(t, ctx, `#tpl-postmortem .code-bar .copy`)
	until(t, ctx, `document.querySelector('#tpl-postmortem .copy').textContent === "Copied"`)
	pm := eval[string](t, ctx, `navigator.clipboard.readText()`)

	// 7. The postmortem holds those events, in order, with their times.
	assert.True(t, strings.HasPrefix(pm, "# Postmortem: BackendDown: Backend is down\n"), pm)
	assert.Regexp(t, `- \*\*Duration\*\*: \d+ min, from \d{4}-\d\d-\d\d \d\d:\d\d UTC[+-]\d\d:\d\d to .* \(ongoing\)`, pm)
	assert.Contains(t, pm, "- **Severity**: SEV-1\n- **Started**: ")
	line := regexp.MustCompile(`(?m)^- \*\*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\*\*: (.*)$`)
	var events []string
	var last time.Time
	for _, m := range line.FindAllStringSubmatch(pm, -1) {
		at, err := time.ParseInLocation("2006-01-02 15:04:05", m[1], time.Local)
		require.NoError(t, err)
		assert.False(t, at.Before(last), "%s comes before the line above it", m[0])
		last = at
		events = append(events, m[2])
	}
	require.Len(t, events, 5, pm)
	assert.Equal(t, "Alert fired: BackendDown Backend is down", events[0])
	assert.Regexp(t, `^Incident opened: SEV-1 BackendDown: Backend is down$`, events[1])
	assert.Equal(t, "Check: backend-live: up", events[2])
	assert.Equal(t, "Checklist: ticked: Acknowledge Alert within 5 minutes", events[3])
	assert.Equal(t, "Status page update copied: Status page update (status.repairx.com) (Investigating)", events[4])
	// The times are the browser's: the alert's own, then the moments of
	// the events, between the start of this test and now.
	tz := eval[int](t, ctx, `0 - new Date().getTimezoneOffset()`)
	zone := time.FixedZone("browser", tz*60)
	times := line.FindAllStringSubmatch(pm, -1)
	first, _ := time.ParseInLocation("2006-01-02 15:04:05", times[0][1], zone)
	assert.True(t, first.Equal(firing), "the alert fired at %s, not %s", firing, first)
	for _, m := range times[1:] {
		at, _ := time.ParseInLocation("2006-01-02 15:04:05", m[1], zone)
		assert.WithinDuration(t, time.Now(), at, 2*time.Minute, m[0])
	}

	// A share link with the timeline, and a teammate's fresh browser.
	eval[bool](t, ctx, `(() => { document.querySelector('.sc-inc-bar').open = true; return true })()`)
	tap(t, ctx, `[data-act=share][data-arg=timeline]`)
	until(t, ctx, `document.querySelector('.sc-inc-link a').href.includes("#incident=")`)
	link := eval[string](t, ctx, `navigator.clipboard.readText()`)
	assert.Equal(t, link, eval[string](t, ctx, `document.querySelector('.sc-inc-link a').href`))
	assert.Regexp(t, `^Share link: title, severity, status, start time and 5 timeline lines · \d+ bytes$`, eval[string](t, ctx, `document.querySelector('.sc-inc-link a').textContent`))
	frag, _ := url.Parse(link)
	assert.Empty(t, frag.RawQuery, "the incident travels in the fragment, which never reaches a server")
	assert.LessOrEqual(t, len(frag.Fragment), 4096)
	title := eval[string](t, ctx, `document.querySelector('#sc-i-title').value`)
	started := eval[string](t, ctx, `document.querySelector('#sc-i-started').value`)
	tl := eval[string](t, ctx, timeline)
	shot(ctx, "5-share", ".sc-inc-actions")

	mate := newPage(t, hs.URL)
	within(t, mate, chromedp.Navigate(link))
	until(t, mate, ready)
	assert.Contains(t, eval[string](t, mate, `document.querySelector('.sc-offer p').textContent`), "BackendDown: Backend is down\nSEV-1 · started ")
	tap(t, mate, `.sc-offer [data-act=offer]`)
	until(t, mate, ready+` && document.querySelector('.sc-inc-bar') !== null && location.hash === ""`)
	assert.Equal(t, title, eval[string](t, mate, `document.querySelector('#sc-i-title').value`))
	assert.Equal(t, "SEV-1", eval[string](t, mate, `document.querySelector('#sc-i-severity').value`))
	assert.Equal(t, "Investigating", eval[string](t, mate, `document.querySelector('#sc-i-status').value`))
	assert.Equal(t, started, eval[string](t, mate, `document.querySelector('#sc-i-started').value`), "same time zone, same start")
	assert.Equal(t, tl, eval[string](t, mate, timeline))
	within(t, mate, chromedp.Navigate(hs.URL+"/process/communication/"))
	until(t, mate, ready)
	assert.Equal(t, "🚨 SEV-1 INCIDENT: BackendDown: Backend is down\n- Impact: {{impact}}\n- ETA: {{eta}}\n- IC: {{commander}}\n- Status: Investigating\n",
		eval[string](t, mate, `document.querySelector('#tpl-incident-start code').textContent`), "the teammate gets the same prefilled templates")
	eval[bool](t, mate, `(() => { document.querySelector('.sc-inc-bar').open = true; return true })()`)
	shot(mate, "6-shared", "")
}

// TestIncidentEndForgetAndEarlier ends an incident, starts another from a
// page, finds the first among the earlier ones, and forgets it.
func TestIncidentEndForgetAndEarlier(t *testing.T) {
	ctx, _, _ := openIncidentPage(t)
	ready := `document.documentElement.dataset.widgets === "ready"`
	tap(t, ctx, `[data-act=start]`)
	until(t, ctx, ready+` && document.querySelector('.sc-inc-bar') !== null`)
	eval[bool](t, ctx, `(() => { document.querySelector('.sc-inc-bar').open = true; return true })()`)
	within(t, ctx, chromedp.SendKeys(chromedp.CSS(`#sc-i-title`), "First"))
	within(t, ctx, chromedp.SendKeys(chromedp.CSS(`#sc-i-note`), "called the DBA"))
	tap(t, ctx, `[data-act=escalation]`)
	until(t, ctx, `document.querySelector('#sc-i-timeline').value.includes("Escalation: called the DBA")`)
	assert.Equal(t, "", eval[string](t, ctx, `document.querySelector('#sc-i-note').value`), "the note is cleared once recorded")
	tap(t, ctx, `[data-act=end]`)
	until(t, ctx, ready+` && document.querySelector('.sc-inc-bar summary') !== null && document.querySelector('.sc-inc-bar summary').textContent.includes("· ended")`)
	assert.Equal(t, 0, eval[int](t, ctx, `document.querySelectorAll('[data-act=end]').length`))

	// A second incident, started from the ended one: it starts empty, and
	// the first is listed and can be opened again.
	eval[bool](t, ctx, `(() => { document.querySelector('.sc-inc-bar').open = true; return true })()`)
	tap(t, ctx, `.sc-inc-actions [data-act=start]`)
	until(t, ctx, ready+` && document.querySelector('.sc-inc-earlier') !== null`)
	assert.Equal(t, "", eval[string](t, ctx, `document.querySelector('#sc-i-title').value`))
	assert.Contains(t, eval[string](t, ctx, `document.querySelector('.sc-inc-earlier li').textContent`), "First")
	eval[bool](t, ctx, `(() => { document.querySelector('.sc-inc-earlier').open = true; return true })()`)
	tap(t, ctx, `.sc-inc-earlier [data-act=open]`)
	until(t, ctx, ready+` && document.querySelector('#sc-i-title') !== null && document.querySelector('#sc-i-title').value === "First"`)

	// Forget it: nothing of it is left in localStorage.
	id := eval[string](t, ctx, `localStorage.getItem('stepcheck:current')`)
	eval[bool](t, ctx, `(() => { window.confirm = () => true; document.querySelector('.sc-inc-bar').open = true; return true })()`)
	tap(t, ctx, `[data-act=forget]`)
	until(t, ctx, ready+` && document.querySelector('[data-act=start]') !== null && document.querySelector('.sc-inc-bar') === null`)
	assert.Equal(t, 0, eval[int](t, ctx, `Object.keys(localStorage).filter(k => k.includes(`+jsString(id)+`)).length`))
	assert.NotContains(t, eval[string](t, ctx, `localStorage.getItem('stepcheck:incidents')`), id)
}

// tap scrolls the element sel names to the middle of the screen, out from
// under the sticky header, and clicks it as a finger would.
func tap(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	until(t, ctx, `(() => { const e = document.querySelector(`+jsString(sel)+`); if (!e) return false; e.scrollIntoView({block: "center"}); return true })()`)
	within(t, ctx, chromedp.Click(chromedp.CSS(sel)))
}
