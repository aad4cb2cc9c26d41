package choice

import (
	"context"
	"fmt"
	"math"
)

// objective returns the value of the function to minimise at x and writes
// its gradient into grad (len(grad) == len(x)). A point outside the
// function's domain, or one where it overflows, returns +Inf or NaN; the
// minimiser then steps back.
type objective func(x, grad []float64) float64

// minimizeOptions tunes minimize. The zero value asks for the defaults.
type minimizeOptions struct {
	// MaxIter bounds the iterations; 0 means 200.
	MaxIter int
	// GradTol is the threshold on the relative gradient
	// max_i |g_i|*max(|x_i|,1) / max(|f|,1), Biogeme's criterion: the
	// relative change in f for a relative change in any x_i. 0 means 1e-6.
	GradTol float64
	// FuncTol stops when an iteration lowers f by less than
	// FuncTol*max(|f|,1) twice in a row, which happens when f is flat to
	// rounding before the gradient test passes; the result then counts as
	// converged if the relative gradient is below 10*GradTol. 0 means
	// 1e-15.
	FuncTol float64
	// Progress, when set, is called with f at the start (iteration 0)
	// and after every iteration.
	Progress func(iter int, f float64)
	// InitialInverseHessian, when set, returns the starting
	// approximation of the inverse Hessian at x0 (n*n, row-major), or nil
	// to start from the identity. A good one (for a log-likelihood, the
	// inverse of the BHHH matrix) saves many iterations.
	InitialInverseHessian func(x []float64) []float64
}

// minimizeResult is where minimize stopped.
type minimizeResult struct {
	X         []float64
	F         float64
	Grad      []float64
	Iter      int  // iterations (line searches) taken
	Evals     int  // function evaluations
	Converged bool // the gradient test passed
	Message   string
	RelGrad   float64
}

const (
	wolfeC1      = 1e-4 // sufficient decrease
	wolfeC2      = 0.9  // curvature (strong Wolfe), the usual value for quasi-Newton
	lineSearches = 30   // evaluations of one line search
	stepGrowth   = 4    // bracketing growth factor
	// nearlyConverged: when f stops changing, or no step lowers it, the
	// result still counts as converged if the relative gradient is within
	// this factor of the threshold: the gradient is then as small as
	// rounding in f lets it get.
	nearlyConverged = 10
)

// minimize minimises f from x0 by BFGS: a quasi-Newton method that keeps
// an approximation of the inverse Hessian, updated from the change in the
// gradient over every step, with a line search that finds a step
// satisfying the strong Wolfe conditions (Nocedal and Wright 2006,
// algorithms 3.5, 3.6 and 6.1). The first step is a steepest-descent step
// of length at most 1 in every coordinate; the initial inverse Hessian is
// then scaled by s'y/y'y (unless the caller supplies one). When the line search fails, the approximation is
// reset to that scaled identity once; a second failure in a row stops.
//
// minimize returns an error only when f is not finite at x0 or ctx is
// cancelled (checked before every evaluation); running out of iterations
// or failing to find a better point is reported in the result, with
// Converged false and a Message.
func minimize(ctx context.Context, f objective, x0 []float64, o minimizeOptions) (minimizeResult, error) {
	if o.MaxIter <= 0 {
		o.MaxIter = 200
	}
	if o.GradTol <= 0 {
		o.GradTol = 1e-6
	}
	if o.FuncTol <= 0 {
		o.FuncTol = 1e-15
	}
	n := len(x0)
	m := &minimizer{f: f, ctx: ctx, n: n}
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	fx, err := m.eval(x, g)
	if err != nil {
		return minimizeResult{}, err
	}
	if !isFiniteValue(fx) {
		return minimizeResult{}, fmt.Errorf("minimize: the function is %v at the starting point", fx)
	}
	if o.Progress != nil {
		o.Progress(0, fx)
	}
	res := minimizeResult{X: x, F: fx, Grad: g}
	h := make([]float64, n*n) // inverse Hessian approximation, row-major
	d := make([]float64, n)
	s := make([]float64, n)
	y := make([]float64, n)
	hy := make([]float64, n)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	scaled := false // h holds more than the initial identity
	resetIdentity := func(scale float64) {
		clear(h)
		for i := range n {
			h[i*n+i] = scale
		}
	}
	resetIdentity(1)
	if o.InitialInverseHessian != nil {
		if h0 := o.InitialInverseHessian(x); h0 != nil {
			copy(h, h0)
			scaled = true
		}
	}
	failures, flat := 0, 0
	for {
		res.RelGrad = relativeGradient(x, g, fx)
		if res.RelGrad <= o.GradTol {
			res.Converged = true
			res.Message = fmt.Sprintf("relative gradient %.3g <= %.3g", res.RelGrad, o.GradTol)
			break
		}
		if res.Iter >= o.MaxIter {
			res.Message = fmt.Sprintf("%d iterations without convergence; relative gradient %.3g > %.3g", res.Iter, res.RelGrad, o.GradTol)
			break
		}
		// Direction d = -H g; the first step, or one after a reset,
		// moves at most 1 in any coordinate.
		for i := range n {
			var v float64
			for j := range n {
				v -= h[i*n+j] * g[j]
			}
			d[i] = v
		}
		slope := optDot(g, d)
		if !(slope < 0) {
			resetIdentity(1)
			scaled = false
			for i := range n {
				d[i] = -g[i]
			}
			slope = optDot(g, d)
		}
		alpha := 1.0
		if !scaled {
			alpha = 1 / max(1, optMaxAbs(d))
		}
		fNew, ok, err := m.lineSearch(x, fx, g, d, slope, alpha, xNew, gNew)
		if err != nil {
			return res, err
		}
		if !ok {
			failures++
			if failures >= 2 || !scaled {
				res.Message = fmt.Sprintf("line search found no better point; relative gradient %.3g > %.3g", res.RelGrad, o.GradTol)
				res.Converged = res.RelGrad <= nearlyConverged*o.GradTol
				break
			}
			resetIdentity(1)
			scaled = false
			continue
		}
		failures = 0
		res.Iter++
		for i := range n {
			s[i] = xNew[i] - x[i]
			y[i] = gNew[i] - g[i]
		}
		fOld := fx
		copy(x, xNew)
		copy(g, gNew)
		fx = fNew
		res.F = fx
		if o.Progress != nil {
			o.Progress(res.Iter, fx)
		}
		sy, yy := optDot(s, y), optDot(y, y)
		// The strong Wolfe conditions guarantee s'y > 0; the test guards
		// against an Armijo-only step and rounding.
		if sy > 1e-12*math.Sqrt(optDot(s, s)*yy) {
			if !scaled {
				resetIdentity(sy / yy)
				scaled = true
			}
			bfgsUpdate(h, s, y, hy, sy)
		}
		if fOld-fx < o.FuncTol*max(1, math.Abs(fx)) {
			flat++
			if flat >= 2 {
				res.RelGrad = relativeGradient(x, g, fx)
				res.Converged = res.RelGrad <= nearlyConverged*o.GradTol
				res.Message = fmt.Sprintf("function change below %.3g; relative gradient %.3g", o.FuncTol, res.RelGrad)
				break
			}
		} else {
			flat = 0
		}
	}
	res.Evals = m.evals
	return res, nil
}

// bfgsUpdate applies the BFGS update of the inverse Hessian approximation
// h for step s and gradient change y with s'y = sy:
// H' = H - rho (Hy s' + s y'H) + (rho^2 y'Hy + rho) s s', rho = 1/s'y.
func bfgsUpdate(h, s, y, hy []float64, sy float64) {
	n := len(s)
	for i := range n {
		var v float64
		for j := range n {
			v += h[i*n+j] * y[j]
		}
		hy[i] = v
	}
	rho := 1 / sy
	c := rho*rho*optDot(y, hy) + rho
	for i := range n {
		for j := range n {
			h[i*n+j] += -rho*(hy[i]*s[j]+s[i]*hy[j]) + c*s[i]*s[j]
		}
	}
}

type minimizer struct {
	f     objective
	ctx   context.Context
	n     int
	evals int
	// line search buffers
	gLo, gTry, xTry []float64
}

func (m *minimizer) eval(x, g []float64) (float64, error) {
	if err := m.ctx.Err(); err != nil {
		return 0, err
	}
	m.evals++
	return m.f(x, g), nil
}

// lineSearch looks along d from x (value f0, gradient g0, slope g0'd < 0)
// for a step satisfying the strong Wolfe conditions, starting at alpha,
// and leaves the point in xNew and its gradient in gNew. It reports false
// when it finds no point with sufficient decrease.
func (m *minimizer) lineSearch(x []float64, f0 float64, g0, d []float64, slope, alpha float64, xNew, gNew []float64) (float64, bool, error) {
	n := m.n
	// lo is the best point with sufficient decrease found so far (alpha 0
	// at first); its gradient is kept in gLo.
	if m.gLo == nil {
		m.gLo, m.gTry, m.xTry = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	gLo, gTry, xTry := m.gLo, m.gTry, m.xTry
	copy(gLo, g0)
	aLo, fLo, dLo := 0.0, f0, slope
	try := func(a float64) (float64, float64, error) {
		for i := range n {
			xTry[i] = x[i] + a*d[i]
		}
		fa, err := m.eval(xTry, gTry)
		return fa, optDot(gTry, d), err
	}
	accept := func(a float64) {
		for i := range n {
			xNew[i] = x[i] + a*d[i]
		}
		copy(gNew, gTry)
	}
	armijo := func(a, fa float64) bool { return fa <= f0+wolfeC1*a*slope }

	// Bracketing: grow alpha until the interval [aLo, aHi] is known to
	// hold an acceptable step.
	aHi, fHi, dHi := math.NaN(), math.NaN(), math.NaN()
	evals := 0
	for {
		fa, da, err := try(alpha)
		if err != nil {
			return 0, false, err
		}
		evals++
		if !isFiniteValue(fa) || !armijo(alpha, fa) || fa >= fLo {
			aHi, fHi, dHi = alpha, fa, da
			break
		}
		if math.Abs(da) <= -wolfeC2*slope {
			accept(alpha)
			return fa, true, nil
		}
		if da >= 0 {
			aHi, fHi, dHi = aLo, fLo, dLo
			aLo, fLo, dLo = alpha, fa, da
			copy(gLo, gTry)
			break
		}
		aLo, fLo, dLo = alpha, fa, da
		copy(gLo, gTry)
		if evals >= lineSearches {
			break
		}
		alpha *= stepGrowth
	}
	// Zoom: shrink [aLo, aHi] (in either order) keeping aLo the best
	// point with sufficient decrease.
	for evals < lineSearches && !math.IsNaN(aHi) {
		a := zoomStep(aLo, fLo, dLo, aHi, fHi, dHi)
		if a == aLo || a == aHi {
			break // the interval has shrunk to rounding
		}
		fa, da, err := try(a)
		if err != nil {
			return 0, false, err
		}
		evals++
		if !isFiniteValue(fa) || !armijo(a, fa) || fa >= fLo {
			aHi, fHi, dHi = a, fa, da
			continue
		}
		if math.Abs(da) <= -wolfeC2*slope {
			accept(a)
			return fa, true, nil
		}
		if da*(aHi-aLo) >= 0 {
			aHi, fHi, dHi = aLo, fLo, dLo
		}
		aLo, fLo, dLo = a, fa, da
		copy(gLo, gTry)
	}
	// No strong Wolfe point: settle for the best point with sufficient
	// decrease, if any (the caller updates the Hessian only if s'y > 0).
	if aLo > 0 && fLo < f0 {
		for i := range n {
			xNew[i] = x[i] + aLo*d[i]
		}
		copy(gNew, gLo)
		return fLo, true, nil
	}
	return f0, false, nil
}

// zoomStep returns a trial step between a and b: the minimiser of the
// cubic through both ends' values and slopes when both are finite and it
// lies well inside, otherwise the midpoint.
func zoomStep(a, fa, da, b, fb, db float64) float64 {
	lo, hi := min(a, b), max(a, b)
	mid := (a + b) / 2
	if !isFiniteValue(fb) || !isFiniteValue(db) {
		// Beyond the domain: step back hard towards the good end.
		return a + 0.2*(b-a)
	}
	d1 := da + db - 3*(fa-fb)/(a-b)
	disc := d1*d1 - da*db
	if disc < 0 {
		return mid
	}
	d2 := math.Copysign(math.Sqrt(disc), b-a)
	t := b - (b-a)*(db+d2-d1)/(db-da+2*d2)
	margin := 0.1 * (hi - lo)
	if !isFiniteValue(t) || t < lo+margin || t > hi-margin {
		return mid
	}
	return t
}

func relativeGradient(x, g []float64, f float64) float64 {
	r := 0.0
	den := max(1, math.Abs(f))
	for i := range x {
		r = max(r, math.Abs(g[i])*max(1, math.Abs(x[i]))/den)
	}
	return r
}

func optDot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func optMaxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = max(m, math.Abs(v))
	}
	return m
}

func isFiniteValue(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
