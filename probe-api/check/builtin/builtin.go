// Package builtin assembles the check registry with every probe type this
// repository ships: http, tcp, tls, postgres, redis and prometheus. A new
// type is its package under check/ and one Add here.
package builtin

import (
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/httpcheck"
	"github.com/stepcheck/stepcheck/probe-api/check/pgcheck"
	"github.com/stepcheck/stepcheck/probe-api/check/promcheck"
	"github.com/stepcheck/stepcheck/probe-api/check/redischeck"
	"github.com/stepcheck/stepcheck/probe-api/check/tcpcheck"
	"github.com/stepcheck/stepcheck/probe-api/check/tlscheck"
)

// New returns a registry with every built-in type. Its postgres and redis
// types keep connection pools: Close the registry when done with it.
func New() *check.Registry {
	r := check.NewRegistry()
	r.Add("http", httpcheck.New())
	r.Add("tcp", tcpcheck.New())
	r.Add("tls", tlscheck.New())
	r.Add("postgres", pgcheck.New())
	r.Add("redis", redischeck.New())
	r.Add("prometheus", promcheck.New())
	return r
}
