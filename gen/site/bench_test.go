package site

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
	"github.com/stepcheck/stepcheck/gen/diag"
)

// BenchmarkBuild builds the benchmark corpus in memory, at 450 runbooks and
// at ten times that: load, parse, render and minify. BenchmarkPublish
// measures the disk half. The larger size shows what grows faster than the
// site does.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{450, 4500} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			src := b.TempDir()
			require.NoError(b, corpus.Write(src, n))
			b.ReportAllocs()
			for b.Loop() {
				var diags diag.List
				_, err := Build(context.Background(), Options{Source: src}, &diags)
				require.NoError(b, err, diag.Join(diags.Sorted()))
			}
		})
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

// BenchmarkPublish writes the 450-page corpus's output over a previous
// publish, the disk half of `stepcheck build`.
func BenchmarkPublish(b *testing.B) {
	src := b.TempDir()
	require.NoError(b, corpus.Write(src, 450))
	var diags diag.List
	out, err := Build(context.Background(), Options{Source: src}, &diags)
	require.NoError(b, err)
	dest := b.TempDir() + "/public"
	require.NoError(b, Publish(context.Background(), dest, out.Files))
	for b.Loop() {
		require.NoError(b, Publish(context.Background(), dest, out.Files))
	}
}
