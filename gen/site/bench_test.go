package site

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
	"github.com/stepcheck/stepcheck/gen/diag"
)

// BenchmarkBuild builds the 450-page benchmark corpus in memory and
// publishes it, as `stepcheck build` does.
func BenchmarkBuild(b *testing.B) {
	src := b.TempDir()
	require.NoError(b, corpus.Write(src, 450))
	dest := b.TempDir() + "/public"
	b.ReportAllocs()
	for b.Loop() {
		var diags diag.List
		out, err := Build(context.Background(), Options{Source: src}, &diags)
		require.NoError(b, err, diag.Join(diags.Sorted()))
		require.NoError(b, Publish(dest, out.Files))
	}
}

func TestCorpusBuildsClean(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, corpus.Write(src, 30))
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: src}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	require.Empty(t, diags.Sorted())
	require.Equal(t, 30+2+1, out.Pages, "30 runbooks, 2 sections and the home page")
}
