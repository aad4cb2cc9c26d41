package csp

import (
	"fmt"
	"sort"

	"github.com/tailor-c2b/tailor/model"
)

// EnumLimit is the largest number of combinations of a rule's attributes
// that Lower evaluates one by one. Linear numeric constraints over more
// combinations are split into chains of partial sums; other rules over more
// are rejected.
const EnumLimit = 1 << 21

// chainArity is the number of attributes above which a linear comparison is
// lowered to partial sums rather than enumerated.
const chainArity = 4

// maxAuxValues bounds the number of distinct partial sums an auxiliary
// variable may take.
const maxAuxValues = 1 << 16

// Lower translates a checked model (one that Parse returned without errors)
// into a constraint problem with explicit relations.
func Lower(m *model.Model) (*Problem, error) { return LowerLimit(m, EnumLimit) }

// LowerLimit is Lower with another bound on the combinations a rule may span
// before it is split into partial sums (tests use a small one).
func LowerLimit(m *model.Model, enumLimit int64) (*Problem, error) {
	p := &Problem{Model: m, enumLimit: enumLimit}
	for i, a := range m.Attributes {
		p.Vars = append(p.Vars, Var{Name: a.Name, Size: len(a.Levels), Attr: i})
	}
	for i := range m.Tables {
		t := &m.Tables[i]
		o := p.addOrigin(Origin{Kind: FromTable, Index: i, Name: t.Name, Label: t.Label, Pos: t.Pos})
		if err := p.lowerTable(t, o); err != nil {
			return nil, fmt.Errorf("%s: table %s: %w", t.Pos, t.Name, err)
		}
	}
	var chains []deferred
	for i := range m.Rules {
		r := &m.Rules[i]
		o := p.addOrigin(Origin{Kind: FromRule, Index: i, Name: r.Name, Label: r.Label, Pos: r.Pos})
		c, err := p.lowerRule(r, o)
		if err != nil {
			return nil, fmt.Errorf("%s: rule %s: %w", r.Pos, r.Name, err)
		}
		if c != nil {
			chains = append(chains, deferred{c, o, r})
		}
	}
	// Partial sums run through their terms in the elimination order of the
	// rest of the model, so that each step of a chain meets the attributes
	// it is compiled with.
	if len(chains) > 0 {
		order := MinFillOrder(p.PrimalGraph(), func(v int) float64 { return float64(p.Vars[v].Size) })
		rank := make([]int, len(p.Vars))
		for i, v := range order {
			rank[v] = i
		}
		for _, d := range chains {
			if err := p.chain(d.c, d.origin, rank); err != nil {
				return nil, fmt.Errorf("%s: rule %s: %w", d.r.Pos, d.r.Name, err)
			}
		}
	}
	for _, r := range p.Relations {
		if err := r.index(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *Problem) addOrigin(o Origin) int {
	p.Origins = append(p.Origins, o)
	return len(p.Origins) - 1
}

// product returns the size of the product of the attributes' domains,
// saturating at limit+1.
func (p *Problem) product(attrs []int, limit int64) int64 {
	n := int64(1)
	for _, a := range attrs {
		n *= int64(p.Vars[a].Size)
		if n > limit {
			return limit + 1
		}
	}
	return n
}

// enumerate builds a relation over attrs from a predicate on complete
// configurations, evaluating it on every combination of the attributes.
func (p *Problem) enumerate(attrs []int, origin int, holds func(config []int) bool) {
	config := make([]int, len(p.Model.Attributes))
	r := &Relation{Scope: attrs, Origin: origin}
	if len(attrs) == 0 {
		if !holds(config) {
			r.Scope = nil
			p.Relations = append(p.Relations, r) // an empty relation: no solution
		}
		return
	}
	for {
		if holds(config) {
			for _, a := range attrs {
				r.Tuples = append(r.Tuples, int32(config[a]))
			}
		}
		// Advance the mixed-radix counter, last attribute fastest.
		i := len(attrs) - 1
		for ; i >= 0; i-- {
			a := attrs[i]
			config[a]++
			if config[a] < p.Vars[a].Size {
				break
			}
			config[a] = 0
		}
		if i < 0 {
			break
		}
	}
	p.Relations = append(p.Relations, r)
}

func (p *Problem) lowerTable(t *model.Table, origin int) error {
	attrs := uniqueSorted(t.A)
	if len(attrs) != len(t.A) {
		if p.product(attrs, EnumLimit) > EnumLimit {
			return fmt.Errorf("a table that repeats an attribute spans more than %d combinations", EnumLimit)
		}
		p.enumerate(attrs, origin, t.Holds)
		return nil
	}
	if t.Forbid && p.product(attrs, EnumLimit) > EnumLimit {
		return fmt.Errorf("a forbid table over more than %d combinations is not supported; list the allowed rows instead", EnumLimit)
	}
	// Expand the rows, cell by cell, into tuples in attribute order.
	col := make([]int, len(attrs)) // col[i] = table column of attrs[i]
	for i, a := range attrs {
		for j, b := range t.A {
			if a == b {
				col[i] = j
			}
		}
	}
	r := &Relation{Scope: attrs, Origin: origin}
	if err := r.index(p); err != nil {
		return err
	}
	vals := make([][]int32, len(attrs))
	idx := make([]int, len(attrs))
	tuple := make([]int32, len(attrs))
	for _, row := range t.Rows {
		expanded := int64(1)
		for i := range attrs {
			c := row.Cells[col[i]]
			vals[i] = vals[i][:0]
			if c.Any {
				for l := 0; l < p.Vars[attrs[i]].Size; l++ {
					vals[i] = append(vals[i], int32(l))
				}
			} else {
				for _, l := range c.L {
					vals[i] = append(vals[i], int32(l))
				}
			}
			expanded *= int64(len(vals[i]))
			idx[i] = 0
		}
		if expanded > EnumLimit {
			return fmt.Errorf("%s: row expands to more than %d combinations", row.Pos, EnumLimit)
		}
		for expanded > 0 {
			for i := range attrs {
				tuple[i] = vals[i][idx[i]]
			}
			if !r.Allows(tuple) {
				r.insert(tuple)
			}
			i := len(idx) - 1
			for ; i >= 0; i-- {
				idx[i]++
				if idx[i] < len(vals[i]) {
					break
				}
				idx[i] = 0
			}
			if i < 0 {
				break
			}
		}
	}
	if t.Forbid {
		forbidden := r
		p.enumerate(attrs, origin, func(config []int) bool {
			for i, a := range attrs {
				tuple[i] = int32(config[a])
			}
			return !forbidden.Allows(tuple)
		})
		return nil
	}
	p.Relations = append(p.Relations, r)
	return nil
}

// deferred is a linear comparison to lower to partial sums once the rest of
// the model is lowered.
type deferred struct {
	c      *model.Compare
	origin int
	r      *model.Rule
}

// lowerRule lowers a rule to a relation, or returns the comparison to lower
// later as a chain of partial sums.
func (p *Problem) lowerRule(r *model.Rule, origin int) (*model.Compare, error) {
	m := p.Model
	attrs := r.Attrs(m)
	small := p.product(attrs, p.enumLimit) <= p.enumLimit
	// A linear comparison over many attributes becomes a chain of partial
	// sums even when it could be enumerated: a wide relation would tie all
	// its attributes into one cluster of the join tree.
	if c, ok := r.Then.(*model.Compare); ok && r.Kind == model.Constraint && (!small || len(attrs) > chainArity) {
		if p.isLinear(c) {
			return c, nil
		}
	}
	if small {
		p.enumerate(attrs, origin, func(config []int) bool { return r.Holds(m, config) })
		return nil, nil
	}
	return nil, fmt.Errorf("it mentions %d attributes with more than %d combinations; split it into smaller rules, or write it as one linear comparison", len(attrs), p.enumLimit)
}

func (p *Problem) isLinear(c *model.Compare) bool {
	_, errL := p.linearize(c.L)
	_, errR := p.linearize(c.R)
	return errL == nil && errR == nil
}

var errNotLinear = fmt.Errorf("not linear")

// linear is a sum of per-attribute terms plus a constant: for attribute a,
// terms[a][l] is the term's value when a has level l.
type linear struct {
	terms map[int][]model.Decimal
	c     model.Decimal
}

func (p *Problem) linearize(n model.Num) (linear, error) {
	m := p.Model
	switch n := n.(type) {
	case *model.Const:
		return linear{terms: map[int][]model.Decimal{}, c: n.V}, nil
	case *model.PropRef:
		v := make([]model.Decimal, p.Vars[n.A].Size)
		for l, lv := range m.Attributes[n.A].Levels {
			v[l] = lv.Numbers[n.Prop]
		}
		return linear{terms: map[int][]model.Decimal{n.A: v}}, nil
	case *model.SumProp:
		out := linear{terms: map[int][]model.Decimal{}}
		for _, a := range model.NumAttrs(m, n) {
			v := make([]model.Decimal, p.Vars[a].Size)
			for l, lv := range m.Attributes[a].Levels {
				v[l] = lv.Numbers[n.Prop]
			}
			out.terms[a] = v
		}
		return out, nil
	case *model.Arith:
		l, err := p.linearize(n.L)
		if err != nil {
			return l, err
		}
		r, err := p.linearize(n.R)
		if err != nil {
			return r, err
		}
		switch n.Op {
		case '+':
			return l.add(r, 1), nil
		case '-':
			return l.add(r, -1), nil
		default:
			if len(l.terms) == 0 {
				return r.scale(l.c), nil
			}
			if len(r.terms) == 0 {
				return l.scale(r.c), nil
			}
			return l, errNotLinear
		}
	}
	return linear{}, errNotLinear
}

func (l linear) add(r linear, sign model.Decimal) linear {
	out := linear{terms: map[int][]model.Decimal{}, c: l.c + sign*r.c}
	for a, v := range l.terms {
		out.terms[a] = append([]model.Decimal(nil), v...)
	}
	for a, v := range r.terms {
		w := out.terms[a]
		if w == nil {
			w = make([]model.Decimal, len(v))
		}
		for i := range v {
			w[i] += sign * v[i]
		}
		out.terms[a] = w
	}
	return out
}

func (l linear) scale(k model.Decimal) linear {
	out := linear{terms: map[int][]model.Decimal{}, c: l.c.Mul(k)}
	for a, v := range l.terms {
		w := make([]model.Decimal, len(v))
		for i := range v {
			w[i] = v[i].Mul(k)
		}
		out.terms[a] = w
	}
	return out
}

// chain lowers "L op R" with linear sides to a chain of partial sums
// S1 = f1(x1), Sk = Sk-1 + fk(xk), with the comparison applied to the last.
// Partial sums that can no longer satisfy the comparison are dropped, and,
// for inequalities, those that can no longer violate it merge into one value,
// which keeps the auxiliary domains small.
func (p *Problem) chain(c *model.Compare, origin int, rank []int) error {
	l, err := p.linearize(c.L)
	if err != nil {
		return err
	}
	r, err := p.linearize(c.R)
	if err != nil {
		return err
	}
	f := l.add(r, -1) // f(x) + f.c op 0
	op := c.Op
	// Normalise to f <= bound, f >= bound, f == bound or f != bound.
	bound := -f.c
	switch op {
	case model.LT:
		op, bound = model.LE, bound-1
	case model.GT:
		op, bound = model.GE, bound+1
	}
	if op == model.GE { // negate to LE
		f = f.scale(model.Int(-1))
		bound, op = -bound, model.LE
	}
	attrs := make([]int, 0, len(f.terms))
	for a := range f.terms {
		attrs = append(attrs, a)
	}
	sort.Slice(attrs, func(i, j int) bool { return rank[attrs[i]] > rank[attrs[j]] })
	n := len(attrs)
	minRest := make([]model.Decimal, n+1) // sum of minima of terms k..n-1
	maxRest := make([]model.Decimal, n+1)
	for k := n - 1; k >= 0; k-- {
		lo, hi := minMax(f.terms[attrs[k]])
		minRest[k] = minRest[k+1] + lo
		maxRest[k] = maxRest[k+1] + hi
	}
	// rest[k] lists the sums the terms k..n-1 can reach, sorted, or is nil
	// where there are too many to list.
	rest := make([][]model.Decimal, n+1)
	rest[n] = []model.Decimal{0}
	for k := n - 1; k >= 0 && rest[k+1] != nil; k-- {
		set := map[model.Decimal]bool{}
		for _, t := range f.terms[attrs[k]] {
			for _, r := range rest[k+1] {
				set[t+r] = true
			}
		}
		if len(set) > maxAuxValues {
			break
		}
		rest[k] = make([]model.Decimal, 0, len(set))
		for v := range set {
			rest[k] = append(rest[k], v)
		}
		sort.Slice(rest[k], func(i, j int) bool { return rest[k][i] < rest[k][j] })
	}
	// canonical maps a partial sum s after k+1 terms to the representative
	// of its class: two sums are in one class when every completion treats
	// them alike, which merges values (as a reduced decision diagram
	// would) and keeps auxiliary domains small. ok is false when no
	// completion satisfies the comparison, and settled is true when all do.
	canonical := func(s model.Decimal, k int) (rep model.Decimal, ok, settled bool) {
		R := rest[k+1]
		if R == nil {
			lo, hi := s+minRest[k+1], s+maxRest[k+1]
			switch op {
			case model.LE:
				return s, lo <= bound, hi <= bound
			case model.EQ:
				return s, lo <= bound && bound <= hi, false
			default: // NE
				return s, !(lo == hi && lo == bound), lo > bound || hi < bound
			}
		}
		i := sort.Search(len(R), func(i int) bool { return R[i] > bound-s })
		has := i > 0 && R[i-1] == bound-s
		switch op {
		case model.LE:
			// R[:i] complete s within the bound; R[i:] break it.
			return bound - R[max(i-1, 0)], i > 0, i == len(R)
		case model.EQ:
			return s, has, false
		default: // NE
			return s, !(has && len(R) == 1), !has
		}
	}
	const settled = model.Decimal(1<<62 - 1) // sum value standing for "already satisfied"
	prevVar := -1
	var prevSums []model.Decimal
	for k, a := range attrs {
		sums := []model.Decimal{}
		index := map[model.Decimal]int32{}
		valueOf := func(s model.Decimal) int32 {
			if i, ok := index[s]; ok {
				return i
			}
			if len(sums) >= maxAuxValues {
				return -1
			}
			index[s] = int32(len(sums))
			sums = append(sums, s)
			return index[s]
		}
		var tuples []int32
		add := func(prev int32, l int, s model.Decimal) error {
			if s != settled {
				rep, ok, done := canonical(s, k)
				if !ok {
					return nil
				}
				s = rep
				if done {
					s = settled
				}
			}
			v := valueOf(s)
			if v < 0 {
				return fmt.Errorf("the partial sums take more than %d values", maxAuxValues)
			}
			if prev >= 0 {
				tuples = append(tuples, prev)
			}
			tuples = append(tuples, int32(l), v)
			return nil
		}
		for l, t := range f.terms[a] {
			if k == 0 {
				if err := add(-1, l, t); err != nil {
					return err
				}
				continue
			}
			for pi, ps := range prevSums {
				s := settled
				if ps != settled {
					s = ps + t
				}
				if err := add(int32(pi), l, s); err != nil {
					return err
				}
			}
		}
		v := len(p.Vars)
		p.Vars = append(p.Vars, Var{Name: fmt.Sprintf("%s_sum%d", p.Origins[origin].Name, k+1), Size: max(len(sums), 1), Attr: -1, Sums: sums})
		scope := []int{a, v}
		if k > 0 {
			scope = []int{prevVar, a, v}
		}
		p.Relations = append(p.Relations, &Relation{Scope: scope, Origin: origin, Tuples: tuples})
		prevVar, prevSums = v, sums
	}
	return nil
}

func minMax(v []model.Decimal) (lo, hi model.Decimal) {
	lo, hi = v[0], v[0]
	for _, x := range v[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

func uniqueSorted(xs []int) []int {
	out := append([]int(nil), xs...)
	sort.Ints(out)
	j := 0
	for i, x := range out {
		if i == 0 || x != out[j-1] {
			out[j] = x
			j++
		}
	}
	return out[:j]
}
