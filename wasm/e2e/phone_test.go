package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
)

// longTasks records every main-thread task over 50 ms, from the first
// byte, with the time the widgets started (stepcheck.js stamps it).
const longTasks = `window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });`

// phoneScript is what runs in the page before its own scripts: the
// long-task observer and, with widgets false, no Web Worker and the start
// stamped at the load event (see openThrottled).
func phoneScript(widgets bool) string {
	if widgets {
		return longTasks
	}
	return longTasks + `window.Worker = undefined;
addEventListener("load", () => { document.documentElement.dataset.widgetsStartMs = Math.round(performance.now()) });`
}

// phoneLoad is what one page's load cost the main thread at 4× CPU
// slowdown.
type phoneLoad struct {
	Tasks   [][2]float64 // start and duration of each long task, ms
	Started float64      // when the widgets started, ms
	Ready   float64      // when they said they were ready, ms
}

// widgetTasks are the long tasks from the widgets' start on: what the
// widgets cost the page, not its parsing and first paint.
func (l phoneLoad) widgetTasks() []float64 {
	var out []float64
	for _, t := range l.Tasks {
		if t[0]+t[1] > l.Started {
			out = append(out, t[1])
		}
	}
	return out
}

// openThrottled opens url in a fresh phone-sized page with the CPU slowed
// down rate times, as Lighthouse's mobile preset does, waits until the
// widgets are ready and have had idle, then returns the long tasks seen.
// With search set, the search box gets the query and its results first.
// With widgets false, the page opens as if the browser had no Web Worker:
// the bootstrap starts nothing, and the start is stamped at the load
// event, where the widgets would start. That is the same page's own cost,
// measured in the same run, to set the widgets' against: on this machine a
// page with no widgets at all has long tasks after its load at 4×.
func openThrottled(b *testing.B, origin, url, search string, rate float64, widgets bool) phoneLoad {
	ctx := newPage(b, origin)
	within(b, ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: rate}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: phoneScript(widgets)})
		return chromedp.Void{}, err
	}, chromedp.Navigate(url))
	if widgets {
		until(b, ctx, `document.documentElement.dataset.widgets === "ready"`)
	} else {
		until(b, ctx, `document.readyState === "complete" && document.documentElement.dataset.widgetsStartMs !== undefined`)
	}
	if search != "" && widgets {
		within(b, ctx, chromedp.Click(chromedp.CSS(`#sc-search`)), typeText(search))
		until(b, ctx, `document.querySelectorAll('#sc-results a').length > 0`)
	}
	// Statuses on open, and a quiet second for anything they set off.
	time.Sleep(2 * time.Second)
	var l phoneLoad
	raw := eval[string](b, ctx, `JSON.stringify({Tasks: window.__longTasks, Started: Number(document.documentElement.dataset.widgetsStartMs), Ready: Number(document.documentElement.dataset.widgetsReadyMs)})`)
	require.NoError(b, json.Unmarshal([]byte(raw), &l))
	return l
}

// BenchmarkPhoneLongTasks opens each kind of page at 4× CPU slowdown
// (Lighthouse's mobile preset), with the widgets and, in the same run,
// without them, and reports the median over the opens of: the longest
// main-thread task from the widgets' start on (the budget is 50 ms), the
// blocking time (the sum over 50 ms of those tasks), the longest task of
// the whole load, and how long the widgets took to be ready. The pages:
// RepairX's home, a section, a procedure with probes, the communication
// templates, search results, and a page of a 4,750-page site. It measures,
// never asserts: make bench-phone runs it.
func BenchmarkPhoneLongTasks(b *testing.B) {
	chromium(b)
	repairx := buildSite(b, "../..")
	hs, _ := serveSite(b, "../..", repairx, map[string]string{})
	big := b.TempDir()
	require.NoError(b, corpus.Write(big, 4750))
	bigPublic := buildSite(b, big)
	bigSrv, _ := serveSite(b, big, bigPublic, map[string]string{})
	for _, c := range []struct {
		name, origin, path, search string
	}{
		{"home", hs.URL, "/", ""},
		{"section", hs.URL, "/procedures/", ""},
		{"procedure", hs.URL, "/procedures/service-down/", ""},
		{"templates", hs.URL, "/process/communication/", ""},
		{"search", hs.URL, "/", "postgres"},
		{"large-site", bigSrv.URL, "/" + filepath.ToSlash(firstPage(b, bigPublic)), ""},
	} {
		for _, widgets := range []bool{true, false} {
			name := c.name + "/widgets"
			if !widgets {
				name = c.name + "/no-widgets"
			}
			b.Run(name, func(b *testing.B) {
				var widgetMax, tbt, loadMax, ready []float64
				for b.Loop() {
					l := openThrottled(b, c.origin, c.origin+c.path, c.search, 4, widgets)
					m, sum := 0.0, 0.0
					for _, d := range l.widgetTasks() {
						m = max(m, d)
						sum += d - 50
					}
					lm := 0.0
					for _, t := range l.Tasks {
						lm = max(lm, t[1])
					}
					widgetMax, tbt, loadMax = append(widgetMax, m), append(tbt, sum), append(loadMax, lm)
					ready = append(ready, max(0, l.Ready-l.Started))
				}
				b.ReportMetric(median(widgetMax), "after-start-max-task-ms")
				b.ReportMetric(median(tbt), "after-start-blocking-ms")
				b.ReportMetric(median(loadMax), "load-max-task-ms")
				if widgets {
					b.ReportMetric(median(ready), "widgets-ready-ms")
				}
			})
		}
	}
}

// median returns the middle value of xs (the mean of the two middle ones
// for an even count): one slow open on a shared machine does not make the
// figure.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// firstPage returns the path of a runbook page of a built corpus site,
// below its first section.
func firstPage(b *testing.B, public string) string {
	matches, err := filepath.Glob(filepath.Join(public, "*", "*", "index.html"))
	require.NoError(b, err)
	require.NotEmpty(b, matches)
	slices.Sort(matches)
	rel, err := filepath.Rel(public, filepath.Dir(matches[0]))
	require.NoError(b, err)
	return rel + "/"
}
