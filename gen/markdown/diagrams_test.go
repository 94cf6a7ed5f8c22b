package markdown

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDiagramsAreCounted checks what a page with Mermaid diagrams tells the
// site: how many it has (so only such pages load the diagram library), that
// a <NAME> in a diagram is no command variable, that a diagram may name
// probes like any code block, and that its labels are searchable.
func TestDiagramsAreCounted(t *testing.T) {
	src, err := os.ReadFile("testdata/mermaid.md")
	require.NoError(t, err)
	doc, err := testConverter().Convert("mermaid.md", src)
	require.NoError(t, err)
	assert.Empty(t, doc.Diagnostics)
	assert.Equal(t, 3, doc.Diagrams, "the empty block is plain code")
	assert.Equal(t, []string{"HOST"}, doc.Vars, "TEAM_LEAD is a diagram label")
	require.Len(t, doc.Probes, 1)
	assert.Equal(t, "backend-live", doc.Probes[0].ID)
	require.Len(t, doc.Sections, 2)
	assert.Contains(t, doc.Sections[0].Text, "alert[Alert fires] --> ack{Acked in 5 min?}")
	assert.Contains(t, doc.Sections[1].Text, `"deploys" : 7`)

	plain, err := testConverter().Convert("p.md", []byte("```sh\necho mermaid\n```\n"))
	require.NoError(t, err)
	assert.Zero(t, plain.Diagrams)
}
