package lineup_test

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
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/lineup/lineupgen"
)

// TestSolveAgainstBruteForce holds every method to the optimum found by
// enumeration on many small random instances, with ties, negative margins
// and constraints: exact finds it, the heuristics never pass it, every
// bound is at least it, and every answer is feasible.
func TestSolveAgainstBruteForce(t *testing.T) {
	for _, rule := range []lineup.Rule{lineup.FirstChoice, lineup.Logit} {
		t.Run(rule.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(42, uint64(rule)))
			const instances = 400
			ratio := map[lineup.Method]float64{}
			exactHits := map[lineup.Method]int{}
			for inst := range instances {
				p := lineupgen.Small(r, rule)
				if err := p.Validate(); err != nil {
					t.Fatalf("instance %d: %v", inst, err)
				}
				want, arg := lineupgen.BruteForce(p)
				tol := 1e-9 * (1 + math.Abs(want))
				for _, m := range []lineup.Method{lineup.Exact, lineup.Greedy, lineup.Swap, lineup.Anneal, lineup.Auto} {
					sol, err := lineup.Solve(context.Background(), p, lineup.Options{Method: m, Seed: uint64(inst)})
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
					if m == lineup.Exact || m == lineup.Auto {
						if !sol.Proven {
							t.Errorf("instance %d, %s: not proven", inst, m)
						}
						// First choice: exactly the optimum. Logit: the
						// same up to the order of the sums, as sets of
						// identical candidates are worth the same.
						if sol.Objective != want && (rule == lineup.FirstChoice || math.Abs(sol.Objective-want) > 1e-12*math.Abs(want)) {
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
			for _, m := range []lineup.Method{lineup.Greedy, lineup.Swap, lineup.Anneal} {
				mean := ratio[m] / instances
				t.Logf("%s: mean %.4f of the optimum, optimal in %d of %d", m, mean, exactHits[m], instances)
				if floor := map[lineup.Method]float64{lineup.Greedy: 0.9, lineup.Swap: 0.97, lineup.Anneal: 0.99}[m]; mean < floor {
					t.Errorf("%s: mean %.4f of the optimum, want at least %.2f", m, mean, floor)
				}
			}
		})
	}
}

// checkFeasible fails t unless chosen is a valid answer to p.
func checkFeasible(t *testing.T, p *lineup.Problem, chosen []int) {
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
		p := lineupgen.Conjoint(lineupgen.Params{Candidates: 100, Customers: 100, K: tt.k, Seed: tt.seed})
		ex, err := lineup.Solve(context.Background(), p, lineup.Options{Method: lineup.Exact})
		if err != nil {
			t.Fatal(err)
		}
		if !ex.Proven || ex.Gap != 0 || ex.Nodes == 0 {
			t.Errorf("k=%d: exact not proven: %+v", tt.k, ex)
		}
		for _, m := range []lineup.Method{lineup.Auto, lineup.Greedy, lineup.Swap, lineup.Anneal} {
			sol, err := lineup.Solve(context.Background(), p, lineup.Options{Method: m, Seed: tt.seed})
			if err != nil {
				t.Fatal(err)
			}
			checkFeasible(t, p, sol.Chosen)
			if sol.Objective > ex.Objective || sol.Bound < ex.Objective || sol.Gap < 0 {
				t.Errorf("k=%d %s: objective %v, bound %v, gap %v; the optimum is %v", tt.k, m, sol.Objective, sol.Bound, sol.Gap, ex.Objective)
			}
			if m == lineup.Auto && (sol.Objective != ex.Objective || !sol.Proven) {
				t.Errorf("k=%d auto: %v (proven %v), want the optimum %v", tt.k, sol.Objective, sol.Proven, ex.Objective)
			}
			if m == lineup.Anneal && sol.Objective < 0.99*ex.Objective {
				t.Errorf("k=%d anneal: %v, below 99%% of the optimum %v", tt.k, sol.Objective, ex.Objective)
			}
			t.Logf("k=%d %-6s %.4f of the optimum, gap %.3f", tt.k, m, sol.Objective/ex.Objective, sol.Gap)
		}
	}
}

// TestExactLogitMedium holds exact logit search to enumeration on
// instances too big for the small-instance test, with groups.
func TestExactLogitMedium(t *testing.T) {
	p := lineupgen.Conjoint(lineupgen.Params{Candidates: 24, Customers: 30, K: 3, Seed: 9})
	p.Rule, p.Scale = lineup.Logit, 1.5
	p.Groups = [][]int{{0, 1, 2, 3, 4, 5}, {20, 21, 22, 23}}
	want, _ := lineupgen.BruteForce(p)
	sol, err := lineup.Solve(context.Background(), p, lineup.Options{Method: lineup.Exact})
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
	p := lineupgen.Conjoint(lineupgen.Params{Candidates: 120, Customers: 80, K: 6, Seed: 11})
	for _, m := range []lineup.Method{lineup.Anneal, lineup.Auto} {
		var first *lineup.Solution
		for _, w := range []int{1, 2, 3} {
			sol, err := lineup.Solve(context.Background(), p, lineup.Options{Method: m, Seed: 99, Workers: w})
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
	p := lineupgen.Conjoint(lineupgen.Params{Candidates: 300, Customers: 300, K: 10, Seed: 12})
	// What exact search does before its limit can bite: the swap
	// solution and the root bound.
	start := time.Now()
	if _, err := lineup.Solve(context.Background(), p, lineup.Options{Method: lineup.Swap}); err != nil {
		t.Fatal(err)
	}
	before := time.Since(start)
	start = time.Now()
	var calls int
	var last float64
	sol, err := lineup.Solve(context.Background(), p, lineup.Options{Method: lineup.Exact, Time: 200 * time.Millisecond,
		Progress: func(frac, best float64) { calls++; last = frac }})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 2*before+time.Second {
		t.Errorf("took %v with a limit of 200ms (%v before the search)", el, before)
	}
	an, err := lineup.Solve(context.Background(), p, lineup.Options{Method: lineup.Anneal, Seed: 1})
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
	p := lineupgen.Conjoint(lineupgen.Params{Candidates: 50, Customers: 50, K: 4, Seed: 1})
	for _, m := range []lineup.Method{lineup.Exact, lineup.Anneal, lineup.Auto} {
		if _, err := lineup.Solve(ctx, p, lineup.Options{Method: m}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", m, err)
		}
	}
}

func TestSolveOptions(t *testing.T) {
	p := lineupgen.Conjoint(lineupgen.Params{Candidates: 5, Customers: 5, K: 2, Seed: 1})
	for _, opts := range []lineup.Options{{Method: "best"}, {Workers: -1}, {Time: -time.Second}} {
		if _, err := lineup.Solve(context.Background(), p, opts); errs.Code(err) != errs.Invalid {
			t.Errorf("Solve with %+v: %v, want invalid", opts, err)
		}
	}
	p.K = 0
	if _, err := lineup.Solve(context.Background(), p, lineup.Options{}); errs.Code(err) != errs.Invalid {
		t.Errorf("Solve with K = 0: %v, want invalid", err)
	}
}

// TestAllMarginsNegative: when every choice loses money, the methods still
// find the least bad one, and the solution (gap included) encodes as JSON.
func TestAllMarginsNegative(t *testing.T) {
	for _, rule := range []lineup.Rule{lineup.FirstChoice, lineup.Logit} {
		p := lineupgen.Conjoint(lineupgen.Params{Candidates: 15, Customers: 20, K: 2, Seed: 3})
		p.Rule = rule
		for j := range p.Margin {
			p.Margin[j] = -1 - float64(j%4)
		}
		want, _ := lineupgen.BruteForce(p)
		for _, m := range []lineup.Method{lineup.Exact, lineup.Auto, lineup.Greedy, lineup.Swap, lineup.Anneal} {
			sol, err := lineup.Solve(context.Background(), p, lineup.Options{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			if sol.Objective > want+1e-12 || sol.Bound < want-1e-12 || math.IsInf(sol.Gap, 0) || math.IsNaN(sol.Gap) {
				t.Errorf("%s %s: objective %v, bound %v, gap %v; the optimum is %v", rule, m, sol.Objective, sol.Bound, sol.Gap, want)
			}
			if (m == lineup.Exact || m == lineup.Auto) && math.Abs(sol.Objective-want) > 1e-12*math.Abs(want) {
				t.Errorf("%s %s: objective %v, want %v", rule, m, sol.Objective, want)
			}
			if _, err := json.Marshal(sol); err != nil {
				t.Errorf("%s %s: %v", rule, m, err)
			}
		}
	}
}
