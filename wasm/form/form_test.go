package form

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stepcheck/stepcheck/wasm/widget"
)

var sevs = []string{"SEV-1", "SEV-2", "SEV-3", "SEV-4"}

func TestFields(t *testing.T) {
	fs := Fields(sevs, []Field{{Name: "status", Type: "select"}, {Name: "next_steps", Type: "long"}, {Name: "probe.api", Type: "auto"}})
	var names, labels []string
	for _, f := range fs {
		names = append(names, f.Name)
		labels = append(labels, f.Label)
	}
	assert.Equal(t, []string{"title", "severity", "status", "impact", "eta", "commander", "started", "next_steps", "probe.api"}, names)
	assert.Equal(t, "Incident commander", labels[5])
	assert.Equal(t, "Next steps", labels[7])
	assert.Equal(t, "Status of api", labels[8])
	assert.True(t, fs[8].Auto())
}

func TestClean(t *testing.T) {
	assert.Equal(t, "a\tb\nc", Clean("a\tb\nc\x00\x1b\u0085"))
	assert.Len(t, Clean(strings.Repeat("x", MaxValue+5000)), MaxValue)
}

func TestFill(t *testing.T) {
	parts := []Part{{Text: "🚨 "}, {Field: "severity"}, {Text: " INCIDENT: "}, {Field: "title"}, {Text: "\n- ETA: "}, {Field: "eta"}}
	got := Fill(parts, map[string]string{"severity": "SEV-1", "title": "<b>Checkout</b> & payments"})
	assert.Equal(t, "🚨 SEV-1 INCIDENT: <b>Checkout</b> & payments\n- ETA: {{eta}}", got,
		"values are copied as typed, and an empty field keeps its placeholder")
}

func TestVarText(t *testing.T) {
	assert.Equal(t, "<SUSPICIOUS_IP>", VarText("SUSPICIOUS_IP", "  "))
	assert.Equal(t, "203.0.113.9", VarText("SUSPICIOUS_IP", " 203.0.113.9 "))
}

func TestElapsed(t *testing.T) {
	assert.Equal(t, "0 s", Elapsed(-5))
	assert.Equal(t, "59 s", Elapsed(59_999))
	assert.Equal(t, "12 min", Elapsed(12*60_000+30_000))
	assert.Equal(t, "59 min", Elapsed(3_599_999))
	assert.Equal(t, "1 h", Elapsed(3_600_000))
	assert.Equal(t, "1 h 05 min", Elapsed(65*60_000))
	assert.Equal(t, "72 h", Elapsed(72*3_600_000))
}

// TestStandardIsTheContract checks that the form's own list of the
// built-in fields is widget.Fields, which gen knows them by.
func TestStandardIsTheContract(t *testing.T) {
	var want []Field
	for _, f := range widget.Fields(sevs) {
		want = append(want, Field{Name: f.Name, Type: f.Type, Options: f.Options})
	}
	assert.Equal(t, want, Standard(sevs))
	Standard(sevs)[2].Options[0] = "changed"
	assert.Equal(t, widget.Statuses(), Standard(sevs)[2].Options, "each call has its own options")
}
