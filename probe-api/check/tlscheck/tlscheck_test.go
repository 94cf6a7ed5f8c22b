package tlscheck

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/internal/probetest"
)

// authority is a certificate and its key, able to sign others.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64

// issue makes a certificate valid from 30 days ago until notAfter, signed by
// parent (self-signed when parent is nil); a CA when names is empty.
func issue(t *testing.T, parent *authority, cn string, notAfter time.Time, names ...string) *authority {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-30 * 24 * time.Hour),
		NotAfter:     notAfter,
	}
	if len(names) == 0 {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		for _, n := range names {
			if ip := net.ParseIP(n); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, n)
			}
		}
	}
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &authority{cert: cert, key: key}
}

// serve serves chain (leaf first) over TLS on a loopback port until the
// test ends, and returns the address.
func serve(t *testing.T, leaf *authority, chain ...*authority) string {
	t.Helper()
	c := tls.Certificate{Certificate: [][]byte{leaf.cert.Raw}, PrivateKey: leaf.key}
	for _, a := range chain {
		c.Certificate = append(c.Certificate, a.cert.Raw)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{c}})
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.(*tls.Conn).Handshake()
			}()
		}
	}()
	return ln.Addr().String()
}

// caFile writes the PEM of the given roots to a file and returns its path.
func caFile(t *testing.T, roots ...*authority) string {
	t.Helper()
	var b []byte
	for _, r := range roots {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.cert.Raw})...)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

func run(t *testing.T, fields string) api.Result {
	t.Helper()
	res, _ := probetest.Build(t, "tls", New(), fields).Run(context.Background())
	return res
}

func conds(res api.Result) map[string]bool {
	out := map[string]bool{}
	for _, c := range res.Conditions {
		out[c.Result] = c.Success
	}
	return out
}

func days(n int) time.Time { return time.Now().Add(time.Duration(n)*24*time.Hour + time.Hour) }

func TestVerifiedCertificateAndDaysLeft(t *testing.T) {
	ca := issue(t, nil, "Test Root", days(365))
	leaf := issue(t, ca, "svc", days(10), "127.0.0.1", "svc.internal")
	addr := serve(t, leaf)
	roots := caFile(t, ca)

	res := run(t, "addr: "+addr+"\nca_file: "+roots+"\nwarn: [\"[CERT_DAYS] > 14\"]")
	assert.Equal(t, api.StatusDegraded, res.Status, res.Detail)
	assert.Equal(t, "certificate expires in 10 days ("+days(10).UTC().Format("2006-01-02")+")", res.Detail)
	assert.Equal(t, map[string]bool{"[VERIFIED] (true) == true": true, "[CERT_DAYS] (10) > 14": false}, conds(res))

	res = run(t, "addr: "+addr+"\nca_file: "+roots+"\nexpect: [\"[CERT_DAYS] > 7\", \"[NOT_AFTER] =~ ^20\"]\nwarn: [\"[RESPONSE_TIME] < 10s\"]")
	assert.Equal(t, api.StatusUp, res.Status, "%s %+v", res.Detail, res.Conditions)
	assert.Len(t, res.Conditions, 4, "the default [VERIFIED] condition is added when none tests it")

	res = run(t, "addr: "+addr+"\nserver_name: svc.internal\nca_file: "+roots)
	assert.Equal(t, api.StatusUp, res.Status, "SNI and verification use server_name: %s", res.Detail)
}

func TestUnverifiedCertificates(t *testing.T) {
	ca := issue(t, nil, "Test Root", days(365))
	good := serve(t, issue(t, ca, "svc", days(90), "127.0.0.1", "svc.internal"))
	roots := caFile(t, ca)
	expired := serve(t, issue(t, ca, "old", days(-3), "127.0.0.1"))

	for _, tt := range []struct{ name, fields, detail string }{
		{"unknown authority", "addr: " + good, "; not verified: signed by an unknown authority"},
		{"wrong name", "addr: " + good + "\nserver_name: other.internal\nca_file: " + roots, "; not verified: not valid for the server name"},
		{"expired", "addr: " + expired + "\nca_file: " + roots, "; not verified: expired or not yet valid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.fields)
			assert.Equal(t, api.StatusDown, res.Status)
			assert.True(t, strings.HasSuffix(res.Detail, tt.detail), res.Detail)
			assert.False(t, conds(res)["[VERIFIED] (false) == true"])
			for _, secret := range []string{"127.0.0.1", "other.internal", roots} {
				assert.NotContains(t, res.Detail, secret)
			}
		})
	}
	res := run(t, "addr: "+expired+"\nca_file: "+roots+"\nexpect: [\"[CERT_DAYS] > 0\"]")
	assert.Equal(t, api.StatusDown, res.Status)
	assert.True(t, strings.HasPrefix(res.Detail, "certificate expired on "), res.Detail)
	assert.Contains(t, conds(res), "[CERT_DAYS] (-3) > 0", "an expired certificate has negative days")
	assert.Len(t, res.Conditions, 2, "the default [VERIFIED] condition comes first")
}

// TestChainExpiry: an intermediate that expires before the leaf is what
// [CERT_DAYS] counts, but a certificate the server sends and no verified
// path uses (an old cross-sign) is not.
func TestChainExpiry(t *testing.T) {
	ca := issue(t, nil, "Test Root", days(365))
	inter := issue(t, ca, "Intermediate", days(5))
	leaf := issue(t, inter, "svc", days(60), "127.0.0.1")
	stale := issue(t, nil, "Old cross-sign", days(1))
	roots := caFile(t, ca)

	res := run(t, "addr: "+serve(t, leaf, inter, stale)+"\nca_file: "+roots)
	assert.Equal(t, api.StatusUp, res.Status, res.Detail)
	assert.True(t, strings.HasPrefix(res.Detail, "an intermediate certificate expires in 5 days"), res.Detail)

	// Unverified, only the leaf is known to be in use.
	res = run(t, "addr: "+serve(t, leaf, inter)+"\nexpect: [\"[VERIFIED] == false\", \"[CERT_DAYS] == 60\"]")
	assert.Equal(t, api.StatusUp, res.Status, "%s %+v", res.Detail, res.Conditions)
}

func TestUnreachableAndNotTLS(t *testing.T) {
	res := run(t, "addr: "+probetest.ClosedAddr(t))
	assert.Equal(t, api.StatusDown, res.Status)
	assert.Equal(t, "connection refused", res.Detail)

	start := time.Now()
	res = run(t, "addr: "+probetest.Silent(t)+"\ntimeout: 300ms")
	assert.Equal(t, api.StatusDown, res.Status)
	assert.Equal(t, "timed out after 300ms", res.Detail)
	assert.Less(t, time.Since(start), 2*time.Second)

	ln := probetest.Listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
			c.Close()
		}
	}()
	res = run(t, "addr: "+ln.Addr().String())
	assert.Equal(t, api.StatusDown, res.Status)
	assert.Equal(t, "TLS handshake failed", res.Detail, "a plain HTTP port is not a TLS one")

	ca := issue(t, nil, "Test Root", days(365))
	addr := serve(t, issue(t, ca, "svc", days(90), "127.0.0.1"))
	res = run(t, "addr: "+addr+"\nca_file: "+filepath.Join(t.TempDir(), "missing.pem"))
	assert.Equal(t, api.StatusUnknown, res.Status, "a ca_file the probe API cannot read is its own problem, not the target's")
	assert.Equal(t, "cannot read ca_file", res.Detail)
	empty := filepath.Join(t.TempDir(), "empty.pem")
	require.NoError(t, os.WriteFile(empty, []byte("not a certificate"), 0o600))
	res = run(t, "addr: "+addr+"\nca_file: "+empty)
	assert.Equal(t, api.StatusUnknown, res.Status)
	assert.Equal(t, "ca_file holds no PEM certificate (or is over 1 MiB)", res.Detail)
}

func TestValidation(t *testing.T) {
	for _, tt := range []struct{ fields, want string }{
		{"timeout: 1s", "test.yaml:2:3: probe p: addr: required for type tls"},
		{"addr: example.com", "test.yaml:4:11: probe p: addr: must be host:port"},
		{"addr: example.com:443\nurl: https://example.com/", `test.yaml:5:5: probe p: unknown field "url" for type tls (it has addr, ca_file, server_name)`},
		{"addr: example.com:443\nexpect: [\"[STATUS] == 200\"]", "test.yaml:5:14: probe p: tls probe has no [STATUS] (it has [CERT_DAYS], [VERIFIED], [NOT_AFTER], [RESPONSE_TIME])"},
	} {
		r := check.NewRegistry()
		r.Add("tls", New())
		_, err := r.Build(probetest.Catalogue(t, "type: tls\n"+tt.fields, nil))
		if assert.Error(t, err, tt.fields) {
			assert.Equal(t, tt.want, err.Error())
		}
	}
}
