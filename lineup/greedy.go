package lineup

import (
	"math"
	"slices"
)

// gains sets add[a] = f(s+a)-f(s) for every candidate a not in s and, when
// swap is not nil, swap[q][a] = f(s-s[q]+a)-f(s), with one scan of the
// matrix.
func (sp *space) gains(s []int, add []float64, swap [][]float64) {
	if sp.p.Rule == Logit {
		sp.logitGains(s, add, swap)
		return
	}
	sp.fcGains(s, sp.fcState(s), add, swap)
}

// greedy starts from the required candidates and adds, K times over, the
// allowed candidate that raises the objective most (the lowest index among
// equals), among those that keep the side constraints and leave the groups
// satisfiable. It returns fewer than K when no candidate keeps the side
// constraints.
func (sp *space) greedy() []int {
	s := slices.Clone(sp.must)
	in := make([]bool, sp.n)
	for _, j := range s {
		in[j] = true
	}
	add := make([]float64, sp.n)
	order := make([]int, 0, sp.n)
	for len(s) < sp.k {
		sp.gains(s, add, nil)
		if len(s) == len(sp.must) {
			sp.alone = slices.Clone(add)
		}
		order = order[:0]
		for j := range sp.n {
			if sp.allowed[j] && !in[j] {
				order = append(order, j)
			}
		}
		byScoreDesc(order, add)
		// The best that keeps the side constraints and leaves the groups
		// satisfiable; failing the groups, the best that keeps the side
		// constraints.
		pick, fallback := -1, -1
		for _, a := range order {
			if sp.side != nil && !sp.side.fits(s, -1, a) {
				continue
			}
			if fallback < 0 {
				fallback = a
			}
			if len(sp.groups) == 0 {
				pick = a
				break
			}
			in[a] = true
			ok := sp.canComplete(in, sp.k-len(s)-1)
			in[a] = false
			if ok != no {
				pick = a
				break
			}
		}
		if pick < 0 {
			pick = fallback
		}
		if pick < 0 {
			// Nothing more keeps the side constraints: search for any
			// lineup that does, best candidates first.
			return sp.feasibleSet()
		}
		s = append(s, pick)
		in[pick] = true
	}
	return s
}

// improves reports whether delta is a gain worth taking over an objective
// of cur: more than rounding.
func improves(delta, cur float64) bool {
	return delta > 1e-12*math.Abs(cur) && delta > 0
}

// swap improves s by the best single replacement of a candidate that is
// not required by an allowed one, as long as one gains, keeping the
// groups. It returns the local optimum.
func (sp *space) swap(s []int) []int {
	p := sp.p
	s = slices.Clone(s)
	counts := sp.groupCounts(s)
	in := make([]bool, sp.n)
	for _, j := range s {
		in[j] = true
	}
	add := make([]float64, sp.n)
	sw := make([][]float64, len(s))
	for q := range sw {
		sw[q] = make([]float64, sp.n)
	}
	cur := p.Objective(s)
	for range 10 * sp.n {
		sp.gains(s, add, sw)
		bq, ba, best := -1, -1, 0.0
		for q, r := range s {
			if sp.isMust[r] {
				continue
			}
			row := sw[q]
			for a := range sp.n {
				if in[a] || !sp.allowed[a] || row[a] <= best {
					continue
				}
				if len(sp.groups) > 0 && !sp.swapKeepsGroups(counts, r, a) {
					continue
				}
				if sp.side != nil && !sp.side.fits(s, q, a) {
					continue
				}
				bq, ba, best = q, a, row[a]
			}
		}
		if bq < 0 || !improves(best, cur) {
			// A local optimum: what each candidate would add to it is
			// at hand, for annealing's pool.
			sp.atOptimum, sp.optimumGains = slices.Clone(s), slices.Clone(add)
			break
		}
		r := s[bq]
		s[bq] = ba
		next := p.Objective(s)
		if next <= cur {
			s[bq] = r // rounding misled the scan
			break
		}
		cur = next
		in[r], in[ba] = false, true
		sp.applySwapCounts(counts, r, ba)
	}
	return s
}

// feasibleSet searches depth first, trying the allowed candidates by what
// each adds to the required ones, best first, for a set of K that holds
// the required candidates, keeps the side constraints and meets the
// groups. It returns the required candidates alone when it finds none
// within a budget of steps.
func (sp *space) feasibleSet() []int {
	s := slices.Clone(sp.must)
	in := make([]bool, sp.n)
	for _, j := range s {
		in[j] = true
	}
	var cands []int
	for j := range sp.n {
		if sp.allowed[j] && !in[j] {
			cands = append(cands, j)
		}
	}
	if sp.alone != nil {
		byScoreDesc(cands, sp.alone)
	}
	budget := 200000
	var rec func(from int) bool
	rec = func(from int) bool {
		if len(s) == sp.k {
			return len(sp.groups) == 0 || sp.canComplete(in, 0) == yes
		}
		for x := from; x < len(cands) && budget > 0; x++ {
			budget--
			a := cands[x]
			if !sp.side.fits(s, -1, a) {
				continue
			}
			s = append(s, a)
			in[a] = true
			if rec(x + 1) {
				return true
			}
			in[a] = false
			s = s[:len(s)-1]
		}
		return false
	}
	if rec(0) {
		return s
	}
	return slices.Clone(sp.must)
}

// byScoreDesc sorts candidates by score, highest first, keeping the order
// of equals.
func byScoreDesc(c []int, score []float64) {
	slices.SortStableFunc(c, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return 0
	})
}
