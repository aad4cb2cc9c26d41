package configurator

import "github.com/tailor-c2b/tailor/csp"

// solver decides whether a subset of a problem's relations admits a
// solution under a selection, by backtracking search with forward checking.
// The compiled join tree answers for the whole model; the solver is for the
// questions about subsets of rules that explanations and checks ask.
type solver struct {
	p      *csp.Problem
	sel    Selection
	budget int
	nodes  int
	local  []int
}

func newSolver(p *csp.Problem, sel Selection, budget int) *solver {
	return &solver{p: p, sel: sel, budget: budget}
}

// unsat reports whether the relations admit no assignment agreeing with the
// selection; ok is false if the search ran out of budget.
func (sv *solver) unsat(rels []*csp.Relation) (unsat, ok bool) {
	// Collect the variables in the relations' scopes.
	if sv.local == nil {
		sv.local = make([]int, len(sv.p.Vars))
	}
	local := sv.local // index of each variable among vars, or -1
	for v := range local {
		local[v] = -1
	}
	var vars []int
	for _, r := range rels {
		if len(r.Scope) == 0 && r.Len() == 0 {
			return true, true
		}
		for _, v := range r.Scope {
			if local[v] < 0 {
				local[v] = len(vars)
				vars = append(vars, v)
			}
		}
	}
	n := len(vars)
	dom := make([][]bool, n)
	for i, v := range vars {
		dom[i] = make([]bool, sv.p.Vars[v].Size)
		if v < len(sv.sel) && sv.sel[v] >= 0 {
			dom[i][sv.sel[v]] = true
		} else {
			for x := range dom[i] {
				dom[i][x] = true
			}
		}
	}
	if !arcConsistent(rels, local, dom) {
		return true, true
	}
	byVar := make([][]int, n)
	for ri, r := range rels {
		for _, v := range r.Scope {
			byVar[local[v]] = append(byVar[local[v]], ri)
		}
	}
	assign := make([]int32, len(sv.p.Vars))
	assigned := make([]bool, n)
	// prune filters, for each relation with one unassigned variable left,
	// that variable's domain. It records removals in trail for undoing and
	// reports false on a wipe-out.
	type removal struct{ i, x int }
	var trail []removal
	vals := make([]int32, 0, 8)
	prune := func(changed int) bool {
		for _, ri := range byVar[changed] {
			r := rels[ri]
			free := -1
			for _, v := range r.Scope {
				if !assigned[local[v]] {
					if free >= 0 {
						free = -2
						break
					}
					free = local[v]
				}
			}
			switch {
			case free == -1:
				vals = vals[:0]
				for _, v := range r.Scope {
					vals = append(vals, assign[v])
				}
				if !r.Allows(vals) {
					return false
				}
			case free >= 0:
				fv := vars[free]
				left := 0
				for x, ok := range dom[free] {
					if !ok {
						continue
					}
					assign[fv] = int32(x)
					vals = vals[:0]
					for _, v := range r.Scope {
						vals = append(vals, assign[v])
					}
					if r.Allows(vals) {
						left++
					} else {
						dom[free][x] = false
						trail = append(trail, removal{free, x})
					}
				}
				if left == 0 {
					return false
				}
			case r.Len() <= prefixScanLimit:
				// Two or more variables free: a small table must still
				// have a row agreeing with the assigned ones.
				if !hasRow(r, assigned, local, assign) {
					return false
				}
			}
		}
		return true
	}
	var search func(depth int) (bool, bool) // (found, ok)
	search = func(depth int) (bool, bool) {
		sv.nodes++
		if sv.nodes > sv.budget {
			return false, false
		}
		if depth == n {
			return true, true
		}
		best, bestSize := -1, 0
		for i := 0; i < n; i++ {
			if assigned[i] {
				continue
			}
			size := 0
			for _, ok := range dom[i] {
				if ok {
					size++
				}
			}
			if best < 0 || size < bestSize {
				best, bestSize = i, size
			}
		}
		assigned[best] = true
		for x, ok := range dom[best] {
			if !ok {
				continue
			}
			assign[vars[best]] = int32(x)
			mark := len(trail)
			if prune(best) {
				found, ok := search(depth + 1)
				if found || !ok {
					return found, ok
				}
			}
			for _, r := range trail[mark:] {
				dom[r.i][r.x] = true
			}
			trail = trail[:mark]
		}
		assigned[best] = false
		return false, true
	}
	found, ok := search(0)
	return !found, ok
}

// arcConsistent removes from dom (indexed through local) the values without
// support in some relation, until a fixpoint, and reports false on a
// wipe-out. Most conflicts among configuration rules are found here, with
// no search. A worklist revisits only the relations of variables that lost
// values.
func arcConsistent(rels []*csp.Relation, local []int, dom [][]bool) bool {
	byVar := make(map[int][]int)
	for ri, r := range rels {
		for _, v := range r.Scope {
			byVar[v] = append(byVar[v], ri)
		}
	}
	queued := make([]bool, len(rels))
	queue := make([]int, len(rels))
	for ri := range rels {
		queue[ri], queued[ri] = ri, true
	}
	var sup [][]bool
	for len(queue) > 0 {
		ri := queue[0]
		queue = queue[1:]
		queued[ri] = false
		r := rels[ri]
		sup = sup[:0]
		for _, v := range r.Scope {
			sup = append(sup, make([]bool, len(dom[local[v]])))
		}
		n := r.Len()
	tuples:
		for t := 0; t < n; t++ {
			tu := r.Tuple(t)
			for i, v := range r.Scope {
				if !dom[local[v]][tu[i]] {
					continue tuples
				}
			}
			for i := range r.Scope {
				sup[i][tu[i]] = true
			}
		}
		for i, v := range r.Scope {
			d := dom[local[v]]
			left, changed := false, false
			for x := range d {
				if d[x] && !sup[i][x] {
					d[x] = false
					changed = true
				}
				left = left || d[x]
			}
			if !left {
				return false
			}
			if changed {
				for _, rj := range byVar[v] {
					if rj != ri && !queued[rj] {
						queued[rj] = true
						queue = append(queue, rj)
					}
				}
			}
		}
	}
	return true
}

// prefixScanLimit is the size up to which the solver scans a relation for a
// row agreeing with a partial assignment.
const prefixScanLimit = 1024

// hasRow reports whether some tuple of r agrees with the assigned variables
// of its scope.
func hasRow(r *csp.Relation, assigned []bool, local []int, assign []int32) bool {
rows:
	for t := 0; t < r.Len(); t++ {
		tu := r.Tuple(t)
		for i, v := range r.Scope {
			if assigned[local[v]] && tu[i] != assign[v] {
				continue rows
			}
		}
		return true
	}
	return false
}
