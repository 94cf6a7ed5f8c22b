// Package store keeps the state of the current incident in a key-value
// store (the browser's localStorage): field values, command-variable values
// and checklist ticks with their times. Every key is scoped by the incident
// ID, so one incident's facts never leak into the next.
package store

import (
	"strconv"
	"strings"
)

// KV is the storage the glue provides: localStorage in the browser, a map
// in tests.
type KV interface {
	Get(key string) (string, bool)
	Set(key, value string)
	Remove(key string)
}

// Map is an in-memory KV.
type Map map[string]string

var _ KV = Map(nil)

// Get implements KV.
func (m Map) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }

// Set implements KV.
func (m Map) Set(k, v string) { m[k] = v }

// Remove implements KV.
func (m Map) Remove(k string) { delete(m, k) }

const (
	prefix     = "stepcheck:"
	currentKey = prefix + "current"
	// DefaultIncident holds state before any incident is started explicitly.
	DefaultIncident = "default"
)

// Incident is the state of one incident.
type Incident struct {
	kv KV
	ID string
}

// Current returns the current incident.
func Current(kv KV) Incident {
	id, ok := kv.Get(currentKey)
	if !ok || id == "" {
		id = DefaultIncident
	}
	return Incident{kv: kv, ID: id}
}

func (i Incident) key(kind, name string) string {
	return prefix + i.ID + ":" + kind + ":" + name
}

// Field returns a form field's value.
func (i Incident) Field(name string) string {
	v, _ := i.kv.Get(i.key("field", name))
	return v
}

// SetField stores a form field's value; an empty value removes it.
func (i Incident) SetField(name, value string) {
	if value == "" {
		i.kv.Remove(i.key("field", name))
		return
	}
	i.kv.Set(i.key("field", name), value)
}

// Var returns a command variable's value.
func (i Incident) Var(name string) string {
	v, _ := i.kv.Get(i.key("var", name))
	return v
}

// SetVar stores a command variable's value; an empty value removes it.
func (i Incident) SetVar(name, value string) {
	if value == "" {
		i.kv.Remove(i.key("var", name))
		return
	}
	i.kv.Set(i.key("var", name), value)
}

// Tick returns when a checklist item was ticked (an ISO 8601 time), and
// whether it is ticked.
func (i Incident) Tick(task string) (string, bool) {
	return i.kv.Get(i.key("task", task))
}

// SetTick ticks a checklist item at the time given, or unticks it when at
// is empty.
func (i Incident) SetTick(task, at string) {
	if at == "" {
		i.kv.Remove(i.key("task", task))
		return
	}
	i.kv.Set(i.key("task", task), at)
}

// TaskKey names a checklist item stably: by its page, its text and which
// occurrence of that text it is. Adding an item elsewhere on the page does
// not move another item's tick; only editing an item's own text does.
func TaskKey(page, text string, occurrence int) string {
	text = strings.Join(strings.Fields(text), " ")
	return page + "#" + strconv.FormatUint(uint64(fnv32(text)), 36) + "." + strconv.Itoa(occurrence)
}

// fnv32 is FNV-1a; hash/fnv would cost the wasm more than these lines.
func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
