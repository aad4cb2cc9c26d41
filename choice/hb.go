package choice

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tailor-c2b/tailor/errs"
)

// HBOptions tunes EstimateHB. The zero value asks for the defaults.
type HBOptions struct {
	// Iterations is the number of Gibbs sweeps; 0 means 10,000.
	Iterations int
	// BurnIn is the number of leading sweeps that are discarded; 0 means
	// half of Iterations, a negative value means none.
	BurnIn int
	// Thin keeps every Thin-th sweep after the burn-in; 0 means 1.
	Thin int
	// Seed fixes the random streams. The same Seed gives the same result
	// whatever Workers is.
	Seed uint64
	// Workers is the number of goroutines that draw the individual
	// part-worths; 0 means GOMAXPROCS.
	Workers int
	// Prior is the second-stage prior; zero fields take bayesm's defaults.
	Prior HBPrior
	// Progress, when set, is called from EstimateHB's goroutine after every
	// 100th sweep and after the last one, with the number of sweeps done
	// and the mean, over the sweeps since the previous call, of the
	// log-likelihood at the current draws of the individual part-worths.
	Progress func(iter int, meanLL float64)
	// KeepTrace asks for the log-likelihood at every kept draw in
	// HBResult.LLTrace.
	KeepTrace bool
}

// HBPrior is the prior of the population distribution of the part-worths,
// as in bayesm::rhierMnlRwMixture with one component:
//
//	beta_i ~ N(mu, Sigma),  mu | Sigma ~ N(MuBar, Sigma/Amu),  Sigma ~ IW(Nu, V)
//
// where IW(Nu, V) has density proportional to
// |Sigma|^-(Nu+k+1)/2 exp(-tr(V Sigma^-1)/2), so that E[Sigma] = V/(Nu-k-1).
type HBPrior struct {
	// Nu is the inverse-Wishart degrees of freedom; 0 means k+3.
	Nu float64
	// V is the inverse-Wishart scale matrix, k×k; nil means Nu times the
	// identity.
	V [][]float64
	// MuBar is the prior mean of mu; nil means zero.
	MuBar []float64
	// Amu is the prior precision of mu relative to Sigma; 0 means 0.01.
	Amu float64
}

// The tuning constants of bayesm::rhierMnlRwMixture (bayesm 3.x,
// BayesmConstant.RRScaling and .w): the random-walk scale is
// hbScale/sqrt(k), and the fractional likelihood that tunes each person's
// proposal mixes the person's likelihood with weight 1-hbFracW and the
// pooled one (normalised to the person's share of the cases) with weight
// hbFracW. Rossi, Allenby and McCulloch's book and bayesm 2 used 2.93 for
// the scale.
const (
	hbScale = 2.38
	hbFracW = 0.1
)

// hbDefaultIterations is the number of sweeps when HBOptions.Iterations is
// 0.
const hbDefaultIterations = 10000

// EstimateHB estimates a hierarchical Bayes multinomial logit model by
// Gibbs sampling, following bayesm::rhierMnlRwMixture with one normal
// component. Every coefficient in d.Params is individual-level (d.Random is
// ignored); d.Offset and d.Fixed are respected, and case weights multiply
// each case's log-likelihood. The decision makers are d.Panel; when
// d.Panel is nil every case is its own decision maker. d.StartValues is
// ignored: the chain starts, as bayesm's does, at each person's
// fractional-likelihood optimum.
//
// Each sweep draws (mu, Sigma) given the individual part-worths from the
// normal–inverse-Wishart conditional, then each person's part-worths by one
// random-walk Metropolis step whose increment has covariance
// s²·(H_i + Sigma⁻¹)⁻¹, where H_i is the person's information matrix at the
// optimum of a fractional likelihood and s = 2.38/√k. The persons' steps
// run on opts.Workers goroutines, each with a random stream derived from
// (Seed, person, sweep).
//
// The result's Params hold the posterior mean of mu (Value), its posterior
// standard deviation (SE) and the 2.5% and 97.5% posterior quantiles (Lower,
// Upper) over the kept draws; Cov is the posterior covariance of mu; LL is
// the log-likelihood at the individual posterior means, LLStart at the
// chain's starting point. HB holds the rest: HB.Acceptance is the share of
// accepted Metropolis proposals over all sweeps, HB.Geweke and HB.ESS are
// computed from each component of mu's kept draws with the integrated
// autocorrelation time by Geyer's initial monotone sequence. Converged
// reports whether every Geweke |z| is at most 3, and Message names the
// coefficients that are not. Fixed coefficients follow the estimated ones
// in Params. AIC and BIC are filled as for the other estimators but mean
// little for a hierarchical model. Errors: invalid (bad data, options or
// prior; a pooled model that is not identified), or ctx's error when it is
// cancelled.
func EstimateHB(ctx context.Context, d *Data, opts HBOptions) (*Result, error) {
	t0 := time.Now()
	if err := d.Check(); err != nil {
		return nil, errs.Errorf(errs.Invalid, "hierarchical Bayes: %v", err)
	}
	k := d.K()
	if k == 0 {
		return nil, errs.Errorf(errs.Invalid, "hierarchical Bayes: no coefficients to estimate")
	}
	o, err := hbDefaults(opts)
	if err != nil {
		return nil, err
	}
	s, err := newHBSampler(d, o)
	if err != nil {
		return nil, err
	}
	if err := s.init(); err != nil {
		return nil, err
	}
	llStart := s.totalLL()
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	r := s.result(d)
	r.LLStart = llStart
	r.Seconds = time.Since(t0).Seconds()
	return r, nil
}

// hbConfig is HBOptions with the defaults filled in.
type hbConfig struct {
	HBOptions
	kept int
}

func hbDefaults(o HBOptions) (hbConfig, error) {
	if o.Iterations == 0 {
		o.Iterations = hbDefaultIterations
	}
	if o.Iterations < 0 {
		return hbConfig{}, errs.Errorf(errs.Invalid, "hierarchical Bayes: %d iterations", o.Iterations)
	}
	switch {
	case o.BurnIn == 0:
		o.BurnIn = o.Iterations / 2
	case o.BurnIn < 0:
		o.BurnIn = 0
	}
	if o.Thin == 0 {
		o.Thin = 1
	}
	if o.Thin < 0 {
		return hbConfig{}, errs.Errorf(errs.Invalid, "hierarchical Bayes: thinning %d", o.Thin)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	kept := 0
	if o.Iterations > o.BurnIn {
		kept = (o.Iterations - o.BurnIn) / o.Thin
	}
	if kept < 2 {
		return hbConfig{}, errs.Errorf(errs.Invalid,
			"hierarchical Bayes: %d iterations with burn-in %d and thinning %d keep fewer than 2 draws",
			o.Iterations, o.BurnIn, o.Thin)
	}
	return hbConfig{HBOptions: o, kept: kept}, nil
}

// hbUnit is one decision maker's data, laid out for the likelihood loop:
// the rows with a nonzero explanatory value ("variable" rows) contiguous in
// x, and the rows whose utility is their offset alone (such as an all-zero
// "none" row) kept apart so that they cost no arithmetic.
type hbUnit struct {
	x    []float64 // nv*k values of the variable rows, row-major
	voff []float64 // offsets of the variable rows; nil when all zero
	// u holds utilities: the nv variable rows, computed per evaluation,
	// then the constant rows' offsets, filled once.
	u    []float64
	nv   int
	vs   []int32   // task t's variable rows are u[vs[t]:vs[t+1]]
	cs   []int32   // task t's constant rows are u[cs[t]:cs[t+1]]
	ch   []int32   // task t's chosen row, an index into u
	cexp []float64 // task t's sum of exp(offset) over its constant rows
	w    []float64 // task weights; nil when all 1
	n    float64   // number of tasks, or their total weight
	// hess is the person's information matrix at the fractional optimum,
	// k×k row-major.
	hess []float64
	// tab, when not nil, evaluates the likelihood with fewer exponentials.
	tab *hbTable
}

// hbTable serves persons whose columns take few distinct values, as in
// conjoint designs made of dummies and price levels. Every row's
// exp(utility) is the product of exp(beta_j·v) over its nonzero values v,
// and there is one such factor per distinct (column, value) pair of the
// person rather than one exponential per row.
type hbTable struct {
	// Factor f is exp(beta[col[f]]·val[f]).
	col []int32
	val []float64
	// Row r's factors are rf[r*width:(r+1)*width]. Rows with fewer
	// nonzero values are padded with the neutral factor len(col), whose
	// exponent is 0: a loop of fixed length runs faster than one whose
	// length the processor cannot predict.
	rf    []int32
	width int
	eoff  []float64 // exp(offset) of each variable row; nil when all zero
	// Per evaluation: the exponents and their exponentials, with the
	// neutral factor last.
	e, ef []float64
}

// The table path multiplies at most width factors whose exponents are each
// below hbSafeExp/width in magnitude, times exp(offset) with |offset| at
// most hbTableMaxOffset, so no product overflows; evaluations outside
// these bounds take the dense path.
const (
	hbSafeExp        = 600
	hbTableMaxOffset = 50
)

// hbSampler holds the state of the chain.
type hbSampler struct {
	cfg   hbConfig
	k     int
	units []hbUnit

	// Prior.
	nu    float64
	v     []float64 // k×k
	mubar []float64
	amu   float64
	scale float64 // random-walk scale s

	// State: the individual part-worths (n×k), their log-likelihoods, and
	// the current population draw.
	beta   []float64
	ll     []float64
	acc    []int64 // accepted proposals per person
	mu     []float64
	sigma  []float64 // k×k
	sigInv []float64 // k×k

	// Kept draws and running sums.
	muDraws  []float64 // kept×k
	sigmaSum []float64
	sdSum    []float64
	betaSum  []float64
	llSum    float64
	trace    []float64
	nKept    int
	accTotal int64
	props    int64

	niw  *hbNIWWork
	work []*hbWork
}

// hbWork is one worker's scratch space.
type hbWork struct {
	pcg   rand.PCG
	rng   *rand.Rand
	chol  []float64
	z     []float64
	cand  []float64
	diff  []float64
	grad  []float64
	info  []float64
	xbar  []float64
	prob  []float64
	delta []float64
	hfrac []float64
}

func newHBWork(k, maxRows int) *hbWork {
	w := &hbWork{
		chol: make([]float64, k*k), z: make([]float64, k), cand: make([]float64, k),
		diff: make([]float64, k), grad: make([]float64, k), info: make([]float64, k*k),
		xbar: make([]float64, k), prob: make([]float64, maxRows), delta: make([]float64, k),
		hfrac: make([]float64, k*k),
	}
	w.rng = rand.New(&w.pcg)
	return w
}

func newHBSampler(d *Data, o hbConfig) (*hbSampler, error) {
	k := d.K()
	s := &hbSampler{cfg: o, k: k}
	if err := s.setPrior(o.Prior); err != nil {
		return nil, err
	}
	s.scale = hbScale / math.Sqrt(float64(k))
	s.units = hbUnits(d)
	n := len(s.units)
	if s.nu+float64(n) <= float64(k-1) {
		return nil, errs.Errorf(errs.Invalid, "hierarchical Bayes: prior degrees of freedom %g are too few for %d coefficients and %d persons", s.nu, k, n)
	}
	s.beta = make([]float64, n*k)
	s.ll = make([]float64, n)
	s.acc = make([]int64, n)
	s.mu = make([]float64, k)
	s.sigma = make([]float64, k*k)
	s.sigInv = make([]float64, k*k)
	s.muDraws = make([]float64, 0, o.kept*k)
	s.sigmaSum = make([]float64, k*k)
	s.sdSum = make([]float64, k)
	s.betaSum = make([]float64, n*k)
	if o.KeepTrace {
		s.trace = make([]float64, 0, o.kept)
	}
	maxRows := 0
	for i := range s.units {
		maxRows = max(maxRows, len(s.units[i].u))
	}
	s.niw = newHBNIWWork(k)
	s.work = make([]*hbWork, o.Workers)
	for w := range s.work {
		s.work[w] = newHBWork(k, maxRows)
	}
	return s, nil
}

func (s *hbSampler) setPrior(p HBPrior) error {
	k := s.k
	s.nu = p.Nu
	if s.nu == 0 {
		s.nu = float64(k) + 3
	}
	if !(s.nu > 0) || math.IsInf(s.nu, 0) {
		return errs.Errorf(errs.Invalid, "hierarchical Bayes: prior degrees of freedom %g", p.Nu)
	}
	s.v = make([]float64, k*k)
	if p.V == nil {
		for i := range k {
			s.v[i*k+i] = s.nu
		}
	} else {
		if len(p.V) != k {
			return errs.Errorf(errs.Invalid, "hierarchical Bayes: prior scale matrix has %d rows for %d coefficients", len(p.V), k)
		}
		for i, row := range p.V {
			if len(row) != k {
				return errs.Errorf(errs.Invalid, "hierarchical Bayes: prior scale matrix row %d has %d values for %d coefficients", i+1, len(row), k)
			}
			copy(s.v[i*k:], row)
		}
		for i := range k {
			for j := range i {
				if s.v[i*k+j] != s.v[j*k+i] {
					return errs.Errorf(errs.Invalid, "hierarchical Bayes: prior scale matrix is not symmetric")
				}
			}
		}
		c := slices.Clone(s.v)
		if !hbChol(c, k) {
			return errs.Errorf(errs.Invalid, "hierarchical Bayes: prior scale matrix is not positive definite")
		}
	}
	s.mubar = make([]float64, k)
	if p.MuBar != nil {
		if len(p.MuBar) != k {
			return errs.Errorf(errs.Invalid, "hierarchical Bayes: prior mean has %d values for %d coefficients", len(p.MuBar), k)
		}
		copy(s.mubar, p.MuBar)
	}
	s.amu = p.Amu
	if s.amu == 0 {
		s.amu = 0.01
	}
	if !(s.amu > 0) || math.IsInf(s.amu, 0) {
		return errs.Errorf(errs.Invalid, "hierarchical Bayes: prior precision of the mean %g", p.Amu)
	}
	return nil
}

// hbUnits splits d into decision makers.
func hbUnits(d *Data) []hbUnit {
	k := d.K()
	np := d.NumPanels()
	units := make([]hbUnit, np)
	cases := d.Cases()
	c := 0
	for p := range np {
		c0 := c
		for c < cases && d.PanelOf(c) == p {
			c++
		}
		units[p] = hbMakeUnit(d, c0, c, k)
	}
	return units
}

func hbMakeUnit(d *Data, c0, c1, k int) hbUnit {
	var u hbUnit
	var constOff []float64
	hasOff := false
	for c := c0; c < c1; c++ {
		for r := d.Start[c]; r < d.Start[c+1]; r++ {
			if !slices.ContainsFunc(d.Row(r), func(v float64) bool { return v != 0 }) {
				continue
			}
			u.nv++
			if d.Offset != nil && d.Offset[r] != 0 {
				hasOff = true
			}
		}
	}
	u.x = make([]float64, 0, u.nv*k)
	if hasOff {
		u.voff = make([]float64, 0, u.nv)
	}
	u.vs = make([]int32, 1, c1-c0+1)
	u.cs = make([]int32, 1, c1-c0+1)
	u.cs[0] = int32(u.nv)
	u.ch = make([]int32, 0, c1-c0)
	weighted := false
	var chosenConst []int // tasks whose chosen row is constant, with its index among constOff
	var chosenConstIdx []int
	for c := c0; c < c1; c++ {
		ch := int32(-1)
		for r := d.Start[c]; r < d.Start[c+1]; r++ {
			off := 0.0
			if d.Offset != nil {
				off = d.Offset[r]
			}
			if slices.ContainsFunc(d.Row(r), func(v float64) bool { return v != 0 }) {
				if r == int(d.Chosen[c]) {
					ch = int32(len(u.x) / k)
				}
				u.x = append(u.x, d.Row(r)...)
				if hasOff {
					u.voff = append(u.voff, off)
				}
			} else {
				if r == int(d.Chosen[c]) {
					chosenConst = append(chosenConst, c-c0)
					chosenConstIdx = append(chosenConstIdx, len(constOff))
				}
				constOff = append(constOff, off)
			}
		}
		u.ch = append(u.ch, ch)
		u.vs = append(u.vs, int32(len(u.x)/k))
		u.cs = append(u.cs, int32(u.nv+len(constOff)))
		wt := d.CaseWeight(c)
		if wt != 1 {
			weighted = true
		}
		u.n += wt
	}
	for i, t := range chosenConst {
		u.ch[t] = int32(u.nv + chosenConstIdx[i])
	}
	u.u = make([]float64, u.nv+len(constOff))
	copy(u.u[u.nv:], constOff)
	u.cexp = make([]float64, len(u.ch))
	for t := range u.ch {
		for _, o := range u.u[u.cs[t]:u.cs[t+1]] {
			u.cexp[t] += math.Exp(o)
		}
	}
	u.tab = hbMakeTable(&u, k)
	if weighted {
		u.w = make([]float64, c1-c0)
		for c := c0; c < c1; c++ {
			u.w[c-c0] = d.CaseWeight(c)
		}
	}
	return u
}

// utilities computes the variable rows' utilities at beta into u.u.
func (u *hbUnit) utilities(beta []float64) {
	k := len(beta)
	dst := u.u[:u.nv]
	x := u.x
	r := 0
	// Four rows at a time: four independent sums keep the floating-point
	// adders busy where one sum would wait on itself.
	for ; r+4 <= len(dst); r += 4 {
		x0 := x[r*k : r*k+k]
		x1 := x[(r+1)*k : (r+1)*k+k]
		x2 := x[(r+2)*k : (r+2)*k+k]
		x3 := x[(r+3)*k : (r+3)*k+k]
		x0, x1, x2, x3 = x0[:len(beta)], x1[:len(beta)], x2[:len(beta)], x3[:len(beta)]
		var s0, s1, s2, s3 float64
		for j, b := range beta {
			s0 += x0[j] * b
			s1 += x1[j] * b
			s2 += x2[j] * b
			s3 += x3[j] * b
		}
		dst[r], dst[r+1], dst[r+2], dst[r+3] = s0, s1, s2, s3
	}
	for ; r < len(dst); r++ {
		xr := x[r*k : r*k+k]
		xr = xr[:len(beta)]
		var s0 float64
		for j, b := range beta {
			s0 += xr[j] * b
		}
		dst[r] = s0
	}
	if u.voff != nil {
		for r, o := range u.voff[:len(dst)] {
			dst[r] += o
		}
	}
}

// hbMakeTable returns the table of u's distinct (column, value) pairs, or
// nil when it would not save work: when the pairs are not much fewer than
// the rows, or an offset is large.
func hbMakeTable(u *hbUnit, k int) *hbTable {
	if u.nv == 0 {
		return nil
	}
	for _, o := range u.voff {
		if math.Abs(o) > hbTableMaxOffset {
			return nil
		}
	}
	type pair struct {
		col int
		val float64
	}
	index := map[pair]int32{}
	t := &hbTable{}
	rows := make([][]int32, u.nv)
	for r := range u.nv {
		for j, v := range u.x[r*k : r*k+k] {
			if v == 0 {
				continue
			}
			f, ok := index[pair{j, v}]
			if !ok {
				f = int32(len(t.col))
				index[pair{j, v}] = f
				t.col = append(t.col, int32(j))
				t.val = append(t.val, v)
				if 2*len(t.col) > u.nv {
					return nil
				}
			}
			rows[r] = append(rows[r], f)
		}
		t.width = max(t.width, len(rows[r]))
	}
	neutral := int32(len(t.col))
	t.rf = make([]int32, 0, u.nv*t.width)
	for _, fs := range rows {
		t.rf = append(t.rf, fs...)
		for range t.width - len(fs) {
			t.rf = append(t.rf, neutral)
		}
	}
	if u.voff != nil {
		t.eoff = make([]float64, u.nv)
		for r, o := range u.voff {
			t.eoff[r] = math.Exp(o)
		}
	}
	t.e = make([]float64, len(t.col)+1)
	t.ef = make([]float64, len(t.col)+1)
	t.ef[neutral] = 1
	return t
}

// logLik returns the person's log-likelihood at beta.
func (u *hbUnit) logLik(beta []float64) float64 {
	if u.tab != nil {
		if ll, ok := u.logLikTable(beta); ok {
			return ll
		}
	}
	return u.logLikDense(beta)
}

// logLikTable is logLik by the table of factors; it reports false when
// the exponents are too large for the products to be safe.
func (u *hbUnit) logLikTable(beta []float64) (float64, bool) {
	t := u.tab
	big := 0.0
	nf := len(t.val)
	e, ef := t.e[:nf+1], t.ef[:nf+1]
	col := t.col[:nf]
	for f, v := range t.val {
		x := beta[col[f]] * v
		e[f] = x
		big = max(big, math.Abs(x))
	}
	if !(big*float64(t.width) < hbSafeExp) {
		return 0, false
	}
	for f, x := range e[:nf] {
		ef[f] = math.Exp(x)
	}
	ll := 0.0
	prod := 1.0
	w := t.width
	rf := t.rf
	for task, ch := range u.ch {
		sum := u.cexp[task]
		for r := int(u.vs[task]); r < int(u.vs[task+1]); r++ {
			p := 1.0
			if t.eoff != nil {
				p = t.eoff[r]
			}
			for _, f := range rf[r*w : r*w+w] {
				p *= ef[f]
			}
			sum += p
		}
		// The chosen row's utility.
		var uch float64
		if c := int(ch); c < u.nv {
			if u.voff != nil {
				uch = u.voff[c]
			}
			for _, f := range rf[c*w : c*w+w] {
				uch += e[f]
			}
		} else {
			uch = u.u[c]
		}
		if !(sum > 1e-250 && sum < 1e250) {
			return 0, false
		}
		if u.w != nil {
			ll += u.w[task] * (uch - math.Log(sum))
			continue
		}
		ll += uch
		prod *= sum
		if !(prod > 1e-50 && prod < 1e50) {
			ll -= math.Log(prod)
			prod = 1
		}
	}
	return ll - math.Log(prod), true
}

// logLikDense is logLik by the utilities of every row.
func (u *hbUnit) logLikDense(beta []float64) float64 {
	u.utilities(beta)
	uu := u.u
	ll := 0.0
	// Without weights, the logarithms of the tasks' denominators are taken
	// of their running product, rescaled now and then, rather than one by
	// one.
	prod := 1.0
	for t, ch := range u.ch {
		sum := u.cexp[t]
		for _, v := range uu[u.vs[t]:u.vs[t+1]] {
			sum += math.Exp(v)
		}
		var lt float64
		if !(sum > 1e-250 && sum < 1e250) {
			// Overflow, underflow or NaN: subtract the largest utility.
			lt = uu[ch] - hbLogSumExp(uu[u.vs[t]:u.vs[t+1]], uu[u.cs[t]:u.cs[t+1]])
			if u.w != nil {
				lt *= u.w[t]
			}
			ll += lt
			continue
		}
		if u.w != nil {
			ll += u.w[t] * (uu[ch] - math.Log(sum))
			continue
		}
		ll += uu[ch]
		prod *= sum
		if !(prod > 1e-50 && prod < 1e50) {
			ll -= math.Log(prod)
			prod = 1
		}
	}
	return ll - math.Log(prod)
}

func hbLogSumExp(a, b []float64) float64 {
	m := math.Inf(-1)
	for _, v := range a {
		m = max(m, v)
	}
	for _, v := range b {
		m = max(m, v)
	}
	if math.IsInf(m, 0) || math.IsNaN(m) {
		return m
	}
	sum := 0.0
	for _, v := range a {
		sum += math.Exp(v - m)
	}
	for _, v := range b {
		sum += math.Exp(v - m)
	}
	return m + math.Log(sum)
}

// gradInfo returns the person's log-likelihood at beta and adds its
// gradient to grad and its information matrix (the negative Hessian) to
// info, each multiplied by f. prob needs room for the person's rows.
func (u *hbUnit) gradInfo(beta []float64, f float64, grad, info, xbar, prob []float64) float64 {
	k := len(beta)
	u.utilities(beta)
	ll := 0.0
	for t, ch := range u.ch {
		wt := f
		if u.w != nil {
			wt *= u.w[t]
		}
		lse := hbLogSumExp(u.u[u.vs[t]:u.vs[t+1]], u.u[u.cs[t]:u.cs[t+1]])
		ll += wt * (u.u[ch] - lse)
		clear(xbar)
		for r := u.vs[t]; r < u.vs[t+1]; r++ {
			p := math.Exp(u.u[r] - lse)
			prob[r] = p
			for j, x := range u.x[int(r)*k : int(r)*k+k] {
				xbar[j] += p * x
			}
		}
		if int(ch) < u.nv {
			for j, x := range u.x[int(ch)*k : int(ch)*k+k] {
				grad[j] += wt * x
			}
		}
		for j := range k {
			grad[j] -= wt * xbar[j]
		}
		for r := u.vs[t]; r < u.vs[t+1]; r++ {
			p := wt * prob[r]
			xr := u.x[int(r)*k : int(r)*k+k]
			for a := range k {
				pa := p * xr[a]
				for b := range k {
					info[a*k+b] += pa * xr[b]
				}
			}
		}
		for a := range k {
			for b := range k {
				info[a*k+b] -= wt * xbar[a] * xbar[b]
			}
		}
	}
	return ll
}

// init finds the pooled optimum, each person's fractional-likelihood
// optimum (the chain's starting point) and information matrix, as bayesm
// does before its first sweep.
func (s *hbSampler) init() error {
	k := s.k
	ws := s.work[0]
	// Pooled MNL by Newton's method from zero.
	bp := make([]float64, k)
	hp := make([]float64, k*k)
	total := 0.0
	for i := range s.units {
		total += s.units[i].n
	}
	pooled := func(beta, grad, info []float64) float64 {
		clear(grad)
		clear(info)
		ll := 0.0
		for i := range s.units {
			ll += s.units[i].gradInfo(beta, 1, grad, info, ws.xbar, ws.prob)
		}
		return ll
	}
	if _, ok := hbNewton(bp, pooled, ws, 200); !ok {
		return errs.Errorf(errs.Invalid, "hierarchical Bayes: the pooled logit model did not converge; check that every coefficient is identified")
	}
	pooled(bp, ws.grad, hp)
	if !hbChol(slices.Clone(hp), k) {
		return errs.Errorf(errs.Invalid, "hierarchical Bayes: the pooled logit model is not identified (its information matrix is singular): a coefficient's column may be constant within every case")
	}
	// Fractional likelihood of person i:
	//   (1-w)·LL_i(b) - w·(n_i/N)·½(b-bp)'H(b-bp).
	for i := range s.units {
		u := &s.units[i]
		c := hbFracW * u.n / total
		frac := func(beta, grad, info []float64) float64 {
			clear(grad)
			clear(info)
			ll := u.gradInfo(beta, 1-hbFracW, grad, info, ws.xbar, ws.prob)
			q := 0.0
			for a := range k {
				ws.diff[a] = beta[a] - bp[a]
			}
			for a := range k {
				ha := 0.0
				for b := range k {
					h := hp[a*k+b]
					ha += h * ws.diff[b]
					info[a*k+b] += c * h
				}
				grad[a] -= c * ha
				q += ws.diff[a] * ha
			}
			return ll - 0.5*c*q
		}
		beta := s.beta[i*k : (i+1)*k]
		copy(beta, bp)
		u.hess = make([]float64, k*k)
		if _, ok := hbNewton(beta, frac, ws, 100); ok {
			u.gradInfo(beta, 1, ws.grad, u.hess, ws.xbar, ws.prob)
		} else {
			// bayesm's fallback when the optimiser fails.
			clear(beta)
			for a := range k {
				u.hess[a*k+a] = 1
			}
		}
		s.ll[i] = u.logLik(beta)
	}
	return nil
}

// hbNewton maximises the concave function f from beta in place by
// Newton's method with step halving; f returns the value and writes the
// gradient and the information matrix (negative Hessian). It reports
// whether it converged.
func hbNewton(beta []float64, f func(beta, grad, info []float64) float64, ws *hbWork, maxIter int) (float64, bool) {
	k := len(beta)
	grad, info, step, trial := ws.grad, ws.info, ws.delta, ws.cand
	// f overwrites grad and info: keep the accepted point's in hfrac/z.
	g := make([]float64, k)
	h := ws.hfrac
	val := f(beta, grad, info)
	for iter := 0; iter < maxIter; iter++ {
		copy(g, grad)
		copy(h, info)
		// Solve info·step = grad, with a ridge if info is not positive
		// definite.
		ridge := 0.0
		for {
			copy(ws.chol, h)
			for a := range k {
				ws.chol[a*k+a] += ridge
			}
			if hbChol(ws.chol, k) {
				break
			}
			if ridge == 0 {
				ridge = 1e-8
			} else {
				ridge *= 10
			}
			if ridge > 1e8 {
				return val, false
			}
		}
		copy(step, g)
		hbSolveLower(ws.chol, k, step)
		hbSolveLowerT(ws.chol, k, step)
		// Newton decrement: g'·step; stop when tiny.
		dec := 0.0
		for a := range k {
			dec += g[a] * step[a]
		}
		if dec < 1e-12 {
			f(beta, grad, info)
			return val, true
		}
		t := 1.0
		for {
			for a := range k {
				trial[a] = beta[a] + t*step[a]
			}
			nv := f(trial, grad, info)
			if nv >= val-1e-12*math.Abs(val) && !math.IsNaN(nv) {
				copy(beta, trial)
				val = nv
				break
			}
			t /= 2
			if t < 1e-10 {
				f(beta, grad, info)
				return val, dec < 1e-6
			}
		}
	}
	return val, false
}

// totalLL returns the log-likelihood at the current individual draws.
func (s *hbSampler) totalLL() float64 {
	ll := 0.0
	for _, v := range s.ll {
		ll += v
	}
	return ll
}

// hbStream returns the seed of the random stream of (seed, a, b).
func hbStream(seed, a, b uint64) (uint64, uint64) {
	hi := hbMix(seed ^ hbMix(a+0x632be59bd9b4e019))
	lo := hbMix(hi ^ hbMix(b+0x9e3779b97f4a7c15))
	return hi, lo
}

// hbMix is splitmix64's finaliser.
func hbMix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// run performs the sweeps.
func (s *hbSampler) run(ctx context.Context) error {
	o := s.cfg
	var gpcg rand.PCG
	grng := rand.New(&gpcg)
	progSum, progN := 0.0, 0
	for it := 1; it <= o.Iterations; it++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("hierarchical Bayes: after %d iterations: %w", it-1, err)
		}
		gpcg.Seed(hbStream(o.Seed, 0, uint64(it)))
		if !s.niw.draw(grng, s, s.mu, s.sigma, s.sigInv) {
			return errs.Errorf(errs.Invalid, "hierarchical Bayes: iteration %d: the covariance draw is not positive definite", it)
		}
		s.sweep(it)
		ll := s.totalLL()
		if it > o.BurnIn && (it-o.BurnIn)%o.Thin == 0 {
			s.keep(ll)
		}
		if o.Progress != nil {
			progSum += ll
			progN++
			if it%100 == 0 || it == o.Iterations {
				o.Progress(it, progSum/float64(progN))
				progSum, progN = 0, 0
			}
		}
	}
	for _, a := range s.acc {
		s.accTotal += a
	}
	s.props = int64(o.Iterations) * int64(len(s.units))
	return nil
}

// sweep draws every person's part-worths once, in parallel.
func (s *hbSampler) sweep(it int) {
	n := len(s.units)
	workers := min(len(s.work), n)
	if workers <= 1 {
		for i := range n {
			s.step(i, it, s.work[0])
		}
		return
	}
	const chunk = 8
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		ws := s.work[w]
		wg.Go(func() {
			for {
				i0 := int(next.Add(chunk)) - chunk
				if i0 >= n {
					return
				}
				for i := i0; i < min(i0+chunk, n); i++ {
					s.step(i, it, ws)
				}
			}
		})
	}
	wg.Wait()
}

// step is one random-walk Metropolis step for person i, with increments
// N(0, s²(H_i + Sigma⁻¹)⁻¹) and target L_i(beta)·N(beta; mu, Sigma).
func (s *hbSampler) step(i, it int, ws *hbWork) {
	k := s.k
	u := &s.units[i]
	ws.pcg.Seed(hbStream(s.cfg.Seed, uint64(i)+1, uint64(it)))
	a := ws.chol
	for j, h := range u.hess {
		a[j] = h + s.sigInv[j]
	}
	if !hbChol(a, k) {
		// Rounding can spoil an information matrix that is only positive
		// semi-definite; Sigma⁻¹ alone is positive definite.
		copy(a, s.sigInv)
		hbChol(a, k)
	}
	z := ws.z
	for j := range z {
		z[j] = ws.rng.NormFloat64()
	}
	// With A = LLᵀ, solving Lᵀd = z gives d ~ N(0, A⁻¹).
	hbSolveLowerT(a, k, z)
	beta := s.beta[i*k : (i+1)*k]
	cand := ws.cand
	for j := range k {
		cand[j] = beta[j] + s.scale*z[j]
	}
	llc := u.logLik(cand)
	ldiff := llc - s.ll[i] - 0.5*s.quadPriorDiff(cand, beta, ws.diff)
	if ldiff >= 0 || ws.rng.Float64() <= math.Exp(ldiff) {
		copy(beta, cand)
		s.ll[i] = llc
		s.acc[i]++
	}
}

// quadPriorDiff returns q(c) - q(b) for q(x) = (x-mu)' Sigma⁻¹ (x-mu),
// as (c-b)' Sigma⁻¹ (c+b-2mu).
func (s *hbSampler) quadPriorDiff(c, b, sum []float64) float64 {
	k := s.k
	c, b, sum = c[:k], b[:k], sum[:k]
	for j, m := range s.mu[:k] {
		sum[j] = c[j] + b[j] - 2*m
	}
	q := 0.0
	for a := range k {
		row := s.sigInv[a*k : a*k+k]
		row = row[:len(sum)]
		t := 0.0
		for j, d := range sum {
			t += row[j] * d
		}
		q += (c[a] - b[a]) * t
	}
	return q
}

// keep records the current draw.
func (s *hbSampler) keep(ll float64) {
	k := s.k
	s.nKept++
	s.muDraws = append(s.muDraws, s.mu...)
	for j, v := range s.sigma {
		s.sigmaSum[j] += v
	}
	for j := range k {
		s.sdSum[j] += math.Sqrt(s.sigma[j*k+j])
	}
	for j, v := range s.beta {
		s.betaSum[j] += v
	}
	s.llSum += ll
	if s.cfg.KeepTrace {
		s.trace = append(s.trace, ll)
	}
}

// result summarises the kept draws.
func (s *hbSampler) result(d *Data) *Result {
	k, n, m := s.k, len(s.units), s.nKept
	fm := float64(m)
	r := &Result{Method: HB, Cases: d.Cases(), Panels: n, Iter: s.cfg.Iterations, LLNull: nullLL(d)}
	h := &HBResult{
		Iterations: s.cfg.Iterations, BurnIn: s.cfg.BurnIn, Thin: s.cfg.Thin, Kept: m,
		SigmaMean: make([][]float64, k), SDMean: make([]float64, k),
		Individual: make([][]float64, n), MeanLL: s.llSum / fm,
		Geweke: make([]float64, k), ESS: make([]float64, k),
		Acceptance: float64(s.accTotal) / float64(s.props),
		LLTrace:    s.trace,
	}
	if d.PanelIDs != nil {
		h.IDs = slices.Clone(d.PanelIDs)
	}
	for a := range k {
		h.SigmaMean[a] = make([]float64, k)
		for b := range k {
			h.SigmaMean[a][b] = s.sigmaSum[a*k+b] / fm
		}
		h.SDMean[a] = s.sdSum[a] / fm
	}
	ll := 0.0
	for i := range n {
		b := make([]float64, k)
		for j := range k {
			b[j] = s.betaSum[i*k+j] / fm
		}
		h.Individual[i] = b
		ll += s.units[i].logLik(b)
	}
	r.LL = ll
	chains := make([][]float64, k)
	means := make([]float64, k)
	for j := range k {
		c := make([]float64, m)
		for t := range m {
			c[t] = s.muDraws[t*k+j]
		}
		chains[j] = c
		means[j] = hbMean(c)
	}
	r.Cov = make([][]float64, k)
	for a := range k {
		r.Cov[a] = make([]float64, k)
		for b := range k {
			c := 0.0
			for t := range m {
				c += (chains[a][t] - means[a]) * (chains[b][t] - means[b])
			}
			r.Cov[a][b] = c / (fm - 1)
		}
	}
	converged := true
	worst := ""
	for j, name := range d.Params {
		sd := math.Sqrt(r.Cov[j][j])
		sorted := slices.Clone(chains[j])
		slices.Sort(sorted)
		r.Params = append(r.Params, Estimate{
			Name: name, Value: means[j], SE: sd, T: means[j] / sd,
			RobustSE: math.NaN(), RobustT: math.NaN(),
			Lower: hbQuantile(sorted, 0.025), Upper: hbQuantile(sorted, 0.975),
		})
		h.Geweke[j] = hbGeweke(chains[j])
		h.ESS[j] = hbESS(chains[j])
		if math.Abs(h.Geweke[j]) > 3 {
			converged = false
			if worst != "" {
				worst += ", "
			}
			worst += name
		}
	}
	for _, f := range d.Fixed {
		r.Params = append(r.Params, Estimate{Name: f.Name, Value: f.Value, SE: math.NaN(), T: math.NaN(),
			RobustSE: math.NaN(), RobustT: math.NaN(), Fixed: true})
	}
	r.Converged = converged
	if !converged {
		r.Message = "Geweke |z| > 3 for " + worst + ": run longer or burn in more"
	}
	r.HB = h
	r.finish()
	return r
}

// hbNIWWork draws (mu, Sigma) from their normal–inverse-Wishart
// conditional given the individual part-worths.
type hbNIWWork struct {
	k                   int
	bbar, btilde, z     []float64
	vs, r, a, t, g, tmp []float64
}

func newHBNIWWork(k int) *hbNIWWork {
	return &hbNIWWork{k: k, bbar: make([]float64, k), btilde: make([]float64, k), z: make([]float64, k),
		vs: make([]float64, k*k), r: make([]float64, k*k), a: make([]float64, k*k), t: make([]float64, k*k),
		g: make([]float64, k*k), tmp: make([]float64, k)}
}

// draw draws, as bayesm's rmultireg does for a regression on a constant,
//
//	Sigma ~ IW(nu+n, V+S),  mu | Sigma ~ N(btilde, Sigma/(n+Amu)),
//
// with btilde = (n·bbar + Amu·mubar)/(n+Amu) and
// S = Σ(b_i-btilde)(b_i-btilde)' + Amu(btilde-mubar)(btilde-mubar)',
// into mu, sigma and sigInv. It reports false if V+S is not positive
// definite.
func (w *hbNIWWork) draw(rng *rand.Rand, s *hbSampler, mu, sigma, sigInv []float64) bool {
	k := w.k
	n := len(s.units)
	fn := float64(n)
	clear(w.bbar)
	for i := range n {
		for j, b := range s.beta[i*k : (i+1)*k] {
			w.bbar[j] += b
		}
	}
	for j := range k {
		w.bbar[j] /= fn
		w.btilde[j] = (fn*w.bbar[j] + s.amu*s.mubar[j]) / (fn + s.amu)
	}
	// The lower triangle of V+S, then its mirror image.
	copy(w.vs, s.v)
	dev := w.z
	for i := range n {
		b := s.beta[i*k : (i+1)*k]
		for a := range k {
			dev[a] = b[a] - w.btilde[a]
		}
		for a := range k {
			row := w.vs[a*k : a*k+a+1]
			da := dev[a]
			for c, dc := range dev[:len(row)] {
				row[c] += da * dc
			}
		}
	}
	for a := range k {
		da := w.btilde[a] - s.mubar[a]
		for c := range a + 1 {
			w.vs[a*k+c] += s.amu * da * (w.btilde[c] - s.mubar[c])
		}
		for c := range a {
			w.vs[c*k+a] = w.vs[a*k+c]
		}
	}
	return hbDrawNIW(rng, w, s.nu+fn, fn+s.amu, mu, sigma, sigInv)
}

// hbDrawNIW draws Sigma ~ IW(df, w.vs) and mu ~ N(w.btilde, Sigma/kappa).
//
// Sigma⁻¹ ~ Wishart(df, Ψ) with Ψ = (V+S)⁻¹. With V+S = RRᵀ (R lower
// triangular), Ψ = MMᵀ for M = R⁻ᵀ, and by Bartlett's decomposition
// Sigma⁻¹ = M A Aᵀ Mᵀ = TTᵀ with T = R⁻ᵀA, where A is lower triangular with
// A_jj² ~ χ²(df-j) (j from 0) and standard normal entries below the
// diagonal. Then Sigma = GGᵀ with G = R A⁻ᵀ, and mu = btilde + G z/√kappa.
func hbDrawNIW(rng *rand.Rand, w *hbNIWWork, df, kappa float64, mu, sigma, sigInv []float64) bool {
	k := w.k
	copy(w.r, w.vs)
	if !hbChol(w.r, k) {
		return false
	}
	a := w.a
	clear(a)
	for j := range k {
		a[j*k+j] = math.Sqrt(2 * hbGamma(rng, (df-float64(j))/2))
		for c := range j {
			a[j*k+c] = rng.NormFloat64()
		}
	}
	// T = R⁻ᵀ A: solve Rᵀ T = A column by column.
	col := w.tmp
	for c := range k {
		for j := range k {
			col[j] = a[j*k+c]
		}
		hbSolveLowerT(w.r, k, col)
		for j := range k {
			w.t[j*k+c] = col[j]
		}
	}
	hbMulABt(w.t, w.t, sigInv, k)
	// Gᵀ = A⁻¹ Rᵀ: solve A Gᵀ = Rᵀ column by column; column c of Rᵀ is row
	// c of R.
	for c := range k {
		for j := range k {
			col[j] = w.r[c*k+j]
		}
		hbSolveLower(a, k, col)
		for j := range k {
			w.g[c*k+j] = col[j] // row c of G is column c of Gᵀ
		}
	}
	hbMulABt(w.g, w.g, sigma, k)
	sk := 1 / math.Sqrt(kappa)
	for j := range k {
		w.z[j] = rng.NormFloat64()
	}
	for j := range k {
		m := w.btilde[j]
		for c := range k {
			m += w.g[j*k+c] * w.z[c] * sk
		}
		mu[j] = m
	}
	return true
}

// hbGamma draws from Gamma(shape, 1) by Marsaglia and Tsang's method.
func hbGamma(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		u := rng.Float64()
		for u == 0 {
			u = rng.Float64()
		}
		return hbGamma(rng, shape+1) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x {
			return d * v
		}
		if u > 0 && math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// hbChol replaces the symmetric k×k matrix a with its lower Cholesky factor
// L (a = LLᵀ; the upper triangle is zeroed) and reports whether a was
// positive definite.
func hbChol(a []float64, k int) bool {
	a = a[:k*k]
	for j := range k {
		rj := a[j*k : j*k+k]
		rj = rj[:j+1]
		d := rj[j]
		for _, v := range rj[:j] {
			d -= v * v
		}
		if !(d > 0) {
			return false
		}
		d = math.Sqrt(d)
		rj[j] = d
		inv := 1 / d
		lj := rj[:j]
		for i := j + 1; i < k; i++ {
			ri := a[i*k : i*k+j+1]
			s := ri[j]
			ri = ri[:len(lj)]
			for c, v := range lj {
				s -= ri[c] * v
			}
			a[i*k+j] = s * inv
		}
		for c := j + 1; c < k; c++ {
			a[j*k+c] = 0
		}
	}
	return true
}

// hbSolveLower solves L x = b in place for lower triangular L.
func hbSolveLower(l []float64, k int, b []float64) {
	for i := range k {
		s := b[i]
		row := l[i*k : i*k+i]
		for c, v := range row {
			s -= v * b[c]
		}
		b[i] = s / l[i*k+i]
	}
}

// hbSolveLowerT solves Lᵀ x = b in place for lower triangular L.
func hbSolveLowerT(l []float64, k int, b []float64) {
	for i := k - 1; i >= 0; i-- {
		s := b[i]
		for c := i + 1; c < k; c++ {
			s -= l[c*k+i] * b[c]
		}
		b[i] = s / l[i*k+i]
	}
}

// hbMulABt sets dst = A Bᵀ for k×k matrices.
func hbMulABt(a, b, dst []float64, k int) {
	for i := range k {
		for j := range k {
			s := 0.0
			for c := range k {
				s += a[i*k+c] * b[j*k+c]
			}
			dst[i*k+j] = s
		}
	}
}

func hbMean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// hbQuantile returns the p-quantile of sorted x, interpolated linearly
// (R's default, type 7).
func hbQuantile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// hbTau returns the integrated autocorrelation time 1 + 2Σρ_t of x and its
// variance, by Geyer's initial monotone sequence estimator: the sums of
// adjacent pairs of autocorrelations are added while they are positive and
// are made non-increasing.
func hbTau(x []float64) (tau, variance float64) {
	n := len(x)
	m := hbMean(x)
	acov := func(lag int) float64 {
		s := 0.0
		for t := 0; t+lag < n; t++ {
			s += (x[t] - m) * (x[t+lag] - m)
		}
		return s / float64(n)
	}
	g0 := acov(0)
	if !(g0 > 0) {
		return 1, 0
	}
	sum := 0.0 // Σ over pairs of (ρ_2j + ρ_2j+1), from j = 0 with ρ_0 = 1
	prev := math.Inf(1)
	for lag := 0; lag+1 < n; lag += 2 {
		p := (acov(lag) + acov(lag+1)) / g0
		if p <= 0 {
			break
		}
		p = min(p, prev)
		prev = p
		sum += p
	}
	// τ = -1 + 2Σ_j Γ_j where Γ_j = ρ_2j + ρ_2j+1.
	tau = max(2*sum-1, 1.0/float64(n))
	return tau, g0
}

// hbESS returns the effective sample size of chain x.
func hbESS(x []float64) float64 {
	tau, v := hbTau(x)
	if v == 0 {
		return math.NaN()
	}
	return float64(len(x)) / tau
}

// hbGeweke returns Geweke's z-score comparing the mean of the first 10% of
// x with that of the last 50%, each mean's variance estimated from the
// spectral density at zero (the variance times the integrated
// autocorrelation time).
func hbGeweke(x []float64) float64 {
	n := len(x)
	a := x[:max(n/10, 1)]
	b := x[n-max(n/2, 1):]
	ta, va := hbTau(a)
	tb, vb := hbTau(b)
	se := math.Sqrt(va*ta/float64(len(a)) + vb*tb/float64(len(b)))
	if se == 0 {
		return math.NaN()
	}
	return (hbMean(a) - hbMean(b)) / se
}
