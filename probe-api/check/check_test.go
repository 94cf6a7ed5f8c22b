package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// fakeType is a Type whose checker runs check, for testing the runner.
type fakeType struct {
	check func(ctx context.Context) (*Observation, error)
}

var _ Type = (*fakeType)(nil)

func (f *fakeType) New(*config.Probe) (Checker, error) { return Func(f.check), nil }

func probe(t *testing.T, fields string, fn func(ctx context.Context) (*Observation, error)) *Probe {
	t.Helper()
	cat, err := config.Parse("t.yaml", []byte("probes:\n  p:\n    type: fake\n"+fields), func(string) (string, bool) { return "", false })
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
