package builtin_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/check/redischeck"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
	"github.com/stepcheck/stepcheck/probe-api/internal/testsvc"
	"github.com/stepcheck/stepcheck/probe-api/server"
)

// echo answers every request with what it was sent: the request line, every
// header, the client's address and the host it was asked for, as text or
// (on /json) as JSON fields that conditions can point at.
func echo(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	fmt.Fprintf(&b, "Authorization: %s from %s to %s %s %s", r.Header.Get("Authorization"), r.RemoteAddr, r.Host, r.Method, r.URL)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s: %s", k, strings.Join(r.Header[k], ","))
	}
	if r.URL.Path == "/json" {
		json.NewEncoder(w).Encode(map[string]string{
			"auth": r.Header.Get("Authorization"), "from": r.RemoteAddr, "host": r.Host,
			"url": "http://" + r.Host + r.URL.String(), "all": b.String(),
		})
		return
	}
	io.WriteString(w, b.String())
}

// promEcho is a Prometheus API that fails every query with an errorType
// made of the token it was sent, and an exposition endpoint whose labels
// carry the request.
func promEcho(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if r.URL.Path == "/api/v1/query" {
		fmt.Fprintf(w, `{"status":"error","errorType":%q,"error":%q}`, tok, r.Host+" "+r.RemoteAddr)
		return
	}
	fmt.Fprintf(w, "up{auth=%q,from=%q} 1\n", tok, r.RemoteAddr)
}

// redisEcho is a Redis that answers every command with an error reply whose
// code is the command's last argument (AUTH's password), followed by the
// whole command.
func redisEcho(t *testing.T) string {
	ln := probetest.Listen(t)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				rd := bufio.NewReader(c)
				for {
					args, err := readCommand(rd)
					if err != nil {
						return
					}
					fmt.Fprintf(c, "-%s echoed %s from %s\r\n", args[len(args)-1], strings.Join(args, " "), c.RemoteAddr())
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// readCommand reads one RESP array of bulk strings.
func readCommand(rd *bufio.Reader) ([]string, error) {
	line, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "*") {
		return nil, fmt.Errorf("not a command: %q %v", line, err)
	}
	var n int
	fmt.Sscanf(line, "*%d", &n)
	args := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if _, err := rd.ReadString('\n'); err != nil { // $len
			return nil, err
		}
		arg, err := rd.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args = append(args, strings.TrimRight(arg, "\r\n"))
	}
	if len(args) == 0 {
		return nil, io.EOF
	}
	return args, nil
}

// TestSecretsNeverShow runs every probe type against targets that echo what
// they are sent, or refuse it, through the real server, and looks for the
// declared secrets, the targets' URLs and hosts, and 127.0.0.1:port in the
// JSON each check returns and in every log line, the server's and
// go-redis's own.
func TestSecretsNeverShow(t *testing.T) {
	pgDSN := testsvc.PostgresDSN(t, "test")
	testsvc.Redis(t)
	web := httptest.NewServer(http.HandlerFunc(echo))
	defer web.Close()
	prom := httptest.NewServer(http.HandlerFunc(promEcho))
	defer prom.Close()
	tlsWeb := httptest.NewTLSServer(http.HandlerFunc(echo))
	defer tlsWeb.Close()
	closed := probetest.ClosedAddr(t)
	rEcho := redisEcho(t)

	env := map[string]string{
		"WEB_URL": web.URL, "TOKEN": "tok-7c0ffee5ecret", "KEY": "key-b0a7d15c",
		"PROM_URL": prom.URL, "PROM_TOKEN": "promSecretToken_k",
		"CLOSED_URL": "http://" + closed, "CLOSED_ADDR": closed,
		"PG_WRONG_DB":   strings.Replace(pgDSN, "/test?", "/no_such_db_i13?", 1),
		"PG_WRONG_ROLE": strings.Replace(pgDSN, "postgres@", "role_i13_nobody@", 1),
		"PG_KV":         "host=127.0.0.1 port=5432 user=role_i13_kv dbname=db_i13_kv sslmode=disable",
		"PG_CLOSED":     "postgres://postgres@" + closed + "/test?sslmode=disable",
		"REDIS_ECHO":    rEcho, "REDIS_USER": "cache_i13_user", "REDIS_PW": "pw-i13-redis",
		"REDIS_ADDR": testsvc.RedisAddr,
		"TLS_ADDR":   tlsWeb.Listener.Addr().String(), "TLS_NAME": "tls-i14.internal", "WEB_ADDR": web.Listener.Addr().String(),
	}
	src := `probes:
  http-echo:
    type: http
    url: ${WEB_URL}/echo?key=${KEY}
    headers: {Authorization: "Bearer ${TOKEN}"}
    expect: ["[BODY] == ok", "[BODY] !~ Bearer"]
  http-echo-json:
    type: http
    url: ${WEB_URL}/json?key=${KEY}
    headers: {Authorization: "Bearer ${TOKEN}"}
    expect: ["[BODY].auth == x", "[BODY].from == x", "[BODY].host == x", "[BODY].url == x", "[BODY].all == x"]
  http-closed:
    type: http
    url: ${CLOSED_URL}/health
  tcp-closed:
    type: tcp
    addr: ${CLOSED_ADDR}
  pg-wrong-db:
    type: postgres
    dsn: ${PG_WRONG_DB}
    check: ready
  pg-wrong-role:
    type: postgres
    dsn: ${PG_WRONG_ROLE}
    check: connections
  pg-kv:
    type: postgres
    dsn: ${PG_KV}
    check: ready
  pg-closed:
    type: postgres
    dsn: ${PG_CLOSED}
    check: ready
  redis-echo:
    type: redis
    addr: ${REDIS_ECHO}
    username: ${REDIS_USER}
    password: ${REDIS_PW}
    check: ping
  redis-wrong-password:
    type: redis
    addr: ${REDIS_ADDR}
    password: ${REDIS_PW}
    check: info
    expect: ["[USED_MEMORY] < 1"]
  redis-closed:
    type: redis
    addr: ${CLOSED_ADDR}
    check: ping
  prom-query:
    type: prometheus
    url: ${PROM_URL}
    query: up
    headers: {Authorization: "Bearer ${PROM_TOKEN}"}
  prom-scrape:
    type: prometheus
    scrape: ${PROM_URL}/metrics
    metric: up
    headers: {Authorization: "Bearer ${PROM_TOKEN}"}
    expect: ["[VALUE] == 0"]
  prom-closed:
    type: prometheus
    scrape: ${CLOSED_URL}/metrics
    metric: up
  tls-wrong-name:
    type: tls
    addr: ${TLS_ADDR}
    server_name: ${TLS_NAME}
  tls-plain-port:
    type: tls
    addr: ${WEB_ADDR}
  tls-closed:
    type: tls
    addr: ${CLOSED_ADDR}
`
	cat, err := config.Parse("probes.yaml", []byte(src), func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	redischeck.SetLogger(log)
	reg := builtin.New()
	defer reg.Close()
	srv, err := server.New(reg, cat, server.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	front := httptest.NewServer(srv.Handler())
	defer front.Close()

	var results []string
	for _, p := range cat.Probes {
		resp, err := http.Post(front.URL+api.CheckPath(p.ID), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var res api.Result
		if err := json.Unmarshal(body, &res); err != nil || res.Status != api.StatusDown {
			t.Errorf("%s: want a down result, got %d %s", p.ID, resp.StatusCode, body)
		}
		results = append(results, string(body))
	}
	srv.Close() // go-redis logs as its pools close, too

	secrets := []string{"127.0.0.1", web.URL, prom.URL, web.Listener.Addr().String(), prom.Listener.Addr().String(), closed, rEcho, testsvc.RedisAddr,
		"tok-7c0ffee5ecret", "key-b0a7d15c", "promSecretToken_k", "no_such_db_i13", "role_i13_nobody", "role_i13_kv", "db_i13_kv",
		"cache_i13_user", "pw-i13-redis", "tls-i14.internal", tlsWeb.URL, tlsWeb.Listener.Addr().String()}
	for _, port := range []string{web.URL, prom.URL, tlsWeb.URL, "http://" + closed, "http://" + rEcho, "http://" + testsvc.RedisAddr, "http://" + testsvc.PostgresAddr} {
		secrets = append(secrets, ":"+port[strings.LastIndexByte(port, ':')+1:])
	}
	for i, res := range results {
		for _, s := range secrets {
			if strings.Contains(res, s) {
				t.Errorf("%s's result shows %q:\n%s", cat.Probes[i].ID, s, res)
			}
		}
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if !strings.Contains(logs.String(), `"msg":"redis client"`) {
		t.Errorf("go-redis's own lines did not reach the logger:\n%s", logs.String())
	}
	if len(lines) < len(cat.Probes) {
		t.Errorf("only %d log lines for %d failed checks:\n%s", len(lines), len(cat.Probes), logs.String())
	}
	for _, line := range lines {
		if !json.Valid([]byte(line)) {
			t.Errorf("log line is not JSON: %s", line)
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("log shows %q: %s", s, line)
			}
		}
	}
	// What was redacted still says what happened.
	for _, want := range []string{`"detail":"connection refused`, "postgres error 3D000 (database does not exist)", "postgres error 28000 (role not allowed to connect)", "redis error [redacted]", `query failed ([redacted])`} {
		if !strings.Contains(strings.Join(results, "\n"), want) {
			t.Errorf("no result says %q:\n%s", want, strings.Join(results, "\n"))
		}
	}
	if t.Failed() {
		t.Logf("results:\n%s\nlog:\n%s", strings.Join(results, "\n"), logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
