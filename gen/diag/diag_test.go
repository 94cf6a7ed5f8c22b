package diag

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestLinesPosition(t *testing.T) {
	src := []byte("ab\nçd🚨x\n\nlast")
	ls := NewLines(src)
	tests := []struct {
		name      string
		offset    int
		line, col int
	}{
		{"start", 0, 1, 1},
		{"end of first line", 2, 1, 3},
		{"second line", 3, 2, 1},
		{"after a two-byte rune", 5, 2, 2},
		{"after an emoji counts one column", 10, 2, 4},
		{"empty line", 12, 3, 1},
		{"last line", 13, 4, 1},
		{"past the end is clamped", 999, 4, 5},
		{"negative is clamped", -3, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, col := ls.Position(tt.offset)
			assert.Equal(t, tt.line, line, "line")
			assert.Equal(t, tt.col, col, "col")
		})
	}
}

func TestListSortedAndFormatted(t *testing.T) {
	var l List
	l.Warnf("b.md", 1, 1, "unknown shortcode %q", "x")
	l.Errorf("a.md", 3, 2, "unknown probe %q", "nope")
	l.Errorf("a.md", 1, 9, "missing title")
	got := Join(l.Sorted())
	assert.Equal(t, "a.md:1:9: missing title\na.md:3:2: unknown probe \"nope\"\nb.md:1:1: warning: unknown shortcode \"x\"\n", got)
	errs, warns := l.Count()
	assert.Equal(t, 2, errs)
	assert.Equal(t, 1, warns)
	assert.True(t, l.HasErrors())
	assert.EqualError(t, &Failed{Errors: 2}, "2 errors in content or config")
}

// A column on a line of megabytes is counted from a block index, and must
// agree with counting the characters one by one, across block edges that
// split a character.
func TestLinesPositionLongLine(t *testing.T) {
	src := []byte("x\n" + strings.Repeat("é🚨a", 3000) + "\nend")
	ls := NewLines(src)
	for _, off := range []int{2, 1023, 1024, 1025, 2047, 5000, 20001, len(src) - 4} {
		want := utf8.RuneCount(src[2:off]) + 1
		line, col := ls.Position(off)
		assert.Equal(t, 2, line, "line at %d", off)
		assert.Equal(t, want, col, "col at %d", off)
	}
	line, col := ls.Position(len(src))
	assert.Equal(t, []int{3, 4}, []int{line, col})
	empty := NewLines(nil)
	line, col = empty.Position(5)
	assert.Equal(t, []int{1, 1}, []int{line, col})
}
