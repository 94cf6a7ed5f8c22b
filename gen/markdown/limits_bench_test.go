package markdown

import (
	"strings"
	"testing"
)

// hostilePages are pages made to be slow, each just within the limits:
// what one bad file can cost a build at most (see BENCHMARKS.md).
func hostilePages() map[string]string {
	n := MaxPageBytes - 16 // room for a table's head
	fill := func(unit string) string { return strings.Repeat(unit, n/len(unit)) }
	nested := func(depth int) string {
		var b strings.Builder
		for i := 0; b.Len() < n-4*depth && i < MaxContainers; i++ {
			b.WriteString(strings.Repeat("  ", i%depth) + "- x\n")
		}
		return b.String()
	}
	return map[string]string{
		"brackets":   fill("["),
		"emphasis":   fill("*a "),
		"links":      fill("[a](b) "),
		"tags":       fill("<a "),
		"table":      "|a|b|\n|-|-|\n" + fill("|x|y|\n"),
		"paragraphs": fill("word word word word\n"),
		"lists":      nested(MaxNesting / 2),
		"quotes":     strings.Repeat(strings.Repeat(">", MaxNesting)+" x\n", MaxContainers/MaxNesting),
	}
}

// BenchmarkHostilePage converts each hostile page; the refusals of pages
// beyond the limits are measured by BenchmarkRefusedPage.
func BenchmarkHostilePage(b *testing.B) {
	c := New(Options{})
	for name, src := range hostilePages() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				doc, err := c.Convert("p.md", []byte(src))
				if err != nil || len(doc.Diagnostics) > 0 && doc.HTML == nil {
					b.Fatalf("refused within the limits: %v %v", err, doc.Diagnostics)
				}
			}
		})
	}
}

// BenchmarkRefusedPage is a 50 MB page and a deep nest: refused unparsed.
func BenchmarkRefusedPage(b *testing.B) {
	c := New(Options{})
	for name, src := range map[string]string{
		"50MB":        strings.Repeat("a\n", 25<<20),
		"deep-quotes": strings.Repeat(">", MaxPageBytes),
		"deep-lists":  strings.Repeat("- ", MaxPageBytes/2),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				doc, _ := c.Convert("p.md", []byte(src))
				if len(doc.Diagnostics) != 1 {
					b.Fatal("not refused")
				}
			}
		})
	}
}
