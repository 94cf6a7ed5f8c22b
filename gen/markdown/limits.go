package markdown

import (
	"bytes"
	"fmt"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// MaxPageBytes is the largest page Convert converts, 5 MB. The largest
// runbook pages seen in public repositories are a few hundred kilobytes;
// goldmark's time on hostile input grows faster than its size (a 5 MB page
// of unclosed brackets takes seconds, a 50 MB one minutes and gigabytes), so
// one bad file must not cost the whole build.
const MaxPageBytes = 5 << 20

// MaxNesting is the deepest nesting of lists and block quotes Convert
// accepts, 100 levels. Parsing time grows with depth times size, so a deep
// nest of a few hundred kilobytes would otherwise never finish.
const MaxNesting = 100

// MaxContainers is the most list items and block-quote markers a page may
// open, 100,000: far more than any runbook, and few enough that a page of
// lists nested as deep as allowed parses in well under a second (each
// line of such a page opens a hundred nodes).
const MaxContainers = 100_000

// normalize returns src as goldmark should read it: without a UTF-8 byte
// order mark (which would hide the front matter's opening line), and with
// old Mac line ends (a lone CR) as LF. A CR is replaced in place, so every
// offset after the mark still matches the file.
func normalize(src []byte) []byte {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	i := bytes.IndexByte(src, '\r')
	if i < 0 {
		return src
	}
	out := bytes.Clone(src)
	for ; i < len(out); i++ {
		if out[i] == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// limitProblem reports a page over MaxPageBytes or nested deeper than
// MaxNesting, or nil. It is a scan of the bytes, made before parsing.
func limitProblem(src []byte) *diag.Problem {
	if len(src) > MaxPageBytes {
		return &diag.Problem{Message: fmt.Sprintf(
			"page is %.1f MB; a page may be at most %d MB: split it into several pages",
			float64(len(src))/(1<<20), MaxPageBytes>>20)}
	}
	containers := 0
	for start := 0; start < len(src); {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		depth, markers, at := nesting(src[start:end])
		if depth > MaxNesting {
			return &diag.Problem{Offset: start + at, Message: fmt.Sprintf(
				"lists and block quotes nest about %d levels deep here (a level is a marker or two columns of indentation); at most %d are allowed", depth, MaxNesting)}
		}
		if containers += markers; containers > MaxContainers {
			return &diag.Problem{Offset: start, Message: fmt.Sprintf(
				"page opens more than %d list items and block quotes by this line; split it into several pages", MaxContainers)}
		}
		start = end + 1
	}
	return nil
}

// nesting returns an upper bound of the container depth a line opens: the
// block-quote and list markers at its start, plus its indentation in pairs
// of columns when it has a marker (nested lists are made by indenting); the
// markers; and the offset where the bound first passed MaxNesting. Indented
// lines without a marker (code, continued paragraphs) count nothing.
func nesting(line []byte) (depth, markers, at int) {
	cols := 0
	i := 0
	for i < len(line) {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			if markers == 0 { // indentation: after a marker, a space is its separator
				cols += 1
				if c == '\t' {
					cols += 3 - (cols-1)%4
				}
			}
			i++
		case c == '>':
			markers++
			i++
		case (c == '-' || c == '*' || c == '+') && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
			markers++
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j < len(line) && (line[j] == '.' || line[j] == ')') && (j+1 == len(line) || line[j+1] == ' ' || line[j+1] == '\t') {
				markers++
				i = j + 1
				continue
			}
			return bound(markers, cols), markers, at
		default:
			return bound(markers, cols), markers, at
		}
		if bound(markers, cols) > MaxNesting && at == 0 {
			at = i
		}
	}
	return bound(markers, cols), markers, at
}

func bound(markers, cols int) int {
	if markers == 0 {
		return 0
	}
	return markers + cols/2
}
