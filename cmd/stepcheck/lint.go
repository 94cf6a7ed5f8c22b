package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/lint"
	"github.com/stepcheck/stepcheck/gen/site"
)

// runLint builds the site in memory with lint's checks and writes every
// problem in the chosen format. It writes no files. Exit status: 0 when
// there are no errors (warnings allowed), 1 with errors, 2 on usage errors.
func runLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", stderr)
	var sf siteFlags
	sf.register(fs)
	format := fs.String("format", "text", "report format: "+strings.Join(lint.FormatNames(), ", "))
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stepcheck lint: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	f, ok := lint.Formats()[*format]
	if !ok {
		fmt.Fprintf(stderr, "stepcheck lint: unknown --format %q (known: %s)\n", *format, strings.Join(lint.FormatNames(), ", "))
		return 2
	}
	var diags diag.List
	out, err := site.Build(ctx, site.Options{Source: sf.source, BaseURL: sf.baseURL, Drafts: sf.drafts, CheckProbes: checkProbes, NoMinify: true, Lint: true}, &diags)
	if werr := f.Write(stdout, lint.Report{Diagnostics: diags.Sorted(), Root: reportRoot(sf.source)}); werr != nil {
		fmt.Fprintf(stderr, "stepcheck lint: %v\n", werr)
		return 1
	}
	if err != nil {
		return failed(stderr, "lint", err)
	}
	_, warnings := diags.Count()
	fmt.Fprintf(stderr, "%d pages checked: no errors, %d %s\n", out.Pages, warnings, plural(warnings, "warning", "warnings"))
	return 0
}

// reportRoot names the site root as lint's paths should start: as given
// when relative, and relative to the working directory when an absolute
// root is inside it, so that a CI job's annotations name files in its
// checkout.
func reportRoot(source string) string {
	if !filepath.IsAbs(source) {
		return filepath.ToSlash(filepath.Clean(source))
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, source); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(source)
}
