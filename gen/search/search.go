package search

import (
	"errors"
	"slices"
	"strings"
)

// Index answers queries. It loads in parts, as a browser fetches them: the
// terms file first (ParseTerms), then the document table (LoadDocs), then
// only the postings shards a query needs (LoadShard). It is not safe for
// concurrent use.
type Index struct {
	n          int
	avgdl      float64
	docsFile   string
	shardFiles []string
	terms      []string // sorted
	df         []int
	pages      []page
	docs       []doc
	postings   map[string][]posting
	loaded     []bool
}

type page struct{ url, title, fragment string }

type doc struct {
	page            int
	anchor, heading string
	length          int
}

type posting struct{ doc, wtf int }

// ErrFormat is returned for an index file that is not what it should be.
var ErrFormat = errors.New("search: malformed index file")

// ParseTerms reads the entry file: the header and the vocabulary.
func ParseTerms(text string) (*Index, error) {
	header, rest, _ := strings.Cut(text, "\n")
	h := strings.Split(header, "\t")
	if len(h) != 5 || h[0] != magic {
		return nil, ErrFormat
	}
	ix := &Index{docsFile: h[3], postings: map[string][]posting{}}
	n, ok1 := number(h[1], 10)
	avg, ok2 := number(h[2], 10)
	if !ok1 || !ok2 {
		return nil, ErrFormat
	}
	ix.n = n
	ix.avgdl = float64(avg) / 100
	ix.shardFiles = strings.Fields(h[4])
	if len(ix.shardFiles) == 0 {
		return nil, ErrFormat
	}
	ix.loaded = make([]bool, len(ix.shardFiles))
	for _, line := range strings.Split(rest, "\n") {
		if line == "" {
			continue
		}
		term, df, ok := strings.Cut(line, "\t")
		n, ok2 := number(df, 36)
		if !ok || !ok2 {
			return nil, ErrFormat
		}
		ix.terms = append(ix.terms, term)
		ix.df = append(ix.df, n)
	}
	return ix, nil
}

// DocsFile names the document table to load next.
func (ix *Index) DocsFile() string { return ix.docsFile }

// LoadDocs reads the document table.
func (ix *Index) LoadDocs(text string) error {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(line, "\t")
		switch {
		case line == "":
		case f[0] == "P" && len(f) == 4:
			ix.pages = append(ix.pages, page{url: f[1], title: f[2], fragment: f[3]})
		case f[0] == "D" && len(f) == 5:
			p, ok1 := number(f[1], 10)
			l, ok2 := number(f[4], 10)
			if !ok1 || !ok2 || p >= len(ix.pages) {
				return ErrFormat
			}
			ix.docs = append(ix.docs, doc{page: p, anchor: f[2], heading: f[3], length: l})
		default:
			return ErrFormat
		}
	}
	if len(ix.docs) != ix.n {
		return ErrFormat
	}
	return nil
}

// Expansion is one vocabulary term a query term stands for, with how much
// a match on it counts: 1 for the word itself, less for a completion of
// the word being typed, least for a one-letter typo.
type Expansion struct {
	Query  int // index into Query.Terms
	Term   string
	Weight float64
}

// Match weights.
const (
	weightExact  = 1.0
	weightPrefix = 0.8
	weightTypo   = 0.4
	maxPrefix    = 24
	minTypoLen   = 4
)

// Expand finds the vocabulary terms for a query.
func (ix *Index) Expand(q Query) []Expansion {
	var out []Expansion
	for qi, t := range q.Terms {
		i, exact := slices.BinarySearch(ix.terms, t)
		if exact {
			out = append(out, Expansion{qi, t, weightExact})
		}
		if q.Prefix && qi == len(q.Terms)-1 {
			// The most frequent completions, so short prefixes stay cheap
			// and useful.
			var comps top[int]
			comps.limit = maxPrefix
			for j := i; j < len(ix.terms) && strings.HasPrefix(ix.terms[j], t); j++ {
				if ix.terms[j] != t {
					comps.add(j, func(a, b int) bool { return ix.df[a] > ix.df[b] })
				}
			}
			for _, j := range comps.items {
				out = append(out, Expansion{qi, ix.terms[j], weightPrefix})
			}
		}
		if len(t) >= minTypoLen {
			for _, v := range ix.terms {
				if v != t && oneEdit(t, v) {
					out = append(out, Expansion{qi, v, weightTypo})
				}
			}
		}
	}
	return out
}

// Shards returns the postings files the expansions need that are not yet
// loaded, by index.
func (ix *Index) Shards(exps []Expansion) []int {
	var need []int
	for _, e := range exps {
		s := shardOf(e.Term, len(ix.shardFiles))
		if !ix.loaded[s] && !slices.Contains(need, s) {
			need = append(need, s)
		}
	}
	return need
}

// ShardFile names postings file i.
func (ix *Index) ShardFile(i int) string { return ix.shardFiles[i] }

// LoadShard reads postings file i.
func (ix *Index) LoadShard(i int, text string) error {
	if i < 0 || i >= len(ix.shardFiles) {
		return ErrFormat
	}
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		term, list, ok := strings.Cut(line, "\t")
		if !ok {
			return ErrFormat
		}
		var ps []posting
		d := 0
		for _, item := range strings.Split(list, ",") {
			delta, wtf, ok := strings.Cut(item, ":")
			dn, ok1 := number(delta, 36)
			wn, ok2 := number(wtf, 36)
			d += dn
			if !ok || !ok1 || !ok2 || d >= ix.n {
				return ErrFormat
			}
			ps = append(ps, posting{d, wn})
		}
		ix.postings[term] = ps
	}
	ix.loaded[i] = true
	return nil
}

// Hit is one result.
type Hit struct {
	Doc int
	// URL is page#anchor (just the page for its top section).
	URL       string
	PageTitle string
	Heading   string
	// Fragment names the file with the page's text, for Snippet.
	Fragment string
	// Terms are the vocabulary terms that matched, for highlighting.
	Terms []string
	Score float64
	// Matched counts the query terms the document matched.
	Matched int
}

// Search ranks documents for q; the shards its expansions need must be
// loaded. Documents that match every query term come first, then by BM25
// score over the weighted fields.
func (ix *Index) Search(q Query, exps []Expansion, limit int) []Hit {
	type acc struct {
		best  []float64 // per query term
		terms []string
	}
	byDoc := map[int]*acc{}
	for _, e := range exps {
		ps := ix.postings[e.Term]
		i, _ := slices.BinarySearch(ix.terms, e.Term)
		if i >= len(ix.df) || ix.terms[i] != e.Term {
			continue
		}
		df := ix.df[i]
		for _, p := range ps {
			a := byDoc[p.doc]
			if a == nil {
				a = &acc{best: make([]float64, len(q.Terms))}
				byDoc[p.doc] = a
			}
			s := e.Weight * bm25(float64(p.wtf)/2, float64(ix.docs[p.doc].length)/2, ix.avgdl/2, df, ix.n)
			if s > a.best[e.Query] {
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
	for i := range hits.items {
		h := &hits.items[i]
		dd := ix.docs[h.Doc]
		pg := ix.pages[dd.page]
		h.URL, h.PageTitle, h.Heading, h.Fragment = pg.url, pg.title, dd.heading, pg.fragment
		if dd.anchor != "" {
			h.URL += "#" + dd.anchor
		}
	}
	return hits.items
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

// ParseFragment reads a page's text file: section text by document.
func ParseFragment(text string) map[int]string {
	out := map[int]string{}
	for _, line := range strings.Split(text, "\n") {
		d, t, ok := strings.Cut(line, "\t")
		if n, ok2 := number(d, 10); ok && ok2 {
			out[n] = t
		}
	}
	return out
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
