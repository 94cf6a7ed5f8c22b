package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/static"
)

// widePNG is a screenshot wider than any phone.
func widePNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1600, 400))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(0, 0, color.Black)
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// TestImagesOfARealRepositoryShow builds a runbook folder as GitHub keeps
// it (screenshots beside the pages, a leaf bundle, Hugo's static/) and reads
// its pages on a phone: every image loads from the URL its page links to,
// and a wide screenshot or a long alert name never makes the page scroll
// sideways.
func TestImagesOfARealRepositoryShow(t *testing.T) {
	chromium(t)
	src := t.TempDir()
	shot := widePNG(t)
	files := map[string][]byte{
		"content/README.md": []byte("# Runbooks\n\n![logo](/images/logo.png)\n"),
		"content/alerts/storage-operator/PersistentVolumeUsageCritical.md": []byte(
			"# PersistentVolumeUsageCriticalForTooLong\n\n## Mitigation\n\n![PVC list](helpers/screenshots/pvc-list.png)\n"),
		"content/alerts/storage-operator/helpers/screenshots/pvc-list.png": shot,
		"content/alerts/Bundle/index.md":                                   []byte("## A leaf bundle\n\n![graph](graph.png)\n"),
		"content/alerts/Bundle/graph.png":                                  shot,
		"static/images/logo.png":                                           shot,
	}
	for name, b := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
	public := buildSite(t, src)
	hs := httptest.NewServer(static.Handler(os.DirFS(public)))
	t.Cleanup(hs.Close)
	ctx := newPage(t, hs.URL)
	for _, path := range []string{"/", "/alerts/storage-operator/persistentvolumeusagecritical/", "/alerts/bundle/"} {
		t.Run(path, func(t *testing.T) {
			within(t, ctx, chromedp.Navigate(hs.URL+path))
			until(t, ctx, `[...document.images].length > 0 && [...document.images].every(i => i.complete)`)
			broken := eval[[]string](t, ctx, `[...document.images].filter(i => i.naturalWidth === 0).map(i => i.getAttribute("src"))`)
			assert.Empty(t, broken, "images that did not load")
			over := eval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
			assert.LessOrEqual(t, over, 0, "%s scrolls sideways by %d px", path, over)
			width := eval[int](t, ctx, `Math.round(document.images[0].getBoundingClientRect().width)`)
			assert.Less(t, width, 390, "the screenshot scales to the column")
		})
	}
}

// inCache is a JavaScript predicate: the service worker's cache holds url.
func inCache(url string) string {
	return `(async () => { for (const k of await caches.keys()) { if (await (await caches.open(k)).match(` + jsString(url) + `)) return true } return false })()`
}

// TestImagesOfPagesReadWorkOffline: the service worker does not fetch every
// screenshot of the site on the first visit, but an image of a page read
// online is there when the phone loses its network.
func TestImagesOfPagesReadWorkOffline(t *testing.T) {
	chromium(t)
	src := t.TempDir()
	shot := widePNG(t)
	for name, b := range map[string][]byte{
		"content/_index.md":          []byte("# Runbooks\n\n[Disk](/ops/disk/) and [Memory](/ops/memory/).\n"),
		"content/ops/disk.md":        []byte("# Disk full\n\n![disk](img/disk.png)\n"),
		"content/ops/memory.md":      []byte("# Memory\n\n![memory](img/memory.png)\n"),
		"content/ops/img/disk.png":   shot,
		"content/ops/img/memory.png": shot,
	} {
		p := filepath.Join(src, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
	public := buildSite(t, src)
	hs := httptest.NewServer(static.Handler(os.DirFS(public)))
	t.Cleanup(hs.Close)
	ctx := newPage(t, hs.URL)
	within(t, ctx, chromedp.Navigate(hs.URL+"/"))
	waitForOffline(t, ctx, "/ops/memory/")
	assert.False(t, eval[bool](t, ctx, inCache("/ops/img/memory.png")), "images are not precached")

	within(t, ctx, chromedp.Navigate(hs.URL+"/ops/disk/"))
	until(t, ctx, `document.images.length === 1 && document.images[0].complete && document.images[0].naturalWidth > 0`)
	until(t, ctx, inCache("/ops/img/disk.png"))
	assert.False(t, eval[bool](t, ctx, inCache("/ops/img/memory.png")), "only the images of pages read are cached")

	goOffline(t, ctx)
	within(t, ctx, chromedp.Reload())
	until(t, ctx, `document.images.length === 1 && document.images[0].complete`)
	assert.Positive(t, eval[int](t, ctx, `document.images[0].naturalWidth`), "the image of a page read online shows offline")
}
