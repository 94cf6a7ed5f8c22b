package content

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestFixtureSites loads the fixture repositories in testdata/ as a build
// does and compares a report with testdata/<name>.golden: the page tree with
// URLs, titles and weights, the aliases, every diagnostic, and each page's
// HTML. The fixtures must load without errors; warnings show what a writer
// would be told. Run with -update to rewrite the golden files.
//
//   - hugo-site is a Hugo site: hugo.toml, _index.md sections, TOML and YAML
//     front matter, weights, ref and relref, param (quoted and not, inside
//     a link), aliases, a draft, shortcodes stepcheck does not implement, a
//     section whose _index.md has no title, a leaf bundle with an image,
//     static/, and pages saved with a byte order mark and with CR line ends.
//   - plain-folder is Markdown as kept on GitHub: no front matter, README.md
//     as each folder's page, titles from the first heading of any level or
//     else the file name, relative links to .md files, and images, an SVG
//     and an OWNERS file beside the pages.
func TestFixtureSites(t *testing.T) {
	for _, name := range []string{"hugo-site", "plain-folder"} {
		t.Run(name, func(t *testing.T) {
			site, diags := loadWith(t, os.DirFS(filepath.Join("testdata", name)), Options{})
			for _, d := range diags {
				assert.Contains(t, d, ": warning: ", "the fixture loads without errors")
			}
			got := report(site, diags)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./gen/content -update to create it")
			assert.Equal(t, string(want), got)
		})
	}
}

func report(site *Site, diags []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "config %s: title %q, baseURL %s, %d params\n\n", cmpOr(site.Config.File, "(none)"), site.Config.Title, site.Config.BaseURL, len(site.Config.Params))
	b.WriteString("pages\n")
	for _, p := range site.Pages {
		depth := len(p.Ancestors())
		fmt.Fprintf(&b, "%s%s %s %q", strings.Repeat("  ", depth+1), p.Kind, p.URL, p.Title)
		if p.Weight != 0 {
			fmt.Fprintf(&b, " weight %d", p.Weight)
		}
		fmt.Fprintf(&b, " from %s\n", cmpOr(p.Path, "(a folder)"))
	}
	b.WriteString("drafts left out\n")
	for _, p := range site.Drafts {
		fmt.Fprintf(&b, "  %s\n", p.Path)
	}
	b.WriteString("aliases\n")
	var aliases []string
	for u, p := range site.Aliases {
		aliases = append(aliases, fmt.Sprintf("  %s -> %s\n", u, p.URL))
	}
	slices.Sort(aliases)
	b.WriteString(strings.Join(aliases, ""))
	b.WriteString("alert links\n")
	var links []string
	for u, a := range site.AlertLinks {
		links = append(links, fmt.Sprintf("  %s -> %s (%s)\n", u, a.Link(), a.Name))
	}
	slices.Sort(links)
	b.WriteString(strings.Join(links, ""))
	b.WriteString("files\n")
	for _, f := range site.Files {
		fmt.Fprintf(&b, "  %s at %s\n", f.Path, f.URL())
	}
	b.WriteString("diagnostics\n")
	for _, d := range diags {
		fmt.Fprintf(&b, "  %s\n", d)
	}
	for _, p := range site.Pages {
		if p.Path != "" {
			fmt.Fprintf(&b, "\n== %s (%s)\n%s", p.URL, p.Path, p.HTML)
		}
	}
	return b.String()
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}
