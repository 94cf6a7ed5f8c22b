package search

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func build(t *testing.T, docs ...Document) *Index {
	t.Helper()
	var b Builder
	for _, d := range docs {
		b.Add(d)
	}
	files, entry := b.Files()
	ix, err := Open(files, entry)
	require.NoError(t, err)
	return ix
}

func TestHeadingOutranksBody(t *testing.T) {
	ix := build(t,
		Document{URL: "/a/", PageTitle: "A", Heading: "Notes", Text: "restart the backend if it hangs"},
		Document{URL: "/b/", Anchor: "restart-backend", PageTitle: "B", Heading: "Restart backend", Text: "docker-compose restart backend"},
	)
	hits := ix.Find("restart backend", 10)
	require.Len(t, hits, 2)
	assert.Equal(t, "/b/#restart-backend", hits[0].URL)
	assert.Equal(t, "Restart backend", hits[0].Heading)
	assert.Equal(t, "B", hits[0].PageTitle)
}

func TestPrefixAndTypo(t *testing.T) {
	ix := build(t,
		Document{URL: "/pg/", PageTitle: "Postgres", Text: "run pg_isready against postgres"},
		Document{URL: "/redis/", PageTitle: "Redis", Text: "run redis-cli ping"},
	)
	assert.Equal(t, "/pg/", ix.Find("pg_isr", 5)[0].URL, "the word being typed is a prefix")
	assert.Empty(t, ix.Find("pg_isr ", 5), "a finished word is not")
	assert.Equal(t, "/pg/", ix.Find("postgress", 5)[0].URL, "one edit finds a word of four letters or more")
	assert.Empty(t, ix.Find("cly", 5), "words under four letters need an exact match")
	assert.Equal(t, "/redis/", ix.Find("cli", 5)[0].URL, "parts of compound words are found")
}

func TestOneEdit(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"postgres", "postgress", true}, {"postgress", "postgres", true}, {"grafana", "grafnaa", true},
		{"redis", "redos", true}, {"redis", "redis", false}, {"redis", "rdis", true}, {"redis", "ridos", false},
		{"abc", "abcde", false}, {"", "a", true},
	} {
		assert.Equal(t, tt.want, oneEdit(tt.a, tt.b), "%q %q", tt.a, tt.b)
	}
}

func TestSnippet(t *testing.T) {
	text := "Check PostgreSQL status: docker-compose exec postgres pg_isready -U repairx_user, then check the <b>logs</b>."
	segs := Snippet(text, []string{"pg_isready"}, 60)
	var marked []string
	var all strings.Builder
	for _, s := range segs {
		all.WriteString(s.Text)
		if s.Match {
			marked = append(marked, s.Text)
		}
	}
	assert.Equal(t, []string{"pg_isready"}, marked)
	assert.Contains(t, all.String(), "pg_isready -U")
	assert.True(t, strings.HasSuffix(all.String(), "…"))
	assert.Contains(t, Snippet(text, []string{"logs"}, 200)[0].Text+Snippet(text, []string{"logs"}, 200)[1].Text, "<b>", "snippets are text; the page escapes them")
	assert.Equal(t, []Segment{{Text: "short"}}, Snippet("short", nil, 50))
}

func TestMalformedFilesAreErrors(t *testing.T) {
	for _, bad := range []string{
		"not an index",
		magic + "\t1\n",                            // no groups
		magic + "\t40000\nG\tab\n\tp0\n",           // more documents than the groups hold
		magic + "\t1\nG\tab\nword\tp0\n",           // the first shard starts a range
		magic + "\t1\nG\tab\n\tp0\nb\tp1\na\tp2\n", // shards out of order
	} {
		_, err := ParseEntry(bad)
		assert.ErrorIs(t, err, ErrFormat, "%q", bad)
	}
	ix, err := ParseEntry(magic + "\t2\nG\tab\n\tp0\nm\tp1\n")
	require.NoError(t, err)
	assert.ErrorIs(t, ix.LoadShard(0, "word\t0:5\n"), ErrFormat, "a term outside the shard's range")
	assert.ErrorIs(t, ix.LoadShard(1, "word\tzz:1\n"), ErrFormat, "a posting past the last document")
	assert.ErrorIs(t, ix.LoadShard(1, "word\t0:1,0:1\n"), ErrFormat, "a document twice")
	assert.ErrorIs(t, ix.LoadShard(1, "zz\t0:1\nword\t1:1\n"), ErrFormat, "terms out of order")
	assert.ErrorIs(t, ix.LoadShard(3, ""), ErrFormat)
	assert.ErrorIs(t, ix.LoadBlock(0, "P\t/a/\tA\n\tH\ttext\n"), ErrFormat, "one section where the block holds two")
	assert.ErrorIs(t, ix.LoadBlock(0, "\tH\ttext\n\tH\ttext\n"), ErrFormat, "sections before their page")
	assert.ErrorIs(t, ix.LoadBlock(1, ""), ErrFormat, "a block past the last document")
	require.NoError(t, ix.LoadShard(1, "word\t0:5,1:9\n"))
	require.NoError(t, ix.LoadBlock(0, "P\t/a/\tA\n\tH\tone\nx\tH2\ttwo\n"))
	hits := ix.Find("word", 5)
	require.Len(t, hits, 2)
	assert.Equal(t, "/a/#x", hits[0].URL, "the higher score first")
	assert.Equal(t, "two", hits[0].Text)
}

// The entry file lists one hash per 1,024 sections and one line per shard,
// so what a first query fetches stays flat as the site grows.
func TestEntryStaysSmall(t *testing.T) {
	var b Builder
	for i := range 5000 {
		b.Add(Document{URL: "/p" + strconv.Itoa(i/10) + "/", PageTitle: "Page " + strconv.Itoa(i/10), Heading: "Step " + strconv.Itoa(i%10),
			Text: "restart the gateway on node" + strconv.Itoa(i) + " and check replication lag"})
	}
	files, entry := b.Files()
	assert.Less(t, len(files[entry]), 2000)
	ix, err := Open(files, entry)
	require.NoError(t, err)
	ix2, err := ParseEntry(string(files[entry]))
	require.NoError(t, err)
	assert.Len(t, ix2.Shards(ParseQuery("lag ")), 1, "a short finished word reaches its own shard only")
	assert.LessOrEqual(t, len(ix2.Shards(ParseQuery("replication lag"))), maxReach+1)
	hits := ix.Find("node4321", 3)
	require.NotEmpty(t, hits)
	assert.Equal(t, "/p432/", hits[0].URL)
	assert.Equal(t, "Step 1", hits[0].Heading)
	assert.Len(t, ix2.Blocks(hits), len(hits), "a block per hit not yet loaded")
}

func FuzzIndexFiles(f *testing.F) {
	f.Add(magic+"\t2\nG\tab\n\tp0\nm\tp1\n", "word\t0:5,1:9\n", "P\t/a/\tA\n\tH\tone\nx\tH2\ttwo\n", "word")
	f.Fuzz(func(t *testing.T, entry, shard, block, q string) {
		ix, err := ParseEntry(entry)
		if err != nil {
			return
		}
		pq := ParseQuery(q)
		for _, i := range ix.Shards(pq) {
			_ = ix.LoadShard(i, shard)
		}
		hits := ix.Search(pq, ix.Expand(pq), 10)
		for _, k := range ix.Blocks(hits) {
			_ = ix.LoadBlock(k, block)
		}
		ix.Fill(hits)
		for _, h := range hits {
			assert.True(t, h.Doc >= 0 && h.Doc < ix.n)
		}
	})
}
