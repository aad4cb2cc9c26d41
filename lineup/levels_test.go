package lineup

import (
	"context"
	"math"
	"testing"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/market"
)

// TestSearchLevelsFindsTheOptimum: on markets small enough to list the
// phones, the search over levels reaches the proven optimum (or very
// nearly), never passes it, keeps every constraint, and its bound is at
// least the optimum.
func TestSearchLevelsFindsTheOptimum(t *testing.T) {
	e := engine(t)
	mdl := e.Model()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"first choice, one per os, ladder", Spec{Prices: []int64{49900, 79900, 99900}, K: 3, EachOf: "os", Ladder: true,
			Choice: market.Options{Rule: market.FirstChoice, None: true}}},
		{"logit, revenue", Spec{Prices: []int64{49900, 69900, 89900}, K: 2, Goal: Revenue,
			Choice: market.Options{Rule: market.Logit, None: true}}},
		{"first choice, parts limit, margin", Spec{Prices: []int64{49900, 79900}, K: 3, MaxParts: 45, MinMarginRate: 0.7,
			Choice: market.Options{Rule: market.FirstChoice, None: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.Engine, spec.Market = e, phoneMarket(e, 3, 80, "size", "main", "storage")
			pr, err := NewProducts(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			opt, err := Solve(ctx, pr.Problem, Options{Method: Exact})
			if err != nil {
				t.Fatal(err)
			}
			lp, sol, err := SearchLevels(ctx, spec, Options{Seed: 2})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("levels %.6g, optimum %.6g (%.3f%%), bound %.6g", sol.Objective, opt.Objective, 100*sol.Objective/opt.Objective, sol.Bound)
			tol := 1e-9 * opt.Objective
			if sol.Objective > opt.Objective+tol || sol.Bound < opt.Objective-tol {
				t.Errorf("objective %v, bound %v, optimum %v", sol.Objective, sol.Bound, opt.Objective)
			}
			if sol.Objective < 0.99*opt.Objective {
				t.Errorf("objective %v is %.2f%% of the optimum %v", sol.Objective, 100*sol.Objective/opt.Objective, opt.Objective)
			}
			rep := lp.Report(sol.Chosen)
			seen := map[string]bool{}
			for _, v := range rep.Variants {
				if !mdl.Valid(v.Config) {
					t.Errorf("%s is not a valid phone", v.Name)
				}
				if got := configurator.Roll(mdl, v.Config).Totals["cost"].IntPart(); got != v.Cost {
					t.Errorf("%s costs %d, its roll-up %d", v.Name, v.Cost, got)
				}
				if seen[v.Name] {
					t.Errorf("%s twice", v.Name)
				}
				seen[v.Name] = true
				if float64(v.Price-v.Cost) < spec.MinMarginRate*float64(v.Price) {
					t.Errorf("%s: margin below %v", v.Name, spec.MinMarginRate)
				}
				for _, w := range rep.Variants {
					if spec.Ladder && v.Cost > w.Cost && v.Price <= w.Price {
						t.Errorf("ladder: %s and %s", v.Name, w.Name)
					}
				}
			}
			if spec.MaxParts > 0 && rep.PartsUsed > spec.MaxParts {
				t.Errorf("%d parts, limit %d", rep.PartsUsed, spec.MaxParts)
			}
			if spec.EachOf == "os" {
				os := map[string]bool{}
				for _, v := range rep.Variants {
					os[v.Levels["os"]] = true
				}
				if len(os) != len(pr.Problem.Groups) {
					t.Errorf("%d operating systems, want %d", len(os), len(pr.Problem.Groups))
				}
			}
		})
	}
}

// TestChooseSearchesLargeSpaces: with too many phones to list, Choose
// searches over levels, and its answer is valid with a bound above it.
func TestChooseSearchesLargeSpaces(t *testing.T) {
	e := engine(t)
	m := phoneMarket(e, 4, 300, "size", "frame", "panel", "refresh", "chipset", "ram", "storage", "main", "tele", "battery", "wired")
	spec := Spec{Engine: e, Market: m, Prices: []int64{49900, 69900, 89900, 109900}, K: 4, EachOf: "os", Ladder: true,
		Choice: market.Options{Rule: market.Logit, None: true}}
	pr, sol, err := Choose(context.Background(), spec, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Method != Levels {
		t.Fatalf("method %s, want %s", sol.Method, Levels)
	}
	rep := pr.Report(sol.Chosen)
	for _, v := range rep.Variants {
		if !e.Model().Valid(v.Config) {
			t.Errorf("%s is not valid", v.Name)
		}
	}
	if len(rep.Variants) != 4 || math.IsInf(sol.Bound, 0) || sol.Bound < sol.Objective || rep.Profit <= 0 {
		t.Errorf("%d variants, objective %v, bound %v, profit %v", len(rep.Variants), sol.Objective, sol.Bound, rep.Profit)
	}
	t.Logf("%d variants, profit %.0f, gap %.1f%%, %.1f s", len(rep.Variants), rep.Profit, 100*sol.Gap, sol.Seconds)
}
