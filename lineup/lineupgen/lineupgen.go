// Package lineupgen generates product-line problems (lineup.Problem) for
// tests and benchmarks: instances shaped like the output of a conjoint
// study (Conjoint), small random instances with ties, negative margins
// and constraints (Small), and the brute-force optimum that holds the
// solvers to account on the small ones (BruteForce). Generation is
// deterministic: the same arguments give the same problem.
package lineupgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/tailor-c2b/tailor/lineup"
)

// Params describe a Conjoint instance. K does not enter the draws: the
// same sizes and seed give the same market for every K.
type Params struct {
	Candidates int
	Customers  int // customer types
	K          int // variants to choose
	Seed       uint64
}

// Name returns a short name for the instance, e.g. "100x100-k5-s1":
// candidates × customer types, K and the seed.
func (p Params) Name() string {
	return fmt.Sprintf("%dx%d-k%d-s%d", p.Candidates, p.Customers, p.K, p.Seed)
}

// Levels are the level counts of the six attributes that make up a
// Conjoint candidate (think screen, memory, camera, battery, finish, 5G).
var Levels = []int{4, 4, 3, 3, 5, 2}

// BaseCost is what a Conjoint candidate costs before its attribute levels.
const BaseCost = 150.0

// Conjoint draws a first-choice instance the way conjoint studies produce
// them, in the spirit of the synthetic instances of Bertsimas and Mišić
// (2019) but from part-worths rather than uniform random rankings:
//
//   - Every attribute of Levels gets a cost step of 20 to 60 per level up
//     (each step varied by ±30 %) and a population mean part-worth that
//     rises with the level, about in proportion to the cost.
//   - Each candidate is a random profile, one level per attribute, with a
//     cost (BaseCost plus its levels' costs) and a price (the cost times a
//     random markup of 10 to 70 %, rounded to a whole unit). Its margin is
//     price minus cost, so always positive; it is labelled p001, p002, ...
//   - Each customer type has part-worths drawn around the population means
//     (a normal factor with a standard deviation of 60 %, so higher levels
//     are worth more on average but not to everyone), a log-normal price
//     sensitivity (median 0.8 per 100 units of price), and a weight, its
//     share of the market: exponential draws normalised to sum to 1.
//   - A type's utility of a candidate is the sum of its part-worths for the
//     candidate's levels minus price sensitivity times price, plus a
//     normal idiosyncratic term (standard deviation 0.3).
//   - The outside option (None) is the type's utility of a mid-range
//     competitor: the middle level of every attribute at a 35 % markup,
//     plus normal noise (standard deviation 0.5). Depending on the seed,
//     types prefer 30 to 55 % of the candidates to it on average (some
//     few, some nearly all).
//
// Utilities are continuous, so ties occur with probability zero. The rule
// is first choice, and the objective the expected margin per customer.
// The problem is valid when the sizes are positive and K is at most the
// number of candidates.
func Conjoint(p Params) *lineup.Problem {
	r := rand.New(rand.NewPCG(p.Seed, 0x636f6e6a6f696e74))
	na := len(Levels)
	costs := make([][]float64, na)
	worth := make([][]float64, na)
	for a, l := range Levels {
		costs[a] = make([]float64, l)
		worth[a] = make([]float64, l)
		step := 20 + 40*r.Float64()
		value := step / 100 * (0.8 + 0.8*r.Float64())
		for x := 1; x < l; x++ {
			costs[a][x] = costs[a][x-1] + step*(0.7+0.6*r.Float64())
			worth[a][x] = worth[a][x-1] + value*(0.5+r.Float64())
		}
	}
	n, nc := p.Candidates, p.Customers
	q := &lineup.Problem{
		Customers: nc, Candidates: n, K: p.K, Rule: lineup.FirstChoice,
		Weight:  make([]float64, nc),
		Utility: make([]float64, nc*n),
		None:    make([]float64, nc),
		Margin:  make([]float64, n),
		Labels:  make([]string, n),
	}
	profile := make([]int, n*na)
	price := make([]float64, n)
	for j := range n {
		cost := BaseCost
		for a, l := range Levels {
			x := r.IntN(l)
			profile[j*na+a] = x
			cost += costs[a][x]
		}
		price[j] = math.Round(cost * (1.1 + 0.6*r.Float64()))
		q.Margin[j] = price[j] - cost
		q.Labels[j] = fmt.Sprintf("p%03d", j+1)
	}
	rival := BaseCost
	for a, l := range Levels {
		rival += costs[a][l/2]
	}
	rival = math.Round(rival * 1.35)
	beta := make([][]float64, na)
	for a, l := range Levels {
		beta[a] = make([]float64, l)
	}
	total := 0.0
	for i := range nc {
		for a, l := range Levels {
			for x := 1; x < l; x++ {
				beta[a][x] = worth[a][x] * (1 + 0.6*r.NormFloat64())
			}
		}
		alpha := 0.8 * math.Exp(0.4*r.NormFloat64()) // per 100 units of price
		row := q.Utility[i*n : (i+1)*n]
		for j := range n {
			v := -alpha * price[j] / 100
			for a := range na {
				v += beta[a][profile[j*na+a]]
			}
			row[j] = v + 0.3*r.NormFloat64()
		}
		v := -alpha * rival / 100
		for a, l := range Levels {
			v += beta[a][l/2]
		}
		q.None[i] = v + 0.5*r.NormFloat64()
		q.Weight[i] = -math.Log(1 - r.Float64())
		total += q.Weight[i]
	}
	for i := range q.Weight {
		q.Weight[i] /= total
	}
	return q
}

// Small draws a small instance under rule, sized for BruteForce: 2 to 12
// candidates, 1 to 30 customers, K from 1 to 4. It mixes the cases that
// trip solvers up: in a third of the instances utilities are small
// integers, so that candidates tie with each other and with the outside
// option; some margins are negative or zero; half the instances have
// weights (else all are 1); logit instances have a scale of 1, 0.5 or 2;
// and each of a required candidate, forbidden candidates and groups comes
// in a third of the instances (dropped again when they leave no feasible
// choice). The draws come from r, so a seeded r gives a reproducible
// sequence of instances.
func Small(r *rand.Rand, rule lineup.Rule) *lineup.Problem {
	n := 2 + r.IntN(11)
	nc := 1 + r.IntN(30)
	k := 1 + r.IntN(min(4, n))
	p := &lineup.Problem{Customers: nc, Candidates: n, K: k, Rule: rule,
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
	if rule == lineup.Logit {
		p.Scale = []float64{0, 0.5, 2}[r.IntN(3)]
	}
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

// BruteForce returns the optimum of p, by p.Objective over every feasible
// choice of p.K candidates, and the first choice in lexicographic order
// that reaches it; -Inf and nil when no choice is feasible. A choice is
// feasible when it has the required candidates, no forbidden one, a member
// of every group, and keeps the side constraints, checked here from their
// definitions rather than by the solver's code: no two candidates of one
// Phone; with Ladder, of two chosen candidates the one with the higher
// Cost has the strictly higher Price; with MaxParts, at most that many distinct
// Parts. It evaluates every K-subset of the candidates that are not
// forbidden, so it is for small instances: C(100, 3) is 161,700 subsets,
// C(100, 5) 75 million.
func BruteForce(p *lineup.Problem) (float64, []int) {
	forbidden := make([]bool, p.Candidates)
	for _, j := range p.Forbid {
		forbidden[j] = true
	}
	in := make([]bool, p.Candidates)
	feasible := func(set []int) bool {
		for _, j := range p.Must {
			if !in[j] {
				return false
			}
		}
		for _, g := range p.Groups {
			if !slices.ContainsFunc(g, func(j int) bool { return in[j] }) {
				return false
			}
		}
		for x, a := range set {
			for _, b := range set[:x] {
				if p.Phone != nil && p.Phone[a] == p.Phone[b] {
					return false
				}
				if p.Ladder {
					dear, cheap := a, b
					if p.Cost[b] > p.Cost[a] {
						dear, cheap = b, a
					}
					if p.Cost[dear] > p.Cost[cheap] && p.Price[dear] <= p.Price[cheap] {
						return false
					}
				}
			}
		}
		return p.MaxParts <= 0 || partsUsed(p, set) <= p.MaxParts
	}
	best, arg := math.Inf(-1), []int(nil)
	set := make([]int, 0, p.K)
	var rec func(from int)
	rec = func(from int) {
		if len(set) == p.K {
			if !feasible(set) {
				return
			}
			if v := p.Objective(set); v > best {
				best, arg = v, slices.Clone(set)
			}
			return
		}
		for j := from; j <= p.Candidates-(p.K-len(set)); j++ {
			if forbidden[j] {
				continue
			}
			set = append(set, j)
			in[j] = true
			rec(j + 1)
			in[j] = false
			set = set[:len(set)-1]
		}
	}
	rec(0)
	return best, arg
}

// partsUsed returns how many distinct parts the candidates in set use.
func partsUsed(p *lineup.Problem, set []int) int {
	parts := map[int]bool{}
	for _, j := range set {
		for _, x := range p.Parts[j] {
			parts[x] = true
		}
	}
	return len(parts)
}
