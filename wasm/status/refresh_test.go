package status

import "testing"

func TestRefresh(t *testing.T) {
	var r Refresh
	if !r.Due(1000, true) {
		t.Fatal("not due when the page opens")
	}
	if r.Due(1000+RefreshMS-1, true) || !r.Due(1000+RefreshMS, true) {
		t.Error("not every RefreshMS")
	}
	start := 1000.0 + RefreshMS
	if r.Due(start+10*RefreshMS, false) {
		t.Error("due while the page is hidden")
	}
	if !r.Due(start+10*RefreshMS, true) {
		t.Error("not due at once when a stale page is shown again")
	}
	r.Reset()
	if !r.Due(start+10*RefreshMS+1, true) {
		t.Error("not due after Reset")
	}
}

func TestRefreshBacksOffWhileTheAPIIsUnreachable(t *testing.T) {
	var r Refresh
	at := 1.0
	r.Due(at, true)
	var waits []float64
	for range 6 {
		r.Reached(false)
		next := at + 1
		for !r.Due(next, true) {
			next += 1000
		}
		waits = append(waits, next-at)
		at = next
	}
	want := []float64{2 * RefreshMS, 4 * RefreshMS, 8 * RefreshMS, MaxRefreshMS, MaxRefreshMS, MaxRefreshMS}
	for i := range want {
		if waits[i] < want[i] || waits[i] > want[i]+1000 {
			t.Errorf("wait %d = %v ms, want %v", i, waits[i], want[i])
		}
	}
	r.Reached(true)
	if r.Due(at+RefreshMS-1, true) || !r.Due(at+RefreshMS, true) {
		t.Error("an answer does not bring the wait back to RefreshMS")
	}
}
