package lineup

import "slices"

// This file holds the first-choice evaluations that scan the whole matrix:
// the gains of every single addition and every swap for a set, and the
// root upper bound.

// fcState is, for a set S, every customer's best and second-best options
// in S together with the no-purchase option: b1 is what the customer buys
// (-1: nothing), b2 what it would buy without b1. u1 and u2 are their
// utilities (the no-purchase utility for -1).
type fcState struct {
	b1, b2 []int32
	u1, u2 []float64
}

func (sp *space) fcState(s []int) *fcState {
	p := sp.p
	st := &fcState{
		b1: make([]int32, sp.nc), b2: make([]int32, sp.nc),
		u1: make([]float64, sp.nc), u2: make([]float64, sp.nc),
	}
	for i := range sp.nc {
		st.set(p, i, s)
	}
	return st
}

// set recomputes customer i's options from the set s.
func (st *fcState) set(p *Problem, i int, s []int) {
	b1, b2 := -1, -1
	u1, u2 := p.None[i], p.None[i]
	for _, j := range s {
		u := p.u(i, j)
		switch {
		case beats(u, j, u1, b1):
			b2, u2 = b1, u1
			b1, u1 = j, u
		case beats(u, j, u2, b2):
			b2, u2 = j, u
		}
	}
	st.b1[i], st.b2[i], st.u1[i], st.u2[i] = int32(b1), int32(b2), u1, u2
}

// margin returns the margin of option b, 0 for the no-purchase option.
func (sp *space) margin(b int32) float64 {
	if b < 0 {
		return 0
	}
	return sp.p.Margin[b]
}

// fcGains sets add[a] to f(s+a)-f(s) for every candidate a not in s and,
// when swap is not nil, swap[q][a] to f(s-s[q]+a)-f(s). Entries for
// candidates in s are 0 in add and meaningless in swap.
//
// Adding a changes only the customers that prefer a to their b1. Swapping
// s[q]=r for a also changes the customers whose b1 is r: they fall back
// to b2 unless they prefer a to it. So one scan of every customer's
// candidates that beat its b2 gives both.
func (sp *space) fcGains(s []int, st *fcState, add []float64, swap [][]float64) {
	p := sp.p
	n := sp.n
	slot := make([]int32, n)
	for j := range slot {
		slot[j] = -1
	}
	for q, j := range s {
		slot[j] = int32(q)
	}
	sp.parallel(n, func(_, lo, hi int) {
		clear(add[lo:hi])
		for _, row := range swap {
			clear(row[lo:hi])
		}
		for i := range sp.nc {
			row := p.Utility[i*n : (i+1)*n]
			w := sp.w[i]
			b1, b2 := int(st.b1[i]), int(st.b2[i])
			u1, u2 := st.u1[i], st.u2[i]
			m1, m2 := sp.margin(st.b1[i]), sp.margin(st.b2[i])
			var corr []float64
			if swap != nil && b1 >= 0 {
				corr = swap[slot[b1]]
			}
			// Only candidates that beat b2 matter; of those in s, that
			// is b1 alone, which never beats itself (so add[b1] stays 0)
			// and whose swap entries are never read.
			// The loops are written without branches on the utility
			// (flags as integers, which compile to conditional moves):
			// whether a candidate beats an option is a coin toss to the
			// processor, and mispredicted branches cost more than the
			// arithmetic.
			seg := row[lo:hi]
			wm1, wm2 := w*m1, w*m2
			if corr == nil {
				for x, u := range seg {
					var k1 uint64
					if u > u1 {
						k1 = 1
					}
					if u == u1 && lo+x < b1 {
						k1 = 1
					}
					add[lo+x] += float64(k1) * (w*p.Margin[lo+x] - wm1)
				}
				continue
			}
			for x, u := range seg {
				var k1, k2 uint64
				if u > u1 {
					k1 = 1
				}
				if u > u2 {
					k2 = 1
				}
				if u == u1 && lo+x < b1 {
					k1 = 1
				}
				if u == u2 && lo+x < b2 {
					k2 = 1
				}
				a := lo + x
				wma := w * p.Margin[a]
				f1, f2 := float64(k1), float64(k2)
				add[a] += f1 * (wma - wm1)
				corr[a] += f1*(wm1-wm2) + (f2-f1)*(wma-wm2)
			}
		}
	})
	if swap == nil {
		return
	}
	// swap[q][a] = add[a] + loss[q] + correction[q][a], where loss[q] is
	// what removing s[q] alone costs.
	loss := make([]float64, len(s))
	for i := range sp.nc {
		if b1 := st.b1[i]; b1 >= 0 {
			loss[slot[b1]] += sp.w[i] * (sp.margin(st.b2[i]) - p.Margin[b1])
		}
	}
	for q := range s {
		row := swap[q]
		for a := range n {
			row[a] += add[a] + loss[q]
		}
	}
}

// fcRootBound returns an upper bound on the first-choice optimum, given a
// good solution s, from the Lagrangian relaxation that branch and bound
// uses at its root (see bound in exact.go), computed with scans of the
// matrix: a few subgradient steps from the best of three starting points.
// With more set, it goes on past iters, up to fcRootMaxIters steps, while
// more reports true.
func (sp *space) fcRootBound(s []int, iters int, more func() bool) float64 {
	rb := sp.newFCRoot()
	return rb.bound(s, iters, more)
}

// fcRootMaxIters bounds the subgradient steps of a root bound given time.
const fcRootMaxIters = 200

// fcRoot computes the root bound with dense scans, for any size.
type fcRoot struct {
	sp    *space
	base  float64   // the earnings of the required candidates alone
	v     []float64 // per customer: margin of what it buys from the required candidates
	b     []int32   // and which (-1: nothing)
	ub    []float64 // its utility
	cmax  []float64 // per customer: the largest weighted gain over v
	free  []bool    // candidates neither required nor forbidden
	freeF []float64 // 1 for those, else 0
	k     int       // candidates to add
}

func (sp *space) newFCRoot() *fcRoot {
	p := sp.p
	rb := &fcRoot{sp: sp, v: make([]float64, sp.nc), b: make([]int32, sp.nc), ub: make([]float64, sp.nc),
		cmax: make([]float64, sp.nc), free: make([]bool, sp.n), k: sp.k - len(sp.must)}
	rb.freeF = make([]float64, sp.n)
	for j := range sp.n {
		rb.free[j] = sp.allowed[j] && !sp.isMust[j]
		if rb.free[j] {
			rb.freeF[j] = 1
		}
	}
	for i := range sp.nc {
		b := p.firstChoice(i, sp.must)
		rb.b[i] = int32(b)
		rb.ub[i] = p.None[i]
		if b >= 0 {
			rb.v[i] = p.Margin[b]
			rb.ub[i] = p.u(i, b)
			rb.base += sp.w[i] * p.Margin[b]
		}
	}
	return rb
}

// sums returns s_j(t) = sum_i (c_ij - t_i)+ for every free candidate, where
// c_ij = w_i (m_j - v_i) when customer i prefers j to what it buys, and
// (when cmax is asked for) each customer's largest c_ij.
func (rb *fcRoot) sums(t []float64, withMax bool) []float64 {
	sp, p := rb.sp, rb.sp.p
	n := sp.n
	s := make([]float64, n)
	maxes := make([][]float64, sp.workers)
	sp.parallel(n, func(part, lo, hi int) {
		var cm []float64
		if withMax {
			cm = make([]float64, sp.nc)
			maxes[part] = cm
		}
		for i := range sp.nc {
			row := p.Utility[i*n : (i+1)*n]
			w, v, b, ub, ti := sp.w[i], rb.v[i], int(rb.b[i]), rb.ub[i], t[i]
			for a := lo; a < hi; a++ {
				u := row[a]
				var k uint64
				if u > ub {
					k = 1
				}
				if u == ub && a < b {
					k = 1
				}
				c := float64(k) * rb.freeF[a] * w * (p.Margin[a] - v)
				var kt uint64
				if c > ti {
					kt = 1
				}
				s[a] += float64(kt) * (c - ti)
				if cm != nil && c > cm[i] {
					cm[i] = c
				}
			}
		}
	})
	if withMax {
		clear(rb.cmax)
		for _, cm := range maxes {
			for i, c := range cm {
				rb.cmax[i] = max(rb.cmax[i], c)
			}
		}
	}
	return s
}

// topK returns the k largest positive s over the free candidates (their
// indices, largest first, ties by index) and their sum; with phone set,
// at most one candidate of a phone (see bb.topOf).
func topK(s []float64, free []bool, k int, phone []int) ([]int, float64) {
	var top []int
	for j, v := range s {
		if !free[j] || v <= 0 {
			continue
		}
		if len(top) == k && v <= s[top[k-1]] {
			continue
		}
		if phone != nil {
			if x := slices.IndexFunc(top, func(y int) bool { return phone[y] == phone[j] }); x >= 0 {
				if v <= s[top[x]] {
					continue
				}
				top = slices.Delete(top, x, x+1)
			}
		}
		at, _ := slices.BinarySearchFunc(top, v, func(x int, v float64) int {
			if s[x] > v {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, at, j)
		if len(top) > k {
			top = top[:k]
		}
	}
	sum := 0.0
	for _, j := range top {
		sum += s[j]
	}
	return top, sum
}

// bound runs the subgradient method on t for iters scans and returns the
// best bound seen.
func (rb *fcRoot) bound(sol []int, iters int, more func() bool) float64 {
	sp, p := rb.sp, rb.sp.p
	if rb.k == 0 {
		return rb.base
	}
	zero := make([]float64, sp.nc)
	s := rb.sums(zero, true)
	_, top := topK(s, rb.free, rb.k, rb.sp.phones())
	best := rb.base + top // t = 0: the best k gains, each over everyone
	bestT := zero
	// t = cmax: every customer its best gain.
	ub1 := rb.base
	for _, c := range rb.cmax {
		ub1 += c
	}
	if ub1 < best {
		best, bestT = ub1, slices.Clone(rb.cmax)
	}
	// t = the gains of the solution: its value plus the best k additions.
	if sol != nil {
		ts := make([]float64, sp.nc)
		for i := range sp.nc {
			if b := p.firstChoice(i, sol); b >= 0 && beats(p.u(i, b), b, rb.ub[i], int(rb.b[i])) {
				ts[i] = max(0, sp.w[i]*(p.Margin[b]-rb.v[i]))
			}
			for _, j := range sol {
				if rb.free[j] && beats(p.u(i, j), j, rb.ub[i], int(rb.b[i])) {
					ts[i] = max(ts[i], sp.w[i]*(p.Margin[j]-rb.v[i]))
				}
			}
		}
		if b := rb.eval(ts); b < best {
			best, bestT = b, ts
		}
	}
	target := rb.base
	if sol != nil {
		target = p.Objective(sol)
	}
	t := slices.Clone(bestT)
	theta := 1.0
	stall := 0
	for it := 0; it < iters || more != nil && it < fcRootMaxIters && more(); it++ {
		s := rb.sums(t, false)
		q, top := topK(s, rb.free, rb.k, rb.sp.phones())
		val := rb.base + top
		for _, x := range t {
			val += x
		}
		if val < best {
			best, stall = val, 0
		} else if stall++; stall >= 2 {
			theta /= 2
			stall = 0
		}
		// Subgradient: 1 minus how many of the top k each customer
		// counts in.
		g := make([]float64, sp.nc)
		norm := 0.0
		for i := range sp.nc {
			cnt := 0
			for _, j := range q {
				if u := p.u(i, j); beats(u, j, rb.ub[i], int(rb.b[i])) && sp.w[i]*(p.Margin[j]-rb.v[i]) > t[i] {
					cnt++
				}
			}
			g[i] = 1 - float64(cnt)
			norm += g[i] * g[i]
		}
		if norm == 0 || val-target <= 0 {
			break
		}
		step := theta * (val - target) / norm
		for i := range t {
			t[i] = min(max(t[i]-step*g[i], 0), rb.cmax[i])
		}
	}
	return best
}

// eval returns the bound for t.
func (rb *fcRoot) eval(t []float64) float64 {
	s := rb.sums(t, false)
	_, top := topK(s, rb.free, rb.k, rb.sp.phones())
	val := rb.base + top
	for _, x := range t {
		val += x
	}
	return val
}

// phones returns the phone of each candidate when a phone takes one price,
// else nil.
func (sp *space) phones() []int {
	if sp.side == nil {
		return nil
	}
	return sp.side.phone
}
