package search

import (
	"errors"
	"slices"
	"strings"
)

// Index answers queries. It loads in parts, as a browser fetches them: the
// entry file first (ParseEntry), then the postings shards a query's words
// fall in (Shards, LoadShard), then the blocks of the hits shown (Blocks,
// LoadBlock). It is not safe for concurrent use.
type Index struct {
	n        int
	groups   []string
	first    []string   // each shard's first term; the first is ""
	shards   []string   // file names
	terms    [][]string // by shard, sorted; nil until loaded
	postings map[string][]posting
	blocks   map[int][]section
}

type posting struct{ doc, wtf int }

// section is what a block says of one document.
type section struct{ url, title, anchor, heading, text string }

// ErrFormat is returned for an index file that is not what it should be.
var ErrFormat = errors.New("search: malformed index file")

// ParseEntry reads the entry file: the header, the block groups and the
// shards' first terms.
func ParseEntry(text string) (*Index, error) {
	lines := strings.Split(text, "\n")
	h := strings.Split(lines[0], "\t")
	if len(h) != 2 || h[0] != magic || len(lines) < 3 || !strings.HasPrefix(lines[1], "G\t") {
		return nil, ErrFormat
	}
	n, ok := number(h[1], 10)
	if !ok {
		return nil, ErrFormat
	}
	ix := &Index{n: n, groups: strings.Fields(lines[1][2:]), postings: map[string][]posting{}, blocks: map[int][]section{}}
	if len(ix.groups)*groupBlocks*blockDocs < n {
		return nil, ErrFormat
	}
	for _, line := range lines[2:] {
		if line == "" {
			continue
		}
		first, hash, ok := strings.Cut(line, "\t")
		if !ok || hash == "" || (len(ix.first) == 0) != (first == "") || len(ix.first) > 0 && first <= ix.first[len(ix.first)-1] {
			return nil, ErrFormat
		}
		ix.first = append(ix.first, first)
		ix.shards = append(ix.shards, shardPrefix+hash+Ext)
	}
	if len(ix.shards) == 0 {
		return nil, ErrFormat
	}
	ix.terms = make([][]string, len(ix.shards))
	return ix, nil
}

// shardOf is the shard whose range holds term.
func (ix *Index) shardOf(term string) int {
	i, _ := slices.BinarySearch(ix.first, term)
	if i == len(ix.first) || ix.first[i] != term {
		i--
	}
	return max(i, 0)
}

// Expansion is one vocabulary term a query term stands for, with how much
// a match on it counts: 1 for the word itself, less for a completion of
// the word being typed, least for a one-letter typo.
type Expansion struct {
	Query  int // index into Query.Terms
	Term   string
	Weight float64
}

// Match weights, and how far a query word reaches.
const (
	weightExact  = 1.0
	weightPrefix = 0.8
	weightTypo   = 0.4
	maxPrefix    = 24
	minTypoLen   = 4
	// typoKeep is how many leading letters a typo leaves alone: words
	// sharing them sit in the same shards, so a typo costs no more fetches
	// than the word would.
	typoKeep = 2
	// maxReach bounds the shards one query word loads, for a short prefix
	// on a large site.
	maxReach = 4
)

// reach is the range of shards query word qi of q looks in: the word's
// own, those its completions fall in when it is being typed, and those of
// words that share its first letters, for typos; at most maxReach,
// starting at its own.
func (ix *Index) reach(q Query, qi int) (lo, hi int) {
	t := q.Terms[qi]
	own := ix.shardOf(t)
	lo, hi = own, own
	if q.Prefix && qi == len(q.Terms)-1 {
		hi = ix.shardOf(t + "\xff")
	}
	if len(t) >= minTypoLen {
		lo = ix.shardOf(t[:typoKeep])
		hi = max(hi, ix.shardOf(t[:typoKeep]+"\xff"))
	}
	lo = max(lo, own-1)
	return lo, min(hi, lo+maxReach-1)
}

// Shards returns the postings shards q needs that are not yet loaded, by
// index.
func (ix *Index) Shards(q Query) []int {
	var need []int
	for qi := range q.Terms {
		lo, hi := ix.reach(q, qi)
		for s := lo; s <= hi; s++ {
			if ix.terms[s] == nil && !slices.Contains(need, s) {
				need = append(need, s)
			}
		}
	}
	return need
}

// ShardFile names postings shard i.
func (ix *Index) ShardFile(i int) string { return ix.shards[i] }

// LoadShard reads postings shard i.
func (ix *Index) LoadShard(i int, text string) error {
	if i < 0 || i >= len(ix.shards) {
		return ErrFormat
	}
	terms := []string{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		term, list, ok := strings.Cut(line, "\t")
		if !ok || ix.shardOf(term) != i || len(terms) > 0 && term <= terms[len(terms)-1] {
			return ErrFormat
		}
		var ps []posting
		d := 0
		for _, item := range strings.Split(list, ",") {
			delta, score, ok := strings.Cut(item, ":")
			dn, ok1 := number(delta, 36)
			sn, ok2 := number(score, 36)
			d += dn
			if !ok || !ok1 || !ok2 || d >= ix.n || len(ps) > 0 && dn == 0 {
				return ErrFormat
			}
			ps = append(ps, posting{d, sn})
		}
		terms = append(terms, term)
		ix.postings[term] = ps
	}
	ix.terms[i] = terms
	return nil
}

// Expand finds the vocabulary terms for a query among the shards it
// reaches; those not loaded count as holding nothing.
func (ix *Index) Expand(q Query) []Expansion {
	var out []Expansion
	for qi, t := range q.Terms {
		lo, hi := ix.reach(q, qi)
		if _, ok := ix.postings[t]; ok {
			out = append(out, Expansion{qi, t, weightExact})
		}
		var comps top[string]
		comps.limit = maxPrefix
		for s := lo; s <= hi; s++ {
			for _, v := range ix.terms[s] {
				switch {
				case v == t:
				case q.Prefix && qi == len(q.Terms)-1 && strings.HasPrefix(v, t):
					// The most frequent completions, so short prefixes
					// stay cheap and useful.
					comps.add(v, func(a, b string) bool { return len(ix.postings[a]) > len(ix.postings[b]) })
				case len(t) >= minTypoLen && oneEdit(t, v):
					out = append(out, Expansion{qi, v, weightTypo})
				}
			}
		}
		for _, v := range comps.items {
			out = append(out, Expansion{qi, v, weightPrefix})
		}
	}
	return out
}

// Hit is one result.
type Hit struct {
	Doc int
	// URL is page#anchor (just the page for its top section).
	URL       string
	PageTitle string
	Heading   string
	// Text is the section's text, for Snippet.
	Text string
	// Terms are the vocabulary terms that matched, for highlighting.
	Terms []string
	Score float64
	// Matched counts the query terms the document matched.
	Matched int
}

// Search ranks documents for q; the shards it reaches should be loaded.
// Documents that match every query term come first, then by BM25 score
// over the weighted fields. The hits' pages, headings and text are filled
// in from the blocks loaded (see Blocks and Fill).
func (ix *Index) Search(q Query, exps []Expansion, limit int) []Hit {
	type acc struct {
		best  []float64 // per query term
		terms []string
	}
	byDoc := map[int]*acc{}
	for _, e := range exps {
		ps := ix.postings[e.Term]
		w := e.Weight * idf(len(ps), ix.n) / 100
		for _, p := range ps {
			a := byDoc[p.doc]
			if a == nil {
				a = &acc{best: make([]float64, len(q.Terms))}
				byDoc[p.doc] = a
			}
			if s := w * float64(p.wtf); s > a.best[e.Query] {
				a.best[e.Query] = s
			}
			if !slices.Contains(a.terms, e.Term) {
				a.terms = append(a.terms, e.Term)
			}
		}
	}
	// Only the best limit hits are kept, in order: documents that match
	// more query terms first, then by score, then by position.
	better := func(a, b Hit) bool {
		if a.Matched != b.Matched {
			return a.Matched > b.Matched
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Doc < b.Doc
	}
	hits := top[Hit]{limit: limit}
	for d, a := range byDoc {
		h := Hit{Doc: d, Terms: a.terms}
		for _, s := range a.best {
			if s > 0 {
				h.Matched++
				h.Score += s
			}
		}
		hits.add(h, better)
	}
	ix.Fill(hits.items)
	return hits.items
}

// Blocks returns the blocks that hold hits and are not yet loaded.
func (ix *Index) Blocks(hits []Hit) []int {
	var need []int
	for _, h := range hits {
		k := h.Doc / blockDocs
		if _, ok := ix.blocks[k]; !ok && !slices.Contains(need, k) {
			need = append(need, k)
		}
	}
	return need
}

// BlockFile names block k.
func (ix *Index) BlockFile(k int) string {
	return blockPrefix(k) + ix.groups[k/groupBlocks] + Ext
}

// LoadBlock reads block k.
func (ix *Index) LoadBlock(k int, text string) error {
	if k < 0 || k*blockDocs >= ix.n {
		return ErrFormat
	}
	var secs []section
	url, title := "", ""
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(line, "\t")
		switch {
		case line == "":
		case len(f) == 3 && f[0] == "P":
			url, title = f[1], f[2]
		case len(f) == 3 && url != "":
			secs = append(secs, section{url, title, f[0], f[1], f[2]})
		default:
			return ErrFormat
		}
	}
	if len(secs) != min(blockDocs, ix.n-k*blockDocs) {
		return ErrFormat
	}
	ix.blocks[k] = secs
	return nil
}

// Fill fills in the page, heading and text of each hit whose block is
// loaded, and reports whether every hit's was.
func (ix *Index) Fill(hits []Hit) bool {
	all := true
	for i := range hits {
		h := &hits[i]
		secs, ok := ix.blocks[h.Doc/blockDocs]
		if !ok {
			all = false
			continue
		}
		s := secs[h.Doc%blockDocs]
		h.URL, h.PageTitle, h.Heading, h.Text = s.url, s.title, s.heading, s.text
		if s.anchor != "" {
			h.URL += "#" + s.anchor
		}
	}
	return all
}

// top keeps the best limit items in order, by insertion: results are few,
// and a general sort would cost the widgets several kilobytes per type.
type top[T any] struct {
	limit int
	items []T
}

func (t *top[T]) add(x T, better func(a, b T) bool) {
	n := len(t.items)
	if n == t.limit && (n == 0 || !better(x, t.items[n-1])) {
		return
	}
	i := n
	for i > 0 && better(x, t.items[i-1]) {
		i--
	}
	if n < t.limit {
		t.items = append(t.items, x)
	}
	copy(t.items[i+1:], t.items[i:len(t.items)-1])
	t.items[i] = x
}

// oneEdit reports whether a and b differ by exactly one insertion,
// deletion, substitution or swap of neighbouring letters.
func oneEdit(a, b string) bool {
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 || a == b {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // swap
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}

// number reads a non-negative integer in base 10 or 36 (lower case), as the
// index writer writes them. strconv's parsers would bring their error type,
// and with it strconv.Quote and its tables of printable characters, into the
// widgets: about 5 KB brotli.
func number(s string, base int) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		d, c := base, s[i]
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		}
		if d >= base || i >= 12 {
			return 0, false
		}
		n = n*base + d
	}
	return n, s != ""
}
