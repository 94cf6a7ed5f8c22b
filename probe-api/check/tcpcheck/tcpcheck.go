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

// Type builds tcp checkers.
type Type struct{}

var _ check.Type = Type{}

// New returns the tcp Type.
func New() Type { return Type{} }

// Fields are the fields a tcp probe has.
func (Type) Fields() config.Schema { return config.Schema{"addr": config.Addr} }

// New validates p (it needs addr) and returns its Checker, which adds the
// expect condition "[CONNECTED] == true".
func (Type) New(p *config.Probe) (check.Checker, error) {
	if err := errors.Join(p.Require("addr"), p.RequireVars(vars...)); err != nil {
		return nil, err
	}
	return &checker{addr: p.Text("addr")}, nil
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
