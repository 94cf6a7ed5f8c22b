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

func TestOpenListAndForget(t *testing.T) {
	kv := Map{}
	a := Open(kv, "INC-1")
	a.SetField("title", "DB down")
	a.SetMeta("timeline", "1\tnote\thello")
	a.SetTick("p#x.0", "2026-11-26T17:42:00Z")
	b := Open(kv, "INC-2")
	Open(kv, "INC-1") // opening again does not list it twice, and moves it last
	assert.Equal(t, []string{"INC-2", "INC-1"}, List(kv))
	assert.Equal(t, "INC-1", Current(kv).ID)
	assert.Equal(t, "DB down", Get(kv, "INC-1").Field("title"))
	assert.Equal(t, "1\tnote\thello", a.Meta("timeline"))

	b.SetField("title", "other")
	var keys []string
	for k := range kv {
		keys = append(keys, k)
	}
	a.Forget(keys)
	assert.Equal(t, []string{"INC-2"}, List(kv))
	assert.Equal(t, DefaultIncident, Current(kv).ID, "forgetting the current incident goes back to the default one")
	assert.Equal(t, Map{"stepcheck:incidents": "INC-2", "stepcheck:INC-2:field:title": "other"}, kv, "nothing of INC-1 is left")
	Open(kv, "INC-22")
	Get(kv, "INC-2").Forget(nil)
	assert.Equal(t, []string{"INC-22"}, List(kv), "an ID that holds another is not confused with it")

	Open(kv, "")
	assert.Equal(t, DefaultIncident, Current(kv).ID)
}
