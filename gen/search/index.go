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

// Sizes of the parts a query fetches. A postings shard of 16 KB of text is
// about 4 KB gzipped, unless one common word's postings alone are longer;
// smaller shards waste less on the words beside the query's (16 KB fetched
// 40% fewer bytes than 64 KB on the 4,750-page corpus). A block of 16
// sections is about one page's text. Blocks are named by groups of 64, so
// the entry file lists one short hash per 1,024 sections and stays small
// however large the site grows, while a change to one page renames only the
// 64 blocks of its group.
const (
	shardBytes  = 16 << 10
	blockDocs   = 16
	groupBlocks = 64
)

// Ext ends every index file's name. The site publishes the files
// gzip-compressed, as Pagefind does its own, so any static host sends them
// small and the index on disk is a fraction of its text; a host that marks
// them Content-Encoding: gzip instead works too, as the searcher reads
// either.
const Ext = ".gz"

// Builder collects documents and writes the index files. Its zero value is
// ready to use; it is not safe for concurrent use.
type Builder struct {
	docs []Document
}

// Add adds one document.
func (b *Builder) Add(d Document) { b.docs = append(b.docs, d) }

// Files returns the index files' text by name, and the name of the entry
// file that a page points the searcher at. The names carry hashes of the
// content, so files can be cached forever.
//
// The entry file is small and the same size for any site of a given
// vocabulary: a header, the hashes of the block groups, and each postings
// shard's first term and hash. Shards hold ranges of the sorted terms, each
// term with its postings: document number (delta-coded) and the term's
// score in that document, computed here (BM25's term-frequency part, in
// hundredths) so a query needs no table of documents to rank them. Blocks
// hold the sections' pages, titles, headings and text, for the hits shown.
func (b *Builder) Files() (files map[string][]byte, entry string) {
	postings, lengths, total := b.count()
	avg := 1.0
	if len(b.docs) > 0 && total > 0 {
		avg = float64(total) / float64(len(b.docs))
	}
	w := indexWriter{files: map[string][]byte{}}
	groups := w.blocks(b.docs)
	shards := w.postings(postings, lengths, avg)
	head := magic + "\t" + strconv.Itoa(len(b.docs)) + "\n" + "G\t" + strings.Join(groups, " ") + "\n" + shards
	entry = w.name("terms.", contentHash(head, 10), head)
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

// indexWriter keeps the files as it makes them.
type indexWriter struct{ files map[string][]byte }

func (w indexWriter) name(prefix, hash, body string) string {
	n := prefix + hash + Ext
	w.files[n] = []byte(body)
	return n
}

// blocks writes the sections, blockDocs to a file, and returns the hash of
// each group of groupBlocks files. A block starts with the page of its
// first section; a "P" line starts each page after it.
func (w indexWriter) blocks(all []Document) (groups []string) {
	var texts []string
	for start := 0; start < len(all); start += blockDocs {
		var b strings.Builder
		for i := start; i < min(start+blockDocs, len(all)); i++ {
			d := all[i]
			if i == start || d.URL != all[i-1].URL {
				b.WriteString("P\t" + clean(d.URL) + "\t" + clean(d.PageTitle) + "\n")
			}
			text := clean(d.Text)
			if len(text) > maxFragment {
				text = text[:cut(text, maxFragment)] + "…"
			}
			b.WriteString(clean(d.Anchor) + "\t" + clean(d.Heading) + "\t" + text + "\n")
		}
		texts = append(texts, b.String())
	}
	for g := 0; g*groupBlocks < len(texts); g++ {
		part := texts[g*groupBlocks : min((g+1)*groupBlocks, len(texts))]
		hash := contentHash(strings.Join(part, "\x00"), 8)
		groups = append(groups, hash)
		for i, text := range part {
			w.name(blockPrefix(g*groupBlocks+i), hash, text)
		}
	}
	return groups
}

// postings writes the shards, consecutive ranges of the sorted terms of
// about shardBytes each, and returns their lines for the entry file: each
// shard's first term and hash.
func (w indexWriter) postings(postings map[string][]posting, lengths []int, avg float64) string {
	terms := make([]string, 0, len(postings))
	for t := range postings {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	var entry, shard strings.Builder
	first := ""
	flush := func() {
		hash := contentHash(shard.String(), 10)
		w.name(shardPrefix, hash, shard.String())
		entry.WriteString(first + "\t" + hash + "\n")
		shard.Reset()
	}
	for i, t := range terms {
		if shard.Len() >= shardBytes {
			flush()
		}
		if shard.Len() == 0 && i > 0 {
			first = t
		}
		shard.WriteString(t + "\t")
		prev := 0
		for j, p := range postings[t] {
			if j > 0 {
				shard.WriteByte(',')
			}
			shard.WriteString(strconv.FormatInt(int64(p.doc-prev), 36) + ":" + strconv.FormatInt(int64(impact(p.wtf, lengths[p.doc], avg)), 36))
			prev = p.doc
		}
		shard.WriteByte('\n')
	}
	if shard.Len() > 0 || len(terms) == 0 {
		flush()
	}
	return entry.String()
}

// impact is a term's BM25 term-frequency part in a document of length dl
// (both in halves), in hundredths, at least 1. The query side multiplies
// it by the term's IDF, which it computes from the postings it loaded.
func impact(wtf, dl int, avgdl float64) int {
	const k1, b = 1.2, 0.75
	tf := float64(wtf) / 2
	s := tf * (k1 + 1) / (tf + k1*(1-b+b*float64(dl)/avgdl))
	return max(1, int(math.Round(s*100)))
}

// idf is BM25's inverse document frequency of a term in df of n documents.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

const (
	magic       = "stepcheck-search-2"
	shardPrefix = "p."
)

// blockPrefix starts block k's name; the group's hash completes it.
func blockPrefix(k int) string { return "f" + strconv.FormatInt(int64(k), 36) + "." }

// contentHash names a file by its content (64-bit FNV-1a, n hex digits),
// so files can be cached forever. crypto/sha256 would do the same at a cost
// of 100 KB to the widgets, which compile this package too.
func contentHash(s string, n int) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	hex := strconv.FormatUint(h, 16)
	for len(hex) < 16 {
		hex = "0" + hex
	}
	return hex[:n]
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
