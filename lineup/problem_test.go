package lineup

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/errs"
)

// twoCustomers: customer 0 (weight 1) likes candidate 0 best, then 1 and
// 2 equally, and not buying at 1; customer 1 (weight 3) is indifferent
// between candidate 2 and not buying, and likes 1 less than both.
func twoCustomers(rule Rule) *Problem {
	return &Problem{
		Customers: 2, Candidates: 3, K: 2, Rule: rule,
		Weight: []float64{1, 3},
		Utility: []float64{
			3, 2, 2,
			0, -1, 1,
		},
		None:   []float64{1, 1},
		Margin: []float64{10, 20, 30},
	}
}

func TestObjective(t *testing.T) {
	fc := twoCustomers(FirstChoice)
	tests := []struct {
		name   string
		chosen []int
		want   float64
	}{
		{"best wins", []int{0, 1}, 10},        // customer 0 takes 0; customer 1 prefers not buying to both
		{"tie, lower index", []int{2, 1}, 20}, // customer 0: 1 and 2 tie, 1 wins; customer 1: 2 ties with not buying, which wins
		{"nothing beats none", []int{1}, 20},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fc.Objective(tt.chosen); got != tt.want {
				t.Errorf("Objective(%v) = %v, want %v", tt.chosen, got, tt.want)
			}
		})
	}
	t.Run("logit", func(t *testing.T) {
		p := twoCustomers(Logit)
		p.Scale = 2
		// Customer 0: exp(2*3)=e^6 for 0, e^4 for 1, e^2 for none.
		// Customer 1: e^0 for 0, e^-2 for 1, e^2 for none.
		want := 1*(10*math.Exp(6)+20*math.Exp(4))/(math.Exp(6)+math.Exp(4)+math.Exp(2)) +
			3*(10*1+20*math.Exp(-2))/(1+math.Exp(-2)+math.Exp(2))
		if got := p.Objective([]int{0, 1}); math.Abs(got-want) > 1e-12*want {
			t.Errorf("Objective = %v, want %v", got, want)
		}
		// Far-apart utilities neither overflow nor vanish.
		p.Scale = 1000
		if got := p.Objective([]int{0, 1}); math.IsNaN(got) || math.Abs(got-10) > 1e-9 {
			t.Errorf("Objective at scale 1000 = %v, want 10 (customer 0 takes 0, customer 1 nothing)", got)
		}
	})
	t.Run("shares", func(t *testing.T) {
		bought, none := fc.Shares([]int{2, 1})
		if diff := cmp.Diff([]float64{0, 1}, bought); diff != "" || none != 3 {
			t.Errorf("Shares: bought (-want +got)\n%s none %v, want 3", diff, none)
		}
		p := twoCustomers(Logit)
		bought, none = p.Shares([]int{0, 1, 2})
		if sum := bought[0] + bought[1] + bought[2] + none; math.Abs(sum-4) > 1e-12 {
			t.Errorf("logit shares sum to %v, want the total weight 4", sum)
		}
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Problem)
		want   string
	}{
		{"valid", func(*Problem) {}, ""},
		{"no customers", func(p *Problem) { p.Customers = 0 }, "at least one customer"},
		{"short matrix", func(p *Problem) { p.Utility = p.Utility[:5] }, "the utility matrix has 5 entries"},
		{"weights", func(p *Problem) { p.Weight = []float64{1} }, "1 weights for 2 customers"},
		{"negative weight", func(p *Problem) { p.Weight[1] = -1 }, "customer 2: the weight must be a finite number"},
		{"NaN utility", func(p *Problem) { p.Utility[4] = math.NaN() }, "customer 2, candidate #2: the utility is NaN"},
		{"infinite margin", func(p *Problem) { p.Margin[0] = math.Inf(1) }, "candidate #1: the margin is +Inf"},
		{"labels", func(p *Problem) { p.Labels = []string{"a"} }, "1 labels for 3 candidates"},
		{"rule", func(p *Problem) { p.Rule = 7 }, "unknown choice rule 7"},
		{"scale", func(p *Problem) { p.Scale = -1 }, "the logit scale must be a finite number"},
		{"K zero", func(p *Problem) { p.K = 0 }, "K must be between 1 and the number of candidates (3); got 0"},
		{"K large", func(p *Problem) { p.K = 4 }, "K must be between 1"},
		{"must range", func(p *Problem) { p.Must = []int{3} }, "must: candidate index 3 is out of range"},
		{"must and forbid", func(p *Problem) { p.Must, p.Forbid = []int{1}, []int{1} }, "candidate #2 is both required and forbidden"},
		{"too many musts", func(p *Problem) { p.Must = []int{0, 1, 2} }, "3 candidates must be chosen, more than K = 2"},
		{"too many forbidden", func(p *Problem) { p.Forbid = []int{0, 1} }, "only 1 candidates are not forbidden, fewer than K = 2"},
		{"group all forbidden", func(p *Problem) { p.Forbid, p.Groups = []int{2}, [][]int{{2}} }, "group 1 has no candidate that is not forbidden"},
		{"groups need more", func(p *Problem) { p.Groups = [][]int{{0}, {1}, {2}} }, "no choice of K = 2 candidates meets"},
		{"groups with must", func(p *Problem) { p.Must, p.Groups = []int{0}, [][]int{{1}, {2}} }, "no choice of K = 2 candidates meets"},
		{"groups fit", func(p *Problem) { p.Groups = [][]int{{0, 1}, {1, 2}} }, ""},
		{"duplicate must", func(p *Problem) { p.Must = []int{1, 1} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := twoCustomers(FirstChoice)
			tt.change(p)
			err := p.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(errs.Message(err), tt.want) || errs.Code(err) != errs.Invalid {
				t.Errorf("Validate: %v, want an invalid error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseRule(t *testing.T) {
	for in, want := range map[string]Rule{"first-choice": FirstChoice, "FC": FirstChoice, " logit ": Logit} {
		if got, err := ParseRule(in); err != nil || got != want {
			t.Errorf("ParseRule(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseRule("rfc"); errs.Code(err) != errs.Invalid {
		t.Errorf("ParseRule(rfc): %v, want invalid", err)
	}
}
