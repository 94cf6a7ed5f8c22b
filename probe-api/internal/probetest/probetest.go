// Package probetest helps tests build probes from catalogue text and stand
// up loopback targets: a listener that counts connections, and one that
// accepts and never answers.
package probetest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// Catalogue parses a catalogue with one probe, ID "p", from its fields
// (YAML, unindented). Env variables come from env.
func Catalogue(t testing.TB, fields string, env map[string]string) *config.Catalogue {
	t.Helper()
	var b strings.Builder
	b.WriteString("probes:\n  p:\n")
	for _, line := range strings.Split(strings.TrimSpace(fields), "\n") {
		b.WriteString("    " + line + "\n")
	}
	cat, err := config.Parse("test.yaml", []byte(b.String()), func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return cat
}

// Build builds probe "p" of the given type from its fields.
func Build(t testing.TB, name string, typ check.Type, fields string) *check.Probe {
	t.Helper()
	r := check.NewRegistry()
	r.Add(name, typ)
	set, err := r.Build(Catalogue(t, "type: "+name+"\n"+strings.TrimSpace(fields), nil))
	if err != nil {
		t.Fatalf("build:\n%v", err)
	}
	p, _ := set.Probe("p")
	return p
}

// CountingListener counts the connections it accepts.
type CountingListener struct {
	net.Listener
	n atomic.Int64
}

// Accept accepts and counts a connection.
func (l *CountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// Count returns how many connections were accepted.
func (l *CountingListener) Count() int64 { return l.n.Load() }

// Listen listens on a loopback port.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// Server starts an HTTP server with h on loopback, counting connections.
func Server(t testing.TB, h http.Handler) (*httptest.Server, *CountingListener) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	cl := &CountingListener{Listener: Listen(t)}
	srv.Listener.Close()
	srv.Listener = cl
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, cl
}

// Silent starts a loopback listener that accepts connections and never
// reads or writes; it returns the address. Connections close at cleanup.
func Silent(t testing.TB) string {
	t.Helper()
	ln := Listen(t)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// ClosedAddr returns a loopback address where nothing listens.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln := Listen(t)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
