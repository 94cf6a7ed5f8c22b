package site

import (
	"bytes"
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/themes"
)

// fresh builds src from nothing, the reference every incremental build must
// match byte for byte.
func fresh(t testing.TB, opts Options) map[string][]byte {
	t.Helper()
	var diags diag.List
	out, _, err := NewBuilder(opts).Build(context.Background(), &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	return out.Files
}

// sameFilesAs fails with the names of the files that differ.
func sameFilesAs(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	var diff []string
	for name := range want {
		if !bytes.Equal(want[name], got[name]) {
			diff = append(diff, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			diff = append(diff, name+" (extra)")
		}
	}
	slices.Sort(diff)
	assert.Empty(t, diff, "the incremental build differs from a fresh build")
}

// copyTheme gives the site its own copy of the built-in theme.
func copyTheme(t *testing.T, src string) {
	t.Helper()
	require.NoError(t, fs.WalkDir(themes.Default(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(themes.Default(), p)
		if err != nil {
			return err
		}
		dst := filepath.Join(src, ThemeDir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		return os.WriteFile(dst, b, 0o644)
	}))
}

func edit(t *testing.T, src, rel string, f func(string) string) {
	t.Helper()
	p := filepath.Join(src, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	after := f(string(b))
	require.NotEqual(t, string(b), after, "the edit of %s changes nothing", rel)
	require.NoError(t, os.WriteFile(p, []byte(after), 0o644))
}

func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

// TestBuilderRebuildsWhatChanged edits a 30-page site step by step (two
// sections, area-00 with the even runbooks, area-01 with the odd ones) and
// checks which pages each edit renders again, and that every incremental
// build equals a fresh one.
func TestBuilderRebuildsWhatChanged(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, corpus.Write(src, 30))
	copyTheme(t, src)
	opts := Options{Source: src}
	b := NewBuilder(opts)
	build := func(t *testing.T) *Delta {
		t.Helper()
		var diags diag.List
		out, delta, err := b.Build(context.Background(), &diags)
		require.NoError(t, err, diag.Join(diags.Sorted()))
		sameFilesAs(t, fresh(t, opts), out.Files)
		return delta
	}
	first := build(t)
	assert.True(t, first.Full)
	assert.Equal(t, 30+3, first.Rendered, "30 runbooks, 2 sections and the home page")

	area0 := func(d *Delta) (in0, in1 int) {
		for _, u := range d.Pages {
			switch {
			case strings.HasPrefix(u, "/area-00/"):
				in0++
			case strings.HasPrefix(u, "/area-01/"):
				in1++
			}
		}
		return in0, in1
	}

	for _, tc := range []struct {
		name  string
		edit  func(t *testing.T)
		check func(t *testing.T, d *Delta)
	}{
		{"nothing changed", func(t *testing.T) {}, func(t *testing.T, d *Delta) {
			assert.Zero(t, d.Parsed)
			assert.Zero(t, d.Rendered)
			assert.Empty(t, d.Pages)
		}},
		{"a page's body", func(t *testing.T) {
			edit(t, src, "content/area-00/runbook-004.md", replace("Confirm the symptom", "Confirm the new symptom"))
		}, func(t *testing.T, d *Delta) {
			assert.Equal(t, 1, d.Parsed)
			assert.Equal(t, 1, d.Rendered)
			assert.Equal(t, []string{"/area-00/runbook-004/"}, d.Pages)
			assert.False(t, d.Full)
		}},
		{"a page's title", func(t *testing.T) {
			edit(t, src, "content/area-00/runbook-004.md", replace("title: \"", "title: \"Renamed "))
		}, func(t *testing.T, d *Delta) {
			// The page, its section's list, and the navigation of every
			// page in its section; the other section and the home page
			// do not show it.
			in0, in1 := area0(d)
			assert.Equal(t, 1+15, in0)
			assert.Zero(t, in1)
			assert.NotContains(t, d.Pages, "/")
			assert.Equal(t, 1, d.Parsed)
		}},
		{"a section's title", func(t *testing.T) {
			edit(t, src, "content/area-01/_index.md", replace("title: Area 01", "title: Area One"))
		}, func(t *testing.T, d *Delta) {
			// Every page's navigation lists the sections.
			assert.Len(t, d.Pages, 33)
			assert.Equal(t, 1, d.Parsed)
		}},
		{"a new page", func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(src, "content/area-01/new.md"), []byte("---\ntitle: New page\nweight: 99\n---\n\nHello.\n"), 0o644))
		}, func(t *testing.T, d *Delta) {
			assert.Contains(t, d.Pages, "/area-01/new/")
			assert.Contains(t, d.Pages, "/area-01/")
			in0, _ := area0(d)
			assert.Zero(t, in0)
		}},
		{"a page removed", func(t *testing.T) {
			require.NoError(t, os.Remove(filepath.Join(src, "content/area-01/new.md")))
		}, func(t *testing.T, d *Delta) {
			assert.Equal(t, []string{"/area-01/new/"}, d.Removed)
			assert.Contains(t, d.Pages, "/area-01/")
			assert.Zero(t, d.Parsed)
		}},
		{"a page turned draft", func(t *testing.T) {
			edit(t, src, "content/area-00/runbook-006.md", replace("weight:", "draft: true\nweight:"))
		}, func(t *testing.T, d *Delta) {
			assert.Equal(t, []string{"/area-00/runbook-006/"}, d.Removed)
		}},
		{"the theme's CSS", func(t *testing.T) {
			edit(t, src, ThemeDir+"/static/style.css", func(s string) string { return s + "\n.x { color: red }\n" })
		}, func(t *testing.T, d *Delta) {
			require.Len(t, d.Styles, 1)
			for old, new := range d.Styles {
				assert.Regexp(t, `^/assets/style\.[0-9a-f]{10}\.css$`, old)
				assert.Regexp(t, `^/assets/style\.[0-9a-f]{10}\.css$`, new)
				assert.NotEqual(t, old, new)
			}
			assert.Zero(t, d.Parsed)
			assert.Len(t, d.Pages, 32, "every page links the new stylesheet")
		}},
		{"a layout", func(t *testing.T) {
			edit(t, src, ThemeDir+"/layouts/base.html", replace("</footer>", "<p>changed</p></footer>"))
		}, func(t *testing.T, d *Delta) {
			assert.True(t, d.Full)
			assert.Nil(t, d.Styles)
			assert.Equal(t, 32, d.Rendered)
			assert.Zero(t, d.Parsed, "the Markdown is still good")
		}},
		{"a page that links to another", func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(src, "content/area-01/linker.md"), []byte("---\ntitle: Linker\nweight: 98\n---\n\nSee [the runbook](../area-00/runbook-010.md).\n"), 0o644))
		}, func(t *testing.T, d *Delta) {
			assert.Contains(t, d.Pages, "/area-01/linker/")
		}},
		{"the page it links to moves", func(t *testing.T) {
			require.NoError(t, os.Rename(filepath.Join(src, "content/area-00/runbook-010.md"), filepath.Join(src, "content/area-00/runbook-010-moved.md")))
		}, func(t *testing.T, d *Delta) {
			assert.Contains(t, d.Removed, "/area-00/runbook-010/")
			assert.Contains(t, d.Pages, "/area-01/linker/", "the link follows the page")
		}},
		{"a theme that shows more of each page", func(t *testing.T) {
			edit(t, src, ThemeDir+"/layouts/page.html", replace(`{{define "children"}}`,
				`{{define "children"}}<i>{{.Page.Params.reviewed}}</i>`))
		}, func(t *testing.T, d *Delta) {
			assert.True(t, d.Full)
		}},
		{"a value only that theme shows", func(t *testing.T) {
			edit(t, src, "content/area-00/runbook-008.md", replace("weight: 9\n", "weight: 9\nreviewed: 2026-12-01\n"))
		}, func(t *testing.T, d *Delta) {
			// The default theme shows no front-matter params, this one
			// does: the page's key is its data, so it is rendered again,
			// and only it.
			assert.Equal(t, []string{"/area-00/runbook-008/"}, d.Pages)
			assert.Equal(t, 1, d.Rendered)
			assert.False(t, d.Full)
		}},
		{"stepcheck.yaml", func(t *testing.T) {
			edit(t, src, "stepcheck.yaml", replace("Benchmark runbooks", "Renamed runbooks"))
		}, func(t *testing.T, d *Delta) {
			assert.True(t, d.Full)
			assert.Equal(t, 34, d.Parsed, "every Markdown file, the draft too")
			assert.Len(t, d.Pages, 33)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.edit(t)
			tc.check(t, build(t))
		})
	}
}

// TestBuilderKeepsTheLastGoodBuild breaks a page, which fails the build with
// its diagnostic, then fixes it: the next build compares against the last
// good one.
func TestBuilderKeepsTheLastGoodBuild(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, corpus.Write(src, 30))
	opts := Options{Source: src}
	b := NewBuilder(opts)
	var diags diag.List
	_, _, err := b.Build(context.Background(), &diags)
	require.NoError(t, err)

	edit(t, src, "content/area-00/runbook-002.md", replace("weight:", "weight: [unclosed\nx:"))
	diags = diag.List{}
	_, _, err = b.Build(context.Background(), &diags)
	var failed *diag.Failed
	require.ErrorAs(t, err, &failed)
	assert.Regexp(t, `(?m)^content/area-00/runbook-002\.md:\d+:\d+: front matter: `, diag.Join(diags.Sorted()))

	edit(t, src, "content/area-00/runbook-002.md", replace("weight: [unclosed\nx:", "weight:"))
	edit(t, src, "content/area-00/runbook-002.md", replace("Confirm the symptom", "Confirm it"))
	diags = diag.List{}
	out, delta, err := b.Build(context.Background(), &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	assert.Equal(t, []string{"/area-00/runbook-002/"}, delta.Pages)
	sameFilesAs(t, fresh(t, opts), out.Files)
}

// TestBuilderDefersTheIndex: with DeferIndex an edit leaves the search
// index stale, pages still point at an index that exists, and UpdateIndex
// brings the site to what a fresh build makes.
func TestBuilderDefersTheIndex(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, corpus.Write(src, 30))
	opts := Options{Source: src}
	b := NewBuilder(opts)
	b.DeferIndex = true
	var diags diag.List
	first, delta, err := b.Build(context.Background(), &diags)
	require.NoError(t, err)
	assert.False(t, delta.IndexStale)
	sameFilesAs(t, fresh(t, opts), first.Files)
	_, ok, err := b.UpdateIndex(context.Background())
	require.NoError(t, err)
	assert.False(t, ok, "nothing to do")

	edit(t, src, "content/area-00/runbook-004.md", replace("Confirm the symptom", "Confirm the zanzibar symptom"))
	out, delta, err := b.Build(context.Background(), &diags)
	require.NoError(t, err)
	assert.True(t, delta.IndexStale)
	assert.Equal(t, 1, delta.Rendered)
	page := string(out.Files["area-00/runbook-004/index.html"])
	assert.Contains(t, page, "zanzibar")
	assert.NotContains(t, page, searchPlaceholder)
	for name, body := range first.Files {
		if strings.HasPrefix(name, searchDir) {
			assert.Equal(t, body, out.Files[name], "the old index is still published")
		}
	}

	out, ok, err = b.UpdateIndex(context.Background())
	require.NoError(t, err)
	require.True(t, ok)
	sameFilesAs(t, fresh(t, opts), out.Files)
	assert.NotEqual(t, slices.Sorted(maps.Keys(first.Files)), slices.Sorted(maps.Keys(out.Files)), "the index files are new")
}

// BenchmarkIncrementalRebuild edits one page of the 450-page corpus and
// rebuilds, as stepcheck serve does after a save; the search index is left
// for UpdateIndex, as serve does. The budget is 50 ms for a body edit. A
// title edit also renders the pages that show the title: the page's section
// (15 runbooks and the section page).
func BenchmarkIncrementalRebuild(b *testing.B) {
	for _, tc := range []struct {
		name     string
		edit     func(orig []byte, i int) []byte
		rendered int
	}{
		{"body", func(orig []byte, i int) []byte {
			return append(slices.Clone(orig), []byte("\nEdit number "+strings.Repeat("x", i%7)+".\n")...)
		}, 1},
		{"title", func(orig []byte, i int) []byte {
			return bytes.Replace(orig, []byte("title: \""), []byte("title: \""+strings.Repeat("x", 1+i%7)), 1)
		}, 16},
	} {
		b.Run(tc.name, func(b *testing.B) {
			src := b.TempDir()
			require.NoError(b, corpus.Write(src, 450))
			builder := NewBuilder(Options{Source: src, NoServiceWorker: true})
			builder.DeferIndex = true
			var diags diag.List
			_, _, err := builder.Build(context.Background(), &diags)
			require.NoError(b, err)
			page := filepath.Join(src, "content/area-07/runbook-007.md")
			orig, err := os.ReadFile(page)
			require.NoError(b, err)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				require.NoError(b, os.WriteFile(page, tc.edit(orig, i), 0o644))
				_, delta, err := builder.Build(context.Background(), &diags)
				require.NoError(b, err)
				if delta.Rendered != tc.rendered {
					b.Fatalf("rendered %d pages, want %d", delta.Rendered, tc.rendered)
				}
			}
		})
	}
}
