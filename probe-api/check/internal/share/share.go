// Package share keeps the connection pools that a probe type's checkers
// share: one pool per key (the target and the options that shape a pool),
// opened on first use, closed when the last checker sharing it lets go
// (a reloaded catalogue no longer has it) or when the type closes.
//
// pgcheck and redischeck each kept such a map with the same counting; this
// is that map once, for any pool type.
package share

import (
	"errors"
	"sync"
)

// Errors of Share.Get; a probe type turns them into its "not run" results.
var (
	// ErrClosed means the Pools were closed: the server is shutting down.
	ErrClosed = errors.New("pools closed")
	// ErrReleased means the checker gave up its share: its catalogue was
	// replaced.
	ErrReleased = errors.New("share released")
)

// Pools is a set of shared pools of type P. It is safe for concurrent use.
type Pools[P any] struct {
	closePool func(P) error

	mu     sync.Mutex
	byKey  map[string]*entry[P]
	closed bool
}

type entry[P any] struct {
	pool   P
	opened bool
	users  int
}

// New returns an empty set whose pools closePool closes.
func New[P any](closePool func(P) error) *Pools[P] {
	return &Pools[P]{closePool: closePool, byKey: map[string]*entry[P]{}}
}

// Join counts one more checker sharing the pool of key, and returns its
// share. Nothing is opened yet.
func (s *Pools[P]) Join(key string) *Share[P] {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byKey[key]
	if e == nil {
		e = &entry[P]{}
		s.byKey[key] = e
	}
	e.users++
	return &Share[P]{pools: s, key: key}
}

// Close closes every open pool and refuses every Get after it.
func (s *Pools[P]) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for k, e := range s.byKey {
		if e.opened {
			errs = append(errs, s.closePool(e.pool))
		}
		delete(s.byKey, k)
	}
	s.closed = true
	return errors.Join(errs...)
}

// Open reports how many pools are open, for tests.
func (s *Pools[P]) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.byKey {
		if e.opened {
			n++
		}
	}
	return n
}

// Share is one checker's share in a pool.
type Share[P any] struct {
	pools    *Pools[P]
	key      string
	released bool // guarded by pools.mu
}

// Get returns the pool, opening it with open on first use.
func (sh *Share[P]) Get(open func() (P, error)) (P, error) {
	s := sh.pools
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero P
	if s.closed {
		return zero, ErrClosed
	}
	e := s.byKey[sh.key]
	if sh.released || e == nil {
		return zero, ErrReleased
	}
	if !e.opened {
		p, err := open()
		if err != nil {
			return zero, err
		}
		e.pool, e.opened = p, true
	}
	return e.pool, nil
}

// Release gives up the share, and closes the pool if it was the last. It
// must not be called while the checker uses the pool; a second call does
// nothing.
func (sh *Share[P]) Release() error {
	s := sh.pools
	s.mu.Lock()
	var idle P
	closing := false
	if e := s.byKey[sh.key]; !sh.released && e != nil {
		if e.users--; e.users <= 0 {
			delete(s.byKey, sh.key)
			idle, closing = e.pool, e.opened
		}
	}
	sh.released = true
	s.mu.Unlock()
	if closing {
		return s.closePool(idle)
	}
	return nil
}
