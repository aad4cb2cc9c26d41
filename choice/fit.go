package choice

import (
	"context"
	"fmt"

	"github.com/tailor-c2b/tailor/errs"
)

// ParseMethod returns the method named s (mnl, mxl or hb), or an
// errs.Invalid error.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case MNL, MXL, HB:
		return m, nil
	}
	return "", errs.Errorf(errs.Invalid, "Unknown estimation method %q; want mnl (multinomial logit), mxl (mixed logit) or hb (hierarchical Bayes).", s)
}

// FitOptions choose an estimator and tune it, for Fit. Zero values take the
// estimators' defaults.
type FitOptions struct {
	Method Method
	// Iterations is, for hierarchical Bayes, the number of sweeps; for
	// multinomial and mixed logit, the optimiser's iteration limit.
	Iterations int
	// BurnIn and Thin are hierarchical Bayes' (see HBOptions).
	BurnIn, Thin int
	// Draws and DrawType are mixed logit's (see MXLOptions).
	Draws    int
	DrawType DrawType
	// Seed fixes mixed logit's draws and hierarchical Bayes' streams.
	Seed    uint64
	Workers int
	// Progress, when set, is called as the estimator goes (see the
	// estimators' Progress options for when).
	Progress func(FitProgress)
}

// FitProgress is how far an estimation has come.
type FitProgress struct {
	Method Method
	// Iter counts the iterations done (for hierarchical Bayes, sweeps);
	// Of is the number of sweeps to do for hierarchical Bayes, and the
	// iteration limit for the others.
	Iter, Of int
	// LL is the log-likelihood at the current estimates: simulated for
	// mixed logit; for hierarchical Bayes, the mean over the sweeps since
	// the last report at the individual draws.
	LL float64
	// Frac estimates the share of the work done, 0 to 1. For
	// hierarchical Bayes it is exact; the optimisers stop when they
	// converge, which no one knows in advance, so for them it is a guess
	// from typical iteration counts that stays below 1 until the end.
	Frac float64
}

// Typical iteration counts that FitProgress.Frac is guessed from: Newton's
// method converges in a handful of iterations on conjoint data, BFGS on a
// mixed logit in a few dozen (36 on the demo's survey with every
// part-worth random).
const (
	mnlTypicalIter = 10
	mxlTypicalIter = 60
)

// String describes p for a progress line, such as "iteration 1,200 of
// 2,000: mean log-likelihood -2901.3".
func (p FitProgress) String() string {
	switch p.Method {
	case HB:
		return fmt.Sprintf("iteration %s of %s: mean log-likelihood %.1f", thousands(p.Iter), thousands(p.Of), p.LL)
	case MXL:
		return fmt.Sprintf("iteration %d: simulated log-likelihood %.4f", p.Iter, p.LL)
	}
	return fmt.Sprintf("iteration %d: log-likelihood %.4f", p.Iter, p.LL)
}

// Fit estimates d with the method o names: EstimateMNL, EstimateMXL (which
// needs d.Random) or EstimateHB, with o's settings, and reports progress
// through o.Progress. Errors are the estimators', and errs.Invalid for an
// unknown method or a mixed logit without random coefficients.
func Fit(ctx context.Context, d *Data, o FitOptions) (*Result, error) {
	report := func(iter, of, typical int, ll float64) {
		if o.Progress == nil {
			return
		}
		p := FitProgress{Method: o.Method, Iter: iter, Of: of, LL: ll}
		switch {
		case o.Method == HB && of > 0:
			p.Frac = float64(iter) / float64(of)
		case typical > 0:
			p.Frac = min(0.95, float64(iter)/float64(min(typical, max(of, 1))))
		}
		o.Progress(p)
	}
	switch o.Method {
	case MNL:
		limit := o.Iterations
		if limit <= 0 {
			limit = mnlMaxIter
		}
		return EstimateMNL(ctx, d, MNLOptions{MaxIter: o.Iterations, Workers: o.Workers,
			Progress: func(it int, ll float64) { report(it, limit, mnlTypicalIter, ll) }})
	case MXL:
		if len(d.Random) == 0 {
			return nil, errs.Errorf(errs.Invalid, "mixed logit needs random coefficients")
		}
		limit := o.Iterations
		if limit <= 0 {
			limit = mxlDefaultMaxIter
		}
		return EstimateMXL(ctx, d, MXLOptions{Draws: o.Draws, DrawType: o.DrawType, Seed: o.Seed, Workers: o.Workers,
			MaxIter: o.Iterations, Progress: func(it int, ll float64) { report(it, limit, mxlTypicalIter, ll) }})
	case HB:
		n := o.Iterations
		if n == 0 {
			n = hbDefaultIterations
		}
		return EstimateHB(ctx, d, HBOptions{Iterations: n, BurnIn: o.BurnIn, Thin: o.Thin, Seed: o.Seed, Workers: o.Workers,
			Progress: func(it int, ll float64) { report(it, n, 0, ll) }})
	}
	_, err := ParseMethod(string(o.Method))
	return nil, err
}
