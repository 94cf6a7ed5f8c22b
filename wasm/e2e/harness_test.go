package e2e

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/gen/static"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/server"
	"github.com/stepcheck/stepcheck/wasm/dist"
	"github.com/stepcheck/stepcheck/wasm/dist/pack/packer"
)

// chromium returns the browser to drive, or skips (fails under CI=true).
func chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is required in CI: apt-get install -y chromium")
	}
	t.Skip("Chromium not found; install it (apt-get install -y chromium) or set CHROMIUM to run the browser tests")
	return ""
}

var (
	widgetsOnce sync.Once
	widgetsFS   fs.FS
	widgetsSize packer.Sizes
	widgetsErr  error
)

// widgets builds the widgets from source once per test binary, exactly as
// make wasm does, and serves them as the binary serves the committed ones
// (dist.New: widgets.wasm decoded from the brotli copy). The browser tests
// so test the source as it is; make check-widgets proves the committed
// widgets equal to it.
func widgets(t testing.TB) (fs.FS, packer.Sizes) {
	t.Helper()
	widgetsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stepcheck-widgets-")
		if err != nil {
			widgetsErr = err
			return
		}
		defer os.RemoveAll(dir)
		if widgetsSize, widgetsErr = packer.Pack("../..", dir); widgetsErr != nil {
			return
		}
		files := fstest.MapFS{}
		for _, name := range []string{dist.WasmBrotli, dist.WasmGzip, dist.WasmExec} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				widgetsErr = err
				return
			}
			files[name] = &fstest.MapFile{Data: b, Mode: 0o444}
		}
		widgetsFS = dist.New(files)
	})
	require.NoError(t, widgetsErr)
	return widgetsFS, widgetsSize
}

// buildSite builds the site at src with the real widgets into a temp dir.
func buildSite(t testing.TB, src string) string {
	return buildSiteWith(t, site.Options{Source: src})
}

// buildSiteWith builds with opts, adding the real widgets.
func buildSiteWith(t testing.TB, opts site.Options) string {
	t.Helper()
	opts.Widgets, _ = widgets(t)
	var diags diag.List
	out, err := site.Build(context.Background(), opts, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	require.Empty(t, out.Notes)
	dest := filepath.Join(t.TempDir(), "public")
	require.NoError(t, site.Publish(context.Background(), dest, out.Files))
	return dest
}

// target is a service the probes check: up until stopped.
type target struct {
	srv  *httptest.Server
	mu   sync.Mutex
	down bool
	n    int // requests served
}

func newTarget(t testing.TB) *target {
	tg := &target{}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.mu.Lock()
		down := tg.down
		tg.n++
		tg.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if down {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"failing"}`))
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

// hits returns how many requests the target has served.
func (tg *target) hits() int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.n
}

// pollSlackMS is how late until can see a condition that became true: its
// poll interval and one evaluation.
const pollSlackMS = 100

func (tg *target) setDown(down bool) {
	tg.mu.Lock()
	tg.down = down
	tg.mu.Unlock()
}

// serveSite serves public/ and, on the same origin under /api/, the probe
// API with the site's catalogue, its targets taken from env.
func serveSite(t testing.TB, src, public string, env map[string]string) (*httptest.Server, *server.Server) {
	t.Helper()
	path := filepath.Join(src, "content", "probes.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	cat, err := config.Parse(path, data, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	api, err := server.New(builtinTypes(t), cat, server.Options{Cache: 0})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/api/", api.Handler())
	mux.Handle("/", static.Handler(os.DirFS(public)))
	hs := httptest.NewServer(mux)
	t.Cleanup(func() { hs.Close(); api.Close() })
	return hs, api
}

// newPage starts Chromium as the machine notes prescribe, with a fresh
// profile, at a 390×844 phone viewport, and grants clipboard access to
// origin so that copies can be read back.
func newPage(t testing.TB, origin string) context.Context {
	t.Helper()
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)))
	c := chromedp.FromContext(ctx)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := cdp.Call(ctx, c.Browser, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted,
			Origin:     origin,
		})
		require.NoError(t, err)
	}
	return ctx
}

// disableScripts turns JavaScript off in the page, for what follows: the
// pages must read without it.
func disableScripts(t testing.TB, ctx context.Context) {
	t.Helper()
	within(t, ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	})
}

// within runs actions with a deadline, so a broken page fails the test
// instead of hanging it.
func within(t testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(tctx, actions...))
}

// eval evaluates JavaScript, awaiting a promise result.
func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	require.NoError(t, err, js)
	return v
}

// until polls a JavaScript predicate until it holds. It survives
// navigations, during which the page has no context to evaluate in.
func until(t testing.TB, ctx context.Context, js string) {
	t.Helper()
	deadline := time.Now().Add(25 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("waiting for: %s (last error: %v)", js, last)
}

// builtinTypes returns the built-in probe types, closed when the test ends.
func builtinTypes(t testing.TB) *check.Registry {
	reg := builtin.New()
	t.Cleanup(func() { reg.Close() })
	return reg
}
