// Package parallel runs independent steps of a build on every core.
package parallel

import (
	"runtime"
	"sync"
)

// For calls f(i) for every i in [0, n), on GOMAXPROCS workers, and returns
// when all calls have. f must be safe to call concurrently.
func For(n int, f func(i int)) { ForN(n, runtime.GOMAXPROCS(0), f) }

// ForN is For with a given number of workers, for work that waits on I/O.
func ForN(n, workers int, f func(i int)) {
	workers = max(1, min(workers, n))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
