package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
	"github.com/stepcheck/stepcheck/gen/rules"
)

// newFromRules writes a runbook stub for each alert of the rule files that
// no page of the site answers yet: content/<section>/<Alert>.md, a name
// that makes the page answer the alert. It never overwrites a file, and
// says what it left alone.
func newFromRules(source string, pos []string, paths []string, stdout, stderr io.Writer) int {
	if len(pos) < 1 || pos[0] != "runbook" || len(pos) > 2 {
		fmt.Fprintln(stderr, "usage: stepcheck new [-s dir] runbook --from-rules PATH [section]")
		return 2
	}
	section := "alerts"
	if len(pos) == 2 {
		section = strings.Trim(pos[1], "/")
	}
	if !pageName.MatchString(section) {
		fmt.Fprintf(stderr, "stepcheck new: %q is not a section: use folders of letters, digits, '-' and '_', such as alerts/kubernetes\n", section)
		return 2
	}
	var diags diag.List
	rs := rules.Load(paths, &diags)
	if diags.HasErrors() {
		for _, d := range diags.Sorted() {
			fmt.Fprintln(stderr, d)
		}
		return 1
	}
	// Which alerts have a page already: the site as a build would read it.
	// Its own problems are lint's to report.
	fsys := os.DirFS(source)
	var ignored diag.List
	cfg := config.Load(fsys, &ignored)
	cat := catalog.Load(fsys, path.Join(content.Dir, catalog.FileName), nil, &ignored)
	site := content.Load(fsys, cfg, cat, markdown.New(markdown.Options{BasePath: cfg.BasePath()}), content.Options{Drafts: true}, &ignored)
	answered := map[string]string{}
	for _, a := range site.Alerts {
		answered[a.Name] = a.Page.Path
	}
	for _, p := range site.Drafts {
		for _, a := range p.Alerts {
			answered[a] = p.Path
		}
	}
	status, written, skipped := 0, 0, 0
	seen := map[string]bool{}
	for _, r := range rs {
		if seen[r.Alert] {
			continue
		}
		seen[r.Alert] = true
		if p, ok := answered[r.Alert]; ok {
			skipped++
			fmt.Fprintf(stderr, "%s answers %s already\n", p, r.Alert)
			continue
		}
		name := section + "/" + r.Alert
		if err := checkURL(fsys, name); err != nil {
			fmt.Fprintf(stderr, "stepcheck new: %v\n", err)
			status = 1
			continue
		}
		rel := path.Join(content.Dir, name+".md")
		if err := writeNew(filepath.Join(source, filepath.FromSlash(rel)), stub(r, cfg)); err != nil {
			fmt.Fprintf(stderr, "stepcheck new: %v\n", err)
			status = 1
			continue
		}
		written++
		fmt.Fprintln(stdout, rel)
	}
	fmt.Fprintf(stderr, "%d %s written, %d %s a runbook already\n", written, plural(written, "runbook", "runbooks"), skipped, plural(skipped, "alert has", "alerts have"))
	return status
}

// stub is a new runbook for an alert: its summary and description as text,
// its expression, the site severity its severity label maps to, and the
// sections a runbook for an alert answers, empty.
func stub(r rules.Rule, cfg config.Config) []byte {
	var b bytes.Buffer
	b.WriteString("---\ntitle: " + r.Alert + "\n")
	if s := oneLine(r.Summary()); s != "" {
		q, _ := json.Marshal(s) // a JSON string is a YAML double-quoted scalar
		b.WriteString("description: " + string(q) + "\n")
	}
	if sev := mapSeverity(r.Severity(), cfg.Severities); sev != "" {
		b.WriteString("severity: " + sev + "\n")
	}
	b.WriteString("# owner: platform-team\n# lastReviewed: 2026-01-15\n---\n\n")
	summary, description := strings.TrimSpace(r.Summary()), strings.TrimSpace(r.Description())
	if summary != "" {
		b.WriteString(escapeText(summary) + "\n\n")
	}
	if description != "" && description != summary {
		b.WriteString(escapeText(description) + "\n\n")
	}
	fence := "```"
	for strings.Contains(r.Expr, fence) {
		fence += "`"
	}
	b.WriteString("The alert fires when:\n\n" + fence + "promql\n" + strings.TrimRight(r.Expr, "\n") + "\n" + fence + "\n\n")
	for _, h := range []string{"Meaning", "Impact", "Diagnosis", "Mitigation"} {
		b.WriteString("## " + h + "\n\n")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// escapeText makes an annotation's text Markdown that reads as the text
// itself: every ASCII punctuation mark Markdown could take for syntax is
// escaped, so "*" and "<pod>" stay as written and nothing becomes HTML.
func escapeText(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		for _, c := range strings.TrimSpace(line) {
			if strings.ContainsRune("\\`*_{}[]<>()#+-.!|~&", c) {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// mapSeverity maps a rule's severity label to one of the site's
// severities: the severity itself when the site has one of that name,
// otherwise by rank, critical to the first and info to the last.
func mapSeverity(label string, sevs []config.Severity) string {
	if label == "" || len(sevs) == 0 {
		return ""
	}
	for _, s := range sevs {
		if strings.EqualFold(s.ID, label) {
			return s.ID
		}
	}
	rank := map[string]int{"critical": 0, "page": 0, "emergency": 0, "high": 1, "error": 1, "major": 1,
		"warning": 2, "medium": 2, "minor": 2, "info": 3, "low": 3, "none": 3}
	r, ok := rank[strings.ToLower(label)]
	if !ok {
		return ""
	}
	return sevs[min(r, len(sevs)-1)].ID
}
