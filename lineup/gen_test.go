package lineup

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Test instances and the brute-force oracle.

// genConjoint draws a first-choice instance the way conjoint studies make
// them: candidates are random profiles over six attributes with costs and
// marked-up prices; customer types have part-worths around means that
// rise with the level, a price sensitivity, noise, and the utility of a
// mid-range competitor as their outside option. Weights sum to 1.
func genConjoint(customers, candidates, k int, seed uint64) *Problem {
	r := rand.New(rand.NewPCG(seed, 0x636f6e6a6f696e74))
	levels := []int{4, 4, 3, 3, 5, 2}
	na := len(levels)
	costs := make([][]float64, na)
	worth := make([][]float64, na)
	for a, l := range levels {
		costs[a] = make([]float64, l)
		worth[a] = make([]float64, l)
		step := 20 + 40*r.Float64()
		value := step / 100 * (0.8 + 0.8*r.Float64())
		for x := 1; x < l; x++ {
			costs[a][x] = costs[a][x-1] + step*(0.7+0.6*r.Float64())
			worth[a][x] = worth[a][x-1] + value*(0.5+r.Float64())
		}
	}
	p := &Problem{Customers: customers, Candidates: candidates, K: k,
		Weight: make([]float64, customers), Utility: make([]float64, customers*candidates),
		None: make([]float64, customers), Margin: make([]float64, candidates), Labels: make([]string, candidates)}
	profile := make([]int, candidates*na)
	price := make([]float64, candidates)
	for j := range candidates {
		cost := 150.0
		for a, l := range levels {
			x := r.IntN(l)
			profile[j*na+a] = x
			cost += costs[a][x]
		}
		price[j] = math.Round(cost * (1.1 + 0.6*r.Float64()))
		p.Margin[j] = price[j] - cost
		p.Labels[j] = fmt.Sprintf("p%03d", j+1)
	}
	rival := 150.0
	for a, l := range levels {
		rival += costs[a][l/2]
	}
	rival = math.Round(rival * 1.35)
	total := 0.0
	for i := range customers {
		beta := make([][]float64, na)
		for a, l := range levels {
			beta[a] = make([]float64, l)
			for x := 1; x < l; x++ {
				beta[a][x] = worth[a][x] * (1 + 0.6*r.NormFloat64())
			}
		}
		alpha := 0.8 * math.Exp(0.4*r.NormFloat64())
		for j := range candidates {
			v := -alpha * price[j] / 100
			for a := range na {
				v += beta[a][profile[j*na+a]]
			}
			p.Utility[i*candidates+j] = v + 0.3*r.NormFloat64()
		}
		v := -alpha * rival / 100
		for a, l := range levels {
			v += beta[a][l/2]
		}
		p.None[i] = v + 0.5*r.NormFloat64()
		p.Weight[i] = -math.Log(1 - r.Float64())
		total += p.Weight[i]
	}
	for i := range p.Weight {
		p.Weight[i] /= total
	}
	return p
}

// genSmall draws a small instance for the oracle tests, of one of several
// kinds: continuous utilities, or small integers so that ties are common;
// margins that may be negative or zero; and random required, forbidden
// and grouped candidates (kept feasible).
func genSmall(r *rand.Rand, rule Rule) *Problem {
	n := 2 + r.IntN(11)
	nc := 1 + r.IntN(30)
	k := 1 + r.IntN(min(4, n))
	p := &Problem{Customers: nc, Candidates: n, K: k, Rule: rule,
		Utility: make([]float64, nc*n), None: make([]float64, nc), Margin: make([]float64, n)}
	ties := r.IntN(3) == 0
	draw := func() float64 {
		if ties {
			return float64(r.IntN(5))
		}
		return r.NormFloat64()
	}
	for x := range p.Utility {
		p.Utility[x] = draw()
	}
	for i := range p.None {
		p.None[i] = draw() - 0.5*r.Float64()
		if ties {
			p.None[i] = math.Round(p.None[i])
		}
	}
	for j := range p.Margin {
		switch r.IntN(8) {
		case 0:
			p.Margin[j] = -r.Float64()
		case 1:
			p.Margin[j] = 0
		default:
			p.Margin[j] = 1 + 9*r.Float64()
			if ties {
				p.Margin[j] = float64(1 + r.IntN(4))
			}
		}
	}
	if r.IntN(2) == 0 {
		p.Weight = make([]float64, nc)
		for i := range p.Weight {
			p.Weight[i] = r.Float64() * 3
		}
	}
	if rule == Logit {
		p.Scale = []float64{0, 0.5, 2}[r.IntN(3)]
	}
	// Constraints, each in a third of the instances; drop them again if
	// they leave nothing feasible.
	if r.IntN(3) == 0 {
		p.Must = []int{r.IntN(n)}
	}
	if r.IntN(3) == 0 {
		for range 1 + r.IntN(2) {
			if j := r.IntN(n); !slices.Contains(p.Must, j) {
				p.Forbid = append(p.Forbid, j)
			}
		}
	}
	if r.IntN(3) == 0 {
		for range 1 + r.IntN(2) {
			var g []int
			for j := range n {
				if r.IntN(3) == 0 {
					g = append(g, j)
				}
			}
			if len(g) > 0 {
				p.Groups = append(p.Groups, g)
			}
		}
	}
	if p.Validate() != nil {
		p.Groups = nil
	}
	if p.Validate() != nil {
		p.Forbid = nil
	}
	return p
}

// bruteForce returns the best objective over every feasible choice, and
// one choice that reaches it.
func bruteForce(p *Problem) (float64, []int) {
	sp := newSpace(p, 1)
	best, arg := math.Inf(-1), []int(nil)
	set := make([]int, 0, p.K)
	mask := make([]bool, p.Candidates)
	var rec func(from int)
	rec = func(from int) {
		if len(set) == p.K {
			for _, j := range sp.must {
				if !mask[j] {
					return
				}
			}
			if sp.canComplete(mask, 0) != yes {
				return
			}
			if v := p.Objective(set); v > best {
				best, arg = v, slices.Clone(set)
			}
			return
		}
		for j := from; j < p.Candidates; j++ {
			if !sp.allowed[j] {
				continue
			}
			set = append(set, j)
			mask[j] = true
			rec(j + 1)
			mask[j] = false
			set = set[:len(set)-1]
		}
	}
	rec(0)
	return best, arg
}
