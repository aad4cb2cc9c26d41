package lineup

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tailor-c2b/tailor/errs"
)

// sideInstance draws a small instance with side constraints: candidates
// are phones at two or three prices, with costs, a ladder and parts.
func sideInstance(r *rand.Rand, rule Rule) *Problem {
	phones := 2 + r.IntN(5)
	var p Problem
	p.Rule, p.Ladder = rule, r.IntN(3) > 0
	for ph := range phones {
		cost := float64(100 + r.IntN(4)*50)
		parts := []int{r.IntN(3), 3 + r.IntN(3), 6 + r.IntN(2)}
		for x := range 2 + r.IntN(2) {
			p.Phone = append(p.Phone, ph)
			price := cost + float64(40+60*x+r.IntN(30))
			p.Price = append(p.Price, price)
			p.Cost = append(p.Cost, cost)
			p.Margin = append(p.Margin, price-cost)
			p.Parts = append(p.Parts, parts)
		}
	}
	p.Candidates = len(p.Phone)
	p.Customers = 1 + r.IntN(25)
	p.K = 1 + r.IntN(min(3, phones))
	if r.IntN(2) == 0 {
		p.MaxParts = 3 + r.IntN(5)
	}
	for i := range p.Customers {
		p.None = append(p.None, r.NormFloat64())
		sens := 0.01 + 0.02*r.Float64()
		for j := range p.Candidates {
			p.Utility = append(p.Utility, r.NormFloat64()+p.Cost[j]*0.01-sens*(p.Price[j]-p.Cost[j]))
		}
		_ = i
	}
	if r.IntN(4) == 0 {
		p.Must = []int{r.IntN(p.Candidates)}
	}
	return &p
}

// sideBruteForce returns the best K-set that keeps every constraint, -Inf
// when there is none.
func sideBruteForce(p *Problem) float64 {
	best := math.Inf(-1)
	set := make([]int, 0, p.K)
	var rec func(from int)
	rec = func(from int) {
		if len(set) == p.K {
			for _, j := range p.Must {
				if !slices.Contains(set, j) {
					return
				}
			}
			if !newSide(p).feasible(set) {
				return
			}
			best = max(best, p.Objective(set))
			return
		}
		for j := from; j < p.Candidates; j++ {
			set = append(set, j)
			rec(j + 1)
			set = set[:len(set)-1]
		}
	}
	rec(0)
	return best
}

// TestSideConstraintsAgainstBruteForce: every answer keeps the side
// constraints, exact and auto find the constrained optimum, no method
// passes it and every bound is at least it.
func TestSideConstraintsAgainstBruteForce(t *testing.T) {
	for _, rule := range []Rule{FirstChoice, Logit} {
		t.Run(rule.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(rule)))
			solved := 0
			for inst := range 300 {
				p := sideInstance(r, rule)
				if err := p.Validate(); err != nil {
					continue // the required candidate breaks the parts limit
				}
				want := sideBruteForce(p)
				for _, m := range []Method{Exact, Auto, Greedy, Swap, Anneal} {
					sol, err := Solve(context.Background(), p, Options{Method: m, Seed: uint64(inst)})
					if math.IsInf(want, -1) {
						if err == nil {
							t.Fatalf("instance %d, %s: chose %v, but no lineup keeps the constraints", inst, m, sol.Chosen)
						}
						continue
					}
					if err != nil {
						if m == Exact || m == Auto {
							t.Fatalf("instance %d, %s: %v (optimum %v)", inst, m, err, want)
						}
						// A greedy start may stop short where a lineup exists.
						if errs.Code(err) != errs.Invalid {
							t.Fatalf("instance %d, %s: %v", inst, m, err)
						}
						continue
					}
					if len(sol.Chosen) != p.K || !newSide(p).feasible(sol.Chosen) {
						t.Fatalf("instance %d, %s: %v breaks the constraints", inst, m, sol.Chosen)
					}
					tol := 1e-9 * (1 + math.Abs(want))
					if sol.Objective > want+tol || sol.Bound < want-tol {
						t.Errorf("instance %d, %s: objective %v, bound %v, optimum %v", inst, m, sol.Objective, sol.Bound, want)
					}
					if (m == Exact || m == Auto) && math.Abs(sol.Objective-want) > tol {
						t.Errorf("instance %d, %s: objective %v, want the optimum %v", inst, m, sol.Objective, want)
					}
				}
				solved++
			}
			if solved < 200 {
				t.Errorf("only %d instances were valid", solved)
			}
		})
	}
}

func TestSideValidate(t *testing.T) {
	base := func() *Problem {
		return &Problem{Customers: 1, Candidates: 3, K: 2, Utility: []float64{1, 2, 3}, None: []float64{0},
			Margin: []float64{1, 1, 1}, Phone: []int{0, 0, 1}, Price: []float64{10, 20, 30}, Cost: []float64{5, 5, 8},
			Parts: [][]int{{0, 1}, {0, 1}, {2, 3}}}
	}
	for _, tc := range []struct {
		name   string
		change func(*Problem)
	}{
		{"phones", func(p *Problem) { p.Phone = []int{0} }},
		{"ladder without prices", func(p *Problem) { p.Ladder, p.Price = true, nil }},
		{"negative parts limit", func(p *Problem) { p.MaxParts = -1 }},
		{"negative part", func(p *Problem) { p.MaxParts, p.Parts[0] = 2, []int{-1} }},
		{"required twice one phone", func(p *Problem) { p.Must = []int{0, 1} }},
		{"required over the parts limit", func(p *Problem) { p.MaxParts, p.Must = 3, []int{0, 2} }},
	} {
		p := base()
		if err := p.Validate(); err != nil {
			t.Fatalf("base: %v", err)
		}
		tc.change(p)
		if err := p.Validate(); errs.Code(err) != errs.Invalid {
			t.Errorf("%s: got %v, want invalid", tc.name, err)
		}
	}
	p := base()
	p.MaxParts = 3
	if _, err := Solve(context.Background(), p, Options{}); errs.Code(err) != errs.Invalid {
		t.Errorf("two phones need 4 parts, the limit is 3: got %v, want invalid", err)
	}
	if got := p.PartsUsed([]int{0, 2}); got != 4 {
		t.Errorf("PartsUsed = %d, want 4", got)
	}
}
