package devserver

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// ProbeAPI is the probe API that serve runs on the site's origin;
// *server.Server is one. The dev server keeps its catalogue in step with
// the site's probes.yaml, so the command that starts both wires nothing.
type ProbeAPI interface {
	Handler() http.Handler
	// SetCatalogue swaps in a new catalogue, or keeps the current one and
	// returns the catalogue's problems (each a *config.Error).
	SetCatalogue(*config.Catalogue) error
}

// CatalogueFile is the probe catalogue below the site root, as
// diagnostics and watch events name it.
var CatalogueFile = path.Join(content.Dir, catalog.FileName)

// probes keeps a ProbeAPI's catalogue in step with the site's probes.yaml.
// It is used under the Server's build lock.
type probes struct {
	api    ProbeAPI
	source string
	env    config.LookupEnv
	// diags are the catalogue's current problems, shown with every build
	// until a good catalogue replaces them.
	diags []diag.Diagnostic
}

// reload reads the catalogue again on the first build (changed nil), when
// probes.yaml changed, and when events were lost ("."); it returns the
// catalogue's current problems. A broken catalogue leaves the last good
// one answering. The line it returns, when not empty, is for the terminal.
func (p *probes) reload(changed []string) (line string, diags []diag.Diagnostic) {
	if changed != nil && !slices.Contains(changed, CatalogueFile) && !slices.Contains(changed, ".") {
		return "", p.diags
	}
	cat, ds := loadCatalogue(p.source, p.env)
	if len(ds) == 0 {
		if err := p.api.SetCatalogue(cat); err != nil {
			ds = catalog.Diagnostics(CatalogueFile, err)
		} else if changed != nil {
			line = fmt.Sprintf("%s: the probe API reloaded %d probes", CatalogueFile, len(cat.Probes))
		}
	}
	p.diags = ds
	return line, ds
}

// loadCatalogue reads the probe API's catalogue, expanding ${VAR} with
// env. A site without one gets an empty catalogue; a broken one gets an
// empty catalogue and the problems as diagnostics.
func loadCatalogue(source string, env config.LookupEnv) (*config.Catalogue, []diag.Diagnostic) {
	empty := &config.Catalogue{Path: CatalogueFile}
	data, err := os.ReadFile(filepath.Join(source, filepath.FromSlash(CatalogueFile)))
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return empty, []diag.Diagnostic{{Path: CatalogueFile, Line: 1, Col: 1, Message: err.Error()}}
	}
	cat, err := config.Parse(CatalogueFile, data, env)
	if err != nil {
		return empty, catalog.Diagnostics(CatalogueFile, err)
	}
	return cat, nil
}
