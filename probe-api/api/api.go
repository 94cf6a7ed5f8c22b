// Package api holds the probe API's wire types and paths.
//
// It imports nothing at all, not even time, because
// the browser widgets (GOOS=js GOARCH=wasm) import it and every import counts
// against the wasm size budget. It has no fmt and no net/http on purpose.
package api

// Status is the outcome of one probe check.
type Status string

// The four statuses a Result can carry. A check that ran and whose expect
// conditions all hold is up; one whose warn conditions fail is degraded; one
// whose expect conditions fail, or that errored against its target (refused,
// timed out, bad answer), is down. Unknown means the check could not run at
// all, for example because the server was saturated or failed internally, and
// says nothing about the target.
const (
	StatusUp       Status = "up"
	StatusDegraded Status = "degraded"
	StatusDown     Status = "down"
	StatusUnknown  Status = "unknown"
)

// Severity says which list a condition came from: a failing expect condition
// makes a probe down, a failing warn condition makes it degraded.
type Severity string

// The two condition severities.
const (
	SeverityExpect Severity = "expect"
	SeverityWarn   Severity = "warn"
)

// TimeFormat is the layout of Result.CheckedAt for Go's time package:
// RFC 3339 in UTC with as many fractional digits as needed (Go's
// RFC3339Nano). Full precision lets servers compute a result's age exactly
// from the string alone.
const TimeFormat = "2006-01-02T15:04:05.999999999Z07:00"

// PathProbes is the path of the catalogue listing (GET).
const PathProbes = "/api/v1/probes"

// PathHealth is the path of the liveness endpoint (GET).
const PathHealth = "/healthz"

// PathMetrics is the path of the Prometheus metrics endpoint (GET).
const PathMetrics = "/metrics"

// TriggerQuery is the query a check request carries when the widgets send
// it on their own (when a page opens, and on auto-refresh) rather than on a
// tap of Check now, so that the audit can tell them apart.
const TriggerQuery = "?trigger=auto"

// CheckPath returns the path to POST to check the probe with the given ID.
// It does not validate id; callers pass IDs that came from the catalogue.
func CheckPath(id string) string {
	return PathProbes + "/" + id + "/check"
}

// ValidID reports whether id is a well-formed probe ID: a lowercase letter or
// digit, then lowercase letters, digits and hyphens, 64 bytes at most.
func ValidID(id string) bool {
	if id == "" || len(id) > 64 || id[0] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Probe is the public description of one probe: what GET /api/v1/probes lists
// and what pages show. It never carries a target or a secret.
type Probe struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Service     string `json:"service,omitempty"`
	Type        string `json:"type"`
}

// ProbeList is the body of GET /api/v1/probes.
type ProbeList struct {
	Probes []Probe `json:"probes"`
}

// Condition is one evaluated condition of a Result.
type Condition struct {
	// Condition is the condition as written in the catalogue, e.g.
	// "[STATUS] == 200".
	Condition string `json:"condition"`
	// Result is the condition with the actual value shown, e.g.
	// "[STATUS] (503) == 200", or "[BODY].status (missing) == ok".
	Result   string   `json:"result"`
	Success  bool     `json:"success"`
	Severity Severity `json:"severity"`
}

// Result is the body of POST /api/v1/probes/{id}/check.
type Result struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// LatencyMS is how long the check took against its target.
	LatencyMS int64 `json:"latency_ms"`
	// CheckedAt is when the check finished, in UTC, formatted with
	// TimeFormat. It is a string, not a time.Time, because importing the
	// time package costs the browser widgets 35 KB of their 500 KB budget.
	CheckedAt string `json:"checked_at"`
	// AgeMS is how old the result was when it was served: 0 for a fresh run,
	// up to the cache window for a cached one.
	AgeMS int64 `json:"age_ms"`
	// Detail is a short, safe, human explanation, e.g. "connection refused"
	// or "1 backend blocked; blocked by pid 4242".
	Detail     string      `json:"detail,omitempty"`
	Conditions []Condition `json:"conditions"`
}

// Error is the body of every non-2xx response. Message is safe to show to a
// person; it never contains a target, a DSN or a secret.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"error"`
}
