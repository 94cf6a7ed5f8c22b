package demo

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/server"
)

const catalogue = "../../../content/probes.yaml"

// listening reports whether something accepts connections at addr.
func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// needService skips when a local service is missing, and fails under CI,
// which starts PostgreSQL and Redis.
func needService(t *testing.T, name, addr string) {
	t.Helper()
	if listening(addr) {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not running at %s; .ci/run starts it", name, addr)
	}
	t.Skipf("%s is not running at %s; start it as DEVELOPERS.md says to run this test", name, addr)
}

// TestDemoShowsGreenAndRed checks the RepairX catalogue as stepcheck serve
// --demo does on a machine that has none of the RepairX services, with an
// empty environment: the stand-ins are up, so is the latency read from the
// stand-in's metrics, PostgreSQL and Redis are up where they run, and the
// monitoring stack is honestly down.
func TestDemoShowsGreenAndRed(t *testing.T) {
	svc, err := Start()
	require.NoError(t, err)
	defer svc.Close()
	data, err := os.ReadFile(catalogue)
	require.NoError(t, err)
	cat, err := config.Parse(catalogue, data, svc.Lookup(func(string) (string, bool) { return "", false }))
	require.NoError(t, err)
	srv, err := server.New(builtinTypes(t), cat, server.Options{})
	require.NoError(t, err)
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	check := func(t *testing.T, id string) api.Result {
		t.Helper()
		resp, err := http.Post(hs.URL+api.PathProbes+"/"+id+"/check", "", nil)
		require.NoError(t, err)
		defer resp.Body.Close()
		var res api.Result
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
		return res
	}
	for _, tc := range []struct {
		id      string
		want    api.Status
		service string // a local service the probe needs, as name@addr
	}{
		{"backend-live", api.StatusUp, ""},
		{"frontend-health", api.StatusUp, ""},
		{"backend-latency-p95", api.StatusUp, ""},
		{"pg-ready", api.StatusUp, "PostgreSQL@127.0.0.1:5432"},
		{"pg-connections", api.StatusUp, "PostgreSQL@127.0.0.1:5432"},
		{"redis-ping", api.StatusUp, "Redis@127.0.0.1:6379"},
		{"prometheus-healthy", api.StatusDown, "!127.0.0.1:9090"},
		{"grafana-health", api.StatusDown, "!127.0.0.1:3003"},
		{"es-cluster-health", api.StatusDown, "!127.0.0.1:9200"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			if addr, ok := strings.CutPrefix(tc.service, "!"); ok {
				if listening(addr) {
					t.Skipf("something runs at %s on this machine", addr)
				}
			} else if name, addr, ok := strings.Cut(tc.service, "@"); ok {
				needService(t, name, addr)
			}
			res := check(t, tc.id)
			assert.Equal(t, tc.want, res.Status, "%+v", res)
		})
	}
}

func TestBackendMetrics(t *testing.T) {
	svc, err := Start()
	require.NoError(t, err)
	defer svc.Close()
	req, err := http.NewRequest(http.MethodGet, svc.Backend+"/api/metrics", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, want := range []string{"# TYPE http_request_duration_seconds histogram", `http_request_duration_seconds_bucket{method="GET",route="/api/repairs",status="200",le="+Inf"}`, "# TYPE http_requests_total counter", `status="500"`} {
		assert.Contains(t, string(body), want)
	}
}

func TestLookup(t *testing.T) {
	svc := &Services{Backend: "http://127.0.0.1:1", Frontend: "http://127.0.0.1:2"}
	env := map[string]string{BackendVar: "https://backend.prod", PGVar: "postgres://me@db/x", "REPAIRX_REDIS_ADDR": "10.0.0.1:6379", "REPAIRX_GRAFANA_URL": ""}
	lookup := svc.Lookup(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	for name, want := range map[string]string{
		BackendVar:           "http://127.0.0.1:1", // the stand-in, whatever the environment says
		FrontendVar:          "http://127.0.0.1:2",
		PGVar:                "postgres://me@db/x", // the environment's
		"REPAIRX_REDIS_ADDR": "10.0.0.1:6379",
	} {
		v, ok := lookup(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, v, name)
	}
	_, ok := lookup("REPAIRX_GRAFANA_URL")
	assert.False(t, ok, "empty is unset, so the catalogue's default applies")
	v, _ := svc.Lookup(func(string) (string, bool) { return "", false })(PGVar)
	assert.Equal(t, PGDSN, v)
}

// builtinTypes returns the built-in probe types, closed when the test ends.
func builtinTypes(t testing.TB) *check.Registry {
	reg := builtin.New()
	t.Cleanup(func() { reg.Close() })
	return reg
}
