package lineup

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSolveAgainstBruteForce holds every method to the optimum found by
// enumeration on many small random instances, with ties, negative margins
// and constraints: exact finds it, the heuristics never pass it, every
// bound is at least it, and every answer is feasible.
func TestSolveAgainstBruteForce(t *testing.T) {
	for _, rule := range []Rule{FirstChoice, Logit} {
		t.Run(rule.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(42, uint64(rule)))
			const instances = 400
			ratio := map[Method]float64{}
			exactHits := map[Method]int{}
			for inst := range instances {
				p := genSmall(r, rule)
				if err := p.Validate(); err != nil {
					t.Fatalf("instance %d: %v", inst, err)
				}
				want, arg := bruteForce(p)
				tol := 1e-9 * (1 + math.Abs(want))
				for _, m := range []Method{Exact, Greedy, Swap, Anneal, Auto} {
					sol, err := Solve(context.Background(), p, Options{Method: m, Seed: uint64(inst)})
					if err != nil {
						t.Fatalf("instance %d, %s: %v", inst, m, err)
					}
					checkFeasible(t, p, sol.Chosen)
					if got := p.Objective(sol.Chosen); got != sol.Objective {
						t.Errorf("instance %d, %s: objective %v, but the chosen set is worth %v", inst, m, sol.Objective, got)
					}
					if sol.Objective > want+tol {
						t.Errorf("instance %d, %s: objective %v beats the brute-force optimum %v", inst, m, sol.Objective, want)
					}
					if sol.Bound < want-tol {
						t.Errorf("instance %d, %s: bound %v below the optimum %v", inst, m, sol.Bound, want)
					}
					if m == Exact || m == Auto {
						if !sol.Proven {
							t.Errorf("instance %d, %s: not proven", inst, m)
						}
						// First choice: exactly the optimum. Logit: the
						// same up to the order of the sums, as sets of
						// identical candidates are worth the same.
						if sol.Objective != want && (rule == FirstChoice || math.Abs(sol.Objective-want) > 1e-12*math.Abs(want)) {
							t.Errorf("instance %d, %s: objective %v, want the optimum %v (%v, brute force chose %v)\n%+v",
								inst, m, sol.Objective, want, sol.Chosen, arg, p)
						}
					}
					if want > 0 {
						ratio[m] += sol.Objective / want
					} else {
						ratio[m]++
					}
					if sol.Objective >= want-tol {
						exactHits[m]++
					}
				}
			}
			for _, m := range []Method{Greedy, Swap, Anneal} {
				mean := ratio[m] / instances
				t.Logf("%s: mean %.4f of the optimum, optimal in %d of %d", m, mean, exactHits[m], instances)
				if floor := map[Method]float64{Greedy: 0.9, Swap: 0.97, Anneal: 0.99}[m]; mean < floor {
					t.Errorf("%s: mean %.4f of the optimum, want at least %.2f", m, mean, floor)
				}
			}
		})
	}
}

// checkFeasible fails t unless chosen is a valid answer to p.
func checkFeasible(t *testing.T, p *Problem, chosen []int) {
	t.Helper()
	if len(chosen) != p.K {
		t.Fatalf("chose %d candidates, want K = %d", len(chosen), p.K)
	}
	if !slices.IsSorted(chosen) {
		t.Errorf("chosen %v not sorted", chosen)
	}
	mask := make([]bool, p.Candidates)
	for _, j := range chosen {
		if j < 0 || j >= p.Candidates || mask[j] {
			t.Fatalf("chosen %v: bad or repeated candidate %d", chosen, j)
		}
		mask[j] = true
	}
	for _, j := range p.Must {
		if !mask[j] {
			t.Errorf("chosen %v lacks required %d", chosen, j)
		}
	}
	for _, j := range p.Forbid {
		if mask[j] {
			t.Errorf("chosen %v has forbidden %d", chosen, j)
		}
	}
	for g, grp := range p.Groups {
		if !slices.ContainsFunc(grp, func(j int) bool { return mask[j] }) {
			t.Errorf("chosen %v misses group %d %v", chosen, g, grp)
		}
	}
}
