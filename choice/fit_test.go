package choice

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/errs"
)

func TestFit(t *testing.T) {
	d, _ := hbSynthetic(rand.New(rand.NewPCG(3, 4)), 60, 8, 3, []float64{1, -1}, [][]float64{{0.5, 0}, {0, 0.5}}, false, false)
	tests := []struct {
		method Method
		random bool
	}{{MNL, false}, {MXL, true}, {HB, false}}
	for _, tt := range tests {
		t.Run(string(tt.method), func(t *testing.T) {
			d := *d
			if tt.random {
				d.Random = []Random{{Param: 0, Dist: Normal}}
			}
			var reports []FitProgress
			r, err := Fit(context.Background(), &d, FitOptions{Method: tt.method, Iterations: 400, Draws: 50, Seed: 1,
				Progress: func(p FitProgress) { reports = append(reports, p) }})
			if err != nil {
				t.Fatal(err)
			}
			if r.Method != tt.method {
				t.Errorf("method %s, want %s", r.Method, tt.method)
			}
			if len(reports) == 0 {
				t.Fatal("no progress reported")
			}
			last := reports[len(reports)-1]
			for i, p := range reports {
				if p.Method != tt.method || p.Of != 400 || p.Frac < 0 || p.Frac > 1 || i > 0 && p.Frac < reports[i-1].Frac {
					t.Errorf("report %d: %+v: want the method, 400 iterations at most and a share done that grows within 0..1", i, p)
				}
			}
			switch tt.method {
			case HB:
				if last.Iter != 400 || last.Frac != 1 {
					t.Errorf("last report %+v, want all 400 sweeps done", last)
				}
				if want := "iteration 400 of 400: mean log-likelihood "; !strings.HasPrefix(last.String(), want) {
					t.Errorf("progress line %q, want it to start %q", last.String(), want)
				}
			default:
				// The optimisers converge long before 400 iterations and
				// guess the share from typical counts, never 1.
				if last.Iter != r.Iter || last.Frac >= 1 {
					t.Errorf("last report %+v, want iteration %d and a share below 1", last, r.Iter)
				}
			}
		})
	}
	for _, o := range []FitOptions{{Method: "ols"}, {Method: MXL}} {
		if _, err := Fit(context.Background(), d, o); errs.Code(err) != errs.Invalid {
			t.Errorf("Fit with method %q and no random coefficients: %v, want an invalid error", o.Method, err)
		}
	}
}
