package check

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/stepcheck/stepcheck/probe-api/api"
	"github.com/stepcheck/stepcheck/probe-api/condition"
	"github.com/stepcheck/stepcheck/probe-api/config"
)

// Probe is one runnable probe: a declaration, its Checker and its
// conditions. It is immutable and safe for concurrent use.
type Probe struct {
	spec    *config.Probe
	checker Checker
	expect  []*condition.Condition
	warn    []*condition.Condition
	redact  *Redactor
}

func newProbe(p *config.Probe, c Checker) (*Probe, error) {
	pr := &Probe{spec: p, checker: c, expect: p.Expect, warn: p.Warn, redact: NewRedactor(p.Secrets()...)}
	if d, ok := c.(Defaulter); ok {
		exp, warn := d.Defaults()
		var err error
		if pr.expect, err = prepend(exp, p.Expect); err != nil {
			return nil, p.FieldErr(config.ErrInvalid, "type", "internal: bad default condition: "+err.Error())
		}
		if pr.warn, err = prepend(warn, p.Warn); err != nil {
			return nil, p.FieldErr(config.ErrInvalid, "type", "internal: bad default condition: "+err.Error())
		}
	}
	return pr, nil
}

func prepend(texts []string, list []*condition.Condition) ([]*condition.Condition, error) {
	if len(texts) == 0 {
		return list, nil
	}
	out := make([]*condition.Condition, 0, len(texts)+len(list))
	for _, t := range texts {
		c, err := condition.Parse(t)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return append(out, list...), nil
}

// ID returns the probe's ID.
func (p *Probe) ID() string { return p.spec.ID }

// Type returns the probe's type name.
func (p *Probe) Type() string { return p.spec.Type }

// Timeout returns the probe's deadline for one check.
func (p *Probe) Timeout() time.Duration { return p.spec.Timeout }

// Fingerprint returns the declaration's fingerprint (config.Probe.Fingerprint).
func (p *Probe) Fingerprint() string { return p.spec.Fingerprint() }

// Run checks the probe once, under a deadline of Timeout from now, and
// returns its result with AgeMS 0. Run returns by the deadline even if the
// Checker ignores its context; the Checker's goroutine then finishes on its
// own. Everything the result shows (detail, condition values, the
// description of a failure) has passed the probe's Redactor, built from
// config.Probe.Secrets; the error, for logging only, is the check's failure
// through the same Redactor. Run is safe for concurrent use.
func (p *Probe) Run(ctx context.Context) (api.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, p.spec.Timeout)
	defer cancel()
	type outcome struct {
		obs *Observation
		err error
	}
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- outcome{err: fmt.Errorf("%w: panic: %v\n%s", ErrNotRun, r, debug.Stack())}
			}
		}()
		obs, err := p.checker.Check(ctx)
		done <- outcome{obs, err}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-ctx.Done():
		out.err = ctx.Err()
	}
	elapsed := time.Since(start)
	return p.evaluate(out.obs, out.err, elapsed, time.Now())
}

// NotRun returns the unknown result for a check that could not start, with
// cause (wrapped in ErrNotRun) as the error to log. detail must be safe to
// show.
func (p *Probe) NotRun(detail string, cause error) (api.Result, error) {
	return api.Result{
		ID: p.spec.ID, Status: api.StatusUnknown, CheckedAt: time.Now().UTC().Format(api.TimeFormat),
		Detail: detail, Conditions: []api.Condition{},
	}, fmt.Errorf("%w: %w", ErrNotRun, cause)
}

func (p *Probe) evaluate(obs *Observation, err error, elapsed time.Duration, now time.Time) (api.Result, error) {
	if obs == nil {
		obs = NewObservation()
	}
	if _, ok := obs.Get("RESPONSE_TIME"); !ok && err == nil {
		obs.Set("RESPONSE_TIME", condition.Duration(elapsed))
	}
	res := api.Result{
		ID:         p.spec.ID,
		Status:     api.StatusUp,
		LatencyMS:  elapsed.Milliseconds(),
		CheckedAt:  now.UTC().Format(api.TimeFormat),
		Detail:     p.redact.String(obs.Detail),
		Conditions: make([]api.Condition, 0, len(p.expect)+len(p.warn)),
	}
	failedExpect, failedWarn := false, false
	for _, c := range p.expect {
		ok, shown := c.Eval(obs, p.redact)
		failedExpect = failedExpect || !ok
		res.Conditions = append(res.Conditions, api.Condition{Condition: c.Text(), Result: shown, Success: ok, Severity: api.SeverityExpect})
	}
	for _, c := range p.warn {
		ok, shown := c.Eval(obs, p.redact)
		failedWarn = failedWarn || !ok
		res.Conditions = append(res.Conditions, api.Condition{Condition: c.Text(), Result: shown, Success: ok, Severity: api.SeverityWarn})
	}
	switch {
	case err != nil && errors.Is(err, ErrNotRun):
		res.Status = api.StatusUnknown
	case err != nil || failedExpect:
		res.Status = api.StatusDown
	case failedWarn:
		res.Status = api.StatusDegraded
	}
	if err != nil {
		// A SafeError's message may quote the target (a server's error
		// code), so the description passes the redactor too.
		why := p.redact.String(Describe(err, p.spec.Timeout))
		if res.Detail != "" {
			why += "; " + res.Detail
		}
		res.Detail = why
		return res, errors.New(p.redact.String(err.Error()))
	}
	return res, nil
}
