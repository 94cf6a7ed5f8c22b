package probetest

import (
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// Unanswering returns a loopback address whose listener never accepts and
// whose accept queue is full, so a new connection's SYN goes unanswered and
// connecting hangs until the caller's deadline: a TCP target that never
// answers. Everything closes at cleanup.
func Unanswering(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "unanswering")
	t.Cleanup(func() { f.Close() })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	in4 := sa.(*syscall.SockaddrInet4)
	addr := (&net.TCPAddr{IP: net.IP(in4.Addr[:]), Port: in4.Port}).String()
	// Fill the accept queue: connections complete until it is full, then
	// a dial times out.
	for i := 0; i < 64; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatalf("the accept queue of %s never filled", addr)
	return ""
}
