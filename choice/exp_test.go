package choice

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFastExp compares expInPlace with math.Exp over its whole range, at
// the edges of the table's intervals and beyond, where it defers.
func TestExpInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := []float64{0, 1, -1, math.Ln2, -math.Ln2, math.Ln2 / 256, 699.999, -699.999, 700, -700, 709, -745, -800, 1000,
		math.Inf(-1), math.Inf(1)}
	for range 200000 {
		xs = append(xs, 1400*rng.Float64()-700, 2*rng.Float64()-1)
	}
	for k := -5000; k <= 5000; k++ {
		x := float64(k) * math.Ln2 / 128
		xs = append(xs, x, math.Nextafter(x, 0), x+math.Ln2/256)
	}
	worst := 0.0
	for _, x := range xs {
		xs := []float64{x}
		expInPlace(xs)
		got, want := xs[0], math.Exp(x)
		if math.IsInf(want, 0) || want == 0 {
			if got != want {
				t.Errorf("exp(%v) = %v, want %v", x, got, want)
			}
			continue
		}
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 6e-16 {
		t.Errorf("largest relative error %.3g, want within 3 ulps", worst)
	}
	nan := []float64{math.NaN()}
	expInPlace(nan)
	if !math.IsNaN(nan[0]) {
		t.Error("exp(NaN) is not NaN")
	}
}
