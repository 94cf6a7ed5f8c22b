package search

import "strings"

// Segment is a run of snippet text; Match marks a matched word, which the
// page highlights. Segments are text: the page puts them in text nodes.
type Segment struct {
	Text  string
	Match bool
}

// Snippet picks the part of text around the first matched term, at most
// about width bytes, and splits it into plain and matched segments. A word
// matches when it, or the whole of a compound it is part of, is one of
// terms, or when it starts with a term (for prefix matches).
func Snippet(text string, terms []string, width int) []Segment {
	if len(terms) == 0 || text == "" {
		return trimmed(text, 0, width)
	}
	low := lower(text)
	first := -1
	for _, t := range terms {
		if i := indexWord(low, t); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	start := 0
	if first > width/3 {
		start = first - width/3
		for start < first && low[start] != ' ' {
			start++
		}
	}
	end := min(len(text), start+width)
	for end < len(text) && end > first && text[end]&0xC0 == 0x80 {
		end--
	}
	var out []Segment
	if start > 0 {
		out = append(out, Segment{Text: "…"})
	}
	i := start
	for i < end {
		// Walk word by word.
		j := i
		for j < end && isWordByte(low[j]) {
			j++
		}
		if j > i {
			w := low[i:j]
			match := false
			for _, t := range terms {
				if strings.HasPrefix(strings.Trim(w, "_-"), t) || containsPart(w, t) {
					match = true
					break
				}
			}
			out = appendSeg(out, text[i:j], match)
			i = j
			continue
		}
		for j < end && !isWordByte(low[j]) {
			j++
		}
		out = appendSeg(out, text[i:j], false)
		i = j
	}
	if end < len(text) {
		out = appendSeg(out, "…", false)
	}
	return out
}

func trimmed(text string, start, width int) []Segment {
	if text == "" {
		return nil
	}
	end := min(len(text), start+width)
	end = cut(text, end)
	s := text[start:end]
	if end < len(text) {
		s += "…"
	}
	return []Segment{{Text: s}}
}

func appendSeg(out []Segment, s string, match bool) []Segment {
	if n := len(out); n > 0 && out[n-1].Match == match {
		out[n-1].Text += s
		return out
	}
	return append(out, Segment{Text: s, Match: match})
}

// indexWord finds t at the start of a word in low.
func indexWord(low, t string) int {
	for off := 0; ; {
		i := strings.Index(low[off:], t)
		if i < 0 {
			return -1
		}
		i += off
		if i == 0 || !isWordByte(low[i-1]) || low[i-1] == '_' || low[i-1] == '-' {
			return i
		}
		off = i + 1
	}
}

func containsPart(w, t string) bool {
	for _, p := range strings.FieldsFunc(w, func(r rune) bool { return r == '_' || r == '-' }) {
		if strings.HasPrefix(p, t) {
			return true
		}
	}
	return false
}
