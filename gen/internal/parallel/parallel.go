// Package parallel runs independent steps of a build on every core.
package parallel

import (
	"runtime"
	"sync"
)

// For calls f(i) for every i in [0, n), on GOMAXPROCS workers, and returns
// when all calls have. f must be safe to call concurrently.
func For(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
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
