package lineup

import "math"

// Branch and bound for the logit rule.
//
// At a node every customer i has sums N_i and D_i over the candidates
// fixed in (D_i includes not buying), worth R_i = N_i/D_i. Adding a set T
// of free candidates changes the customer's worth by
//
//	Δ_i(T) = sum_{j in T} e_ij (m_j - R_i) / (D_i + sum_T e),
//
// which is at most sum_{j in T} g_ij+ with g_ij = e_ij (m_j - R_i)/(D_i +
// e_ij), since every positive term's denominator only grows; and at most
// A_i, the customer's best gain from any k free candidates, which
// Dinkelbach's method finds (logitBest). Taking, for each customer, either
// bound (A for some, the sum for the rest) gives
//
//	f(I∪T) <= f(I) + sum_{i uses A} w_i A_i + (the k largest s_j),
//	s_j = sum_{i uses the sum} w_i g_ij+,
//
// which has the form branch and bound's fixing needs. A customer uses A
// when it is smaller than what the customer adds to the candidates that
// the all-sums bound favours.

// logitBB is the logit side of branch and bound.
type logitBB struct {
	*bb
	e        []float64 // every customer's exp of every candidate, row-major
	num, den []float64
	gain     []float64
	use      []bool
	s0       []float64
	fe, fm   []float64
	topBuf   []int
}

func newLogitBB(b *bb) *logitBB {
	sp, p := b.sp, b.p
	n, nc := sp.n, sp.nc
	sc, sh := p.scale(), sp.shifts()
	l := &logitBB{bb: b, e: make([]float64, nc*n), num: make([]float64, nc), den: make([]float64, nc),
		gain: make([]float64, nc), use: make([]bool, nc), s0: make([]float64, n),
		fe: make([]float64, 0, n), fm: make([]float64, 0, n), topBuf: make([]int, 0, sp.k)}
	scale := 0.0
	for i := range nc {
		for j := range n {
			l.e[i*n+j] = math.Exp(sc*p.u(i, j) - sh[i])
		}
		l.den[i] = math.Exp(sc*p.None[i] - sh[i])
		hi := 0.0
		for _, m := range p.Margin {
			hi = max(hi, math.Abs(m))
		}
		scale += sp.w[i] * hi
	}
	b.tol = 1e-10 * max(scale, math.Abs(b.incVal))
	return l
}

func (l *logitBB) add(j int) {
	m := l.p.Margin[j]
	n := l.sp.n
	for i := range l.sp.nc {
		e := l.e[i*n+j]
		l.undo = append(l.undo, undoRec{i: int32(i), a: l.num[i], b: l.den[i]})
		before := l.num[i] / l.den[i]
		l.num[i] += m * e
		l.den[i] += e
		l.val += l.sp.w[i] * (l.num[i]/l.den[i] - before)
	}
}

func (l *logitBB) restore(u undoRec) { l.num[u.i], l.den[u.i] = u.a, u.b }

func (l *logitBB) child(int, bbMark) {}

// pick branches on the candidate the bound likes best.
func (l *logitBB) pick(q []int, _ int) int {
	j := q[0]
	for _, c := range q {
		if l.s[c] > l.s[j] {
			j = c
		}
	}
	return j
}

func (l *logitBB) bound(_, k int) (float64, []int) {
	p := l.p
	n, nc := l.sp.n, l.sp.nc
	clear(l.s0)
	for i := range nc {
		w, nu, de := l.sp.w[i], l.num[i], l.den[i]
		rho := nu / de
		fe, fm := l.fe[:0], l.fm[:0]
		row := l.e[i*n : (i+1)*n]
		for j, x := range row {
			if l.status[j] != 0 || p.Margin[j] <= rho {
				continue
			}
			l.s0[j] += w * x * (p.Margin[j] - rho) / (de + x)
			fe, fm = append(fe, x), append(fm, p.Margin[j])
		}
		l.gain[i] = w * (logitBest(nu, de, fe, fm, k, l.topBuf) - rho)
	}
	copy(l.s, l.s0)
	q0, top0 := l.top(k)
	b0 := l.val + top0
	b1 := l.val
	for _, a := range l.gain {
		b1 += a
	}
	mixed := l.val
	for i := range nc {
		w, nu, de := l.sp.w[i], l.num[i], l.den[i]
		rho := nu / de
		contrib := 0.0
		for _, j := range q0 {
			if m := p.Margin[j]; m > rho {
				x := l.e[i*n+j]
				contrib += w * x * (m - rho) / (de + x)
			}
		}
		l.use[i] = l.gain[i] >= contrib
		if !l.use[i] {
			mixed += l.gain[i]
		}
	}
	if b0 <= mixed && b0 <= b1 {
		return b0, q0
	}
	clear(l.s)
	for i := range nc {
		if !l.use[i] {
			continue
		}
		w, nu, de := l.sp.w[i], l.num[i], l.den[i]
		rho := nu / de
		for j, x := range l.e[i*n : (i+1)*n] {
			if l.status[j] == 0 && p.Margin[j] > rho {
				l.s[j] += w * x * (p.Margin[j] - rho) / (de + x)
			}
		}
	}
	q, top := l.top(k)
	mixed += top
	if b1 < mixed {
		// Every customer on its own bound: no sums to fix or branch with.
		clear(l.s)
		q, _ := l.top(k)
		return b1, q
	}
	return mixed, q
}
