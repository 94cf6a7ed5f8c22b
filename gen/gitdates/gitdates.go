// Package gitdates reads when each file of a site last changed, from git,
// in one pass over the history: one git process for the whole tree, never
// one per page, so a site of thousands of pages pays for it once.
//
// A site that is not a git checkout, a machine without git, and a shallow
// clone (CI's usual fetch-depth: 1, where every file would seem to have
// changed in the one commit fetched) all give no dates, and pages then
// show none: a wrong date is worse than no date.
package gitdates

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// ErrShallow is returned for a shallow clone.
var ErrShallow = errors.New("the git history is shallow, so change dates would be wrong; fetch the whole history (actions/checkout: fetch-depth: 0)")

// Read returns, for each file below dir that git tracks, the time of the
// last commit that changed it, keyed by its path relative to dir with
// forward slashes. It returns no dates and no error when dir is not in a
// git checkout or git is not installed.
func Read(ctx context.Context, dir string) (map[string]time.Time, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, nil
	}
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, git, append([]string{"-C", dir, "-c", "core.quotePath=false"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil && stderr.Len() > 0 {
			return nil, errors.New(strings.TrimSpace(stderr.String()))
		}
		return out, err
	}
	inside, err := run("rev-parse", "--is-inside-work-tree", "--is-shallow-repository")
	if err != nil {
		return nil, nil // not a checkout (or no commits yet)
	}
	if fields := strings.Fields(string(inside)); len(fields) < 2 || fields[0] != "true" {
		return nil, nil
	} else if fields[1] == "true" {
		return nil, ErrShallow
	}
	// Newest first: the first commit that names a file is its last change.
	// \x01 marks a commit's time, so a file named with digits is not one.
	out, err := run("log", "--relative", "--no-renames", "--format=%x01%ct", "--name-only", "-z", "--", ".")
	if err != nil {
		return nil, err
	}
	return parse(out), nil
}

// parse reads git log's output: "\x01<unix time>", then NUL-separated file
// names (the first after a newline), for each commit.
func parse(out []byte) map[string]time.Time {
	dates := map[string]time.Time{}
	var at time.Time
	for _, tok := range strings.Split(string(out), "\x00") {
		tok = strings.TrimPrefix(tok, "\n")
		if rest, ok := strings.CutPrefix(tok, "\x01"); ok {
			sec, err := strconv.ParseInt(rest, 10, 64)
			if err != nil {
				at = time.Time{}
				continue
			}
			at = time.Unix(sec, 0).UTC()
			continue
		}
		if tok == "" || at.IsZero() {
			continue
		}
		if _, seen := dates[tok]; !seen {
			dates[tok] = at
		}
	}
	return dates
}
