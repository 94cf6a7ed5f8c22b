// Package lint writes the report of stepcheck lint in one of several
// formats: text for people and editors, JSON for tools, and GitHub Actions
// workflow commands, which annotate the lines of a pull request.
//
// The checks themselves run where the problems are found: the Markdown
// extensions, gen/content (with content.Options.Lint) and gen/config. See
// the README's "stepcheck lint" section for the list.
package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// Report is the outcome of one lint run.
type Report struct {
	// Diagnostics are the problems, sorted (diag.List.Sorted).
	Diagnostics []diag.Diagnostic
	// Root is the site root as the user named it ("." or "docs"). Paths in
	// the report are joined to it, so that they name files from where lint
	// runs: the working directory of a CI job, say.
	Root string
}

// path returns a diagnostic's path joined to the root.
func (r Report) path(d diag.Diagnostic) string {
	if r.Root == "" || r.Root == "." {
		return d.Path
	}
	return path.Join(r.Root, d.Path)
}

// Count returns the number of errors and warnings.
func (r Report) Count() (errors, warnings int) {
	for _, d := range r.Diagnostics {
		if d.Severity == diag.Warning {
			warnings++
		} else {
			errors++
		}
	}
	return errors, warnings
}

// Format writes a report.
type Format interface {
	Write(w io.Writer, r Report) error
}

// FormatFunc adapts a function to Format.
type FormatFunc func(w io.Writer, r Report) error

// Write implements Format.
func (f FormatFunc) Write(w io.Writer, r Report) error { return f(w, r) }

// Formats returns the known formats by name: text (the default), json and
// github.
func Formats() map[string]Format {
	return map[string]Format{
		"text":   FormatFunc(writeText),
		"json":   FormatFunc(writeJSON),
		"github": FormatFunc(writeGitHub),
	}
}

// FormatNames returns the names of Formats, sorted.
func FormatNames() []string {
	names := make([]string, 0, 3)
	for name := range Formats() {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// writeText writes "path:line:col: severity: message" lines. Unlike a
// build's output, errors say "error:" too, so that every line has the same
// shape for tools that match on it.
func writeText(w io.Writer, r Report) error {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s\n", r.path(d), d.Line, d.Col, d.Severity, d.Message)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonReport is the JSON format: every diagnostic and the counts.
type jsonReport struct {
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
	Errors      int              `json:"errors"`
	Warnings    int              `json:"warnings"`
}

type jsonDiagnostic struct {
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func writeJSON(w io.Writer, r Report) error {
	out := jsonReport{Diagnostics: []jsonDiagnostic{}}
	for _, d := range r.Diagnostics {
		out.Diagnostics = append(out.Diagnostics, jsonDiagnostic{Path: r.path(d), Line: d.Line, Col: d.Col, Severity: d.Severity.String(), Message: d.Message})
	}
	out.Errors, out.Warnings = r.Count()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeGitHub writes GitHub Actions workflow commands, one per line:
// "::error file=path,line=3,col=5::message", and "::warning ..." for
// warnings. GitHub shows them on the lines of a pull request's diff.
func writeGitHub(w io.Writer, r Report) error {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		fmt.Fprintf(&b, "::%s file=%s,line=%d,col=%d,title=stepcheck lint::%s\n",
			d.Severity, escapeProperty(r.path(d)), d.Line, d.Col, escapeData(d.Message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData escapes a workflow command's message, as the Actions toolkit
// does.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
