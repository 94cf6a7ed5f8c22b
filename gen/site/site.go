// Package site builds a whole site: it loads the configuration, the probe
// catalogue, the theme and the content, renders and minifies every page, and
// hands back the files in memory. A Builder builds the same site again after
// an edit, reusing what did not change (stepcheck serve): a build goes
// through load, plan, render and assemble, and plan keys each page on a hash
// of exactly the data its layout sees (render.PageData.WriteKey), so only
// the pages whose data changed are rendered again. Publish is the only code
// that writes public/, and it does so atomically.
package site

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/render"
	"github.com/stepcheck/stepcheck/themes"
	"github.com/stepcheck/stepcheck/wasm/dist"
)

// Options say what to build.
type Options struct {
	// Source is the site root (holding stepcheck.yaml, content/, themes/).
	Source string
	// BaseURL overrides the configuration's baseURL when not empty.
	BaseURL string
	// Drafts includes draft pages.
	Drafts bool
	// NoMinify skips minification (for debugging themes).
	NoMinify bool
	// Lint runs the checks of stepcheck lint as well (content.Options.Lint):
	// broken links are errors, not warnings.
	Lint bool
	// Widgets holds the built page widgets (see wasm/dist): widgets.wasm,
	// optional .br and .gz copies, and wasm_exec.js. Without widgets.wasm
	// the site is built without them and Output.Notes says so.
	Widgets fs.FS
	// NoServiceWorker leaves out the service worker, the manifest and the
	// icons. The preview server sets it: a worker caching pages would fight
	// live reload.
	NoServiceWorker bool
	// LocalProbeAPI points the pages at the probe API on their own origin,
	// whatever stepcheck.yaml's probeAPI says: stepcheck serve runs one
	// there.
	LocalProbeAPI bool
	// CheckProbes runs the probe types' own checks on content/probes.yaml,
	// so that the build reports what the probe API would refuse at start.
	// The command passes it in (see catalog.Check); nil skips them.
	CheckProbes catalog.Check
	// Now is when review dates are judged; zero means each build's time.
	Now time.Time
}

// Output is a built site, in memory: file paths (slash-separated, relative
// to the publish directory) to contents.
type Output struct {
	Files map[string][]byte
	Site  *content.Site
	// Pages and Sections count what was rendered, for the summary.
	Pages, Sections int
	Duration        time.Duration
	// Notes are remarks about the build that are not content problems.
	Notes []string
}

// ThemeDir is where a site may keep its own copy of the theme.
const ThemeDir = "themes/default"

// Build builds the site in memory. Every problem goes into diags; if any is
// an error, Build returns a *diag.Failed error and no output, so nothing half
// built can be published. It is a Builder's first build.
func Build(ctx context.Context, opts Options, diags *diag.List) (*Output, error) {
	out, _, err := NewBuilder(opts).Build(ctx, diags)
	return out, err
}

// publishWidgets copies widgets.wasm (with its precompressed copies) and
// wasm_exec.js under content-hashed names, and records their URLs in assets
// under dist.Wasm and dist.WasmExec.
func publishWidgets(widgets fs.FS, files map[string][]byte, assets map[string]string) error {
	if widgets == nil {
		return nil
	}
	wasm, err := fs.ReadFile(widgets, dist.Wasm)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	exec, err := fs.ReadFile(widgets, dist.WasmExec)
	if err != nil {
		return fmt.Errorf("widgets: %s is missing beside %s: %w", dist.WasmExec, dist.Wasm, err)
	}
	name := "assets/widgets." + hash(wasm) + ".wasm"
	files[name] = wasm
	for _, ext := range []string{".br", ".gz"} {
		if b, err := fs.ReadFile(widgets, dist.Wasm+ext); err == nil {
			files[name+ext] = b
		}
	}
	execName := "assets/wasm_exec." + hash(exec) + ".js"
	files[execName] = exec
	assets[dist.Wasm] = name
	assets[dist.WasmExec] = execName
	return nil
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:10]
}

func loadTheme(source string, diags *diag.List) *render.Theme {
	dir := filepath.Join(source, ThemeDir)
	var fsys fs.FS = themes.Default()
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		fsys = os.DirFS(dir)
	}
	t := render.Load(fsys, ThemeDir, diags)
	if t == nil {
		return &render.Theme{}
	}
	return t
}

// publishStatic copies the theme's static files into files. CSS and JS are
// minified and get a content hash in their name, so they can be cached
// forever; the returned map gives each original name its published URL path
// (relative to the base path). A CSS or JS file with a .br or .gz copy
// beside it (a vendored library) is published as it is, with its copies
// beside its hashed name, and so is any name with ".min." in it: both are
// minified already.
func publishStatic(static fs.FS, min *minifier, files map[string][]byte) (map[string]string, error) {
	assets := map[string]string{}
	if static == nil {
		return assets, nil
	}
	mediaTypes := map[string]string{".css": "text/css", ".js": "application/javascript"}
	err := fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := path.Ext(p); ext == ".br" || ext == ".gz" {
			if _, err := fs.Stat(static, strings.TrimSuffix(p, ext)); err == nil && mediaTypes[path.Ext(strings.TrimSuffix(p, ext))] != "" {
				return nil // published beside the file it holds
			}
		}
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		ext := path.Ext(p)
		mediaType := mediaTypes[ext]
		if mediaType == "" {
			files[p] = b
			assets[p] = p
			return nil
		}
		copies := map[string][]byte{}
		for _, c := range []string{".br", ".gz"} {
			if cb, err := fs.ReadFile(static, p+c); err == nil {
				copies[c] = cb
			}
		}
		if len(copies) == 0 && !strings.Contains(path.Base(p), ".min.") {
			if b, err = min.bytes(mediaType, b); err != nil {
				return fmt.Errorf("theme static %s: %w", p, err)
			}
		}
		name := "assets/" + strings.TrimSuffix(p, ext) + "." + hash(b) + ext
		files[name] = b
		for c, cb := range copies {
			files[name+c] = cb
		}
		assets[p] = name
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return assets, nil
	}
	return assets, err
}

// dropDiagramLibrary leaves the theme's Mermaid library (themes.Mermaid,
// its copies and its licence) and its loader (themes.DiagramScript) out of
// static, for a site whose pages have no diagram: a few megabytes that no
// page would ask for. assets maps theme static names to their published
// paths.
func dropDiagramLibrary(static map[string][]byte, assets map[string]string) {
	for name, published := range assets {
		if strings.HasPrefix(name, themes.Mermaid) || name == themes.DiagramScript {
			delete(static, published)
			delete(static, published+".br")
			delete(static, published+".gz")
		}
	}
}

// hasDiagrams reports whether any page of site has a diagram.
func hasDiagrams(site *content.Site) bool {
	for _, p := range site.Pages {
		if p.Doc != nil && p.Doc.Diagrams > 0 {
			return true
		}
	}
	return false
}
