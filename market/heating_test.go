package market

import (
	"math"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/internal/shareddata"
)

// heatingAlts are the Heating alternatives in the order of mlogit's
// output (alphabetical).
var heatingAlts = []string{"ec", "er", "gc", "gr", "hp"}

// heatingHouse is one row of the Heating data: installation and operating
// cost of each alternative, in heatingAlts order.
type heatingHouse struct {
	ic, oc [5]float64
}

// loadHeating reads heating_wide.csv with the choice package's reader.
func loadHeating(t *testing.T) []heatingHouse {
	t.Helper()
	f, err := os.Open(shareddata.File(t, "mlogit_heating", "heating_wide.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := choice.ReadTable(f, "heating_wide.csv")
	if err != nil {
		t.Fatal(err)
	}
	houses := make([]heatingHouse, tab.Rows())
	for a, alt := range heatingAlts {
		for _, v := range []struct {
			name string
			get  func(h *heatingHouse) *float64
		}{{"ic." + alt, func(h *heatingHouse) *float64 { return &h.ic[a] }}, {"oc." + alt, func(h *heatingHouse) *float64 { return &h.oc[a] }}} {
			c, ok := tab.Column(v.name)
			if !ok {
				t.Fatalf("heating_wide.csv: no column %s", v.name)
			}
			for i := range houses {
				*v.get(&houses[i]) = tab.Num[c][i]
			}
		}
	}
	if len(houses) != 900 {
		t.Fatalf("heating_wide.csv: %d houses, want 900", len(houses))
	}
	return houses
}

// Model 3 of the mlogit Heating exercise (README in the data folder):
// alternative-specific constants with hp as the reference, and generic
// installation and operating cost coefficients.
var (
	heatingASC = map[string]float64{"ec": 1.6588459, "er": 1.8534370, "gc": 1.7109793, "gr": 0.3082633, "hp": 0}
	heatingIC  = -0.0015332
	heatingOC  = -0.0069964
)

// heatingTolerance is how closely the shares can be expected to reproduce
// the published ones, worked out before looking at the differences. The
// coefficients are published rounded to 5e-8; installation costs reach
// 1,680 and operating costs 705, so a utility can be off by up to 1.2e-4,
// and a probability P_j, which moves by P_j(dV_j - sum_k P_k dV_k), by up to
// a quarter of twice that: 6e-5. The measured differences are about 3e-6
// (the rounding errors mostly cancel); a wrong computation shows at 1e-3
// and beyond (the rebate alone moves hp by 9e-3).
const heatingTolerance = 1e-4

func heatingUtilities(houses []heatingHouse, tweak func(h *heatingHouse)) [][]float64 {
	u := make([][]float64, len(houses))
	for i, h := range houses {
		if tweak != nil {
			tweak(&h)
		}
		u[i] = make([]float64, len(heatingAlts))
		for a, alt := range heatingAlts {
			u[i][a] = heatingASC[alt] + heatingIC*h.ic[a] + heatingOC*h.oc[a]
		}
	}
	return u
}

// TestLogitSharesHeating reproduces the market-share scenarios of the
// mlogit Heating exercise with model 3's coefficients.
func TestLogitSharesHeating(t *testing.T) {
	houses := loadHeating(t)
	hp := 4
	ec := 0
	tests := []struct {
		name  string
		utils func() [][]float64
		want  []float64 // ec, er, gc, gr, hp[, new]
	}{
		{
			// With alternative-specific constants, maximum likelihood
			// makes the mean probabilities equal the observed shares.
			name:  "fitted",
			utils: func() [][]float64 { return heatingUtilities(houses, nil) },
			want:  []float64{0.07111111, 0.09333333, 0.63666667, 0.14333333, 0.05555556},
		},
		{
			name: "10% rebate on heat pump installation",
			utils: func() [][]float64 {
				return heatingUtilities(houses, func(h *heatingHouse) { h.ic[hp] *= 0.9 })
			},
			want: []float64{0.07045486, 0.09247026, 0.63064443, 0.14196814, 0.06446230},
		},
		{
			// A new electric system: ec's constant, installation 200
			// dearer, operating cost 25% lower.
			name: "new alternative",
			utils: func() [][]float64 {
				u := heatingUtilities(houses, nil)
				for i, h := range houses {
					u[i] = append(u[i], heatingASC["ec"]+heatingIC*(h.ic[ec]+200)+heatingOC*h.oc[ec]*0.75)
				}
				return u
			},
			want: []float64{0.06311578, 0.08347713, 0.57145108, 0.12855080, 0.04977350, 0.10363170},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			utils := tt.utils()
			got := LogitShares(utils)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, heatingTolerance)); diff != "" {
				t.Errorf("LogitShares (-want +got):\n%s", diff)
			}
			worst := 0.0
			for j := range got {
				worst = max(worst, math.Abs(got[j]-tt.want[j]))
			}
			t.Logf("largest difference from the published shares: %.2g", worst)

			// The same market through Shares: one attribute whose
			// levels are the alternatives, each house's utilities as
			// its part-worths.
			m := &Market{Attributes: []Attribute{{Name: "system"}}}
			var products []Product
			for j := range utils[0] {
				name := "new"
				if j < len(heatingAlts) {
					name = heatingAlts[j]
				}
				m.Attributes[0].Levels = append(m.Attributes[0].Levels, name)
				products = append(products, Product{Name: name, Levels: []int{j}})
			}
			for _, u := range utils {
				m.People = append(m.People, Person{Worth: [][]float64{u}})
			}
			o, err := Shares(m, products, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, o.Shares, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("Shares differs from LogitShares (-LogitShares +Shares):\n%s", diff)
			}
		})
	}
}
