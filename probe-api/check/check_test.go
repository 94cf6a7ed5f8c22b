package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// fakeType is a Type whose checker runs check, for testing the runner. It
// has a URL and a DSN field, whose secrets the runner must redact.
type fakeType struct {
	check func(ctx context.Context) (*Observation, error)
}

var _ Type = (*fakeType)(nil)

func (f *fakeType) Fields() config.Schema {
	return config.Schema{"dsn": config.DSN, "headers": config.Headers}
}
func (f *fakeType) New(*config.Probe) (Checker, error) { return Func(f.check), nil }

func probe(t *testing.T, fields string, fn func(ctx context.Context) (*Observation, error)) *Probe {
	t.Helper()
	return probeEnv(t, fields, nil, fn)
}

func probeEnv(t *testing.T, fields string, env map[string]string, fn func(ctx context.Context) (*Observation, error)) *Probe {
	t.Helper()
	cat, err := config.Parse("t.yaml", []byte("probes:\n  p:\n    type: fake\n"+fields), func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRegistry()
	r.Add("fake", &fakeType{check: fn})
	set, err := r.Build(cat)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := set.Probe("p")
	return p
}

func TestStatuses(t *testing.T) {
	conds := "    expect: [\"[N] < 10\"]\n    warn: [\"[N] < 5\"]\n"
	obs := func(n float64) func(context.Context) (*Observation, error) {
		return func(context.Context) (*Observation, error) {
			return NewObservation().Set("N", condition.Number(n)), nil
		}
	}
	tests := []struct {
		name string
		fn   func(context.Context) (*Observation, error)
		want api.Status
	}{
		{"up", obs(1), api.StatusUp},
		{"degraded", obs(7), api.StatusDegraded},
		{"down", obs(12), api.StatusDown},
		{"error is down even when conditions hold", func(context.Context) (*Observation, error) {
			return NewObservation().Set("N", condition.Number(1)), syscall.ECONNREFUSED
		}, api.StatusDown},
		{"not run is unknown", func(context.Context) (*Observation, error) {
			return nil, fmt.Errorf("%w: no slot", ErrNotRun)
		}, api.StatusUnknown},
		{"panic is unknown", func(context.Context) (*Observation, error) { panic("boom") }, api.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := probe(t, conds, tt.fn).Run(context.Background())
			if res.Status != tt.want || res.ID != "p" || len(res.Conditions) != 2 {
				t.Errorf("got %+v, want %s", res, tt.want)
			}
		})
	}
}

func TestRunResultShape(t *testing.T) {
	p := probe(t, "    warn: [\"[RESPONSE_TIME] < 1h\"]\n", func(context.Context) (*Observation, error) {
		o := NewObservation()
		o.Detail = "fine"
		return o, nil
	})
	res, err := p.Run(context.Background())
	if err != nil || res.Status != api.StatusUp || res.Detail != "fine" || !strings.HasSuffix(res.CheckedAt, "Z") {
		t.Errorf("result %+v %v", res, err)
	}
	// [RESPONSE_TIME] is filled in by the runner when the checker did not.
	if c := res.Conditions[0]; !c.Success || c.Severity != api.SeverityWarn || !strings.HasPrefix(c.Result, "[RESPONSE_TIME] (") {
		t.Errorf("condition %+v", c)
	}
	res, err = p.NotRun("too busy", errors.New("x"))
	if res.Status != api.StatusUnknown || res.Detail != "too busy" || !errors.Is(err, ErrNotRun) {
		t.Errorf("NotRun = %+v %v", res, err)
	}
}

func TestDescribe(t *testing.T) {
	opErr := func(e error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)}
	}
	tests := []struct {
		err  error
		want string
	}{
		{opErr(syscall.ECONNREFUSED), "connection refused"},
		{opErr(syscall.ECONNRESET), "connection reset"},
		{opErr(syscall.EHOSTUNREACH), "host unreachable"},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), "timed out after 2s"},
		{&net.DNSError{Err: "no such host", Name: "db.internal"}, "name lookup failed"},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), "connection closed by target"},
		{Safe("postgres error 57014", errors.New("secret detail")), "postgres error 57014"},
		{errors.New("dial tcp 10.0.0.5:5432: something new"), "check failed"},
	}
	for _, tt := range tests {
		if got := Describe(tt.err, 2*time.Second); got != tt.want {
			t.Errorf("Describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestRedactor(t *testing.T) {
	r := NewRedactor("hunter2", "db.internal", "", "ab")
	in := `failed to connect to host=db.internal user=probe password=hunter2: dial tcp 10.1.2.3:5432: refused; ` +
		`Get "https://u:hunter2@api.internal:8443/x": [fe80::1]:9000 and db.internal:5432 and token hunter2 ab`
	got := r.String(in)
	for _, leak := range []string{"hunter2", "db.internal", "10.1.2.3", "5432", "api.internal", "fe80", "8443", "probe"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q survives in %q", leak, got)
		}
	}
	if !strings.Contains(got, "refused") || !strings.Contains(got, "token") || !strings.Contains(got, " ab") {
		t.Errorf("redacted too much: %q", got)
	}
}

// TestRedactorPatterns: what drivers print about a target is redacted
// without knowing the target (go-redis logs, a DSN's defaults from PG*
// variables), and the words around it stay.
func TestRedactorPatterns(t *testing.T) {
	r := NewRedactor()
	tests := []struct{ in, want string }{
		{"failed to connect to `user=role_x database=db_y`: 127.0.0.1:5432 (127.0.0.1): server error: FATAL: database \"db_y\" does not exist (SQLSTATE 3D000)",
			"failed to connect to `user=[redacted] database=[redacted]`: [redacted] ([redacted]): server error: FATAL: database \"[redacted]\" does not exist (SQLSTATE 3D000)"},
		{`FATAL: role "role_x" does not exist (SQLSTATE 28000)`, `FATAL: role "[redacted]" does not exist (SQLSTATE 28000)`},
		{`FATAL: password authentication failed for user "role_x"`, `FATAL: password authentication failed for user "[redacted]"`},
		{`no pg_hba.conf entry for host "10.0.0.9", user "role_x", database "db_y", no encryption`,
			`no pg_hba.conf entry for host "[redacted]", user "[redacted]", database "[redacted]", no encryption`},
		{`host=db.internal port=5433 dbname='my db' sslmode=require`, `host=[redacted] port=[redacted] dbname=[redacted] sslmode=require`},
		{"dial tcp: lookup cache.internal on 127.0.0.53:53: no such host", "dial tcp: lookup [redacted] on [redacted]: no such host"},
		{"dial tcp: lookup cache.internal: no such host", "dial tcp: lookup [redacted]: no such host"},
		{"redis: connection pool: failed to dial after 5 attempts: dial tcp [::1]:6379: connect: connection refused",
			"redis: connection pool: failed to dial after 5 attempts: dial tcp [redacted]: connect: connection refused"},
		{"dial tcp cache.internal:6379: i/o timeout", "dial tcp [redacted]: i/o timeout"},
		{"fe80::1%eth0 and 2001:db8::8a2e:370:7334 and ::1 and 1:2:3:4:5:6:7:8", "[redacted] and [redacted] and [redacted] and [redacted]"},
		// Clock times, dates and versions are not addresses.
		{"at 2024-05-01T12:30:00Z, 12:30:00.123 and 10:30, v1.2.3", "at 2024-05-01T12:30:00Z, 12:30:00.123 and 10:30, v1.2.3"},
		{"std::io and ::", "std::io and ::"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestRedactorPrefix: Prefix reads only as far as it needs, yet a secret
// that starts within the shown bytes is replaced whole, even when secrets
// before it shrink the text and pull it into view.
func TestRedactorPrefix(t *testing.T) {
	var secrets []string
	var b strings.Builder
	for i := 0; i < 7; i++ {
		sec := strconv.Itoa(i) + strings.Repeat("s", 599)
		secrets = append(secrets, sec)
		b.WriteString(sec)
	}
	r := NewRedactor(secrets...)
	long := b.String() + strings.Repeat("x", 1<<20)
	out := r.Prefix(long, 64)
	if !strings.HasPrefix(out, strings.Repeat("[redacted]", 7)+"xxx") {
		t.Errorf("Prefix = %.100q...", out)
	}
	if len(out) > 64<<10 {
		t.Errorf("Prefix of a 1 MiB value returned %d bytes; it needs a few thousand", len(out))
	}
	short := "seen 10.0.0.1:5432 " + secrets[3]
	if got, want := r.Prefix(short, 64), r.String(short); got != want {
		t.Errorf("Prefix(short) = %q, want String's %q", got, want)
	}
}

// TestRunRedacts: one redactor, built from the probe's declaration, cleans
// everything a result carries (detail, condition values, the description of
// the error) and the error that is logged. A secret across the 64-byte cut
// of a condition value never shows in part; conditions compare the real
// values; software defaults such as the role postgres do not blank out the
// words of a description.
func TestRunRedacts(t *testing.T) {
	const token = "tok-5f1d2e3c4b5a69788796a5b4"
	env := map[string]string{"TOKEN": token, "DSN": "postgres://postgres@db.internal:5432/postgres"}
	fields := "    dsn: ${DSN}\n    headers: {Authorization: \"Bearer ${TOKEN}\"}\n" +
		"    expect: [\"[BODY] == ok\", \"[BODY] =~ ^GET\", \"[ECHO] == x\", \"[N] < 1\"]\n"
	body := "GET / HTTP/1.1 Authorization: Bearer " + token + " from 127.0.0.1:41234 via db.internal"
	for _, tt := range []struct{ safe, want string }{
		{"postgres error 3D000 (database does not exist)", "postgres error 3D000 (database does not exist); seen by [redacted] with [redacted]"},
		{"redis error " + token, "redis error [redacted]; seen by [redacted] with [redacted]"},
	} {
		p := probeEnv(t, fields, env, func(context.Context) (*Observation, error) {
			o := NewObservation()
			o.SetBody([]byte(body))
			o.Set("ECHO", condition.String("db.internal:5432 "+token)).Set("N", condition.Number(2))
			o.Detail = "seen by 10.1.2.3:5432 with " + token
			return o, Safe(tt.safe, fmt.Errorf("dial tcp db.internal:5432 with %s: %w", token, syscall.ECONNREFUSED))
		})
		res, err := p.Run(context.Background())
		out, _ := json.Marshal(res)
		for _, leak := range []string{token, token[:12], "127.0.0.1", "41234", "db.internal", "10.1.2.3", "5432"} {
			if strings.Contains(string(out), leak) {
				t.Errorf("result shows %q: %s", leak, out)
			}
			if strings.Contains(err.Error(), leak) {
				t.Errorf("logged error shows %q: %v", leak, err)
			}
		}
		if res.Detail != tt.want {
			t.Errorf("detail = %q, want %q", res.Detail, tt.want)
		}
		if got := res.Conditions[0].Result; got != "[BODY] (GET / HTTP/1.1 Authorization: Bearer [redacted] from [redacte...) == ok" {
			t.Errorf("[BODY] shows %q", got)
		}
		if res.Conditions[1].Condition != "[BODY] =~ ^GET" || !res.Conditions[1].Success {
			t.Errorf("conditions compare the real value: %+v", res.Conditions[1])
		}
	}
}

func TestObservationBody(t *testing.T) {
	o := NewObservation()
	if _, ok := o.Lookup(condition.Var{Name: "BODY"}); ok {
		t.Error("no body, yet [BODY] exists")
	}
	o.SetBody([]byte("not json"))
	if v, ok := o.Lookup(condition.Var{Name: "BODY"}); !ok || v.Text() != "not json" {
		t.Errorf("[BODY] = %v %v", v, ok)
	}
	if _, ok := o.Lookup(condition.Var{Name: "BODY", Path: []string{"a"}}); ok {
		t.Error("[BODY].a exists in a body that is not JSON")
	}
	o.SetBody([]byte(`{"a":[1,{"b":"x"}]}`))
	if v, ok := o.Lookup(condition.Var{Name: "BODY", Path: []string{"a", "1", "b"}}); !ok || v.Text() != "x" {
		t.Errorf("[BODY].a[1].b = %v %v", v, ok)
	}
}

func TestRegistryTypes(t *testing.T) {
	r := NewRegistry()
	r.Add("b", TypeFunc(func(*config.Probe) (Checker, error) { return nil, nil }))
	r.Add("a", &fakeType{})
	if got := strings.Join(r.Types(), ","); got != "a,b" {
		t.Errorf("Types = %s", got)
	}
}

// schemaType is a Type with the given fields and no checks of its own.
type schemaType config.Schema

func (s schemaType) Fields() config.Schema            { return config.Schema(s) }
func (schemaType) New(*config.Probe) (Checker, error) { return Func(nil), nil }

// TestAddRefusesAFieldOfTwoKinds: a field means one thing in every type, so
// that the kind rules (a secret only from the environment) hold for a probe
// whatever its type, and a probe of an unknown type is still read by them.
func TestAddRefusesAFieldOfTwoKinds(t *testing.T) {
	r := NewRegistry()
	r.Add("a", schemaType{"password": config.Secret, "addr": config.Addr})
	r.Add("b", schemaType{"password": config.Secret})
	assert.PanicsWithValue(t, "check: type c declares field password as text, which the catalogue already has as another kind", func() {
		r.Add("c", schemaType{"password": config.Text})
	})
	assert.Panics(t, func() { r.Add("d", schemaType{"timeout": config.Duration}) }, "a common field is not a type's")

	cat, _ := config.Parse("t.yaml", []byte("probes:\n  p:\n    type: nope\n    password: hunter2\n    colour: x\n"), nil)
	err := r.Check(cat)
	require.Error(t, err)
	assert.Equal(t, "t.yaml:3:11: probe p: type: unknown type nope (have a, b)\n"+
		"t.yaml:4:15: probe p: password: must come from the environment: write ${VARIABLE} and set it where probe-api runs", config.Sorted(err).Error())
}
