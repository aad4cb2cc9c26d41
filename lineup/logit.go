package lineup

import (
	"math"
	"slices"
	"sync"
)

// This file holds the logit evaluations that scan the whole matrix: the
// gains of every single addition and every swap for a set, and the root
// upper bound.
//
// Every customer's exponentiated utilities are taken relative to a shift,
// exp(Scale*u - shift_i), where shift_i is the larger of the scaled
// no-purchase utility and the customer's largest scaled utility less 300:
// no term can overflow, and a term underflows only when it is more than
// 300 below the customer's best candidate, where it cannot matter. The
// objectives reported are always recomputed by Problem.Objective, which
// is exact.

type logitData struct {
	once  sync.Once
	shift []float64
}

// shifts returns every customer's shift.
func (sp *space) shifts() []float64 {
	sp.logit.once.Do(func() {
		p := sp.p
		s := p.scale()
		sh := make([]float64, sp.nc)
		sp.parallel(sp.nc, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				hi := math.Inf(-1)
				for _, u := range p.Utility[i*sp.n : (i+1)*sp.n] {
					hi = max(hi, u)
				}
				sh[i] = max(s*p.None[i], s*hi-300)
			}
		})
		sp.logit.shift = sh
	})
	return sp.logit.shift
}

// logitSums returns a customer's numerator and denominator for the set s:
// sum of margin times exp, and exp of no purchase plus the sum of exps.
func (sp *space) logitSums(i int, s []int, skip int) (num, den float64) {
	p := sp.p
	sc, sh := p.scale(), sp.shifts()[i]
	den = math.Exp(sc*p.None[i] - sh)
	for _, j := range s {
		if j == skip {
			continue
		}
		e := math.Exp(sc*p.u(i, j) - sh)
		den += e
		num += e * p.Margin[j]
	}
	return num, den
}

// logitGains is fcGains for the logit rule: add[a] = f(s+a)-f(s) and, when
// swap is not nil, swap[q][a] = f(s-s[q]+a)-f(s).
func (sp *space) logitGains(s []int, add []float64, swap [][]float64) {
	p := sp.p
	n := sp.n
	sc := p.scale()
	sh := sp.shifts()
	in := make([]bool, n)
	for _, j := range s {
		in[j] = true
	}
	// Per customer: the sums for s, and for s without each member.
	num := make([]float64, sp.nc)
	den := make([]float64, sp.nc)
	var numQ, denQ [][]float64
	if swap != nil {
		numQ = make([][]float64, len(s))
		denQ = make([][]float64, len(s))
		for q := range s {
			numQ[q] = make([]float64, sp.nc)
			denQ[q] = make([]float64, sp.nc)
		}
	}
	sp.parallel(sp.nc, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			num[i], den[i] = sp.logitSums(i, s, -1)
			for q := range numQ {
				numQ[q][i], denQ[q][i] = sp.logitSums(i, s, s[q])
			}
		}
	})
	sp.parallel(n, func(_, lo, hi int) {
		clear(add[lo:hi])
		for _, row := range swap {
			clear(row[lo:hi])
		}
		for i := range sp.nc {
			row := p.Utility[i*n : (i+1)*n]
			w, nu, de, sh := sp.w[i], num[i], den[i], sh[i]
			base := nu / de
			for a := lo; a < hi; a++ {
				if in[a] {
					continue
				}
				e := math.Exp(sc*row[a] - sh)
				me := p.Margin[a] * e
				add[a] += w * ((nu+me)/(de+e) - base)
				for q := range swap {
					swap[q][a] += w * ((numQ[q][i]+me)/(denQ[q][i]+e) - base)
				}
			}
		}
	})
}

// logitBest bounds what one customer can be worth when up to k more of
// the candidates are added to a set with sums num and den: the candidates
// are given by their exps e and margins m. It returns an upper bound on
// max over T, |T| <= k, of (num + sum_T m e)/(den + sum_T e).
//
// Dinkelbach's method: for a value rho, the best T maximises sum_T
// e (m - rho), which is the k largest positive terms; rho is at least the
// optimum when that maximum is at most rho*den - num. From rho = the value
// of the current set, each step moves rho to the value of the best T for
// it, and stops when T repeats. Whatever rho the loop ends at, rho +
// F(rho)/den is a bound, where F(rho) is the maximum less rho*den - num.
func logitBest(num, den float64, e, m []float64, k int, top []int) float64 {
	rho := num / den
	if k == 0 {
		return rho
	}
	for range 60 {
		top = top[:0]
		sumT, sumME, sumE := 0.0, 0.0, 0.0
		for j := range e {
			v := e[j] * (m[j] - rho)
			if v <= 0 {
				continue
			}
			if len(top) == k {
				last := top[k-1]
				if v <= e[last]*(m[last]-rho) {
					continue
				}
				top = top[:k-1]
			}
			at := len(top)
			for at > 0 && e[top[at-1]]*(m[top[at-1]]-rho) < v {
				at--
			}
			top = append(top, 0)
			copy(top[at+1:], top[at:])
			top[at] = j
		}
		for _, j := range top {
			sumT += e[j] * (m[j] - rho)
			sumME += e[j] * m[j]
			sumE += e[j]
		}
		f := sumT - (rho*den - num)
		next := (num + sumME) / (den + sumE)
		if f <= 1e-12*math.Abs(rho*den) || next <= rho {
			return rho + max(f, 0)/den
		}
		rho = next
	}
	// Not settled (it always is, in few steps): the last step's bound.
	sumT := 0.0
	for j := range e {
		sumT += max(e[j]*(m[j]-rho), 0)
	}
	return rho + max(sumT-(rho*den-num), 0)/den
}

// logitRootBound returns an upper bound on the logit optimum, from the
// relaxation that branch and bound uses (see exactlogit.go) at its root,
// computed with the exps worked out afresh in two scans of the matrix.
func (sp *space) logitRootBound() float64 {
	p := sp.p
	n, nc := sp.n, sp.nc
	sc, sh := p.scale(), sp.shifts()
	k := sp.k - len(sp.must)
	free := make([]bool, n)
	for j := range n {
		free[j] = sp.allowed[j] && !sp.isMust[j]
	}
	num := make([]float64, nc)
	den := make([]float64, nc)
	gain := make([]float64, nc) // A_i: customer i's own best gain
	base := 0.0
	for i := range nc {
		num[i], den[i] = sp.logitSums(i, sp.must, -1)
		base += sp.w[i] * num[i] / den[i]
	}
	if k == 0 {
		return base
	}
	// The customers in a fixed number of chunks, summed in order, so that
	// the bound does not depend on the number of workers.
	const chunks = 16
	// scan adds w_i g_ij+ to s over the customers that use (all when use
	// is nil), and with own set works out A_i too.
	scan := func(use []bool, own bool) []float64 {
		part := make([][]float64, chunks)
		var next chan int = make(chan int, chunks)
		for c := range chunks {
			next <- c
		}
		close(next)
		var wg sync.WaitGroup
		for range min(sp.workers, chunks) {
			wg.Go(func() {
				e := make([]float64, n)
				var fe, fm []float64
				top := make([]int, 0, k)
				for c := range next {
					s := make([]float64, n)
					part[c] = s
					for i := nc * c / chunks; i < nc*(c+1)/chunks; i++ {
						if use != nil && !use[i] {
							continue
						}
						w, nu, de := sp.w[i], num[i], den[i]
						rho := nu / de
						fe, fm = fe[:0], fm[:0]
						for j, u := range p.Utility[i*n : (i+1)*n] {
							if !free[j] || p.Margin[j] <= rho {
								continue
							}
							x := math.Exp(sc*u - sh[i])
							e[j] = x
							s[j] += w * x * (p.Margin[j] - rho) / (de + x)
							fe, fm = append(fe, x), append(fm, p.Margin[j])
						}
						if own {
							gain[i] = w * (logitBest(nu, de, fe, fm, k, top) - rho)
						}
					}
				}
			})
		}
		wg.Wait()
		s := make([]float64, n)
		for _, ps := range part {
			for j, v := range ps {
				s[j] += v
			}
		}
		return s
	}
	s0 := scan(nil, true)
	q0, top0 := topK(s0, free, k, nil)
	b0 := base + top0
	b1 := base
	for _, a := range gain {
		b1 += a
	}
	// Per customer, the smaller of its own bound and what it adds to the
	// favourites of the first bound.
	use := make([]bool, nc)
	mixed := base
	for i := range nc {
		nu, de := num[i], den[i]
		rho := nu / de
		contrib := 0.0
		for _, j := range q0 {
			if m := p.Margin[j]; m > rho {
				x := math.Exp(sc*p.u(i, j) - sh[i])
				contrib += sp.w[i] * x * (m - rho) / (de + x)
			}
		}
		if gain[i] < contrib {
			mixed += gain[i]
		} else {
			use[i] = true
		}
	}
	s1 := scan(use, false)
	_, top1 := topK(s1, free, k, nil)
	mixed += top1
	return min(b0, b1, mixed)
}

// logitRhoBound tightens the first of logitRootBound's bounds by
// choosing every customer's ρ_i. For any ρ_i at least customer i's value
// with the required candidates alone (num_i/den_i), and any set S of
// candidates added,
//
//	f_i(S) - ρ_i = (Σ_S x_ij (m_j-ρ_i) + num_i - ρ_i den_i) / (den_i + Σ_S x_ij)
//	             <= Σ_S x_ij (m_j-ρ_i)+ / (den_i + x_ij),
//
// each positive term's denominator being at least den_i + x_ij. So
//
//	f(S) <= base + Σ_i w_i (ρ_i - ρ0_i) + the K largest Σ_i w_i x_ij (m_j-ρ_i)+ / (den_i + x_ij),
//
// which is convex in ρ; subgradient steps from ρ = ρ0 lower it. Each step
// is a scan of the matrix. It returns the best bound seen, or +Inf when
// more stops it before the first step.
func (sp *space) logitRhoBound(iters int, target float64, more func() bool) float64 {
	p := sp.p
	n, nc := sp.n, sp.nc
	sc, sh := p.scale(), sp.shifts()
	k := sp.k - len(sp.must)
	if k <= 0 {
		return math.Inf(1)
	}
	free := make([]bool, n)
	for j := range n {
		free[j] = sp.allowed[j] && !sp.isMust[j]
	}
	rho0 := make([]float64, nc)
	den := make([]float64, nc)
	base := 0.0
	maxM := 0.0
	for j := range n {
		if free[j] {
			maxM = max(maxM, p.Margin[j])
		}
	}
	for i := range nc {
		nu, de := sp.logitSums(i, sp.must, -1)
		rho0[i], den[i] = nu/de, de
		base += sp.w[i] * rho0[i]
	}
	rho := slices.Clone(rho0)
	const chunks = 16
	best := math.Inf(1)
	theta := 1.0
	stall := 0
	g := make([]float64, nc)
	for it := 0; it < iters && (more == nil || more()); it++ {
		// The column sums, in a fixed order of chunks.
		part := make([][]float64, chunks)
		next := make(chan int, chunks)
		for c := range chunks {
			next <- c
		}
		close(next)
		var wg sync.WaitGroup
		for range min(sp.workers, chunks) {
			wg.Go(func() {
				for c := range next {
					s := make([]float64, n)
					part[c] = s
					for i := nc * c / chunks; i < nc*(c+1)/chunks; i++ {
						w, de, r := sp.w[i], den[i], rho[i]
						for j, u := range p.Utility[i*n : (i+1)*n] {
							if !free[j] || p.Margin[j] <= r {
								continue
							}
							x := math.Exp(sc*u - sh[i])
							s[j] += w * x * (p.Margin[j] - r) / (de + x)
						}
					}
				}
			})
		}
		wg.Wait()
		s := make([]float64, n)
		for _, ps := range part {
			for j, v := range ps {
				s[j] += v
			}
		}
		q, top := topK(s, free, k, nil)
		val := base + top
		for i := range nc {
			val += sp.w[i] * (rho[i] - rho0[i])
		}
		if val < best {
			best, stall = val, 0
		} else if stall++; stall >= 2 {
			theta /= 2
			stall = 0
		}
		// A subgradient in ρ_i: w_i less what the top set's terms lose.
		norm := 0.0
		for i := range nc {
			gi := sp.w[i]
			for _, j := range q {
				if p.Margin[j] > rho[i] {
					x := math.Exp(sc*p.u(i, j) - sh[i])
					gi -= sp.w[i] * x / (den[i] + x)
				}
			}
			g[i] = gi
			norm += gi * gi
		}
		if norm == 0 || val <= target {
			break
		}
		step := theta * (val - target) / norm
		for i := range rho {
			rho[i] = min(max(rho[i]-step*g[i], rho0[i]), max(maxM, rho0[i]))
		}
	}
	return best
}
