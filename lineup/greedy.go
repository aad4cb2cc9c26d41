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
// equals), among those that leave the groups satisfiable.
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
		slices.SortStableFunc(order, func(a, b int) int {
			switch {
			case add[a] > add[b]:
				return -1
			case add[a] < add[b]:
				return 1
			}
			return 0
		})
		pick := order[0]
		if len(sp.groups) > 0 {
			for _, a := range order {
				in[a] = true
				ok := sp.canComplete(in, sp.k-len(s)-1)
				in[a] = false
				if ok != no {
					pick = a
					break
				}
			}
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
