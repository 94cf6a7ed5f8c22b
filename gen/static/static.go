// Package static serves a built site from an fs.FS the way a good static
// host does: index.html for directories, the right Content-Type for every
// file stepcheck writes (application/wasm above all, which
// WebAssembly.instantiateStreaming requires), and precompressed .br or .gz
// copies when the browser accepts them. The preview server and the browser
// tests serve through it; production sites go to any static host.
package static

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

var types = map[string]string{
	".html":        "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".json":        "application/json",
	".wasm":        "application/wasm",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".txt":         "text/plain; charset=utf-8",
	".xml":         "application/xml",
}

// ContentType returns the media type for a file name.
func ContentType(name string) string {
	ext := path.Ext(name)
	if t, ok := types[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Handler serves files. Requests for a directory serve its index.html, and
// a directory path without its trailing slash redirects to it.
func Handler(files fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "."
		}
		if st, err := fs.Stat(files, name); err == nil && st.IsDir() {
			if !strings.HasSuffix(r.URL.Path, "/") {
				http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
				return
			}
			name = path.Join(name, "index.html")
		}
		serve(w, r, files, name)
	})
}

func serve(w http.ResponseWriter, r *http.Request, files fs.FS, name string) {
	h := w.Header()
	h.Set("Content-Type", ContentType(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	if strings.HasPrefix(name, "assets/") {
		// Asset names carry a content hash: they never change.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !accepts(accept, enc.token) {
			continue
		}
		if b, err := fs.ReadFile(files, name+enc.ext); err == nil {
			h.Set("Content-Encoding", enc.token)
			w.WriteHeader(http.StatusOK)
			if r.Method == http.MethodGet {
				_, _ = w.Write(b)
			}
			return
		}
	}
	b, err := fs.ReadFile(files, name)
	if errors.Is(err, fs.ErrNotExist) {
		h.Del("Cache-Control")
		notFound(w, r, files)
		return
	}
	if err != nil {
		http.Error(w, "cannot read "+name, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(b)
	}
}

func notFound(w http.ResponseWriter, r *http.Request, files fs.FS) {
	if b, err := fs.ReadFile(files, "404.html"); err == nil {
		w.Header().Set("Content-Type", types[".html"])
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(b)
		return
	}
	w.Header().Set("Content-Type", types[".txt"])
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("404 page not found\n"))
}

// accepts reports whether an Accept-Encoding header allows token (q=0
// refuses it).
func accepts(header, token string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), token) {
			return !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") || strings.Contains(params, "q=0.")
		}
	}
	return false
}
