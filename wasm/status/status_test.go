package status

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

func TestTransitions(t *testing.T) {
	var p Probe
	assert.Equal(t, View{State: Unchecked, Badge: "not checked"}, p.View(0))

	assert.True(t, p.Start())
	assert.False(t, p.Start(), "a second tap while checking sends nothing")
	assert.True(t, p.View(0).Busy)

	p.Finish(api.Result{ID: "db", Status: api.StatusDown, LatencyMS: 812, AgeMS: 1500, Detail: "bad answer", Conditions: []api.Condition{
		{Condition: "[STATUS] == 200", Result: "[STATUS] (503) == 200", Success: false},
		{Condition: "[RESPONSE_TIME] < 2s", Result: "[RESPONSE_TIME] (812ms) < 2s", Success: true},
	}}, 10_000)
	assert.Equal(t, View{State: Down, Badge: "down", Latency: "812 ms", Checked: "checked 5 s ago", Detail: "bad answer",
		Failing: []string{"[STATUS] (503) == 200"}}, p.View(13_500))

	assert.True(t, p.Start())
	p.Fail(false, "network error")
	v := p.View(70_000)
	assert.Equal(t, Unreachable, v.State)
	assert.Equal(t, "probe API unreachable", v.Badge)
	assert.Equal(t, "checked 1 min ago", v.Checked, "the last known result stays visible")
	assert.Equal(t, "network error", v.Detail)

	p.Fail(true, "")
	assert.Equal(t, "offline", p.View(0).Badge)

	p.Finish(api.Result{Status: "exploded"}, 0)
	assert.Equal(t, Unknown, p.Status(), "an unexpected status is unknown, never up")
}

func TestAgo(t *testing.T) {
	for _, tt := range []struct {
		ms   float64
		want string
	}{{-500, "just now"}, {999, "just now"}, {4000, "4 s ago"}, {59_999, "59 s ago"}, {60_000, "1 min ago"}, {7_200_000, "2 h ago"}, {7_500_000, "2 h 05 min ago"}, {3 * 86_400_000, "72 h ago"}} {
		assert.Equal(t, tt.want, Ago(tt.ms), "%v ms", tt.ms)
	}
}
