// Package alertcheck keeps alerts and runbooks in step: it checks each
// alerting rule's runbook_url against the pages and anchors of the site,
// and each page's alerts against the rules. stepcheck lint --rules runs it;
// gen/rules reads the rules, gen/content knows the site.
//
// What it reports, each at its place:
//   - a runbook_url that reaches no page, or no such anchor on the page,
//     is an error at the URL in the rule file;
//   - a runbook_url that depends on template parts other than the alert's
//     own name cannot be checked, and says so (a warning, never a guess);
//   - {{ $labels.alertname }} in a runbook_url is checked with the alert's
//     name filled in, and warned of: Prometheus expands annotations with
//     the series' labels, before it adds alertname, so the URL it sends
//     has the name missing;
//   - an alert without runbook_url is a warning, naming the page that
//     answers it, if any, and the stable URL to write;
//   - a page's alerts: entry that no rule defines is a warning at the
//     page's front matter.
package alertcheck

import (
	"cmp"
	"net/url"
	"strings"

	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/rules"
)

// Check adds its findings to diags.
func Check(site *content.Site, rs []rules.Rule, diags *diag.List) {
	answers := map[string]content.Alert{}
	for _, a := range site.Alerts {
		answers[a.Name] = a
	}
	base, _ := url.Parse(site.Config.BaseURL)
	basePath := site.Config.BasePath()
	// stable is the alert's URL that never changes when its page moves,
	// as a rule should write it.
	stable := func(name string) string {
		u := basePath + strings.TrimPrefix(content.AlertsURL, "/") + strings.ToLower(name) + "/"
		if base != nil && base.Host != "" {
			return base.Scheme + "://" + base.Host + u
		}
		return u
	}
	defined := map[string]bool{}
	for _, r := range rs {
		defined[r.Alert] = true
		answer, answered := answers[r.Alert]
		if r.Runbook == nil {
			msg := "alert " + r.Alert + " has no runbook_url"
			if answered {
				msg += "; " + answer.Page.Path + " answers it: add runbook_url: " + stable(r.Alert)
			}
			diags.Warnf(r.Path, r.Line, r.Col, "%s", msg)
			continue
		}
		at := func(sev diag.Severity, msg string) {
			diags.Add(diag.Diagnostic{Path: r.Path, Line: r.Runbook.Line, Col: r.Runbook.Col, Severity: sev, Message: msg})
		}
		raw := r.Runbook.Text
		link, checkable := r.RunbookURL()
		if !checkable {
			at(diag.Warning, "cannot check the runbook_url of alert "+r.Alert+": it depends on template parts other than the alert's name ("+raw+")")
			continue
		}
		if strings.Contains(raw, "{{") {
			at(diag.Warning, "runbook_url of alert "+r.Alert+": Prometheus expands annotations before it adds the alertname label, so "+
				"{{ $labels.alertname }} comes out empty; write the name: "+link)
		}
		reached, problem := resolve(site, base, basePath, link)
		if problem == "" {
			continue
		}
		msg := "alert " + r.Alert + ": runbook_url " + link + " " + problem
		switch {
		case answered && reached == answer.Page && answer.Anchor != "":
			msg += "; its heading there is #" + answer.Anchor
		case answered && reached != answer.Page:
			msg += "; " + answer.Page.Path + " answers it, at " + stable(r.Alert)
		}
		at(diag.Error, msg)
	}
	for _, p := range site.Pages {
		for _, name := range p.DeclaredAlerts() {
			if len(rs) > 0 && !defined[name] {
				diags.Warnf(p.Path, p.AlertLine(name), 1, "alert %s is not defined by any of the rules given", name)
			}
		}
	}
}

// resolve says why link reaches no page (and anchor) of the site, or ""
// when it does, or when it is on another host: another site's runbook is
// not this site's to check. It returns the page reached, if any.
func resolve(site *content.Site, base *url.URL, basePath, link string) (*content.Page, string) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err == nil && u.Host != "" && u.Path == "" {
		u.Path = "/"
	}
	switch {
	case err != nil:
		return nil, "is not a URL"
	case u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https":
		return nil, "is not an http(s) URL"
	case u.Host != "" && (base == nil || base.Host == ""):
		return nil, "cannot be matched to this site: its baseURL has no host (set baseURL in stepcheck.yaml, or lint --base-url https://…)"
	case u.Host != "" && !strings.EqualFold(u.Host, base.Host):
		return nil, ""
	case !strings.HasPrefix(u.Path, "/"):
		return nil, "is neither an absolute URL nor a path on the site"
	case !strings.HasPrefix(u.Path+"/", basePath):
		return nil, "is outside the site, whose pages are below " + basePath
	}
	rest := "/" + strings.TrimPrefix(strings.TrimPrefix(u.Path, strings.TrimSuffix(basePath, "/")), "/")
	p := site.Locate(rest)
	if p == nil {
		return nil, "reaches no page of this site"
	}
	if u.Fragment != "" && !p.HasAnchor(u.Fragment) {
		return p, "reaches " + cmp.Or(p.Path, p.URL) + ", which has no heading with the anchor #" + u.Fragment
	}
	return p, ""
}
