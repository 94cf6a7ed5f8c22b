package devserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Event is what the browser is told after a build, as the JSON data of a
// Server-Sent Event.
type Event struct {
	// Type is "reload" after a good build and "errors" after a failed one.
	Type string `json:"type"`
	// Build numbers the good builds of this run; a failed build keeps the
	// number of the last good one, whose pages are still served.
	Build uint64 `json:"build"`
	// Pages are the URL paths of the pages whose HTML changed or that are
	// gone; a browser showing one of them reloads.
	Pages []string `json:"pages,omitempty"`
	// Styles, when set, maps old stylesheet URLs to new ones: only CSS
	// changed, and browsers swap stylesheets instead of reloading.
	Styles map[string]string `json:"styles,omitempty"`
	// Diagnostics are the problems of a failed build, as path:line:col:
	// message.
	Diagnostics []string `json:"diagnostics,omitempty"`
}

// Hub fans build events out to every browser showing the site, over
// Server-Sent Events, and remembers enough to catch up a browser that
// (re)connects late: which build last changed each page, and whether the
// current state is failed. Create it with NewHub; it is safe for concurrent
// use.
type Hub struct {
	// Run identifies this run of the server, so that a page served by an
	// earlier run reloads when it reconnects.
	Run string
	// Ping is how often an idle stream gets a comment, so proxies and
	// browsers keep it open; default 15s.
	Ping time.Duration

	mu      sync.Mutex
	build   uint64
	changed map[string]uint64 // page URL → the build that last changed it
	failed  *Event
	subs    map[chan Event]bool
	closed  bool
}

// NewHub returns a Hub with a fresh run ID.
func NewHub() *Hub {
	var id [6]byte
	_, _ = rand.Read(id[:])
	return &Hub{Run: hex.EncodeToString(id[:]), Ping: 15 * time.Second, changed: map[string]uint64{}, subs: map[chan Event]bool{}}
}

// Build returns the number of the last good build.
func (h *Hub) Build() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.build
}

// Built records good build number build, which changed pages (and removed
// some; both are URL paths), and tells every browser. styles is set when
// only stylesheets changed (see Event.Styles). It clears a failed state.
func (h *Hub) Built(build uint64, pages, removed []string, styles map[string]string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.build = build
	ev := Event{Type: "reload", Build: build, Styles: styles}
	for _, list := range [][]string{pages, removed} {
		for _, p := range list {
			h.changed[p] = build
			ev.Pages = append(ev.Pages, p)
		}
	}
	h.failed = nil
	h.broadcast(ev)
}

// Failed records that the build fails with diagnostics and tells every
// browser; the pages of the last good build are still served.
func (h *Hub) Failed(diagnostics []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev := Event{Type: "errors", Build: h.build, Diagnostics: diagnostics}
	h.failed = &ev
	h.broadcast(ev)
}

// broadcast sends ev to every subscriber. One that is too far behind is
// dropped: its stream ends, the browser reconnects and catches up.
func (h *Hub) broadcast(ev Event) {
	for ch := range h.subs {
		select {
		case ch <- ev:
		default:
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// Subscribe returns a channel of events for a browser showing page (a URL
// path) from build number build of run run. Events it missed come first: a
// reload when its page changed since (or the run is another), and the
// current failure. cancel ends the subscription. After Close the channel
// is closed at once.
func (h *Hub) Subscribe(page string, build uint64, run string) (events <-chan Event, cancel func()) {
	ch := make(chan Event, 16)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(ch)
		return ch, func() {}
	}
	if h.build > 0 && (run != h.Run || h.changed[page] > build || build == 0) {
		ch <- Event{Type: "reload", Build: h.build, Pages: []string{page}}
	}
	if h.failed != nil {
		ch <- *h.failed
	}
	h.subs[ch] = true
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.subs[ch] {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// Close ends every stream; later subscriptions end at once.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

// ServeHTTP streams events as Server-Sent Events. The query names the
// browser's page, build and run (see Subscribe).
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	build, _ := strconv.ParseUint(q.Get("build"), 10, 64)
	events, cancel := h.Subscribe(q.Get("page"), build, q.Get("run"))
	defer cancel()

	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A browser whose stream drops (serve restarted) retries quickly.
	if _, err := w.Write([]byte("retry: 500\n\n")); err != nil {
		return
	}
	_ = rc.Flush()
	every := h.Ping
	if every <= 0 {
		every = 15 * time.Second
	}
	ping := time.NewTicker(every)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return
			}
		case ev, ok := <-events:
			if !ok {
				return
			}
			data, err := json.Marshal(ev)
			if err != nil {
				return
			}
			if _, err := w.Write(append(append([]byte("data: "), data...), "\n\n"...)); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
