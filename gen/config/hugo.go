package config

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"strings"

	probeconfig "github.com/stepcheck/stepcheck/probe-api/config"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// HugoFiles returns the Hugo configurations Load reads when a site has no
// stepcheck.yaml, in the order Hugo itself looks for them.
func HugoFiles() []string {
	return []string{"hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", "config.yml"}
}

// ParseHugo reads what stepcheck shares with a Hugo configuration: title,
// baseURL, params and markup.goldmark.renderer.unsafe. Hugo's keys are
// case-insensitive, and so are these. Every other key belongs to Hugo and its
// themes and is ignored, so that an existing Hugo site builds unchanged.
// Syntax errors and values of the wrong type are reported against path; the
// severities are the defaults.
func ParseHugo(name string, src []byte, diags *diag.List) Config {
	cfg := Default()
	cfg.File = name
	var h hugoFile
	var ok bool
	if path.Ext(name) == ".toml" {
		h, ok = parseHugoTOML(name, src, diags)
	} else {
		h, ok = parseHugoYAML(name, src, diags)
	}
	if !ok {
		return cfg
	}
	bad := func(key, want string) {
		diags.Errorf(name, h.line(key), 1, "%s must be %s", key, want)
	}
	if v, found := h.get("title"); found {
		if s, ok := v.(string); ok {
			cfg.Title = s
		} else {
			bad("title", "text")
		}
	}
	if v, found := h.get("baseurl"); found {
		s, isText := v.(string)
		base, ok := baseURL(s)
		switch {
		case !isText:
			bad("baseURL", "text")
		case !ok:
			diags.Errorf(name, h.line("baseurl"), 1, "baseURL %q is not a URL or a path", s)
		default:
			cfg.BaseURL = base
		}
	}
	if v, found := h.get("params"); found {
		if m, ok := stringMap(v); ok {
			cfg.Params = m
		} else {
			bad("params", "a table of keys and values")
		}
	}
	cfg.EditURL, cfg.EditBelowContent = hugoEditURL(h)
	if v, found := h.get("markup", "goldmark", "renderer", "unsafe"); found {
		if b, ok := v.(bool); ok {
			cfg.Unsafe = b
		} else {
			bad("markup.goldmark.renderer.unsafe", "true or false")
		}
	}
	return cfg
}

// hugoEditURL reads the edit link the common Hugo themes configure in
// params: Learn and Relearn's editURL (which ends in the content
// directory), PaperMod's editPost.URL (the same), Book's BookRepo with
// BookEditPath, and Docsy's github_repo with github_branch and
// github_subdir (both below the site root). Values that are not http(s)
// URLs are ignored: they belong to the theme.
func hugoEditURL(h hugoFile) (string, bool) {
	text := func(keys ...string) string {
		v, _ := h.get(append([]string{"params"}, keys...)...)
		s, _ := v.(string)
		return strings.TrimSpace(s)
	}
	web := func(s string) bool {
		return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
	}
	if s := text("editURL"); web(s) {
		return withSlash(s), true
	}
	if s := text("editPost", "URL"); web(s) {
		return withSlash(s), true
	}
	if repo := text("BookRepo"); web(repo) {
		if edit := strings.Trim(text("BookEditPath"), "/"); edit != "" {
			return withSlash(strings.TrimSuffix(repo, "/") + "/" + edit), false
		}
	}
	if repo := text("github_repo"); web(repo) {
		branch := cmp.Or(text("github_branch"), "main")
		u := strings.TrimSuffix(repo, "/") + "/edit/" + branch + "/"
		if sub := strings.Trim(text("github_subdir"), "/"); sub != "" {
			u += sub + "/"
		}
		return u, false
	}
	return "", false
}

// hugoFile is a decoded Hugo configuration with the line of each key.
type hugoFile struct {
	values map[string]any
	// lines maps lower-case dotted keys ("markup.goldmark.renderer.unsafe")
	// to their line.
	lines map[string]int
}

// get looks a key up case-insensitively, following tables for a dotted path.
func (h hugoFile) get(keys ...string) (any, bool) {
	var cur any = h.values
	for _, k := range keys {
		m, ok := stringMap(cur)
		if !ok {
			return nil, false
		}
		found := false
		for mk, v := range m {
			if strings.EqualFold(mk, k) {
				cur, found = v, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return cur, true
}

func (h hugoFile) line(key string) int {
	if l, ok := h.lines[strings.ToLower(key)]; ok {
		return l
	}
	return 1
}

func parseHugoTOML(name string, src []byte, diags *diag.List) (hugoFile, bool) {
	h := hugoFile{values: map[string]any{}, lines: tomlKeyLines(src)}
	if _, err := toml.Decode(string(src), &h.values); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := diag.NewLines(src).Position(pe.Position.Start)
			diags.Errorf(name, line, col, "%s", pe.Message)
		} else {
			diags.Errorf(name, 1, 1, "%v", err)
		}
		return h, false
	}
	return h, true
}

func parseHugoYAML(name string, src []byte, diags *diag.List) (hugoFile, bool) {
	h := hugoFile{values: map[string]any{}, lines: map[string]int{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, msg := probeconfig.YAMLErrorIn(err, src)
		diags.Errorf(name, line, 1, "%s", msg)
		return h, false
	}
	if len(doc.Content) == 0 {
		return h, true
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		diags.Errorf(name, root.Line, root.Column, "a Hugo configuration must be a mapping of keys to values")
		return h, false
	}
	if err := root.Decode(&h.values); err != nil {
		line, msg := diag.YAMLError(err)
		diags.Errorf(name, line, 1, "%s", msg)
		return h, false
	}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := prefix + strings.ToLower(n.Content[i].Value)
			h.lines[key] = n.Content[i].Line
			if n.Content[i+1].Kind == yaml.MappingNode {
				walk(n.Content[i+1], key+".")
			}
		}
	}
	walk(root, "")
	return h, true
}

// tomlKeyLines maps the lower-case dotted key of each "key = value" line to
// its line, following [table] headers. It is a scan rather than a parse,
// good enough to place a problem with a value; quoted keys are taken as
// written.
func tomlKeyLines(src []byte) map[string]int {
	out := map[string]int{}
	table := ""
	for i, l := range strings.Split(string(src), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "[["):
			table = strings.ToLower(strings.Trim(l, "[] ")) + "."
		case strings.HasPrefix(l, "["):
			table = strings.ToLower(strings.Trim(l, "[] ")) + "."
		default:
			if k, _, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
				key := table + strings.ToLower(strings.TrimSpace(k))
				if _, seen := out[key]; !seen {
					out[key] = i + 1
				}
			}
		}
	}
	return out
}

// stringMap returns a decoded table as a map with string keys: TOML and
// yaml.v3 give map[string]any, yaml.v2 map[any]any.
func stringMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[fmt.Sprint(k)] = v
		}
		return out, true
	}
	return nil, false
}
