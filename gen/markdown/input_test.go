package markdown

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/diag"
)

func TestTitleFromHeadings(t *testing.T) {
	tests := []struct {
		name, src, title string
		html             string // "" skips the check
	}{
		{"an opening h1 is the title and leaves the body", "# Restart\n\ntext\n", "Restart", "<p>text</p>\n"},
		{"an opening h2 is the title and leaves the body", "## Pod crash looping\n\n## Meaning\n", "Pod crash looping", "<h2 id=\"meaning\">Meaning</h2>\n"},
		{"a later h1 wins over an earlier h2", "intro\n\n## Steps\n\n# Real title\n", "Real title", ""},
		{"else the first heading of any level", "intro\n\n### Steps\n\n## More\n", "Steps", ""},
		{"headings in code are not headings", "```\n# not a heading\n```\n", "", ""},
		{"no heading: no title", "just text\n", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := testConverter().Convert("p.md", []byte(tt.src))
			require.NoError(t, err)
			assert.Equal(t, tt.title, doc.HeadingTitle)
			if tt.html != "" {
				assert.Equal(t, tt.html, string(doc.HTML))
			}
		})
	}
}

func TestEncodings(t *testing.T) {
	tests := []struct{ name, src string }{
		{"UTF-8 byte order mark", "\xef\xbb\xbf---\ntitle: Restart\n---\n\n- one\n- two\n"},
		{"CR line ends", "---\rtitle: Restart\r---\r\r- one\r- two\r"},
		{"CRLF line ends", "---\r\ntitle: Restart\r\n---\r\n\r\n- one\r\n- two\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := testConverter().Convert("p.md", []byte(tt.src))
			require.NoError(t, err)
			assert.Empty(t, doc.Diagnostics)
			assert.Equal(t, "Restart", doc.Meta["title"])
			assert.Equal(t, "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n", strings.ReplaceAll(string(doc.HTML), "\r", ""))
		})
	}
}

func TestFrontMatterThatWouldLoseText(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unclosed YAML", "---\ntitle: Open\n\nThe whole runbook: every step\n", []string{
			"p.md:1:1: front matter: the opening --- has no closing --- line, so the whole page would be read as front matter"}},
		{"a duplicate key", "---\ntitle: A\nweight: 1\ntitle: B\n---\nbody\n", []string{
			`p.md:4:1: front matter: key "title" is given twice (first on line 2); keep one`}},
		{"a duplicate nested key", "---\nparams:\n  team: a\n  team: b\n---\nbody\n", []string{
			`p.md:4:3: front matter: key "team" is given twice (first on line 3); keep one`}},
		{"a duplicate TOML key", "+++\ntitle = \"A\"\ntitle = \"B\"\n+++\nbody\n", []string{
			"p.md:3:1: front matter: Key 'title' has already been defined."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := testConverter().Convert("p.md", []byte(tt.src))
			require.NoError(t, err)
			var got []string
			for _, d := range doc.Diagnostics {
				got = append(got, d.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
	doc, err := testConverter().Convert("p.md", []byte("---\ntitle: Open\n\nThe whole runbook\n"))
	require.NoError(t, err)
	assert.Contains(t, string(doc.HTML), "The whole runbook", "the body is read as Markdown, so its other problems are found too")
}

func TestLimits(t *testing.T) {
	deepList := func(depth int) string {
		var b strings.Builder
		for i := range depth {
			b.WriteString(strings.Repeat("  ", i) + "- item\n")
		}
		return b.String()
	}
	tests := []struct {
		name, src string
		want      string // "" means no problem
	}{
		{"a page over the size limit", strings.Repeat("a", MaxPageBytes+1),
			"p.md:1:1: page is 5.0 MB; a page may be at most 5 MB: split it into several pages"},
		{"a page at the size limit", strings.Repeat("a\n", MaxPageBytes/2), ""},
		{"block quotes too deep", "text\n\n" + strings.Repeat(">", 5000) + " deep\n",
			"p.md:3:102: lists and block quotes nest about 5000 levels deep here (a level is a marker or two columns of indentation); at most 100 are allowed"},
		{"list markers on one line", strings.Repeat("- ", 200) + "x\n",
			"p.md:1:202: lists and block quotes nest about 200 levels deep here (a level is a marker or two columns of indentation); at most 100 are allowed"},
		{"lists nested by indentation", deepList(200),
			"p.md:101:202: lists and block quotes nest about 101 levels deep here (a level is a marker or two columns of indentation); at most 100 are allowed"},
		{"lists as deep as allowed", deepList(50), ""},
		{"too many list items", strings.Repeat("- item\n", MaxContainers+1),
			"p.md:100001:1: page opens more than 100000 list items and block quotes by this line; split it into several pages"},
		{"as many list items as allowed", strings.Repeat("- item\n", MaxContainers), ""},
		{"deeply indented code is not nesting", "```\n" + strings.Repeat(" ", 400) + "x\n```\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := testConverter().Convert("p.md", []byte(tt.src))
			require.NoError(t, err)
			var errs []string
			for _, d := range doc.Diagnostics {
				if d.Severity == diag.Error {
					errs = append(errs, d.String())
				}
			}
			if tt.want == "" {
				assert.Empty(t, errs)
				return
			}
			assert.Equal(t, []string{tt.want}, errs)
		})
	}
}
