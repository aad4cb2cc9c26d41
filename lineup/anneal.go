package lineup

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
)

// Simulated annealing over swaps. The chains work on a pool of promising
// candidates (all of them when the problem is small enough), kept by
// candidate so that a move is evaluated from the customers it touches
// only; a final swap polish looks at every candidate again.

// annealChains is the number of chains. It is fixed, not the number of
// workers, so that a seed gives the same answer on any machine.
const annealChains = 8

// poolEntries bounds the size of the pool's tables (candidates times
// customers).
const poolEntries = 1 << 23

// annealWork is the work a chain may do by default, in customer visits.
const annealWork = 5e7

// pool is the candidates the chains may use.
type pool struct {
	ids []int   // candidate numbers, ascending
	at  []int32 // per candidate: its place in ids, -1 when outside
	// First choice: per pool candidate, the customers who prefer it to
	// not buying, and their utilities of it.
	cust [][]int32
	util [][]float64
	// Logit: per pool candidate, every customer's exp (see logit.go).
	exp [][]float64
}

// newPool picks up to poolSize candidates: those in s, and the best of
// the others by two scores, taken in turn: what each earns added to the
// required candidates, and what it adds to s.
func (sp *space) newPool(s []int) *pool {
	size := max(200, poolEntries/sp.nc)
	var ids []int
	free := 0
	for j := range sp.n {
		if sp.allowed[j] {
			free++
		}
	}
	if free <= size {
		for j := range sp.n {
			if sp.allowed[j] {
				ids = append(ids, j)
			}
		}
	} else {
		picked := make([]bool, sp.n)
		for _, j := range s {
			picked[j] = true
			ids = append(ids, j)
		}
		alone, more := sp.alone, sp.optimumGains
		if alone == nil {
			alone = make([]float64, sp.n)
			sp.gains(sp.must, alone, nil)
		}
		if !slices.Equal(sp.atOptimum, s) {
			more = make([]float64, sp.n)
			sp.gains(s, more, nil)
		}
		byScore := func(score []float64) []int {
			var c []int
			for j := range sp.n {
				if sp.allowed[j] && !picked[j] {
					c = append(c, j)
				}
			}
			byScoreDesc(c, score)
			return c
		}
		l1, l2 := byScore(alone), byScore(more)
		for x := 0; len(ids) < size && (x < len(l1) || x < len(l2)); x++ {
			for _, l := range [][]int{l1, l2} {
				if x < len(l) && !picked[l[x]] && len(ids) < size {
					picked[l[x]] = true
					ids = append(ids, l[x])
				}
			}
		}
		slices.Sort(ids)
	}
	pl := &pool{ids: ids, at: make([]int32, sp.n)}
	for j := range pl.at {
		pl.at[j] = -1
	}
	for q, j := range ids {
		pl.at[j] = int32(q)
	}
	p := sp.p
	if p.Rule == Logit {
		sc, sh := p.scale(), sp.shifts()
		pl.exp = make([][]float64, len(ids))
		sp.parallel(len(ids), func(_, lo, hi int) {
			for q := lo; q < hi; q++ {
				col := make([]float64, sp.nc)
				for i := range sp.nc {
					col[i] = math.Exp(sc*p.u(i, ids[q]) - sh[i])
				}
				pl.exp[q] = col
			}
		})
		return pl
	}
	pl.cust = make([][]int32, len(ids))
	pl.util = make([][]float64, len(ids))
	sp.parallel(len(ids), func(_, lo, hi int) {
		for q := lo; q < hi; q++ {
			j := ids[q]
			for i := range sp.nc {
				if u := p.u(i, j); u > p.None[i] {
					pl.cust[q] = append(pl.cust[q], int32(i))
					pl.util[q] = append(pl.util[q], u)
				}
			}
		}
	})
	return pl
}

// moveCost returns the customers an average move visits.
func (pl *pool) moveCost(sp *space) int {
	if pl.exp != nil {
		return sp.nc
	}
	total := 0
	for _, c := range pl.cust {
		total += len(c)
	}
	return 2 * total / max(1, len(pl.cust))
}

// chain is one annealing run's state, for either rule.
type chain interface {
	// delta returns f(s-s[q]+a)-f(s).
	delta(q, a int) float64
	// move replaces s[q] by a.
	move(q, a int)
}

// anneal runs the chains from s and returns the best set found, polished
// by swaps over every candidate.
func (r *runner) anneal(s []int) []int {
	sp := r.sp
	removable := 0
	for _, j := range s {
		if !sp.isMust[j] {
			removable++
		}
	}
	if removable == 0 {
		return s
	}
	pl := sp.newPool(s)
	if len(pl.ids) <= len(s) {
		return s
	}
	// The moves per chain: enough to visit every pool candidate in every
	// slot a few times, within a budget of work (a move costs about the
	// customers it touches).
	iters := max(2000, 20*len(pl.ids)*sp.k)
	iters = min(iters, max(2000, annealWork/max(1, pl.moveCost(sp))))
	results := make([][]int, annealChains)
	values := make([]float64, annealChains)
	var next, done atomic.Int64
	best := sp.p.Objective(s)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(sp.workers, annealChains) {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= annealChains {
					return
				}
				results[c] = r.runChain(pl, s, c, iters, func() {
					n := done.Add(1)
					mu.Lock()
					r.progress(float64(n)/float64(annealChains*iters/1024), best, false)
					mu.Unlock()
				})
				values[c] = sp.p.Objective(results[c])
				mu.Lock()
				best = max(best, values[c])
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	out, val := s, sp.p.Objective(s)
	for c, res := range results {
		if res != nil && values[c] > val {
			out, val = res, values[c]
		}
	}
	if slices.Equal(out, sp.atOptimum) {
		return out // already a local optimum over every candidate
	}
	return sp.swap(out)
}

// runChain anneals from s with chain c's random stream for iters moves and
// returns the best set it saw. tick is called every 1024 moves.
func (r *runner) runChain(pl *pool, s []int, c, iters int, tick func()) []int {
	sp := r.sp
	rng := rand.New(rand.NewPCG(r.opts.Seed, uint64(c)*0x9e3779b97f4a7c15+0x6c696e65))
	s = slices.Clone(s)
	var ch chain
	if sp.p.Rule == Logit {
		ch = newLogitChain(sp, pl, s)
	} else {
		ch = newFCChain(sp, pl, s)
	}
	counts := sp.groupCounts(s)
	in := make([]bool, len(pl.ids))
	for _, j := range s {
		in[pl.at[j]] = true
	}
	var slots []int
	for q, j := range s {
		if !sp.isMust[j] {
			slots = append(slots, q)
		}
	}
	// propose draws a random feasible move, or reports none found.
	propose := func() (int, int, bool) {
		for range 8 {
			q := slots[rng.IntN(len(slots))]
			x := rng.IntN(len(pl.ids))
			if in[x] {
				continue
			}
			a := pl.ids[x]
			if len(sp.groups) > 0 && !sp.swapKeepsGroups(counts, s[q], a) {
				continue
			}
			if sp.side != nil && !sp.side.fits(s, q, a) {
				continue
			}
			return q, a, true
		}
		return 0, 0, false
	}
	// The starting temperature makes an average worsening move about 30%
	// likely to be taken; it falls geometrically to a thousandth of that.
	sum, cnt := 0.0, 0
	for range 200 {
		if q, a, ok := propose(); ok {
			if d := ch.delta(q, a); d < 0 {
				sum -= d
				cnt++
			}
		}
	}
	if cnt == 0 {
		return s
	}
	t0 := sum / float64(cnt) / 1.2
	cool := math.Pow(1e-3, 1/float64(iters))
	temp := t0
	cur := 0.0 // relative to the start
	bestVal := 0.0
	best := slices.Clone(s)
	for it := range iters {
		if it&1023 == 1023 {
			tick()
			if r.expired() {
				break
			}
		}
		temp *= cool
		q, a, ok := propose()
		if !ok {
			continue
		}
		d := ch.delta(q, a)
		if d < 0 && rng.Float64() >= math.Exp(d/temp) {
			continue
		}
		ch.move(q, a)
		in[pl.at[s[q]]], in[pl.at[a]] = false, true
		sp.applySwapCounts(counts, s[q], a)
		s[q] = a
		cur += d
		if cur > bestVal+1e-12*math.Abs(bestVal) {
			bestVal = cur
			copy(best, s)
		}
	}
	return best
}

// fcChain is a first-choice chain: every customer's best and second-best
// options in s (as in fcState), and its utilities of the members of s
// (-Inf where it prefers not buying), so that a customer's options are
// recomputed without reaching into the matrix.
type fcChain struct {
	sp    *space
	pl    *pool
	s     []int // shared with runChain, which updates it after move
	st    *fcState
	us    []float64 // us[i*k+q]: customer i's utility of s[q]
	mark  []int32   // per customer: the stamp of the move that saw it
	ua    []float64
	stamp int32
}

func newFCChain(sp *space, pl *pool, s []int) *fcChain {
	ch := &fcChain{sp: sp, pl: pl, s: s, st: sp.fcState(s), mark: make([]int32, sp.nc), ua: make([]float64, sp.nc),
		us: make([]float64, sp.nc*len(s))}
	for i := range ch.us {
		ch.us[i] = math.Inf(-1)
	}
	for q, j := range s {
		ch.fill(q, j)
	}
	return ch
}

// fill sets the utilities of slot q to those of candidate j.
func (ch *fcChain) fill(q, j int) {
	x := ch.pl.at[j]
	k := len(ch.s)
	util := ch.pl.util[x]
	for y, i := range ch.pl.cust[x] {
		ch.us[int(i)*k+q] = util[y]
	}
}

// reset recomputes customer i's options from its utilities of s.
func (ch *fcChain) reset(i int) {
	st := ch.st
	k := len(ch.s)
	b1, b2 := -1, -1
	none := ch.sp.p.None[i]
	u1, u2 := none, none
	for q, u := range ch.us[i*k : (i+1)*k] {
		if u <= none {
			continue
		}
		j := ch.s[q]
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

func (ch *fcChain) delta(q, a int) float64 {
	sp, st := ch.sp, ch.st
	r := int32(ch.s[q])
	qa, qr := ch.pl.at[a], ch.pl.at[r]
	ch.stamp++
	if ch.stamp == math.MaxInt32 {
		clear(ch.mark)
		ch.stamp = 1
	}
	ma := sp.p.Margin[a]
	d := 0.0
	// Customers who prefer a to not buying: they take a if they prefer it
	// to b1 (those whose b1 is r are settled below).
	util := ch.pl.util[qa]
	for x, i := range ch.pl.cust[qa] {
		u := util[x]
		b1 := st.b1[i]
		if b1 == r {
			ch.mark[i], ch.ua[i] = ch.stamp, u
			continue
		}
		if u >= st.u1[i] && beats(u, a, st.u1[i], int(b1)) {
			d += sp.w[i] * (ma - sp.margin(b1))
		}
	}
	// Customers who buy r: they fall back to b2, or a if they prefer it.
	mr := sp.p.Margin[r]
	for _, i := range ch.pl.cust[qr] {
		if st.b1[i] != r {
			continue
		}
		m := sp.margin(st.b2[i])
		if ch.mark[i] == ch.stamp && beats(ch.ua[i], a, st.u2[i], int(st.b2[i])) {
			m = ma
		}
		d += sp.w[i] * (m - mr)
	}
	return d
}

func (ch *fcChain) move(q, a int) {
	st := ch.st
	r := int32(ch.s[q])
	k := len(ch.s)
	for _, i := range ch.pl.cust[ch.pl.at[r]] {
		ch.us[int(i)*k+q] = math.Inf(-1)
	}
	ch.s[q] = a
	ch.fill(q, a)
	// Whoever had r among its two options: recompute from the new set.
	for _, i := range ch.pl.cust[ch.pl.at[r]] {
		if st.b1[i] == r || st.b2[i] == r {
			ch.reset(int(i))
		}
	}
	qa := ch.pl.at[a]
	util := ch.pl.util[qa]
	for x, i := range ch.pl.cust[qa] {
		u := util[x]
		if st.b1[i] == int32(a) || st.b2[i] == int32(a) {
			continue // recomputed above
		}
		switch {
		case beats(u, a, st.u1[i], int(st.b1[i])):
			st.b2[i], st.u2[i] = st.b1[i], st.u1[i]
			st.b1[i], st.u1[i] = int32(a), u
		case beats(u, a, st.u2[i], int(st.b2[i])):
			st.b2[i], st.u2[i] = int32(a), u
		}
	}
	ch.s[q] = int(r) // runChain makes the change
}

// logitChain is a logit chain: every customer's numerator and denominator
// for s.
type logitChain struct {
	sp       *space
	pl       *pool
	s        []int
	num, den []float64
	moves    int
}

func newLogitChain(sp *space, pl *pool, s []int) *logitChain {
	ch := &logitChain{sp: sp, pl: pl, s: s, num: make([]float64, sp.nc), den: make([]float64, sp.nc)}
	ch.reset(s)
	return ch
}

func (ch *logitChain) reset(s []int) {
	for i := range ch.sp.nc {
		ch.num[i], ch.den[i] = ch.sp.logitSums(i, s, -1)
	}
}

func (ch *logitChain) delta(q, a int) float64 {
	sp := ch.sp
	r := ch.s[q]
	er, ea := ch.pl.exp[ch.pl.at[r]], ch.pl.exp[ch.pl.at[a]]
	mr, ma := sp.p.Margin[r], sp.p.Margin[a]
	d := 0.0
	for i, nu := range ch.num {
		de := ch.den[i]
		d += sp.w[i] * ((nu-mr*er[i]+ma*ea[i])/(de-er[i]+ea[i]) - nu/de)
	}
	return d
}

func (ch *logitChain) move(q, a int) {
	sp := ch.sp
	r := ch.s[q]
	ch.moves++
	if ch.moves%256 == 0 {
		// Start afresh now and then, so that rounding does not pile up.
		ch.s[q] = a
		ch.reset(ch.s)
		ch.s[q] = r
		return
	}
	er, ea := ch.pl.exp[ch.pl.at[r]], ch.pl.exp[ch.pl.at[a]]
	mr, ma := sp.p.Margin[r], sp.p.Margin[a]
	for i := range ch.num {
		ch.num[i] += ma*ea[i] - mr*er[i]
		ch.den[i] += ea[i] - er[i]
	}
}
