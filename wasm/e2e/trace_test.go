package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// traceCategories are the DevTools performance panel's: tasks and the
// events inside them (parsing, script with its URL and line, style,
// layout, paint, GC). They cost the page little: a task's figures in the
// trace are within noise of the long-task observer's.
var traceCategories = []string{
	"-*",
	"toplevel",
	"devtools.timeline",
	"disabled-by-default-devtools.timeline",
	"disabled-by-default-devtools.timeline.frame",
	"v8.execute",
	"blink.user_timing",
	"loading",
}

// sampleCategories add the JavaScript stack samples and the stack of each
// forced layout (STEPCHECK_TRACE_SAMPLES=1): which function, at the price
// of script running about three times slower while traced.
var sampleCategories = []string{
	"disabled-by-default-devtools.timeline.stack",
	"disabled-by-default-v8.cpu_profiler",
	"v8",
}

// batchLog records, in the page, each batch of operations the widgets post
// to the main thread: when it arrived, how long stepcheck.js took to apply
// it (script only: the style, layout and paint it causes come after, in
// the next frame), how many operations it held and of which kinds.
const batchLog = `window.__batches = [];
if (window.Worker) {
  const W = window.Worker;
  window.Worker = class extends W {
    set onmessage(f) {
      super.onmessage = (m) => {
        const t0 = performance.now();
        f(m);
        const kinds = {};
        if (Array.isArray(m.data)) for (const op of m.data) kinds[op[0]] = (kinds[op[0]] || 0) + 1;
        window.__batches.push([Math.round(t0), +(performance.now() - t0).toFixed(1), Array.isArray(m.data) ? m.data.length : 0, kinds]);
      };
    }
    get onmessage() { return super.onmessage; }
  };
}`

// shiftLog records the page's layout shifts, with the elements that moved.
const shiftLog = `window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const src = (e.sources || []).map((s) => {
      const n = s.node, r = (q) => [q.x, q.y, q.width, q.height].map(Math.round).join(",");
      const name = n ? (n.nodeName + (n.className && typeof n.className === "string" ? "." + n.className.split(" ").join(".") : "")) : "?";
      return name + " x,y,w,h " + r(s.previousRect) + " -> " + r(s.currentRect);
    });
    window.__shifts.push([Math.round(e.startTime), +e.value.toFixed(4), e.hadRecentInput, src]);
  }
}).observe({ type: "layout-shift", buffered: true });`

// traceEvent is one event of a Chrome trace (Trace Event Format): times in
// microseconds.
type traceEvent struct {
	Name string          `json:"name"`
	Cat  string          `json:"cat"`
	Ph   string          `json:"ph"`
	Ts   float64         `json:"ts"`
	Dur  float64         `json:"dur"`
	Pid  int             `json:"pid"`
	Tid  int             `json:"tid"`
	Args json.RawMessage `json:"args"`
	ID   json.RawMessage `json:"id"`
	// children and self are filled in for the main thread's tasks.
	children []*traceEvent
	self     float64
}

// traceRecorder collects the Chrome trace of a page (Tracing domain,
// events reported as they are flushed).
type traceRecorder struct {
	mu   sync.Mutex
	raw  []json.RawMessage
	done chan struct{}
}

// recordTrace listens to ctx's page for trace data; start starts tracing.
func recordTrace(t testing.TB, ctx context.Context) *traceRecorder {
	r := &traceRecorder{done: make(chan struct{})}
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			r.mu.Lock()
			for _, v := range ev.Value {
				r.raw = append(r.raw, json.RawMessage(slices.Clone(v)))
			}
			r.mu.Unlock()
		case *tracing.EventTracingComplete:
			close(r.done)
		}
	}))
	return r
}

func (r *traceRecorder) start(ctx context.Context, tg *chromedp.Target, categories []string) error {
	_, err := cdp.Call(ctx, tg, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig:  &tracing.TraceConfig{RecordMode: "recordAsMuchAsPossible", IncludedCategories: categories},
	})
	return err
}

// stop ends tracing and returns what was recorded.
func (r *traceRecorder) stop(t testing.TB, ctx context.Context) traced {
	within(t, ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, tracing.End, cdp.Empty{})
		return chromedp.Void{}, err
	})
	select {
	case <-r.done:
	case <-time.After(60 * time.Second):
		t.Fatal("the trace did not complete")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	tr := traced{raw: r.raw, events: make([]traceEvent, 0, len(r.raw))}
	for _, raw := range r.raw {
		var e traceEvent
		if json.Unmarshal(raw, &e) == nil {
			tr.events = append(tr.events, e)
		}
	}
	return tr
}

// traced is a recorded trace: its events as recorded and decoded.
type traced struct {
	raw    []json.RawMessage
	events []traceEvent
}

// mainTasks returns the tasks of the main thread of the page at url, each
// with its events nested (threadEvents), and the page's time origin.
func (tr traced) mainTasks(url string) (tasks []*traceEvent, origin float64, ok bool) {
	pid, tid, ok := mainThread(tr.events, url)
	if !ok {
		return nil, 0, false
	}
	for _, r := range threadEvents(tr.events, pid, tid) {
		if isTask(r) {
			tasks = append(tasks, r)
		}
	}
	return tasks, navigationStart(tr.events, pid, url), true
}

// harness says whether a task is the test's own: DevTools evaluating the
// conditions until polls for, and the like.
func harness(e *traceEvent) bool {
	for _, c := range e.children {
		if strings.HasSuffix(label(c), "blink.mojom.DevToolsSession") || harness(c) {
			return true
		}
	}
	return false
}

// traceLoad opens url as openThrottled does (the same phone, throttling,
// long-task observer and widgets switch) with a Chrome trace recorded from
// before the navigation to the widgets' quiet second after ready, and
// returns the trace's events and what the page's observer saw.
func traceLoad(t testing.TB, origin, url string, rate float64, widgets bool) (traced, phoneLoad) {
	categories := traceCategories
	if os.Getenv("STEPCHECK_TRACE_SAMPLES") == "1" {
		categories = append(slices.Clone(categories), sampleCategories...)
	}
	if c := os.Getenv("STEPCHECK_TRACE_CATEGORIES"); c != "" {
		// For instance "-*" to see what tracing itself costs the page.
		categories = strings.Split(c, ",")
	}
	// The batch log wraps the page's message handler, so that its script
	// counts as the injected script's in the trace: only on demand.
	extra := shiftLog
	batches := os.Getenv("STEPCHECK_TRACE_BATCHES") == "1"
	if batches {
		extra += batchLog
	}
	l, tr := openTraced(t, origin, url, "", rate, widgets, categories, extra, func(ctx context.Context) {
		t.Logf("layout shifts [ms, value, after input, sources]: %s", eval[string](t, ctx, `JSON.stringify(window.__shifts)`))
		if batches {
			t.Logf("batches applied [arrival ms, script ms, operations, kinds]: %s", eval[string](t, ctx, `JSON.stringify(window.__batches)`))
		}
	})
	if dir := os.Getenv("STEPCHECK_TRACE_DIR"); dir != "" {
		name := strings.NewReplacer("/", "_", ":", "_").Replace(strings.TrimPrefix(url, origin))
		if widgets {
			name += "-widgets"
		} else {
			name += "-no-widgets"
		}
		f, err := os.CreateTemp(dir, "trace"+name+"-*.json")
		require.NoError(t, err)
		require.NoError(t, json.NewEncoder(f).Encode(map[string]any{"traceEvents": tr.raw}))
		require.NoError(t, f.Close())
		t.Logf("trace written to %s (open it in DevTools' Performance panel)", f.Name())
	}
	return tr, l
}

// mainThread returns the renderer main thread that parsed the page at url.
func mainThread(events []traceEvent, url string) (pid, tid int, ok bool) {
	for _, e := range events {
		if e.Name != "ParseHTML" {
			continue
		}
		var a struct {
			BeginData struct {
				URL string `json:"url"`
			} `json:"beginData"`
		}
		if json.Unmarshal(e.Args, &a) == nil && a.BeginData.URL == url {
			return e.Pid, e.Tid, true
		}
	}
	return 0, 0, false
}

// navigationStart returns the time of the navigation to url in process
// pid: the origin of the page's performance.now().
func navigationStart(events []traceEvent, pid int, url string) float64 {
	for _, e := range events {
		var a struct {
			Data struct {
				URL string `json:"documentLoaderURL"`
			} `json:"data"`
		}
		if e.Name == "navigationStart" && e.Pid == pid && json.Unmarshal(e.Args, &a) == nil && a.Data.URL == url {
			return e.Ts
		}
	}
	return 0
}

// threadEvents returns the complete events of one thread, B/E pairs made
// into complete ones, in order of start, each task's descendants nested in
// it and every event's self time (its time less its children's).
func threadEvents(events []traceEvent, pid, tid int) []*traceEvent {
	var out []*traceEvent
	var open []*traceEvent
	for i := range events {
		e := &events[i]
		if e.Pid != pid || e.Tid != tid {
			continue
		}
		e.children = nil // from an earlier call
		switch e.Ph {
		case "X":
			out = append(out, e)
		case "B":
			open = append(open, e)
		case "E":
			for j := len(open) - 1; j >= 0; j-- {
				if open[j].Name == e.Name || e.Name == "" {
					b := open[j]
					b.Dur = e.Ts - b.Ts
					if len(e.Args) > 2 && string(e.Args) != "{}" {
						b.Args = mergeArgs(b.Args, e.Args)
					}
					out = append(out, b)
					open = slices.Delete(open, j, j+1)
					break
				}
			}
		}
	}
	// Sort by start, the longer first on a tie, so that parents precede
	// their children.
	slices.SortStableFunc(out, func(a, b *traceEvent) int {
		if c := cmp.Compare(a.Ts, b.Ts); c != 0 {
			return c
		}
		return cmp.Compare(b.Dur, a.Dur)
	})
	var roots, stack []*traceEvent
	for _, e := range out {
		for len(stack) > 0 && stack[len(stack)-1].Ts+stack[len(stack)-1].Dur < e.Ts+e.Dur-0.5 {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			roots = append(roots, e)
		} else {
			p := stack[len(stack)-1]
			p.children = append(p.children, e)
		}
		stack = append(stack, e)
	}
	var selfTime func(e *traceEvent)
	selfTime = func(e *traceEvent) {
		e.self = e.Dur
		for _, c := range e.children {
			selfTime(c)
			e.self -= c.Dur
		}
		e.self = max(e.self, 0)
	}
	for _, r := range roots {
		selfTime(r)
	}
	return roots
}

func mergeArgs(a, b json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(a, &m)
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	var n map[string]json.RawMessage
	_ = json.Unmarshal(b, &n)
	for k, v := range n {
		m[k] = v
	}
	out, _ := json.Marshal(m)
	return out
}

// label names an event with what says which work it was: the script and
// line of a call, the event type of a dispatch, the URL parsed, the
// elements styled.
func label(e *traceEvent) string {
	var a struct {
		Data struct {
			URL          string `json:"url"`
			LineNumber   int    `json:"lineNumber"`
			ColumnNumber int    `json:"columnNumber"`
			FunctionName string `json:"functionName"`
			Type         string `json:"type"`
			StyleSheet   string `json:"styleSheetUrl"`
			StackTrace   []struct {
				URL          string `json:"url"`
				LineNumber   int    `json:"lineNumber"`
				FunctionName string `json:"functionName"`
			} `json:"stackTrace"`
		} `json:"data"`
		BeginData struct {
			URL       string `json:"url"`
			StartLine int    `json:"startLine"`
			Dirty     int    `json:"dirtyObjects"`
			Total     int    `json:"totalObjects"`
		} `json:"beginData"`
		Mojo struct {
			Interface string `json:"mojo_interface_tag"`
			Watcher   string `json:"watcher_notify_interface_tag"`
		} `json:"chrome_mojo_event_info"`
		SrcFunc      string `json:"src_func"`
		SrcFile      string `json:"src_file"`
		ElementCount int    `json:"elementCount"`
		FileName     string `json:"fileName"`
		Type         string `json:"type"`
		UsedHeap     int    `json:"usedHeapSizeBefore"`
	}
	_ = json.Unmarshal(e.Args, &a)
	short := func(u string) string {
		if i := strings.Index(u, "://"); i >= 0 {
			if j := strings.Index(u[i+3:], "/"); j >= 0 {
				return u[i+3+j:]
			}
		}
		return u
	}
	d := a.Data
	switch {
	case d.URL != "" && (d.LineNumber != 0 || d.FunctionName != ""):
		return fmt.Sprintf("%s %s:%d:%d %s", e.Name, short(d.URL), d.LineNumber, d.ColumnNumber, d.FunctionName)
	case d.URL != "":
		return e.Name + " " + short(d.URL)
	case d.Type != "":
		return e.Name + " " + d.Type
	case d.StyleSheet != "":
		return e.Name + " " + short(d.StyleSheet)
	case a.BeginData.URL != "":
		return fmt.Sprintf("%s %s:%d", e.Name, short(a.BeginData.URL), a.BeginData.StartLine)
	case a.BeginData.Total != 0:
		return fmt.Sprintf("%s %d/%d objects", e.Name, a.BeginData.Dirty, a.BeginData.Total)
	case a.Mojo.Interface != "":
		return e.Name + " " + a.Mojo.Interface
	case a.Mojo.Watcher != "":
		return e.Name + " " + a.Mojo.Watcher
	case a.SrcFunc != "":
		return e.Name + " " + filepath.Base(a.SrcFile) + " " + a.SrcFunc
	case a.ElementCount != 0:
		return fmt.Sprintf("%s %d elements", e.Name, a.ElementCount)
	case a.FileName != "":
		return e.Name + " " + short(a.FileName)
	case a.Type != "":
		return e.Name + " " + a.Type
	}
	return e.Name
}

// tree writes e and its children longer than minMS, to depth levels.
func tree(w *strings.Builder, e *traceEvent, indent string, depth int, minMS float64) {
	fmt.Fprintf(w, "%s%7.1f ms (self %5.1f) %s\n", indent, e.Dur/1000, e.self/1000, label(e))
	if depth == 0 {
		return
	}
	for _, c := range e.children {
		if c.Dur/1000 >= minMS {
			tree(w, c, indent+"  ", depth-1, minMS)
		}
	}
}

// selfByLabel sums the self time of every event under e by its name (and
// for script, its URL), the task itself included.
func selfByLabel(e *traceEvent, into map[string]float64) {
	k := e.Name
	var a struct {
		Data struct {
			URL string `json:"url"`
		} `json:"data"`
	}
	if e.Name == "FunctionCall" || e.Name == "EvaluateScript" || e.Name == "v8.compile" || e.Name == "v8.produceCache" {
		_ = json.Unmarshal(e.Args, &a)
		u := a.Data.URL
		if i := strings.LastIndex(u, "/"); i >= 0 {
			u = u[i+1:]
		}
		k += " " + u
	}
	if strings.HasPrefix(e.Name, "Receive mojo") || e.Name == "SimpleWatcher::OnHandleReady" {
		k = label(e)
	}
	into[k] += e.self / 1000
	for _, c := range e.children {
		selfByLabel(c, into)
	}
}

// scriptTime sums the self time of script (calls, evaluation, compile)
// from the file whose name starts with prefix.
func scriptTime(byLabel map[string]float64, prefix string) float64 {
	sum := 0.0
	for k, v := range byLabel {
		if _, file, ok := strings.Cut(k, " "); ok && strings.HasPrefix(file, prefix) {
			sum += v
		}
	}
	return sum
}

// isTask says whether a root event on the main thread is a task of its
// scheduler (what the long-task API measures).
func isTask(e *traceEvent) bool {
	return e.Name == "RunTask" || e.Name == "ThreadControllerImpl::RunTask" || e.Name == "ThreadPool_RunTask"
}

// TestTracePhoneLongTasks records a Chrome trace of RepairX's home, a
// procedure and the communication templates at 4× CPU slowdown, with the
// widgets and without them (as BenchmarkPhoneLongTasks opens them), and
// logs each main-thread task over 50 ms with the events inside it: what
// those tasks are, and each open's main-thread time by kind of work and
// layout shifts. It is an investigation, not a test: it runs only with
// STEPCHECK_TRACE=1:
//
//	STEPCHECK_TRACE=1 go test -run TracePhoneLongTasks -v -timeout 30m ./wasm/e2e/
//
// The rest of the environment tunes it:
//   - STEPCHECK_TRACE_RUNS: opens per page and mode (3);
//   - STEPCHECK_TRACE_PATHS: the pages, separated by spaces;
//   - STEPCHECK_TRACE_WIDGETS: true or false, for one mode only;
//   - STEPCHECK_TRACE_RATE: the CPU slowdown (4);
//   - STEPCHECK_TRACE_DIR: keeps each trace there, for DevTools;
//   - STEPCHECK_TRACE_SAMPLES=1: JavaScript samples too (slower script);
//   - STEPCHECK_TRACE_BATCHES=1: logs each batch of the widgets' operations;
//   - STEPCHECK_TRACE_CATEGORIES: other categories ("-*": none), with commas.
func TestTracePhoneLongTasks(t *testing.T) {
	if os.Getenv("STEPCHECK_TRACE") != "1" {
		t.Skip("an investigation: STEPCHECK_TRACE=1 runs it")
	}
	chromium(t)
	runs := 3
	if n, err := fmt.Sscan(os.Getenv("STEPCHECK_TRACE_RUNS"), &runs); n != 1 || err != nil {
		runs = 3
	}
	rate := 4.0
	if n, err := fmt.Sscan(os.Getenv("STEPCHECK_TRACE_RATE"), &rate); n != 1 || err != nil {
		rate = 4
	}
	paths := []string{"/", "/procedures/service-down/", "/process/communication/"}
	if p := os.Getenv("STEPCHECK_TRACE_PATHS"); p != "" {
		paths = strings.Fields(p)
	}
	repairx := buildSite(t, "../..")
	hs, _ := serveSite(t, "../..", repairx, map[string]string{})
	if dir := os.Getenv("STEPCHECK_TRACE_DIR"); dir != "" {
		require.NoError(t, os.MkdirAll(filepath.Clean(dir), 0o755))
	}
	for _, path := range paths {
		for _, widgets := range []bool{true, false} {
			if m := os.Getenv("STEPCHECK_TRACE_WIDGETS"); m != "" && m != strconv.FormatBool(widgets) {
				continue
			}
			name := path + " widgets"
			if !widgets {
				name = path + " no-widgets"
			}
			// Per run: the self time inside the long tasks after load by
			// event, and the longest task.
			totals := map[string][]float64{}
			var longest, blocking []float64
			for run := range runs {
				url := hs.URL + path
				tr, l := traceLoad(t, hs.URL, url, rate, widgets)
				roots, origin, ok := tr.mainTasks(url)
				if !ok {
					t.Logf("%s run %d: no ParseHTML of %s in the trace; observer's long tasks %v", name, run+1, url, l.Tasks)
					continue
				}
				var w strings.Builder
				fmt.Fprintf(&w, "%s run %d: widgets started %.0f ms, ready %.0f ms; observer's long tasks %v\n", name, run+1, l.Started, l.Ready, l.Tasks)
				sum := map[string]float64{}
				lm, tbt := 0.0, 0.0
				for _, r := range roots {
					if !isTask(r) || r.Dur < 50_000 {
						continue
					}
					start := (r.Ts - origin) / 1000
					lm = max(lm, r.Dur/1000)
					mark := ""
					if start+r.Dur/1000 > l.Started {
						mark = " (ends after the widgets' start: counted)"
					}
					fmt.Fprintf(&w, "  task at %.0f ms%s:\n", start, mark)
					tree(&w, r, "    ", 6, 2)
					if start+r.Dur/1000 > l.Started {
						tbt += r.Dur/1000 - 50
						m := map[string]float64{}
						selfByLabel(r, m)
						for k, v := range m {
							sum[k] += v
						}
					}
				}
				// The whole load's main-thread time by kind of work, long
				// tasks or not: what a change to the page's CSS or script
				// moves, whichever tasks it falls in.
				whole, after := map[string]float64{}, map[string]float64{}
				for _, r := range roots {
					if isTask(r) {
						selfByLabel(r, whole)
						if (r.Ts-origin)/1000 >= l.Started {
							selfByLabel(r, after)
						}
					}
				}
				for _, m := range []struct {
					what string
					by   map[string]float64
				}{{"whole load", whole}, {"from the start on", after}} {
					fmt.Fprintf(&w, "  %s, self time: Layout %.0f ms, UpdateLayoutTree %.0f ms, PrePaint+Paint+Layerize+Commit %.0f ms, ParseHTML %.0f ms, stepcheck.js %.0f ms\n",
						m.what, m.by["Layout"], m.by["UpdateLayoutTree"], m.by["PrePaint"]+m.by["Paint"]+m.by["Layerize"]+m.by["Commit"]+m.by["UpdateLayer"],
						m.by["ParseHTML"], scriptTime(m.by, "stepcheck."))
				}
				longest, blocking = append(longest, lm), append(blocking, tbt)
				for k, v := range sum {
					totals[k] = append(totals[k], v)
				}
				t.Log(w.String())
			}
			if len(longest) == 0 {
				continue // nothing traced (STEPCHECK_TRACE_CATEGORIES=-*)
			}
			// Median over the runs (an event absent from a run counts 0).
			type row struct {
				k string
				v float64
			}
			var rows []row
			for k, vs := range totals {
				for len(vs) < runs {
					vs = append(vs, 0)
				}
				rows = append(rows, row{k, median(vs)})
			}
			slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(b.v, a.v) })
			var w strings.Builder
			fmt.Fprintf(&w, "%s: median over %d opens: longest task %.0f ms, blocking after start %.0f ms; self time inside the long tasks after start, by event:\n", name, runs, median(longest), median(blocking))
			for _, r := range rows {
				if r.v >= 1 {
					fmt.Fprintf(&w, "  %7.1f ms  %s\n", r.v, r.k)
				}
			}
			t.Log(w.String())
		}
	}
}

// lighthouseDetail is what TestTraceLighthouse reads of a report: the
// metrics of the score and the audits that say which tasks made the
// blocking time.
type lighthouseDetail struct {
	Categories struct {
		Performance struct{ Score float64 } `json:"performance"`
	} `json:"categories"`
	Audits map[string]struct {
		NumericValue float64         `json:"numericValue"`
		Details      json.RawMessage `json:"details"`
	} `json:"audits"`
}

// items returns the rows of an audit's table ("long-tasks",
// "mainthread-work-breakdown"); none for an audit whose details are not a
// table.
func (r lighthouseDetail) items(audit string) []map[string]any {
	var d struct {
		Items []map[string]any `json:"items"`
	}
	_ = json.Unmarshal(r.Audits[audit].Details, &d)
	return d.Items
}

// TestTraceLighthouse runs Lighthouse as BenchmarkLighthouse does (mobile
// preset, the site served with brotli) on the pages TestTracePhoneLongTasks
// traces, keeps each report and trace (--save-assets) in
// STEPCHECK_TRACE_DIR (a temp dir without it), and logs the metrics, the
// long tasks Lighthouse lists, its main-thread breakdown and, from its
// trace, each main-thread task that its 4× simulation makes longer than
// 50 ms (12.5 ms as observed) with the events inside it. LIGHTHOUSE names
// the CLI (.bench/node_modules/.bin/lighthouse after make bench-phone);
// STEPCHECK_TRACE=1 runs it.
//
//	STEPCHECK_TRACE=1 LIGHTHOUSE=$PWD/.bench/node_modules/.bin/lighthouse go test -run TraceLighthouse -v -timeout 30m ./wasm/e2e/
func TestTraceLighthouse(t *testing.T) {
	lh := os.Getenv("LIGHTHOUSE")
	if os.Getenv("STEPCHECK_TRACE") != "1" || lh == "" {
		t.Skip("an investigation: STEPCHECK_TRACE=1 and LIGHTHOUSE run it")
	}
	exe := chromium(t)
	runs := 3
	if n, err := fmt.Sscan(os.Getenv("STEPCHECK_TRACE_RUNS"), &runs); n != 1 || err != nil {
		runs = 3
	}
	paths := []string{"/", "/procedures/service-down/", "/process/communication/"}
	if p := os.Getenv("STEPCHECK_TRACE_PATHS"); p != "" {
		paths = strings.Fields(p)
	}
	dir := os.Getenv("STEPCHECK_TRACE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	repairx := buildSite(t, "../..")
	hs, _ := serveSite(t, "../..", repairx, map[string]string{})
	front := httptest.NewServer(withBrotli(hs.Config.Handler))
	t.Cleanup(front.Close)
	for _, path := range paths {
		var scores, tbts []float64
		for run := range runs {
			base := filepath.Join(dir, fmt.Sprintf("lh%s%d", strings.ReplaceAll(path, "/", "_"), run+1))
			url := front.URL + path
			cmd := exec.Command(lh, url, "--quiet", "--output=json", "--output-path="+base+".json", "--save-assets", "--only-categories=performance",
				"--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir="+t.TempDir())
			cmd.Env = append(os.Environ(), "CHROME_PATH="+exe)
			cmd.Stderr = os.Stderr
			require.NoError(t, cmd.Run())
			data, err := os.ReadFile(base + ".json")
			require.NoError(t, err)
			var r lighthouseDetail
			require.NoError(t, json.Unmarshal(data, &r))
			var w strings.Builder
			m := func(k string) float64 { return r.Audits[k].NumericValue }
			fmt.Fprintf(&w, "%s run %d: score %.2f, FCP %.0f ms, LCP %.0f ms, SI %.0f ms, TBT %.0f ms, CLS %.3f\n", path, run+1,
				r.Categories.Performance.Score, m("first-contentful-paint"), m("largest-contentful-paint"), m("speed-index"), m("total-blocking-time"), m("cumulative-layout-shift"))
			scores, tbts = append(scores, r.Categories.Performance.Score), append(tbts, m("total-blocking-time"))
			fmt.Fprintf(&w, "  long tasks (simulated):")
			for _, it := range r.items("long-tasks") {
				fmt.Fprintf(&w, " [%v at %.0f, %.0f ms]", it["url"], it["startTime"], it["duration"])
			}
			fmt.Fprintf(&w, "\n  main-thread work (simulated):")
			for _, it := range r.items("mainthread-work-breakdown") {
				fmt.Fprintf(&w, " %v %.0f ms;", it["groupLabel"], it["duration"])
			}
			w.WriteString("\n")
			traces, _ := filepath.Glob(base + "*.trace.json")
			if len(traces) == 1 {
				tdata, err := os.ReadFile(traces[0])
				require.NoError(t, err)
				var tf struct {
					TraceEvents []traceEvent `json:"traceEvents"`
				}
				require.NoError(t, json.Unmarshal(tdata, &tf))
				if pid, tid, ok := mainThread(tf.TraceEvents, url); ok {
					roots := threadEvents(tf.TraceEvents, pid, tid)
					origin := navigationStart(tf.TraceEvents, pid, url)
					for _, r := range roots {
						if isTask(r) && r.Dur >= 12_500 {
							fmt.Fprintf(&w, "  observed task at %.0f ms (x4 = %.0f ms):\n", (r.Ts-origin)/1000, 4*r.Dur/1000)
							tree(&w, r, "    ", 6, 0.5)
						}
					}
				}
			}
			t.Log(w.String())
		}
		t.Logf("%s: median score %.2f, worst %.2f, median TBT %.0f ms", path, median(scores), slices.Min(scores), median(tbts))
	}
}
