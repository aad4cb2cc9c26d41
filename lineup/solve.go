package lineup

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/tailor-c2b/tailor/errs"
)

// Method names a way of solving.
type Method string

// The methods.
const (
	Auto   Method = "auto"   // exact when small enough, else heuristics
	Exact  Method = "exact"  // branch and bound with bounds: a proven optimum (may take long)
	Greedy Method = "greedy" // add the best candidate K times
	Swap   Method = "swap"   // greedy then best-improvement swaps to a local optimum
	Anneal Method = "anneal" // simulated annealing over swaps, from the swap solution, multi-start on all workers
)

// ParseMethod reads a method name.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case Auto, Exact, Greedy, Swap, Anneal:
		return m, nil
	case "":
		return Auto, nil
	}
	return "", errs.Errorf(errs.Invalid, "unknown method %q (want auto, exact, greedy, swap or anneal)", s)
}

// Options tune Solve.
type Options struct {
	Method  Method
	Seed    uint64
	Workers int // 0: GOMAXPROCS
	// Time limits exact and anneal (0: the method's default: none for
	// exact, a budget of moves for anneal, and for auto 10 s of branch and
	// bound after the heuristics; auto gives the heuristics at most half of
	// a limit). A run stopped by its time limit is not reproducible.
	Time time.Duration
	// Progress, when set, is told now and then how far the run is (0 to 1)
	// and the best objective so far. Calls come one at a time.
	Progress func(frac float64, best float64)
}

// Solution is what Solve found.
type Solution struct {
	Chosen    []int   `json:"chosen"`          // sorted
	Objective float64 `json:"objective"`       // p.Objective(Chosen)
	Bound     float64 `json:"bound"`           // an upper bound on the optimum (+Inf if none known)
	Gap       float64 `json:"gap"`             // (Bound-Objective)/|Bound| (over |Objective| when Bound is 0), 0 when proven
	Proven    bool    `json:"proven"`          // Objective is the optimum
	Method    Method  `json:"method"`          // the method that found Chosen (auto reports the one it ended with)
	Nodes     int     `json:"nodes,omitempty"` // branch-and-bound nodes
	Seconds   float64 `json:"seconds"`
}

// logitRhoMaxIters bounds the steps of logitRhoBound given time.
const logitRhoMaxIters = 60

// autoExactTime is how long auto lets branch and bound try to prove the
// heuristics' answer optimal when Options.Time is not set.
const autoExactTime = 10 * time.Second

// Solve chooses p.K candidates. It returns errs.Invalid for an invalid
// problem or options, and ctx's error when ctx ends first.
func Solve(ctx context.Context, p *Problem, opts Options) (*Solution, error) {
	start := time.Now()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if opts.Method == "" {
		opts.Method = Auto
	}
	if _, err := ParseMethod(string(opts.Method)); err != nil {
		return nil, err
	}
	if opts.Workers < 0 {
		return nil, errs.Errorf(errs.Invalid, "workers must not be negative; got %d", opts.Workers)
	}
	if opts.Time < 0 {
		return nil, errs.Errorf(errs.Invalid, "the time limit must not be negative; got %v", opts.Time)
	}
	w := opts.Workers
	if w == 0 {
		w = runtime.GOMAXPROCS(0)
	}
	sp := newSpace(p, w)
	run := &runner{sp: sp, ctx: ctx, opts: opts, start: start}
	if opts.Time > 0 {
		run.deadline = start.Add(opts.Time)
	}
	sol, err := run.solve()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.Sort(sol.Chosen)
	sol.Objective = p.Objective(sol.Chosen)
	if sol.Proven {
		sol.Bound = sol.Objective
	}
	sol.Bound = max(sol.Bound, sol.Objective)
	sol.Gap = gap(sol.Objective, sol.Bound)
	if sol.Proven {
		sol.Gap = 0
	}
	sol.Seconds = time.Since(start).Seconds()
	return sol, nil
}

// gap returns (bound-obj)/|bound|, or over |obj| when the bound is 0 (a
// negative objective, all margins negative), so that it stays finite.
func gap(obj, bound float64) float64 {
	switch {
	case math.IsInf(bound, 1):
		return math.Inf(1)
	case bound == obj:
		return 0
	case bound == 0:
		return (bound - obj) / math.Abs(obj)
	}
	return (bound - obj) / math.Abs(bound)
}

// runner holds one Solve call.
type runner struct {
	sp       *space
	ctx      context.Context
	opts     Options
	start    time.Time
	deadline time.Time // zero: none

	mu           sync.Mutex
	lastProgress time.Time
}

// expired reports whether the run must stop: its context ended or its
// deadline passed.
func (r *runner) expired() bool {
	if r.ctx.Err() != nil {
		return true
	}
	return !r.deadline.IsZero() && time.Now().After(r.deadline)
}

// progress reports to Options.Progress, at most a few times a second
// unless force is set.
func (r *runner) progress(frac, best float64, force bool) {
	if r.opts.Progress == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if !force && now.Sub(r.lastProgress) < 250*time.Millisecond {
		return
	}
	r.lastProgress = now
	r.opts.Progress(min(max(frac, 0), 1), best)
}

func (r *runner) solve() (*Solution, error) {
	sp := r.sp
	g := sp.greedy()
	if len(g) < sp.k {
		return nil, errs.Errorf(errs.Invalid, "found no lineup of K = %d candidates that keeps the side constraints (one price per phone, the price ladder, the parts limit): "+
			"the best greedy start stopped at %d; loosen them or lower K", sp.k, len(g))
	}
	switch r.opts.Method {
	case Greedy:
		return &Solution{Chosen: g, Bound: r.rootBound(g), Method: Greedy}, nil
	case Swap:
		s := sp.swap(g)
		return &Solution{Chosen: s, Bound: r.rootBound(s), Method: Swap}, nil
	case Anneal:
		s := r.anneal(sp.swap(g))
		return &Solution{Chosen: s, Bound: r.rootBound(s), Method: Anneal}, nil
	case Exact:
		inc := sp.swap(g)
		return r.exact(inc)
	}
	// Auto: the heuristics (in at most half the time limit), then branch
	// and bound for what time allows.
	if r.opts.Time > 0 {
		r.deadline = r.start.Add(r.opts.Time / 2)
	}
	inc := r.anneal(sp.swap(g))
	if r.ctx.Err() != nil {
		return nil, r.ctx.Err()
	}
	if r.opts.Time > 0 {
		r.deadline = r.start.Add(r.opts.Time)
	} else {
		r.deadline = time.Now().Add(autoExactTime)
	}
	if sp.exactFits() && !r.expired() {
		sol, err := r.exact(inc)
		if err != nil {
			return nil, err
		}
		if !sol.Proven && sp.p.Objective(sol.Chosen) <= sp.p.Objective(inc) {
			sol.Chosen, sol.Method = inc, Anneal
		}
		return sol, nil
	}
	// The time left goes to tightening the bound.
	more := func() bool { return !r.expired() }
	return &Solution{Chosen: inc, Bound: r.rootBoundWith(inc, more), Method: Anneal}, nil
}

// rootBound returns an upper bound on the optimum, given a good solution
// s (which some bounds use): for first choice, branch and bound's root
// bound when its tables fit, else a weaker one computed by scanning the
// matrix.
func (r *runner) rootBound(s []int) float64 { return r.rootBoundWith(s, nil) }

// rootBoundWith is rootBound, going on with the first-choice bound's
// steps, or the logit bound's choice of ρ (logitRhoBound), while more
// reports true.
func (r *runner) rootBoundWith(s []int, more func() bool) float64 {
	sp := r.sp
	if sp.p.Rule == Logit {
		b := sp.logitRootBound()
		if more != nil {
			b = min(b, sp.logitRhoBound(logitRhoMaxIters, sp.p.Objective(s), more))
		}
		return b
	}
	if sp.exactFits() {
		return r.bbRootBound(s)
	}
	iters := 8
	if float64(sp.nc)*float64(sp.n) > 1e8 {
		iters = 1 // each step is a scan of the whole matrix
	}
	return sp.fcRootBound(s, iters, more)
}

// space is a problem prepared for search: the constraints in the form the
// methods use.
type space struct {
	p       *Problem
	n, nc   int // candidates, customers
	k       int
	w       []float64 // weights
	must    []int     // sorted, distinct
	isMust  []bool
	allowed []bool // not forbidden
	groups  [][]int
	inGroup [][]int32 // the groups each candidate is in
	side    *side     // nil: no side constraints
	workers int
	logit   logitData

	// Scans kept for annealing's pool: what every candidate adds to the
	// required ones, and to the last local optimum swap reached.
	alone        []float64
	atOptimum    []int
	optimumGains []float64
}

func newSpace(p *Problem, workers int) *space {
	sp := &space{p: p, n: p.Candidates, nc: p.Customers, k: p.K, workers: max(workers, 1)}
	sp.w = p.Weight
	if sp.w == nil {
		sp.w = make([]float64, p.Customers)
		for i := range sp.w {
			sp.w[i] = 1
		}
	}
	sp.isMust = make([]bool, sp.n)
	sp.allowed = make([]bool, sp.n)
	for j := range sp.allowed {
		sp.allowed[j] = true
	}
	for _, j := range p.Forbid {
		sp.allowed[j] = false
	}
	for _, j := range p.Must {
		if !sp.isMust[j] {
			sp.isMust[j] = true
			sp.must = append(sp.must, j)
		}
	}
	slices.Sort(sp.must)
	sp.side = newSide(p)
	if sp.side != nil && sp.side.max > 0 {
		// A candidate that alone needs more parts than the limit can
		// never be chosen.
		for j := range sp.n {
			if !sp.side.fits(nil, -1, j) {
				sp.allowed[j] = false
			}
		}
	}
	sp.inGroup = make([][]int32, sp.n)
	for _, grp := range p.Groups {
		g := len(sp.groups)
		var members []int
		for _, j := range grp {
			if sp.allowed[j] && !slices.Contains(members, j) {
				members = append(members, j)
				sp.inGroup[j] = append(sp.inGroup[j], int32(g))
			}
		}
		sp.groups = append(sp.groups, members)
	}
	return sp
}

// tri is an answer that may be unknown.
type tri int

const (
	no tri = iota
	yes
	unknown
)

// canComplete reports whether slots more allowed candidates, not yet
// chosen, can give every group a chosen member.
func (sp *space) canComplete(chosen []bool, slots int) tri {
	return sp.canCompleteWith(chosen, nil, slots)
}

// canCompleteWith is canComplete with the candidates that may still be
// chosen limited to those avail accepts (nil: all). It searches the ways
// to hit the groups, so it can take long on many overlapping groups; after
// a budget of steps it answers unknown.
func (sp *space) canCompleteWith(chosen []bool, avail func(int) bool, slots int) tri {
	var unsat []int
	for g, grp := range sp.groups {
		if !slices.ContainsFunc(grp, func(j int) bool { return chosen[j] }) {
			unsat = append(unsat, g)
		}
	}
	if len(unsat) == 0 {
		return yes
	}
	usable := func(j int) bool { return !chosen[j] && (avail == nil || avail(j)) }
	budget := 100000
	mark := make(map[int]bool)
	var rec func(unsat []int, slots int) tri
	rec = func(unsat []int, slots int) tri {
		if len(unsat) == 0 {
			return yes
		}
		if slots == 0 {
			return no
		}
		if budget--; budget < 0 {
			return unknown
		}
		// Groups with no usable member in common each need a slot of
		// their own.
		packed := 0
		best, bestSize := -1, math.MaxInt
		clear(mark)
		for _, g := range unsat {
			size := 0
			clash := false
			for _, j := range sp.groups[g] {
				if usable(j) {
					size++
					clash = clash || mark[j]
				}
			}
			if size == 0 {
				return no
			}
			if !clash {
				packed++
				for _, j := range sp.groups[g] {
					mark[j] = true
				}
			}
			if size < bestSize {
				best, bestSize = g, size
			}
		}
		if packed > slots {
			return no
		}
		answer := no
		for _, j := range sp.groups[best] {
			if !usable(j) {
				continue
			}
			chosen[j] = true
			rest := slices.DeleteFunc(slices.Clone(unsat), func(g int) bool { return slices.Contains(sp.inGroup[j], int32(g)) })
			got := rec(rest, slots-1)
			chosen[j] = false
			if got == yes {
				return yes
			}
			if got == unknown {
				answer = unknown
			}
		}
		return answer
	}
	return rec(unsat, slots)
}

// groupCounts returns how many members of each group are in s.
func (sp *space) groupCounts(s []int) []int {
	c := make([]int, len(sp.groups))
	for _, j := range s {
		for _, g := range sp.inGroup[j] {
			c[g]++
		}
	}
	return c
}

// swapKeepsGroups reports whether replacing r by a in a set with the given
// group counts leaves every group a member.
func (sp *space) swapKeepsGroups(counts []int, r, a int) bool {
	for _, g := range sp.inGroup[r] {
		if counts[g] == 1 && !slices.Contains(sp.inGroup[a], g) {
			return false
		}
	}
	return true
}

// applySwapCounts updates group counts for replacing r by a.
func (sp *space) applySwapCounts(counts []int, r, a int) {
	for _, g := range sp.inGroup[r] {
		counts[g]--
	}
	for _, g := range sp.inGroup[a] {
		counts[g]++
	}
}

// parallel runs f over [0,n) cut into one contiguous range per worker;
// part numbers the range, from 0 to sp.workers-1. Every index is handled
// by exactly one call, so that results computed per index do not depend
// on the number of workers.
func (sp *space) parallel(n int, f func(part, lo, hi int)) {
	w := min(sp.workers, n)
	if w <= 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for t := range w {
		lo, hi := n*t/w, n*(t+1)/w
		wg.Go(func() { f(t, lo, hi) })
	}
	wg.Wait()
}
