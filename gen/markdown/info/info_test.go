package info

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want String
	}{
		{"bash", String{Lang: "bash"}},
		{"bash probe=backend-live,frontend-health", String{Lang: "bash", Attrs: []Attr{{"probe", "backend-live,frontend-health", 5}}}},
		{`template id=start title="Incident start"`, String{Lang: "template", Attrs: []Attr{{"id", "start", 9}, {"title", "Incident start", 18}}}},
		{`template title="say \"hi\""`, String{Lang: "template", Attrs: []Attr{{"title", `say "hi"`, 9}}}},
		{"probe=x", String{Attrs: []Attr{{"probe", "x", 0}}}},
		{"bash {.numberLines} probe=x", String{Lang: "bash", Attrs: []Attr{{"probe", "x", 20}}}},
		{"", String{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	_, err := Parse(`template title="open`)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 9, e.Offset)
	assert.Equal(t, "the quoted value of title= is not closed", e.Msg)

	_, err = Parse(`bash =x`)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 5, e.Offset)
}

func FuzzParse(f *testing.F) {
	f.Add(`template id=a title="b c"`)
	f.Add(`bash probe=a,b`)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		var e *Error
		if err != nil {
			require.ErrorAs(t, err, &e)
			assert.True(t, e.Offset >= 0 && e.Offset <= len(s))
		}
		for _, a := range got.Attrs {
			assert.True(t, a.Offset >= 0 && a.Offset < len(s))
		}
	})
}
