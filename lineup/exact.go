package lineup

import (
	"math"
	"slices"
)

// Branch and bound for the first-choice rule.
//
// A node fixes some candidates in (I) and some out; the rest are free, and
// k = K - |I| of them are still to be chosen. Every customer i buys b_i,
// its favourite in I (or nothing), earning v_i. Adding candidates can only
// move a customer to one it prefers to b_i, so with
//
//	c_ij = w_i (m_j - v_i)   for free j that i prefers to b_i (else 0)
//
// any completion T earns at most f(I) + sum_i max(0, max_{j in T} c_ij).
// For any t >= 0, max_{j in T} c_ij <= t_i + sum_{j in T} (c_ij - t_i)+,
// so
//
//	f(I∪T) <= B(t) = f(I) + sum_i t_i + (sum of the k largest s_j(t)),
//	s_j(t) = sum_i (c_ij - t_i)+.
//
// B(t) is the Lagrangian dual of the linear relaxation of the assignment
// formulation (each customer assigned to at most one chosen candidate);
// t = 0 gives "the k best candidates' gains, each counted over everyone",
// and t_i = max_j c_ij "every customer its best gain". A few subgradient
// steps on t tighten it at every node, starting from the parent's t. The
// same sums fix candidates: a free j outside the top k can be in an
// improving completion only if B - s_(k) + s_j beats the incumbent, and
// one inside only if excluding it, B - s_j + s_(k+1), still does.
//
// Customers' candidate lists are sorted by preference once, so that a
// customer's candidates that beat b_i are a prefix of its list.

// exactFits reports whether branch and bound's tables fit in memory.
func (sp *space) exactFits() bool {
	return float64(sp.nc)*float64(sp.n) <= 3e7
}

// undoRec undoes one change: candidate j's status when i = -1-j (x holds
// the old status), else customer i's state (what x, a and b hold is the
// rule's business).
type undoRec struct {
	i    int32
	x    int32
	a, b float64
}

// bbRule is what branch and bound needs from a choice rule: the
// customers' side of the state and the bound.
type bbRule interface {
	// add updates the customers for candidate j coming in, logging undo
	// records, and the value of the fixed-in set.
	add(j int)
	// restore undoes a customer record.
	restore(u undoRec)
	// bound returns an upper bound on the best completion with k more
	// candidates at the node at depth d, with the sums of b.s set for
	// fix and the k candidates they favour.
	bound(d, k int) (float64, []int)
	// child prepares the node at depth d+1, after the changes since m.
	child(d int, m bbMark)
}

// bb is a branch and bound search.
type bb struct {
	run  *runner
	sp   *space
	p    *Problem
	rule bbRule
	k    int

	status []int8 // 0 free, 1 in, 2 out
	in     []int
	nFree  int
	undo   []undoRec
	val    float64 // the value of the candidates fixed in
	s      []float64
	inQ    []bool

	incVal float64
	inc    []int
	tol    float64 // bounds must beat the incumbent by this much

	nodes    int
	aborted  bool
	open     float64 // the largest bound of a node left unexplored
	explored float64 // the share of the tree explored, for progress
}

// exact runs branch and bound from the incumbent inc.
func (r *runner) exact(inc []int) (*Solution, error) {
	sp := r.sp
	b := &bb{run: r, sp: sp, p: sp.p, k: sp.k,
		status: make([]int8, sp.n), s: make([]float64, sp.n), inQ: make([]bool, sp.n),
		inc: slices.Clone(inc), incVal: sp.p.Objective(inc), open: math.Inf(-1)}
	if sp.p.Rule == Logit {
		b.rule = newLogitBB(b)
	} else {
		b.rule = newFCBB(b)
	}
	b.search()
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	sol := &Solution{Chosen: b.inc, Method: Exact, Nodes: b.nodes, Proven: !b.aborted}
	sol.Bound = b.incVal
	if b.aborted {
		sol.Bound = max(b.open, b.incVal)
	}
	return sol, nil
}

// include fixes candidate j in.
func (b *bb) include(j int) {
	b.undo = append(b.undo, undoRec{i: int32(-1 - j), x: int32(b.status[j])})
	b.status[j] = 1
	b.nFree--
	b.in = append(b.in, j)
	b.rule.add(j)
}

// exclude fixes candidate j out.
func (b *bb) exclude(j int) {
	b.undo = append(b.undo, undoRec{i: int32(-1 - j), x: int32(b.status[j])})
	b.status[j] = 2
	b.nFree--
}

type bbMark struct {
	n   int
	val float64
}

func (b *bb) mark() bbMark { return bbMark{len(b.undo), b.val} }

func (b *bb) undoTo(m bbMark) {
	for x := len(b.undo) - 1; x >= m.n; x-- {
		u := b.undo[x]
		if u.i >= 0 {
			b.rule.restore(u)
			continue
		}
		j := int(-1 - u.i)
		if b.status[j] == 1 {
			b.in = b.in[:len(b.in)-1]
		}
		b.status[j] = int8(u.x)
		b.nFree++
	}
	b.undo = b.undo[:m.n]
	b.val = m.val
}

func (b *bb) search() {
	sp := b.sp
	for j := range sp.n {
		b.nFree++
		switch {
		case !sp.allowed[j]:
			b.exclude(j)
		case sp.isMust[j]:
			b.include(j)
		}
	}
	b.undo = b.undo[:0]
	b.node(0, math.Inf(1), 1)
	b.run.progress(1, b.incVal, true)
}

// node explores the subtree of the current fixings, which carries weight
// of the whole tree (for the progress estimate); parent is its parent's
// bound.
func (b *bb) node(d int, parent, weight float64) {
	b.nodes++
	if b.nodes&255 == 0 {
		if b.run.expired() {
			b.aborted = true
		}
		b.run.progress(b.explored, b.incVal, false)
	}
	if b.aborted {
		b.open = max(b.open, parent)
		return
	}
	k := b.k - len(b.in)
	if k == 0 {
		b.leaf()
		b.explored += weight
		return
	}
	if b.nFree < k || !b.groupsPossible(k) {
		b.explored += weight
		return
	}
	bound, q := b.rule.bound(d, k)
	if bound < b.incVal-b.tol {
		b.explored += weight
		return
	}
	m := b.mark()
	if b.fix(bound, q, k) {
		b.rule.child(d, m)
		b.node(d+1, bound, weight)
		b.undoTo(m)
		return
	}
	// Branch on the candidate the bound likes best: in first, then out.
	j := -1
	for _, c := range q {
		if j < 0 || b.s[c] > b.s[j] {
			j = c
		}
	}
	if j < 0 {
		j = slices.Index(b.status, 0)
	}
	b.include(j)
	b.rule.child(d, m)
	b.node(d+1, bound, weight/2)
	b.undoTo(m)
	if b.aborted {
		b.open = max(b.open, bound)
		return
	}
	b.exclude(j)
	b.rule.child(d, m)
	b.node(d+1, bound, weight/2)
	b.undoTo(m)
}

// leaf takes the current set as the incumbent if it is better.
func (b *bb) leaf() {
	if b.val <= b.incVal-b.tol {
		return
	}
	if len(b.sp.groups) > 0 && b.sp.canComplete(b.chosenMask(), 0) != yes {
		return
	}
	if v := b.p.Objective(b.in); v > b.incVal {
		b.incVal = v
		b.inc = slices.Clone(b.in)
	}
}

func (b *bb) chosenMask() []bool {
	m := make([]bool, b.sp.n)
	for _, j := range b.in {
		m[j] = true
	}
	return m
}

// groupsPossible reports whether k more free candidates can complete the
// groups.
func (b *bb) groupsPossible(k int) bool {
	if len(b.sp.groups) == 0 {
		return true
	}
	return b.sp.canCompleteWith(b.chosenMask(), func(j int) bool { return b.status[j] == 0 }, k) != no
}

// top returns the free candidates with the k largest positive s (largest
// first, ties by index) and their sum.
func (b *bb) top(k int) ([]int, float64) {
	var q []int
	for j, v := range b.s {
		if v <= 0 || b.status[j] != 0 {
			continue
		}
		if len(q) == k && v <= b.s[q[k-1]] {
			continue
		}
		if len(q) == k {
			q = q[:k-1]
		}
		at := len(q)
		for at > 0 && b.s[q[at-1]] < v {
			at--
		}
		q = slices.Insert(q, at, j)
	}
	sum := 0.0
	for _, j := range q {
		sum += b.s[j]
	}
	return q, sum
}

// fix applies the fixings that the sums allow: the bound is the node's
// fixed value plus a part that does not depend on the candidates plus the
// k largest sums, so with j forced in it is at most bound - s_(k) + s_j,
// and with j forced out bound - s_j + s_(k+1). Free candidates that cannot
// be in an improving completion go out, and those that every improving
// completion needs go in. It reports whether it fixed any.
func (b *bb) fix(bound float64, q []int, k int) bool {
	limit := b.incVal - b.tol
	sk := 0.0 // the k-th largest s, 0 when fewer are positive
	if len(q) == k {
		sk = b.s[q[k-1]]
	}
	for _, j := range q {
		b.inQ[j] = true
	}
	sk1 := 0.0 // the (k+1)-th largest
	for j, v := range b.s {
		if b.status[j] == 0 && !b.inQ[j] && v > sk1 {
			sk1 = v
		}
	}
	fixed := false
	var ins []int
	for _, j := range q {
		if bound-b.s[j]+sk1 < limit {
			ins = append(ins, j)
		}
	}
	for j, st := range b.status {
		if st == 0 && !b.inQ[j] && bound-sk+max(b.s[j], 0) < limit {
			b.exclude(j)
			fixed = true
		}
	}
	for _, j := range q {
		b.inQ[j] = false
	}
	for _, j := range ins {
		b.include(j)
		fixed = true
	}
	return fixed
}

// fcBB is the first-choice side of branch and bound.
type fcBB struct {
	*bb
	off, lst         []int32 // customer i's candidates, best first: lst[off[i]:off[i+1]]
	coff, ccus, cpos []int32 // candidate j's customers and j's place in their lists
	pos              []int32 // per customer: the place of b_i in its list (its length: nothing)
	bm               []float64
	cmax, g          []float64
	seen             []int32
	stamp            int32
	tDepth           [][]float64
	tBest            []float64
}

func newFCBB(b *bb) *fcBB {
	sp, p := b.sp, b.p
	n, nc := sp.n, sp.nc
	f := &fcBB{bb: b, pos: make([]int32, nc), bm: make([]float64, nc),
		cmax: make([]float64, nc), g: make([]float64, nc), seen: make([]int32, nc), tBest: make([]float64, nc),
		tDepth: [][]float64{make([]float64, nc)}}
	// Preference lists, and the lists by candidate.
	f.off = make([]int32, nc+1)
	var lst []int32
	count := make([]int32, n)
	for i := range nc {
		start := len(lst)
		for j := range n {
			if p.u(i, j) > p.None[i] {
				lst = append(lst, int32(j))
			}
		}
		mine := lst[start:]
		slices.SortFunc(mine, func(a, c int32) int {
			ua, uc := p.u(i, int(a)), p.u(i, int(c))
			switch {
			case ua > uc:
				return -1
			case ua < uc:
				return 1
			}
			return int(a - c)
		})
		for _, j := range mine {
			count[j]++
		}
		f.off[i+1] = int32(len(lst))
		f.pos[i] = int32(len(mine))
	}
	f.lst = lst
	f.coff = make([]int32, n+1)
	for j := range n {
		f.coff[j+1] = f.coff[j] + count[j]
	}
	f.ccus = make([]int32, len(lst))
	f.cpos = make([]int32, len(lst))
	fill := slices.Clone(f.coff[:n])
	for i := range nc {
		for x := f.off[i]; x < f.off[i+1]; x++ {
			j := lst[x]
			f.ccus[fill[j]] = int32(i)
			f.cpos[fill[j]] = x - f.off[i]
			fill[j]++
		}
	}
	scale := 0.0
	for i := range nc {
		hi := 0.0
		for x := f.off[i]; x < f.off[i+1]; x++ {
			hi = max(hi, math.Abs(p.Margin[lst[x]]))
		}
		scale += sp.w[i] * hi
	}
	b.tol = 1e-10 * max(scale, math.Abs(b.incVal))
	return f
}

func (f *fcBB) add(j int) {
	m := f.p.Margin[j]
	for x := f.coff[j]; x < f.coff[j+1]; x++ {
		i, at := f.ccus[x], f.cpos[x]
		if at < f.pos[i] {
			f.undo = append(f.undo, undoRec{i: i, x: f.pos[i], a: f.bm[i]})
			f.val += f.sp.w[i] * (m - f.bm[i])
			f.pos[i], f.bm[i] = at, m
		}
	}
}

func (f *fcBB) restore(u undoRec) { f.pos[u.i], f.bm[u.i] = u.x, u.a }

// child sets the t of depth d+1 from the t of depth d, following the
// customers whose margins changed since m: their gains moved by the
// change, and so does t.
func (f *fcBB) child(d int, m bbMark) {
	for len(f.tDepth) <= d+1 {
		f.tDepth = append(f.tDepth, make([]float64, f.sp.nc))
	}
	t := f.tDepth[d+1]
	copy(t, f.tDepth[d])
	f.stamp++
	for _, u := range f.undo[m.n:] {
		if u.i < 0 || f.seen[u.i] == f.stamp {
			continue
		}
		f.seen[u.i] = f.stamp
		t[u.i] = max(0, t[u.i]-f.sp.w[u.i]*(f.bm[u.i]-u.a))
	}
}

// sums computes s_j(t) for the free candidates and every customer's
// largest gain.
func (f *fcBB) sums(t []float64) {
	clear(f.s)
	p := f.p
	for i := range f.sp.nc {
		w, v, ti := f.sp.w[i], f.bm[i], t[i]
		cm := 0.0
		for _, j := range f.lst[f.off[i] : f.off[i]+f.pos[i]] {
			if f.status[j] != 0 {
				continue
			}
			c := w * (p.Margin[j] - v)
			if c > ti {
				f.s[j] += c - ti
			}
			cm = max(cm, c)
		}
		f.cmax[i] = cm
	}
}

// bound returns the best B(t) over a few subgradient steps from the
// node's t (many at the root), leaves t at its best and b.s at the sums
// for it, and returns the top k.
func (f *fcBB) bound(d, k int) (float64, []int) {
	iters := 3
	if d == 0 {
		iters = 50
	}
	t := f.tDepth[d]
	nc := f.sp.nc
	best := math.Inf(1)
	var bestQ []int
	theta := 1.0
	stall := 0
	last := false // whether f.s holds the sums for the best t
	for it := 0; ; it++ {
		f.sums(t)
		q, top := f.top(k)
		val := f.val + top
		for _, x := range t {
			val += x
		}
		last = false
		if val < best {
			best, bestQ, last = val, q, true
			copy(f.tBest, t)
			stall = 0
		} else if stall++; stall >= 2 {
			theta /= 2
			stall = 0
		}
		if it == iters || best < f.incVal-f.tol {
			break
		}
		// The subgradient: 1 minus the number of the top k that count
		// the customer.
		for _, j := range q {
			f.inQ[j] = true
		}
		norm := 0.0
		for i := range nc {
			w, v, ti := f.sp.w[i], f.bm[i], t[i]
			cnt := 0
			for _, j := range f.lst[f.off[i] : f.off[i]+f.pos[i]] {
				if f.inQ[j] && w*(f.p.Margin[j]-v) > ti {
					cnt++
				}
			}
			f.g[i] = 1 - float64(cnt)
			norm += f.g[i] * f.g[i]
		}
		for _, j := range q {
			f.inQ[j] = false
		}
		if norm == 0 {
			break
		}
		step := theta * max(val-f.incVal, 1e-9*math.Abs(val)) / norm
		for i := range nc {
			t[i] = min(max(t[i]-step*f.g[i], 0), f.cmax[i])
		}
	}
	copy(t, f.tBest)
	if !last {
		f.sums(t)
	}
	return best, bestQ
}
