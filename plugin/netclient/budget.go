package netclient

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/teko-dev/teko/checkers"
)

// DefaultTimeout bounds one network call (a request, a conversation on a
// dialled connection) whose Timeout is zero and whose context has no
// deadline. Under the plugin runtime a context always has one (-t), and
// the budget rule below usually gives less.
const DefaultTimeout = 10 * time.Second

// The budget rule: a network call may take at most ShareNum/ShareDen
// (three quarters) of the time left before its context's deadline, and
// at most its own Timeout. The quarter kept back is the plugin's: when
// the service hangs, the call ends first, with a *TimeoutError that
// names the target, and the check still has time to report it, instead
// of the runtime's bare "timed out after 10s".
const (
	ShareNum = 3
	ShareDen = 4
)

// Share returns how long a call started now may take under ctx: the
// budget rule applied to ctx's deadline and limit (zero limit means
// DefaultTimeout). It is at least a millisecond, so that a call made
// with nothing left fails at once with a timeout rather than hanging.
func Share(ctx context.Context, limit time.Duration) time.Duration {
	if limit <= 0 {
		limit = DefaultTimeout
	}
	d := limit
	if deadline, ok := ctx.Deadline(); ok {
		share := time.Until(deadline) * ShareNum / ShareDen
		if probeEnd, ok := ctx.Value(budgetedKey{}).(time.Time); ok && probeEnd.Equal(deadline) {
			share = time.Until(deadline) // a Budget's probe: the rule was applied when the budget was made
		}
		if share < d {
			d = share
		}
	}
	return max(d.Round(time.Millisecond), time.Millisecond)
}

// Limit returns a context for one network call under the budget rule
// (see Share). When its deadline passes, context.Cause of the returned
// context is a *TimeoutError saying how long the call had; every error
// of this package's clients is then that TimeoutError, wrapped with the
// target's name.
func Limit(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	return limitFor(ctx, limit, "")
}

// limitFor is Limit with the TimeoutError's Waiting.
func limitFor(ctx context.Context, limit time.Duration, waiting string) (context.Context, context.CancelFunc) {
	d := Share(ctx, limit)
	return context.WithTimeoutCause(ctx, d, &TimeoutError{After: d, Waiting: waiting})
}

// TimeoutError is a network call that ran out of its time: the service
// accepted the connection (or did not) and did not answer in time. For a
// check this is the service's failure, CRITICAL, not the plugin's; see
// Failed.
type TimeoutError struct {
	// After is how long the call was given.
	After time.Duration
	// Waiting is what did not come in time, for the message: "no
	// <Waiting> within <After>"; empty means "answer".
	Waiting string
}

func (e *TimeoutError) Error() string {
	w := e.Waiting
	if w == "" {
		w = "answer"
	}
	return fmt.Sprintf("no %s within %s", w, e.After)
}

// Timeout reports true, as net.Error does for timeouts.
func (e *TimeoutError) Timeout() bool { return true }

// Is makes errors.Is(err, context.DeadlineExceeded) and
// errors.Is(err, os.ErrDeadlineExceeded) true for a TimeoutError.
func (e *TimeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded || target == os.ErrDeadlineExceeded
}

// IsTimeout reports whether err, or an error it wraps, is a
// *TimeoutError: a call of this package that ran out of its share of
// the time.
func IsTimeout(err error) bool {
	var te *TimeoutError
	return errors.As(err, &te)
}

// Failed is the result a check reports when a probe of the service
// failed: CRITICAL with the error as the summary. Use it for every error
// of a call to the service — refused, reset, a TLS failure, and above
// all a *TimeoutError, which means the service hung. Returning such an
// error from Check instead would make it UNKNOWN ("the plugin could not
// decide"), which hides an outage behind a plugin problem. Keep errors
// for what is the plugin's own failure (a CA file that cannot be read).
//
//	resp, err := client.Get(ctx, o.URL)
//	if err != nil {
//		return netclient.Failed(err), nil
//	}
func Failed(err error) *checkers.Result {
	return checkers.NewResult(checkers.Critical, "%s", err.Error())
}

// Budget splits the time of a check between several probes (several
// hosts, or the steps of one conversation), so that each gets its fair
// share and the last is not starved by a first that hung. Its total is
// fixed when it is made, by the budget rule; each Probe then gets the
// time left divided by the number of probes still to run.
//
// A Budget is not safe for concurrent use; probes that run in parallel
// share one Probe call's context instead.
type Budget struct {
	end time.Time
}

// NewBudget returns a budget of Share(ctx, limit) from now.
func NewBudget(ctx context.Context, limit time.Duration) *Budget {
	return &Budget{end: time.Now().Add(Share(ctx, limit))}
}

// Left returns the time left in the budget (zero when spent).
func (b *Budget) Left() time.Duration {
	return max(time.Until(b.end), 0)
}

// Probe returns a context for the next probe, when probesLeft probes
// (this one included) are still to run: its deadline is the time left
// divided by probesLeft (at least a millisecond). Its cause when it
// passes is a *TimeoutError, as with Limit. The budget rule is not
// applied twice: a client of this package given a probe's context takes
// the probe's whole time (or its own Timeout, if shorter), not three
// quarters of it.
func (b *Budget) Probe(ctx context.Context, probesLeft int) (context.Context, context.CancelFunc) {
	d := b.Left() / time.Duration(max(probesLeft, 1))
	d = max(d.Round(time.Millisecond), time.Millisecond)
	ctx, cancel := context.WithTimeoutCause(ctx, d, &TimeoutError{After: d})
	deadline, _ := ctx.Deadline()
	return context.WithValue(ctx, budgetedKey{}, deadline), cancel
}

// budgetedKey marks a context whose deadline a Budget gave to one probe:
// Share takes all of the time left before that deadline.
type budgetedKey struct{}
