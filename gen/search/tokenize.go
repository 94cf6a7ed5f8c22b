// Package search is stepcheck's full-text search: one tokenizer and one
// ranker, used by the build to write the index and compiled into the page
// widgets to answer queries. It imports nothing heavy (no fmt, no
// encoding/json, no reflection), because every import counts against the
// widgets' size budget.
//
// Documents are page sections (a heading and the text up to the next), so
// a result links to page#heading. Ranking is BM25 over weighted fields,
// with prefix matching for the last word typed and one-edit typo tolerance
// for words of four letters or more, ranked below exact hits.
//
// The index is split so that what a first query fetches stays the same size
// however large the site grows (Builder.Files says how):
//   - the entry file: under 2 KB for a site of 5,000 sections;
//   - the postings shards the query's words fall in: ranges of the sorted
//     vocabulary, about 4 KB each once compressed. A posting carries the
//     term's BM25 score in its document, computed at build time, so no
//     table of documents is needed to rank;
//   - the blocks of the sections shown: their pages, headings and text for
//     snippets, 16 sections to a block.
//
// A typo is looked for among the words that share its first two letters,
// which sit in the same shards as the word itself, so a typo costs no extra
// fetch; a typo in the first two letters is not found.
package search

import "strings"

// Token is one indexable word.
type Token struct {
	Text string
	// Part is true for a piece of a compound word ("isready" of
	// "pg_isready"); parts count less than whole words.
	Part bool
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c >= 0x80
}

// Tokenize lowercases s and splits it into words: runs of letters, digits,
// '_' and '-'. A compound word ("pg_isready", "redis-cli",
// "max_connections") is kept whole and also split into its parts, so both
// forms find it. Leading and trailing '-' and '_' are dropped, so "--tail"
// is "tail".
func Tokenize(s string) []Token {
	s = lower(s)
	var out []Token
	for i := 0; i < len(s); {
		for i < len(s) && !isWordByte(s[i]) {
			i++
		}
		start := i
		for i < len(s) && isWordByte(s[i]) {
			i++
		}
		w := strings.Trim(s[start:i], "_-")
		if w == "" {
			continue
		}
		out = append(out, Token{Text: w})
		if strings.ContainsAny(w, "_-") {
			for _, p := range strings.FieldsFunc(w, func(r rune) bool { return r == '_' || r == '-' }) {
				out = append(out, Token{Text: p, Part: true})
			}
		}
	}
	return out
}

// lower lowercases ASCII quickly and leaves other bytes alone; runbook
// words worth finding are ASCII, and strings.ToLower would pull the
// Unicode case tables into the widgets.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Query is a parsed search query.
type Query struct {
	// Terms are the words to find, whole words only (parts of compound
	// words are searched through the whole word's own entry).
	Terms []string
	// Prefix is true when the last term is still being typed: it also
	// matches words that start with it.
	Prefix bool
}

// ParseQuery reads what the reader typed. Quotes and punctuation are
// ignored; the last word is a prefix while it is being typed, that is when
// the query ends in a word character rather than a space or punctuation.
// At most 8 words are used, and each at most 64 bytes, so a pasted page
// cannot make a query slow.
func ParseQuery(q string) Query {
	var out Query
	seen := map[string]bool{}
	for _, t := range Tokenize(q) {
		if t.Part || seen[t.Text] || len(out.Terms) == 8 {
			continue
		}
		w := t.Text
		if len(w) > 64 {
			w = w[:64]
		}
		seen[w] = true
		out.Terms = append(out.Terms, w)
	}
	out.Prefix = len(out.Terms) > 0 && isWordByte(lower(q[len(q)-1:])[0])
	return out
}
