package choice

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestWillingnessToPay(t *testing.T) {
	r := &Result{Params: []Estimate{
		{Name: "b_time", Value: -1.2},
		{Name: "asc", Value: 0.5, Fixed: true},
		{Name: "b_cost", Value: -0.6},
		{Name: "sd.b_time", Value: 0.3},
	}, Cov: [][]float64{{0.04, 0.01, 0}, {0.01, 0.09, 0}, {0, 0, 1}}}
	got, err := WillingnessToPay(r, "b_cost", 100)
	if err != nil {
		t.Fatal(err)
	}
	// -(-1.2)/(-0.6)*100 = -200. Delta method: g = (-1/bp, b/bp^2) =
	// (1/0.6, -1.2/0.36); var = g' C g.
	gi, gj := 1/0.6, -1.2/0.36
	v := gi*gi*0.04 + 2*gi*gj*0.01 + gj*gj*0.09
	want := []WTP{{Name: "b_time", Value: -200, SE: 100 * math.Sqrt(v)}}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	// Check the delta-method variance against a finite-difference
	// gradient of the ratio.
	f := func(b, bp float64) float64 { return -b / bp * 100 }
	h := 1e-6
	fi := (f(-1.2+h, -0.6) - f(-1.2-h, -0.6)) / (2 * h)
	fj := (f(-1.2, -0.6+h) - f(-1.2, -0.6-h)) / (2 * h)
	vfd := fi*fi*0.04 + 2*fi*fj*0.01 + fj*fj*0.09
	if math.Abs(math.Sqrt(vfd)-got[0].SE) > 1e-4 {
		t.Errorf("SE %g, finite differences %g", got[0].SE, math.Sqrt(vfd))
	}
	if _, err := WillingnessToPay(r, "price", 1); err == nil {
		t.Error("want an error for an unknown price parameter")
	}
}

func TestImportances(t *testing.T) {
	names := []string{"camera:good", "camera:best", "colour:red", "price", "none"}
	values := []float64{1, 3, -1, -0.5, 2}
	got := Importances(names, values, map[string]float64{"price": 4})
	// Ranges: camera 3 (0..3), colour 1 (-1..0), price 0.5*4 = 2; total 6.
	want := []Importance{{"camera", 0.5, 3}, {"colour", 1.0 / 6, 1}, {"price", 2.0 / 6, 2}}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	mean := MeanImportances(names, [][]float64{values, {0, 0, -2, 0, 0}}, map[string]float64{"price": 4})
	// Second person: only colour matters (share 1).
	wantMean := []Importance{{"camera", 0.25, 1.5}, {"colour", (1.0/6 + 1) / 2, 1.5}, {"price", 1.0 / 6, 1}}
	if diff := cmp.Diff(wantMean, mean, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("mean (-want +got)\n%s", diff)
	}
}
