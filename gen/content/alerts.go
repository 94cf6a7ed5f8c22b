package content

import (
	"cmp"
	"html"
	"slices"
	"strings"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown"
)

// AlertsURL is the alert index's URL below the base path. Each alert also
// gets a redirect at AlertsURL + its name in lower case + "/", so that a
// rule's runbook_url never changes when the page moves.
const AlertsURL = "/alerts/"

// Alert is one alert and the page that answers it.
type Alert struct {
	Name string
	Page *Page
	// Anchor is the page's heading named for the alert, when a page that
	// answers several alerts has one ("## KubePodCrashLooping").
	Anchor string
}

// Link is the alert's runbook URL below the base path, with its anchor.
func (a Alert) Link() string {
	if a.Anchor == "" {
		return a.Page.URL
	}
	return a.Page.URL + "#" + a.Anchor
}

// alerts collects the alerts the pages answer into Site.Alerts, adds the
// index page at AlertsURL (or, when the site has its own page there, adds
// the index to it), and the redirects. Runs after index, before fill.
func (s *Site) alerts(diags *diag.List) {
	byName := map[string]Alert{}
	for _, p := range s.Pages {
		for _, name := range p.Alerts {
			if prev, dup := byName[name]; dup {
				if prev.Page != p {
					diags.Warnf(p.Path, p.AlertLine(name), 1, "alert %s is also answered by %s; %s%s/ goes there", name, prev.Page.Path, AlertsURL, strings.ToLower(name))
				}
				continue
			}
			a := Alert{Name: name, Page: p}
			for _, h := range p.Doc.Headings {
				if strings.EqualFold(h.ID, name) {
					a.Anchor = h.ID
					break
				}
			}
			byName[name] = a
			s.Alerts = append(s.Alerts, a)
		}
	}
	if len(s.Alerts) == 0 {
		return
	}
	slices.SortFunc(s.Alerts, func(a, b Alert) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })

	index := s.byURL[AlertsURL]
	if index == nil {
		index = &Page{Kind: Regular, URL: AlertsURL, Title: "Alerts", Description: "Every alert and the runbook that answers it.",
			Doc: emptyDoc(), Parent: s.Home, Params: map[string]any{}}
		s.Pages = append(s.Pages, index)
		if s.Home != nil {
			s.Home.Children = append(s.Home.Children, index)
		}
		s.byURL[AlertsURL] = index
	}
	s.AlertIndex = index
	s.AlertLinks = map[string]Alert{}
	for _, a := range s.Alerts {
		u := AlertsURL + strings.ToLower(a.Name) + "/"
		if _, taken := s.byURL[u]; taken {
			continue // a page or alias already lives there
		}
		s.AlertLinks[u] = a
		s.byURL[u] = a.Page
	}
}

// AlertSections are the index's rows as search sections, one per alert,
// each at its row's anchor. They are kept apart from the index page's own
// Doc, which a preview server reuses from build to build.
func (s *Site) AlertSections() []markdown.Section {
	out := make([]markdown.Section, 0, len(s.Alerts))
	for _, a := range s.Alerts {
		out = append(out, markdown.Section{ID: alertRowID(a.Name), Heading: a.Name,
			Text: strings.Join([]string{a.Page.Title, a.Page.Severity, a.Page.Service, a.Page.Owner}, " ")})
	}
	return out
}

// alertRowID is the index row's ID for an alert, kept apart from the IDs
// of any headings of a page of the site's own at AlertsURL.
func alertRowID(name string) string { return "alert-" + strings.ToLower(name) }

// DeclaredAlerts are the alerts the page's front matter names (not its
// file name).
func (p *Page) DeclaredAlerts() []string { return slices.Clone(p.declaredAlerts) }

// AlertLine is the line where a page names an alert: its alerts: key, or
// line 1 for an alert its file name names.
func (p *Page) AlertLine(name string) int {
	if p.NamedAlert == name && !slices.Contains(p.declaredAlerts, name) {
		return 1
	}
	return cmp.Or(p.Doc.MetaLines["alerts"], 1)
}

// alertTable is the index of alerts as HTML, each runbook URL under base.
// Every value is escaped: page titles and owners are the writers' text.
func (s *Site) alertTable(base string) []byte {
	var b strings.Builder
	b.WriteString(`<div class="sc-alerts"><table><thead><tr><th scope="col">Alert</th><th scope="col">Runbook</th><th scope="col">Severity</th><th scope="col">Service</th><th scope="col">Owner</th></tr></thead><tbody>` + "\n")
	for _, a := range s.Alerts {
		p := a.Page
		b.WriteString(`<tr id="` + alertRowID(a.Name) + `"><td><a href="` + html.EscapeString(base+strings.TrimPrefix(a.Link(), "/")) + `"><code>` +
			html.EscapeString(a.Name) + `</code></a></td><td>` + html.EscapeString(p.Title) + `</td><td>` + html.EscapeString(p.Severity) +
			`</td><td>` + html.EscapeString(p.Service) + `</td><td>` + html.EscapeString(p.Owner) + "</td></tr>\n")
	}
	b.WriteString("</tbody></table></div>\n")
	return []byte(b.String())
}
