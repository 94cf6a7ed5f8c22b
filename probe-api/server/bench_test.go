package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

// BenchmarkCachedCheck measures the handler alone on a cached result; the
// end-to-end figure is .ci/bench-probe's.
func BenchmarkCachedCheck(b *testing.B) {
	tg := newTarget(b, false)
	s, err := New(registry(b), httpCatalogue(b, tg.srv.URL), Options{Cache: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	req := httptest.NewRequest(http.MethodPost, api.CheckPath("web"), nil)
	h.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
