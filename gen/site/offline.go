package site

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"sort"
	"strconv"
	"strings"
)

// ServiceWorker is the service worker's file name at the site root; its
// scope is the whole site.
const ServiceWorker = "sw.js"

// Manifest is the web app manifest's file name at the site root.
const Manifest = "manifest.webmanifest"

// precacheAllBelow is the size of the pages and the search index (its
// postings and section blocks, as published) up to which the service worker
// fetches all of them at install, so the whole site, search included, works
// offline after one visit. Above it, a large site precaches its assets, the
// search index's small entry file and the home page, and caches the pages
// and index files a reader uses as they are used: a phone's first visit to
// a 4,750-page site fetches under a megabyte, not the whole index.
const precacheAllBelow = 5 << 20

// themeColor is the manifest's and the browser bar's colour.
const themeColor = "#0b5cad"

// offlineFiles returns the service worker, the manifest and its icons for a
// site whose other files are files. The worker's version is a hash of all
// of them, so any change to the site makes a new worker, which replaces the
// old one and its cache. The site's own files (images and downloads beside
// the pages, static/) are never precached: a phone should not fetch every
// screenshot of the site on its first visit. The worker caches each one
// when a page that shows it is read.
func offlineFiles(files, siteFiles map[string][]byte, basePath, title string) map[string][]byte {
	out := map[string][]byte{}
	out["icon-192.png"] = icon(192)
	out["icon-512.png"] = icon(512)
	manifest, _ := json.MarshalIndent(map[string]any{
		"name":             title,
		"short_name":       shortName(title),
		"start_url":        basePath,
		"scope":            basePath,
		"display":          "standalone",
		"background_color": "#ffffff",
		"theme_color":      themeColor,
		"icons": []map[string]string{
			{"src": basePath + "icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any maskable"},
			{"src": basePath + "icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
		},
	}, "", "  ")
	out[Manifest] = manifest

	names := make([]string, 0, len(files)+len(out))
	for name := range files {
		names = append(names, name)
	}
	for name := range out {
		names = append(names, name)
	}
	sort.Strings(names)
	version, pageBytes := siteVersion(names, files, out)
	precache := precacheList(names, siteFiles, basePath, pageBytes)
	list, _ := json.Marshal(precache)
	sw := strings.NewReplacer(
		"__VERSION__", version,
		"__BASE__", basePath,
		"__PRECACHE__", string(list),
	).Replace(serviceWorkerJS)
	out[ServiceWorker] = []byte(sw)
	return out
}

// siteVersion hashes every file's name and bytes (FNV-1a), in the order of
// names, taking a file from files or else from more; it also counts the
// bytes of the pages and search index files, which decide what is
// precached.
func siteVersion(names []string, files, more map[string][]byte) (version string, pageBytes int) {
	h := uint64(14695981039346656037)
	mix := func(b []byte) {
		for _, c := range b {
			h ^= uint64(c)
			h *= 1099511628211
		}
	}
	for _, name := range names {
		body, ok := files[name]
		if !ok {
			body = more[name]
		}
		mix([]byte(name))
		mix(body)
		if strings.HasSuffix(name, ".html") || searchPart(name) {
			pageBytes += len(body)
		}
	}
	return strconv.FormatUint(h, 36), pageBytes
}

// searchPart reports whether a published file is one of the search index's
// postings shards or section blocks: everything but its entry file.
func searchPart(name string) bool {
	return strings.HasPrefix(name, searchDir) && !strings.HasPrefix(name, searchDir+"terms.")
}

// precacheList is what the worker fetches on its first visit: the assets,
// the manifest and icons, the home page and the search index's entry, and
// every page and index file when they come to at most precacheAllBelow
// bytes. The site's
// own files and libraries only some pages load are left to be cached as
// they are used.
func precacheList(names []string, siteFiles map[string][]byte, basePath string, pageBytes int) []string {
	var precache []string
	for _, name := range names {
		if _, own := siteFiles[name]; own {
			continue
		}
		switch {
		case searchPart(name):
			if pageBytes <= precacheAllBelow {
				precache = append(precache, basePath+name)
			}
		case strings.HasPrefix(name, searchDir):
			precache = append(precache, basePath+name) // the index's entry
		case strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".br"):
			// The browser asks for the file itself; the host picks the encoding.
		case name == "index.html":
			precache = append(precache, basePath)
		case strings.HasSuffix(name, "/index.html"):
			if pageBytes <= precacheAllBelow {
				precache = append(precache, basePath+strings.TrimSuffix(name, "index.html"))
			}
		case strings.HasPrefix(name, "assets/vendor/"):
			// A library only some pages load (Mermaid, 745 KB brotli) is
			// cached when such a page asks for it, not on every first visit.
		case strings.HasPrefix(name, "assets/") || name == Manifest || strings.HasPrefix(name, "icon-"):
			precache = append(precache, basePath+name)
		}
	}
	return precache
}

// serviceWorkerJS is the worker. Pages are served stale-while-revalidate:
// at once from the cache, refreshed in the background. Hashed assets are
// cache-first. The probe API is never cached: it is left to the network,
// and offline the widgets say so.
const serviceWorkerJS = `// stepcheck service worker, generated by stepcheck build. Version __VERSION__.
"use strict";
const VERSION = "__VERSION__";
const BASE = "__BASE__";
const CACHE = "stepcheck-" + VERSION;
const PRECACHE = __PRECACHE__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("stepcheck-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function live(url) {
  // The probe API and the preview server's events are never cached.
  return url.pathname.startsWith(BASE + "api/") || url.pathname.startsWith(BASE + "_stepcheck/") ||
    url.pathname === BASE + "healthz" || url.pathname === BASE + "metrics";
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(BASE) || live(url)) {
    return;
  }
  if (url.pathname.startsWith(BASE + "assets/")) {
    event.respondWith(caches.open(CACHE).then((c) => c.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok) c.put(req, res.clone());
      return res;
    }))));
    return;
  }
  event.respondWith(caches.open(CACHE).then((c) => c.match(req, { ignoreSearch: true }).then((hit) => {
    const refresh = fetch(req).then((res) => {
      if (res.ok && res.type === "basic") c.put(req, res.clone());
      return res;
    });
    if (hit) {
      event.waitUntil(refresh.catch(() => {}));
      return hit;
    }
    // Offline, a page not read before gets the home page; an image gets
    // the network's error, not HTML.
    return refresh.catch(() => req.mode === "navigate" ? c.match(BASE).then((home) => home || Response.error()) : Response.error());
  })));
});
`

// icon draws the app icon: a white check mark on the theme colour, with
// the margins a maskable icon needs. It writes pixels directly and only
// looks near each stroke, so a build spends well under a millisecond on it.
func icon(size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	bg := color.RGBA{0x0b, 0x5c, 0xad, 0xff}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = bg.R, bg.G, bg.B, bg.A
	}
	s := float64(size)
	w := s * 0.07
	stroke := func(x0, y0, x1, y1 float64) {
		dx, dy := x1-x0, y1-y0
		minX, maxX := int(min(x0, x1)-w), int(max(x0, x1)+w+1)
		minY, maxY := int(min(y0, y1)-w), int(max(y0, y1)+w+1)
		for y := max(0, minY); y < min(size, maxY); y++ {
			for x := max(0, minX); x < min(size, maxX); x++ {
				px, py := float64(x), float64(y)
				t := max(0, min(1, ((px-x0)*dx+(py-y0)*dy)/(dx*dx+dy*dy)))
				cx, cy := x0+t*dx-px, y0+t*dy-py
				if cx*cx+cy*cy <= w*w {
					o := img.PixOffset(x, y)
					img.Pix[o], img.Pix[o+1], img.Pix[o+2] = 0xff, 0xff, 0xff
				}
			}
		}
	}
	stroke(s*0.30, s*0.52, s*0.44, s*0.66)
	stroke(s*0.44, s*0.66, s*0.72, s*0.36)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	_ = enc.Encode(&buf, img)
	return buf.Bytes()
}

func shortName(title string) string {
	if len(title) <= 12 {
		return title
	}
	if f := strings.Fields(title); len(f) > 0 {
		return f[0]
	}
	return title[:12]
}
