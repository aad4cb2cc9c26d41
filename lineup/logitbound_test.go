package lineup

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLogitRhoBound: the bound with chosen ρ is never below the optimum
// found by enumeration, and never above the bound it starts from.
func TestLogitRhoBound(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	for inst := range 300 {
		n, nc := 2+r.IntN(9), 1+r.IntN(25)
		p := &Problem{Customers: nc, Candidates: n, K: 1 + r.IntN(min(3, n)), Rule: Logit, Scale: 0.5 + r.Float64(),
			Utility: make([]float64, nc*n), None: make([]float64, nc), Margin: make([]float64, n), Weight: make([]float64, nc)}
		for x := range p.Utility {
			p.Utility[x] = 2 * r.NormFloat64()
		}
		for i := range nc {
			p.None[i] = r.NormFloat64()
			p.Weight[i] = 0.2 + r.Float64()
		}
		for j := range n {
			p.Margin[j] = 10 * r.Float64()
		}
		if r.IntN(4) == 0 {
			p.Must = []int{r.IntN(n)}
		}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		// Enumeration.
		best := math.Inf(-1)
		set := []int{}
		var rec func(from int)
		rec = func(from int) {
			if len(set) == p.K {
				for _, m := range p.Must {
					found := false
					for _, j := range set {
						found = found || j == m
					}
					if !found {
						return
					}
				}
				best = max(best, p.Objective(set))
				return
			}
			for j := from; j < n; j++ {
				set = append(set, j)
				rec(j + 1)
				set = set[:len(set)-1]
			}
		}
		rec(0)
		sp := newSpace(p, 1)
		root := sp.logitRootBound()
		rho := sp.logitRhoBound(50, best, nil)
		tol := 1e-9 * (1 + math.Abs(best))
		if rho < best-tol {
			t.Fatalf("instance %d: bound %v below the optimum %v", inst, rho, best)
		}
		if root < best-tol {
			t.Fatalf("instance %d: root bound %v below the optimum %v", inst, root, best)
		}
	}
}
