package share

import (
	"errors"
	"sync/atomic"
	"testing"
)

type pool struct{ closed atomic.Bool }

func TestSharesOpenOnceAndCloseWithTheLast(t *testing.T) {
	opened := 0
	open := func() (*pool, error) { opened++; return &pool{}, nil }
	s := New(func(p *pool) error { p.closed.Store(true); return nil })
	a, b, other := s.Join("k"), s.Join("k"), s.Join("other")
	if s.Open() != 0 {
		t.Fatal("Join opened a pool")
	}
	pa, _ := a.Get(open)
	pb, _ := b.Get(open)
	if pa != pb || opened != 1 {
		t.Fatalf("two shares of one key: %d opens, same pool %v", opened, pa == pb)
	}
	a.Release()
	a.Release() // a second call does nothing
	if pa.closed.Load() {
		t.Fatal("closed while b still shares it")
	}
	if _, err := a.Get(open); !errors.Is(err, ErrReleased) {
		t.Errorf("Get after Release: %v", err)
	}
	b.Release()
	if !pa.closed.Load() || s.Open() != 0 {
		t.Fatal("the last share did not close the pool")
	}
	po, _ := other.Get(open)
	s.Close()
	if !po.closed.Load() {
		t.Error("Close left a pool open")
	}
	if _, err := other.Get(open); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if err := other.Release(); err != nil {
		t.Errorf("Release after Close: %v", err)
	}
}

func TestOpenFailureOpensLater(t *testing.T) {
	fail := true
	s := New(func(*pool) error { return nil })
	sh := s.Join("k")
	if _, err := sh.Get(func() (*pool, error) { return nil, errors.New("no") }); err == nil {
		t.Fatal("want the open error")
	}
	fail = false
	if p, err := sh.Get(func() (*pool, error) { return &pool{}, nil }); err != nil || p == nil || fail {
		t.Fatalf("a later Get: %v", err)
	}
}
