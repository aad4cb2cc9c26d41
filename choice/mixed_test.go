package choice

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tailor-c2b/tailor/errs"
)

// mxlTruth is a mixed logit to simulate: coefficient j of every person is
// drawn as EstimateMXL's model describes, from Mean[j] and, for the
// random ones, SD[j] (the spread parameter) or, when Chol is set, the
// Cholesky factor among the Normal ones in Random order.
type mxlTruth struct {
	Mean   []float64
	SD     []float64
	Random []Random
	Chol   [][]float64
}

// simulateMXL returns a panel data set of persons x tasks choices among
// alts alternatives with standard normal attributes, answered by people
// whose coefficients follow truth.
func simulateMXL(seed uint64, persons, tasks, alts int, truth mxlTruth) *Data {
	rng := rand.New(rand.NewPCG(seed, 17))
	k := len(truth.Mean)
	d := &Data{Panels: persons, Random: truth.Random, Start: []int{0}}
	for j := range k {
		d.Params = append(d.Params, fmt.Sprintf("b%d", j))
	}
	for a := range alts {
		d.Alternatives = append(d.Alternatives, fmt.Sprintf("alt%d", a))
	}
	beta := make([]float64, k)
	for p := range persons {
		copy(beta, truth.Mean)
		var normals []float64
		for _, r := range truth.Random {
			if r.Dist == Normal {
				normals = append(normals, rng.NormFloat64())
			}
		}
		ni := 0
		for _, r := range truth.Random {
			j, s := r.Param, truth.SD[r.Param]
			switch r.Dist {
			case Normal:
				if truth.Chol != nil {
					u := 0.0
					for b := 0; b <= ni; b++ {
						u += truth.Chol[ni][b] * normals[b]
					}
					beta[j] += u
				} else {
					beta[j] += s * normals[ni]
				}
				ni++
			case Lognormal:
				beta[j] = math.Exp(truth.Mean[j] + s*rng.NormFloat64())
			case Uniform:
				beta[j] += s * (2*rng.Float64() - 1)
			case Triangular:
				beta[j] += s * Triangular.StandardDraw(rng.Float64())
			}
		}
		for range tasks {
			best, bestU := 0, math.Inf(-1)
			row0 := len(d.Alt)
			for a := range alts {
				v := 0.0
				for j := range k {
					x := rng.NormFloat64()
					d.X = append(d.X, x)
					v += x * beta[j]
				}
				d.Alt = append(d.Alt, int32(a))
				if u := v - math.Log(-math.Log(rng.Float64())); u > bestU {
					best, bestU = a, u
				}
			}
			d.Chosen = append(d.Chosen, int32(row0+best))
			d.Start = append(d.Start, len(d.Alt))
			d.Panel = append(d.Panel, int32(p))
		}
	}
	return d
}

// mxlGradientCases are small models covering every distribution,
// correlation, panels and weights, at parameters away from any optimum.
func mxlGradientCases() []struct {
	name string
	d    *Data
} {
	mk := func(seed uint64, persons, tasks int, random []Random, correlated bool) *Data {
		truth := mxlTruth{Mean: []float64{0.5, -0.8, 0.3, 0.2}, SD: []float64{0.4, 0.6, 0.5, 0.3}, Random: random}
		d := simulateMXL(seed, persons, tasks, 3, truth)
		d.Correlated = correlated
		return d
	}
	all := []Random{{Param: 0, Dist: Normal}, {Param: 1, Dist: Lognormal}, {Param: 2, Dist: Uniform}, {Param: 3, Dist: Triangular}}
	cases := []struct {
		name string
		d    *Data
	}{
		{"normal", mk(1, 20, 1, []Random{{Param: 0, Dist: Normal}}, false)},
		{"lognormal", mk(2, 20, 1, []Random{{Param: 1, Dist: Lognormal}}, false)},
		{"uniform", mk(3, 20, 1, []Random{{Param: 2, Dist: Uniform}}, false)},
		{"triangular", mk(4, 20, 1, []Random{{Param: 3, Dist: Triangular}}, false)},
		{"all panel", mk(5, 15, 4, all, false)},
		{"all correlated panel", mk(6, 15, 4, all, true)},
		{"normals correlated", mk(7, 15, 3, []Random{{Param: 2, Dist: Normal}, {Param: 0, Dist: Normal}, {Param: 3, Dist: Normal}}, true)},
	}
	// Cross-sectional (no Panel), with weights and offsets.
	d := mk(8, 30, 1, all, true)
	d.Panel, d.Panels = nil, 0
	d.Offset = make([]float64, d.Rows())
	d.Weight = make([]float64, d.Cases())
	for i := range d.Offset {
		d.Offset[i] = 0.1 * float64(i%3)
	}
	for i := range d.Weight {
		d.Weight[i] = 0.5 + float64(i%4)/4
	}
	cases = append(cases, struct {
		name string
		d    *Data
	}{"cross-section weighted offset", d})
	return cases
}

// TestMXLGradient compares the analytic gradient of the simulated
// log-likelihood with central finite differences of the same function
// (the same draws), and the simulated log-likelihood with a brute-force
// computation from the model's definition.
func TestMXLGradient(t *testing.T) {
	for _, tc := range mxlGradientCases() {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			if err := d.Check(); err != nil {
				t.Fatal(err)
			}
			m, err := newMXLModel(d, d.Random, d.Correlated, 40, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.makeDraws(MLHS, 3); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(9, 9))
			theta := make([]float64, m.np)
			for i := range theta {
				theta[i] = 0.6*rng.Float64() - 0.3
			}
			grad := make([]float64, m.np)
			ll := m.eval(theta, grad, nil)
			if want := bruteForceSimLL(m, theta); math.Abs(ll-want) > 1e-10*math.Abs(want) {
				t.Errorf("simulated LL %.12g, brute force %.12g", ll, want)
			}
			scratch := make([]float64, m.np)
			x := slices.Clone(theta)
			for i := range theta {
				const h = 1e-6
				x[i] = theta[i] + h
				fp := m.eval(x, scratch, nil)
				x[i] = theta[i] - h
				fm := m.eval(x, scratch, nil)
				x[i] = theta[i]
				fd := (fp - fm) / (2 * h)
				if math.Abs(fd-grad[i]) > 1e-6*max(1, math.Abs(fd)) {
					t.Errorf("%s: analytic %.10g, finite difference %.10g", m.names[i], grad[i], fd)
				}
			}
			// The scores add up to the gradient.
			scores := make([]float64, len(m.weight)*m.np)
			m.eval(theta, scratch, scores)
			for i := range m.np {
				s := 0.0
				for p := range m.weight {
					s += scores[p*m.np+i]
				}
				if math.Abs(s-grad[i]) > 1e-9*max(1, math.Abs(s)) {
					t.Errorf("%s: scores sum to %v, gradient %v", m.names[i], s, grad[i])
				}
			}
		})
	}
}

// bruteForceSimLL computes the simulated log-likelihood of m's data at
// theta from the model's definition, one decision maker, draw and
// alternative at a time, with m's standard draws and parameter names:
// the oracle for mxlModel.eval.
func bruteForceSimLL(m *mxlModel, theta []float64) float64 {
	d := m.d
	k, D, R := d.K(), len(d.Random), m.r
	value := map[string]float64{}
	for i, n := range m.names {
		value[n] = theta[i]
	}
	ll := 0.0
	for p := range d.NumPanels() {
		sum := 0.0
		for r := range R {
			z := make([]float64, D)
			for e := range D {
				z[e] = m.draws[(p*D+e)*R+r]
			}
			beta := make([]float64, k)
			for j, name := range d.Params {
				beta[j] = value[name]
			}
			for e, rc := range d.Random {
				name := d.Params[rc.Param]
				u := value["sd."+name] * z[e]
				for f := range e {
					u += value["chol."+name+"."+d.Params[d.Random[f].Param]] * z[f]
				}
				if rc.Dist == Lognormal {
					beta[rc.Param] = math.Exp(value[name] + u)
				} else {
					beta[rc.Param] += u
				}
			}
			prob := 1.0
			for c := range d.Cases() {
				if d.PanelOf(c) != p {
					continue
				}
				den, num := 0.0, 0.0
				for row := d.Start[c]; row < d.Start[c+1]; row++ {
					v := 0.0
					if d.Offset != nil {
						v = d.Offset[row]
					}
					for j := range k {
						v += d.X[row*k+j] * beta[j]
					}
					den += math.Exp(v)
					if row == int(d.Chosen[c]) {
						num = math.Exp(v)
					}
				}
				prob *= num / den
			}
			sum += prob
		}
		first := -1
		for c := range d.Cases() {
			if d.PanelOf(c) == p {
				first = c
				break
			}
		}
		ll += d.CaseWeight(first) * math.Log(sum/float64(R))
	}
	return ll
}

// TestMXLNames checks the names of the estimated parameters.
func TestMXLNames(t *testing.T) {
	d := &Data{Params: []string{"a", "b", "c", "d"}, Random: []Random{{Param: 2, Dist: Normal}, {Param: 0, Dist: Uniform}, {Param: 3, Dist: Lognormal}, {Param: 1, Dist: Normal}}}
	d.Start = []int{0, 1}
	d.X = make([]float64, 4)
	d.Alt, d.Chosen = []int32{0}, []int32{0}
	for _, tt := range []struct {
		correlated bool
		want       []string
	}{
		{false, []string{"a", "b", "c", "d", "sd.c", "sd.a", "sd.d", "sd.b"}},
		{true, []string{"a", "b", "c", "d", "sd.c", "sd.a", "sd.d", "sd.b", "chol.d.c", "chol.b.c", "chol.b.d"}},
	} {
		m, err := newMXLModel(d, d.Random, tt.correlated, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, m.names); diff != "" {
			t.Errorf("correlated %v (-want +got):\n%s", tt.correlated, diff)
		}
	}
}

// TestMXLRecovery estimates a panel mixed logit on simulated data and
// checks that the estimates lie within 3 standard errors of the truth.
func TestMXLRecovery(t *testing.T) {
	truth := mxlTruth{
		Mean:   []float64{1, -1, 0.5, 0.8},
		SD:     []float64{0, 0.8, 0, 0.5},
		Random: []Random{{Param: 1, Dist: Normal}, {Param: 3, Dist: Normal}},
	}
	d := simulateMXL(11, 1000, 8, 3, truth)
	begin := time.Now()
	r, err := EstimateMXL(context.Background(), d, MXLOptions{Draws: 100, DrawType: MLHS, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d iterations, %.1f s, LL %.3f (start %.3f)", r.Iter, time.Since(begin).Seconds(), r.LL, r.LLStart)
	if !r.Converged {
		t.Errorf("not converged: %s", r.Message)
	}
	want := map[string]float64{"b0": 1, "b1": -1, "b2": 0.5, "b3": 0.8, "sd.b1": 0.8, "sd.b3": 0.5}
	for name, w := range want {
		e, ok := r.Param(name)
		if !ok {
			t.Fatalf("no parameter %s", name)
		}
		if name[:2] == "sd" {
			e.Value = math.Abs(e.Value)
		}
		if z := (e.Value - w) / e.SE; math.Abs(z) > 3 || math.IsNaN(z) {
			t.Errorf("%s = %.4f (SE %.4f), truth %v: %.1f SE away", name, e.Value, e.SE, w, z)
		}
		if e.RobustSE < 0.5*e.SE || e.RobustSE > 2*e.SE {
			t.Errorf("%s: robust SE %.4f far from classical %.4f", name, e.RobustSE, e.SE)
		}
	}
	if !(r.LL > r.LLStart && r.LLStart > r.LLNull) {
		t.Errorf("LL %.3f, at start %.3f, null %.3f: want increasing", r.LL, r.LLStart, r.LLNull)
	}
}

// TestMXLWorkers checks that the estimates do not depend on the number
// of workers, to the last bit.
func TestMXLWorkers(t *testing.T) {
	truth := mxlTruth{Mean: []float64{1, -1, 0.5}, SD: []float64{0, 0.8, 0.3},
		Random: []Random{{Param: 1, Dist: Normal}, {Param: 2, Dist: Triangular}}}
	d := simulateMXL(12, 150, 4, 3, truth)
	var results []*Result
	for _, w := range []int{1, 2, 3} {
		r, err := EstimateMXL(context.Background(), d, MXLOptions{Draws: 30, Workers: w, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		r.Seconds = 0
		results = append(results, r)
	}
	for i, r := range results[1:] {
		if diff := cmp.Diff(results[0], r, cmpopts.EquateNaNs()); diff != "" {
			t.Errorf("1 worker vs %d (-1 +%d):\n%s", i+2, i+2, diff)
		}
	}
}

// TestMXLReproducible checks that the seed decides the result: the same
// seed repeats it, another seed moves it a little.
func TestMXLReproducible(t *testing.T) {
	truth := mxlTruth{Mean: []float64{1, -1}, SD: []float64{0, 0.8}, Random: []Random{{Param: 1, Dist: Normal}}}
	d := simulateMXL(13, 100, 4, 3, truth)
	fit := func(seed uint64) float64 {
		r, err := EstimateMXL(context.Background(), d, MXLOptions{Draws: 20, Seed: seed, DrawType: Pseudo})
		if err != nil {
			t.Fatal(err)
		}
		return r.LL
	}
	a, b, c := fit(1), fit(1), fit(2)
	if a != b {
		t.Errorf("seed 1 twice: LL %v and %v", a, b)
	}
	if a == c || math.Abs(a-c) > 5 {
		t.Errorf("seeds 1 and 2: LL %v and %v; want close but different", a, c)
	}
}

func TestMXLErrors(t *testing.T) {
	base := func() *Data {
		return simulateMXL(14, 10, 2, 3, mxlTruth{Mean: []float64{1, -1}, SD: []float64{0, 1}, Random: []Random{{Param: 1, Dist: Normal}}})
	}
	tests := []struct {
		name   string
		change func(d *Data, o *MXLOptions)
	}{
		{"no random coefficients", func(d *Data, o *MXLOptions) { d.Random = nil }},
		{"random twice", func(d *Data, o *MXLOptions) { d.Random = append(d.Random, Random{Param: 1, Dist: Uniform}) }},
		{"bad distribution", func(d *Data, o *MXLOptions) { d.Random[0].Dist = 7 }},
		{"bad draw type", func(d *Data, o *MXLOptions) { o.DrawType = 5 }},
		{"negative draws", func(d *Data, o *MXLOptions) { o.Draws = -1 }},
		{"weights differ within a panel", func(d *Data, o *MXLOptions) {
			d.Weight = make([]float64, d.Cases())
			for i := range d.Weight {
				d.Weight[i] = float64(i + 1)
			}
		}},
		{"malformed", func(d *Data, o *MXLOptions) { d.Chosen[0] = 99 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, o := base(), MXLOptions{Draws: 5}
			tt.change(d, &o)
			_, err := EstimateMXL(context.Background(), d, o)
			if errs.Code(err) != errs.Invalid {
				t.Errorf("got error %v, want code %s", err, errs.Invalid)
			}
		})
	}
}

func TestMXLCancel(t *testing.T) {
	d := simulateMXL(15, 50, 4, 3, mxlTruth{Mean: []float64{1, -1}, SD: []float64{0, 1}, Random: []Random{{Param: 1, Dist: Normal}}})
	ctx, cancel := context.WithCancel(context.Background())
	iters := 0
	_, err := EstimateMXL(ctx, d, MXLOptions{Draws: 20, Progress: func(iter int, ll float64) {
		iters++
		if iter == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if iters != 3 {
		t.Errorf("progress called %d times, want 3 (iterations 0, 1, 2)", iters)
	}
}

// TestMXLElectricity fits the six-normal panel mixed logit of the
// electricity data (mlogit's vignette, xlogit's example) with few draws,
// to stay fast, and checks it against the published 1,500-draw fit
// (xlogit LL -3886.17; mlogit -3886.02) with tolerances wide enough for
// the simulation bias of 200 draws (the published fits at 200 draws:
// -3914.73). The full 1,500-draw comparison is BenchmarkMXL in bench/.
func TestMXLElectricity(t *testing.T) {
	d := loadExample(t, "electricity", "mlogit_electricity", "electricity_long.csv")
	if d.Cases() != 4308 || d.Panels != 361 {
		t.Fatalf("%d cases, %d people; want 4308, 361", d.Cases(), d.Panels)
	}
	r, err := EstimateMXL(context.Background(), d, MXLOptions{Draws: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d iterations, %.1f s, LL %.3f", r.Iter, r.Seconds, r.LL)
	if !r.Converged {
		t.Errorf("not converged: %s", r.Message)
	}
	if r.LL < -3935 || r.LL > -3870 {
		t.Errorf("LL %.3f, want within [-3935, -3870]", r.LL)
	}
	// xlogit at 1,500 draws: estimate and standard error.
	want := map[string][2]float64{
		"b_pf": {-1.0054, 0.034355}, "b_cl": {-0.23976, 0.025775}, "b_loc": {2.285, 0.1245}, "b_wk": {1.709, 0.10095},
		"b_tod": {-9.6837, 0.321}, "b_seas": {-9.8213, 0.30854}, "sd.b_pf": {0.23284, 0.018376}, "sd.b_cl": {0.42235, 0.025416},
		"sd.b_loc": {1.8488, 0.12043}, "sd.b_wk": {1.2422, 0.090688}, "sd.b_tod": {2.4835, 0.21382}, "sd.b_seas": {1.5168, 0.16555},
	}
	for name, w := range want {
		e, _ := r.Param(name)
		v := e.Value
		if name[:2] == "sd" {
			v = math.Abs(v)
		}
		if z := (v - w[0]) / w[1]; math.Abs(z) > 3 {
			t.Errorf("%s = %.4f (SE %.4f), xlogit %.4f (SE %.4f): %.1f SE away", name, v, e.SE, w[0], w[1], z)
		}
		if e.SE < 0.5*w[1] || e.SE > 2*w[1] {
			t.Errorf("%s: SE %.4f, xlogit %.4f", name, e.SE, w[1])
		}
	}
}
