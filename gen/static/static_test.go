package static

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
)

func TestHandler(t *testing.T) {
	files := fstest.MapFS{
		"index.html":                 {Data: []byte("home")},
		"ops/index.html":             {Data: []byte("ops")},
		"assets/widgets.abc.wasm":    {Data: []byte("raw")},
		"assets/widgets.abc.wasm.br": {Data: []byte("brotli")},
		"assets/widgets.abc.wasm.gz": {Data: []byte("gzip")},
		"404.html":                   {Data: []byte("custom 404")},
	}
	h := Handler(files)
	get := func(path, accept string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			r.Header.Set("Accept-Encoding", accept)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := get("/", "")
	assert.Equal(t, "home", w.Body.String())
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))

	w = get("/ops", "")
	assert.Equal(t, http.StatusMovedPermanently, w.Code)
	assert.Equal(t, "/ops/", w.Header().Get("Location"))

	w = get("/assets/widgets.abc.wasm", "gzip, deflate, br")
	assert.Equal(t, "brotli", w.Body.String())
	assert.Equal(t, "br", w.Header().Get("Content-Encoding"))
	assert.Equal(t, "application/wasm", w.Header().Get("Content-Type"))
	assert.Contains(t, w.Header().Get("Cache-Control"), "immutable")

	w = get("/assets/widgets.abc.wasm", "gzip;q=1, br;q=0")
	assert.Equal(t, "gzip", w.Body.String())

	w = get("/assets/widgets.abc.wasm", "")
	assert.Equal(t, "raw", w.Body.String())
	assert.Empty(t, w.Header().Get("Content-Encoding"))

	w = get("/../../etc/passwd", "")
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "custom 404", w.Body.String())
}
