package configurator

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modeltest"
)

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
		m := modeltest.Random(r)
		e := mustCompile(t, m)
		valid := modeltest.ValidConfigs(m)
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
		m := modeltest.Random(r)
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
		valid := modeltest.ValidConfigs(m)
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
