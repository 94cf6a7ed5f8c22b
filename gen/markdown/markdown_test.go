package markdown

import (
	"flag"
	"fmt"
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
		Params:     map[string]any{"statusPage": "status.example.com", "statusurl": "https://status.example.com/", "oncall": "site-wide"},
	})
}

// fillForTest fills page references as a site would, showing what each
// one named: "/ref/ops/x.md#a/" (ok=false for a file called missing.md),
// and files beside the page as "/file/img/x.png" (ok=false for any name
// without "found", as for a link that names no file).
func fillForTest(doc *Doc) string {
	return string(doc.Fill(func(l Link) (string, bool) {
		if l.Page.File {
			return "/file/" + l.Page.Path, strings.Contains(l.Page.Path, "found")
		}
		if strings.HasSuffix(l.Page.Path, "missing.md") {
			return "", false
		}
		u := "/ref/" + l.Page.Path + "/"
		if l.Page.Fragment != "" {
			u += "#" + l.Page.Fragment
		}
		return u, true
	}))
}

// TestGolden converts testdata/*.md and compares the HTML, with page
// references filled in by fillForTest and followed by the diagnostics, with
// testdata/*.golden.html. Run with -update to rewrite.
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
			got := fillForTest(doc)
			doc.Diagnostics = append(doc.Diagnostics, doc.Lint...)
			if doc.HeadingTitle != "" && doc.Meta["title"] == nil {
				got = "<!-- title from the first heading: " + doc.HeadingTitle + " -->\n" + got
			}
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
		{
			name: "bad toml front matter",
			src:  "+++\ntitle = \"x\"\ntags = [\"a\" \"b\"]\n+++\nbody {probe:nope-is-fine-here}\n",
			want: []string{`p.md:3:13: front matter: expected a comma (',') or array terminator (']'), but got '"'`},
		},
		{
			name: "unclosed toml front matter",
			src:  "+++\ntitle = \"x\"\n\nbody\n",
			want: []string{`p.md:1:1: front matter: the opening +++ has no closing +++ line`},
		},
		{
			name: "positions after toml front matter",
			src:  "+++\ntitle = \"é\"\n+++\n\n```template id=Bad\n{{x}}\n```\n{{< param \"nope\" >}}\n",
			want: []string{
				`p.md:5:13: template id "Bad" must be lowercase letters, digits and '-'`,
				`p.md:6:1: warning: field "x" has no type; write {{x:text}} (or long, time, select(A|B)) where it first appears`,
				`p.md:8:1: param "nope" is not set: add it to the page's front matter or to params in the site configuration`,
			},
		},
		{
			name: "ref problems in links",
			src:  "[a]({{< ref >}}) and [b]({{< param missing >}})\n",
			want: []string{
				`p.md:1:5: ref needs the file of a page, such as {{< ref "ops/restart.md" >}}`,
				`p.md:1:26: param "missing" is not set: add it to the page's front matter or to params in the site configuration`,
			},
		},
		{
			name: "duplicate anchors",
			src:  "# T\n\n## Steps\n\n### steps\n\n## Other {#steps-1}\n\n## Mine {#mine}\n\n## Again {#mine}\n",
			want: []string{
				`p.md:5:5: warning: heading "steps" repeats the one on line 3, so its anchor is #steps-1 and links to #steps reach line 3; reword it or give it an {#id}`,
				`p.md:7:4: heading anchor #steps-1 is already used by the heading on line 5; give this one another {#id}`,
				`p.md:11:4: heading anchor #mine is already used by the heading on line 9; give this one another {#id}`,
			},
		},
		{
			name: "raw html once per page, comments aside",
			src:  "<!-- note -->\n\nsome <kbd>Ctrl</kbd> and <br>\n\n<div>\nx\n</div>\n",
			want: []string{`p.md:3:6: warning: raw HTML is left out of the page; set unsafe: true in the site configuration to keep it`},
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
			l.Add(doc.Lint...)
			for _, d := range l.Sorted() {
				got = append(got, d.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTOMLFrontMatter(t *testing.T) {
	src := "+++\ntitle = \"Restart\"\nweight = 3\ndraft = true\naliases = [\"/old/\"]\n[params]\ncustom = 1\n+++\n\n## Steps\n\n[x](y.md)\n"
	doc, err := testConverter().Convert("p.md", []byte(src))
	require.NoError(t, err)
	assert.Empty(t, doc.Diagnostics)
	assert.Equal(t, "Restart", doc.Meta["title"])
	assert.Equal(t, int64(3), doc.Meta["weight"])
	assert.Equal(t, true, doc.Meta["draft"])
	assert.Equal(t, map[string]int{"title": 2, "weight": 3, "draft": 4, "aliases": 5}, doc.MetaLines)
	assert.Equal(t, "<h2 id=\"steps\">Steps</h2>\n<p><a href=\"stepcheck-page-ref-0-\">x</a></p>\n", string(doc.HTML))
	assert.Equal(t, []Link{{Dest: "y.md", Line: 12, Col: 1, Page: &PageRef{Path: "y.md", Placeholder: "stepcheck-page-ref-0-"}}}, doc.Links)
}

func TestTitleFromFirstHeading(t *testing.T) {
	c := testConverter()
	doc, err := c.Convert("p.md", []byte("# Restart the API\n\ntext\n"))
	require.NoError(t, err)
	assert.Equal(t, "Restart the API", doc.HeadingTitle)
	assert.Equal(t, "<p>text</p>\n", string(doc.HTML), "the layout shows the title; the heading is not repeated")

	doc, err = c.Convert("p.md", []byte("---\ntitle: Front\n---\n# Restart the API\n\ntext\n"))
	require.NoError(t, err)
	assert.Contains(t, string(doc.HTML), "<h1", "with a title in front matter the heading stays")
}

func TestPageReferences(t *testing.T) {
	src := "[a](../ops/x.md#check) [b](<my file.md>) {{< ref \"ops/y\" >}}\n[c](https://e.com/x.md) [d](/x.md) [e](x.md?raw=1)\n[f]({{< relref \"#top\" >}})\n"
	doc, err := New(Options{BasePath: "/runbooks/"}).Convert("p.md", []byte(src))
	require.NoError(t, err)
	require.Empty(t, doc.Diagnostics)
	var got []string
	for _, l := range doc.Links {
		s := fmt.Sprintf("%d:%d %s", l.Line, l.Col, l.Dest)
		if l.Page != nil {
			s += fmt.Sprintf(" -> file %q #%q shortcode=%v", l.Page.Path, l.Page.Fragment, l.Page.Shortcode)
		}
		got = append(got, s)
	}
	assert.Equal(t, []string{
		`1:1 ../ops/x.md#check -> file "../ops/x.md" #"check" shortcode=false`,
		`1:24 my file.md -> file "my file.md" #"" shortcode=false`,
		`1:42 {{< ref "ops/y" >}} -> file "ops/y" #"" shortcode=true`,
		`2:1 https://e.com/x.md`,
		`2:25 /x.md`,
		`2:36 x.md?raw=1 -> file "x.md" #"" shortcode=false`,
		`3:5 {{< relref "#top" >}} -> file "" #"top" shortcode=true`,
	}, got)
	html := string(doc.Fill(func(l Link) (string, bool) {
		if l.Page.Path == "my file.md" {
			return "", false // no such page: the link stays as written
		}
		return "/runbooks/resolved/", true
	}))
	assert.Equal(t, `<p><a href="/runbooks/resolved/">a</a> <a href="my%20file.md">b</a> /runbooks/resolved/`+"\n"+
		`<a href="https://e.com/x.md">c</a> <a href="/runbooks/x.md">d</a> <a href="/runbooks/resolved/">e</a>`+"\n"+
		`<a href="/runbooks/resolved/">f</a></p>`+"\n", html)
	assert.Contains(t, string(doc.HTML), "stepcheck-page-ref-0-", "Fill leaves the Doc as it was")
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
	more, _ = filepath.Glob("testdata/*.md") // TOML front matter, shortcodes, plain pages
	for _, p := range more {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("+++\ntitle = [\n+++\n[a]({{< ref \"x\" >}}) {{% n %}}\n## H {#h}\n"))
	f.Add([]byte("- ```mermaid probe=a\n  graph LR\n  a[<X>] --> b\n> ```mermaid\n> pie\n"))
	f.Add([]byte("\xef\xbb\xbf---\rtitle: A\rtitle: B\r---\r## H\r![](img/x.png?raw=true#a)\r"))
	f.Add([]byte("---\ntitle: open\n\n[a]({{< param repo >}}/x) ![b]({{< param \"r\" >}}/{{< param s >}})\n\n[d]: {{< param repo >}}/d\n"))
	f.Add([]byte(strings.Repeat("> ", 60) + strings.Repeat("- ", 60) + "x\n" + strings.Repeat("  ", 99) + "1. y\n"))
	c := testConverter()
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := c.Convert("f.md", src)
		require.NoError(t, err)
		lines := strings.Count(string(normalize(src)), "\n") + 1
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

// Items of a tight list, and blocks that follow each other without a blank
// line, are separate words in the index: "5 minutesPost" found neither
// "minutes" nor "post".
func TestSectionTextSeparatesBlocks(t *testing.T) {
	src := []byte("---\ntitle: T\n---\n- [ ] Acknowledge within 5 minutes\n- [ ] Post the start message\n\n1. Escalate to the lead.\n2. Capture stats\n\n> Quoted\n\nAfter\n")
	doc, err := testConverter().Convert("p.md", src)
	require.NoError(t, err)
	require.Len(t, doc.Sections, 1)
	assert.Equal(t, "Acknowledge within 5 minutes Post the start message Escalate to the lead. Capture stats Quoted After", doc.Sections[0].Text)
}
