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
// stamped where the widgets would start (see openThrottled): in the first
// idle callback after the load event, as stepcheck.js starts them. Stamped
// in the load event itself, the start fell inside the page's load task (the
// parser's last chunk, stepcheck.js, DOMContentLoaded, the layout Blink
// forces at load, the load handlers), which that task then counted as a
// task after the start: 117 to 890 ms that no page with the widgets could
// have, since theirs start after it.
func phoneScript(widgets bool) string {
	if widgets {
		return longTasks
	}
	return longTasks + `window.Worker = undefined;
addEventListener("load", () => {
  (window.requestIdleCallback || ((f) => setTimeout(f, 1)))(() => { document.documentElement.dataset.widgetsStartMs = Math.round(performance.now()) });
});`
}

// phoneLoad is what one page's load cost the main thread at 4× CPU
// slowdown.
type phoneLoad struct {
	Tasks   [][2]float64 // start and duration of each long task the page observed, ms
	Started float64      // when the widgets started, ms
	Ready   float64      // when they said they were ready, ms
	// Traced are the main-thread tasks over 50 ms in a Chrome trace of the
	// same load, on the page's clock. They include what the page's
	// observer leaves out: Chromium reports no long task for a frame's
	// style, layout and paint when no script ran in it, and those are most
	// of what the widgets' operations cost the page (trace_test.go). The
	// test's own tasks (its DevTools evaluations) are left out.
	Traced [][2]float64 `json:"-"`
}

// widgetTasks are the long tasks from the widgets' start on: what the
// widgets cost the page, not its parsing and first paint. From the trace
// with traced set, else as the page observed them.
func (l phoneLoad) widgetTasks(traced bool) []float64 {
	tasks := l.Tasks
	if traced {
		tasks = l.Traced
	}
	var out []float64
	for _, t := range tasks {
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
// the bootstrap starts nothing, and the start is stamped in the first idle
// callback after the load event, where the widgets would start. That is
// the same page's own cost, measured in the same run, to set the widgets'
// against.
func openThrottled(b testing.TB, origin, url, search string, rate float64, widgets bool) phoneLoad {
	l, _ := openTraced(b, origin, url, search, rate, widgets, traceCategories, "", nil)
	return l
}

// openTraced is openThrottled recording a Chrome trace with categories
// from before the navigation to the end, extra run in the page after
// phoneScript and before is called before the trace ends. It returns the
// trace's events too.
func openTraced(b testing.TB, origin, url, search string, rate float64, widgets bool, categories []string, extra string, before func(ctx context.Context)) (phoneLoad, traced) {
	ctx := newPage(b, origin)
	rec := recordTrace(b, ctx)
	within(b, ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: rate}); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: phoneScript(widgets) + extra}); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, rec.start(ctx, tg, categories)
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
	if before != nil {
		before(ctx)
	}
	var l phoneLoad
	raw := eval[string](b, ctx, `JSON.stringify({Tasks: window.__longTasks, Started: Number(document.documentElement.dataset.widgetsStartMs), Ready: Number(document.documentElement.dataset.widgetsReadyMs)})`)
	require.NoError(b, json.Unmarshal([]byte(raw), &l))
	tr := rec.stop(b, ctx)
	if roots, origin, ok := tr.mainTasks(url); ok {
		for _, r := range roots {
			if r.Dur >= 50_000 && !harness(r) {
				l.Traced = append(l.Traced, [2]float64{(r.Ts - origin) / 1000, r.Dur / 1000})
			}
		}
	}
	return l, tr
}

// BenchmarkPhoneLongTasks opens each kind of page at 4× CPU slowdown
// (Lighthouse's mobile preset), with the widgets and, in the same run,
// without them, and reports the median over the opens of: the longest
// main-thread task from the widgets' start on (the budget is 50 ms) and
// the blocking time (the sum over 50 ms of those tasks), both as the
// page's long-task observer saw them and ("traced-") as a Chrome trace of
// the same open saw them, rendering included; the longest observed task
// of the whole load; and how long the widgets took to be ready. The pages:
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
				var widgetMax, tbt, tracedMax, tracedTBT, loadMax, ready []float64
				for b.Loop() {
					l := openThrottled(b, c.origin, c.origin+c.path, c.search, 4, widgets)
					m, sum := maxAndBlocking(l.widgetTasks(false))
					tm, tsum := maxAndBlocking(l.widgetTasks(true))
					lm := 0.0
					for _, t := range l.Tasks {
						lm = max(lm, t[1])
					}
					widgetMax, tbt, loadMax = append(widgetMax, m), append(tbt, sum), append(loadMax, lm)
					tracedMax, tracedTBT = append(tracedMax, tm), append(tracedTBT, tsum)
					ready = append(ready, max(0, l.Ready-l.Started))
				}
				b.ReportMetric(median(widgetMax), "after-start-max-task-ms")
				b.ReportMetric(median(tbt), "after-start-blocking-ms")
				b.ReportMetric(median(tracedMax), "traced-after-start-max-task-ms")
				b.ReportMetric(median(tracedTBT), "traced-after-start-blocking-ms")
				b.ReportMetric(median(loadMax), "load-max-task-ms")
				if widgets {
					b.ReportMetric(median(ready), "widgets-ready-ms")
				}
			})
		}
	}
}

// maxAndBlocking returns the longest of tasks (ms) and their blocking time,
// the sum of what each lasts over 50 ms.
func maxAndBlocking(tasks []float64) (longest, blocking float64) {
	for _, d := range tasks {
		longest = max(longest, d)
		blocking += max(0, d-50)
	}
	return longest, blocking
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
