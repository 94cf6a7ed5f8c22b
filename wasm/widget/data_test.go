package widget_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/markdown/commtmpl"
	"github.com/stepcheck/stepcheck/gen/render"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// TestPageDataKeys checks that the page data gen writes (render.Widgets,
// with every value set) has exactly the keys the contract names: those of
// the page, of a field and of a target.
func TestPageDataKeys(t *testing.T) {
	data := render.Widgets{
		Probes:     []string{"web-live"},
		Fields:     []commtmpl.Field{{Name: "cause", Type: commtmpl.Type{Name: widget.TypeSelect, Options: []string{"a", "b"}}, Typed: true, Offset: 3}},
		Vars:       []string{"HOST"},
		Severities: []string{"SEV-1"},
		Tasks:      2,
		Targets:    []render.Target{{ID: "SEV-1", Respond: 1, Resolve: 2, Internal: 3, StatusPage: 4}},
		Postmortem: "/process/post-incident/#tpl-postmortem",
	}
	b, err := json.Marshal(data)
	require.NoError(t, err)
	var page map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &page))
	var fields, targets []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(page[widget.KeyFields], &fields))
	require.NoError(t, json.Unmarshal(page[widget.KeyTargets], &targets))

	// KeyFieldName is a field's, KeyFields the page's.
	pageKeys, field, target := map[string]string{}, map[string]string{}, map[string]string{}
	for name, v := range constants(t, "Key") {
		switch {
		case strings.HasPrefix(name, "KeyField") && name != "KeyFields":
			field[name] = v
		case strings.HasPrefix(name, "KeyTarget") && name != "KeyTargets":
			target[name] = v
		default:
			pageKeys[name] = v
		}
	}
	assert.Equal(t, values(pageKeys), keys(page), "the page data's keys")
	assert.Equal(t, values(field), keys(fields[0]), "a field's keys")
	assert.Equal(t, values(target), keys(targets[0]), "a target's keys")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestFields checks that the built-in fields are what commtmpl knows
// without a declaration, beside the automatic ones, and that each call
// returns slices of its own.
func TestFields(t *testing.T) {
	builtins := commtmpl.Builtins([]string{"SEV-1"})
	fields := widget.Fields([]string{"SEV-1"})
	assert.Len(t, builtins, len(fields)+2, "the fields and now, elapsed")
	for _, f := range fields {
		assert.Equal(t, commtmpl.Type{Name: f.Type, Options: f.Options}, builtins[f.Name], f.Name)
	}
	assert.Equal(t, commtmpl.Type{Name: widget.TypeAuto}, builtins[widget.FieldNow])
	assert.Equal(t, commtmpl.Type{Name: widget.TypeAuto}, builtins[widget.FieldElapsed])

	widget.Statuses()[0] = "changed"
	fields[2].Options[0] = "changed"
	assert.Equal(t, "Investigating", widget.Statuses()[0])
	assert.Equal(t, "Investigating", widget.Fields(nil)[2].Options[0])
}
