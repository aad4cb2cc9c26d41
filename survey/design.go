package survey

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/errs"
	"gonum.org/v1/gonum/mat"
)

// randomDesigns is the number of random designs the efficiency report
// averages over.
const randomDesigns = 5

// Design builds the survey spec asks for from the model e compiles. Every
// concept, holdouts included, is a valid configuration of the shown
// attributes under e. It returns an errs.Invalid error when the spec does
// not fit the model: see Spec.Validate, and also a shown level that no
// valid phone has, or too few valid concepts for a task.
func Design(e *configurator.Engine, spec Spec) (*Survey, error) {
	m := e.Model()
	if err := spec.Validate(m); err != nil {
		return nil, err
	}
	prices, _ := spec.Price.Resolve()
	spec.Attributes = slices.Clone(spec.Attributes)
	spec.Price.Levels = slices.Clone(spec.Price.Levels)
	s := &Survey{Spec: spec, Model: m.Name, Version: m.Version, Currency: m.Currency, Prices: prices}
	for _, name := range spec.Attributes {
		a := m.Attr(name)
		at := Attribute{Name: name, Label: m.Attributes[a].Label, Index: a}
		for _, lv := range m.Attributes[a].Levels {
			at.Levels = append(at.Levels, Level{Name: lv.Name, Label: lv.Label})
		}
		s.Attributes = append(s.Attributes, at)
	}
	d := newDesigner(e, s)
	if err := d.checkLevels(); err != nil {
		return nil, err
	}
	if err := d.checkFeasible(); err != nil {
		return nil, err
	}

	cnt := d.newCounts()
	s.Versions = make([][]Task, spec.Versions)
	for v := range s.Versions {
		rng := rand.New(rand.NewPCG(spec.Seed, uint64(v)))
		tasks, err := d.tasks(cnt, spec.Tasks, rng)
		if err != nil {
			return nil, err
		}
		d.improve(tasks, cnt, rng)
		s.Versions[v] = d.toTasks(tasks)
	}
	if spec.Holdouts > 0 {
		rng := rand.New(rand.NewPCG(spec.Seed, 1<<40))
		tasks, err := d.tasks(d.newCounts(), spec.Holdouts, rng)
		if err != nil {
			return nil, err
		}
		s.Holdouts = d.toTasks(tasks)
	}

	s.Efficiency.DError = s.DError()
	sum, n := 0.0, 0
	for r := range randomDesigns {
		rng := rand.New(rand.NewPCG(spec.Seed, 1<<41+uint64(r)))
		if de := dError(s.information(d.randomDesign(rng)), s.numParams()); !math.IsInf(de, 1) {
			sum += de
			n++
		}
	}
	s.Efficiency.RandomDError = math.Inf(1)
	if n > 0 {
		s.Efficiency.RandomDError = sum / float64(n)
	}
	s.Efficiency.Relative = s.Efficiency.RandomDError / s.Efficiency.DError
	if math.IsInf(s.Efficiency.DError, 1) {
		s.Efficiency.Relative = 0
	}
	return s, nil
}

// A profile is a concept while it is being built: a level per column, the
// shown attributes first and then the price, -1 where not yet chosen.
type profile []int

// designer holds what building one survey needs.
type designer struct {
	e     *configurator.Engine
	s     *Survey
	nattr int   // attribute columns; the price column, if any, is nattr
	nlev  []int // levels per column
	off   []int // first global level index of each column
	// cache remembers whether a (partial) profile of the attribute
	// columns is consistent; the engine is the only judge.
	cache map[string]bool
	sel   configurator.Selection
	key   []byte
}

func newDesigner(e *configurator.Engine, s *Survey) *designer {
	d := &designer{e: e, s: s, nattr: len(s.Attributes), cache: map[string]bool{}, sel: e.NewSelection()}
	for _, a := range s.Attributes {
		d.nlev = append(d.nlev, len(a.Levels))
	}
	if len(s.Prices) > 0 {
		d.nlev = append(d.nlev, len(s.Prices))
	}
	g := 0
	for _, n := range d.nlev {
		d.off = append(d.off, g)
		g += n
	}
	return d
}

func (d *designer) cols() int      { return len(d.nlev) }
func (d *designer) levels() int    { return d.off[len(d.off)-1] + d.nlev[len(d.nlev)-1] }
func (d *designer) price() int     { return d.nattr } // the price column, when cols() > nattr
func (d *designer) hasPrice() bool { return d.cols() > d.nattr }

func (d *designer) newProfile() profile {
	p := make(profile, d.cols())
	for i := range p {
		p[i] = -1
	}
	return p
}

// valid reports whether the attribute columns of p, unset ones left free,
// extend to a valid configuration.
func (d *designer) valid(p profile) bool {
	d.key = d.key[:0]
	for c := range d.nattr {
		d.key = binary.LittleEndian.AppendUint16(d.key, uint16(p[c]+1))
	}
	if ok, hit := d.cache[string(d.key)]; hit {
		return ok
	}
	for c, a := range d.s.Attributes {
		d.sel[a.Index] = p[c]
	}
	ok := d.e.Consistent(d.sel)
	d.cache[string(d.key)] = ok
	return ok
}

// checkLevels reports a shown level that no valid configuration has: it
// could never be shown, and its parameter could not be estimated.
func (d *designer) checkLevels() error {
	possible, ok := d.e.Propagate(d.e.NewSelection())
	if !ok {
		return errs.Errorf(errs.Invalid, "The model %q allows no valid phone, so there is nothing to show.", d.s.Model)
	}
	for _, a := range d.s.Attributes {
		for l, lv := range a.Levels {
			if !possible[a.Index][l] {
				return errs.Errorf(errs.Invalid, "Level %q of attribute %q is in no valid phone under the model's rules, so it cannot be shown; fix the model first.", lv.Name, a.Name)
			}
		}
	}
	return nil
}

// checkFeasible reports when the valid combinations of the shown attributes
// and the prices are too few to fill a task with different concepts.
func (d *designer) checkFeasible() error {
	prices := 1
	if d.hasPrice() {
		prices = d.nlev[d.price()]
	}
	need := (d.s.Spec.Concepts + prices - 1) / prices
	n := 0
	p := d.newProfile()
	var walk func(c int)
	walk = func(c int) {
		if c == d.nattr {
			n++
			return
		}
		for l := range d.nlev[c] {
			if n >= need {
				return
			}
			p[c] = l
			if d.valid(p) {
				walk(c + 1)
			}
		}
		p[c] = -1
	}
	walk(0)
	if n < need {
		return errs.Errorf(errs.Invalid, "The model's rules allow only %d different concepts with these attributes and prices; a task needs %d.", n*prices, d.s.Spec.Concepts)
	}
	return nil
}

// counts holds how often each level, and each pair of levels, has been
// shown so far, indexed by global level (column offset plus level).
type counts struct {
	g   int
	one []int
	two []int
}

func (d *designer) newCounts() *counts {
	g := d.levels()
	return &counts{g: g, one: make([]int, g), two: make([]int, g*g)}
}

func (d *designer) count(cnt *counts, p profile, delta int) {
	for c, l := range p {
		gi := d.off[c] + l
		cnt.one[gi] += delta
		for c2 := c + 1; c2 < len(p); c2++ {
			gj := d.off[c2] + p[c2]
			cnt.two[gi*cnt.g+gj] += delta
			cnt.two[gj*cnt.g+gi] += delta
		}
	}
}

// tasks builds n tasks, counting their levels into cnt. A task that repeats
// an earlier one is rebuilt, a few times, since it adds nothing.
func (d *designer) tasks(cnt *counts, n int, rng *rand.Rand) ([][]profile, error) {
	var out [][]profile
	for range n {
		var task []profile
		for attempt := 0; ; attempt++ {
			task = task[:0]
			for range d.s.Spec.Concepts {
				p, ok := d.concept(cnt, task, rng)
				if !ok {
					return nil, errs.Errorf(errs.Invalid, "Could not find %d different valid concepts for a task; the model's rules leave too few combinations of these attributes.", d.s.Spec.Concepts)
				}
				task = append(task, p)
				d.count(cnt, p, 1)
			}
			if attempt == 10 || !repeats(task, out) {
				break
			}
			for _, p := range task {
				d.count(cnt, p, -1)
			}
		}
		out = append(out, task)
	}
	return out, nil
}

// repeats reports whether task shows the same concepts as one of others.
func repeats(task []profile, others [][]profile) bool {
	for _, o := range others {
		if sameTask(task, o) {
			return true
		}
	}
	return false
}

// repeatsOther reports whether task t shows the same concepts as another.
func repeatsOther(tasks [][]profile, t int) bool {
	for u, o := range tasks {
		if u != t && sameTask(tasks[t], o) {
			return true
		}
	}
	return false
}

func sameTask(a, b []profile) bool {
	for _, p := range a {
		if !slices.ContainsFunc(b, func(q profile) bool { return slices.Equal(p, q) }) {
			return false
		}
	}
	return true
}

// candidate is a level with its cost, compared lexicographically.
type candidate struct {
	level, overlap, one, two int
	tie                      uint64
}

func (a candidate) compare(b candidate) int {
	return cmp.Or(cmp.Compare(a.overlap, b.overlap), cmp.Compare(a.one, b.one),
		cmp.Compare(a.two, b.two), cmp.Compare(a.tie, b.tie))
}

// concept chooses the next concept of task by a depth-first search over the
// columns in a random order, trying levels cheapest first and pruning
// partial profiles the engine rejects. It first insists that no concept of
// the task dominates another (same attributes, different price), then
// settles for different concepts.
func (d *designer) concept(cnt *counts, task []profile, rng *rand.Rand) (profile, bool) {
	order := rng.Perm(d.cols())
	for _, strict := range []bool{true, false} {
		p := d.newProfile()
		budget := 4000
		var walk func(depth int) bool
		walk = func(depth int) bool {
			if depth == len(order) {
				return d.acceptable(p, task, strict)
			}
			c := order[depth]
			cands := make([]candidate, d.nlev[c])
			for l := range cands {
				gi := d.off[c] + l
				cand := candidate{level: l, one: cnt.one[gi], tie: rng.Uint64()}
				for _, q := range task {
					if q[c] == l {
						cand.overlap++
					}
				}
				for c2, l2 := range p {
					if l2 >= 0 {
						cand.two += cnt.two[gi*cnt.g+d.off[c2]+l2]
					}
				}
				cands[l] = cand
			}
			slices.SortFunc(cands, candidate.compare)
			for _, cand := range cands {
				if budget--; budget < 0 {
					return false
				}
				p[c] = cand.level
				if (c >= d.nattr || d.valid(p)) && walk(depth+1) {
					return true
				}
			}
			p[c] = -1
			return false
		}
		if walk(0) {
			return p, true
		}
	}
	return nil, false
}

// acceptable reports whether p may join task: it differs from every
// concept there and, if strict, differs in some attribute besides price
// (otherwise the cheaper of the two dominates the other).
func (d *designer) acceptable(p profile, task []profile, strict bool) bool {
	for _, q := range task {
		if slices.Equal(p[:d.nattr], q[:d.nattr]) && (strict || slices.Equal(p, q)) {
			return false
		}
	}
	return true
}

// badPairs counts the pairs of concepts in task that are identical or that
// differ only by price.
func (d *designer) badPairs(task []profile) int {
	n := 0
	for i, p := range task {
		for _, q := range task[i+1:] {
			if slices.Equal(p[:d.nattr], q[:d.nattr]) {
				n++
			}
		}
	}
	return n
}

// ridge keeps the swap criterion finite while one version alone cannot yet
// identify every parameter; a swap that makes one identifiable then gains
// a great deal.
const ridge = 1e-4

// improve exchanges one column's levels between two concepts of a task
// whenever both stay valid, no pair of concepts becomes identical or
// dominated, the task does not come to repeat another, and the version's
// D-error falls. Such swaps keep every level count and every task's
// overlap; they improve how the levels combine.
//
// The criterion is the determinant of M, the version's information matrix
// plus a small ridge. Swapping column levels between rows x_i and x_j of a
// task with J rows leaves their sum, and so the task's mean row, unchanged:
// with d the change in x_i (and -d that in x_j) and g = x_i - x_j,
//
//	M' = M + (g d' + d g' + 2 d d')/J = M + U C U',  U = [g d],  C = [[0 1] [1 2]]/J
//
// so det(M')/det(M) = det(I + C U' M^-1 U), a 2×2 determinant, and M^-1 is
// updated by the Woodbury identity when a swap is kept.
func (d *designer) improve(tasks [][]profile, cnt *counts, rng *rand.Rand) {
	s := d.s
	k := s.numParams()
	j := float64(s.Spec.Concepts)
	if s.Spec.None {
		j++
	}
	type move struct{ t, c, i, j int }
	var moves []move
	for t := range tasks {
		for c := range d.cols() {
			for i := range s.Spec.Concepts {
				for j := i + 1; j < s.Spec.Concepts; j++ {
					moves = append(moves, move{t, c, i, j})
				}
			}
		}
	}
	xi, xj, xn := make([]float64, k), make([]float64, k), make([]float64, k)
	g, delta := make([]float64, k), make([]float64, k)
	bg, bd := make([]float64, k), make([]float64, k)
	for range 3 {
		// Afresh each pass, so that rounding in the updates cannot build up.
		inv, ok := d.inverseInformation(tasks, k)
		if !ok {
			return
		}
		rng.Shuffle(len(moves), func(i, j int) { moves[i], moves[j] = moves[j], moves[i] })
		improved := false
		for _, mv := range moves {
			task := tasks[mv.t]
			a, b := task[mv.i], task[mv.j]
			if a[mv.c] == b[mv.c] {
				continue
			}
			d.code(a, xi)
			d.code(b, xj)
			before := d.badPairs(task)
			a[mv.c], b[mv.c] = b[mv.c], a[mv.c]
			d.code(a, xn)
			for p := range k {
				g[p] = xi[p] - xj[p]
				delta[p] = xn[p] - xi[p]
			}
			symMulVec(inv, g, bg)
			symMulVec(inv, delta, bd)
			ratio, upd := swapRatio(g, delta, bg, bd, j)
			// The criterion first: it is cheaper than asking the engine
			// about new concepts, and most swaps fail it.
			accept := ratio > 1+1e-9 && d.badPairs(task) <= before &&
				(mv.c >= d.nattr || d.valid(a) && d.valid(b)) && !repeatsOther(tasks, mv.t)
			if !accept {
				a[mv.c], b[mv.c] = b[mv.c], a[mv.c]
				continue
			}
			// inv -= [bg bd] upd [bg bd]'
			for p := range k {
				up := upd[0]*bg[p] + upd[1]*bd[p]
				vp := upd[2]*bg[p] + upd[3]*bd[p]
				row := inv[p*k : p*k+k]
				for q := range k {
					row[q] -= up*bg[q] + vp*bd[q]
				}
			}
			a[mv.c], b[mv.c] = b[mv.c], a[mv.c]
			d.count(cnt, a, -1)
			d.count(cnt, b, -1)
			a[mv.c], b[mv.c] = b[mv.c], a[mv.c]
			d.count(cnt, a, 1)
			d.count(cnt, b, 1)
			improved = true
		}
		if !improved {
			break
		}
	}
}

// swapRatio returns det(M')/det(M) for M' = M + (g d' + d g' + 2 d d')/j,
// given bg = M^-1 g and bd = M^-1 d, and the symmetric 2×2 matrix upd
// (row-major) with M'^-1 = M^-1 - [bg bd] upd [bg bd]'.
func swapRatio(g, d, bg, bd []float64, j float64) (ratio float64, upd [4]float64) {
	a00, a01, a11 := dot(g, bg), dot(g, bd), dot(d, bd)
	// I + C A with C = [[0 1] [1 2]]/j and A = [[a00 a01] [a01 a11]].
	c00, c01 := 1+a01/j, a11/j
	c10, c11 := (a00+2*a01)/j, 1+(a01+2*a11)/j
	ratio = c00*c11 - c01*c10
	// upd = (C^-1 + A)^-1, C^-1 = j [[-2 1] [1 0]].
	w00, w01, w11 := -2*j+a00, j+a01, a11
	det := w00*w11 - w01*w01
	upd = [4]float64{w11 / det, -w01 / det, -w01 / det, w00 / det}
	return ratio, upd
}

// inverseInformation returns the inverse of the information matrix of
// tasks plus the ridge, row-major; ok is false if it is not positive
// definite.
func (d *designer) inverseInformation(tasks [][]profile, k int) ([]float64, bool) {
	m := mat.NewSymDense(k, nil)
	info := make([]float64, k*k)
	rows := make([]float64, (d.s.Spec.Concepts+2)*k)
	for _, task := range tasks {
		d.s.taskInfo(d.task(task), info, 1, rows)
	}
	for p := range k {
		for q := p; q < k; q++ {
			v := info[p*k+q]
			if p == q {
				v += ridge
			}
			m.SetSym(p, q, v)
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(m) {
		return nil, false
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, false
	}
	out := make([]float64, k*k)
	for p := range k {
		for q := range k {
			out[p*k+q] = inv.At(p, q)
		}
	}
	return out, true
}

// code writes profile p's coded row into x.
func (d *designer) code(p profile, x []float64) {
	c := Concept{Levels: p[:d.nattr], Price: -1}
	if d.hasPrice() {
		c.Price = p[d.price()]
	}
	d.s.code(c, x)
}

func symMulVec(a, x, out []float64) {
	k := len(x)
	for p := range k {
		out[p] = dot(a[p*k:p*k+k], x)
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// task returns profiles as a Task that shares their memory.
func (d *designer) task(ps []profile) Task {
	t := Task{Concepts: make([]Concept, len(ps))}
	for i, p := range ps {
		t.Concepts[i] = Concept{Levels: p[:d.nattr:d.nattr], Price: -1}
		if d.hasPrice() {
			t.Concepts[i].Price = p[d.price()]
		}
	}
	return t
}

// toTasks returns tasks as Tasks of their own.
func (d *designer) toTasks(tasks [][]profile) []Task {
	out := make([]Task, len(tasks))
	for i, ps := range tasks {
		out[i] = d.task(ps)
		for j := range out[i].Concepts {
			out[i].Concepts[j].Levels = slices.Clone(out[i].Concepts[j].Levels)
		}
	}
	return out
}

// randomDesign returns versions of the survey's shape whose concepts are
// drawn at random from the valid ones, different within a task.
func (d *designer) randomDesign(rng *rand.Rand) [][]Task {
	out := make([][]Task, d.s.Spec.Versions)
	for v := range out {
		out[v] = make([]Task, d.s.Spec.Tasks)
		for t := range out[v] {
			var task []profile
			for range d.s.Spec.Concepts {
				task = append(task, d.randomProfile(task, rng))
			}
			out[v][t] = d.task(task)
		}
	}
	return out
}

// randomProfile draws a valid profile different from those of task:
// uniformly over the valid ones by rejection, or, when valid ones are
// rare, column by column among the levels that keep it valid.
func (d *designer) randomProfile(task []profile, rng *rand.Rand) profile {
	p := d.newProfile()
	for range 200 {
		for c, n := range d.nlev {
			p[c] = rng.IntN(n)
		}
		if d.valid(p) && d.acceptable(p, task, false) {
			return p
		}
	}
	opts := make([]int, 0, 16)
	for attempt := 0; ; attempt++ {
		p = d.newProfile()
		for _, c := range rng.Perm(d.cols()) {
			opts = opts[:0]
			for l := range d.nlev[c] {
				p[c] = l
				if c >= d.nattr || d.valid(p) {
					opts = append(opts, l)
				}
			}
			p[c] = opts[rng.IntN(len(opts))]
		}
		if d.acceptable(p, task, false) || attempt == 20 {
			return p
		}
	}
}
