// Package parallel runs independent steps of a build on every core.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f(i) for every i in [0, n), on GOMAXPROCS workers, and returns
// when all calls have. f must be safe to call concurrently.
func For(n int, f func(i int)) { ForN(n, runtime.GOMAXPROCS(0), f) }

// ForN is For with a given number of workers, for work that waits on I/O.
// Workers take the next index from a shared counter: handing each index
// over a channel cost a goroutine switch per call, more than many of the
// calls themselves (keying a page takes a few microseconds).
func ForN(n, workers int, f func(i int)) {
	workers = max(1, min(workers, n))
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			f(i)
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(work)
	}
	work() // the caller is a worker too
	wg.Wait()
}
