package choice

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/tailor-c2b/tailor/errs"
)

// MNLOptions tunes EstimateMNL. The zero value asks for the defaults.
type MNLOptions struct {
	// MaxIter bounds the Newton iterations; 0 means 100.
	MaxIter int
	// Tol is the convergence threshold on the scaled gradient g'(-H)^-1 g,
	// the criterion mlogit and Biogeme's Newton use; 0 means 1e-10. At
	// 1e-10 the estimates lie within about 1e-5 standard errors of the
	// maximum, and the log-likelihood within 1e-10 of it.
	Tol float64
	// Workers is the number of goroutines that share the sums over cases;
	// 0 means runtime.GOMAXPROCS(0). The result does not depend on it: the
	// cases are cut into the same chunks whatever the number of workers,
	// and the chunks' sums are added in the same order.
	Workers int
	// ClusterByPanel makes the robust covariance sum the scores of each
	// decision maker (Data.Panel) before taking their outer products, as
	// for panel data; otherwise every case is its own cluster, as Biogeme
	// does.
	ClusterByPanel bool
	// Progress, when set, is called with the log-likelihood at the
	// starting values (iteration 0) and after every iteration.
	Progress func(iter int, ll float64)
}

const (
	mnlMaxIter = 100
	mnlTol     = 1e-10
	// mnlCond is the largest condition number of the scaled information
	// matrix (unit diagonal) taken as non-singular. Columns that are
	// exactly collinear give 1e16 or more after rounding; identified but
	// badly conditioned designs stay far below it.
	mnlCond = 1e13
	// mnlScoreCrit: when the scaled gradient falls below it, the next
	// point is likely the last, and the pass that evaluates it also sums
	// the score outer products for the robust covariance.
	mnlScoreCrit = 1e-3
	// mnlHalvings bounds the step halvings of one line search.
	mnlHalvings = 40
)

// EstimateMNL fits a multinomial (conditional) logit to d by maximum
// likelihood: Newton–Raphson with the analytic gradient and Hessian, step
// halving when a full step does not raise the log-likelihood, and
// convergence when the scaled gradient g'(-H)^-1 g falls below opts.Tol.
//
// The result lists the estimated coefficients in d.Params order, then the
// fixed ones (Fixed set, no standard errors) in d.Fixed order. Cov is the
// classical covariance (-H)^-1 at the estimates, RobustCov the sandwich
// H^-1 B H^-1 with B the sum of the outer products of the cases' (or, with
// opts.ClusterByPanel, the decision makers') weighted scores; both are in
// d.Params order.
//
// EstimateMNL returns an error with code errs.Invalid when d is malformed
// or when the Hessian is singular (coefficients that the data do not
// identify, named in the message), and ctx's error when ctx is cancelled
// between iterations. When the iterations run out, or no step improves the
// log-likelihood, it returns the result reached so far with Converged
// false and a Message saying why.
func EstimateMNL(ctx context.Context, d *Data, opts MNLOptions) (*Result, error) {
	begin := time.Now()
	if err := d.Check(); err != nil {
		return nil, errs.Errorf(errs.Invalid, "MNL: %v", err)
	}
	if opts.MaxIter <= 0 {
		opts.MaxIter = mnlMaxIter
	}
	if opts.Tol <= 0 {
		opts.Tol = mnlTol
	}
	k := d.K()
	e := newMNLEval(d, opts.Workers, opts.ClusterByPanel)

	beta := make([]float64, k)
	if d.StartValues != nil {
		copy(beta, d.StartValues)
	}
	trial := make([]float64, k)
	cur := e.newTotals()
	next := e.newTotals()
	// The first pass sums the scores too: a start at the maximum (a refit)
	// then needs no extra pass.
	e.pass(beta, true, true, cur)
	if !isFinite(cur.ll) {
		return nil, errs.Errorf(errs.Invalid, "MNL: the log-likelihood at the starting values is %v", cur.ll)
	}
	llStart := cur.ll
	if opts.Progress != nil {
		opts.Progress(0, cur.ll)
	}

	step := make([]float64, k)
	newton := newNewton(k)
	var (
		iter      int
		converged bool
		message   string
		crit      float64
	)
	for {
		if err := newton.factor(cur.info); err != nil {
			return nil, e.notIdentified(iter, newton)
		}
		crit = newton.solve(cur.g, step)
		if crit < opts.Tol {
			converged = true
			break
		}
		if iter >= opts.MaxIter {
			message = fmt.Sprintf("%d iterations without convergence; scaled gradient %.3g > %.3g", iter, crit, opts.Tol)
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("MNL: %w", err)
		}
		// The log-likelihood is concave, so the Newton direction rises and
		// some step along it improves; rounding may hide a gain smaller
		// than the sums' precision near the maximum, hence the slack.
		slack := 1e-13 * math.Max(1, math.Abs(cur.ll))
		accepted := false
		t := 1.0
		for range mnlHalvings {
			for i := range trial {
				trial[i] = beta[i] + t*step[i]
			}
			e.pass(trial, true, crit < mnlScoreCrit, next)
			if isFinite(next.ll) && next.ll >= cur.ll-slack {
				accepted = true
				break
			}
			t /= 2
		}
		if !accepted {
			message = fmt.Sprintf("no step along the Newton direction raises the log-likelihood; scaled gradient %.3g", crit)
			break
		}
		beta, trial = trial, beta
		cur, next = next, cur
		iter++
		if opts.Progress != nil {
			opts.Progress(iter, cur.ll)
		}
	}
	if !cur.hasB {
		e.pass(beta, true, true, cur)
		if err := newton.factor(cur.info); err != nil {
			return nil, e.notIdentified(iter, newton)
		}
	}

	cov := newton.inverse()
	robust := sandwich(cov, unpack(cur.b, k))
	r := &Result{
		Method:    MNL,
		Cases:     d.Cases(),
		Panels:    d.NumPanels(),
		LLStart:   llStart,
		LLNull:    nullLL(d),
		LL:        cur.ll,
		Iter:      iter,
		Converged: converged,
		Message:   message,
		Cov:       cov,
		RobustCov: robust,
	}
	r.Params = make([]Estimate, 0, k+len(d.Fixed))
	for i, name := range d.Params {
		se, rse := math.Sqrt(cov[i][i]), math.Sqrt(robust[i][i])
		r.Params = append(r.Params, Estimate{Name: name, Value: beta[i], SE: se, T: beta[i] / se, RobustSE: rse, RobustT: beta[i] / rse})
	}
	nan := math.NaN()
	for _, f := range d.Fixed {
		r.Params = append(r.Params, Estimate{Name: f.Name, Value: f.Value, SE: nan, T: nan, RobustSE: nan, RobustT: nan, Fixed: true})
	}
	r.finish()
	r.Seconds = time.Since(begin).Seconds()
	return r, nil
}

// Probabilities returns every row's choice probability under the
// coefficients beta (one per d.Params), computed with the largest utility
// of each case subtracted so that no exponential overflows.
func Probabilities(d *Data, beta []float64) []float64 {
	checkBeta(d, beta)
	p := make([]float64, d.Rows())
	for c := range d.Cases() {
		r0, r1 := d.Start[c], d.Start[c+1]
		m := math.Inf(-1)
		for r := r0; r < r1; r++ {
			p[r] = utility(d, beta, r)
			m = math.Max(m, p[r])
		}
		sum := 0.0
		for r := r0; r < r1; r++ {
			p[r] = math.Exp(p[r] - m)
			sum += p[r]
		}
		for r := r0; r < r1; r++ {
			p[r] /= sum
		}
	}
	return p
}

// LogLikelihood returns the weighted log-likelihood of the chosen rows
// under the coefficients beta (one per d.Params), summed over cases on all
// processors.
func LogLikelihood(d *Data, beta []float64) float64 {
	checkBeta(d, beta)
	e := newMNLEval(d, 0, false)
	t := e.newTotals()
	e.pass(beta, false, false, t)
	return t.ll
}

// HitRate returns the weighted share of cases whose chosen row has the
// highest utility under beta (one per d.Params), as used to validate a
// model on holdout tasks. A case whose chosen row ties for the highest
// utility with others counts as the share of the tie it would win at
// random.
func HitRate(d *Data, beta []float64) float64 {
	checkBeta(d, beta)
	return hitRate(d, func(int) []float64 { return beta })
}

func checkBeta(d *Data, beta []float64) {
	if len(beta) != d.K() {
		panic(fmt.Sprintf("choice: %d coefficients for %d parameters", len(beta), d.K()))
	}
}

// utility returns row r's utility under beta.
func utility(d *Data, beta []float64, r int) float64 {
	u := 0.0
	if d.Offset != nil {
		u = d.Offset[r]
	}
	for k, x := range d.Row(r) {
		u += x * beta[k]
	}
	return u
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// mnlEval sums the log-likelihood, its gradient, the information matrix
// (the negative Hessian) and the score outer products over the cases. The
// cases are cut into chunks that depend only on the data; workers take
// chunks in turn, each chunk's sums land in its own slot, and the slots
// are added in chunk order, so the totals are the same bits whatever the
// number of workers.
type mnlEval struct {
	d        *Data
	k, nh    int
	chunks   []int // case boundaries: chunk i is chunks[i]..chunks[i+1]
	parts    []*mnlTotals
	scratch  []mnlScratch
	cluster  bool // sum scores per panel
	maxAlts  int
	wantInfo bool
	wantB    bool
	beta     []float64
}

// mnlTotals holds sums over cases. info and b are packed upper triangles,
// row by row.
type mnlTotals struct {
	ll      float64
	g       []float64
	info, b []float64
	hasB    bool
}

// mnlScratch is one worker's buffers.
type mnlScratch struct {
	v, xbar, dev, score []float64
}

func newMNLEval(d *Data, workers int, cluster bool) *mnlEval {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	k := d.K()
	e := &mnlEval{d: d, k: k, nh: k * (k + 1) / 2, cluster: cluster && d.Panel != nil}
	for c := range d.Cases() {
		e.maxAlts = max(e.maxAlts, d.Start[c+1]-d.Start[c])
	}
	e.chunks = mnlChunks(d, e.nh)
	e.parts = make([]*mnlTotals, len(e.chunks)-1)
	for i := range e.parts {
		// A chunk's sums beyond the log-likelihood are allocated by the
		// first pass that needs them, so that LogLikelihood stays cheap.
		e.parts[i] = &mnlTotals{}
	}
	workers = min(workers, len(e.parts))
	e.scratch = make([]mnlScratch, workers)
	for i := range e.scratch {
		e.scratch[i] = mnlScratch{
			v:     make([]float64, e.maxAlts),
			xbar:  make([]float64, k),
			dev:   make([]float64, k),
			score: make([]float64, k),
		}
	}
	return e
}

// mnlChunks cuts the cases into chunks of at least 128 cases, at most 256
// of them (fewer when the coefficients are many, to bound the memory of the
// chunks' sums), with no decision maker split between two chunks, so that
// scores can be summed per panel within a chunk.
func mnlChunks(d *Data, nh int) []int {
	cases := d.Cases()
	maxChunks := min(256, max(8, 1_000_000/(2*nh+1)))
	size := max(128, (cases+maxChunks-1)/maxChunks)
	bounds := []int{0}
	for c := 0; c < cases; {
		end := min(cases, c+size)
		for d.Panel != nil && end < cases && d.Panel[end] == d.Panel[end-1] {
			end++
		}
		bounds = append(bounds, end)
		c = end
	}
	return bounds
}

func (e *mnlEval) newTotals() *mnlTotals {
	buf := make([]float64, e.k+2*e.nh)
	return &mnlTotals{g: buf[:e.k:e.k], info: buf[e.k : e.k+e.nh : e.k+e.nh], b: buf[e.k+e.nh:]}
}

// pass evaluates the sums at beta into out: always the log-likelihood;
// the gradient and information when info is set; the score outer
// products when b is set too.
func (e *mnlEval) pass(beta []float64, info, b bool, out *mnlTotals) {
	e.beta, e.wantInfo, e.wantB = beta, info, info && b
	if len(e.scratch) == 1 {
		for i := range e.parts {
			e.chunk(i, &e.scratch[0])
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range e.scratch {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(e.parts) {
						return
					}
					e.chunk(i, &e.scratch[w])
				}
			})
		}
		wg.Wait()
	}
	out.ll = 0
	clear(out.g)
	clear(out.info)
	clear(out.b)
	for i := range e.parts {
		p := e.parts[i]
		out.ll += p.ll
		if !e.wantInfo {
			continue
		}
		add(out.g, p.g)
		add(out.info, p.info)
		if e.wantB {
			add(out.b, p.b)
		}
	}
	out.hasB = e.wantB
}

func add(dst, src []float64) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

// chunk sums chunk i into its slot.
func (e *mnlEval) chunk(i int, s *mnlScratch) {
	d, k, beta := e.d, e.k, e.beta
	p := e.parts[i]
	if e.wantInfo && p.g == nil {
		*p = *e.newTotals()
	}
	c0, c1 := e.chunks[i], e.chunks[i+1]
	X, off := d.X, d.Offset
	g, info, bb := p.g, p.info, p.b
	if e.wantInfo {
		clear(g)
		clear(info)
	}
	if e.wantB {
		clear(bb)
		clear(s.score)
	}
	xbar, dev, score := s.xbar[:k], s.dev[:k], s.score[:k]
	ll := 0.0
	for c := c0; c < c1; c++ {
		r0, r1 := d.Start[c], d.Start[c+1]
		ch := int(d.Chosen[c])
		w := 1.0
		if d.Weight != nil {
			w = d.Weight[c]
		}
		v := s.v[:r1-r0]
		m := math.Inf(-1)
		for r := r0; r < r1; r++ {
			u := 0.0
			if off != nil {
				u = off[r]
			}
			x := X[r*k : r*k+k]
			bx := beta[:len(x)]
			for j, xj := range x {
				u += xj * bx[j]
			}
			v[r-r0] = u
			m = max(m, u)
		}
		uch := v[ch-r0]
		sum := 0.0
		for j, u := range v {
			ex := math.Exp(u - m)
			v[j] = ex
			sum += ex
		}
		ll += w * (uch - m - math.Log(sum))
		if !e.wantInfo {
			continue
		}
		inv := 1 / sum
		clear(xbar)
		for r := r0; r < r1; r++ {
			pr := v[r-r0] * inv
			v[r-r0] = pr
			x := X[r*k : r*k+k]
			for j := range xbar {
				xbar[j] += pr * x[j]
			}
		}
		xc := X[ch*k : ch*k+k]
		for j := range g {
			g[j] += w * (xc[j] - xbar[j])
		}
		// info += w * sum_r p_r (x_r - xbar)(x_r - xbar)', upper triangle.
		for r := r0; r < r1; r++ {
			wp := w * v[r-r0]
			x := X[r*k : r*k+k]
			for j := range dev {
				dev[j] = x[j] - xbar[j]
			}
			packedRank1(info, dev, wp)
		}
		if !e.wantB {
			continue
		}
		if !e.cluster {
			for j := range dev {
				dev[j] = w * (xc[j] - xbar[j])
			}
			packedRank1(bb, dev, 1)
			continue
		}
		for j := range score {
			score[j] += w * (xc[j] - xbar[j])
		}
		if c+1 == c1 || d.Panel[c+1] != d.Panel[c] {
			packedRank1(bb, score, 1)
			clear(score)
		}
	}
	p.ll = ll
}

// packedRank1 adds a*x*x' to the packed upper triangle h.
func packedRank1(h, x []float64, a float64) {
	n := len(x)
	at := 0
	for i, xi := range x {
		ai := a * xi
		row := h[at : at+n-i]
		at += n - i
		if ai == 0 {
			continue
		}
		xs := x[i:]
		xs = xs[:len(row)]
		for j := range row {
			row[j] += ai * xs[j]
		}
	}
}

// unpack returns the symmetric matrix whose packed upper triangle is h.
func unpack(h []float64, k int) [][]float64 {
	m := make([][]float64, k)
	for i := range m {
		m[i] = make([]float64, k)
	}
	at := 0
	for i := range k {
		for j := i; j < k; j++ {
			m[i][j], m[j][i] = h[at], h[at]
			at++
		}
	}
	return m
}

// sandwich returns a*b*a.
func sandwich(a, b [][]float64) [][]float64 {
	k := len(a)
	ab := make([][]float64, k)
	for i := range k {
		ab[i] = make([]float64, k)
		for j := range k {
			s := 0.0
			for l := range k {
				s += a[i][l] * b[l][j]
			}
			ab[i][j] = s
		}
	}
	out := make([][]float64, k)
	for i := range k {
		out[i] = make([]float64, k)
		for j := range k {
			s := 0.0
			for l := range k {
				s += ab[i][l] * a[l][j]
			}
			out[i][j] = s
		}
	}
	// Symmetrise away the rounding.
	for i := range k {
		for j := i + 1; j < k; j++ {
			s := (out[i][j] + out[j][i]) / 2
			out[i][j], out[j][i] = s, s
		}
	}
	return out
}

// newton solves with the information matrix A = -H. It factors the scaled
// matrix S = D^-1/2 A D^-1/2 (unit diagonal, D = diag A), whose condition
// number does not depend on the units of the variables.
type newton struct {
	k     int
	scale []float64 // D^-1/2
	s     *mat.SymDense
	chol  mat.Cholesky
	rhs   *mat.VecDense
	sol   *mat.VecDense
	bad   []int // columns with no information
}

func newNewton(k int) *newton {
	return &newton{k: k, scale: make([]float64, k), s: mat.NewSymDense(k, nil),
		rhs: mat.NewVecDense(k, nil), sol: mat.NewVecDense(k, nil)}
}

var errSingular = fmt.Errorf("singular information matrix")

// factor factors the packed information matrix info.
func (n *newton) factor(info []float64) error {
	k := n.k
	n.bad = n.bad[:0]
	at := 0
	for i := range k {
		if a := info[at]; a > 0 && isFinite(a) {
			n.scale[i] = 1 / math.Sqrt(a)
		} else {
			n.scale[i] = 0
			n.bad = append(n.bad, i)
		}
		at += k - i
	}
	at = 0
	for i := range k {
		for j := i; j < k; j++ {
			n.s.SetSym(i, j, info[at]*n.scale[i]*n.scale[j])
			at++
		}
	}
	if len(n.bad) > 0 {
		return errSingular
	}
	if !n.chol.Factorize(n.s) || n.chol.Cond() > mnlCond {
		return errSingular
	}
	return nil
}

// solve sets step to A^-1 g and returns g'A^-1 g.
func (n *newton) solve(g, step []float64) float64 {
	for i := range n.k {
		n.rhs.SetVec(i, g[i]*n.scale[i])
	}
	if err := n.chol.SolveVecTo(n.sol, n.rhs); err != nil {
		// Factor already refused ill-conditioned matrices.
		panic(err)
	}
	crit := 0.0
	for i := range n.k {
		step[i] = n.sol.AtVec(i) * n.scale[i]
		crit += step[i] * g[i]
	}
	return crit
}

// inverse returns A^-1.
func (n *newton) inverse() [][]float64 {
	var inv mat.SymDense
	if err := n.chol.InverseTo(&inv); err != nil {
		panic(err)
	}
	out := make([][]float64, n.k)
	for i := range out {
		out[i] = make([]float64, n.k)
		for j := range out[i] {
			out[i][j] = inv.At(i, j) * n.scale[i] * n.scale[j]
		}
	}
	return out
}

// notIdentified explains a singular information matrix: coefficients
// whose variable does not vary across the alternatives of any case, or
// else groups of coefficients whose combination leaves every utility
// difference unchanged, found as the null space of the scaled matrix.
func (e *mnlEval) notIdentified(iter int, n *newton) error {
	d, k := e.d, e.k
	varies := make([]bool, k)
	for c := range d.Cases() {
		if d.CaseWeight(c) == 0 {
			continue
		}
		r0, r1 := d.Start[c], d.Start[c+1]
		first := d.Row(r0)
		for r := r0 + 1; r < r1; r++ {
			for j, x := range d.Row(r) {
				if x != first[j] {
					varies[j] = true
				}
			}
		}
	}
	var reasons []string
	for j, ok := range varies {
		if !ok {
			reasons = append(reasons, fmt.Sprintf("%s does not vary across the alternatives of any case", d.Params[j]))
		}
	}
	if len(reasons) == 0 {
		reasons = collinear(d.Params, n)
	}
	where := "at the starting values"
	if iter > 0 {
		where = fmt.Sprintf("after %d iterations", iter)
	}
	if len(reasons) == 0 {
		if iter > 0 {
			return errs.Errorf(errs.Invalid, "MNL: the Hessian became singular %s: some estimates diverge (the data may predict some choices perfectly)", where)
		}
		return errs.Errorf(errs.Invalid, "MNL: the Hessian is singular %s: some coefficients are not identified", where)
	}
	return errs.Errorf(errs.Invalid, "MNL: the Hessian is singular %s; not identified: %s", where, strings.Join(reasons, "; "))
}

// collinear names the groups of coefficients in the null space of the
// scaled information matrix.
func collinear(names []string, n *newton) []string {
	var eig mat.EigenSym
	if !eig.Factorize(n.s, true) {
		return nil
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	top := slices.Max(vals)
	var out []string
	for i, l := range vals {
		if l > 1e-9*top {
			continue
		}
		var group []string
		for j := range names {
			if math.Abs(vecs.At(j, i)) > 0.05 {
				group = append(group, names[j])
			}
		}
		if len(group) > 0 {
			out = append(out, strings.Join(group, ", ")+" are collinear (a combination of them leaves every utility difference unchanged)")
		}
	}
	return out
}
