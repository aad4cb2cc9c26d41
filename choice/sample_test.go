package choice

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPopulation(t *testing.T) {
	t.Run("mnl", func(t *testing.T) {
		r := &Result{Method: MNL, Params: []Estimate{{Name: "a", Value: 1}, {Name: "b", Value: -2}, {Name: "c", Value: 3, Fixed: true}}}
		names, people, err := r.Population(10, 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"a", "b", "c"}, names); diff != "" {
			t.Error(diff)
		}
		if diff := cmp.Diff([][]float64{{1, -2, 3}}, people); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("hb", func(t *testing.T) {
		r := &Result{Method: HB, Params: []Estimate{{Name: "a", Value: 1}, {Name: "b", Value: -2}, {Name: "c", Value: 3, Fixed: true}},
			HB: &HBResult{Individual: [][]float64{{0.5, -1}, {1.5, -3}}}}
		_, people, err := r.Population(0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([][]float64{{0.5, -1, 3}, {1.5, -3, 3}}, people); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("mxl moments", func(t *testing.T) {
		// a ~ N(1, 2^2), b = exp(N(0, 0.5^2)) correlated with a through
		// chol.b.a = 0.3; c ~ uniform(-1, 3) (centre 1, half-width 2).
		r := &Result{Method: MXL, Params: []Estimate{
			{Name: "a", Value: 1}, {Name: "b", Value: 0}, {Name: "c", Value: 1}, {Name: "d", Value: 7},
			{Name: "sd.a", Value: 2}, {Name: "sd.b", Value: -0.5}, {Name: "chol.b.a", Value: 0.3}, {Name: "sd.c", Value: 2}},
			Random: []RandomParam{{"a", "normal"}, {"b", "lognormal"}, {"c", "uniform"}}, Correlated: true}
		names, people, err := r.Population(200000, 9)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"a", "b", "c", "d"}, names); diff != "" {
			t.Fatal(diff)
		}
		var sum, sq [4]float64
		var logb, cross float64
		for _, p := range people {
			for j, v := range p {
				sum[j] += v
				sq[j] += v * v
			}
			logb += math.Log(p[1])
			cross += (p[0] - 1) * math.Log(p[1])
		}
		n := float64(len(people))
		mean := func(j int) float64 { return sum[j] / n }
		sd := func(j int) float64 { return math.Sqrt(sq[j]/n - mean(j)*mean(j)) }
		// log b = 0.3 z_a + 0.5 z_b: variance 0.34; cov(a, log b) = 2*0.3.
		checks := []struct {
			name      string
			got, want float64
		}{
			{"mean a", mean(0), 1}, {"sd a", sd(0), 2},
			{"mean log b", logb / n, 0}, {"mean b", mean(1), math.Exp(0.34 / 2)},
			{"cov(a, log b)", cross / n, 0.6},
			{"mean c", mean(2), 1}, {"sd c", sd(2), 2 / math.Sqrt(3)},
			{"d", mean(3), 7},
		}
		for _, c := range checks {
			if math.Abs(c.got-c.want) > 0.02*math.Max(1, math.Abs(c.want)) {
				t.Errorf("%s = %.4f, want %.4f", c.name, c.got, c.want)
			}
		}
	})
}
