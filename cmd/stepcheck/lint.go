package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/stepcheck/stepcheck/gen/alertcheck"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/lint"
	"github.com/stepcheck/stepcheck/gen/rules"
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
	var rulePaths pathList
	fs.Var(&rulePaths, "rules", "Prometheus rule files or PrometheusRule objects (a file or a directory; repeatable): check each alert's runbook_url against the site")
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
	alerts := 0
	if len(rulePaths) > 0 {
		var loadDiags, ruleDiags diag.List
		rs := rules.Load(rulePaths, &loadDiags)
		alerts = len(rs)
		// The report names files from the site root; the rule files were
		// named from here.
		for i := range rs {
			rs[i].Path = fromRoot(sf.source, rs[i].Path)
		}
		for _, d := range loadDiags.Sorted() {
			d.Path = fromRoot(sf.source, d.Path)
			ruleDiags.Add(d)
		}
		if out != nil {
			alertcheck.Check(out.Site, rs, &ruleDiags)
		}
		diags.Add(ruleDiags.Sorted()...)
		if err == nil && ruleDiags.HasErrors() {
			n, _ := ruleDiags.Count()
			err = &diag.Failed{Errors: n}
		}
	}
	if werr := f.Write(stdout, lint.Report{Diagnostics: diags.Sorted(), Root: reportRoot(sf.source)}); werr != nil {
		fmt.Fprintf(stderr, "stepcheck lint: %v\n", werr)
		return 1
	}
	if err != nil {
		return failed(stderr, "lint", err)
	}
	_, warnings := diags.Count()
	checked := fmt.Sprintf("%d pages", out.Pages)
	if len(rulePaths) > 0 {
		checked += fmt.Sprintf(" and %d %s", alerts, plural(alerts, "alert", "alerts"))
	}
	fmt.Fprintf(stderr, "%s checked: no errors, %d %s\n", checked, warnings, plural(warnings, "warning", "warnings"))
	return 0
}

// pathList is a repeatable flag of paths.
type pathList []string

func (l *pathList) String() string { return strings.Join(*l, ",") }

func (l *pathList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// fromRoot makes path, named from the working directory, relative to the
// site root, so that the report, which joins the root to each path, names
// it as the user did.
func fromRoot(root, p string) string {
	absRoot, err1 := filepath.Abs(root)
	absPath, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(p)
	}
	if rel, err := filepath.Rel(absRoot, absPath); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(absPath)
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
