package choice

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/tailor-c2b/tailor/errs"
)

// MXLOptions tunes EstimateMXL. The zero value asks for the defaults.
type MXLOptions struct {
	// Draws is the number of draws per decision maker; 0 means 500.
	Draws int
	// DrawType is how the draws are made (Halton by default).
	DrawType DrawType
	// Seed makes the draws reproducible: the same data, options and seed
	// give the same estimates.
	Seed uint64
	// Workers is the number of goroutines sharing the sums over decision
	// makers; 0 means runtime.GOMAXPROCS(0). The result does not depend
	// on it: the decision makers are cut into the same chunks whatever the
	// number of workers, and the chunks' sums are added in the same order.
	Workers int
	// MaxIter bounds the BFGS iterations; 0 means 500.
	MaxIter int
	// Tol is the convergence threshold on the relative gradient
	// max_i |g_i|*max(|theta_i|,1)/max(|LL|,1); 0 means 1e-6.
	Tol float64
	// Progress, when set, is called with the simulated log-likelihood at
	// the starting values (iteration 0) and after every iteration.
	Progress func(iter int, ll float64)
}

const (
	mxlDefaultDraws   = 500
	mxlDefaultMaxIter = 500
	mxlDefaultTol     = 1e-6
	// mxlStartSpread is the starting value of every spread parameter.
	mxlStartSpread = 0.1
	// mxlChunk is the number of decision makers in one unit of parallel
	// work; it is fixed so that the order of the floating-point sums, and
	// so the result, does not depend on the number of workers.
	mxlChunk = 8
	// mxlMaxExp caps utility differences before exponentiation, so that a
	// wild trial point gives a tiny probability rather than Inf/Inf.
	mxlMaxExp = 700
	// mxlBlock is the number of draws processed together (see person).
	mxlBlock = 64
)

// EstimateMXL fits a mixed logit to d by simulated maximum likelihood.
//
// Model. Coefficients listed in d.Random vary across decision makers;
// the others are the same for everyone. With z a standard draw (see
// Distribution.StandardDraw) and the coefficient's two parameters named
// <name> and sd.<name> in the result:
//
//   - Normal:     beta = <name> + sd.<name>*z, z standard normal: <name> is
//     the mean, |sd.<name>| the standard deviation.
//   - Lognormal:  beta = exp(<name> + sd.<name>*z): <name> and |sd.<name>|
//     are the mean and standard deviation of log(beta), which is positive
//     (enter a negative coefficient, such as price, sign-reversed).
//   - Uniform:    beta = <name> + sd.<name>*z, z uniform on [-1,1]: <name> is
//     the centre, |sd.<name>| the half-width.
//   - Triangular: beta = <name> + sd.<name>*z, z symmetric triangular on
//     [-1,1]: <name> is the centre (and mode), |sd.<name>| the half-width.
//
// The sign of a spread is not identified (z and -z are alike), so a
// negative sd.<name> means the same as a positive one.
//
// Correlation. With d.Correlated, the Normal and Lognormal coefficients
// (the latter through the normal log(beta)) are correlated as in mlogit's
// correlation=TRUE: their normal parts are L*z, with L lower triangular
// and z independent standard normal draws, one dimension per coefficient
// in d.Random order. sd.<name> is then the diagonal element L[i][i] and
// chol.<row>.<col> the element L[row][col] below it (row after col in
// d.Random order); the covariance is L*L', so the standard deviation of
// coefficient i is sqrt(sum_j L[i][j]^2), not |sd.<name>|. Uniform and
// Triangular coefficients stay independent of everything. With fewer than
// two Normal or Lognormal coefficients there is nothing to correlate and
// d.Correlated changes nothing.
//
// Panel. Every decision maker (d.Panel; each case its own without it)
// gets opts.Draws draws, used for all of their cases: the simulated
// probability of their sequence of choices is the average over the draws
// of the product of the logit probabilities of their choices. The
// log-likelihood is the sum over decision makers of the weighted log of
// that average; a decision maker's weight is the weight of their cases,
// which must all be the same. The product is formed in floating point, so
// a decision maker with hundreds of choices can underflow it.
//
// Estimation. BFGS (see minimize) on the simulated log-likelihood and its
// analytic gradient, from d.StartValues when set (for a Lognormal
// coefficient, the mean of log(beta)) and otherwise from a multinomial
// logit fitted first (Lognormal coefficients start at the log
// of the logit estimate, or at log(0.01) when that is not positive); every
// spread starts at 0.1 and every off-diagonal Cholesky element at 0. The
// first inverse-Hessian approximation is the inverse of the BHHH matrix
// at the start, which halves the iterations against the identity.
// Draws and reproducibility: see DrawType and UniformDraws; the dimensions
// follow d.Random.
//
// Standard errors. Cov is the inverse of the Hessian of minus the
// log-likelihood, by forward finite differences of the analytic gradient,
// symmetrised; RobustCov is the sandwich H^-1 B H^-1 with B the sum over
// decision makers of the outer products of their weighted scores (BHHH).
// The result lists the means in d.Params order, then the spreads in
// d.Random order, then the Cholesky elements row by row, then d.Fixed
// (Fixed set, no standard errors); Cov and RobustCov follow the same
// order over the estimated parameters.
//
// EstimateMXL returns an error with code errs.Invalid when d or opts is
// malformed or the log-likelihood is not finite at the start, and ctx's
// error when ctx is cancelled. When the iterations run out, or no step
// improves the log-likelihood, it returns the result reached with
// Converged false and a Message saying why.
func EstimateMXL(ctx context.Context, d *Data, opts MXLOptions) (*Result, error) {
	begin := time.Now()
	if err := d.Check(); err != nil {
		return nil, errs.Errorf(errs.Invalid, "MXL: %v", err)
	}
	if opts.Draws < 0 || opts.MaxIter < 0 || opts.Tol < 0 || opts.Workers < 0 {
		return nil, errs.Errorf(errs.Invalid, "MXL: negative option")
	}
	if opts.Draws == 0 {
		opts.Draws = mxlDefaultDraws
	}
	if opts.MaxIter == 0 {
		opts.MaxIter = mxlDefaultMaxIter
	}
	if opts.Tol == 0 {
		opts.Tol = mxlDefaultTol
	}
	if opts.Workers == 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if len(d.Random) == 0 {
		return nil, errs.Errorf(errs.Invalid, "MXL: no random coefficients; fit a multinomial logit instead")
	}
	if opts.DrawType < Halton || opts.DrawType > Pseudo {
		return nil, errs.Errorf(errs.Invalid, "MXL: unknown draw type %d", int(opts.DrawType))
	}
	m, err := newMXLModel(d, d.Random, d.Correlated, opts.Draws, opts.Workers)
	if err != nil {
		return nil, errs.Errorf(errs.Invalid, "MXL: %v", err)
	}
	if err := m.makeDraws(opts.DrawType, opts.Seed); err != nil {
		return nil, errs.Errorf(errs.Invalid, "MXL: %v", err)
	}

	theta, err := m.start(ctx)
	if err != nil {
		return nil, err
	}
	objective := func(x, g []float64) float64 {
		ll := m.eval(x, g, nil)
		for i := range g {
			g[i] = -g[i]
		}
		return -ll
	}
	llStart := math.NaN()
	progress := func(iter int, f float64) {
		if iter == 0 {
			llStart = -f
		}
		if opts.Progress != nil {
			opts.Progress(iter, -f)
		}
	}
	res, err := minimize(ctx, objective, theta, minimizeOptions{MaxIter: opts.MaxIter, GradTol: opts.Tol, Progress: progress,
		InitialInverseHessian: m.inverseBHHH})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("MXL: %w", err)
		}
		return nil, errs.Errorf(errs.Invalid, "MXL: the simulated log-likelihood at the starting values is not finite")
	}
	theta = res.X

	r := &Result{
		Method:    MXL,
		Cases:     d.Cases(),
		Panels:    d.NumPanels(),
		LLStart:   llStart,
		LLNull:    nullLL(d),
		LL:        -res.F,
		Iter:      res.Iter,
		Converged: res.Converged,
		Draws:     opts.Draws,
		DrawType:  opts.DrawType.String(),
	}
	for a, j := range m.dimParam {
		r.Random = append(r.Random, RandomParam{Name: d.Params[j], Dist: m.dimDist[a].String()})
	}
	r.Correlated = d.Correlated
	if !res.Converged {
		r.Message = res.Message
	}
	cov, robust, msg, err := m.covariances(ctx, theta)
	if err != nil {
		return nil, fmt.Errorf("MXL: %w", err)
	}
	if msg != "" {
		if r.Message != "" {
			r.Message += "; "
		}
		r.Message += msg
	}
	r.Cov, r.RobustCov = cov, robust
	for i, name := range m.names {
		e := Estimate{Name: name, Value: theta[i], SE: math.NaN(), T: math.NaN(), RobustSE: math.NaN(), RobustT: math.NaN()}
		if cov != nil && cov[i][i] >= 0 {
			e.SE = math.Sqrt(cov[i][i])
			e.T = e.Value / e.SE
		}
		if robust != nil && robust[i][i] >= 0 {
			e.RobustSE = math.Sqrt(robust[i][i])
			e.RobustT = e.Value / e.RobustSE
		}
		r.Params = append(r.Params, e)
	}
	for _, f := range d.Fixed {
		r.Params = append(r.Params, Estimate{Name: f.Name, Value: f.Value, SE: math.NaN(), T: math.NaN(),
			RobustSE: math.NaN(), RobustT: math.NaN(), Fixed: true})
	}
	r.finish()
	r.Seconds = time.Since(begin).Seconds()
	return r, nil
}

// mxlModel evaluates the simulated log-likelihood of a mixed logit and its
// gradient. The parameter vector theta holds the K means (d.Params order),
// then one spread per random dimension, then the Cholesky elements below
// the diagonal.
type mxlModel struct {
	d       *Data
	k       int // coefficients (columns of X)
	dims    int // random coefficients
	np      int // estimated parameters
	r       int // draws per decision maker
	names   []string
	workers int

	dimParam  []int          // per dimension: its coefficient
	dimDist   []Distribution // per dimension
	lognormal []bool         // per dimension
	linear    []int          // coefficients whose mean enters utility linearly
	// lpar[a*dims+b] is the theta index of L[a][b] (b <= a), or -1.
	lpar  []int
	terms []mxlTerm
	// xd holds, per row and random coefficient, the row's value minus
	// the chosen row's value of that case: utilities enter the logit
	// only as differences from the chosen alternative's.
	xd []float64
	// draws holds the standard draws, per person then per dimension: the
	// r draws of person p in dimension e start at (p*dims+e)*r.
	draws []float64

	caseStart []int     // person p's cases are caseStart[p]..caseStart[p+1]
	weight    []float64 // per person
	maxRows   int       // most rows of one person

	// Per evaluation, read-only while the workers run.
	theta []float64
	lmat  []float64 // dims x dims lower triangular
	vfix  []float64 // per row: offset plus the linear terms
	// partial holds each chunk's log-likelihood and gradient.
	partial []float64
	work    []*mxlWork
}

// mxlTerm says that the derivative of random coefficient dim with
// respect to theta[par] is f * z[zdim] (zdim >= 0) or f (zdim < 0),
// where f is 1, or the coefficient itself if it is lognormal: theta[par]
// is a spread or Cholesky element (times draw zdim) or a lognormal
// coefficient's mean.
type mxlTerm struct{ par, dim, zdim int }

// mxlWork is one worker's scratch space.
type mxlWork struct {
	q    []float64 // per row of the person
	prob []float64 // per row of the person and draw of the block
	// Per dimension and draw of the block: the random coefficients'
	// values and the sums h_e of the gradient of log P over the cases.
	coef, h  [][]float64
	vec      [][]float64 // per dimension: see blockCoefficients
	mult     []float64
	lik, den []float64 // per draw of the block
	ones     []float64 // mxlBlock ones
	// Scratch for the terms of mxlCombine and mxlSubtract.
	xs      []float64
	vs      [][]float64
	gp      []float64 // the person's gradient
	termAcc []float64 // per parameter: the draws' sums for the terms
}

func newMXLModel(d *Data, random []Random, correlated bool, draws, workers int) (*mxlModel, error) {
	k := d.K()
	m := &mxlModel{d: d, k: k, dims: len(random), r: draws, workers: max(workers, 1)}
	m.names = slices.Clone(d.Params)
	isRandom := make([]bool, k)
	for _, rc := range random {
		if isRandom[rc.Param] {
			return nil, fmt.Errorf("coefficient %s is random twice", d.Params[rc.Param])
		}
		if rc.Dist < Normal || rc.Dist > Uniform {
			return nil, fmt.Errorf("coefficient %s: unknown distribution %v", d.Params[rc.Param], rc.Dist)
		}
		isRandom[rc.Param] = true
		m.dimParam = append(m.dimParam, rc.Param)
		m.dimDist = append(m.dimDist, rc.Dist)
		m.lognormal = append(m.lognormal, rc.Dist == Lognormal)
	}
	for j := range k {
		if i := slices.Index(m.dimParam, j); i < 0 || !m.lognormal[i] {
			m.linear = append(m.linear, j)
		}
	}
	D := m.dims
	m.lpar = make([]int, D*D)
	for i := range m.lpar {
		m.lpar[i] = -1
	}
	np := k
	for a := range D {
		m.lpar[a*D+a] = np
		m.names = append(m.names, "sd."+d.Params[m.dimParam[a]])
		np++
	}
	var corr []int // dimensions that are correlated
	if correlated {
		for a := range D {
			if m.dimDist[a] == Normal || m.dimDist[a] == Lognormal {
				corr = append(corr, a)
			}
		}
		if len(corr) < 2 {
			corr = nil
		}
	}
	for i, a := range corr {
		for _, b := range corr[:i] {
			m.lpar[a*D+b] = np
			m.names = append(m.names, "chol."+d.Params[m.dimParam[a]]+"."+d.Params[m.dimParam[b]])
			np++
		}
	}
	m.np = np
	for a := range D {
		for b := 0; b <= a; b++ {
			if p := m.lpar[a*D+b]; p >= 0 {
				m.terms = append(m.terms, mxlTerm{par: p, dim: a, zdim: b})
			}
		}
		if m.lognormal[a] {
			m.terms = append(m.terms, mxlTerm{par: m.dimParam[a], dim: a, zdim: -1})
		}
	}

	rows := d.Rows()
	m.xd = make([]float64, rows*D)
	for c := range d.Cases() {
		ch := int(d.Chosen[c])
		for row := d.Start[c]; row < d.Start[c+1]; row++ {
			for a, p := range m.dimParam {
				m.xd[row*D+a] = d.X[row*k+p] - d.X[ch*k+p]
			}
		}
	}

	persons := d.NumPanels()
	m.caseStart = make([]int, persons+1)
	m.weight = make([]float64, persons)
	cases := d.Cases()
	for c := range cases {
		p := d.PanelOf(c)
		m.caseStart[p+1] = c + 1
		if c == 0 || d.PanelOf(c-1) != p {
			m.weight[p] = d.CaseWeight(c)
		} else if d.CaseWeight(c) != m.weight[p] {
			return nil, fmt.Errorf("case %d: the weights of one decision maker's cases differ", c)
		}
	}
	for p := range persons {
		if m.caseStart[p+1] <= m.caseStart[p] {
			return nil, fmt.Errorf("decision maker %d has no cases", p)
		}
		m.maxRows = max(m.maxRows, d.Start[m.caseStart[p+1]]-d.Start[m.caseStart[p]])
	}

	m.lmat = make([]float64, D*D)
	m.vfix = make([]float64, rows)
	chunks := (persons + mxlChunk - 1) / mxlChunk
	m.partial = make([]float64, chunks*(1+np))
	m.workers = min(m.workers, chunks)
	for range m.workers {
		w := &mxlWork{
			q: make([]float64, m.maxRows), prob: make([]float64, m.maxRows*mxlBlock),
			lik: make([]float64, mxlBlock), den: make([]float64, mxlBlock), ones: make([]float64, mxlBlock),
			gp: make([]float64, np), termAcc: make([]float64, np),
			xs: make([]float64, 0, D+1), vs: make([][]float64, 0, D+1),
			vec: make([][]float64, D), mult: make([]float64, D),
		}
		for range D {
			w.coef = append(w.coef, make([]float64, mxlBlock))
			w.h = append(w.h, make([]float64, mxlBlock))
		}
		for t := range w.ones {
			w.ones[t] = 1
		}
		m.work = append(m.work, w)
	}
	return m, nil
}

// makeDraws fills m.draws with standard draws for every decision maker.
func (m *mxlModel) makeDraws(t DrawType, seed uint64) error {
	u, err := uniformDraws(t, m.d.NumPanels(), m.r, m.dims, seed, true)
	if err != nil {
		return err
	}
	D, R := m.dims, m.r
	for i := range u {
		u[i] = m.dimDist[i/R%D].StandardDraw(u[i])
	}
	m.draws = u
	return nil
}

// start returns the starting parameters: the means from d.StartValues or
// a multinomial logit, the spreads at mxlStartSpread, the Cholesky
// elements at 0.
func (m *mxlModel) start(ctx context.Context) ([]float64, error) {
	theta := make([]float64, m.np)
	if m.d.StartValues != nil {
		copy(theta, m.d.StartValues)
	} else {
		beta, err := m.logitStart(ctx)
		if err != nil {
			return nil, err
		}
		copy(theta, beta)
		for a, p := range m.dimParam {
			if m.lognormal[a] {
				theta[p] = math.Log(max(beta[p], 0.01))
			}
		}
	}
	for a := range m.dims {
		theta[m.lpar[a*m.dims+a]] = mxlStartSpread
	}
	return theta, nil
}

// logitStart fits a multinomial logit (every coefficient fixed across
// people) with the same machinery: no random dimensions and one draw.
func (m *mxlModel) logitStart(ctx context.Context) ([]float64, error) {
	plain, err := newMXLModel(m.d, nil, false, 1, m.workers)
	if err != nil {
		return nil, err
	}
	plain.draws = []float64{}
	f := func(x, g []float64) float64 {
		ll := plain.eval(x, g, nil)
		for i := range g {
			g[i] = -g[i]
		}
		return -ll
	}
	res, err := minimize(ctx, f, make([]float64, m.k), minimizeOptions{MaxIter: 200, GradTol: 1e-8,
		InitialInverseHessian: plain.inverseBHHH})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("MXL: %w", err)
		}
		return nil, errs.Errorf(errs.Invalid, "MXL: the logit log-likelihood at zero is not finite")
	}
	return res.X, nil
}

// eval returns the simulated log-likelihood at theta and writes its
// gradient into grad; when scores is not nil, it also writes each
// decision maker's weighted score into scores[p*np:(p+1)*np].
func (m *mxlModel) eval(theta, grad, scores []float64) float64 {
	m.theta = theta
	clear(m.lmat)
	for i, p := range m.lpar {
		if p >= 0 {
			m.lmat[i] = theta[p]
		}
	}
	chunks := len(m.partial) / (1 + m.np)
	if m.workers == 1 {
		for c := range chunks {
			m.chunk(c, m.work[0], scores)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, w := range m.work {
			wg.Go(func() {
				for {
					c := int(next.Add(1) - 1)
					if c >= chunks {
						return
					}
					m.chunk(c, w, scores)
				}
			})
		}
		wg.Wait()
	}
	ll := 0.0
	clear(grad)
	for c := range chunks {
		part := m.partial[c*(1+m.np) : (c+1)*(1+m.np)]
		ll += part[0]
		for i, g := range part[1:] {
			grad[i] += g
		}
	}
	return ll
}

// chunk sums the log-likelihood and gradient of chunk c's decision makers
// into m.partial.
func (m *mxlModel) chunk(c int, w *mxlWork, scores []float64) {
	d := m.d
	np, k := m.np, m.k
	out := m.partial[c*(1+np) : (c+1)*(1+np)]
	clear(out)
	p0 := c * mxlChunk
	p1 := min(p0+mxlChunk, len(m.weight))
	r0, r1 := d.Start[m.caseStart[p0]], d.Start[m.caseStart[p1]]
	for row := r0; row < r1; row++ {
		v := 0.0
		if d.Offset != nil {
			v = d.Offset[row]
		}
		x := d.X[row*k : row*k+k]
		for _, j := range m.linear {
			v += x[j] * m.theta[j]
		}
		m.vfix[row] = v
	}
	for p := p0; p < p1; p++ {
		ll := m.person(p, w)
		out[0] += ll
		for i, g := range w.gp {
			out[1+i] += g
		}
		if scores != nil {
			copy(scores[p*np:(p+1)*np], w.gp)
		}
	}
}

// person returns decision maker p's weighted log simulated probability
// and leaves its gradient in w.gp.
//
// The draws are taken in blocks of mxlBlock: for every row, the
// utilities, probabilities and gradient terms of a whole block of draws
// are computed in loops over the draws, which are long, free of
// dependencies between iterations and free of bounds checks, rather than
// over the few alternatives and random coefficients of one draw. Every
// utility is taken relative to the chosen alternative's, so the chosen
// row needs no work: P_chosen = 1/(1 + sum_j exp(V_j - V_chosen)).
func (m *mxlModel) person(p int, w *mxlWork) float64 {
	d := m.d
	D, R, k := m.dims, m.r, m.k
	c0, c1 := m.caseStart[p], m.caseStart[p+1]
	r0, r1 := d.Start[c0], d.Start[c1]
	nr := r1 - r0
	q := w.q[:nr]
	clear(q)
	acc := w.termAcc
	clear(acc)
	xd := m.xd[r0*D : r1*D]
	vfix := m.vfix[r0:r1]
	starts := d.Start[c0 : c1+1]
	chosen := d.Chosen[c0:c1]
	sum := 0.0
	zs := m.draws[p*D*R : (p+1)*D*R]
	for b0 := 0; b0 < R; b0 += mxlBlock {
		nb := min(mxlBlock, R-b0)
		m.blockCoefficients(w, zs, b0, nb)
		lik := w.lik[:nb]
		for t := range lik {
			lik[t] = 1
		}
		for e := range D {
			clear(w.h[e][:nb])
		}
		for ci, ch := range chosen {
			a, b := starts[ci]-r0, starts[ci+1]-r0
			ch := int(ch) - r0
			// exp(V_j - V_chosen) of every other row, summed into den:
			// V_j - V_chosen = vfix_j - vfix_chosen + sum_e xd_j,e coef_e.
			den := w.den[:nb]
			for t := range den {
				den[t] = 1
			}
			for j := a; j < b; j++ {
				if j == ch {
					continue
				}
				e := w.prob[j*mxlBlock : j*mxlBlock+nb]
				xs := append(w.xs[:0], vfix[j]-vfix[ch])
				vs := append(w.vs[:0], w.ones[:nb])
				for f, x := range xd[j*D : j*D+D] {
					if x != 0 {
						xs = append(xs, x*w.mult[f])
						vs = append(vs, w.vec[f])
					}
				}
				mxlCombine(e, xs, vs)
				den = den[:len(e)]
				for t, v := range e {
					// Plain comparisons: min and max would also order
					// NaNs and signed zeros, at a cost here.
					if v > mxlMaxExp {
						v = mxlMaxExp
					} else if v < -mxlMaxExp {
						v = -mxlMaxExp
					}
					x := expKernel(v)
					e[t] = x
					den[t] += x
				}
			}
			// den becomes 1/den, the chosen alternative's probability;
			// then P_j = exp(V_j - V_chosen)/den and
			// h_e += x_chosen,e - sum_j P_j x_j,e = -sum_j P_j xd_j,e.
			lik = lik[:len(den)]
			for t, v := range den {
				inv := 1 / v
				den[t] = inv
				lik[t] *= inv
			}
			copy(w.prob[ch*mxlBlock:ch*mxlBlock+nb], den)
			for j := a; j < b; j++ {
				if j == ch {
					continue
				}
				pj := w.prob[j*mxlBlock : j*mxlBlock+nb]
				pj = pj[:len(den)]
				for t, inv := range den {
					pj[t] *= inv
				}
				xs, hs := w.xs[:0], w.vs[:0]
				for f, x := range xd[j*D : j*D+D] {
					if x != 0 {
						xs = append(xs, x)
						hs = append(hs, w.h[f][:nb])
					}
				}
				mxlSubtract(hs, xs, pj)
			}
		}
		sum += mxlDot(lik, w.ones)
		for j := range nr {
			q[j] += mxlDot(lik, w.prob[j*mxlBlock:j*mxlBlock+nb])
		}
		// The terms: sum over draws of lik * h_e * dbeta_e/dtheta.
		// The lognormal ones' h_e first becomes h_e * beta_e.
		for e := range D {
			if m.lognormal[e] {
				h, beta := w.h[e][:len(lik)], w.coef[e][:len(lik)]
				for t, b := range beta {
					h[t] *= b
				}
			}
		}
		for _, tm := range m.terms {
			h := w.h[tm.dim]
			if tm.zdim >= 0 {
				acc[tm.par] += mxlDot3(lik, h, zs[tm.zdim*R+b0:tm.zdim*R+b0+nb])
			} else {
				acc[tm.par] += mxlDot(lik, h)
			}
		}
	}
	gp := w.gp
	clear(gp)
	wt := m.weight[p]
	if !(sum > 0) || math.IsInf(sum, 0) {
		return math.Inf(-1)
	}
	scale := wt / sum
	// Linear coefficients: dLL/dbeta_j = sum_rows x_j (delta*sum - q) / sum.
	for _, ch := range chosen {
		q[int(ch)-r0] -= sum
	}
	for j := range nr {
		wj := -q[j] * scale
		x := d.X[(r0+j)*k : (r0+j)*k+k]
		for _, e := range m.linear {
			gp[e] += wj * x[e]
		}
	}
	for _, tm := range m.terms {
		gp[tm.par] = acc[tm.par] * scale
	}
	return wt * math.Log(sum/float64(R))
}

// blockCoefficients prepares the random coefficients' values for draws
// b0..b0+nb-1 of one person (zs: their standard draws,
// dimension-major): coefficient e is w.mult[e] * w.vec[e][t]. For an
// independent coefficient that is not lognormal, vec is the draws
// themselves and mult the spread; otherwise vec is w.coef, computed here
// as (L z)_e, or exp(mean_e + (L z)_e) for a lognormal coefficient, and
// mult is 1.
func (m *mxlModel) blockCoefficients(w *mxlWork, zs []float64, b0, nb int) {
	D, R := m.dims, m.r
	for e := range D {
		row := m.lmat[e*D : e*D+e+1]
		if !m.lognormal[e] && !slices.ContainsFunc(row[:e], func(l float64) bool { return l != 0 }) {
			w.vec[e], w.mult[e] = zs[e*R+b0:e*R+b0+nb], row[e]
			continue
		}
		ce := w.coef[e][:nb]
		w.vec[e], w.mult[e] = ce, 1
		xs, vs := w.xs[:0], w.vs[:0]
		if m.lognormal[e] {
			xs = append(xs, m.theta[m.dimParam[e]])
			vs = append(vs, w.ones[:nb])
		}
		for b, l := range row {
			if l != 0 {
				xs = append(xs, l)
				vs = append(vs, zs[b*R+b0:b*R+b0+nb])
			}
		}
		mxlCombine(ce, xs, vs)
		if m.lognormal[e] {
			expInPlace(ce)
		}
	}
}

// mxlDot returns sum_t a[t]*b[t] over t < len(a) (len(b) >= len(a)), with
// four partial sums, which keeps the additions from waiting on each
// other.
func mxlDot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	t := 0
	for ; t+4 <= len(a); t += 4 {
		s0 += a[t] * b[t]
		s1 += a[t+1] * b[t+1]
		s2 += a[t+2] * b[t+2]
		s3 += a[t+3] * b[t+3]
	}
	for ; t < len(a); t++ {
		s0 += a[t] * b[t]
	}
	return (s0 + s1) + (s2 + s3)
}

// mxlDot3 returns sum_t a[t]*b[t]*c[t] over t < len(a), as mxlDot does.
func mxlDot3(a, b, c []float64) float64 {
	b, c = b[:len(a)], c[:len(a)]
	var s0, s1, s2, s3 float64
	t := 0
	for ; t+4 <= len(a); t += 4 {
		s0 += a[t] * b[t] * c[t]
		s1 += a[t+1] * b[t+1] * c[t+1]
		s2 += a[t+2] * b[t+2] * c[t+2]
		s3 += a[t+3] * b[t+3] * c[t+3]
	}
	for ; t < len(a); t++ {
		s0 += a[t] * b[t] * c[t]
	}
	return (s0 + s1) + (s2 + s3)
}

// mxlCombine sets out to the linear combination sum_i x[i]*v[i] of vectors
// v[i] (len(v[i]) >= len(out)), in passes of up to four terms.
func mxlCombine(out []float64, x []float64, v [][]float64) {
	if len(x) == 0 {
		clear(out)
		return
	}
	n := len(out)
	for i := 0; i < len(x); {
		first := i == 0
		switch len(x) - i {
		case 1:
			x0, v0 := x[i], v[i][:n]
			if first {
				for t := range out {
					out[t] = x0 * v0[t]
				}
			} else {
				for t := range out {
					out[t] += x0 * v0[t]
				}
			}
			i++
		case 2:
			x0, x1 := x[i], x[i+1]
			v0, v1 := v[i][:n], v[i+1][:n]
			if first {
				for t := range out {
					out[t] = x0*v0[t] + x1*v1[t]
				}
			} else {
				for t := range out {
					out[t] += x0*v0[t] + x1*v1[t]
				}
			}
			i += 2
		case 3:
			x0, x1, x2 := x[i], x[i+1], x[i+2]
			v0, v1, v2 := v[i][:n], v[i+1][:n], v[i+2][:n]
			if first {
				for t := range out {
					out[t] = x0*v0[t] + x1*v1[t] + x2*v2[t]
				}
			} else {
				for t := range out {
					out[t] += x0*v0[t] + x1*v1[t] + x2*v2[t]
				}
			}
			i += 3
		default:
			x0, x1, x2, x3 := x[i], x[i+1], x[i+2], x[i+3]
			v0, v1, v2, v3 := v[i][:n], v[i+1][:n], v[i+2][:n], v[i+3][:n]
			if first {
				for t := range out {
					out[t] = x0*v0[t] + x1*v1[t] + x2*v2[t] + x3*v3[t]
				}
			} else {
				for t := range out {
					out[t] += x0*v0[t] + x1*v1[t] + x2*v2[t] + x3*v3[t]
				}
			}
			i += 4
		}
	}
}

// mxlSubtract subtracts x[i]*p from every vector h[i]
// (len(h[i]) >= len(p)), updating up to three vectors per pass over p.
func mxlSubtract(h [][]float64, x []float64, p []float64) {
	n := len(p)
	for i := 0; i < len(x); {
		switch len(x) - i {
		case 1:
			x0, h0 := x[i], h[i][:n]
			for t, v := range p {
				h0[t] -= x0 * v
			}
			i++
		case 2:
			x0, x1 := x[i], x[i+1]
			h0, h1 := h[i][:n], h[i+1][:n]
			for t, v := range p {
				h0[t] -= x0 * v
				h1[t] -= x1 * v
			}
			i += 2
		default:
			x0, x1, x2 := x[i], x[i+1], x[i+2]
			h0, h1, h2 := h[i][:n], h[i+1][:n], h[i+2][:n]
			for t, v := range p {
				h0[t] -= x0 * v
				h1[t] -= x1 * v
				h2[t] -= x2 * v
			}
			i += 3
		}
	}
}

// inverseBHHH returns the inverse of the BHHH matrix (the sum of the
// outer products of the decision makers' scores) at theta, the usual
// approximation of the inverse Hessian of minus the log-likelihood, or
// nil when it is singular.
func (m *mxlModel) inverseBHHH(theta []float64) []float64 {
	np := m.np
	g := make([]float64, np)
	scores := make([]float64, len(m.weight)*np)
	m.eval(theta, g, scores)
	b := mat.NewSymDense(np, nil)
	b.SymRankK(b, 1, mat.NewDense(len(m.weight), np, scores).T())
	var chol mat.Cholesky
	if !chol.Factorize(b) {
		return nil
	}
	inv := mat.NewSymDense(np, nil)
	if err := chol.InverseTo(inv); err != nil {
		return nil
	}
	h := make([]float64, np*np)
	for i := range np {
		for j := range np {
			h[i*np+j] = inv.At(i, j)
		}
	}
	return h
}

// covariances returns the classical and robust covariance of the
// estimates at theta, and a message when the Hessian is not positive
// definite.
func (m *mxlModel) covariances(ctx context.Context, theta []float64) (cov, robust [][]float64, msg string, err error) {
	np := m.np
	persons := len(m.weight)
	g0 := make([]float64, np)
	scores := make([]float64, persons*np)
	m.eval(theta, g0, scores)
	// Forward differences: the gradient is analytic, so a step of 1e-6
	// leaves errors near 1e-6 relative, far below what standard errors
	// need, at half the evaluations of central differences.
	hess := mat.NewSymDense(np, nil)
	gp := make([]float64, np)
	x := slices.Clone(theta)
	cols := make([][]float64, np)
	for i := range np {
		if err := ctx.Err(); err != nil {
			return nil, nil, "", err
		}
		step := 1e-6 * max(1, math.Abs(theta[i]))
		x[i] = theta[i] + step
		step = x[i] - theta[i] // the step actually taken
		m.eval(x, gp, nil)
		x[i] = theta[i]
		col := make([]float64, np)
		for j := range np {
			// Hessian of minus the log-likelihood.
			col[j] = -(gp[j] - g0[j]) / step
		}
		cols[i] = col
	}
	for i := range np {
		for j := i; j < np; j++ {
			hess.SetSym(i, j, (cols[i][j]+cols[j][i])/2)
		}
	}
	meat := mat.NewSymDense(np, nil)
	meat.SymRankK(meat, 1, mat.NewDense(persons, np, scores).T())

	inv := mat.NewSymDense(np, nil)
	var chol mat.Cholesky
	if chol.Factorize(hess) {
		if err := chol.InverseTo(inv); err != nil {
			return nil, nil, "covariance: " + err.Error(), nil
		}
	} else {
		var lu mat.Dense
		if err := lu.Inverse(hess); err != nil {
			return nil, nil, "the Hessian is singular: no standard errors", nil
		}
		for i := range np {
			for j := i; j < np; j++ {
				inv.SetSym(i, j, (lu.At(i, j)+lu.At(j, i))/2)
			}
		}
		msg = "the Hessian is not positive definite at the estimates"
	}
	var sandwich mat.Dense
	sandwich.Mul(inv, meat)
	sandwich.Mul(&sandwich, inv)
	cov = make([][]float64, np)
	robust = make([][]float64, np)
	for i := range np {
		cov[i] = make([]float64, np)
		robust[i] = make([]float64, np)
		for j := range np {
			cov[i][j] = inv.At(i, j)
			robust[i][j] = (sandwich.At(i, j) + sandwich.At(j, i)) / 2
		}
	}
	return cov, robust, msg, nil
}
