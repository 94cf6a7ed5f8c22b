package search

import "testing"

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		s    string
		base int
		n    int
		ok   bool
	}{
		{"0", 10, 0, true}, {"1234", 10, 1234, true}, {"z", 36, 35, true}, {"10", 36, 36, true},
		{"", 10, 0, false}, {"a", 10, 0, false}, {"-1", 10, 0, false}, {"+1", 10, 0, false}, {"A", 36, 0, false},
		{":", 36, 0, false}, {"1 ", 10, 0, false}, {"1234567890123", 10, 0, false},
	} {
		n, ok := number(c.s, c.base)
		if n != c.n || ok != c.ok {
			t.Errorf("number(%q, %d) = %d, %v; want %d, %v", c.s, c.base, n, ok, c.n, c.ok)
		}
	}
}
