package configurator

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/tailor-c2b/tailor/model"
)

// randomModel builds a small random model with tables, logic rules and
// numeric constraints, for comparing the engine with enumeration.
func randomModel(r *rand.Rand) *model.Model {
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

// allConfigs enumerates every complete configuration of a small model.
func allConfigs(m *model.Model) [][]int {
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

func validConfigs(m *model.Model) [][]int {
	var out [][]int
	for _, c := range allConfigs(m) {
		if m.Valid(c) {
			out = append(out, c)
		}
	}
	return out
}

func agrees(c []int, sel Selection) bool {
	for a, x := range sel {
		if x >= 0 && c[a] != x {
			return false
		}
	}
	return true
}

func randomSelection(r *rand.Rand, m *model.Model) Selection {
	sel := make(Selection, len(m.Attributes))
	for a := range sel {
		sel[a] = -1
		if r.IntN(3) == 0 {
			sel[a] = r.IntN(len(m.Attributes[a].Levels))
		}
	}
	return sel
}

func mustCompile(tb testing.TB, m *model.Model) *Engine {
	tb.Helper()
	e, err := Compile(m, Options{})
	if err != nil {
		tb.Fatalf("compile: %v", err)
	}
	return e
}

// TestPropagateAndCountMatchEnumeration is the central property: on random
// small models, propagation equals the projection of the enumerated valid
// configurations that agree with the selection, and counts equal
// enumeration.
func TestPropagateAndCountMatchEnumeration(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 400; iter++ {
		m := randomModel(r)
		e := mustCompile(t, m)
		valid := validConfigs(m)
		for q := 0; q < 8; q++ {
			sel := randomSelection(r, m)
			want := make([][]bool, len(m.Attributes))
			for a := range want {
				want[a] = make([]bool, len(m.Attributes[a].Levels))
			}
			n := 0
			for _, c := range valid {
				if agrees(c, sel) {
					n++
					for a, l := range c {
						want[a][l] = true
					}
				}
			}
			got, ok := e.Propagate(sel)
			if ok != (n > 0) {
				t.Fatalf("model %d sel %v: consistent = %v, want %v", iter, sel, ok, n > 0)
			}
			if ok {
				for a := range want {
					for l := range want[a] {
						if got[a][l] != want[a][l] {
							t.Fatalf("model %d sel %v: attr %d level %d possible = %v, want %v", iter, sel, a, l, got[a][l], want[a][l])
						}
					}
				}
			}
			if c := e.Count(sel); c.Cmp(big.NewInt(int64(n))) != 0 {
				t.Fatalf("model %d sel %v: count = %v, want %d", iter, sel, c, n)
			}
		}
	}
}

// TestChainedSumsMatchEnumeration forces every numeric constraint through
// the partial-sum chain and compares counts and propagation with
// enumeration.
func TestChainedSumsMatchEnumeration(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	chained := 0
	for iter := 0; iter < 300; iter++ {
		m := randomModel(r)
		var rules []model.Rule
		for _, ru := range m.Rules {
			if ru.Kind == model.Constraint {
				ru.Then.(*model.Compare).Op = model.CmpOp(r.IntN(6))
				rules = append(rules, ru)
			}
		}
		if len(rules) == 0 {
			continue
		}
		m.Rules = rules
		e, err := Compile(m, Options{EnumLimit: 1})
		if err != nil {
			t.Fatalf("compile: %v", err)
		}
		if len(e.p.Vars) > len(m.Attributes) {
			chained++
		}
		valid := validConfigs(m)
		for q := 0; q < 5; q++ {
			sel := randomSelection(r, m)
			n := 0
			want := make([][]bool, len(m.Attributes))
			for a := range want {
				want[a] = make([]bool, len(m.Attributes[a].Levels))
			}
			for _, c := range valid {
				if agrees(c, sel) {
					n++
					for a, l := range c {
						want[a][l] = true
					}
				}
			}
			if c := e.Count(sel); c.Cmp(big.NewInt(int64(n))) != 0 {
				t.Fatalf("model %d sel %v: count = %v, want %d", iter, sel, c, n)
			}
			got, ok := e.Propagate(sel)
			if ok != (n > 0) {
				t.Fatalf("model %d: consistent = %v, want %v", iter, ok, n > 0)
			}
			for a := range want {
				for l := range want[a] {
					if ok && got[a][l] != want[a][l] {
						t.Fatalf("model %d sel %v: attr %d level %d possible = %v, want %v", iter, sel, a, l, got[a][l], want[a][l])
					}
				}
			}
		}
	}
	if chained < 50 {
		t.Fatalf("only %d models used partial-sum chains", chained)
	}
}
