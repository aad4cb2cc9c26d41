package choice

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// twoPeople is a small holdout data set: two alternatives described by
// (a, b), three cases of person p1 and one of p2, in which p1 always
// chooses the alternative high in a and p2 the one high in b.
func twoPeople() *Data {
	return &Data{
		Params:       []string{"a", "b"},
		Alternatives: []string{"x", "y"},
		Start:        []int{0, 2, 4, 6, 8},
		X: []float64{
			1, 0, 0, 1, // case 0: p1 chooses x (a)
			0, 1, 1, 0, // case 1: p1 chooses y (a)
			1, 0, 0, 1, // case 2: p1 chooses x (a)
			1, 0, 0, 1, // case 3: p2 chooses y (b)
		},
		Alt:      []int32{0, 1, 0, 1, 0, 1, 0, 1},
		Chosen:   []int32{0, 3, 4, 7},
		Panel:    []int32{0, 0, 0, 1},
		Panels:   2,
		PanelIDs: []string{"p1", "p2"},
	}
}

func TestResultHitRate(t *testing.T) {
	d := twoPeople()
	tests := []struct {
		name string
		r    *Result
		want float64
	}{
		// The point estimates, listed in another order than d's, favour
		// a: p1's three choices are right, p2's is wrong.
		{"point estimates by name", &Result{Method: MNL, Params: []Estimate{{Name: "b", Value: 0.5}, {Name: "sd.b", Value: 9}, {Name: "a", Value: 1}}}, 0.75},
		// Hierarchical Bayes predicts each person by their own part-worths.
		{"individual part-worths", &Result{Method: HB, Params: []Estimate{{Name: "a", Value: 1}, {Name: "b", Value: 0.5}},
			HB: &HBResult{Individual: [][]float64{{0, 2}, {2, 0}}, IDs: []string{"p2", "p1"}}}, 1},
		// A person the fit did not see gets the population mean, which
		// favours b: p1's choices are wrong, p2's is right.
		{"unknown person", &Result{Method: HB, Params: []Estimate{{Name: "a", Value: 0}, {Name: "b", Value: 1}},
			HB: &HBResult{Individual: [][]float64{{5, 0}}, IDs: []string{"someone else"}}}, 0.25},
		// Equal utilities: each case is a coin toss won half the time.
		{"ties", &Result{Method: MNL, Params: []Estimate{{Name: "a", Value: 1}, {Name: "b", Value: 1}}}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.r.HitRate(d)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("hit rate %v, want %v", got, tt.want)
			}
		})
	}
	// The point estimates agree with the package's HitRate.
	if got, _ := tests[0].r.HitRate(d); got != HitRate(d, []float64{1, 0.5}) {
		t.Errorf("Result.HitRate %v, HitRate %v", got, HitRate(d, []float64{1, 0.5}))
	}
	if _, err := (&Result{Params: []Estimate{{Name: "a", Value: 1}}}).HitRate(d); err == nil {
		t.Error("want an error for estimates without the coefficient b")
	}
	if _, err := (&Result{Params: []Estimate{{Name: "a"}, {Name: "b"}}, HB: &HBResult{}}).HitRate(d); err == nil {
		t.Error("want an error for a hierarchical Bayes result without individual part-worths")
	}
}

func TestSummarize(t *testing.T) {
	// A fixed coefficient among the estimated ones: the individual rows
	// hold only the estimated ones.
	r := &Result{Method: HB, Params: []Estimate{
		{Name: "cam:good", Value: 1}, {Name: "price", Value: -0.5}, {Name: "col:red", Value: -1}, {Name: "asc", Value: 3, Fixed: true},
	}, HB: &HBResult{
		Individual: [][]float64{{2, -1, 0}, {0, -0.5, -1}},
		IDs:        []string{"p1", "p2"},
	}}
	s, err := Summarize(r, SummaryOptions{Price: "price", PriceScale: 100, Ranges: map[string]float64{"price": 2}})
	if err != nil {
		t.Fatal(err)
	}
	// Person 1: cam 2, price 2, col 0 -> 1/2, 1/2, 0. Person 2: cam 0,
	// price 1, col 1 -> 0, 1/2, 1/2.
	want := &Summary{Result: r, Importances: []Importance{{"cam", 0.25, 1}, {"price", 0.5, 1.5}, {"col", 0.25, 0.5}},
		WTP: []WTP{{Name: "cam:good", Value: 200, SE: math.NaN()}, {Name: "col:red", Value: -200, SE: math.NaN()}}}
	if diff := cmp.Diff(want, s, cmpopts.EquateApprox(1e-12, 0), cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}

	// With holdouts, and a maximum-likelihood fit: importances of the
	// point estimates.
	// A mixed logit's spreads get no importance.
	r = &Result{Method: MXL, Params: []Estimate{{Name: "a", Value: 1}, {Name: "b", Value: 0.5}, {Name: "sd.a", Value: 2}, {Name: "chol.a.b", Value: 1}}}
	s, err = Summarize(r, SummaryOptions{Holdout: twoPeople(), Ranges: map[string]float64{"a": 1, "b": 1, "sd.a": 1, "chol.a.b": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if s.HitRate == nil || *s.HitRate != 0.75 || s.HoldoutCases != 4 || s.WTP != nil {
		t.Errorf("summary %+v: want hit rate 0.75 on 4 cases and no willingness to pay", s)
	}
	if want := []Importance{{"a", 2.0 / 3, 1}, {"b", 1.0 / 3, 0.5}}; !cmp.Equal(want, s.Importances, cmpopts.EquateApprox(1e-12, 0)) {
		t.Errorf("importances %v, want %v", s.Importances, want)
	}
	if _, err := Summarize(r, SummaryOptions{Price: "price"}); err == nil {
		t.Error("want an error for an unknown price coefficient")
	}
}

func TestWTPJSON(t *testing.T) {
	in := []WTP{{Name: "a", Value: 12.5, SE: math.NaN()}, {Name: "b", Value: -3, SE: 0.25}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"name":"a","value":12.5,"se":null},{"name":"b","value":-3,"se":0.25}]`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var out []WTP
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("round trip (-want +got)\n%s", diff)
	}
}
