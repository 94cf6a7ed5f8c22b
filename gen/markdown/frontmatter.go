package markdown

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// tomlFrontMatter is Hugo's TOML front matter, between "+++" lines.
// goldmark-meta reads only YAML, so Convert reads TOML itself.
type tomlFrontMatter struct {
	meta  map[string]any
	lines map[string]int
	// body is the source with the front matter blanked out: every byte but
	// the line ends becomes a space, so goldmark sees blank lines and every
	// offset after the front matter is still an offset into the page.
	body    []byte
	problem *diag.Problem
}

// readTOML reads TOML front matter from the start of src. ok is false when
// src does not start with a "+++" line.
func readTOML(src []byte) (fm tomlFrontMatter, ok bool) {
	first, rest, found := bytes.Cut(src, []byte("\n"))
	if !found || string(bytes.TrimRight(first, " \t\r")) != "+++" {
		return fm, false
	}
	start := len(first) + 1 // the TOML starts on the line after "+++"
	end := -1               // the offset of the closing "+++" line
	for at := start; at < len(src); {
		line := rest
		next := bytes.IndexByte(rest, '\n')
		if next >= 0 {
			line = rest[:next]
		}
		if string(bytes.TrimRight(line, " \t\r")) == "+++" {
			end = at
			break
		}
		if next < 0 {
			break
		}
		at += next + 1
		rest = rest[next+1:]
	}
	if end < 0 {
		fm.problem = &diag.Problem{Offset: 0, Message: "front matter: the opening +++ has no closing +++ line"}
		fm.body = src
		return fm, true
	}
	stop := len(src) // the end of the closing "+++" line
	if nl := bytes.IndexByte(src[end:], '\n'); nl >= 0 {
		stop = end + nl
	}
	fm.body = bytes.Clone(src)
	for i := 0; i < stop; i++ {
		if fm.body[i] != '\n' {
			fm.body[i] = ' '
		}
	}
	tomlSrc := src[start:end]
	fm.lines = frontMatterKeyLines(tomlSrc, 1) // keys' lines count the opening "+++"
	meta := map[string]any{}
	if _, err := toml.Decode(string(tomlSrc), &meta); err != nil {
		var pe toml.ParseError
		at := start
		msg := err.Error()
		if errors.As(err, &pe) {
			at, msg = start+pe.Position.Start, pe.Message
		}
		fm.problem = &diag.Problem{Offset: at, Message: "front matter: " + msg}
		return fm, true
	}
	fm.meta = meta
	return fm, true
}

// frontMatterKeyLines maps each top-level key of YAML ("key: value") or TOML
// ("key = value") front matter to its line. skip is the number of lines
// before src in the page. It is a scan rather than a parse, good enough to
// place a problem with a value.
func frontMatterKeyLines(src []byte, skip int) map[string]int {
	out := map[string]int{}
	for i, l := range strings.Split(string(src), "\n") {
		if l == "" || l[0] == ' ' || l[0] == '\t' || l[0] == '#' || l[0] == '-' {
			continue
		}
		if l[0] == '[' {
			break // a TOML table: what follows is not top-level
		}
		k, _, ok := strings.Cut(l, ":")
		if tk, _, tok := strings.Cut(l, "="); tok && (!ok || len(tk) < len(k)) {
			k, ok = tk, true
		}
		if ok {
			k = strings.Trim(strings.TrimSpace(k), `"'`)
			if _, seen := out[k]; !seen {
				out[k] = i + 1 + skip
			}
		}
	}
	return out
}

// yamlFrontMatter finds YAML front matter as goldmark-meta reads it: a first
// line of "---", then every line up to the next line made of dashes. ok is
// false when src does not open with "---"; closed is false when nothing
// closes it, and goldmark-meta would then read the whole page as YAML.
// start is the offset of the YAML's first byte.
func yamlFrontMatter(src []byte) (yamlSrc []byte, start int, closed, ok bool) {
	first, rest, found := bytes.Cut(src, []byte("\n"))
	if string(bytes.TrimSpace(first)) != "---" {
		return nil, 0, false, false
	}
	start = len(first) + 1
	if !found {
		return nil, start, false, true
	}
	for at := start; len(rest) > 0; {
		line, next, _ := bytes.Cut(rest, []byte("\n"))
		if t := bytes.TrimSpace(line); len(t) > 0 && len(bytes.Trim(t, "-")) == 0 {
			return src[start:at], start, true, true
		}
		at += len(line) + 1
		rest = next
	}
	return nil, start, false, true
}

// yamlProblems reports front matter that would lose text: an opening "---"
// that nothing closes, and keys given twice in one mapping (goldmark-meta
// keeps the last silently; Hugo refuses the page). body is src with an
// unclosed opening line blanked, so the page is read as Markdown.
func yamlProblems(src []byte) (body []byte, problems []diag.Problem) {
	yamlSrc, start, closed, ok := yamlFrontMatter(src)
	if !ok {
		return src, nil
	}
	if !closed {
		body = bytes.Clone(src)
		for i := 0; i < start-1; i++ {
			body[i] = ' '
		}
		return body, []diag.Problem{{Message: "front matter: the opening --- has no closing --- line, so the whole page would be read as front matter"}}
	}
	var root yaml.Node
	if yaml.Unmarshal(yamlSrc, &root) != nil {
		return src, nil // goldmark-meta reports the syntax error
	}
	offset := func(n *yaml.Node) int {
		// yaml.v3 counts lines and columns from 1 within yamlSrc.
		lineStart := 0
		for l := 1; l < n.Line; l++ {
			nl := bytes.IndexByte(yamlSrc[lineStart:], '\n')
			if nl < 0 {
				break
			}
			lineStart += nl + 1
		}
		return start + lineStart + max(n.Column-1, 0)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			seen := map[string]*yaml.Node{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if prev, dup := seen[k.Value]; dup && k.Kind == yaml.ScalarNode {
					// The page's line counts the opening "---".
					problems = append(problems, diag.Problem{Offset: offset(k), Message: fmt.Sprintf(
						"front matter: key %q is given twice (first on line %d); keep one", k.Value, prev.Line+1)})
				}
				seen[k.Value] = k
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	return src, problems
}
