package search

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Document is one section of a page to index.
type Document struct {
	// URL is the page's URL path, with the site's base path.
	URL string
	// Anchor is the section's heading ID; empty for the top of the page.
	Anchor    string
	PageTitle string
	Heading   string
	// Description and Tags are the page's; give them on one section of the
	// page only (its first), so they count once.
	Description string
	Tags        []string
	Text        string
}

// Field weights: a word in a heading says more about a section than the
// same word in its body.
const (
	weightTitle       = 3
	weightHeading     = 4
	weightTags        = 3
	weightDescription = 2
	weightBody        = 1
)

// maxFragment bounds the text kept per section for snippets.
const maxFragment = 1500

// shardBytes is the target size of one postings file. A query fetches only
// the shards that hold its words.
const shardBytes = 24 << 10

// Builder collects documents and writes the index files. Its zero value is
// ready to use; it is not safe for concurrent use.
type Builder struct {
	docs []Document
}

// Add adds one document.
func (b *Builder) Add(d Document) { b.docs = append(b.docs, d) }

// Files returns the index files by name, and the name of the entry file
// (the terms file) that a page points the searcher at. Every name carries
// a hash of its content, so files can be cached forever.
func (b *Builder) Files() (files map[string][]byte, entry string) {
	postings, lengths, total := b.count()
	w := indexWriter{files: map[string][]byte{}}
	docsName := w.docs(b.docs, lengths)
	shardNames, vocab := w.postings(postings)
	avg := 0.0
	if len(b.docs) > 0 {
		avg = float64(total) / float64(len(b.docs))
	}
	// The average length goes as hundredths, an integer: parsing floats
	// would cost the widgets several kilobytes.
	header := magic + "\t" + strconv.Itoa(len(b.docs)) + "\t" + strconv.Itoa(int(avg*100)) + "\t" + docsName + "\t" + strings.Join(shardNames, " ") + "\n"
	entry = w.name("terms", []byte(header+vocab))
	return w.files, entry
}

// count tokenizes every document: each term's postings, each document's
// length (its weighted term count) and the sum of the lengths.
func (b *Builder) count() (postings map[string][]posting, lengths []int, total int) {
	postings = map[string][]posting{}
	lengths = make([]int, len(b.docs))
	for i, d := range b.docs {
		tf := map[string]int{}
		add := func(text string, w int) {
			for _, t := range Tokenize(text) {
				if t.Part {
					tf[t.Text] += w // half of a whole word, counted in halves
				} else {
					tf[t.Text] += 2 * w
				}
			}
		}
		add(d.PageTitle, weightTitle)
		add(d.Heading, weightHeading)
		add(strings.Join(d.Tags, " "), weightTags)
		add(d.Description, weightDescription)
		add(d.Text, weightBody)
		for term, n := range tf {
			postings[term] = append(postings[term], posting{i, n})
			lengths[i] += n
		}
		total += lengths[i]
	}
	return postings, lengths, total
}

// indexWriter names the index files by their content as it makes them.
type indexWriter struct{ files map[string][]byte }

func (w indexWriter) name(kind string, body []byte) string {
	n := kind + "." + contentHash(body) + ".txt"
	w.files[n] = body
	return n
}

// docs writes the fragments, one file per page with each section's text
// for snippets, and the docs file that lists the pages and their sections;
// it returns the docs file's name.
func (w indexWriter) docs(all []Document, lengths []int) string {
	type page struct {
		url, title string
		docs       []int
	}
	var pages []page
	pageOf := make([]int, len(all))
	byURL := map[string]int{}
	for i, d := range all {
		p, ok := byURL[d.URL]
		if !ok {
			p = len(pages)
			byURL[d.URL] = p
			pages = append(pages, page{url: d.URL, title: d.PageTitle})
		}
		pages[p].docs = append(pages[p].docs, i)
		pageOf[i] = p
	}
	var docs strings.Builder
	for _, p := range pages {
		var frag strings.Builder
		for _, i := range p.docs {
			text := clean(all[i].Text)
			if len(text) > maxFragment {
				text = text[:cut(text, maxFragment)] + "…"
			}
			frag.WriteString(strconv.Itoa(i) + "\t" + text + "\n")
		}
		f := w.name("frag", []byte(frag.String()))
		docs.WriteString("P\t" + clean(p.url) + "\t" + clean(p.title) + "\t" + f + "\n")
	}
	for i, d := range all {
		docs.WriteString("D\t" + strconv.Itoa(pageOf[i]) + "\t" + clean(d.Anchor) + "\t" + clean(d.Heading) + "\t" + strconv.Itoa(lengths[i]) + "\n")
	}
	return w.name("docs", []byte(docs.String()))
}

// postings writes the postings shards, each term to the shard its hash
// picks, and returns their names and the vocabulary (each term with its
// document count) for the terms file.
func (w indexWriter) postings(postings map[string][]posting) (names []string, vocab string) {
	terms := make([]string, 0, len(postings))
	size := 0
	for t, ps := range postings {
		terms = append(terms, t)
		size += len(t) + 8*len(ps)
	}
	slices.Sort(terms)
	nShards := max(1, (size+shardBytes-1)/shardBytes)
	shards := make([]strings.Builder, nShards)
	var v strings.Builder
	for _, t := range terms {
		ps := postings[t]
		sb := &shards[shardOf(t, nShards)]
		sb.WriteString(t + "\t")
		prev := 0
		for j, p := range ps {
			if j > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.FormatInt(int64(p.doc-prev), 36) + ":" + strconv.FormatInt(int64(p.wtf), 36))
			prev = p.doc
		}
		sb.WriteByte('\n')
		v.WriteString(t + "\t" + strconv.FormatInt(int64(len(ps)), 36) + "\n")
	}
	names = make([]string, nShards)
	for i := range shards {
		names[i] = w.name("postings"+strconv.Itoa(i), []byte(shards[i].String()))
	}
	return names, v.String()
}

const magic = "stepcheck-search-1"

// contentHash names a file by its content (64-bit FNV-1a, 10 hex digits),
// so files can be cached forever. crypto/sha256 would do the same at a cost
// of 100 KB to the widgets, which compile this package too.
func contentHash(b []byte) string {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	s := strconv.FormatUint(h, 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s[:10]
}

// shardOf spreads terms over shards with FNV-1a; the searcher computes the
// same to know which file holds a term.
func shardOf(term string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(term); i++ {
		h ^= uint32(term[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// clean makes text fit the line-and-tab format: tabs and newlines become
// spaces, and runs of spaces one.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cut returns a byte index at most n that does not split a UTF-8 sequence.
func cut(s string, n int) int {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return n
}

// bm25 scores a weighted term frequency in a document of length dl.
func bm25(wtf, dl, avgdl float64, df, n int) float64 {
	const k1, b = 1.2, 0.75
	idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
	return idf * wtf * (k1 + 1) / (wtf + k1*(1-b+b*dl/avgdl))
}
