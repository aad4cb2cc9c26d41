package lineup

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/market"
)

// Search over attribute levels, for product models whose varied
// attributes allow too many phones to list.
//
// A lineup is K variants, each a level of every varied attribute and a
// price. The search never lists the phones: it asks the configurator
// whether a variant's levels can be completed to a valid phone
// (Engine.Consistent) and completes it at the least cost when it needs
// its cost (Engine.Complete, cached), so every variant it looks at is a
// valid phone. It builds the lineup variant by variant (greedy
// construction: each new variant starts from a random valid phone and is
// improved by coordinate ascent with the others fixed), then runs
// coordinate ascent over every variant's levels and price until no single
// change helps, then simulated annealing chains on all workers (moves:
// one level or the price of one variant, or now and then a fresh random
// phone in its place; seeded per chain, so the answer does not depend on
// the number of workers when no time limit stops it), then coordinate
// ascent again from the best chain's answer.
//
// The bound is coarse: every customer buys at most one unit, from a
// variant whose utility is at most the sum of their best part-worths at
// that price, at a margin of at most the price less the cheapest valid
// phone's cost.

// EnumerateLimit is the most phones (the product of the varied
// attributes' level counts) for which Choose lists them; beyond it, it
// searches over levels.
const EnumerateLimit = 200_000

// Levels is the method SearchLevels reports.
const Levels Method = "levels"

// ListCells is the largest matrix (candidates times customers) for which
// Choose lists the phones. Beyond it the search over levels is both faster
// and as good: at 102,930 candidates for 10,000 people it took 15 s
// against 93 s for listing and solving the matrix, and its answer was
// worth 99.8% of the matrix's (lineup/product_bench_test.go).
const ListCells = 2e8

// Choose chooses a lineup in product mode: it lists the phones and solves
// the matrix problem (NewProducts, Solve) when the varied attributes'
// levels multiply to at most EnumerateLimit and the matrix has at most
// ListCells cells, and otherwise searches over levels (SearchLevels).
func Choose(ctx context.Context, spec Spec, opts Options) (*Products, *Solution, error) {
	pr, levels, _, err := prepare(spec)
	if err != nil {
		return nil, nil, err
	}
	combos := 1.0
	for _, ls := range levels {
		combos *= float64(len(ls))
	}
	draws := 1.0
	if spec.Choice.Rule == market.RandomizedFirstChoice {
		draws = float64(max(spec.Choice.Draws, 10))
	}
	cells := combos * float64(len(spec.Prices)+len(spec.Must)) * float64(pr.People) * draws
	if combos <= EnumerateLimit && (cells <= ListCells || spec.Choice.Rule == market.RandomizedFirstChoice && cells <= MaxCells) {
		pr, err := NewProducts(ctx, spec)
		if err != nil {
			return nil, nil, err
		}
		sol, err := Solve(ctx, pr.Problem, opts)
		if err != nil {
			return nil, nil, err
		}
		return pr, sol, nil
	}
	return SearchLevels(ctx, spec, opts)
}

// SearchLevels chooses a lineup by searching over attribute levels (see
// above). It returns the lineup as a Products whose candidates are the K
// chosen variants, all chosen, and the solution with its coarse bound.
// Randomised first choice needs the phones listed; it returns
// errs.Invalid for it.
func SearchLevels(ctx context.Context, spec Spec, opts Options) (*Products, *Solution, error) {
	start := time.Now()
	pr, levels, marketLevel, err := prepare(spec)
	if err != nil {
		return nil, nil, err
	}
	spec = pr.Spec
	if spec.Choice.Rule == market.RandomizedFirstChoice {
		return nil, nil, errs.Errorf(errs.Invalid, "randomised first choice needs the phones listed, and the varied attributes allow too many: use logit or first choice, or vary fewer attributes")
	}
	if spec.K < 1 {
		return nil, nil, errs.Errorf(errs.Invalid, "K must be at least 1; got %d", spec.K)
	}
	ls, err := newLevelSearch(pr, levels, marketLevel, opts, start)
	if err != nil {
		return nil, nil, err
	}
	if err := ls.run(ctx); err != nil {
		return nil, nil, err
	}
	// The answer as a product problem of its K variants, so that the
	// report and the objective come from the same code as everywhere.
	out := &Products{Spec: spec, Attrs: pr.Attrs, People: pr.People}
	for v, x := range ls.best {
		info := ls.phone(x.lv)
		out.Phones = append(out.Phones, info.Phone)
		out.CandPhone = append(out.CandPhone, v)
		out.CandPrice = append(out.CandPrice, x.price)
	}
	out.Problem = &Problem{}
	if err := out.build(ctx, marketLevel); err != nil {
		return nil, nil, err
	}
	chosen := make([]int, spec.K)
	for j := range chosen {
		chosen[j] = j
	}
	obj := out.Problem.Objective(chosen)
	bound := max(ls.bound(), obj)
	sol := &Solution{Chosen: chosen, Objective: obj, Bound: bound, Gap: gap(obj, bound), Method: Levels,
		Seconds: time.Since(start).Seconds()}
	return out, sol, nil
}

// variant is a variant in the search: a model level per varied attribute
// and a price.
type variant struct {
	lv    []int
	price int64
	fixed bool // required: never moved
}

func (v variant) clone() variant { v.lv = slices.Clone(v.lv); return v }

// phoneInfo is what the search knows of a combination of varied levels.
type phoneInfo struct {
	ok bool // a valid phone has these levels
	Phone
	parts []int // part numbers as small numbers
}

// levelSearch is one SearchLevels run.
type levelSearch struct {
	pr          *Products
	spec        Spec
	e           *configurator.Engine
	levels      [][]int
	marketLevel [][]int
	opts        Options
	start       time.Time
	deadline    time.Time
	workers     int

	people  int
	w, none []float64
	rule    Rule
	scale   float64
	margin  func(price, cost int64) float64

	each       int   // the EachOf attribute's place among the varied ones, -1 for none
	eachLevels []int // its levels that some valid phone has

	mu     sync.Mutex
	cache  map[string]*phoneInfo
	partID map[string]int

	best []variant
	// noLadder drops the ladder while the lineup is built, when no
	// variant is required: ladderPrices then sets prices that keep it.
	noLadder bool
}

func newLevelSearch(pr *Products, levels, marketLevel [][]int, opts Options, start time.Time) (*levelSearch, error) {
	spec := pr.Spec
	ls := &levelSearch{pr: pr, spec: spec, e: spec.Engine, levels: levels, marketLevel: marketLevel, opts: opts, start: start,
		people: pr.People, cache: map[string]*phoneInfo{}, partID: map[string]int{}, each: -1}
	ls.workers = opts.Workers
	if ls.workers <= 0 {
		ls.workers = runtime.GOMAXPROCS(0)
	}
	if opts.Time > 0 {
		ls.deadline = start.Add(opts.Time)
	}
	m := spec.Market
	choice := spec.Choice
	if choice.Scale == 0 {
		choice.Scale = 1
	}
	ls.rule, ls.scale = FirstChoice, choice.Scale
	if choice.Rule == market.Logit {
		ls.rule = Logit
	}
	ls.w = make([]float64, ls.people)
	ls.none = make([]float64, ls.people)
	for i := range m.People {
		per := &m.People[i]
		ls.w[i] = personWeight(per)
		comp := make([]float64, len(spec.Competitors))
		for c, cp := range spec.Competitors {
			if len(cp.Levels) != len(m.Attributes) {
				return nil, errs.Errorf(errs.Invalid, "competitor %s has %d levels for %d attributes", cp.Name, len(cp.Levels), len(m.Attributes))
			}
			u := per.Price * float64(cp.Price) / 10000
			for d, l := range cp.Levels {
				if l >= 0 {
					u += per.Worth[d][l]
				}
			}
			comp[c] = u
		}
		ls.none[i] = pr.outside(per.None, comp, choice)
	}
	switch spec.Goal {
	case Revenue:
		ls.margin = func(price, _ int64) float64 { return float64(price) }
	case Units:
		ls.margin = func(int64, int64) float64 { return 1 }
	default:
		ls.margin = func(price, cost int64) float64 { return float64(price - cost) }
	}
	if spec.EachOf != "" {
		a := ls.e.Model().Attr(spec.EachOf)
		ls.each = slices.Index(pr.Attrs, a)
		sel := ls.e.NewSelection()
		for _, l := range ls.levels[ls.each] {
			sel[a] = l
			if ls.e.Consistent(sel) {
				ls.eachLevels = append(ls.eachLevels, l)
			}
		}
		if len(ls.eachLevels) > spec.K {
			return nil, errs.Errorf(errs.Invalid, "one variant per level of %s needs K of at least %d; got %d", spec.EachOf, len(ls.eachLevels), spec.K)
		}
	}
	return ls, nil
}

// phone returns what the configurator says of a combination of levels,
// completing it at the least cost, once per combination.
func (ls *levelSearch) phone(lv []int) *phoneInfo {
	var sb strings.Builder
	for _, l := range lv {
		sb.WriteString(strconv.Itoa(l))
		sb.WriteByte(',')
	}
	key := sb.String()
	ls.mu.Lock()
	info, ok := ls.cache[key]
	ls.mu.Unlock()
	if ok {
		return info
	}
	info = &phoneInfo{}
	sel := ls.e.NewSelection()
	for d, a := range ls.pr.Attrs {
		sel[a] = lv[d]
	}
	if ls.e.Consistent(sel) {
		full, ok, err := ls.e.Complete(sel, configurator.Objective{Goal: configurator.Cheapest, Property: "cost"})
		if err == nil && ok {
			roll := configurator.Roll(ls.e.Model(), full)
			info.ok = true
			info.Phone = Phone{Config: full, Cost: roll.Totals["cost"].IntPart()}
			for _, part := range roll.Parts {
				info.Parts = append(info.Parts, part.Number)
			}
		}
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if prev, ok := ls.cache[key]; ok {
		return prev
	}
	for _, n := range info.Parts {
		id, ok := ls.partID[n]
		if !ok {
			id = len(ls.partID)
			ls.partID[n] = id
		}
		info.parts = append(info.parts, id)
	}
	ls.cache[key] = info
	return info
}

// utility writes every person's utility of a variant into u.
func (ls *levelSearch) utility(v variant, u []float64) {
	m := ls.spec.Market
	for i := range m.People {
		per := &m.People[i]
		x := per.Price * float64(v.price) / 10000
		for d := range m.Attributes {
			if l := ls.marketLevel[d][v.lv[d]]; l >= 0 {
				x += per.Worth[d][l]
			}
		}
		u[i] = x
	}
}

// objective values a lineup: us[v] is every person's utility of variant
// v and margins[v] its margin.
func (ls *levelSearch) objective(us [][]float64, margins []float64) float64 {
	total := 0.0
	for i := range ls.people {
		if ls.rule == Logit {
			hi := ls.scale * ls.none[i]
			for _, u := range us {
				hi = max(hi, ls.scale*u[i])
			}
			den := math.Exp(ls.scale*ls.none[i] - hi)
			num := 0.0
			for v, u := range us {
				e := math.Exp(ls.scale*u[i] - hi)
				den += e
				num += e * margins[v]
			}
			total += ls.w[i] * num / den
			continue
		}
		b, ub := -1, ls.none[i]
		for v, u := range us {
			if u[i] > ub {
				b, ub = v, u[i]
			}
		}
		if b >= 0 {
			total += ls.w[i] * margins[b]
		}
	}
	return total
}

// allowed reports whether variant x may take place q of the lineup s: a
// valid phone, margins met, and with the rest the side constraints (one
// price per phone, the ladder, the parts limit) and one variant per level
// of the EachOf attribute.
func (ls *levelSearch) allowed(s []variant, q int, x variant) bool {
	info := ls.phone(x.lv)
	if !info.ok || !ls.pr.marginOK(x.price, info.Cost) {
		return false
	}
	for r, y := range s {
		if r == q || y.lv == nil {
			continue
		}
		if slices.Equal(y.lv, x.lv) {
			return false
		}
		if ls.spec.Ladder && !ls.noLadder {
			c := ls.phone(y.lv).Cost
			if info.Cost > c && x.price <= y.price || c > info.Cost && y.price <= x.price {
				return false
			}
		}
	}
	if ls.spec.MaxParts > 0 {
		parts := map[int]bool{}
		for _, id := range info.parts {
			parts[id] = true
		}
		for r, y := range s {
			if r != q && y.lv != nil {
				for _, id := range ls.phone(y.lv).parts {
					parts[id] = true
				}
			}
		}
		if len(parts) > ls.spec.MaxParts {
			return false
		}
	}
	if ls.each >= 0 && s[q].lv != nil {
		// The level x leaves must still be on offer elsewhere.
		gone := s[q].lv[ls.each]
		if gone != x.lv[ls.each] {
			for r, y := range s {
				if r != q && y.lv != nil && y.lv[ls.each] == gone {
					return true
				}
			}
			return false
		}
	}
	return true
}

// state is a lineup being improved, with every variant's utilities.
type lsState struct {
	s       []variant
	us      [][]float64
	margins []float64
	val     float64
	tmp     []float64
}

func (ls *levelSearch) newState(s []variant) *lsState {
	st := &lsState{s: s, us: make([][]float64, len(s)), margins: make([]float64, len(s)), tmp: make([]float64, ls.people)}
	for v, x := range s {
		st.us[v] = make([]float64, ls.people)
		ls.utility(x, st.us[v])
		st.margins[v] = ls.margin(x.price, ls.phone(x.lv).Cost)
	}
	st.val = ls.objective(st.us, st.margins)
	return st
}

// try returns the lineup's value with x in place q, leaving the utilities
// of x in st.tmp.
func (ls *levelSearch) try(st *lsState, q int, x variant) float64 {
	ls.utility(x, st.tmp)
	old, oldM := st.us[q], st.margins[q]
	st.us[q], st.margins[q] = st.tmp, ls.margin(x.price, ls.phone(x.lv).Cost)
	val := ls.objective(st.us, st.margins)
	st.us[q], st.margins[q] = old, oldM
	return val
}

// take puts x in place q, its utilities being in st.tmp.
func (st *lsState) take(ls *levelSearch, q int, x variant, val float64) {
	st.us[q], st.tmp = st.tmp, st.us[q]
	st.margins[q] = ls.margin(x.price, ls.phone(x.lv).Cost)
	st.s[q] = x
	st.val = val
}

// neighbours lists the variants one change away from x: another level of
// one varied attribute, or another price.
func (ls *levelSearch) neighbours(x variant) []variant {
	var out []variant
	for d, lvs := range ls.levels {
		for _, l := range lvs {
			if l != x.lv[d] {
				y := x.clone()
				y.lv[d] = l
				out = append(out, y)
			}
		}
	}
	for _, p := range ls.spec.Prices {
		if p != x.price {
			y := x.clone()
			y.price = p
			out = append(out, y)
		}
	}
	return out
}

// ascend is coordinate ascent: it takes the best single change of any
// variant in places (not required ones) while one helps.
func (ls *levelSearch) ascend(ctx context.Context, st *lsState, places []int) {
	for round := 0; round < 100 && ctx.Err() == nil && !ls.expired(); round++ {
		improved := false
		for _, q := range places {
			if st.s[q].fixed {
				continue
			}
			bestVal, bestX := st.val, variant{}
			for _, y := range ls.neighbours(st.s[q]) {
				if !ls.allowed(st.s, q, y) {
					continue
				}
				if v := ls.try(st, q, y); improves(v-bestVal, bestVal) {
					bestVal, bestX = v, y
				}
			}
			if bestX.lv != nil {
				ls.try(st, q, bestX)
				st.take(ls, q, bestX, bestVal)
				improved = true
			}
		}
		if !improved {
			return
		}
	}
}

// randomPhone returns a random valid combination of levels, each
// attribute's level drawn among those the configurator still allows
// (which needs no backtracking: Consistent means the levels so far can be
// completed), with the EachOf attribute at level each when each >= 0.
func (ls *levelSearch) randomPhone(rng *rand.Rand, each int) []int {
	sel := ls.e.NewSelection()
	lv := make([]int, len(ls.pr.Attrs))
	order := rng.Perm(len(ls.pr.Attrs))
	if ls.each >= 0 && each >= 0 {
		sel[ls.pr.Attrs[ls.each]] = each
		lv[ls.each] = each
	}
	for _, d := range order {
		a := ls.pr.Attrs[d]
		if sel[a] >= 0 {
			continue
		}
		cands := slices.Clone(ls.levels[d])
		rng.Shuffle(len(cands), func(x, y int) { cands[x], cands[y] = cands[y], cands[x] })
		lv[d] = -1
		for _, l := range cands {
			sel[a] = l
			if ls.e.Consistent(sel) {
				lv[d] = l
				break
			}
		}
		if lv[d] < 0 {
			return nil
		}
	}
	return lv
}

func (ls *levelSearch) expired() bool {
	return !ls.deadline.IsZero() && time.Now().After(ls.deadline)
}

// construct builds a lineup variant by variant: the required ones, then
// one per level of the EachOf attribute still missing, then the rest, each
// from random valid phones (the best of a few, at every price) improved
// by coordinate ascent with the others fixed.
func (ls *levelSearch) construct(ctx context.Context, rng *rand.Rand) (*lsState, error) {
	k := ls.spec.K
	var s []variant
	for _, f := range ls.spec.Must {
		x, err := ls.fixed(f)
		if err != nil {
			return nil, err
		}
		s = append(s, x)
	}
	var eachTodo []int
	for _, l := range ls.eachLevels {
		if !slices.ContainsFunc(s, func(x variant) bool { return x.lv[ls.each] == l }) {
			eachTodo = append(eachTodo, l)
		}
	}
	if len(s)+len(eachTodo) > k {
		return nil, errs.Errorf(errs.Invalid, "the required variants and one per level of %s need more than K = %d", ls.spec.EachOf, k)
	}
	if len(s) > k {
		return nil, errs.Errorf(errs.Invalid, "%d variants are required, more than K = %d", len(s), k)
	}
	for len(s) < k {
		each := -1
		if len(eachTodo) > 0 {
			each, eachTodo = eachTodo[0], eachTodo[1:]
		}
		q := len(s)
		s = append(s, variant{})
		st := ls.newState(s[:q])
		bestVal, bestX := math.Inf(-1), variant{}
		var bestU []float64
		for range 64 {
			lv := ls.randomPhone(rng, each)
			if lv == nil {
				continue
			}
			for _, p := range ls.spec.Prices {
				x := variant{lv: lv, price: p}
				if !ls.allowed(s, q, x) {
					continue
				}
				st.us = append(st.us[:q], make([]float64, ls.people))
				st.margins = append(st.margins[:q], ls.margin(p, ls.phone(lv).Cost))
				ls.utility(x, st.us[q])
				if v := ls.objective(st.us, st.margins); v > bestVal {
					bestVal, bestX, bestU = v, x, st.us[q]
				}
			}
		}
		if bestX.lv == nil {
			return nil, errs.Errorf(errs.Invalid, "found no valid phone for variant %d that meets the margins and the side constraints; loosen them or lower K", q+1)
		}
		s[q] = bestX
		st = &lsState{s: s, us: append(st.us[:q], bestU), margins: append(st.margins[:q], ls.margin(bestX.price, ls.phone(bestX.lv).Cost)),
			tmp: make([]float64, ls.people)}
		st.val = ls.objective(st.us, st.margins)
		ls.ascend(ctx, st, []int{q})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return ls.newState(s), nil
}

// fixed returns a required variant.
func (ls *levelSearch) fixed(f Fixed) (variant, error) {
	mdl := ls.e.Model()
	x := variant{lv: make([]int, len(ls.pr.Attrs)), price: f.Price, fixed: true}
	for d, a := range ls.pr.Attrs {
		at := &mdl.Attributes[a]
		name, ok := f.Levels[at.Name]
		if !ok {
			return x, errs.Errorf(errs.Invalid, "required variant: say its level of %s", at.Name)
		}
		if x.lv[d] = mdl.Level(a, name); x.lv[d] < 0 {
			return x, errs.Errorf(errs.Invalid, "required variant: attribute %s has no level %q", at.Name, name)
		}
	}
	if f.Price <= 0 || !ls.phone(x.lv).ok {
		return x, errs.Errorf(errs.Invalid, "required variant: the configurator does not allow that phone, or its price is not positive")
	}
	return x, nil
}

// run is the search.
func (ls *levelSearch) run(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(ls.opts.Seed, 0x6c6576656c73))
	// Tight constraints (a ladder over as many prices as variants, say)
	// can leave a later variant no place; a fresh start usually finds one.
	var st *lsState
	var err error
	ls.noLadder = ls.spec.Ladder && len(ls.spec.Must) == 0
	for range 16 {
		st, err = ls.construct(ctx, rng)
		if err == nil && ls.noLadder {
			if !ls.ladderPrices(st.s) {
				err = errs.Errorf(errs.Invalid, "the price ladder needs a price for every different cost among the variants: %d prices are too few", len(ls.spec.Prices))
				continue
			}
			ls.noLadder = false
			st = ls.newState(st.s)
			if slices.ContainsFunc(st.s, func(x variant) bool { return !ls.pr.marginOK(x.price, ls.phone(x.lv).Cost) }) {
				err = errs.Errorf(errs.Invalid, "found no lineup that keeps the price ladder and the minimum margins; loosen them or lower K")
				ls.noLadder = true
				continue
			}
		}
		if err == nil || errs.Code(err) != errs.Invalid {
			break
		}
	}
	ls.noLadder = false
	if err != nil {
		return err
	}
	all := make([]int, ls.spec.K)
	for q := range all {
		all[q] = q
	}
	ls.ascend(ctx, st, all)
	ls.progress(0.2, st.val)
	// Annealing chains, each from the ascended lineup.
	const chains = annealChains
	results := make([]*lsState, chains)
	var wg sync.WaitGroup
	next := make(chan int, chains)
	for c := range chains {
		next <- c
	}
	close(next)
	var done int
	var mu sync.Mutex
	for range min(ls.workers, chains) {
		wg.Go(func() {
			for c := range next {
				results[c] = ls.chain(ctx, st, c)
				mu.Lock()
				done++
				ls.progress(0.2+0.7*float64(done)/chains, results[c].val)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	best := st
	for _, r := range results {
		if r != nil && r.val > best.val {
			best = r
		}
	}
	best = ls.newState(cloneVariants(best.s))
	ls.ascend(ctx, best, all)
	ls.best = best.s
	ls.progress(1, best.val)
	return ctx.Err()
}

// ladderPrices sets the prices of a lineup so that it keeps the ladder:
// the variants grouped by cost, cheapest first, take the highest prices of
// the grid that rise from group to group. It reports false when the grid
// has fewer prices than there are different costs.
func (ls *levelSearch) ladderPrices(s []variant) bool {
	order := make([]int, len(s))
	for q := range order {
		order[q] = q
	}
	cost := func(q int) int64 { return ls.phone(s[q].lv).Cost }
	slices.SortStableFunc(order, func(a, b int) int { return int(cost(a) - cost(b)) })
	groups := 0
	for x, q := range order {
		if x == 0 || cost(q) != cost(order[x-1]) {
			groups++
		}
	}
	prices := ls.spec.Prices
	if groups > len(prices) {
		return false
	}
	g := len(prices) - groups - 1
	for x, q := range order {
		if x == 0 || cost(q) != cost(order[x-1]) {
			g++
		}
		s[q].price = prices[g]
	}
	return true
}

func cloneVariants(s []variant) []variant {
	out := make([]variant, len(s))
	for q, x := range s {
		out[q] = x.clone()
	}
	return out
}

// levelMoves is the moves per annealing chain.
const levelMoves = 3000

// chain anneals from st with chain c's random stream and returns the best
// lineup it saw.
func (ls *levelSearch) chain(ctx context.Context, from *lsState, c int) *lsState {
	rng := rand.New(rand.NewPCG(ls.opts.Seed, uint64(c)*0x9e3779b97f4a7c15+0x6c65766c))
	st := ls.newState(cloneVariants(from.s))
	var free []int
	for q, x := range st.s {
		if !x.fixed {
			free = append(free, q)
		}
	}
	if len(free) == 0 {
		return st
	}
	bestS, bestVal := cloneVariants(st.s), st.val
	propose := func() (int, variant, bool) {
		q := free[rng.IntN(len(free))]
		x := st.s[q].clone()
		switch r := rng.IntN(20); {
		case r == 0:
			each := -1
			if ls.each >= 0 {
				each = x.lv[ls.each]
			}
			lv := ls.randomPhone(rng, each)
			if lv == nil {
				return 0, x, false
			}
			x.lv = lv
		case r < 5:
			x.price = ls.spec.Prices[rng.IntN(len(ls.spec.Prices))]
		default:
			d := rng.IntN(len(ls.levels))
			x.lv[d] = ls.levels[d][rng.IntN(len(ls.levels[d]))]
		}
		if !ls.allowed(st.s, q, x) {
			return 0, x, false
		}
		return q, x, true
	}
	// The starting temperature makes an average worsening move about 30%
	// likely; it falls geometrically to a thousandth of that.
	sum, cnt := 0.0, 0
	for range 50 {
		if q, x, ok := propose(); ok {
			if d := ls.try(st, q, x) - st.val; d < 0 {
				sum -= d
				cnt++
			}
		}
	}
	if cnt == 0 {
		return st
	}
	temp := sum / float64(cnt) / 1.2
	cool := math.Pow(1e-3, 1.0/levelMoves)
	for it := range levelMoves {
		if it&63 == 63 && (ctx.Err() != nil || ls.expired()) {
			break
		}
		temp *= cool
		q, x, ok := propose()
		if !ok {
			continue
		}
		val := ls.try(st, q, x)
		if d := val - st.val; d < 0 && rng.Float64() >= math.Exp(d/temp) {
			continue
		}
		st.take(ls, q, x, val)
		if st.val > bestVal {
			bestS, bestVal = cloneVariants(st.s), st.val
		}
	}
	return ls.newState(bestS)
}

func (ls *levelSearch) progress(frac, best float64) {
	if ls.opts.Progress != nil {
		ls.opts.Progress(frac, best)
	}
}

// bound returns the coarse upper bound: for every customer, the most any
// price could earn from them, their utility at that price being at most
// their best part-worths plus the price's (see above), the margin at most
// the price less the cheapest valid phone's cost.
func (ls *levelSearch) bound() float64 {
	minCost := int64(0)
	full, ok, err := ls.e.Complete(ls.e.NewSelection(), configurator.Objective{Goal: configurator.Cheapest, Property: "cost"})
	if err == nil && ok {
		minCost = configurator.Roll(ls.e.Model(), full).Totals["cost"].IntPart()
	}
	m := ls.spec.Market
	k := float64(ls.spec.K)
	prices := slices.Clone(ls.spec.Prices)
	for _, f := range ls.spec.Must {
		prices = append(prices, f.Price)
	}
	total := 0.0
	for i := range m.People {
		per := &m.People[i]
		top := 0.0
		for d := range m.Attributes {
			hi := math.Inf(-1)
			for _, l := range ls.levels[d] {
				if x := ls.marketLevel[d][l]; x >= 0 {
					hi = max(hi, per.Worth[d][x])
				}
			}
			top += hi
		}
		// First choice: they buy at most one variant, at a price at
		// which it beats their outside option. Logit: all K variants
		// together sell them at most the share of K variants at their
		// most attractive price, each at the highest margin.
		best, hiMargin, hiU := 0.0, 0.0, math.Inf(-1)
		for _, p := range prices {
			mg := ls.margin(p, minCost)
			u := top + per.Price*float64(p)/10000
			if u > ls.none[i] {
				best = max(best, mg)
			}
			hiMargin, hiU = max(hiMargin, mg), max(hiU, u)
		}
		if ls.rule == Logit {
			hi := max(ls.scale*hiU, ls.scale*ls.none[i])
			e := k * math.Exp(ls.scale*hiU-hi)
			best = hiMargin * e / (e + math.Exp(ls.scale*ls.none[i]-hi))
		}
		total += ls.w[i] * best
	}
	return total
}
