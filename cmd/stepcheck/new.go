package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
)

// scaffold is one kind of page that stepcheck new writes.
type scaffold struct {
	summary string
	page    *template.Template
}

// scaffolds are the kinds of page stepcheck new knows, by name.
func scaffolds() map[string]scaffold {
	return map[string]scaffold{
		"runbook": {"a runbook page: front matter, a probe reference, a template and a checklist", runbookPage},
	}
}

// runbookPage is the runbook scaffold. It must pass stepcheck lint as
// written, on any site.
var runbookPage = template.Must(template.New("runbook").Parse(`---
title: {{.Title}}
description: When to open this page, in one sentence.
severity: {{.Severity}}{{with .Severities}}  # one of {{.}}{{end}}
tags: [{{.Tag}}]
# service: backend
# owner: platform-team
---

Use this page when … (the symptom, and the alert that sends people here).

## Check

{{if .Probe -}}
Is it up? {probe:{{.Probe}}}

` + "```" + `bash probe={{.Probe}}
curl -fsS <SERVICE_URL>/health
` + "```" + `

Both show the live state of ` + "`{{.Probe}}`" + `, a probe from {{.Catalog}}: name the probe this
step is about instead.
{{- else -}}
<!-- No probe is declared yet. Declare one in {{.Catalog}}, for example

probes:
  my-service-live:
    title: My service liveness
    type: http
    url: ${MY_SERVICE_URL}/health

then put {probe:my-service-live} beside the step it checks. -->

` + "```" + `bash
curl -fsS <SERVICE_URL>/health
` + "```" + `
{{- end}}

## Act

- [ ] Acknowledge the alert
- [ ] Post the status update below
- [ ] (the first thing to try)

## Tell people

` + "```" + `template id=status-update title="Status update"
{{"{{"}}severity{{"}}"}} {{"{{"}}status{{"}}"}}: {{"{{"}}title{{"}}"}}
Impact: {{"{{"}}impact{{"}}"}}
Next update: {{"{{"}}next_update:time{{"}}"}}
` + "```" + `
`))

// pageName is the form of a new page's path below content/: folders and a
// file name of letters, digits, '-' and '_'.
var pageName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9_-]*)*$`)

// runNew writes a new page from a scaffold: "stepcheck new runbook
// procedures/disk-full" writes content/procedures/disk-full.md. It never
// overwrites a file.
func runNew(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("new", stderr)
	source := fs.String("source", ".", "site root holding stepcheck.yaml and content/")
	fs.StringVar(source, "s", ".", "shorthand for --source")
	var fromRules pathList
	fs.Var(&fromRules, "from-rules", "Prometheus rule files or PrometheusRule objects (a file or a directory; repeatable): write a runbook stub in <section> for each alert no page answers yet")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: stepcheck new [-s dir] <kind> <section/name>")
		fmt.Fprintln(stderr, "       stepcheck new [-s dir] runbook --from-rules PATH [section]   (section defaults to alerts)")
		for name, s := range scaffolds() {
			fmt.Fprintf(stderr, "  %-10s %s\n", name, s.summary)
		}
		fs.PrintDefaults()
	}
	// Flags may come before, between or after the arguments.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(fromRules) > 0 {
		return newFromRules(*source, pos, fromRules, stdout, stderr)
	}
	if len(pos) != 2 {
		fs.Usage()
		return 2
	}
	kind, name := pos[0], strings.TrimSuffix(pos[1], ".md")
	s, ok := scaffolds()[kind]
	if !ok {
		fmt.Fprintf(stderr, "stepcheck new: unknown kind %q (known: runbook)\n", kind)
		return 2
	}
	if !pageName.MatchString(name) || path.Base(name) == "_index" {
		fmt.Fprintf(stderr, "stepcheck new: %q is not a page name: use folders and a name of letters, digits, '-' and '_', such as procedures/disk-full\n", pos[1])
		return 2
	}

	if err := checkURL(os.DirFS(*source), name); err != nil {
		fmt.Fprintf(stderr, "stepcheck new: %v\n", err)
		return 1
	}
	page, err := render(s.page, os.DirFS(*source), name)
	if err != nil {
		fmt.Fprintf(stderr, "stepcheck new: %v\n", err)
		return 1
	}
	rel := path.Join(content.Dir, name+".md")
	file := filepath.Join(*source, filepath.FromSlash(rel))
	if err := writeNew(file, page); err != nil {
		fmt.Fprintf(stderr, "stepcheck new: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, rel)
	return 0
}

// checkURL fails when a new page at name (a slash path below content/,
// without ".md") would share its URL with a page or folder of the site at
// fsys. URLs are lower case, so procedures/Database.md beside
// procedures/database.md is the same page, and content/Procedures/ beside
// content/procedures/ the same section: the build would refuse the one and
// overwrite the other.
func checkURL(fsys fs.FS, name string) error {
	url := content.URLOf(pageOf(name + ".md"))
	folders := map[string]string{} // the URL of each folder of name → the folder
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		folders[content.URLOf(d)] = d
	}
	var twin error
	err := fs.WalkDir(fsys, content.Dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == content.Dir {
			return fs.SkipAll // no content yet
		}
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, content.Dir), "/")
		base := d.Name()
		if d.IsDir() {
			if rel != "" && (strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")) {
				return fs.SkipDir // the site reads no pages there
			}
			if f, ok := folders[content.URLOf(rel)]; ok && rel != "" && f != rel {
				twin = fmt.Errorf("%s already has the URL %s that %s would have; write the page in that folder", p, content.URLOf(rel), path.Join(content.Dir, f))
				return fs.SkipAll
			}
			return nil
		}
		if path.Ext(base) != ".md" || strings.HasPrefix(base, ".") || rel == name+".md" {
			return nil // not a page, or the very file, which writeNew refuses
		}
		if content.URLOf(pageOf(rel)) == url {
			twin = fmt.Errorf("%s already has the URL %s that %s would have; pick another name", p, url, path.Join(content.Dir, name+".md"))
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return err
	}
	return twin
}

// pageOf returns the path, below content/ and without ".md", whose URL the
// page in file rel has: its folder's for an _index.md, index.md or
// README.md.
func pageOf(rel string) string {
	if base := path.Base(rel); base == "index.md" || base == "_index.md" || strings.EqualFold(base, "README.md") {
		return path.Dir(rel)
	}
	return strings.TrimSuffix(rel, ".md")
}

// render fills a scaffold in for the site at fsys: the title comes from
// the name, the severity and the probe from the site's configuration and
// catalogue.
func render(t *template.Template, fsys fs.FS, name string) ([]byte, error) {
	// Problems with the configuration or the catalogue are lint's to
	// report; a scaffold is still useful with the defaults.
	var ignored diag.List
	cfg := config.Load(fsys, &ignored)
	catPath := path.Join(content.Dir, catalog.FileName)
	cat := catalog.Load(fsys, catPath, nil, &ignored)

	data := struct {
		Title, Severity, Severities, Tag, Probe, Catalog string
	}{Title: title(path.Base(name)), Catalog: catPath}
	var sevs []string
	for _, s := range cfg.Severities {
		sevs = append(sevs, s.ID)
	}
	if len(sevs) > 0 {
		data.Severity = sevs[0]
		data.Tag = strings.ToLower(sevs[0])
	}
	if len(sevs) > 1 {
		data.Severities = strings.Join(sevs, ", ")
	}
	if ids := cat.IDs(); len(ids) > 0 {
		data.Probe = ids[0]
		// A liveness probe makes the better example, if there is one.
		if i := slices.IndexFunc(ids, func(id string) bool { return strings.HasSuffix(id, "-live") }); i >= 0 {
			data.Probe = ids[i]
		}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// title makes a page title from a file name: "disk-full" is "Disk full".
func title(name string) string {
	name = strings.NewReplacer("-", " ", "_", " ").Replace(name)
	return strings.ToUpper(name[:1]) + name[1:]
}

// writeNew creates file with b, and its folder if need be; it fails if the
// file exists.
func writeNew(file string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; pick another name", file)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
