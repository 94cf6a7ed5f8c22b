// Package tcpcheck is the tcp probe type: open a TCP connection to addr and
// close it, with [CONNECTED] and [RESPONSE_TIME].
package tcpcheck

import (
	"context"
	"errors"
	"net"

	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// vars are the variables a tcp probe's conditions may use.
var vars = []string{"CONNECTED", "RESPONSE_TIME"}

// New validates p (it needs addr, host:port) and returns its Checker, which
// adds the expect condition "[CONNECTED] == true". It is a check.TypeFunc.
func New(p *config.Probe) (check.Checker, error) {
	if err := errors.Join(p.Require("addr"), p.Only("addr"), p.RequireVars(vars...)); err != nil {
		return nil, err
	}
	if _, _, err := net.SplitHostPort(p.Addr); err != nil {
		return nil, p.FieldErr(config.ErrInvalid, "addr", "must be host:port")
	}
	return &checker{addr: p.Addr}, nil
}

type checker struct{ addr string }

func (c *checker) Defaults() (expect, warn []string) {
	return []string{"[CONNECTED] == true"}, nil
}

func (c *checker) Check(ctx context.Context) (*check.Observation, error) {
	var d net.Dialer
	obs := check.NewObservation()
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		obs.Set("CONNECTED", condition.Bool(false))
		return obs, err
	}
	conn.Close()
	obs.Set("CONNECTED", condition.Bool(true))
	obs.Detail = "connected"
	return obs, nil
}
