// Package redteam attacks the probe API the way a hostile page, client or
// target would, and checks every promise the README's Safety section makes.
// It holds only tests: `make redteam` runs them on their own with a report
// of each scenario, and `make test` runs them with everything else.
//
// Every scenario runs on loopback against the real server (server.New
// behind an HTTP listener, the real check types), with bounded loops, so
// the whole package takes seconds, not minutes. Each scenario counts
// connections at a canary that no probe declares, or at the declared
// targets, rather than trusting the API's answers.
package redteam
