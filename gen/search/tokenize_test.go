package search

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func words(ts []Token) []string {
	var out []string
	for _, t := range ts {
		s := t.Text
		if t.Part {
			s = "~" + s
		}
		out = append(out, s)
	}
	return out
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"docker-compose exec postgres pg_isready -U repairx_user", []string{"docker-compose", "~docker", "~compose", "exec", "postgres", "pg_isready", "~pg", "~isready", "u", "repairx_user", "~repairx", "~user"}},
		{"SHOW max_connections;", []string{"show", "max_connections", "~max", "~connections"}},
		{"redis-cli FLUSHALL", []string{"redis-cli", "~redis", "~cli", "flushall"}},
		{"Validate 2FA bypass", []string{"validate", "2fa", "bypass"}},
		{"--tail=100 /var/log/nginx/access.log", []string{"tail", "100", "var", "log", "nginx", "access", "log"}},
		{"grep \"429\\|403\"", []string{"grep", "429", "403"}},
		{"<SUSPICIOUS_IP>", []string{"suspicious_ip", "~suspicious", "~ip"}},
		{"Ünïcode café", []string{"Ünïcode", "café"}},
		{"", nil},
		{"---", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, words(Tokenize(tt.in)))
		})
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want Query
	}{
		{"pg_isr", Query{Terms: []string{"pg_isready"[:6]}, Prefix: true}},
		{"redis flush ", Query{Terms: []string{"redis", "flush"}}},
		{`"kill idle connections"`, Query{Terms: []string{"kill", "idle", "connections"}}},
		{"a a a", Query{Terms: []string{"a"}, Prefix: true}},
		{`"><img src=x onerror=alert(1)>`, Query{Terms: []string{"img", "src", "x", "onerror", "alert", "1"}, Prefix: false}},
		{"   ", Query{}},
		{"1 2 3 4 5 6 7 8 9 10", Query{Terms: []string{"1", "2", "3", "4", "5", "6", "7", "8"}, Prefix: true}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, ParseQuery(tt.in))
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"pg_isready", "postgress", `"><img src=x>`, "redis-cli flushall ", "2FA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseQuery(s)
		assert.LessOrEqual(t, len(q.Terms), 8)
		for _, term := range q.Terms {
			assert.NotEmpty(t, term)
			assert.LessOrEqual(t, len(term), 64)
		}
		if len(q.Terms) == 0 {
			assert.False(t, q.Prefix)
		}
	})
}
