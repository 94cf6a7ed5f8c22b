package devserver

import (
	"context"
	"maps"
	"slices"
	"time"
)

// Batching defaults: an editor's save is a burst of events a few
// milliseconds apart (write a temporary file, rename it over the page,
// chmod), well inside DefaultQuiet; DefaultMaxWait bounds the wait when
// events never stop, such as a script writing many files.
const (
	DefaultQuiet   = 20 * time.Millisecond
	DefaultMaxWait = 200 * time.Millisecond
)

// Batcher merges bursts of changed paths into batches. A batch is ready once
// no path has arrived for Quiet, or MaxWait after its first path, whichever
// comes first. While the receiver is busy (rebuilding), ready batches merge,
// so a slow rebuild is followed by one rebuild, not a queue of them. The
// zero value uses the defaults.
type Batcher struct {
	Quiet   time.Duration
	MaxWait time.Duration
	// After is time.After; tests pass timers they fire by hand.
	After func(time.Duration) <-chan time.Time
}

// Run reads paths from in and sends each batch, sorted and without
// duplicates, on out. It returns when ctx is done, or when in is closed and
// the last batch is sent.
func (b Batcher) Run(ctx context.Context, in <-chan string, out chan<- []string) {
	quietFor, maxWait, after := b.Quiet, b.MaxWait, b.After
	if quietFor <= 0 {
		quietFor = DefaultQuiet
	}
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	if after == nil {
		after = time.After
	}
	var (
		pending         map[string]bool // paths still settling
		ready           map[string]bool // paths waiting for the receiver
		quiet, deadline <-chan time.Time
	)
	settle := func() {
		if ready == nil {
			ready = map[string]bool{}
		}
		maps.Copy(ready, pending)
		pending, quiet, deadline = nil, nil, nil
	}
	for {
		var send chan<- []string
		var batch []string
		if len(ready) > 0 {
			send, batch = out, slices.Sorted(maps.Keys(ready))
		}
		select {
		case <-ctx.Done():
			return
		case p, ok := <-in:
			if !ok {
				settle()
				if len(ready) > 0 {
					select {
					case out <- slices.Sorted(maps.Keys(ready)):
					case <-ctx.Done():
					}
				}
				return
			}
			if pending == nil {
				pending = map[string]bool{}
				deadline = after(maxWait)
			}
			pending[p] = true
			quiet = after(quietFor)
		case <-quiet:
			settle()
		case <-deadline:
			settle()
		case send <- batch:
			ready = nil
		}
	}
}
