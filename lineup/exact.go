package lineup

import (
	"math"
	"slices"
)

// Branch and bound for the first-choice rule.
//
// A node fixes some candidates in (I) and some out; the rest are free, and
// exactly k = K - |I| of them are still to be chosen. Every customer i buys
// b_i, its favourite in I (or nothing), earning v_i; adding candidates can
// only move it to one it prefers to b_i: a candidate on its list (the
// candidates it prefers to not buying, best first) above b_i. For such a
// free j let c_ij = w_i (m_j - v_i), which is negative when j earns less
// than b_i (cannibalisation). With T the k candidates added, the customer
// buys the first of T on its list, j*, and the node's value rises by
// c_ij* (0 if T has none above b_i).
//
// The bound comes from the linear relaxation of the formulation of
// Bertsimas and Mišić (2019), in Lagrangian form: for any t_i >= 0 and any
// π_ij >= 0, with P_ij the sum of π_ij' over the free j' at or below j on
// i's list,
//
//	c_ij* <= t_i + sum_{j in T} h_ij,   h_ij = (c_ij + P_ij - t_i)+ - π_ij,
//
// because the π of T's candidates, all at or below j*, sum to at most
// P_ij*. Summing over customers,
//
//	f(I∪T) <= B(t, π) = f(I) + sum_i t_i + (sum of the k largest s_j),
//	s_j = sum_i h_ij.
//
// With π = 0 it says "every customer takes the best margin on offer"; π
// charges a candidate for the cheaper purchases it causes among customers
// who prefer it, which is what makes the bound see cannibalisation. The
// minimum over (t, π) is the relaxation's optimum; subgradient steps
// approach it, many at the root and a few at every node, starting from the
// multipliers where the search last was (any multipliers give a bound).
//
// The same sums fix candidates: a free j outside the top k can be in an
// improving completion only if B - s_(k) + s_j beats the incumbent, and
// one inside can be left out only if B - s_j + s_(k+1) does. At good
// multipliers many candidates tie for the top k, and putting most of them
// in changes nothing; so the search branches on the candidate, among the
// top k and the best few after them, whose inclusion lowers the bound
// most (with the node's multipliers, customers who prefer it to what they
// buy recomputed), in first, then out.

// exactFits reports whether branch and bound's tables fit in memory.
func (sp *space) exactFits() bool {
	return float64(sp.nc)*float64(sp.n) <= 1e7
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
	// pick chooses the free candidate to branch on, given the top k of
	// the node's bound.
	pick(q []int, k int) int
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
	qBuf   []int

	incVal float64
	inc    []int
	tol    float64 // bounds must beat the incumbent by this much

	nodes    int
	aborted  bool
	open     float64 // the largest bound of a node left unexplored
	explored float64 // the share of the tree explored, for progress
	// rootBound is the bound at the root.
	rootBound float64
}

// exact runs branch and bound from the incumbent inc.
func (r *runner) exact(inc []int) (*Solution, error) {
	b := r.newBB(inc)
	b.search()
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	sol := &Solution{Chosen: b.inc, Method: Exact, Nodes: b.nodes, Proven: !b.aborted}
	sol.Bound = b.incVal
	if b.aborted {
		// Whatever is unexplored lies under an open node's bound, and
		// everything under the root's.
		sol.Bound = max(min(b.open, b.rootBound), b.incVal)
	}
	return sol, nil
}

// bbRootBound returns the bound at the root of branch and bound, with inc
// as the incumbent.
func (r *runner) bbRootBound(inc []int) float64 {
	b := r.newBB(inc)
	b.start()
	if len(b.in) == b.k {
		return b.incVal
	}
	bound, _ := b.rule.bound(0, b.k-len(b.in))
	return max(bound, b.incVal)
}

func (r *runner) newBB(inc []int) *bb {
	sp := r.sp
	b := &bb{run: r, sp: sp, p: sp.p, k: sp.k,
		status: make([]int8, sp.n), s: make([]float64, sp.n), inQ: make([]bool, sp.n),
		inc: slices.Clone(inc), incVal: sp.p.Objective(inc), open: math.Inf(-1)}
	if sp.p.Rule == Logit {
		b.rule = newLogitBB(b)
	} else {
		b.rule = newFCBB(b)
	}
	return b
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

// start fixes the forbidden candidates out and the required ones in.
func (b *bb) start() {
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
	b.excludeMisfits()
	b.undo = b.undo[:0]
}

func (b *bb) search() {
	b.start()
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
	if d == 0 {
		b.rootBound = bound
	}
	if len(q) < k {
		// Fewer phones are free than places to fill.
		b.explored += weight
		return
	}
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
	// Branch: in first (when j keeps the side constraints), then out.
	j := b.rule.pick(q, k)
	if b.fitsIn(j) {
		b.include(j)
		b.excludeMisfits()
		b.rule.child(d, m)
		b.node(d+1, bound, weight/2)
		b.undoTo(m)
		if b.aborted {
			b.open = max(b.open, bound)
			return
		}
	} else {
		b.explored += weight / 2
	}
	b.exclude(j)
	b.rule.child(d, m)
	b.node(d+1, bound, weight/2)
	b.undoTo(m)
}

// pick chooses the candidate to branch on: of the top k and the best few
// outside them, the one whose include child has the lowest bound with the
// node's multipliers. At a good set of multipliers many candidates tie
// for the top k, and including most of them changes nothing; the one that
// changes most is the one to settle first.
func (f *fcBB) pick(q []int, k int) int {
	b := f.bb
	cands := append([]int(nil), q...)
	for _, j := range q {
		b.inQ[j] = true
	}
	var out []int
	for c, st := range b.status {
		if st == 0 && !b.inQ[c] {
			out = append(out, c)
		}
	}
	for _, j := range q {
		b.inQ[j] = false
	}
	byScoreDesc(out, b.s)
	cands = append(cands, out[:min(len(out), bbStrongOut)]...)
	best, bj := math.Inf(1), q[0]
	for _, j := range cands {
		if v := f.includeBound(j, k); v < best {
			best, bj = v, j
		}
	}
	return bj
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

// top returns the free candidates with the k largest s (largest first,
// ties by index) and their sum. Exactly k more candidates are to come, so
// the sum counts negative s too.
func (b *bb) top(k int) ([]int, float64) {
	return b.topOf(b.s, k, -1)
}

// topOf is top for the sums s, leaving out candidate skip. With one
// price per phone, it takes at most one candidate of a phone, and none of
// skip's: the inner maximum of the Lagrangian is then over sets that keep
// that constraint, which tightens the bound (fix's arguments still hold:
// forcing j in displaces its phone's member of the top, whose sum is at
// least the k-th; forcing it out lets in at most the best free candidate
// outside the top). It may return fewer than k when fewer phones are free.
func (b *bb) topOf(s []float64, k, skip int) ([]int, float64) {
	q := b.qBuf[:0]
	var phone []int
	if b.sp.side != nil {
		phone = b.sp.side.phone
	}
	skipPhone := -1
	if phone != nil && skip >= 0 {
		skipPhone = phone[skip]
	}
	for j, v := range s {
		if b.status[j] != 0 || j == skip {
			continue
		}
		if len(q) == k && v <= s[q[k-1]] {
			continue
		}
		if phone != nil {
			if phone[j] == skipPhone {
				continue
			}
			if x := slices.IndexFunc(q, func(y int) bool { return phone[y] == phone[j] }); x >= 0 {
				if v <= s[q[x]] {
					continue
				}
				q = slices.Delete(q, x, x+1)
			}
		}
		if len(q) == k {
			q = q[:k-1]
		}
		at := len(q)
		for at > 0 && s[q[at-1]] < v {
			at--
		}
		q = slices.Insert(q, at, j)
	}
	b.qBuf = q
	sum := 0.0
	for _, j := range q {
		sum += s[j]
	}
	return slices.Clone(q), sum
}

// fix applies the fixings that the sums allow: the bound is the node's
// fixed value plus a part that does not depend on the candidates plus the
// k largest sums, so with j forced in it is at most bound - s_(k) + s_j,
// and with j forced out bound - s_j + s_(k+1). Free candidates that cannot
// be in an improving completion go out, and those that every improving
// completion needs go in. It reports whether it fixed any.
func (b *bb) fix(bound float64, q []int, k int) bool {
	limit := b.incVal - b.tol
	sk := b.s[q[k-1]] // the k-th largest s
	for _, j := range q {
		b.inQ[j] = true
	}
	sk1 := math.Inf(-1) // the (k+1)-th largest
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
		if st == 0 && !b.inQ[j] && bound-sk+b.s[j] < limit {
			b.exclude(j)
			fixed = true
		}
	}
	for _, j := range q {
		b.inQ[j] = false
	}
	for _, j := range ins {
		if b.fitsIn(j) {
			b.include(j)
			fixed = true
		}
	}
	if len(ins) > 0 {
		b.excludeMisfits()
	}
	return fixed
}

// excludeMisfits fixes out the free candidates that can no longer join
// the candidates fixed in under the side constraints, so that the bounds
// below stop counting them.
func (b *bb) excludeMisfits() {
	if b.sp.side == nil {
		return
	}
	for j, st := range b.status {
		if st == 0 && !b.fitsIn(j) {
			b.exclude(j)
		}
	}
}

// fitsIn reports whether candidate j may join the candidates fixed in
// under the side constraints.
func (b *bb) fitsIn(j int) bool {
	return b.sp.side == nil || b.sp.side.fits(b.in, -1, j)
}

// The subgradient steps at a node, at the root, and the steps without
// progress after which the step size halves.
const (
	bbIters     = 3
	bbRootIters = 200
	bbStall     = 30
)

// bbStrongOut is how many candidates outside the top k strong branching
// tries besides those in it.
const bbStrongOut = 5

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
	tCur             []float64 // the t of the node bound last worked on
	s2               []float64
	// π, the multipliers of the preference constraints, by place in the
	// customers' lists; shared by all nodes (any π >= 0 gives a bound).
	pi, piBest, gpi  []float64
	act              []bool
	iters, rootIters int
	stallMax         int
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
	f.pi = make([]float64, len(lst))
	f.s2 = make([]float64, n)
	f.piBest = make([]float64, len(lst))
	f.gpi = make([]float64, len(lst))
	f.act = make([]bool, len(lst))
	f.iters, f.rootIters, f.stallMax = bbIters, bbRootIters, bbStall
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

// child sets the multipliers of depth d+1 from those of depth d. A
// customer that now buys a candidate it prefers to what it bought sees
// its gains fall by what it gained, w_i (m_new - m_old), and loses the
// candidates below the new one, with their π: taking t down by both keeps
// every remaining term of the bound as it was, so the child starts no
// worse than its parent.
func (f *fcBB) child(d int, m bbMark) {
	for len(f.tDepth) <= d+1 {
		f.tDepth = append(f.tDepth, make([]float64, f.sp.nc))
	}
	t := f.tDepth[d+1]
	copy(t, f.tDepth[d])
	pi := f.pi
	f.stamp++
	for _, u := range f.undo[m.n:] {
		if u.i < 0 || f.seen[u.i] == f.stamp {
			continue
		}
		i := u.i
		f.seen[i] = f.stamp
		off := f.off[i]
		r := 0.0
		for y := off + f.pos[i]; y < off+u.x; y++ {
			if f.status[f.lst[y]] != 2 {
				r += pi[y]
			}
		}
		t[i] = max(0, t[i]-f.sp.w[i]*(f.bm[i]-u.a)-r)
	}
}

// includeBound returns the bound of the node's include-j child at the
// node's multipliers (as child carries them over), from the node's sums:
// only the customers who prefer j to what they buy change.
func (f *fcBB) includeBound(j, k int) float64 {
	t := f.tCur
	s2 := f.s2
	copy(s2, f.s)
	val, sumT := f.val, 0.0
	for _, x := range t {
		sumT += x
	}
	mj := f.p.Margin[j]
	for x := f.coff[j]; x < f.coff[j+1]; x++ {
		i, at := f.ccus[x], f.cpos[x]
		if at >= f.pos[i] {
			continue
		}
		w, v, ti := f.sp.w[i], f.bm[i], t[i]
		off := int(f.off[i])
		pi := f.pi[off : off+int(f.pos[i])]
		// Take out the customer's old terms, and add the new ones over the
		// shorter list.
		P := 0.0
		r := 0.0
		for y := len(pi) - 1; y >= 0; y-- {
			jj := f.lst[off+y]
			if f.status[jj] != 0 {
				continue
			}
			P += pi[y]
			if y >= int(at) {
				r += pi[y]
			}
			if c := w*(f.p.Margin[jj]-v) + P; c > ti {
				s2[jj] -= c - ti
			}
			s2[jj] += pi[y]
		}
		d := w * (mj - v)
		tn := max(0, ti-d-r)
		P = 0
		for y := int(at) - 1; y >= 0; y-- {
			jj := f.lst[off+y]
			if f.status[jj] != 0 {
				continue
			}
			P += pi[y]
			if c := w*(f.p.Margin[jj]-mj) + P; c > tn {
				s2[jj] += c - tn
			}
			s2[jj] -= pi[y]
		}
		val += d
		sumT += tn - ti
	}
	if k == 1 {
		return val
	}
	_, top := f.topOf(s2, k-1, j)
	return val + sumT + top
}

// sums computes s_j(t, π) for the free candidates and every customer's
// largest c_ij + P_ij.
func (f *fcBB) sums(t []float64) {
	clear(f.s)
	p := f.p
	for i := range f.sp.nc {
		w, v, ti := f.sp.w[i], f.bm[i], t[i]
		cm := 0.0
		off := f.off[i]
		pi := f.pi[off : off+f.pos[i]]
		P := 0.0
		for x := len(pi) - 1; x >= 0; x-- {
			j := f.lst[int(off)+x]
			if f.status[j] != 0 {
				continue
			}
			P += pi[x]
			c := w*(p.Margin[j]-v) + P
			if c > ti {
				f.s[j] += c - ti
			}
			f.s[j] -= pi[x]
			cm = max(cm, c)
		}
		f.cmax[i] = cm
	}
}

// bound returns the best B(t, π) over a few subgradient steps from the
// node's t and the last π (many steps at the root), leaves t and π at
// their best and b.s at the sums for them, and returns the top k.
func (f *fcBB) bound(d, k int) (float64, []int) {
	iters := f.iters
	if d == 0 {
		iters = f.rootIters
	}
	t := f.tDepth[d]
	f.tCur = t
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
			copy(f.piBest, f.pi)
			stall = 0
		} else if stall++; stall >= f.stallMax {
			theta /= 2
			stall = 0
		}
		if it >= iters || best < f.incVal-f.tol || it&15 == 15 && f.run.expired() {
			break
		}
		// The subgradient. For t_i: 1 minus the number of the top k
		// that count the customer (c + P > t). For π at candidate j in
		// i's list: the number of counting top-k candidates at j or
		// above, less 1 if j is in the top k.
		for _, j := range q {
			f.inQ[j] = true
		}
		norm := 0.0
		for i := range nc {
			w, v, ti := f.sp.w[i], f.bm[i], t[i]
			off := int(f.off[i])
			pi := f.pi[off : off+int(f.pos[i])]
			g := f.gpi[off : off+int(f.pos[i])]
			act := f.act[off : off+int(f.pos[i])]
			P := 0.0
			for x := len(pi) - 1; x >= 0; x-- {
				j := f.lst[off+x]
				act[x] = false
				if f.status[j] != 0 {
					continue
				}
				P += pi[x]
				act[x] = f.inQ[j] && w*(f.p.Margin[j]-v)+P > ti
			}
			above := 0
			for x := range pi {
				j := f.lst[off+x]
				if f.status[j] != 0 {
					g[x] = 0
					continue
				}
				if act[x] {
					above++
				}
				g[x] = float64(above)
				if f.inQ[j] {
					g[x]--
				}
				if g[x] > 0 && pi[x] == 0 {
					g[x] = 0 // π cannot go below 0
				}
				norm += g[x] * g[x]
			}
			f.g[i] = 1 - float64(above)
			if f.g[i] > 0 && ti == 0 {
				f.g[i] = 0
			}
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
			off := int(f.off[i])
			for x := off; x < off+int(f.pos[i]); x++ {
				if f.gpi[x] != 0 {
					f.pi[x] = max(f.pi[x]-step*f.gpi[x], 0)
				}
			}
		}
	}
	copy(t, f.tBest)
	copy(f.pi, f.piBest)
	if !last {
		f.sums(t)
	}
	return best, bestQ
}
