package lineupgen_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/lineup/lineupgen"
)

func TestConjointIsDeterministic(t *testing.T) {
	params := lineupgen.Params{Candidates: 40, Customers: 30, K: 4, Seed: 7}
	if diff := cmp.Diff(lineupgen.Conjoint(params), lineupgen.Conjoint(params)); diff != "" {
		t.Fatalf("two draws with the same seed differ (-first +second):\n%s", diff)
	}
	other := params
	other.Seed++
	if slices.Equal(lineupgen.Conjoint(params).Utility, lineupgen.Conjoint(other).Utility) {
		t.Error("another seed gave the same utilities")
	}
}

// TestConjointShape checks what the benchmarks rely on: a valid
// first-choice problem of the requested size with no ties within a
// customer type's options, weights summing to 1, positive margins, and a
// sensible share of candidates preferred to the outside option.
func TestConjointShape(t *testing.T) {
	for _, params := range []lineupgen.Params{
		{Candidates: 100, Customers: 100, K: 3, Seed: 1},
		{Candidates: 100, Customers: 100, K: 10, Seed: 5},
		{Candidates: 300, Customers: 100, K: 5, Seed: 1},
		{Candidates: 200, Customers: 200, K: 5, Seed: 1},
		{Candidates: 500, Customers: 100, K: 5, Seed: 1},
	} {
		t.Run(params.Name(), func(t *testing.T) {
			p := lineupgen.Conjoint(params)
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			if p.Candidates != params.Candidates || p.Customers != params.Customers || p.K != params.K || p.Rule != lineup.FirstChoice {
				t.Fatalf("got %d candidates, %d customers, K = %d, rule %s", p.Candidates, p.Customers, p.K, p.Rule)
			}
			sum := 0.0
			for _, w := range p.Weight {
				if w <= 0 {
					t.Fatalf("weight %g", w)
				}
				sum += w
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Errorf("weights sum to %g", sum)
			}
			for j, m := range p.Margin {
				if m <= 0 {
					t.Errorf("candidate %s: margin %g", p.Label(j), m)
				}
			}
			preferred := 0
			for i := range p.Customers {
				row := p.Utility[i*p.Candidates : (i+1)*p.Candidates]
				options := append(slices.Clone(row), p.None[i])
				slices.Sort(options)
				if len(slices.Compact(options)) != p.Candidates+1 {
					t.Fatalf("customer %d has tied options", i)
				}
				for _, u := range row {
					if u > p.None[i] {
						preferred++
					}
				}
			}
			share := float64(preferred) / float64(p.Customers*p.Candidates)
			t.Logf("candidates preferred to the outside option: %.1f %%", 100*share)
			if share < 0.25 || share > 0.65 {
				t.Errorf("types prefer %.1f %% of the candidates to the outside option, want 25 to 65 %%", 100*share)
			}
		})
	}
}

// TestSmall checks that Small draws valid problems and that the kinds it
// promises all come up: ties, negative margins, no weights, constraints.
func TestSmall(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ties, negative, unweighted, must, forbid, groups int
	for i := range 300 {
		rule := []lineup.Rule{lineup.FirstChoice, lineup.Logit}[i%2]
		p := lineupgen.Small(r, rule)
		if err := p.Validate(); err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		if p.Rule != rule || p.Candidates > 12 || p.Customers > 30 || p.K > 4 {
			t.Fatalf("instance %d: rule %s, %d candidates, %d customers, K = %d", i, p.Rule, p.Candidates, p.Customers, p.K)
		}
		options := append(slices.Clone(p.Utility[:p.Candidates]), p.None[0])
		slices.Sort(options)
		if len(slices.Compact(options)) < p.Candidates+1 {
			ties++
		}
		if slices.ContainsFunc(p.Margin, func(m float64) bool { return m < 0 }) {
			negative++
		}
		if p.Weight == nil {
			unweighted++
		}
		must += min(len(p.Must), 1)
		forbid += min(len(p.Forbid), 1)
		groups += min(len(p.Groups), 1)
	}
	for _, c := range []struct {
		what string
		n    int
	}{{"ties", ties}, {"negative margins", negative}, {"no weights", unweighted}, {"required", must}, {"forbidden", forbid}, {"groups", groups}} {
		if c.n < 20 || c.n > 280 {
			t.Errorf("%s in %d of 300 instances", c.what, c.n)
		}
	}
}

// TestBruteForce checks the oracle, constraints included, on a problem
// worked out by hand.
// Customer 0 (weight 1) ranks 0 > 1 > 2 > nothing; customer 1 (weight 2)
// ranks 2 > nothing > 0, 1; customer 2 (weight 1) ranks 1 > 0 > nothing >
// 2. Margins are 10, 6 and 5.
func TestBruteForce(t *testing.T) {
	base := lineup.Problem{
		Customers: 3, Candidates: 3, K: 2,
		Weight:  []float64{1, 2, 1},
		Utility: []float64{3, 2, 1, -1, -1, 2, 1, 2, -1},
		None:    []float64{0, 0, 0},
		Margin:  []float64{10, 6, 5},
	}
	tests := []struct {
		name   string
		change func(p *lineup.Problem)
		want   float64
		chosen []int
	}{
		// {0, 2}: 10 + 2·5 + 10 = 30; {0, 1}: 10 + 0 + 6 = 16; {1, 2}: 6 + 10 + 6 = 22;
		// all three: 10 + 10 + 6 = 26.
		{"free", func(*lineup.Problem) {}, 30, []int{0, 2}},
		{"must", func(p *lineup.Problem) { p.Must = []int{1} }, 22, []int{1, 2}},
		{"forbid", func(p *lineup.Problem) { p.Forbid = []int{2} }, 16, []int{0, 1}},
		{"group", func(p *lineup.Problem) { p.Groups = [][]int{{1}} }, 22, []int{1, 2}},
		{"K = 3", func(p *lineup.Problem) { p.K = 3 }, 26, []int{0, 1, 2}},
		{"infeasible", func(p *lineup.Problem) { p.Forbid = []int{0, 1} }, math.Inf(-1), nil},
		// Side constraints, each ruling out {0, 2}.
		{"one price per phone", func(p *lineup.Problem) { p.Phone = []int{0, 1, 0} }, 22, []int{1, 2}},
		{"ladder", func(p *lineup.Problem) {
			// 2 costs more than 0 but does not sell for more.
			p.Ladder, p.Cost, p.Price = true, []float64{200, 100, 250}, []float64{300, 250, 300}
		}, 22, []int{1, 2}},
		{"parts", func(p *lineup.Problem) { p.Parts, p.MaxParts = [][]int{{1, 2}, {3}, {4, 5}}, 3 }, 22, []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			tt.change(&p)
			got, chosen := lineupgen.BruteForce(&p)
			if got != tt.want || !slices.Equal(chosen, tt.chosen) {
				t.Errorf("BruteForce = %v at %v, want %v at %v", got, chosen, tt.want, tt.chosen)
			}
		})
	}
}
