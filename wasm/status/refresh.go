package status

// How often a page's probes are checked without a tap, in milliseconds:
// every RefreshMS while the page is visible, and, while the probe API
// cannot be reached, twice as long after each failed check, up to
// MaxRefreshMS.
const (
	RefreshMS    = 30_000
	MaxRefreshMS = 300_000
)

// Refresh decides when a page's probes are checked without a tap: at once
// when the page opens, then every RefreshMS while it is visible. Never
// while it is hidden, so a phone in a pocket neither spends its battery nor
// adds to the API's load; and less often while the API is unreachable, so
// a phone in a tunnel does not keep its radio busy and an API that is down
// is not hammered by every open page at once. The probe API answers each
// check from its cache within a window, so many responders on one page
// still cost the target one check per window. The zero value is due at
// once.
type Refresh struct {
	last float64 // when the last round started; 0 before the first
	wait float64 // the wait after it; 0 means RefreshMS
}

// Due reports whether a round of checks should start at nowMS, and marks
// it started if so.
func (r *Refresh) Due(nowMS float64, visible bool) bool {
	if !visible {
		return false
	}
	wait := r.wait
	if wait == 0 {
		wait = RefreshMS
	}
	if r.last != 0 && nowMS-r.last < wait {
		return false
	}
	r.last = nowMS
	return true
}

// Reached records whether a check reached the probe API: one that did
// brings the wait back to RefreshMS, one that did not doubles it.
func (r *Refresh) Reached(ok bool) {
	switch {
	case ok:
		r.wait = 0
	case r.wait == 0:
		r.wait = 2 * RefreshMS
	default:
		r.wait = min(2*r.wait, MaxRefreshMS)
	}
}

// Reset makes the next round due at once: the switch was turned on, or the
// device came back online.
func (r *Refresh) Reset() { r.last = 0 }
