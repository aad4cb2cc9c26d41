// Package dimacs writes a lowered product model as a CNF formula in the
// DIMACS format, with exactly one model per valid configuration, so that
// #SAT (model counting) tools count configurations. See docs/formats.md.
package dimacs

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/tailor-c2b/tailor/csp"
)

// MaxClausesPerRelation bounds the clauses that one relation of arity three
// or more may produce; Write fails on a relation that needs more.
const MaxClausesPerRelation = 5_000_000

// Write writes p as DIMACS CNF in the direct encoding: one boolean per
// (variable, value), numbered from 1 variable by variable, so that the
// boolean of value x of variable v is 1 + x + the sizes of the variables
// before v. Each variable takes exactly one value (an at-least-one clause
// and pairwise at-most-one clauses), and no other booleans are introduced,
// so the formula has exactly as many models as p has solutions, which is
// the number of valid configurations of the model p was lowered from.
//
// A unary relation forbids its unsupported values with unit clauses. A
// binary relation over X and Y is written in the support encoding: for each
// value a of X, "X=a implies Y is one of the b with (a, b) allowed", and
// symmetrically. A relation over three or more variables gets, whichever is
// fewer, one clause per forbidden tuple, or the support encoding on its
// largest variable: for each combination of the other variables, the values
// of that variable that complete it to an allowed tuple. Both are exact
// given exactly-one; Write fails if a relation would need more than
// MaxClausesPerRelation clauses.
//
// Comment lines before the header name the boolean of each value
// ("c var 17 = display=oled"); a "c p show ... 0" line after it lists the
// booleans of the attributes (not of auxiliary variables), for projected
// model counters. Since auxiliary variables are functionally determined by
// the attributes, the projected and the plain count are the same.
func Write(w io.Writer, p *csp.Problem) error {
	e := &encoder{p: p, base: make([]int, len(p.Vars))}
	next := 1
	for v, x := range p.Vars {
		if x.Size <= 0 {
			return fmt.Errorf("write DIMACS: variable %s has an empty domain", x.Name)
		}
		e.base[v] = next
		next += x.Size
	}
	e.nbool = next - 1
	for i, r := range p.Relations {
		if len(r.Scope) == 0 {
			continue
		}
		for k, x := range r.Tuples {
			if v := r.Scope[k%len(r.Scope)]; x < 0 || int(x) >= p.Vars[v].Size {
				return fmt.Errorf("write DIMACS: relation %d: value %d out of the domain of %s", i, x, p.Vars[v].Name)
			}
		}
	}
	// The first pass counts the clauses for the header, the second writes
	// them.
	if err := e.clauses(); err != nil {
		return err
	}
	if e.contradiction && e.nbool == 0 {
		e.nbool = 1 // room for the clauses "1" and "-1"
	}

	bw := bufio.NewWriter(w)
	e.w = bw
	name, version := "", ""
	if p.Model != nil {
		name, version = p.Model.Name, p.Model.Version
	}
	fmt.Fprintf(bw, "c Tailor model %q version %q: direct encoding, one model per valid configuration\n", name, version)
	for v, x := range p.Vars {
		for val := 0; val < x.Size; val++ {
			fmt.Fprintf(bw, "c var %d = %s\n", e.base[v]+val, e.valueName(v, val))
		}
	}
	fmt.Fprintf(bw, "p cnf %d %d\n", e.nbool, e.nclauses)
	bw.WriteString("c p show")
	for v, x := range p.Vars {
		if x.Attr < 0 {
			continue
		}
		for val := 0; val < x.Size; val++ {
			bw.WriteByte(' ')
			bw.WriteString(strconv.Itoa(e.base[v] + val))
		}
	}
	bw.WriteString(" 0\n")
	e.nclauses = 0
	if err := e.clauses(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write DIMACS: %w", err)
	}
	return nil
}

type encoder struct {
	p             *csp.Problem
	base          []int // per variable, the boolean of its value 0
	nbool         int
	nclauses      int
	contradiction bool
	w             *bufio.Writer // nil while counting
	lits          []int
	buf           []byte
}

func (e *encoder) lit(v, val int) int { return e.base[v] + val }

func (e *encoder) valueName(v, val int) string {
	x := e.p.Vars[v]
	if x.Attr >= 0 && e.p.Model != nil && x.Attr < len(e.p.Model.Attributes) {
		a := e.p.Model.Attributes[x.Attr]
		if val < len(a.Levels) {
			return a.Name + "=" + a.Levels[val].Name
		}
	}
	if x.Attr < 0 {
		return fmt.Sprintf("%s=%d (auxiliary)", x.Name, val)
	}
	return fmt.Sprintf("%s=%d", x.Name, val)
}

// clause counts or writes the clause of the given literals, dropping
// repeated literals, and the whole clause if it holds trivially.
func (e *encoder) clause(lits []int) {
	slices.SortFunc(lits, func(a, b int) int { return abs(a) - abs(b) })
	out := lits[:0]
	for i, l := range lits {
		if i > 0 && abs(l) == abs(lits[i-1]) {
			if l != lits[i-1] {
				return // x or not x
			}
			continue
		}
		out = append(out, l)
	}
	e.lits = lits[:0] // keep the capacity for the next clause
	e.nclauses++
	if e.w == nil {
		return
	}
	e.buf = e.buf[:0]
	for _, l := range out {
		e.buf = strconv.AppendInt(e.buf, int64(l), 10)
		e.buf = append(e.buf, ' ')
	}
	e.buf = append(e.buf, '0', '\n')
	e.w.Write(e.buf)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// unsat writes the clauses "1" and "-1", which no assignment satisfies.
func (e *encoder) unsat() {
	e.contradiction = true
	e.clause(append(e.lits[:0], 1))
	e.clause(append(e.lits[:0], -1))
}

func (e *encoder) clauses() error {
	for v, x := range e.p.Vars {
		lits := e.lits[:0]
		for a := 0; a < x.Size; a++ {
			lits = append(lits, e.lit(v, a))
		}
		e.clause(lits)
		for a := 0; a < x.Size; a++ {
			for b := a + 1; b < x.Size; b++ {
				e.clause(append(e.lits[:0], -e.lit(v, a), -e.lit(v, b)))
			}
		}
	}
	for i, r := range e.p.Relations {
		var err error
		switch len(r.Scope) {
		case 0:
			if r.Len() == 0 {
				e.unsat()
			}
		case 1:
			e.unary(r)
		case 2:
			e.binary(r)
		default:
			err = e.nary(r)
		}
		if err != nil {
			return fmt.Errorf("write DIMACS: relation %d (%s): %w", i, e.origin(r), err)
		}
	}
	return nil
}

func (e *encoder) origin(r *csp.Relation) string {
	if r.Origin >= 0 && r.Origin < len(e.p.Origins) {
		return e.p.Origins[r.Origin].Name
	}
	return "?"
}

func (e *encoder) unary(r *csp.Relation) {
	v := r.Scope[0]
	allowed := make([]bool, e.p.Vars[v].Size)
	for _, x := range r.Tuples {
		allowed[x] = true
	}
	for a, ok := range allowed {
		if !ok {
			e.clause(append(e.lits[:0], -e.lit(v, a)))
		}
	}
}

func (e *encoder) binary(r *csp.Relation) {
	for side := 0; side < 2; side++ {
		x, y := r.Scope[side], r.Scope[1-side]
		supports := make([][]int, e.p.Vars[x].Size)
		for t := 0; t < len(r.Tuples); t += 2 {
			a, b := r.Tuples[t+side], r.Tuples[t+1-side]
			supports[a] = append(supports[a], e.lit(y, int(b)))
		}
		for a, sup := range supports {
			e.clause(append(append(e.lits[:0], -e.lit(x, a)), sup...))
		}
	}
}

// nary encodes a relation over three or more variables.
func (e *encoder) nary(r *csp.Relation) error {
	n := len(r.Scope)
	sizes := make([]int64, n)
	widest := 0 // position of the largest variable
	for j, v := range r.Scope {
		sizes[j] = int64(e.p.Vars[v].Size)
		if sizes[j] > sizes[widest] {
			widest = j
		}
	}
	const limit = 1 << 62
	product := int64(1)
	for _, s := range sizes {
		if product > limit/s {
			product = limit
			break
		}
		product *= s
	}
	// Count the distinct allowed tuples; only needed when the product is
	// small enough for forbidden tuples to be an option.
	forbidden := int64(limit)
	var allowed map[int64]struct{}
	if product-int64(r.Len()) <= MaxClausesPerRelation {
		allowed = make(map[int64]struct{}, r.Len())
		for t := 0; t < r.Len(); t++ {
			allowed[key(r.Tuple(t), sizes, -1)] = struct{}{}
		}
		forbidden = product - int64(len(allowed))
	}
	support := product / sizes[widest]
	if min(forbidden, support) > MaxClausesPerRelation {
		return fmt.Errorf("over %d variables it needs %d clauses, more than %d", n, min(forbidden, support), MaxClausesPerRelation)
	}
	tuple := make([]int32, n)
	if forbidden <= support {
		for k := int64(0); k < product; k++ {
			if _, ok := allowed[k]; ok {
				continue
			}
			unkey(k, sizes, -1, tuple)
			lits := e.lits[:0]
			for j, v := range r.Scope {
				lits = append(lits, -e.lit(v, int(tuple[j])))
			}
			e.clause(lits)
		}
		return nil
	}
	// Support encoding on the largest variable: group the allowed values of
	// that variable by the combination of the others.
	supports := map[int64][]int{}
	yv := r.Scope[widest]
	for t := 0; t < r.Len(); t++ {
		tu := r.Tuple(t)
		k := key(tu, sizes, widest)
		supports[k] = append(supports[k], e.lit(yv, int(tu[widest])))
	}
	for k := int64(0); k < support; k++ {
		unkey(k, sizes, widest, tuple)
		lits := e.lits[:0]
		for j, v := range r.Scope {
			if j != widest {
				lits = append(lits, -e.lit(v, int(tuple[j])))
			}
		}
		e.clause(append(lits, supports[k]...))
	}
	return nil
}

// key numbers a tuple in mixed radix, last position fastest, leaving out
// position skip (or none if skip is -1).
func key(t []int32, sizes []int64, skip int) int64 {
	var k int64
	for j, x := range t {
		if j != skip {
			k = k*sizes[j] + int64(x)
		}
	}
	return k
}

// unkey is the inverse of key; it leaves t[skip] alone.
func unkey(k int64, sizes []int64, skip int, t []int32) {
	for j := len(t) - 1; j >= 0; j-- {
		if j != skip {
			t[j] = int32(k % sizes[j])
			k /= sizes[j]
		}
	}
}
