// Package diag holds the diagnostics that content and config loaders report:
// problems located as path:line:col, collected rather than returned one at a
// time, so that a writer sees every problem from one run.
package diag

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Severity says whether a diagnostic fails the build.
type Severity int

const (
	// Error fails the build and the lint.
	Error Severity = iota
	// Warning is printed but does not fail the build.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem at a place in a file. Line and Col are 1-based;
// Col counts characters (runes), not bytes, as an editor does.
type Diagnostic struct {
	Path     string
	Line     int
	Col      int
	Severity Severity
	Message  string
}

// String formats the diagnostic as "path:line:col: message" for errors and
// "path:line:col: warning: message" for warnings, the form editors and CI
// annotators recognise.
func (d Diagnostic) String() string {
	if d.Severity == Warning {
		return fmt.Sprintf("%s:%d:%d: warning: %s", d.Path, d.Line, d.Col, d.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.Path, d.Line, d.Col, d.Message)
}

// Problem is a diagnostic that knows its byte offset in a source but not yet
// its file: Markdown extensions report these, and the caller places them.
type Problem struct {
	Offset   int
	Severity Severity
	Message  string
}

// List collects diagnostics. Its zero value is ready to use, and it is safe
// for concurrent use, since pages are parsed in parallel.
type List struct {
	mu    sync.Mutex
	items []Diagnostic
}

// Add appends diagnostics.
func (l *List) Add(ds ...Diagnostic) {
	l.mu.Lock()
	l.items = append(l.items, ds...)
	l.mu.Unlock()
}

// Errorf adds an error at path:line:col.
func (l *List) Errorf(path string, line, col int, format string, args ...any) {
	l.Add(Diagnostic{Path: path, Line: line, Col: col, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// Warnf adds a warning at path:line:col.
func (l *List) Warnf(path string, line, col int, format string, args ...any) {
	l.Add(Diagnostic{Path: path, Line: line, Col: col, Severity: Warning, Message: fmt.Sprintf(format, args...)})
}

// Sorted returns the diagnostics ordered by path, line and column, so output
// is stable however the work was scheduled.
func (l *List) Sorted() []Diagnostic {
	l.mu.Lock()
	out := slices.Clone(l.items)
	l.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return out
}

// Count returns the number of errors and warnings.
func (l *List) Count() (errors, warnings int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range l.items {
		if d.Severity == Warning {
			warnings++
		} else {
			errors++
		}
	}
	return errors, warnings
}

// HasErrors reports whether any diagnostic is an error.
func (l *List) HasErrors() bool {
	n, _ := l.Count()
	return n > 0
}

// Failed is the error a build returns when diagnostics contain errors. The
// diagnostics themselves are in the List; Failed only carries the count.
type Failed struct{ Errors int }

func (f *Failed) Error() string {
	if f.Errors == 1 {
		return "1 error in content or config"
	}
	return fmt.Sprintf("%d errors in content or config", f.Errors)
}

// Lines maps byte offsets in one source to line and column. Build it once per
// file; Position is then a binary search and a count of at most one block.
// Lines is safe for concurrent use.
type Lines struct {
	src    []byte
	starts []int // byte offset of the start of each line
	// runes[k] counts the characters before byte k*runeBlock, so that a
	// column on a line of megabytes costs one block, not the whole line.
	runes []int
}

const runeBlock = 1024

// NewLines indexes src.
func NewLines(src []byte) *Lines {
	starts := []int{0}
	runes := make([]int, 0, len(src)/runeBlock+1)
	n := 0
	for i, b := range src {
		if i%runeBlock == 0 {
			runes = append(runes, n)
		}
		if b == '\n' {
			starts = append(starts, i+1)
		}
		if b&0xC0 != 0x80 { // not a UTF-8 continuation byte: a new character
			n++
		}
	}
	return &Lines{src: src, starts: starts, runes: runes}
}

// runesBefore counts the characters before byte offset off.
func (ls *Lines) runesBefore(off int) int {
	k := off / runeBlock
	if k >= len(ls.runes) {
		k = len(ls.runes) - 1
	}
	if k < 0 {
		return 0
	}
	n := ls.runes[k]
	for _, b := range ls.src[k*runeBlock : off] {
		if b&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// Position returns the 1-based line and column of a byte offset. Offsets
// outside the source are clamped to its ends.
func (ls *Lines) Position(offset int) (line, col int) {
	offset = max(0, min(offset, len(ls.src)))
	i, found := slices.BinarySearch(ls.starts, offset)
	if !found {
		i--
	}
	return i + 1, ls.runesBefore(offset) - ls.runesBefore(ls.starts[i]) + 1
}

// Find returns the position of the first s at or after the start of line
// from that stands as a whole value: bounded by the line's ends, spaces,
// quotes, brackets or commas. ok is false when there is none. It places a
// value that a decoder kept no position for, such as an item of a
// front-matter list.
func (ls *Lines) Find(s string, from int) (line, col int, ok bool) {
	if s == "" {
		return 0, 0, false
	}
	start := 0
	if from >= 1 && from <= len(ls.starts) {
		start = ls.starts[from-1]
	}
	bound := func(i int) bool {
		return i < 0 || i >= len(ls.src) || strings.IndexByte(" \t\r\n\"'[],", ls.src[i]) >= 0
	}
	for at := start; at < len(ls.src); {
		i := bytes.Index(ls.src[at:], []byte(s))
		if i < 0 {
			break
		}
		i += at
		if bound(i-1) && bound(i+len(s)) {
			line, col = ls.Position(i)
			return line, col, true
		}
		at = i + 1
	}
	return 0, 0, false
}

// Place turns problems found at byte offsets of path's source into diagnostics.
func (ls *Lines) Place(path string, ps []Problem) []Diagnostic {
	out := make([]Diagnostic, 0, len(ps))
	for _, p := range ps {
		line, col := ls.Position(p.Offset)
		out = append(out, Diagnostic{Path: path, Line: line, Col: col, Severity: p.Severity, Message: p.Message})
	}
	return out
}

// Join formats diagnostics one per line.
func Join(ds []Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// YAMLError splits an error from gopkg.in/yaml (v2 or v3), whose messages
// carry the position only as text ("yaml: line 3: ..."), into the 1-based
// line relative to the YAML source and a message without the prefixes.
// Errors without a line are placed on line 1.
func YAMLError(err error) (line int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line = 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, tail
			}
		}
	}
	return line, strings.ReplaceAll(msg, "\n", " ")
}
