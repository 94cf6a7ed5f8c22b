package markdown

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func testConverter() *Converter {
	known := map[string]string{"backend-live": "Backend liveness", "pg-ready": "PostgreSQL ready", "pg-connections": "PostgreSQL connections"}
	return New(Options{
		ProbeTitle: func(id string) (string, bool) { t, ok := known[id]; return t, ok },
		Severities: []string{"SEV-1", "SEV-2", "SEV-3", "SEV-4"},
	})
}

// TestGolden converts testdata/*.md and compares the HTML, followed by the
// diagnostics, with testdata/*.golden.html. Run with -update to rewrite.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	c := testConverter()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			doc, err := c.Convert(filepath.Base(file), src)
			require.NoError(t, err)
			got := string(doc.HTML)
			if len(doc.Diagnostics) > 0 {
				got += "<!-- diagnostics\n" + diag.Join(doc.Diagnostics) + "-->\n"
			}
			golden := strings.TrimSuffix(file, ".md") + ".golden.html"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./gen/markdown -update to create it")
			assert.Equal(t, string(want), got)
		})
	}
}

func TestConvertFacts(t *testing.T) {
	src, err := os.ReadFile("testdata/page.md")
	require.NoError(t, err)
	doc, err := testConverter().Convert("page.md", src)
	require.NoError(t, err)

	assert.Equal(t, "Database issues", doc.Meta["title"])
	assert.Equal(t, 4, doc.MetaLines["weight"])
	assert.Equal(t, []Heading{
		{Level: 2, Text: "Connection issues", ID: "connection-issues"},
		{Level: 2, Text: "Kill blocking queries", ID: "kill-blocking-queries"},
		{Level: 2, Text: "Kill blocking queries", ID: "kill-blocking-queries-1"},
	}, doc.Headings, "IDs are stable and duplicates are numbered")
	var probes []string
	for _, u := range doc.Probes {
		probes = append(probes, u.ID)
	}
	assert.Equal(t, []string{"pg-ready", "pg-connections"}, probes)
	assert.Equal(t, []string{"BLOCKING_PID"}, doc.Vars)
	assert.Equal(t, 1, doc.Templates)
	assert.Equal(t, 2, doc.Tasks)
	require.Len(t, doc.Fields, 3)
	assert.Equal(t, "status", doc.Fields[0].Name)
	assert.Equal(t, []string{"Investigating", "Identified", "Monitoring", "Resolved"}, doc.Fields[0].Options)
	assert.Equal(t, []Link{
		{Dest: "/procedures/service-down/#check-service-health", Line: 29, Col: 44},
	}, doc.Links)
	assert.NotContains(t, string(doc.HTML), "<script>", "raw HTML is dropped unless the site is unsafe")
}

func TestBasePathPrefixesSiteLinks(t *testing.T) {
	c := New(Options{BasePath: "/runbooks/"})
	doc, err := c.Convert("x.md", []byte("[a](/procedures/x/) [b](https://e.com/) [c](#here) [d](//cdn/x)\n"))
	require.NoError(t, err)
	assert.Equal(t, `<p><a href="/runbooks/procedures/x/">a</a> <a href="https://e.com/">b</a> <a href="#here">c</a> <a href="//cdn/x">d</a></p>`+"\n", string(doc.HTML))
	assert.Equal(t, "/procedures/x/", doc.Links[0].Dest, "lint sees the link as written")
}

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "bad front matter yaml",
			src:  "---\ntitle: x\ntags: [a\n---\nbody\n",
			want: []string{"p.md:3:1: front matter: did not find expected ',' or ']'"},
		},
		{
			name: "template problems are all reported",
			src: "## T\n\n```template id=Bad_Id colour=red\n" +
				"{{title:long}} {{x:colour}} {{ }} {{9lives}}\n" +
				"{{when:time}} then {{when:text}} and {{unclosed\n```\n",
			want: []string{
				`p.md:3:13: template id "Bad_Id" must be lowercase letters, digits and '-'`,
				`p.md:3:23: unknown template attribute "colour" (known: id, title)`,
				`p.md:4:1: field "title" is built in as text; drop the type`,
				`p.md:4:16: field "x": unknown type "colour" (known: long, select(A|B|...), text, time)`,
				`p.md:4:29: empty placeholder {{}}: name a field, such as {{title}}`,
				`p.md:4:35: field name "9lives" must start with a letter and hold only a-z, 0-9 and _`,
				`p.md:5:20: field "when" is text here but time earlier on this page; a page's templates share one form`,
				`p.md:5:38: placeholder is not closed: write {{name}} on one line`,
			},
		},
		{
			name: "unclosed template fence",
			src:  "intro\n\n```template id=a\n{{title}}\nmore\n",
			want: []string{"p.md:3:4: template block is not closed: end it with a line of ``` like the one that opens it"},
		},
		{
			name: "unclosed template inside a list item",
			src:  "- step\n  ```template\n  {{title}}\n- next\n",
			want: []string{"p.md:2:6: template block is not closed: end it with a line of ``` like the one that opens it"},
		},
		{
			name: "duplicate template ids and untyped fields",
			src:  "```template id=a\n{{who}}\n```\n\n```template id=a\n{{who}}\n```\n",
			want: []string{
				`p.md:2:1: warning: field "who" has no type; write {{who:text}} (or long, time, select(A|B)) where it first appears`,
				`p.md:5:4: template id "a" is used twice on this page`,
			},
		},
		{
			name: "malformed probe lists",
			src:  "```sh probe=ok,,Bad\nx\n```\n",
			want: []string{
				`p.md:1:16: empty probe ID in probe= (write probe=a,b with no spaces)`,
				`p.md:1:17: probe ID "Bad" must be lowercase letters, digits and '-'`,
			},
		},
		{
			name: "unknown shortcode is a warning",
			src:  "text\n\nsee {{< youtube abc >}} here\n",
			want: []string{`p.md:3:5: warning: unknown shortcode "youtube" is shown as text`},
		},
	}
	c := testConverter()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := c.Convert("p.md", []byte(tt.src))
			require.NoError(t, err)
			var got []string
			var l diag.List
			l.Add(doc.Diagnostics...)
			for _, d := range l.Sorted() {
				got = append(got, d.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFrontMatterErrorStaysOutOfHTML(t *testing.T) {
	doc, err := testConverter().Convert("p.md", []byte("---\ntitle: [x\nsecret: y\n---\nbody\n"))
	require.NoError(t, err)
	assert.Equal(t, "<p>body</p>\n", string(doc.HTML))
	require.Len(t, doc.Diagnostics, 1)
}

// FuzzConvert runs whole pages (front matter and every extension together)
// through the converter: it must never panic, and every diagnostic must
// point inside the page.
func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob("../../content/*/*.md")
	more, _ := filepath.Glob("../../content/*.md")
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("---\ntitle: [\n---\n{{< x >}} {probe:a}\n```template\n{{"))
	c := testConverter()
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := c.Convert("f.md", src)
		require.NoError(t, err)
		lines := strings.Count(string(src), "\n") + 1
		for _, d := range doc.Diagnostics {
			assert.True(t, d.Line >= 1 && d.Line <= lines+1, "line %d of %d: %s", d.Line, lines, d)
			assert.Positive(t, d.Col)
		}
	})
}

func TestSectionsHoldPlainTextAndCommands(t *testing.T) {
	src := []byte("---\ntitle: T\n---\nIntro with **bold** {probe:pg-ready}.\n\n## Check `pg_isready`\n\nRun it:\n\n```bash\ndocker-compose exec postgres pg_isready -U <USER>\n```\n\n#### Deeper\n\n| a | b |\n|---|---|\n| x | y |\n\n### Tell people\n\n```template id=t\n{{title}} is down\n```\n")
	doc, err := testConverter().Convert("p.md", src)
	require.NoError(t, err)
	assert.Equal(t, []Section{
		{Text: "Intro with bold pg-ready."},
		{ID: "check-pg-isready", Heading: "Check pg_isready", Text: "Run it: docker-compose exec postgres pg_isready -U <USER> Deeper a b x y"},
		{ID: "tell-people", Heading: "Tell people", Text: "title is down"},
	}, doc.Sections)
}
