package choice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tailor-c2b/tailor/errs"
)

// mnlRandomData returns a small random data set: cases of 1 to maxAlts
// rows, k standard-normal columns, and, as asked, offsets, weights and
// panels of up to 4 cases.
func mnlRandomData(rng *rand.Rand, cases, maxAlts, k int, offsets, weights, panels bool) *Data {
	d := &Data{Start: []int{0}}
	for j := range k {
		d.Params = append(d.Params, fmt.Sprintf("b%d", j))
	}
	for a := range maxAlts {
		d.Alternatives = append(d.Alternatives, fmt.Sprintf("alt%d", a))
	}
	panel := 0
	for c := range cases {
		n := 1 + rng.IntN(maxAlts)
		if c < 3 {
			n = maxAlts // some variation in every column, whatever the draw
		}
		r0 := d.Rows()
		for a := range n {
			for range k {
				d.X = append(d.X, rng.NormFloat64())
			}
			d.Alt = append(d.Alt, int32(a))
			if offsets {
				d.Offset = append(d.Offset, rng.NormFloat64())
			}
		}
		d.Start = append(d.Start, r0+n)
		d.Chosen = append(d.Chosen, int32(r0+rng.IntN(n)))
		if weights {
			d.Weight = append(d.Weight, 0.5+rng.Float64())
		}
		if panels {
			if c > 0 && rng.IntN(4) == 0 {
				panel++
			}
			d.Panel = append(d.Panel, int32(panel))
		}
	}
	if panels {
		d.Panels = panel + 1
	}
	return d
}

// mnlBrute computes the log-likelihood, gradient, information matrix and
// per-cluster score products directly from the definitions, with no max
// subtraction and no packing.
func mnlBrute(d *Data, beta []float64, cluster bool) (ll float64, g []float64, info, b [][]float64) {
	k := d.K()
	g = make([]float64, k)
	info = make([][]float64, k)
	b = make([][]float64, k)
	for i := range k {
		info[i] = make([]float64, k)
		b[i] = make([]float64, k)
	}
	flush := func(s []float64) {
		for i := range k {
			for j := range k {
				b[i][j] += s[i] * s[j]
			}
		}
	}
	score := make([]float64, k)
	for c := range d.Cases() {
		r0, r1 := d.Start[c], d.Start[c+1]
		w := d.CaseWeight(c)
		den := 0.0
		for r := r0; r < r1; r++ {
			den += math.Exp(utility(d, beta, r))
		}
		ch := int(d.Chosen[c])
		ll += w * math.Log(math.Exp(utility(d, beta, ch))/den)
		for i := range k {
			mi := 0.0
			for r := r0; r < r1; r++ {
				mi += math.Exp(utility(d, beta, r)) / den * d.Row(r)[i]
			}
			g[i] += w * (d.Row(ch)[i] - mi)
			score[i] += w * (d.Row(ch)[i] - mi)
			for j := range k {
				mj, mij := 0.0, 0.0
				for r := r0; r < r1; r++ {
					p := math.Exp(utility(d, beta, r)) / den
					mj += p * d.Row(r)[j]
					mij += p * d.Row(r)[i] * d.Row(r)[j]
				}
				info[i][j] += w * (mij - mi*mj)
			}
		}
		if !cluster || c+1 == d.Cases() || d.PanelOf(c+1) != d.PanelOf(c) {
			flush(score)
			clear(score)
		}
	}
	return ll, g, info, b
}

func mnlPass(d *Data, beta []float64, workers int, cluster bool) *mnlTotals {
	e := newMNLEval(d, workers, cluster)
	t := e.newTotals()
	e.pass(beta, true, true, t)
	return t
}

func TestMNLSumsAgainstBruteForce(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			cluster := seed%2 == 0
			d := mnlRandomData(rng, 300, 5, 4, seed%3 != 0, seed%4 != 1, cluster)
			beta := make([]float64, d.K())
			for i := range beta {
				beta[i] = rng.NormFloat64()
			}
			got := mnlPass(d, beta, 2, cluster)
			ll, g, info, b := mnlBrute(d, beta, cluster)
			approx := cmpopts.EquateApprox(1e-10, 1e-10)
			if diff := cmp.Diff(ll, got.ll, approx); diff != "" {
				t.Errorf("log-likelihood (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(g, got.g, approx); diff != "" {
				t.Errorf("gradient (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(info, unpack(got.info, d.K()), approx); diff != "" {
				t.Errorf("information (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(b, unpack(got.b, d.K()), approx); diff != "" {
				t.Errorf("score products (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMNLDerivativesAgainstFiniteDifferences(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 2))
			d := mnlRandomData(rng, 60, 4, 3, seed%2 == 0, seed%3 == 0, false)
			k := d.K()
			beta := make([]float64, k)
			for i := range beta {
				beta[i] = rng.NormFloat64()
			}
			at := mnlPass(d, beta, 1, false)
			info := unpack(at.info, k)
			const h = 1e-5
			for i := range k {
				up, down := cloneFloats(beta), cloneFloats(beta)
				up[i] += h
				down[i] -= h
				fd := (LogLikelihood(d, up) - LogLikelihood(d, down)) / (2 * h)
				if math.Abs(fd-at.g[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
					t.Errorf("gradient %d: analytic %v, finite difference %v", i, at.g[i], fd)
				}
				gu, gd := mnlPass(d, up, 1, false).g, mnlPass(d, down, 1, false).g
				for j := range k {
					// The information matrix is minus the Hessian.
					fd := -(gu[j] - gd[j]) / (2 * h)
					if math.Abs(fd-info[i][j]) > 1e-6*math.Max(1, math.Abs(fd)) {
						t.Errorf("information [%d][%d]: analytic %v, finite difference %v", i, j, info[i][j], fd)
					}
				}
			}
		})
	}
}

func cloneFloats(x []float64) []float64 { return append([]float64(nil), x...) }

func TestLogLikelihoodStable(t *testing.T) {
	// Utilities of ±1000 overflow a naive exp; the log-sum-exp form does not.
	d := &Data{
		Params: []string{"b"},
		Start:  []int{0, 2, 4},
		X:      []float64{1000, 999, -1000, -1001},
		Alt:    []int32{0, 1, 0, 1},
		Chosen: []int32{1, 2},
	}
	got := LogLikelihood(d, []float64{1})
	want := -1 - 2*math.Log1p(math.Exp(-1))
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("LogLikelihood = %v, want %v", got, want)
	}
	p := Probabilities(d, []float64{1})
	wantP := []float64{1 / (1 + math.Exp(-1)), math.Exp(-1) / (1 + math.Exp(-1))}
	wantP = append(wantP, wantP...)
	if diff := cmp.Diff(wantP, p, cmpopts.EquateApprox(0, 1e-15)); diff != "" {
		t.Errorf("Probabilities (-want +got):\n%s", diff)
	}
}

func TestProbabilitiesAndLogLikelihoodAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	d := mnlRandomData(rng, 200, 6, 3, true, true, false)
	beta := []float64{0.3, -0.7, 1.1}
	p := Probabilities(d, beta)
	ll := 0.0
	for c := range d.Cases() {
		den := 0.0
		for r := d.Start[c]; r < d.Start[c+1]; r++ {
			den += math.Exp(utility(d, beta, r))
		}
		for r := d.Start[c]; r < d.Start[c+1]; r++ {
			if want := math.Exp(utility(d, beta, r)) / den; math.Abs(p[r]-want) > 1e-14 {
				t.Fatalf("row %d: probability %v, want %v", r, p[r], want)
			}
		}
		ll += d.CaseWeight(c) * math.Log(math.Exp(utility(d, beta, int(d.Chosen[c])))/den)
	}
	if got := LogLikelihood(d, beta); math.Abs(got-ll) > 1e-10 {
		t.Errorf("LogLikelihood = %v, brute force %v", got, ll)
	}
}

func TestHitRate(t *testing.T) {
	// Utilities are the single column: case 0 chooses its best row, case 1
	// does not, case 2 chooses one of two tied best rows.
	d := &Data{
		Params: []string{"b"},
		Start:  []int{0, 3, 5, 8},
		X:      []float64{1, 3, 2, 5, 4, 7, 7, 1},
		Alt:    []int32{0, 1, 2, 0, 1, 0, 1, 2},
		Chosen: []int32{1, 4, 5},
	}
	tests := []struct {
		name   string
		weight []float64
		want   float64
	}{
		{"unweighted", nil, (1 + 0 + 0.5) / 3},
		{"weighted", []float64{2, 1, 1}, (2 + 0 + 0.5) / 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.Weight = tt.weight
			if got := HitRate(d, []float64{1}); math.Abs(got-tt.want) > 1e-15 {
				t.Errorf("HitRate = %v, want %v", got, tt.want)
			}
		})
	}
}

// mnlSimulate draws cases of 3 alternatives whose utilities are an ASC
// for alternatives 1 and 2, two generic variables and a Gumbel error, and
// records the highest-utility alternative as chosen.
func mnlSimulate(rng *rand.Rand, cases int, truth []float64) *Data {
	d := &Data{Params: []string{"asc1", "asc2", "b_x", "b_z"}, Alternatives: []string{"a0", "a1", "a2"}, Start: []int{0}}
	for c := range cases {
		r0 := 3 * c
		best, bestU := 0, math.Inf(-1)
		for a := range 3 {
			x := []float64{b2f(a == 1), b2f(a == 2), rng.NormFloat64(), rng.Float64() * 2}
			d.X = append(d.X, x...)
			d.Alt = append(d.Alt, int32(a))
			u := -math.Log(-math.Log(rng.Float64()))
			for j := range x {
				u += x[j] * truth[j]
			}
			if u > bestU {
				best, bestU = a, u
			}
		}
		d.Start = append(d.Start, r0+3)
		d.Chosen = append(d.Chosen, int32(r0+best))
	}
	return d
}

func TestEstimateMNLRecovers(t *testing.T) {
	truth := []float64{0.5, -0.4, 1.2, -0.8}
	d := mnlSimulate(rand.New(rand.NewPCG(42, 42)), 20_000, truth)
	r, err := EstimateMNL(t.Context(), d, MNLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Converged {
		t.Fatalf("not converged: %s", r.Message)
	}
	for i, e := range r.Params {
		if z := (e.Value - truth[i]) / e.SE; math.Abs(z) > 4 {
			t.Errorf("%s = %.4f (s.e. %.4f), truth %v: %.1f s.e. away", e.Name, e.Value, e.SE, truth[i], z)
		}
		// With a correct model the robust and classical errors agree.
		if ratio := e.RobustSE / e.SE; ratio < 0.9 || ratio > 1.1 {
			t.Errorf("%s: robust s.e. %.4f against classical %.4f", e.Name, e.RobustSE, e.SE)
		}
	}
	// At the maximum the gradient vanishes.
	at := mnlPass(d, estimates(r), 1, false)
	for i, g := range at.g {
		if math.Abs(g) > 1e-6 {
			t.Errorf("gradient %d at the estimates = %v", i, g)
		}
	}
	if want := -20_000 * math.Log(3); math.Abs(r.LLNull-want) > 1e-7 || math.Abs(r.LLStart-want) > 1e-7 {
		t.Errorf("LLNull %v, LLStart %v; want both %v", r.LLNull, r.LLStart, -20_000*math.Log(3))
	}
	if want := 2*4 - 2*r.LL; math.Abs(r.AIC-want) > 1e-9 {
		t.Errorf("AIC = %v, want %v", r.AIC, want)
	}
}

func estimates(r *Result) []float64 {
	var b []float64
	for _, e := range r.Params {
		if !e.Fixed {
			b = append(b, e.Value)
		}
	}
	return b
}

func TestEstimateMNLSameForAnyWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	d := mnlRandomData(rng, 30_000, 4, 5, true, true, true)
	// Give the choices some signal so that the estimates are not all zero.
	for c := range d.Cases() {
		best, bu := d.Start[c], math.Inf(-1)
		for r := d.Start[c]; r < d.Start[c+1]; r++ {
			if u := utility(d, []float64{1, -1, 0.5, 0, 0.2}, r) + 2*rng.NormFloat64(); u > bu {
				best, bu = r, u
			}
		}
		d.Chosen[c] = int32(best)
	}
	var want *Result
	for _, workers := range []int{1, 2, 3, 8} {
		for _, cluster := range []bool{false, true} {
			got, err := EstimateMNL(t.Context(), d, MNLOptions{Workers: workers, ClusterByPanel: cluster})
			if err != nil {
				t.Fatal(err)
			}
			got.Seconds = 0
			if !cluster {
				if want == nil {
					want = got
				} else if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Workers=%d differs from Workers=1 (-want +got):\n%s", workers, diff)
				}
				continue
			}
			if diff := cmp.Diff(want.Cov, got.Cov); diff != "" || got.LL != want.LL {
				t.Errorf("Workers=%d: clustering changed the classical covariance or LL", workers)
			}
			if cmp.Equal(want.RobustCov, got.RobustCov) {
				t.Errorf("Workers=%d: clustering by panel left the robust covariance unchanged", workers)
			}
		}
	}
}

func TestEstimateMNLFixedAndWeights(t *testing.T) {
	truth := []float64{0.5, -0.4, 1.2, -0.8}
	d := mnlSimulate(rand.New(rand.NewPCG(5, 5)), 3000, truth)
	// Hold b_z at its true value: fold its term into the offsets and drop
	// its column.
	fixed := &Data{Params: d.Params[:3], Fixed: []FixedParam{{"b_z", -0.8}}, Start: d.Start, Alt: d.Alt, Chosen: d.Chosen}
	for r := range d.Rows() {
		x := d.Row(r)
		fixed.X = append(fixed.X, x[:3]...)
		fixed.Offset = append(fixed.Offset, -0.8*x[3])
	}
	r, err := EstimateMNL(t.Context(), fixed, MNLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range r.Params {
		names = append(names, e.Name)
	}
	if diff := cmp.Diff([]string{"asc1", "asc2", "b_x", "b_z"}, names); diff != "" {
		t.Errorf("parameter order (-want +got):\n%s", diff)
	}
	last := r.Params[3]
	if !last.Fixed || last.Value != -0.8 || !math.IsNaN(last.SE) {
		t.Errorf("fixed parameter = %+v", last)
	}
	if want := 2*3 - 2*r.LL; math.Abs(r.AIC-want) > 1e-9 {
		t.Errorf("AIC = %v, want %v (3 estimated parameters)", r.AIC, want)
	}

	// Weighting every case by 2 doubles the log-likelihood and leaves the
	// estimates where they are; the classical errors shrink by sqrt 2.
	twice := *fixed
	twice.Weight = make([]float64, fixed.Cases())
	for i := range twice.Weight {
		twice.Weight[i] = 2
	}
	r2, err := EstimateMNL(t.Context(), &twice, MNLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r2.LL-2*r.LL) > 1e-8 {
		t.Errorf("weighted LL %v, want %v", r2.LL, 2*r.LL)
	}
	for i := range 3 {
		a, b := r.Params[i], r2.Params[i]
		if math.Abs(a.Value-b.Value) > 1e-8 || math.Abs(a.SE/b.SE-math.Sqrt2) > 1e-6 {
			t.Errorf("%s: unweighted %v (%v), weighted %v (%v)", a.Name, a.Value, a.SE, b.Value, b.SE)
		}
	}
}

func TestEstimateMNLNotIdentified(t *testing.T) {
	base := mnlSimulate(rand.New(rand.NewPCG(9, 9)), 500, []float64{0.5, -0.4, 1.2, -0.8})
	tests := []struct {
		name   string
		modify func(d *Data) *Data
		want   []string // in the message
	}{
		{
			name: "constant column",
			modify: func(d *Data) *Data {
				// b_z is the same for every alternative of a case.
				for c := range d.Cases() {
					for r := d.Start[c]; r < d.Start[c+1]; r++ {
						d.X[r*4+3] = float64(c % 7)
					}
				}
				return d
			},
			want: []string{"b_z does not vary across the alternatives of any case"},
		},
		{
			name: "collinear columns",
			modify: func(d *Data) *Data {
				// A third ASC makes the three add up to a constant.
				out := &Data{Params: []string{"asc0", "asc1", "asc2", "b_x"}, Start: d.Start, Alt: d.Alt, Chosen: d.Chosen}
				for r := range d.Rows() {
					x := d.Row(r)
					out.X = append(out.X, b2f(d.Alt[r] == 0), x[0], x[1], x[2])
				}
				return out
			},
			want: []string{"asc0, asc1, asc2 are collinear"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := *base
			d.X = cloneFloats(base.X)
			_, err := EstimateMNL(t.Context(), tt.modify(&d), MNLOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			if errs.Code(err) != errs.Invalid {
				t.Errorf("code %q, want %q", errs.Code(err), errs.Invalid)
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestEstimateMNLStops(t *testing.T) {
	d := mnlSimulate(rand.New(rand.NewPCG(11, 11)), 2000, []float64{0.5, -0.4, 1.2, -0.8})
	t.Run("iterations", func(t *testing.T) {
		var calls []int
		r, err := EstimateMNL(t.Context(), d, MNLOptions{MaxIter: 1, Progress: func(iter int, ll float64) { calls = append(calls, iter) }})
		if err != nil {
			t.Fatal(err)
		}
		if r.Converged || r.Iter != 1 || !strings.Contains(r.Message, "1 iterations without convergence") {
			t.Errorf("Converged %v, Iter %d, Message %q", r.Converged, r.Iter, r.Message)
		}
		if diff := cmp.Diff([]int{0, 1}, calls); diff != "" {
			t.Errorf("progress calls (-want +got):\n%s", diff)
		}
		if math.IsNaN(r.Params[0].SE) || r.LL <= r.LLStart {
			t.Errorf("unconverged result lacks figures: %+v", r)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		_, err := EstimateMNL(ctx, d, MNLOptions{Progress: func(int, float64) { cancel() }})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
	t.Run("bad data", func(t *testing.T) {
		bad := *d
		bad.Chosen = bad.Chosen[:10]
		if _, err := EstimateMNL(t.Context(), &bad, MNLOptions{}); errs.Code(err) != errs.Invalid {
			t.Errorf("error %v, want code invalid", err)
		}
	})
}

func TestMNLPrint(t *testing.T) {
	d := mnlSimulate(rand.New(rand.NewPCG(13, 13)), 1000, []float64{0.5, -0.4, 1.2, -0.8})
	d.Fixed = []FixedParam{{Name: "asc0", Value: 0}}
	r, err := EstimateMNL(t.Context(), d, MNLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.Print(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// Each figure on the first line with its label, whatever the alignment.
	want := map[string]string{
		"Multinomial logit":        "maximum likelihood",
		"cases":                    "1,000",
		"Final log-likelihood:":    fmt.Sprintf("%.3f", r.LL),
		"Null log-likelihood:":     fmt.Sprintf("%.3f", r.LLNull),
		"Log-likelihood at start:": fmt.Sprintf("%.3f", r.LLStart),
		"AIC:":                     fmt.Sprintf("%.2f", r.AIC),
		"Iterations:":              fmt.Sprintf("%d, converged", r.Iter),
		"asc0":                     "(fixed)",
	}
	for _, e := range r.Params[:4] {
		want[e.Name] = fmt.Sprintf("%.6g", e.Value)
	}
	lines := strings.Split(out, "\n")
	for label, figure := range want {
		found := false
		for _, line := range lines {
			if strings.Contains(line, label) {
				found = strings.Contains(line, figure)
				break
			}
		}
		if !found {
			t.Errorf("no line %q with %q in:\n%s", label, figure, out)
		}
	}
}

// mnlTestRows accumulates the rows of one case for a test loader.
type mnlTestRows struct {
	x      [][]float64
	alt    []int32
	chosen int // index into x, -1 when none
}

// appendCase adds a case to d; it skips cases whose chosen alternative is
// unavailable (absent from rows).
func (rows *mnlTestRows) appendTo(d *Data, panel int32) {
	if rows.chosen < 0 {
		panic("case without a chosen alternative")
	}
	r0 := d.Rows()
	for i, x := range rows.x {
		d.X = append(d.X, x...)
		d.Alt = append(d.Alt, rows.alt[i])
	}
	d.Start = append(d.Start, r0+len(rows.x))
	d.Chosen = append(d.Chosen, int32(r0+rows.chosen))
	if panel >= 0 {
		d.Panel = append(d.Panel, panel)
		if int(panel) >= d.Panels {
			d.Panels = int(panel) + 1
		}
	}
}

// mnlReference is a published fit to match: the log-likelihood to 1e-6,
// each estimate to valueTol, and each standard error to the decimals
// given. The references stop their iterations earlier than EstimateMNL
// (Biogeme's yaml estimates still have a scaled gradient of 7e-10, R's
// coxph stops on a relative change of 1e-9 in the log-likelihood), so
// their last digits are not all significant: valueTol is 1e-6 where they
// print more (2e-6 for Biogeme's). When all estimated coefficients are given, the fit must be
// at least as good as the reference's own point.
type mnlReference struct {
	ll       float64
	value    map[string]float64
	valueTol float64
	se       map[string]float64
	seDec    int
	robust   map[string]float64
	robDec   int
}

func (ref mnlReference) check(t *testing.T, d *Data, r *Result) {
	t.Helper()
	if !r.Converged {
		t.Errorf("not converged: %s", r.Message)
	}
	if math.Abs(r.LL-ref.ll) > 1e-6 {
		t.Errorf("LL = %.9f, want %.9f", r.LL, ref.ll)
	}
	digits := func(what string, want map[string]float64, dec int, get func(Estimate) float64) {
		for name, w := range want {
			e, ok := r.Param(name)
			if !ok {
				t.Errorf("no parameter %s", name)
				continue
			}
			got := get(e)
			if math.Abs(got-w) > 0.5*math.Pow(10, -float64(dec))*(1+1e-9) {
				t.Errorf("%s %s = %.*f, want %.*f", name, what, dec+2, got, dec, w)
			}
		}
	}
	for name, w := range ref.value {
		if e, ok := r.Param(name); !ok || math.Abs(e.Value-w) > ref.valueTol {
			t.Errorf("%s = %.9f, want %v within %v", name, e.Value, w, ref.valueTol)
		}
	}
	digits("s.e.", ref.se, ref.seDec, func(e Estimate) float64 { return e.SE })
	digits("robust s.e.", ref.robust, ref.robDec, func(e Estimate) float64 { return e.RobustSE })
	if len(ref.value) == d.K() {
		theirs := make([]float64, d.K())
		for i, name := range d.Params {
			theirs[i] = ref.value[name]
		}
		if ll := LogLikelihood(d, theirs); ll > r.LL {
			t.Errorf("LL %.12f at the reference's estimates is above ours, %.12f", ll, r.LL)
		}
	}
}

func TestEstimateMNLSwissmetro(t *testing.T) {
	d := loadSwissmetro(t)
	if d.Cases() != 6768 {
		t.Fatalf("%d cases, want 6768", d.Cases())
	}
	r, err := EstimateMNL(t.Context(), d, MNLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Biogeme b01a_logit (swissmetro README); robust s.e. to the five
	// digits survival::clogit prints.
	mnlReference{
		ll:    -5331.252006916,
		value: map[string]float64{"asc_train": -0.7011872849, "b_time": -1.2778589565, "b_cost": -1.0837900371, "asc_car": -0.1546326720},
		// Biogeme stopped 2.6e-5 standard errors (in the metric of the
		// information matrix) short of the maximum.
		valueTol: 2e-6,
		se:       map[string]float64{"asc_train": 0.05487, "b_time": 0.05688, "b_cost": 0.05183, "asc_car": 0.04324},
		seDec:    5,
		robust:   map[string]float64{"asc_train": 0.08256, "b_time": 0.10425, "b_cost": 0.06823, "asc_car": 0.05816},
		robDec:   5,
	}.check(t, d, r)
	if math.Abs(r.LLNull - -6964.663) > 5e-4 || math.Abs(r.AIC-10670.5) > 0.05 || math.Abs(r.BIC-10697.78) > 0.005 {
		t.Errorf("null LL %.3f, AIC %.2f, BIC %.2f; want -6964.663, 10670.5, 10697.78", r.LLNull, r.AIC, r.BIC)
	}
	if math.Abs(r.RhoSq-0.235) > 5e-4 {
		t.Errorf("rho-squared %.4f, want 0.235", r.RhoSq)
	}
	if e, _ := r.Param("asc_sm"); !e.Fixed || e.Value != 0 {
		t.Errorf("asc_sm = %+v, want fixed at 0", e)
	}
	t.Logf("%d iterations, %.3f s", r.Iter, r.Seconds)
}

// loadHeating compiles mlogit's Heating model 3 (testdata/heating.spec)
// or, without constants, model 1.
func loadHeating(t *testing.T, ascs bool) *Data {
	t.Helper()
	if ascs {
		return loadExample(t, "heating", "mlogit_heating", "heating_wide.csv")
	}
	src, err := os.ReadFile("testdata/heating.spec")
	if err != nil {
		t.Fatal(err)
	}
	model1 := regexp.MustCompile(`asc_\w+ \+`).ReplaceAllString(string(src), "")
	return loadSpec(t, model1, "mlogit_heating", "heating_wide.csv")
}

func TestEstimateMNLHeating(t *testing.T) {
	tests := []struct {
		name string
		ascs bool
		ref  mnlReference
	}{
		{"model 1", false, mnlReference{
			ll:    -1095.237125,
			value: map[string]float64{"b_ic": -0.0062319, "b_oc": -0.0045801}, valueTol: 1e-6,
			se: map[string]float64{"b_ic": 0.0003528, "b_oc": 0.0003222}, seDec: 7,
		}},
		{"model 3", true, mnlReference{
			ll: -1008.228722,
			value: map[string]float64{"asc_ec": 1.6588459, "asc_er": 1.8534370, "asc_gc": 1.7109793, "asc_gr": 0.3082633,
				"b_ic": -0.0015332, "b_oc": -0.0069964},
			valueTol: 1e-6,
			se: map[string]float64{"asc_ec": 0.4484194, "asc_er": 0.3619551, "asc_gc": 0.2267421, "asc_gr": 0.2065922,
				"b_ic": 0.0006209, "b_oc": 0.0015541},
			seDec: 7,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := loadHeating(t, tt.ascs)
			r, err := EstimateMNL(t.Context(), d, MNLOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tt.ref.check(t, d, r)
		})
	}
}

func TestEstimateMNLCameraPooled(t *testing.T) {
	d := loadExample(t, "camera", "bayesm_camera", "camera_long_from_rdata.csv")
	r, err := EstimateMNL(t.Context(), d, MNLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mnlReference{
		ll: -6503.746518,
		value: map[string]float64{"b_canon": 0.4650268, "b_sony": 0.2383719, "b_nikon": 0.3116539, "b_panasonic": 0.0226606,
			"b_pixels": 0.7582604, "b_zoom": 0.8193529, "b_video": 0.6278849, "b_swivel": 0.3671048, "b_wifi": 0.5778052, "b_price": -1.4855530},
		valueTol: 1e-6,
	}.check(t, d, r)
}

func TestEstimateMNLElectricity(t *testing.T) {
	d := loadExample(t, "electricity", "mlogit_electricity", "electricity_long.csv")
	r, err := EstimateMNL(t.Context(), d, MNLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mnlReference{
		ll: -4958.649119,
		value: map[string]float64{"b_pf": -0.6252278, "b_cl": -0.1082991, "b_loc": 1.4422430, "b_wk": 0.9955040,
			"b_tod": -5.4627590, "b_seas": -5.8400310},
		valueTol: 1e-6,
	}.check(t, d, r)
}

func TestEstimateMNLRobustCovariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	d := mnlRandomData(rng, 400, 4, 3, true, true, true)
	for _, cluster := range []bool{false, true} {
		t.Run(fmt.Sprintf("cluster=%v", cluster), func(t *testing.T) {
			r, err := EstimateMNL(t.Context(), d, MNLOptions{ClusterByPanel: cluster})
			if err != nil {
				t.Fatal(err)
			}
			_, _, info, b := mnlBrute(d, estimates(r), cluster)
			// Cov is the inverse of the information matrix...
			for i := range info {
				for j := range info {
					s := 0.0
					for l := range info {
						s += r.Cov[i][l] * info[l][j]
					}
					if want := b2f(i == j); math.Abs(s-want) > 1e-9 {
						t.Errorf("(Cov * information)[%d][%d] = %v, want %v", i, j, s, want)
					}
				}
			}
			// ...and RobustCov the sandwich around the score products.
			want := sandwich(r.Cov, b)
			if diff := cmp.Diff(want, r.RobustCov, cmpopts.EquateApprox(1e-9, 0)); diff != "" {
				t.Errorf("RobustCov (-want +got):\n%s", diff)
			}
			for i, e := range r.Params {
				if math.Abs(e.RobustSE-math.Sqrt(want[i][i])) > 1e-9*e.RobustSE || e.RobustT != e.Value/e.RobustSE || e.T != e.Value/e.SE {
					t.Errorf("%s: %+v", e.Name, e)
				}
			}
		})
	}
}
