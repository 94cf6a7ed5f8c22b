// Package config loads stepcheck.yaml, the site configuration: the title,
// the base URL, where the probe API lives, the severity targets and free-form
// params. A site without stepcheck.yaml may keep Hugo's configuration
// instead (see Load). Every problem is reported as path:line:col.
package config

import (
	"errors"
	"io/fs"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	probeconfig "github.com/stepcheck/stepcheck/probe-api/config"

	"gopkg.in/yaml.v3"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// FileName is the site configuration's name at the site root.
const FileName = "stepcheck.yaml"

// Severity is one level of the severity classification, with the targets the
// incident clock measures against. Zero durations mean "no target".
type Severity struct {
	ID                string        `json:"id"`
	Name              string        `json:"name,omitempty"`
	Impact            string        `json:"impact,omitempty"`
	Respond           time.Duration `json:"respond,omitempty"`
	Resolve           time.Duration `json:"resolve,omitempty"`
	InternalUpdates   time.Duration `json:"internalUpdates,omitempty"`
	StatusPageUpdates time.Duration `json:"statusPageUpdates,omitempty"`
}

// Config is the site configuration after defaults are applied.
type Config struct {
	Title string
	// BaseURL is where the site is published, e.g. "https://runbooks.example.com/"
	// or "/runbooks/". It always ends in a slash. Default "/".
	BaseURL string
	// ProbeAPI is the probe API's base URL; empty means the site's own origin.
	ProbeAPI   string
	Severities []Severity
	Params     map[string]any
	// Unsafe passes raw HTML in Markdown through to the pages, as Hugo's
	// markup.goldmark.renderer.unsafe does. Default false: raw HTML is left
	// out of the page.
	Unsafe bool
	// ReviewEvery is how long a page's lastReviewed date stays fresh, for
	// pages that do not set their own reviewEvery; 0 means pages are not
	// due for review unless they say so.
	ReviewEvery Period
	// EditURL, when set, puts an "Edit this page" link on each page: the
	// URL followed by the page's source path below the site root
	// ("content/ops/restart.md"), or below content/ when EditBelowContent
	// (Hugo themes' editURL params that end in content/).
	EditURL          string
	EditBelowContent bool
	// File is the file the configuration was read from: FileName, a Hugo
	// configuration, or "" for the defaults.
	File string
}

// EditLink returns the "Edit this page" URL for a page whose source is
// path below the site root, or "" when the site has none.
func (c Config) EditLink(path string) string {
	if c.EditURL == "" || path == "" {
		return ""
	}
	if c.EditBelowContent {
		path = strings.TrimPrefix(path, "content/")
	}
	return c.EditURL + path
}

// Period is a review interval in days, written as 180d, 26w, 6m (months of
// 30 days) or 1y (365 days).
type Period int

// ParsePeriod reads a Period.
func ParsePeriod(s string) (Period, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, false
	}
	unit := map[byte]int{'d': 1, 'w': 7, 'm': 30, 'y': 365}[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if unit == 0 || err != nil || n <= 0 || n > 100*365/unit {
		return 0, false
	}
	return Period(n * unit), true
}

// Default returns the configuration used when stepcheck.yaml is absent.
func Default() Config {
	return Config{
		Title:   "Runbooks",
		BaseURL: "/",
		Severities: []Severity{
			{ID: "SEV-1", Name: "Critical"},
			{ID: "SEV-2", Name: "High"},
			{ID: "SEV-3", Name: "Medium"},
			{ID: "SEV-4", Name: "Low"},
		},
		Params: map[string]any{},
	}
}

// BasePath is the path part of BaseURL, always starting and ending with "/".
func (c Config) BasePath() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	p := u.Path
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// Load reads FileName from the site root. Without it, Load reads the first
// of HugoFiles that exists, so that a Hugo site builds unchanged. Without
// either, it returns Default with no diagnostics. Problems in the file are
// added to diags, and the returned config then holds the defaults for
// whatever could not be read.
func Load(fsys fs.FS, diags *diag.List) Config {
	src, err := fs.ReadFile(fsys, FileName)
	if errors.Is(err, fs.ErrNotExist) {
		for _, name := range HugoFiles() {
			src, err := fs.ReadFile(fsys, name)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				diags.Errorf(name, 1, 1, "%v", err)
				return Default()
			}
			return ParseHugo(name, src, diags)
		}
		return Default()
	}
	if err != nil {
		diags.Errorf(FileName, 1, 1, "%v", err)
		return Default()
	}
	return Parse(FileName, src, diags)
}

var severityID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// Parse decodes a configuration from src, reporting problems against path.
func Parse(path string, src []byte, diags *diag.List) Config {
	cfg := Default()
	cfg.File = path
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, msg := probeconfig.YAMLErrorIn(err, src)
		diags.Errorf(path, line, 1, "%s", msg)
		return cfg
	}
	if len(doc.Content) == 0 {
		return cfg
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		diags.Errorf(path, root.Line, root.Column, "the site configuration must be a mapping of keys to values")
		return cfg
	}
	d := decoder{path: path, diags: diags}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "title":
			d.decode(val, &cfg.Title)
		case "baseURL":
			var s string
			if d.decode(val, &s) {
				if base, ok := baseURL(s); ok {
					cfg.BaseURL = base
				} else {
					d.errorf(val, "baseURL %q is not a URL or a path", s)
				}
			}
		case "probeAPI":
			var s string
			if d.decode(val, &s) {
				if u, err := url.Parse(s); err != nil || (s != "" && u.Scheme != "http" && u.Scheme != "https" && !strings.HasPrefix(s, "/")) {
					d.errorf(val, "probeAPI %q must be an http(s) URL or a path on the site's origin", s)
				} else {
					cfg.ProbeAPI = strings.TrimSuffix(s, "/")
				}
			}
		case "severities":
			if sev, ok := d.severities(val); ok {
				cfg.Severities = sev
			}
		case "params":
			params := map[string]any{}
			if d.decode(val, &params) {
				cfg.Params = params
			}
		case "unsafe":
			d.decode(val, &cfg.Unsafe)
		case "reviewEvery":
			var s string
			if d.decode(val, &s) {
				if p, ok := ParsePeriod(s); ok {
					cfg.ReviewEvery = p
				} else {
					d.errorf(val, "reviewEvery %q must be a number of days, weeks, months or years: 180d, 26w, 6m, 1y", s)
				}
			}
		case "editURL":
			var s string
			if d.decode(val, &s) {
				if u, err := url.Parse(s); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
					d.errorf(val, "editURL %q must be an http(s) URL, such as https://github.com/org/runbooks/edit/main/", s)
				} else {
					cfg.EditURL = withSlash(s)
				}
			}
		default:
			d.errorf(key, "unknown key %q (known: title, baseURL, probeAPI, severities, params, unsafe, reviewEvery, editURL)", key.Value)
		}
	}
	return cfg
}

func withSlash(s string) string {
	if !strings.HasSuffix(s, "/") {
		return s + "/"
	}
	return s
}

// baseURL checks a baseURL and gives it its trailing slash. An empty one
// is "/".
func baseURL(s string) (string, bool) {
	if u, err := url.Parse(s); err != nil || (u.Scheme != "" && u.Host == "") {
		return "", false
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, true
}

type decoder struct {
	path  string
	diags *diag.List
}

func (d decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.diags.Errorf(d.path, n.Line, n.Column, format, args...)
}

func (d decoder) decode(n *yaml.Node, v any) bool {
	if err := n.Decode(v); err != nil {
		_, msg := diag.YAMLError(err)
		d.errorf(n, "%s", msg)
		return false
	}
	return true
}

func (d decoder) duration(n *yaml.Node, field string) time.Duration {
	var s string
	if !d.decode(n, &s) {
		return 0
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		d.errorf(n, "%s %q is not a duration like 5m, 1h or 72h", field, s)
		return 0
	}
	return v
}

func (d decoder) severities(n *yaml.Node) ([]Severity, bool) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "severities must be a list")
		return nil, false
	}
	seen := map[string]bool{}
	out := make([]Severity, 0, len(n.Content))
	ok := true
	for _, item := range n.Content {
		if item.Kind != yaml.MappingNode {
			d.errorf(item, "a severity must be a mapping with at least an id")
			ok = false
			continue
		}
		var s Severity
		for i := 0; i+1 < len(item.Content); i += 2 {
			key, val := item.Content[i], item.Content[i+1]
			switch key.Value {
			case "id":
				d.decode(val, &s.ID)
			case "name":
				d.decode(val, &s.Name)
			case "impact":
				d.decode(val, &s.Impact)
			case "respond":
				s.Respond = d.duration(val, key.Value)
			case "resolve":
				s.Resolve = d.duration(val, key.Value)
			case "internalUpdates":
				s.InternalUpdates = d.duration(val, key.Value)
			case "statusPageUpdates":
				s.StatusPageUpdates = d.duration(val, key.Value)
			default:
				d.errorf(key, "unknown severity key %q (known: id, name, impact, respond, resolve, internalUpdates, statusPageUpdates)", key.Value)
				ok = false
			}
		}
		switch {
		case s.ID == "":
			d.errorf(item, "a severity needs an id, such as SEV-1")
			ok = false
		case !severityID.MatchString(s.ID):
			d.errorf(item, "severity id %q may hold only letters, digits, '-' and '_'", s.ID)
			ok = false
		case seen[s.ID]:
			d.errorf(item, "severity %q is listed twice", s.ID)
			ok = false
		}
		seen[s.ID] = true
		out = append(out, s)
	}
	return out, ok
}
