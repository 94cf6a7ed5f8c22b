package search

import (
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
	_, err := ParseTerms("not an index")
	assert.ErrorIs(t, err, ErrFormat)
	ix, err := ParseTerms(magic + "\t1\t200\tdocs.txt\tp0.txt\nword\t1\n")
	require.NoError(t, err)
	assert.ErrorIs(t, ix.LoadDocs("D\t5\t\t\t1\n"), ErrFormat)
	assert.ErrorIs(t, ix.LoadShard(0, "word\tzz:1\n"), ErrFormat, "a posting past the last document")
	assert.ErrorIs(t, ix.LoadShard(3, ""), ErrFormat)
}

func FuzzIndexFiles(f *testing.F) {
	f.Add(magic+"\t1\t200\tdocs.txt\tp0.txt\nword\t1\n", "P\t/a/\tA\tf.txt\nD\t0\t\tH\t4\n", "word\t0:2\n", "word")
	f.Fuzz(func(t *testing.T, terms, docs, shard, q string) {
		ix, err := ParseTerms(terms)
		if err != nil {
			return
		}
		if ix.LoadDocs(docs) != nil {
			return
		}
		if ix.LoadShard(0, shard) != nil {
			return
		}
		pq := ParseQuery(q)
		for _, h := range ix.Search(pq, ix.Expand(pq), 10) {
			assert.True(t, h.Doc >= 0 && h.Doc < ix.n)
		}
	})
}
