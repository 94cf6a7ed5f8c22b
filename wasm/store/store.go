// Package store keeps the state of incidents in a key-value store (the
// browser's localStorage): field values, command-variable values, checklist
// ticks with their times, and the incident's own records (package incident
// keeps its times there). Every key is scoped by the incident ID, so one
// incident's facts never leak into the next. It also keeps which incident is
// current and the list of incidents kept on the device, and forgets one.
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
	listKey    = prefix + "incidents"
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

func (i Incident) get(kind, name string) string {
	v, _ := i.kv.Get(i.key(kind, name))
	return v
}

// set stores a value; an empty value removes it.
func (i Incident) set(kind, name, value string) {
	if value == "" {
		i.kv.Remove(i.key(kind, name))
		return
	}
	i.kv.Set(i.key(kind, name), value)
}

// Field returns a form field's value.
func (i Incident) Field(name string) string { return i.get("field", name) }

// SetField stores a form field's value; an empty value removes it.
func (i Incident) SetField(name, value string) { i.set("field", name, value) }

// Var returns a command variable's value.
func (i Incident) Var(name string) string { return i.get("var", name) }

// SetVar stores a command variable's value; an empty value removes it.
func (i Incident) SetVar(name, value string) { i.set("var", name, value) }

// Meta returns one of the incident's own records (its timeline, when it
// was opened and ended), as the incident package encodes them.
func (i Incident) Meta(name string) string { return i.get("meta", name) }

// SetMeta stores a record; an empty value removes it.
func (i Incident) SetMeta(name, value string) { i.set("meta", name, value) }

// Tick returns when a checklist item was ticked (an ISO 8601 time), and
// whether it is ticked.
func (i Incident) Tick(task string) (string, bool) {
	return i.kv.Get(i.key("task", task))
}

// SetTick ticks a checklist item at the time given, or unticks it when at
// is empty.
func (i Incident) SetTick(task, at string) { i.set("task", task, at) }

// Open makes the incident id current and lists it last among the incidents
// kept on this device, which List returns in the order they were last
// opened. An empty id goes back to the default incident.
func Open(kv KV, id string) Incident {
	if id == "" || id == DefaultIncident {
		kv.Remove(currentKey)
		return Incident{kv: kv, ID: DefaultIncident}
	}
	kv.Set(currentKey, id)
	kv.Set(listKey, Incident{kv: kv, ID: id}.unlist()+" "+id)
	return Incident{kv: kv, ID: id}
}

// unlist takes the incident out of List, and returns the list left.
func (i Incident) unlist() string {
	v, _ := i.kv.Get(listKey)
	v = strings.TrimSpace(strings.ReplaceAll(" "+v+" ", " "+i.ID+" ", " "))
	i.kv.Set(listKey, v)
	return v
}

// Get returns the incident id, current or not.
func Get(kv KV, id string) Incident { return Incident{kv: kv, ID: id} }

// List returns the incidents kept on this device, oldest first. The default
// incident is never listed.
func List(kv KV) []string {
	v, _ := kv.Get(listKey)
	return strings.Fields(v)
}

// Forget removes everything kept about the incident: its fields, variables,
// ticks and records, and its place in List. keys are every key of the KV
// (localStorage can list them; the KV interface does not). If the incident
// is current, the default incident becomes current.
func (i Incident) Forget(keys []string) {
	for _, k := range keys {
		if strings.HasPrefix(k, prefix+i.ID+":") {
			i.kv.Remove(k)
		}
	}
	i.unlist()
	if Current(i.kv).ID == i.ID {
		i.kv.Remove(currentKey)
	}
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
