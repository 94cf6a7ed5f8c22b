package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
)

// withBrotli compresses what h sends with brotli when the browser accepts
// it and h has not (the widgets have precompressed copies), as a CDN in
// front of a static site does.
func withBrotli(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "br") {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		body := rec.Body.Bytes()
		if rec.Code == http.StatusOK && rec.Header().Get("Content-Encoding") == "" && len(body) > 512 {
			var buf bytes.Buffer
			bw := brotli.NewWriterLevel(&buf, 5)
			_, _ = bw.Write(body)
			_ = bw.Close()
			body = buf.Bytes()
			w.Header().Set("Content-Encoding", "br")
			w.Header().Del("Content-Length")
			w.Header().Add("Vary", "Accept-Encoding")
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// lighthouseReport is what BenchmarkLighthouse reads of a report.
type lighthouseReport struct {
	Categories struct {
		Performance struct{ Score float64 } `json:"performance"`
	} `json:"categories"`
	Audits map[string]struct {
		NumericValue float64 `json:"numericValue"`
	} `json:"audits"`
}

// BenchmarkLighthouse runs Lighthouse (LIGHTHOUSE is its CLI, npm
// lighthouse@12.8.2; make bench-phone installs it) with its mobile preset
// (simulated 4× CPU slowdown and slow 4G) on each kind of page, the sites
// served with brotli, and reports the median performance score, the worst,
// and the median total blocking time and layout shift. It measures, never
// asserts.
func BenchmarkLighthouse(b *testing.B) {
	lh := os.Getenv("LIGHTHOUSE")
	if lh == "" {
		b.Skip("set LIGHTHOUSE to the lighthouse CLI (make bench-phone does)")
	}
	exe := chromium(b)
	repairx := buildSite(b, "../..")
	hs, _ := serveSite(b, "../..", repairx, map[string]string{})
	front := httptest.NewServer(withBrotli(hs.Config.Handler))
	b.Cleanup(front.Close)
	big := b.TempDir()
	require.NoError(b, corpus.Write(big, 4750))
	bigPublic := buildSite(b, big)
	bigSrv, _ := serveSite(b, big, bigPublic, map[string]string{})
	bigFront := httptest.NewServer(withBrotli(bigSrv.Config.Handler))
	b.Cleanup(bigFront.Close)
	for _, c := range []struct{ name, url string }{
		{"home", front.URL + "/"},
		{"section", front.URL + "/procedures/"},
		{"procedure", front.URL + "/procedures/service-down/"},
		{"templates", front.URL + "/process/communication/"},
		{"database", front.URL + "/procedures/database/"},
		{"large-site", bigFront.URL + "/" + firstPage(b, bigPublic)},
	} {
		b.Run(c.name, func(b *testing.B) {
			var score, tbt, cls []float64
			for b.Loop() {
				cmd := exec.Command(lh, c.url, "--quiet", "--output=json", "--output-path=stdout", "--only-categories=performance",
					"--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir="+b.TempDir())
				cmd.Env = append(os.Environ(), "CHROME_PATH="+exe)
				cmd.Stderr = os.Stderr
				out, err := cmd.Output()
				require.NoError(b, err)
				var r lighthouseReport
				require.NoError(b, json.Unmarshal(out, &r))
				score = append(score, r.Categories.Performance.Score)
				tbt = append(tbt, r.Audits["total-blocking-time"].NumericValue)
				cls = append(cls, r.Audits["cumulative-layout-shift"].NumericValue)
			}
			// The median and the worst of the runs: Lighthouse's own
			// variance on a shared machine is several points.
			b.ReportMetric(median(score), "score")
			b.ReportMetric(slices.Min(score), "worst-score")
			b.ReportMetric(median(tbt), "tbt-ms")
			b.ReportMetric(median(cls), "cls")
		})
	}
}
