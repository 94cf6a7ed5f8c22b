// Package tlscheck is the tls probe type: open a TLS connection to addr, as
// a client would, and report on the certificate chain it serves, so that a
// runbook step can say "the certificate has more than 14 days left" before
// browsers start refusing it.
//
//	api-cert:
//	  type: tls
//	  addr: api.example.com:443
//	  warn: ["[CERT_DAYS] > 14"]
//
// Conditions may use [CERT_DAYS] (whole days until the first certificate of
// the chain expires; negative once it has), [VERIFIED] (whether the
// chain verifies for the server name against the roots), [NOT_AFTER] (that
// expiry, RFC 3339 UTC) and [RESPONSE_TIME] (connect and handshake). When no
// condition tests [VERIFIED], the probe expects "[VERIFIED] == true", which
// also fails for an expired certificate.
//
// The handshake itself accepts any chain so that an expired or unknown one
// can still be measured; verification is done on what was served, with the
// system roots or ca_file's. Only the declared address is dialled, and the
// connection is closed after the handshake: nothing is sent over it.
package tlscheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// Fields of a tls probe.
const (
	fieldAddr       = "addr"
	fieldServerName = "server_name"
	fieldCAFile     = "ca_file"
)

// vars are the variables a tls probe's conditions may use.
var vars = []string{"CERT_DAYS", "VERIFIED", "NOT_AFTER", "RESPONSE_TIME"}

// maxCAFile bounds the ca_file read on each check.
const maxCAFile = 1 << 20

// Type builds tls checkers. It is stateless and safe for concurrent use.
type Type struct{}

var _ check.Type = Type{}

// New returns the tls Type.
func New() Type { return Type{} }

// Fields are the fields a tls probe has: addr (host:port, required),
// server_name (the name sent as SNI and verified; default addr's host) and
// ca_file (a PEM file of roots to verify against instead of the system's,
// for an internal CA; read on each check, so a renewed bundle is used
// without a restart).
func (Type) Fields() config.Schema {
	return config.Schema{fieldAddr: config.Addr, fieldServerName: config.Target, fieldCAFile: config.Payload}
}

// New validates p and returns its Checker. It reads no file and dials
// nothing.
func (Type) New(p *config.Probe) (check.Checker, error) {
	if err := errors.Join(p.Require(fieldAddr), p.RequireVars(vars...)); err != nil {
		return nil, err
	}
	addr := p.Text(fieldAddr)
	name := p.Text(fieldServerName)
	if name == "" {
		name, _, _ = net.SplitHostPort(addr)
	}
	c := &checker{addr: addr, serverName: name, caFile: p.Text(fieldCAFile)}
	for _, list := range [][]*condition.Condition{p.Expect, p.Warn} {
		for _, cond := range list {
			c.testsVerified = c.testsVerified || cond.Var().Name == "VERIFIED"
		}
	}
	return c, nil
}

type checker struct {
	addr, serverName, caFile string
	testsVerified            bool
	now                      func() time.Time // for tests; nil is time.Now
}

func (c *checker) Defaults() (expect, warn []string) {
	if c.testsVerified {
		return nil, nil
	}
	return []string{"[VERIFIED] == true"}, nil
}

func (c *checker) Check(ctx context.Context) (*check.Observation, error) {
	obs := check.NewObservation()
	roots, err := c.roots()
	if err != nil {
		return obs, err
	}
	d := tls.Dialer{Config: &tls.Config{
		ServerName: c.serverName,
		// Verification is done below, on what the server sent, so that an
		// expired or unknown chain is still measured rather than refused.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS12,
	}}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return obs.Set("VERIFIED", condition.Bool(false)), err
	}
	obs.Set("RESPONSE_TIME", condition.Duration(time.Since(start)))
	state := conn.(*tls.Conn).ConnectionState()
	conn.Close()
	return c.observe(obs, state.PeerCertificates, roots), nil
}

// roots returns ca_file's certificates, or nil for the system's. A file it
// cannot use keeps the check from running: the fault is the probe API's
// host, not the target.
func (c *checker) roots() (*x509.CertPool, error) {
	pool, err := c.readRoots()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", check.ErrNotRun, err)
	}
	return pool, nil
}

func (c *checker) readRoots() (*x509.CertPool, error) {
	if c.caFile == "" {
		return nil, nil
	}
	f, err := os.Open(c.caFile)
	if err != nil {
		return nil, check.Safe("cannot read ca_file", err)
	}
	defer f.Close()
	pem, err := io.ReadAll(io.LimitReader(f, maxCAFile+1))
	if err != nil {
		return nil, check.Safe("cannot read ca_file", err)
	}
	pool := x509.NewCertPool()
	if len(pem) > maxCAFile || !pool.AppendCertsFromPEM(pem) {
		return nil, check.Safe("ca_file holds no PEM certificate (or is over 1 MiB)", nil)
	}
	return pool, nil
}

// observe records what the served chain says, with a detail line that
// names neither host nor file. When the chain verifies, the expiry is that
// of the path a client would build (the verified chain whose first expiry
// is latest), so that an extra certificate the server still sends but no
// client uses does not raise an alarm; when it does not verify, it is the
// leaf's.
func (c *checker) observe(obs *check.Observation, served []*x509.Certificate, roots *x509.CertPool) *check.Observation {
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	t := now()
	if len(served) == 0 {
		obs.Detail = "the server sent no certificate"
		return obs.Set("VERIFIED", condition.Bool(false))
	}
	leaf := served[0]
	inter := x509.NewCertPool()
	for _, cert := range served[1:] {
		inter.AddCert(cert)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{DNSName: c.serverName, Roots: roots, Intermediates: inter, CurrentTime: t})
	first := leaf
	for i, chain := range chains {
		soonest := chain[0]
		for _, cert := range chain[1:] {
			if cert.NotAfter.Before(soonest.NotAfter) {
				soonest = cert
			}
		}
		if i == 0 || soonest.NotAfter.After(first.NotAfter) {
			first = soonest
		}
	}
	days := math.Floor(first.NotAfter.Sub(t).Hours() / 24)
	obs.Set("CERT_DAYS", condition.Number(days)).
		Set("NOT_AFTER", condition.String(first.NotAfter.UTC().Format(time.RFC3339))).
		Set("VERIFIED", condition.Bool(err == nil))
	obs.Detail = expiry(days, first.NotAfter, first != leaf)
	if err != nil {
		obs.Detail += "; not verified: " + why(err)
	}
	return obs
}

// expiry says when the chain's first certificate expires.
func expiry(days float64, at time.Time, intermediate bool) string {
	what := "certificate"
	if intermediate {
		what = "an intermediate certificate"
	}
	date := at.UTC().Format("2006-01-02")
	switch {
	case days < 0:
		return what + " expired on " + date
	case days == 1:
		return what + " expires in 1 day (" + date + ")"
	}
	return what + " expires in " + strconv.FormatFloat(days, 'f', 0, 64) + " days (" + date + ")"
}

// why names a verification failure without the names or issuers in it.
func why(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return "signed by an unknown authority"
	case errors.As(err, &host):
		return "not valid for the server name"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "expired or not yet valid"
	case errors.As(err, &invalid):
		return "the chain is not valid"
	}
	return "the chain did not verify"
}
