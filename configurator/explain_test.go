package configurator

import (
	"math/rand/v2"
	"testing"

	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modeltest"
)

// holdsUnder reports whether a configuration satisfies the given origins
// (rules and tables) of a problem.
func holdsUnder(p *csp.Problem, origins []int, c []int) bool {
	m := p.Model
	for _, o := range origins {
		or := p.Origins[o]
		if or.Kind == csp.FromRule && !m.Rules[or.Index].Holds(m, c) {
			return false
		}
		if or.Kind == csp.FromTable && !m.Tables[or.Index].Holds(c) {
			return false
		}
	}
	return true
}

func possibleUnder(p *csp.Problem, origins []int, sel Selection, all [][]int) bool {
	for _, c := range all {
		if agrees(c, sel) && holdsUnder(p, origins, c) {
			return true
		}
	}
	return false
}

func TestExplainIsMinimalAndRepairIsSmallest(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	explained := 0
	for iter := 0; iter < 300; iter++ {
		m := modeltest.Random(r)
		e := mustCompile(t, m)
		all := modeltest.AllConfigs(m)
		valid := modeltest.ValidConfigs(m)
		allOrigins := make([]int, len(e.p.Origins))
		for i := range allOrigins {
			allOrigins[i] = i
		}
		for q := 0; q < 4; q++ {
			sel := randomSelection(r, m)
			a := r.IntN(len(m.Attributes))
			l := r.IntN(len(m.Attributes[a].Levels))
			x := e.Explain(sel, a, l)
			trial := append(Selection(nil), sel...)
			trial[a] = l
			possible := possibleUnder(e.p, allOrigins, trial, all)
			if x.Excluded == possible {
				t.Fatalf("model %d: excluded = %v, but possible = %v", iter, x.Excluded, possible)
			}
			if !x.Excluded {
				continue
			}
			explained++
			// Because excludes the level, and each member is needed.
			because := e.NewSelection()
			because[a] = l
			for _, b := range x.Because {
				because[b] = sel[b]
			}
			if possibleUnder(e.p, allOrigins, because, all) {
				t.Fatalf("model %d: because %v does not exclude %d=%d", iter, x.Because, a, l)
			}
			for _, b := range x.Because {
				v := because[b]
				because[b] = -1
				if !possibleUnder(e.p, allOrigins, because, all) {
					t.Fatalf("model %d: because %v is not minimal: %d is not needed", iter, x.Because, b)
				}
				because[b] = v
			}
			// The rules with those selections exclude the level, minimally.
			if !x.RulesComplete {
				t.Fatalf("model %d: rule search ran out of budget", iter)
			}
			if possibleUnder(e.p, x.Rules, because, all) {
				t.Fatalf("model %d: rules %v do not exclude the level", iter, x.Rules)
			}
			for i := range x.Rules {
				fewer := append(append([]int(nil), x.Rules[:i]...), x.Rules[i+1:]...)
				if !possibleUnder(e.p, fewer, because, all) {
					t.Fatalf("model %d: rules %v not minimal", iter, x.Rules)
				}
			}
			// The repair is valid and as small as possible.
			best := -1
			for _, c := range valid {
				if c[a] != l {
					continue
				}
				d := 0
				for b, v := range sel {
					if v >= 0 && b != a && c[b] != v {
						d++
					}
				}
				if best < 0 || d < best {
					best = d
				}
			}
			if x.Possible != (best >= 0) {
				t.Fatalf("model %d: repair possible = %v, want %v", iter, x.Possible, best >= 0)
			}
			if best >= 0 {
				if len(x.Repair) != best {
					t.Fatalf("model %d: repair has %d changes, want %d", iter, len(x.Repair), best)
				}
				fixed := append(Selection(nil), trial...)
				for _, ch := range x.Repair {
					fixed[ch.Attr] = ch.To
				}
				if !e.Consistent(fixed) {
					t.Fatalf("model %d: repaired selection %v is inconsistent", iter, fixed)
				}
			}
		}
	}
	if explained < 100 {
		t.Fatalf("only %d explanations exercised", explained)
	}
}

func TestCompleteIsValidAndOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 300; iter++ {
		m := modeltest.Random(r)
		e := mustCompile(t, m)
		valid := modeltest.ValidConfigs(m)
		sel := randomSelection(r, m)
		for _, obj := range []Objective{{Goal: Cheapest, Property: "cost"}, {Goal: Maximize, Property: "vol"}, {Goal: Defaults}} {
			got, ok, err := e.Complete(sel, obj)
			if err != nil {
				t.Fatal(err)
			}
			score := func(c []int) cost {
				var s cost
				for a, l := range c {
					at := m.Attributes[a]
					nd := int64(0)
					if at.Default >= 0 && l != at.Default {
						nd = 1
					}
					switch obj.Goal {
					case Cheapest:
						s = s.plus(cost{int64(at.Levels[l].Numbers["cost"]), nd})
					case Maximize:
						s = s.plus(cost{-int64(at.Levels[l].Numbers["vol"]), nd})
					default:
						s = s.plus(cost{nd, int64(at.Levels[l].Numbers["cost"])})
					}
				}
				return s
			}
			var best []int
			for _, c := range valid {
				if agrees(c, sel) && (best == nil || score(c).less(score(best))) {
					best = c
				}
			}
			if ok != (best != nil) {
				t.Fatalf("model %d: complete ok = %v, want %v", iter, ok, best != nil)
			}
			if !ok {
				continue
			}
			if !m.Valid(got) || !agrees(got, sel) {
				t.Fatalf("model %d: completion %v is not valid or ignores the selection", iter, got)
			}
			if score(got) != score(best) {
				t.Fatalf("model %d %v: completion scores %v, best %v", iter, obj, score(got), score(best))
			}
		}
	}
}

func TestConflictIsMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	seen := 0
	for iter := 0; iter < 300; iter++ {
		m := modeltest.Random(r)
		e := mustCompile(t, m)
		sel := randomSelection(r, m)
		c := e.Conflict(sel)
		if e.Consistent(sel) {
			if c != nil {
				t.Fatalf("conflict %v for a consistent selection", c)
			}
			continue
		}
		seen++
		sub := e.NewSelection()
		for _, b := range c {
			sub[b] = sel[b]
		}
		if e.Consistent(sub) {
			t.Fatalf("conflict %v is consistent", c)
		}
		for _, b := range c {
			sub[b] = -1
			if !e.Consistent(sub) {
				t.Fatalf("conflict %v is not minimal", c)
			}
			sub[b] = sel[b]
		}
	}
	if seen < 30 {
		t.Fatalf("only %d conflicts exercised", seen)
	}
}

var _ = model.Int

// TestCompleteExtremeRollups: for a property rolled up by max or min, a
// completion minimising or maximising it reaches the best roll-up over all
// valid configurations.
func TestCompleteExtremeRollups(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for iter := 0; iter < 300; iter++ {
		m := modeltest.Random(r)
		rollup := []model.Rollup{model.Max, model.Min}[r.IntN(2)]
		m.Properties[1].Rollup = rollup
		m.Reindex()
		e := mustCompile(t, m)
		sel := randomSelection(r, m)
		roll := func(c []int) model.Decimal { return Roll(m, c).Totals["vol"] }
		for _, goal := range []Goal{Minimize, Maximize} {
			got, ok, err := e.Complete(sel, Objective{Goal: goal, Property: "vol"})
			if err != nil {
				t.Fatal(err)
			}
			var best []int
			for _, c := range modeltest.ValidConfigs(m) {
				if !agrees(c, sel) {
					continue
				}
				if best == nil || (goal == Minimize && roll(c) < roll(best)) || (goal == Maximize && roll(c) > roll(best)) {
					best = c
				}
			}
			if ok != (best != nil) {
				t.Fatalf("model %d: ok = %v, want %v", iter, ok, best != nil)
			}
			if !ok {
				continue
			}
			if !m.Valid(got) || !agrees(got, sel) {
				t.Fatalf("model %d: completion invalid", iter)
			}
			if roll(got) != roll(best) {
				t.Fatalf("model %d rollup %v goal %v: completion rolls up to %v, best %v", iter, rollup, goal, roll(got), roll(best))
			}
		}
	}
}
