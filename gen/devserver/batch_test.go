package devserver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTimers hands the Batcher timers the test fires by hand, so no test
// depends on how fast the machine is.
type fakeTimers struct{ made chan fakeTimer }

type fakeTimer struct {
	d  time.Duration
	ch chan time.Time
}

func newFakeTimers() *fakeTimers { return &fakeTimers{made: make(chan fakeTimer, 100)} }

func (f *fakeTimers) After(d time.Duration) <-chan time.Time {
	t := fakeTimer{d, make(chan time.Time, 1)}
	f.made <- t
	return t.ch
}

// next returns the next timer the Batcher made.
func (f *fakeTimers) next(t *testing.T) fakeTimer {
	t.Helper()
	select {
	case tm := <-f.made:
		return tm
	case <-time.After(10 * time.Second):
		t.Fatal("the batcher made no timer")
		return fakeTimer{}
	}
}

func (tm fakeTimer) fire() { tm.ch <- time.Time{} }

func receive(t *testing.T, out <-chan []string) []string {
	t.Helper()
	select {
	case b := <-out:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no batch")
		return nil
	}
}

func noBatch(t *testing.T, out <-chan []string) {
	t.Helper()
	select {
	case b := <-out:
		t.Fatalf("unexpected batch %v", b)
	default:
	}
}

func startBatcher(t *testing.T) (*fakeTimers, chan<- string, <-chan []string) {
	t.Helper()
	timers := newFakeTimers()
	in, out := make(chan string), make(chan []string)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Batcher{Quiet: 20 * time.Millisecond, MaxWait: 200 * time.Millisecond, After: timers.After}.Run(ctx, in, out)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return timers, in, out
}

func TestBatcher(t *testing.T) {
	t.Run("an editor's save is one batch", func(t *testing.T) {
		timers, in, out := startBatcher(t)
		// vim: rename page.md to page.md~, write page.md, remove page.md~
		// (the watcher drops the backup names; the page comes three times).
		in <- "content/page.md"
		deadline := timers.next(t)
		assert.Equal(t, 200*time.Millisecond, deadline.d)
		first := timers.next(t)
		assert.Equal(t, 20*time.Millisecond, first.d)
		in <- "content/page.md"
		second := timers.next(t)
		in <- "content/page.md"
		last := timers.next(t)
		first.fire()
		second.fire() // stale quiet timers: events came after them
		noBatch(t, out)
		last.fire()
		assert.Equal(t, []string{"content/page.md"}, receive(t, out))
	})
	t.Run("paths are sorted and unique", func(t *testing.T) {
		timers, in, out := startBatcher(t)
		for _, p := range []string{"content/b.md", "content/a.md", "content/b.md", "themes/default/static/style.css"} {
			in <- p
		}
		var quiet fakeTimer
		for range 5 { // the deadline and one quiet timer per path
			quiet = timers.next(t)
		}
		quiet.fire()
		assert.Equal(t, []string{"content/a.md", "content/b.md", "themes/default/static/style.css"}, receive(t, out))
	})
	t.Run("a stream of events is cut at MaxWait", func(t *testing.T) {
		timers, in, out := startBatcher(t)
		in <- "content/a.md"
		deadline := timers.next(t)
		timers.next(t)
		in <- "content/b.md"
		timers.next(t)
		deadline.fire()
		assert.Equal(t, []string{"content/a.md", "content/b.md"}, receive(t, out))
		in <- "content/c.md"
		timers.next(t) // a new deadline
		timers.next(t).fire()
		assert.Equal(t, []string{"content/c.md"}, receive(t, out))
	})
	t.Run("batches merge while the receiver is busy", func(t *testing.T) {
		timers, in, out := startBatcher(t)
		in <- "content/a.md"
		timers.next(t)
		timers.next(t).fire()
		// Nobody receives yet: a second burst settles meanwhile.
		in <- "content/b.md"
		timers.next(t)
		timers.next(t).fire()
		in <- "content/c.md" // still settling: not part of the batch
		timers.next(t)
		quiet := timers.next(t)
		assert.Equal(t, []string{"content/a.md", "content/b.md"}, receive(t, out))
		quiet.fire()
		assert.Equal(t, []string{"content/c.md"}, receive(t, out))
	})
	t.Run("closing the input sends what is pending", func(t *testing.T) {
		timers := newFakeTimers()
		in, out := make(chan string), make(chan []string, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			Batcher{After: timers.After}.Run(context.Background(), in, out)
		}()
		in <- "stepcheck.yaml"
		close(in)
		<-done
		assert.Equal(t, []string{"stepcheck.yaml"}, receive(t, out))
	})
}

func TestIgnored(t *testing.T) {
	for name, want := range map[string]bool{
		"page.md": false, "_index.md": false, "probes.yaml": false, "style.css": false,
		".page.md.swp": true, "page.md~": true, ".#page.md": true, "4913": true,
		"page.md___jb_tmp___": true, ".goutputstream-ABC": true, "page.md.tmp": true,
	} {
		require.Equal(t, want, ignored(name), name)
	}
}
