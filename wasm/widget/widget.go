// Package widget is the contract between the pages gen writes and the page
// widgets (GOOS=js GOARCH=wasm) that bring them to life: the classes, data
// attributes, element IDs and selectors the widgets look for, the keys of
// the page data, the built-in incident fields with their types, and the
// incident statuses.
//
// It exists so that each of these names is written once. gen/markdown's
// extensions write their markup with these constants, gen/render writes the
// page data with these keys, the default theme's layouts carry the same
// names, and the widgets query them. Its tests check that every selector
// here matches gen/markdown's golden HTML or a built page, that the page
// data has exactly these keys, and that the widgets' glue queries nothing
// gen writes but through this package.
//
// A Data constant names a data attribute as the widgets read it, by its key
// in the element's dataset: DataProbe, "probe", is the attribute data-probe,
// and DataProbeAPI, "probeApi", is data-probe-api. (Reading the dataset
// costs the widgets less code than getAttribute.)
//
// It imports nothing, like probe-api/api for the wire, because the widgets
// import it and every import counts against their size budget. Classes that
// only the theme's CSS reads are not part of it: those gen writes for
// styling alone (sc-checked, sc-template-text) stay with gen, and those the
// widgets make for themselves (sc-meta, sc-inc-bar) with the widgets.
package widget

// Probe references, written by gen/markdown/proberef: an element of class
// ClassProbe whose data-probe names the probe and whose data-state holds its
// state, starting at StateUnchecked. Inside it, ClassState holds the state
// in words (UncheckedText at first) and ClassProbeLabel the probe's label.
const (
	ClassProbe      = "sc-probe"
	ClassState      = "sc-state"
	ClassProbeLabel = "sc-probe-label"
	DataProbe       = "probe"
	DataState       = "state"

	SelProbe      = "." + ClassProbe + "[data-" + DataProbe + "]"
	SelState      = "." + ClassState
	SelProbeLabel = "." + ClassProbeLabel
)

// StateUnchecked is a probe reference's state before any check, and
// UncheckedText how it reads. The widgets add the probe API's statuses (up,
// degraded, down, unknown) and their own (unreachable, offline).
const (
	StateUnchecked = "unchecked"
	UncheckedText  = "not checked"
)

// SelProbeID returns the selector of every reference to the probe id, which
// must be a valid probe ID (probe-api/api.ValidID), so it needs no quoting.
func SelProbeID(id string) string {
	return "." + ClassProbe + "[data-" + DataProbe + `="` + id + `"]`
}

// Communication templates, written by gen/markdown/commtmpl: an element of
// class ClassTemplate whose ID is TemplateAnchor followed by the template's
// ID, which data-template holds too. Its figcaption is its title, and each
// placeholder is an element of class ClassField whose data-field names the
// field.
const (
	ClassTemplate  = "sc-template"
	ClassField     = "sc-field"
	DataTemplate   = "template"
	DataField      = "field"
	TemplateAnchor = "tpl-"

	SelTemplate = "." + ClassTemplate

	// The incident form every template of a page shares, written by
	// gen/markdown/commtmpl before the first template's section, its
	// inputs disabled until the widgets fill and enable them: a details
	// of class ClassForm holding the form IDIncidentForm, with an input
	// (or select, or textarea) per field, named by the field, its ID
	// FormInputPrefix and the field's name with dots as dashes.
	ClassForm         = "sc-form"
	IDIncidentForm    = "sc-incident-form"
	FormInputPrefix   = "sc-f-"
	FormTitle         = "Incident details — fill in once, every template below uses them"
	SelIncidentForm   = "#" + IDIncidentForm
	SelIncidentInputs = SelIncidentForm + " [name]"
	SelTemplateField  = SelTemplate + " ." + ClassField + "[data-" + DataField + "]"
	SelTemplateTitle  = "figcaption"
)

// PostmortemTemplate is the ID of the template that the incident bar's
// postmortem action opens and the widgets fill from the incident.
// SelPostmortem finds it on its page.
const (
	PostmortemTemplate = "postmortem"
	SelPostmortem      = "#" + TemplateAnchor + PostmortemTemplate
)

// Command variables, written by gen/markdown/cmdvar: a pre of class
// ClassVars whose data-vars lists the variables its code uses, separated by
// spaces, and in its code each use as a var of class ClassVar whose data-var
// names it.
const (
	ClassVars = "sc-vars"
	ClassVar  = "sc-var"
	DataVars  = "vars"
	DataVar   = "var"

	SelVars = "pre." + ClassVars + "[data-" + DataVars + "]"
	// SelVarUses finds every use of every variable.
	SelVarUses = "var." + ClassVar + "[data-" + DataVar + "]"
)

// SelVar returns the selector of every use of the variable name, which is
// UPPER_SNAKE_CASE (gen/markdown/cmdvar.Pattern), so it needs no quoting.
func SelVar(name string) string {
	return "var." + ClassVar + "[data-" + DataVar + `="` + name + `"]`
}

// The page around the content, written by the theme's layouts (see
// themes/default/layouts/base.html), which any theme must keep for the
// widgets to work: the body's attributes, the page data, the content, the
// page's severity and the search form.
const (
	// DataProbeAPI, the body's data-probe-api, is the probe API's base
	// URL; empty means the site's own origin.
	DataProbeAPI = "probeApi"
	// DataSearch, the body's data-search, is the URL of the search index's
	// entry file; without it the widgets offer no search.
	DataSearch = "search"
	// IDPageData is the ID of the script element (application/json) that
	// holds the page data; see the Key constants.
	IDPageData = "sc-page"

	SelBody = "body"
	// SelIncident is the incident row at the top of main, empty in the
	// page (its height kept by the theme's CSS) until the widgets fill it
	// with incident mode and the auto-refresh switch. A theme without it
	// gets one made at the top of main, the page moving down.
	SelIncident     = "section.sc-inc"
	SelPageData     = "#" + IDPageData
	SelMain         = "main"
	SelContent      = ".content"
	SelTasks        = SelContent + " li > input[type=checkbox]"
	SelPageSeverity = ".page-head .sev"
	SelSearchForm   = "form.search"
	SelSearchInput  = "#sc-search"
	SelResults      = "#sc-results"
	SelResultsCount = "#sc-results-status"
)

// The theme's bootstrap script (themes/default/static/stepcheck.js) puts a
// bar of class ClassCodeBar before every pre of the content, holding a copy
// button of class ClassCopy, and says when a template was copied
// (EventCopied), which the widgets record in the incident's timeline.
const (
	ClassCodeBar = "code-bar"
	ClassCopy    = "copy"
	// EventCopied is the event the bootstrap script sends the document
	// after copying a template: its detail is the template's ID and its
	// title, on a line each.
	EventCopied = "sc-copied"
)

// The keys of the page data, the JSON object in the element IDPageData:
//
//	{"probes": [id], "fields": [{"name", "type", "options"}], "vars": [name],
//	 "severities": [id], "tasks": n, "postmortem": url,
//	 "targets": [{"id", "respond", "resolve", "internal", "statusPage"}]}
//
// A target's times are whole seconds; a key whose value is empty or zero is
// left out.
const (
	KeyProbes     = "probes"
	KeyFields     = "fields"
	KeyVars       = "vars"
	KeySeverities = "severities"
	KeyTasks      = "tasks"
	KeyTargets    = "targets"
	KeyPostmortem = "postmortem"

	KeyFieldName    = "name"
	KeyFieldType    = "type"
	KeyFieldOptions = "options"

	KeyTargetID         = "id"
	KeyTargetRespond    = "respond"
	KeyTargetResolve    = "resolve"
	KeyTargetInternal   = "internal"
	KeyTargetStatusPage = "statusPage"
)

// The types of a field: free text, long text, a time, a choice of options,
// or filled by the page itself.
const (
	TypeText   = "text"
	TypeLong   = "long"
	TypeTime   = "time"
	TypeSelect = "select"
	TypeAuto   = "auto"
)

// The built-in fields: those a responder fills in (see Fields), those the
// page fills, and the incident's timeline.
const (
	FieldTitle     = "title"
	FieldSeverity  = "severity"
	FieldStatus    = "status"
	FieldImpact    = "impact"
	FieldETA       = "eta"
	FieldCommander = "commander"
	FieldStarted   = "started"

	// FieldNow and FieldElapsed (since FieldStarted) are automatic.
	FieldNow     = "now"
	FieldElapsed = "elapsed"
	// FieldTimeline is the incident's timeline, which the widgets write
	// and the postmortem template shows.
	FieldTimeline = "timeline"

	// ProbeField starts an automatic field holding a probe's current state:
	// {{probe.backend-live}}.
	ProbeField = "probe."
)

// Field is a built-in field a responder fills in.
type Field struct {
	Name, Type string
	// Options are a select's choices.
	Options []string
}

// Fields returns the built-in fields a responder fills in, in the order the
// form shows them. severities are the options of FieldSeverity: the site's
// severity IDs. Each call returns new slices.
func Fields(severities []string) []Field {
	return []Field{
		{Name: FieldTitle, Type: TypeText},
		{Name: FieldSeverity, Type: TypeSelect, Options: severities},
		{Name: FieldStatus, Type: TypeSelect, Options: Statuses()},
		{Name: FieldImpact, Type: TypeText},
		{Name: FieldETA, Type: TypeText},
		{Name: FieldCommander, Type: TypeText},
		{Name: FieldStarted, Type: TypeTime},
	}
}

// Statuses returns the statuses of an incident, in order: the options of
// FieldStatus. Each call returns a new slice.
func Statuses() []string {
	// Not a slice literal, whose array type would bring its own equality
	// function into the widgets (470 bytes).
	s := make([]string, 4)
	s[0], s[1], s[2], s[3] = "Investigating", "Identified", "Monitoring", "Resolved"
	return s
}
