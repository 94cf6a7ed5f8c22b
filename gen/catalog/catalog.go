// Package catalog gives the site generator the public part of the probe
// catalogue (content/probes.yaml): each probe's ID, title, description,
// service and type, and where it is declared. The site must never see
// targets or secrets, so nothing else leaves this package.
//
// There is one reader of the format, the probe API's (probe-api/config):
// this package parses with it, without environment, so lint and build
// report every problem the probe API would refuse at start, at the same
// path:line:col. A probe type's own checks (a URL that is not one, a
// postgres check that does not exist) run through Check, which the command
// passes in: only cmd/stepcheck links the probe types, so the generator
// never links a database driver.
package catalog

import (
	"errors"
	"io/fs"
	"sort"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// FileName is the catalogue's path inside the content directory.
const FileName = "probes.yaml"

// Probe is what a page may show about a probe: the probe API's public
// description of it, and where it is declared.
type Probe struct {
	api.Probe
	// Line is where the probe is declared, for "declared here" diagnostics.
	Line int `json:"-"`
}

// Catalog is the set of declared probes, by ID.
type Catalog struct {
	Path   string
	Probes map[string]Probe
}

// Has reports whether id is declared.
func (c Catalog) Has(id string) bool {
	_, ok := c.Probes[id]
	return ok
}

// IDs returns the declared IDs in order.
func (c Catalog) IDs() []string {
	ids := make([]string, 0, len(c.Probes))
	for id := range c.Probes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Check runs the probe types' own checks on a catalogue that config.Parse
// returned, errors or not, as the probe API does when it starts
// (check.Registry.Check), and returns their errors. Nil skips them.
type Check func(*config.Catalogue) error

// Load reads path (relative to fsys). A missing catalogue is an empty one: a
// site without probes is still a site.
func Load(fsys fs.FS, path string, check Check, diags *diag.List) Catalog {
	src, err := fs.ReadFile(fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		return Catalog{Path: path, Probes: map[string]Probe{}}
	}
	if err != nil {
		diags.Errorf(path, 1, 1, "%v", err)
		return Catalog{Path: path, Probes: map[string]Probe{}}
	}
	return Parse(path, src, check, diags)
}

// Parse validates a catalogue as the probe API does, without environment,
// and returns its public part: every probe with a valid, unique ID, those
// with errors included, so that the pages using them are not reported too.
func Parse(path string, src []byte, check Check, diags *diag.List) Catalog {
	cat, err := config.Parse(path, src, nil)
	if check != nil {
		err = errors.Join(err, check(cat))
	}
	diags.Add(Diagnostics(path, err)...)
	c := Catalog{Path: path, Probes: make(map[string]Probe, len(cat.Probes))}
	for _, p := range cat.Probes {
		c.Probes[p.ID] = Probe{Probe: p.Public(), Line: p.Pos().Line}
	}
	return c
}

// Diagnostics turns the probe API's catalogue errors into diagnostics, one
// per problem, in the order given. It leaves out the objections to values
// only the environment gives (config.ErrNeedsEnv): without that
// environment, nobody knows what they will be. An error without a position
// is placed at path:1:1.
func Diagnostics(path string, err error) []diag.Diagnostic {
	var out []diag.Diagnostic
	var walk func(error)
	walk = func(err error) {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range joined.Unwrap() {
				walk(e)
			}
			return
		}
		var ce *config.Error
		switch {
		case err == nil, errors.Is(err, config.ErrNeedsEnv):
		case errors.As(err, &ce):
			out = append(out, diag.Diagnostic{Path: ce.Path, Line: ce.Line, Col: ce.Col, Message: ce.Msg})
		default:
			out = append(out, diag.Diagnostic{Path: path, Line: 1, Col: 1, Message: err.Error()})
		}
	}
	walk(err)
	return out
}
