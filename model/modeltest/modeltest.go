// Package modeltest builds small random product models and enumerates their
// configurations, for property tests that compare fast code with brute force.
package modeltest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
)

// Random builds a small random model with tables, logic rules and
// numeric constraints, for comparing the engine with enumeration.
func Random(r *rand.Rand) *model.Model {
	m := &model.Model{Name: "random", Version: "1", Currency: "EUR"}
	m.Properties = []model.Property{{Name: "cost", Kind: model.Money}, {Name: "vol", Kind: model.Number}}
	na := 2 + r.IntN(5)
	for a := 0; a < na; a++ {
		at := model.Attribute{Name: fmt.Sprintf("a%d", a), Default: -1}
		nl := 1 + r.IntN(4)
		for l := 0; l < nl; l++ {
			at.Levels = append(at.Levels, model.Level{
				Name: fmt.Sprintf("l%d", l),
				Numbers: map[string]model.Decimal{
					"cost": model.Int(int64(r.IntN(50))),
					"vol":  model.Decimal(r.IntN(10)) * model.DecimalScale / 2,
				},
			})
		}
		if r.IntN(2) == 0 {
			at.Default = r.IntN(nl)
		}
		m.Attributes = append(m.Attributes, at)
	}
	test := func() *model.Test {
		a := r.IntN(na)
		t := &model.Test{Attr: m.Attributes[a].Name, A: a, Negate: r.IntN(3) == 0}
		for l := range m.Attributes[a].Levels {
			if r.IntN(2) == 0 || len(t.L) == 0 && l == len(m.Attributes[a].Levels)-1 {
				t.L = append(t.L, l)
				t.Levels = append(t.Levels, m.Attributes[a].Levels[l].Name)
			}
		}
		return t
	}
	for i := r.IntN(4); i > 0; i-- {
		kind := []model.RuleKind{model.Requires, model.Excludes, model.Implies}[r.IntN(3)]
		var cond model.Expr = test()
		if r.IntN(3) == 0 {
			cond = &model.And{Xs: []model.Expr{cond, test()}}
		}
		m.Rules = append(m.Rules, model.Rule{Name: fmt.Sprintf("r%d", len(m.Rules)), Kind: kind, If: cond, Then: test()})
	}
	for i := r.IntN(3); i > 0; i-- {
		k := 2 + r.IntN(2)
		perm := r.Perm(na)
		if k > na {
			k = na
		}
		t := model.Table{Name: fmt.Sprintf("t%d", i), Forbid: r.IntN(4) == 0}
		for _, a := range perm[:k] {
			t.Attrs = append(t.Attrs, m.Attributes[a].Name)
			t.A = append(t.A, a)
		}
		for j := 1 + r.IntN(6); j > 0; j-- {
			var row model.Row
			for _, a := range t.A {
				if r.IntN(4) == 0 {
					row.Cells = append(row.Cells, model.Cell{Any: true})
					continue
				}
				l := r.IntN(len(m.Attributes[a].Levels))
				row.Cells = append(row.Cells, model.Cell{Levels: []string{m.Attributes[a].Levels[l].Name}, L: []int{l}})
			}
			t.Rows = append(t.Rows, row)
		}
		m.Tables = append(m.Tables, t)
	}
	if r.IntN(2) == 0 {
		var sum model.Num
		for a := 0; a < na; a++ {
			if r.IntN(2) == 0 {
				continue
			}
			ref := &model.PropRef{Attr: m.Attributes[a].Name, Prop: "vol", A: a}
			if sum == nil {
				sum = ref
			} else {
				sum = &model.Arith{Op: '+', L: sum, R: ref}
			}
		}
		if sum != nil {
			m.Rules = append(m.Rules, model.Rule{Name: "fit", Kind: model.Constraint,
				Then: &model.Compare{Op: model.LE, L: sum, R: &model.Const{V: model.Int(int64(r.IntN(12)))}}})
		}
	}
	m.Reindex()
	return m
}

// AllConfigs enumerates every complete configuration of a small model.
func AllConfigs(m *model.Model) [][]int {
	var out [][]int
	c := make([]int, len(m.Attributes))
	var rec func(a int)
	rec = func(a int) {
		if a == len(c) {
			out = append(out, append([]int(nil), c...))
			return
		}
		for l := range m.Attributes[a].Levels {
			c[a] = l
			rec(a + 1)
		}
	}
	rec(0)
	return out
}

// ValidConfigs lists the complete configurations the model allows, by
// enumeration: the oracle of the property tests.
func ValidConfigs(m *model.Model) [][]int {
	var out [][]int
	for _, c := range AllConfigs(m) {
		if m.Valid(c) {
			out = append(out, c)
		}
	}
	return out
}

// LowerRandom lowers a random model; half the time it keeps only its numeric
// constraints, with random comparison operators, and forces every one of them
// through partial-sum chains.
func LowerRandom(tb testing.TB, r *rand.Rand, m *model.Model) (*model.Model, *csp.Problem) {
	tb.Helper()
	if r.IntN(2) == 0 {
		var rules []model.Rule
		for _, ru := range m.Rules {
			if ru.Kind == model.Constraint {
				ru.Then.(*model.Compare).Op = model.CmpOp(r.IntN(6))
				rules = append(rules, ru)
			}
		}
		if len(rules) > 0 {
			m.Rules = rules
			p, err := csp.LowerLimit(m, 1)
			if err != nil {
				tb.Fatalf("lower: %v", err)
			}
			return m, p
		}
	}
	p, err := csp.Lower(m)
	if err != nil {
		tb.Fatalf("lower: %v", err)
	}
	return m, p
}
