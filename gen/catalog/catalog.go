// Package catalog reads the public part of the probe catalogue
// (content/probes.yaml): each probe's ID, title, description, service and
// type. The site generator needs nothing else, and must never see targets or
// secrets, so this reader ignores every other field. The probe API owns the
// full format and its validation (probe-api/config).
package catalog

import (
	"errors"
	"io/fs"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/probe-api/api"
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

// Load reads path (relative to fsys). A missing catalogue is an empty one: a
// site without probes is still a site.
func Load(fsys fs.FS, path string, diags *diag.List) Catalog {
	src, err := fs.ReadFile(fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		return Catalog{Path: path, Probes: map[string]Probe{}}
	}
	if err != nil {
		diags.Errorf(path, 1, 1, "%v", err)
		return Catalog{Path: path, Probes: map[string]Probe{}}
	}
	return Parse(path, src, diags)
}

// Parse decodes the public fields of a catalogue.
func Parse(path string, src []byte, diags *diag.List) Catalog {
	c := Catalog{Path: path, Probes: map[string]Probe{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, msg := diag.YAMLError(err)
		diags.Errorf(path, line, 1, "%s", msg)
		return c
	}
	if len(doc.Content) == 0 {
		return c
	}
	root := doc.Content[0]
	probes := lookup(root, "probes")
	if root.Kind != yaml.MappingNode || probes == nil {
		diags.Errorf(path, root.Line, root.Column, "the catalogue must be a mapping with a 'probes' key")
		return c
	}
	if probes.Kind != yaml.MappingNode {
		diags.Errorf(path, probes.Line, probes.Column, "'probes' must map probe IDs to probes")
		return c
	}
	for i := 0; i+1 < len(probes.Content); i += 2 {
		key, val := probes.Content[i], probes.Content[i+1]
		id := key.Value
		switch {
		case !api.ValidID(id):
			// One rule for the site and the probe API: IDs appear in URLs
			// and HTML attributes, so the alphabet is narrow.
			diags.Errorf(path, key.Line, key.Column, "probe ID %q must be lowercase letters, digits and '-', 64 at most", id)
			continue
		case c.Has(id):
			diags.Errorf(path, key.Line, key.Column, "probe %q is declared twice (first on line %d)", id, c.Probes[id].Line)
			continue
		case val.Kind != yaml.MappingNode:
			diags.Errorf(path, val.Line, val.Column, "probe %q must be a mapping", id)
			continue
		}
		p := Probe{Probe: api.Probe{ID: id}, Line: key.Line}
		for _, f := range []struct {
			name string
			dst  *string
		}{{"title", &p.Title}, {"description", &p.Description}, {"service", &p.Service}, {"type", &p.Type}} {
			if n := lookup(val, f.name); n != nil {
				if n.Kind != yaml.ScalarNode {
					diags.Errorf(path, n.Line, n.Column, "probe %q: %s must be text", id, f.name)
					continue
				}
				*f.dst = n.Value
			}
		}
		if p.Type == "" {
			diags.Errorf(path, key.Line, key.Column, "probe %q has no type", id)
		}
		if p.Title == "" {
			p.Title = id
		}
		c.Probes[id] = p
	}
	return c
}

func lookup(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
