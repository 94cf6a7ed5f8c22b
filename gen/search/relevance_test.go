package search_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/search"
	"github.com/stepcheck/stepcheck/gen/site"
)

// repairx builds the shipped RepairX site and opens its search index.
func repairx(t testing.TB) *search.Index {
	t.Helper()
	var diags diag.List
	out, err := site.Build(context.Background(), site.Options{Source: "../.."}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	files, entry, err := out.SearchFiles()
	require.NoError(t, err)
	require.NotEmpty(t, entry)
	ix, err := search.Open(files, entry)
	require.NoError(t, err)
	return ix
}

// TestRelevance: what a responder types, and the page#section that must
// come first or within the top 3.
func TestRelevance(t *testing.T) {
	ix := repairx(t)
	tests := []struct {
		query string
		want  string
		top   int
	}{
		// Commands.
		{"pg_isready", "/procedures/database/#check-postgresql-status", 3},
		{"flushall", "/procedures/high-latency/#cache-warming-for-cold-redis", 1},
		{"redis-cli ping", "/procedures/service-down/#check-redis-connectivity", 3},
		{"max_connections", "/procedures/database/#check-max-connections-limit", 1},
		{"iptables", "/procedures/security-incident/#block-suspicious-ips", 1},
		{"pg_terminate_backend", "/procedures/database/#if-connection-limit-reached", 1},
		{"docker system prune", "/procedures/service-down/#if-disk-space-issues", 1},
		{"promtool", "/procedures/monitoring/#check-configuration-syntax", 1},
		// Error words and symptoms.
		{"2FA", "/procedures/security-incident/#validate-2fa-bypass-attempts", 1},
		{"blocked locks", "/procedures/database/#check-locks", 3},
		{"disk full", "/procedures/monitoring/#clear-elasticsearch-indices-if-disk-full", 3},
		{"data exfiltration", "/procedures/security-incident/#check-for-data-exfiltration", 1},
		// Typos.
		{"postgress status", "/procedures/database/#check-postgresql-status", 3},
		{"elasticsaerch health", "/procedures/monitoring/#check-elasticsearch-health", 3},
		{"grafanna", "/procedures/monitoring/", 3},
		// Multi-word and prefixes.
		{"status page update", "/process/communication/", 3},
		{"postmortem template", "/process/post-incident/#postmortem-template", 3},
		{"escalation chain", "/#critical-escalation-chain", 1},
		{"restart prom", "/procedures/monitoring/#restart-prometheus", 3},
		{"key personnel", "/procedures/emergency/#key-personnel-unavailable", 1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits := ix.Find(tt.query, 10)
			var got []string
			for _, h := range hits {
				got = append(got, h.URL)
			}
			found := -1
			for i, u := range got {
				if u == tt.want || (strings.HasSuffix(tt.want, "/") && strings.HasPrefix(u, tt.want)) {
					found = i
					break
				}
			}
			assert.True(t, found >= 0 && found < tt.top, "want %s in the top %d, got %v", tt.want, tt.top, got[:min(len(got), 5)])
		})
	}
}

func TestTyposRankBelowExactHits(t *testing.T) {
	ix := repairx(t)
	hits := ix.Find("redis ", 50)
	require.NotEmpty(t, hits)
	for _, h := range hits[:3] {
		assert.Contains(t, h.Terms, "redis", "exact hits come first")
	}
	assert.Empty(t, ix.Find("zzzzqqq", 10))
}

func BenchmarkQuery(b *testing.B) {
	ix := repairx(b)
	queries := []string{"pg_isready", "postgress status", "restart prom", "status page update", "2fa"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ix.Find(queries[i%len(queries)], 10)
	}
}

// BenchmarkQueryCorpus queries the index of the 450-page benchmark corpus.
func BenchmarkQueryCorpus(b *testing.B) {
	src := b.TempDir()
	require.NoError(b, corpus.Write(src, 450))
	var diags diag.List
	out, err := site.Build(context.Background(), site.Options{Source: src}, &diags)
	require.NoError(b, err)
	files, entry, err := out.SearchFiles()
	require.NoError(b, err)
	ix, err := search.Open(files, entry)
	require.NoError(b, err)
	queries := []string{"redis-cli", "replication lag", "restart gatew", "certifcate expiry", "docker-compose logs"}
	for i := 0; b.Loop(); i++ {
		ix.Find(queries[i%len(queries)], 10)
	}
}
