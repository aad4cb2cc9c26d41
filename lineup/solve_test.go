package lineup

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/errs"
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

// TestSolveMedium: on conjoint-like instances of 100 candidates and 100
// customer types, exact proves an optimum that auto also reaches, every
// bound holds, and annealing comes within 1% of the optimum.
func TestSolveMedium(t *testing.T) {
	for _, tt := range []struct {
		k    int
		seed uint64
	}{{3, 1}, {5, 2}, {5, 3}, {10, 4}} {
		p := genConjoint(100, 100, tt.k, tt.seed)
		ex, err := Solve(context.Background(), p, Options{Method: Exact})
		if err != nil {
			t.Fatal(err)
		}
		if !ex.Proven || ex.Gap != 0 || ex.Nodes == 0 {
			t.Errorf("k=%d: exact not proven: %+v", tt.k, ex)
		}
		for _, m := range []Method{Auto, Greedy, Swap, Anneal} {
			sol, err := Solve(context.Background(), p, Options{Method: m, Seed: tt.seed})
			if err != nil {
				t.Fatal(err)
			}
			checkFeasible(t, p, sol.Chosen)
			if sol.Objective > ex.Objective || sol.Bound < ex.Objective || sol.Gap < 0 {
				t.Errorf("k=%d %s: objective %v, bound %v, gap %v; the optimum is %v", tt.k, m, sol.Objective, sol.Bound, sol.Gap, ex.Objective)
			}
			if m == Auto && (sol.Objective != ex.Objective || !sol.Proven) {
				t.Errorf("k=%d auto: %v (proven %v), want the optimum %v", tt.k, sol.Objective, sol.Proven, ex.Objective)
			}
			if m == Anneal && sol.Objective < 0.99*ex.Objective {
				t.Errorf("k=%d anneal: %v, below 99%% of the optimum %v", tt.k, sol.Objective, ex.Objective)
			}
			t.Logf("k=%d %-6s %.4f of the optimum, gap %.3f", tt.k, m, sol.Objective/ex.Objective, sol.Gap)
		}
	}
}

// TestExactLogitMedium holds exact logit search to enumeration on
// instances too big for the small-instance test, with groups.
func TestExactLogitMedium(t *testing.T) {
	p := genConjoint(30, 24, 3, 9)
	p.Rule, p.Scale = Logit, 1.5
	p.Groups = [][]int{{0, 1, 2, 3, 4, 5}, {20, 21, 22, 23}}
	want, _ := bruteForce(p)
	sol, err := Solve(context.Background(), p, Options{Method: Exact})
	if err != nil {
		t.Fatal(err)
	}
	checkFeasible(t, p, sol.Chosen)
	if !sol.Proven || math.Abs(sol.Objective-want) > 1e-12*want {
		t.Errorf("exact: %v (proven %v), want %v", sol.Objective, sol.Proven, want)
	}
}

// TestReproducible: a seed gives the same answer on one worker or two.
func TestReproducible(t *testing.T) {
	p := genConjoint(80, 120, 6, 11)
	for _, m := range []Method{Anneal, Auto} {
		var first *Solution
		for _, w := range []int{1, 2, 3} {
			sol, err := Solve(context.Background(), p, Options{Method: m, Seed: 99, Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = sol
				continue
			}
			if !slices.Equal(sol.Chosen, first.Chosen) || sol.Objective != first.Objective || sol.Bound != first.Bound {
				t.Errorf("%s with %d workers: %v (%v, bound %v); with 1: %v (%v, bound %v)",
					m, w, sol.Chosen, sol.Objective, sol.Bound, first.Chosen, first.Objective, first.Bound)
			}
		}
	}
}

// TestTimeLimit: exact search stopped by its time limit answers in time
// with an unproven solution and a valid bound and gap.
func TestTimeLimit(t *testing.T) {
	p := genConjoint(300, 300, 10, 12)
	// What exact search does before its limit can bite: the swap
	// solution and the root bound.
	start := time.Now()
	if _, err := Solve(context.Background(), p, Options{Method: Swap}); err != nil {
		t.Fatal(err)
	}
	before := time.Since(start)
	start = time.Now()
	var calls int
	var last float64
	sol, err := Solve(context.Background(), p, Options{Method: Exact, Time: 200 * time.Millisecond,
		Progress: func(frac, best float64) { calls++; last = frac }})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 2*before+time.Second {
		t.Errorf("took %v with a limit of 200ms (%v before the search)", el, before)
	}
	an, err := Solve(context.Background(), p, Options{Method: Anneal, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Proven || sol.Bound < max(sol.Objective, an.Objective) || sol.Gap <= 0 || math.IsInf(sol.Bound, 0) {
		t.Errorf("stopped exact: proven %v, objective %v, bound %v, gap %v (annealing found %v)", sol.Proven, sol.Objective, sol.Bound, sol.Gap, an.Objective)
	}
	if calls == 0 || last != 1 {
		t.Errorf("progress called %d times, last with %v; want at least once, ending at 1", calls, last)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := genConjoint(50, 50, 4, 1)
	for _, m := range []Method{Exact, Anneal, Auto} {
		if _, err := Solve(ctx, p, Options{Method: m}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", m, err)
		}
	}
}

func TestSolveOptions(t *testing.T) {
	p := genConjoint(5, 5, 2, 1)
	for _, opts := range []Options{{Method: "best"}, {Workers: -1}, {Time: -time.Second}} {
		if _, err := Solve(context.Background(), p, opts); errs.Code(err) != errs.Invalid {
			t.Errorf("Solve with %+v: %v, want invalid", opts, err)
		}
	}
	p.K = 0
	if _, err := Solve(context.Background(), p, Options{}); errs.Code(err) != errs.Invalid {
		t.Errorf("Solve with K = 0: %v, want invalid", err)
	}
}

// TestAllMarginsNegative: when every choice loses money, the methods still
// find the least bad one, and the solution (gap included) encodes as JSON.
func TestAllMarginsNegative(t *testing.T) {
	for _, rule := range []Rule{FirstChoice, Logit} {
		p := genConjoint(20, 15, 2, 3)
		p.Rule = rule
		for j := range p.Margin {
			p.Margin[j] = -1 - float64(j%4)
		}
		want, _ := bruteForce(p)
		for _, m := range []Method{Exact, Auto, Greedy, Swap, Anneal} {
			sol, err := Solve(context.Background(), p, Options{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			if sol.Objective > want+1e-12 || sol.Bound < want-1e-12 || math.IsInf(sol.Gap, 0) || math.IsNaN(sol.Gap) {
				t.Errorf("%s %s: objective %v, bound %v, gap %v; the optimum is %v", rule, m, sol.Objective, sol.Bound, sol.Gap, want)
			}
			if (m == Exact || m == Auto) && math.Abs(sol.Objective-want) > 1e-12*math.Abs(want) {
				t.Errorf("%s %s: objective %v, want %v", rule, m, sol.Objective, want)
			}
			if _, err := json.Marshal(sol); err != nil {
				t.Errorf("%s %s: %v", rule, m, err)
			}
		}
	}
}
