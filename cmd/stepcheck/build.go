package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/wasm/dist"
)

// siteFlags are the flags build and lint share.
type siteFlags struct {
	source  string
	baseURL string
	drafts  bool
}

func (f *siteFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.source, "source", ".", "site root holding stepcheck.yaml, content/ and themes/")
	fs.StringVar(&f.source, "s", ".", "shorthand for --source")
	fs.StringVar(&f.baseURL, "base-url", "", "URL or path the site is published at (overrides baseURL in stepcheck.yaml)")
	fs.BoolVar(&f.drafts, "drafts", false, "include pages marked draft: true")
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("stepcheck "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("build", stderr)
	var sf siteFlags
	sf.register(fs)
	dest := fs.String("destination", "public", "directory to publish the site into")
	fs.StringVar(dest, "d", "public", "shorthand for --destination")
	noMinify := fs.Bool("no-minify", false, "skip minification of HTML, CSS and JS")
	force := fs.Bool("force", false, "replace a destination stepcheck did not write (never the site's own files)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stepcheck build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := site.CheckDestination(sf.source, *dest, *force); err != nil {
		if errors.Is(err, site.ErrUnmarked) || errors.Is(err, site.ErrNotDir) {
			fmt.Fprintf(stderr, "stepcheck build: %v; use --force to replace it\n", err)
		} else {
			fmt.Fprintf(stderr, "stepcheck build: %v\n", err)
		}
		return 1
	}
	var diags diag.List
	type result struct {
		out *site.Output
		err error
	}
	built := make(chan result, 1)
	go func() {
		out, err := site.Build(ctx, site.Options{Source: sf.source, BaseURL: sf.baseURL, Drafts: sf.drafts, CheckProbes: checkProbes, NoMinify: *noMinify, Widgets: dist.FS()}, &diags)
		built <- result{out, err}
	}()
	var r result
	select {
	case r = <-built:
	case <-ctx.Done():
		// The build stops at its next check of ctx; a single long page
		// conversion does not hold up the exit, as nothing is on disk yet.
		return interrupted(ctx, stderr)
	}
	if ctx.Err() != nil {
		return interrupted(ctx, stderr)
	}
	out, err := r.out, r.err
	printDiagnostics(stderr, &diags)
	if err != nil {
		return failed(stderr, "build", err)
	}
	for _, note := range out.Notes {
		fmt.Fprintf(stderr, "stepcheck build: note: %s\n", note)
	}
	publishStart := time.Now()
	if err := site.Publish(ctx, *dest, out.Files); err != nil {
		if ctx.Err() != nil {
			return interrupted(ctx, stderr)
		}
		fmt.Fprintf(stderr, "stepcheck build: %v\n", err)
		return 1
	}
	_, warnings := diags.Count()
	total := out.Duration + time.Since(publishStart)
	fmt.Fprintf(stdout, "Built %d pages (%d sections, %d files) into %s with %d %s in %s\n",
		out.Pages, out.Sections, len(out.Files), *dest, warnings, plural(warnings, "warning", "warnings"), total.Round(time.Millisecond))
	return 0
}

// interrupted reports a build stopped by Ctrl-C or SIGTERM, with the
// shell's status for a process ended by that signal (130 or 143).
func interrupted(ctx context.Context, stderr io.Writer) int {
	fmt.Fprintln(stderr, "stepcheck build: interrupted; nothing was written")
	return signalStatus(ctx)
}

func printDiagnostics(w io.Writer, diags *diag.List) {
	fmt.Fprint(w, diag.Join(diags.Sorted()))
}

func failed(stderr io.Writer, cmd string, err error) int {
	var f *diag.Failed
	if errors.As(err, &f) {
		fmt.Fprintf(stderr, "stepcheck %s: %v; nothing was written\n", cmd, err)
	} else {
		fmt.Fprintf(stderr, "stepcheck %s: %v\n", cmd, err)
	}
	return 1
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
