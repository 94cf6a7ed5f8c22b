package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIncidentScopesState(t *testing.T) {
	kv := Map{}
	inc := Current(kv)
	assert.Equal(t, DefaultIncident, inc.ID)
	inc.SetField("title", "DB down")
	inc.SetVar("SUSPICIOUS_IP", "203.0.113.9")
	inc.SetTick("p#x.0", "2026-11-26T17:42:00Z")
	assert.Equal(t, "DB down", inc.Field("title"))
	assert.Equal(t, "203.0.113.9", inc.Var("SUSPICIOUS_IP"))
	at, ok := inc.Tick("p#x.0")
	assert.True(t, ok)
	assert.Equal(t, "2026-11-26T17:42:00Z", at)

	kv.Set("stepcheck:current", "inc-2")
	next := Current(kv)
	assert.Equal(t, "", next.Field("title"), "another incident starts empty")
	_, ok = next.Tick("p#x.0")
	assert.False(t, ok)

	inc.SetField("title", "")
	inc.SetTick("p#x.0", "")
	assert.Equal(t, Map{"stepcheck:current": "inc-2", "stepcheck:default:var:SUSPICIOUS_IP": "203.0.113.9"}, kv)
}

func TestTaskKey(t *testing.T) {
	a := TaskKey("/p/", "Check  recent\ndeployments", 0)
	assert.Equal(t, a, TaskKey("/p/", "Check recent deployments", 0), "whitespace does not change the key")
	assert.NotEqual(t, a, TaskKey("/p/", "Check recent deployments", 1))
	assert.NotEqual(t, a, TaskKey("/q/", "Check recent deployments", 0))
}
