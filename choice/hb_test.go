package choice

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tailor-c2b/tailor/errs"
)

// loadCamera compiles testdata/camera.spec on bayesm's camera data.
func loadCamera(tb testing.TB) *Data {
	return loadExample(tb, "camera", "bayesm_camera", "camera_long_from_rdata.csv")
}

// The bayesm reference run in the camera data's README: posterior means
// and standard deviations of mu and posterior means of sqrt(diag Sigma).
var (
	cameraRefMean = map[string]float64{"b_canon": 1.960, "b_sony": 1.551, "b_nikon": 1.677, "b_panasonic": 1.158,
		"b_pixels": 1.385, "b_zoom": 1.699, "b_video": 1.294, "b_swivel": 0.738, "b_wifi": 1.152, "b_price": -3.471}
	cameraRefSD = map[string]float64{"b_canon": 0.35, "b_sony": 0.36, "b_nikon": 0.36, "b_panasonic": 0.36,
		"b_pixels": 0.13, "b_zoom": 0.13, "b_video": 0.10, "b_swivel": 0.11, "b_wifi": 0.11, "b_price": 0.17}
	cameraRefSigmaSD = map[string]float64{"b_canon": 5.49, "b_sony": 5.77, "b_nikon": 5.67, "b_panasonic": 5.64,
		"b_pixels": 1.84, "b_zoom": 1.84, "b_video": 1.31, "b_swivel": 1.39, "b_wifi": 1.53, "b_price": 2.50}
	cameraRefMeanLL = -2864.9
)

// TestHBCamera checks EstimateHB against the bayesm reference run on the
// camera data. To keep the test short it runs 3,000 iterations (burn-in
// 1,000) where the reference ran 10,000 (burn-in 2,000); the benchmark in
// bench/ runs the full length side by side with bayesm.
func TestHBCamera(t *testing.T) {
	d := loadCamera(t)
	r, err := EstimateHB(context.Background(), d, HBOptions{Iterations: 3000, BurnIn: 1000, Seed: 66})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%.2f s, acceptance %.3f, mean LL %.1f, LL at means %.1f", r.Seconds, r.HB.Acceptance, r.HB.MeanLL, r.LL)
	for j, e := range r.Params {
		t.Logf("%-10s mean %7.3f (ref %7.3f) sd %.3f (ref %.2f)  sqrt(Sigma_jj) %.2f (ref %.2f)  geweke %5.2f ess %6.0f",
			e.Name, e.Value, cameraRefMean[e.Name], e.SE, cameraRefSD[e.Name], r.HB.SDMean[j], cameraRefSigmaSD[e.Name], r.HB.Geweke[j], r.HB.ESS[j])
	}
	for j, e := range r.Params {
		if dev := math.Abs(e.Value-cameraRefMean[e.Name]) / cameraRefSD[e.Name]; dev > 2 {
			t.Errorf("%s: posterior mean %.3f is %.1f reference posterior sd from bayesm's %.3f", e.Name, e.Value, dev, cameraRefMean[e.Name])
		}
		if rel := math.Abs(r.HB.SDMean[j]/cameraRefSigmaSD[e.Name] - 1); rel > 0.15 {
			t.Errorf("%s: posterior mean of sqrt(Sigma_jj) %.2f is %.0f%% from bayesm's %.2f", e.Name, r.HB.SDMean[j], 100*rel, cameraRefSigmaSD[e.Name])
		}
	}
	if math.Abs(r.HB.MeanLL-cameraRefMeanLL) > 30 {
		t.Errorf("mean log-likelihood %.1f, bayesm %.1f", r.HB.MeanLL, cameraRefMeanLL)
	}
	if r.Panels != 332 || r.Cases != 5312 || len(r.HB.Individual) != 332 || r.HB.IDs[331] != d.PanelIDs[331] {
		t.Errorf("panels %d, cases %d, individuals %d", r.Panels, r.Cases, len(r.HB.Individual))
	}
}

// BenchmarkHBLogLik times one person's log-likelihood on the camera data,
// by the table of factors and by the dense utilities.
func BenchmarkHBLogLik(b *testing.B) {
	d := loadCamera(b)
	units := hbUnits(d)
	beta := []float64{1.9, 1.5, 1.6, 1.1, 1.4, 1.7, 1.3, 0.7, 1.1, -3.4}
	b.Run("table", func(b *testing.B) {
		i := 0
		for b.Loop() {
			units[i%len(units)].logLik(beta)
			i++
		}
	})
	b.Run("dense", func(b *testing.B) {
		i := 0
		for b.Loop() {
			units[i%len(units)].logLikDense(beta)
			i++
		}
	})
	b.Run("chol", func(b *testing.B) {
		a := make([]float64, 100)
		for b.Loop() {
			for j := range a {
				a[j] = 0.1
			}
			for j := range 10 {
				a[j*10+j] = 2
			}
			hbChol(a, 10)
		}
	})
}

// hbSynthetic returns choice data from persons whose part-worths are drawn
// from N(mu, LLᵀ), with the part-worths drawn. Explanatory values are
// dummies and a price with a few levels when levels is true, continuous
// normal values otherwise. When none is true every task also has an
// all-zero "none" row.
func hbSynthetic(rng *rand.Rand, persons, tasks, alts int, mu []float64, l [][]float64, levels, none bool) (*Data, [][]float64) {
	k := len(mu)
	d := &Data{Start: []int{0}, Panels: persons}
	for j := range k {
		d.Params = append(d.Params, "b"+strconv.Itoa(j+1))
	}
	betas := make([][]float64, persons)
	for p := range persons {
		z := make([]float64, k)
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		b := slices.Clone(mu)
		for a := range k {
			for c := range a + 1 {
				b[a] += l[a][c] * z[c]
			}
		}
		betas[p] = b
		d.PanelIDs = append(d.PanelIDs, "p"+strconv.Itoa(p))
		for range tasks {
			rows := alts
			if none {
				rows++
			}
			u := make([]float64, rows)
			for a := range rows {
				x := make([]float64, k)
				if !(none && a == alts) {
					for j := range k {
						switch {
						case !levels:
							x[j] = rng.NormFloat64()
						case j == k-1:
							x[j] = []float64{0.5, 1, 1.5, 2}[rng.IntN(4)]
						default:
							x[j] = float64(rng.IntN(2))
						}
					}
				}
				for j := range k {
					u[a] += x[j] * b[j]
				}
				u[a] -= math.Log(-math.Log(rng.Float64())) // Gumbel
				d.X = append(d.X, x...)
				d.Alt = append(d.Alt, int32(a))
			}
			best := 0
			for a := range rows {
				if u[a] > u[best] {
					best = a
				}
			}
			d.Chosen = append(d.Chosen, int32(d.Start[len(d.Start)-1]+best))
			d.Start = append(d.Start, len(d.Alt))
			d.Panel = append(d.Panel, int32(p))
		}
	}
	for a := range alts {
		d.Alternatives = append(d.Alternatives, "alt"+strconv.Itoa(a+1))
	}
	if none {
		d.Alternatives = append(d.Alternatives, "none")
	}
	return d, betas
}

// hbBruteLL is the log-likelihood of d's cases c0..c1-1 at beta, computed
// the obvious way.
func hbBruteLL(d *Data, c0, c1 int, beta []float64) float64 {
	ll := 0.0
	for c := c0; c < c1; c++ {
		var u []float64
		for r := d.Start[c]; r < d.Start[c+1]; r++ {
			v := 0.0
			if d.Offset != nil {
				v = d.Offset[r]
			}
			for j, x := range d.Row(r) {
				v += x * beta[j]
			}
			u = append(u, v)
		}
		m := slices.Max(u)
		s := 0.0
		for _, v := range u {
			s += math.Exp(v - m)
		}
		ll += d.CaseWeight(c) * (u[int(d.Chosen[c])-d.Start[c]] - m - math.Log(s))
	}
	return ll
}

// TestHBUnitLogLik checks a person's log-likelihood (by the table of
// factors and by the dense utilities), gradient and information matrix
// against the obvious computation and finite differences, with offsets,
// weights, constant rows chosen or not, and utilities large enough to
// overflow a naive sum.
func TestHBUnitLogLik(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 40 {
		k := 1 + rng.IntN(4)
		mu := make([]float64, k)
		l := make([][]float64, k)
		for a := range k {
			l[a] = make([]float64, k)
			l[a][a] = 1
		}
		d, _ := hbSynthetic(rng, 3, 1+rng.IntN(5), 2+rng.IntN(3), mu, l, trial%2 == 0, trial%3 != 0)
		if trial%4 == 1 {
			d.Offset = make([]float64, d.Rows())
			for r := range d.Offset {
				d.Offset[r] = rng.NormFloat64()
			}
		}
		if trial%5 == 2 {
			d.Weight = make([]float64, d.Cases())
			for c := range d.Weight {
				d.Weight[c] = 0.5 + rng.Float64()
			}
		}
		if err := d.Check(); err != nil {
			t.Fatal(err)
		}
		units := hbUnits(d)
		scale := 1.0
		if trial%7 == 3 {
			scale = 400 // utilities in the hundreds: the stable path
		}
		for p := range units {
			u := &units[p]
			c0, c1 := p*(d.Cases()/3), (p+1)*(d.Cases()/3)
			beta := make([]float64, k)
			for j := range beta {
				beta[j] = scale * rng.NormFloat64()
			}
			want := hbBruteLL(d, c0, c1, beta)
			if got := u.logLik(beta); !hbClose(got, want, 1e-10) {
				t.Errorf("trial %d person %d: logLik = %.12g, want %.12g", trial, p, got, want)
			}
			if got := u.logLikDense(beta); !hbClose(got, want, 1e-10) {
				t.Errorf("trial %d person %d: logLikDense = %.12g, want %.12g", trial, p, got, want)
			}
			if scale != 1 {
				continue
			}
			grad, info := make([]float64, k), make([]float64, k*k)
			got := u.gradInfo(beta, 1, grad, info, make([]float64, k), make([]float64, len(u.u)))
			if !hbClose(got, want, 1e-10) {
				t.Errorf("trial %d person %d: gradInfo LL = %.12g, want %.12g", trial, p, got, want)
			}
			const h = 1e-5
			for a := range k {
				bp, bm := slices.Clone(beta), slices.Clone(beta)
				bp[a] += h
				bm[a] -= h
				fd := (hbBruteLL(d, c0, c1, bp) - hbBruteLL(d, c0, c1, bm)) / (2 * h)
				if !hbClose(grad[a], fd, 1e-6) {
					t.Errorf("trial %d person %d: gradient[%d] = %.9g, finite difference %.9g", trial, p, a, grad[a], fd)
				}
				gp, gm := make([]float64, k), make([]float64, k)
				scratch, prob := make([]float64, k*k), make([]float64, len(u.u))
				u.gradInfo(bp, 1, gp, scratch, make([]float64, k), prob)
				u.gradInfo(bm, 1, gm, scratch, make([]float64, k), prob)
				for c := range k {
					if fd := -(gp[c] - gm[c]) / (2 * h); !hbClose(info[a*k+c], fd, 1e-6) {
						t.Errorf("trial %d person %d: information[%d,%d] = %.9g, finite difference %.9g", trial, p, a, c, info[a*k+c], fd)
					}
				}
			}
		}
	}
}

func hbClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

// TestHBNIWDraw checks the (mu, Sigma) draw against the moments of the
// normal–inverse-Wishart posterior, computed from the textbook form of the
// update: kappa_n = Amu+n, mu_n = (Amu·mubar + n·bbar)/kappa_n,
// nu_n = nu+n, V_n = V + Σ(b_i-bbar)(b_i-bbar)' +
// (Amu·n/kappa_n)(bbar-mubar)(bbar-mubar)'; E[Sigma] = V_n/(nu_n-k-1),
// E[Sigma⁻¹] = nu_n·V_n⁻¹, E[mu] = mu_n, Cov(mu) = E[Sigma]/kappa_n.
func TestHBNIWDraw(t *testing.T) {
	const k, n, draws = 3, 6, 40000
	rng := rand.New(rand.NewPCG(3, 4))
	s := &hbSampler{k: k, units: make([]hbUnit, n), nu: 5, amu: 0.5,
		v:     []float64{2, 0.3, 0, 0.3, 1, -0.2, 0, -0.2, 1.5},
		mubar: []float64{1, -1, 0.5}}
	for range n * k {
		s.beta = append(s.beta, rng.NormFloat64()*2+1)
	}
	bbar := make([]float64, k)
	for i := range n {
		for j := range k {
			bbar[j] += s.beta[i*k+j] / n
		}
	}
	kn, nun := s.amu+n, s.nu+n
	mun := make([]float64, k)
	for j := range k {
		mun[j] = (s.amu*s.mubar[j] + n*bbar[j]) / kn
	}
	vn := slices.Clone(s.v)
	for a := range k {
		for c := range k {
			for i := range n {
				vn[a*k+c] += (s.beta[i*k+a] - bbar[a]) * (s.beta[i*k+c] - bbar[c])
			}
			vn[a*k+c] += s.amu * n / kn * (bbar[a] - s.mubar[a]) * (bbar[c] - s.mubar[c])
		}
	}
	wantSigma := make([]float64, k*k)
	for j := range wantSigma {
		wantSigma[j] = vn[j] / (nun - k - 1)
	}
	wantSigInv := hbInverse(t, vn, k)
	for j := range wantSigInv {
		wantSigInv[j] *= nun
	}

	w := newHBNIWWork(k)
	mu, sigma, sigInv := make([]float64, k), make([]float64, k*k), make([]float64, k*k)
	var sumMu, sumSigma, sumSigInv, sumMuMu hbMoments
	for range draws {
		if !w.draw(rng, s, mu, sigma, sigInv) {
			t.Fatal("draw failed")
		}
		sumMu.add(mu)
		sumSigma.add(sigma)
		sumSigInv.add(sigInv)
		mm := make([]float64, k*k)
		for a := range k {
			for c := range k {
				mm[a*k+c] = (mu[a] - mun[a]) * (mu[c] - mun[c])
			}
		}
		sumMuMu.add(mm)
		// Sigma and Sigma⁻¹ must be inverses of each other.
		for a := range k {
			for c := range k {
				p := 0.0
				for j := range k {
					p += sigma[a*k+j] * sigInv[j*k+c]
				}
				if want := b2f(a == c); math.Abs(p-want) > 1e-9 {
					t.Fatalf("Sigma·Sigma⁻¹[%d,%d] = %g", a, c, p)
				}
			}
		}
	}
	wantCovMu := make([]float64, k*k)
	for j := range wantCovMu {
		wantCovMu[j] = wantSigma[j] / kn
	}
	sumMu.check(t, "E[mu]", mun)
	sumSigma.check(t, "E[Sigma]", wantSigma)
	sumSigInv.check(t, "E[Sigma⁻¹]", wantSigInv)
	sumMuMu.check(t, "Cov(mu)", wantCovMu)
}

// hbMoments accumulates the mean and the Monte Carlo standard error of
// each element of a vector-valued draw.
type hbMoments struct {
	n       int
	sum, sq []float64
}

func (m *hbMoments) add(x []float64) {
	if m.sum == nil {
		m.sum, m.sq = make([]float64, len(x)), make([]float64, len(x))
	}
	m.n++
	for j, v := range x {
		m.sum[j] += v
		m.sq[j] += v * v
	}
}

// check fails t unless every mean is within 4.5 Monte Carlo standard
// errors of want.
func (m *hbMoments) check(t *testing.T, what string, want []float64) {
	t.Helper()
	fn := float64(m.n)
	for j := range want {
		mean := m.sum[j] / fn
		se := math.Sqrt((m.sq[j]/fn - mean*mean) / fn)
		if math.Abs(mean-want[j]) > 4.5*se+1e-12 {
			t.Errorf("%s[%d] = %.5g ± %.2g, want %.5g", what, j, mean, se, want[j])
		}
	}
}

func hbInverse(tb testing.TB, a []float64, k int) []float64 {
	tb.Helper()
	l := slices.Clone(a)
	if !hbChol(l, k) {
		tb.Fatal("not positive definite")
	}
	inv := make([]float64, k*k)
	for c := range k {
		col := make([]float64, k)
		col[c] = 1
		hbSolveLower(l, k, col)
		hbSolveLowerT(l, k, col)
		for j := range k {
			inv[j*k+c] = col[j]
		}
	}
	return inv
}

// TestHBMetropolisInvariant runs the Metropolis step alone, with mu and
// Sigma held fixed, for one person with one coefficient, and compares the
// chain with the posterior L(b)·N(b; mu, Sigma) computed on a fine grid:
// its mean, its variance and three of its quantiles' probabilities.
func TestHBMetropolisInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	d, _ := hbSynthetic(rng, 1, 6, 3, []float64{0.8}, [][]float64{{1}}, false, false)
	s, err := newHBSampler(d, hbConfig{HBOptions: HBOptions{Iterations: 1, Workers: 1, Seed: 9}, kept: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.init(); err != nil {
		t.Fatal(err)
	}
	const mu, sigma2 = -0.5, 2.0
	s.mu[0], s.sigma[0], s.sigInv[0] = mu, sigma2, 1/sigma2

	// The grid posterior.
	var grid, dens []float64
	for b := -12.0; b <= 12; b += 0.001 {
		grid = append(grid, b)
		dens = append(dens, hbBruteLL(d, 0, d.Cases(), []float64{b})-0.5*(b-mu)*(b-mu)/sigma2)
	}
	m := slices.Max(dens)
	z := 0.0
	for i := range dens {
		dens[i] = math.Exp(dens[i] - m)
		z += dens[i]
	}
	mean, second := 0.0, 0.0
	for i, b := range grid {
		dens[i] /= z
		mean += b * dens[i]
		second += b * b * dens[i]
	}
	variance := second - mean*mean
	cdf := func(x float64) float64 {
		p := 0.0
		for i, b := range grid {
			if b <= x {
				p += dens[i]
			}
		}
		return p
	}
	cuts := []float64{mean - math.Sqrt(variance), mean, mean + 1.5*math.Sqrt(variance)}

	const steps = 200000
	chain := make([]float64, steps)
	for it := range steps {
		s.step(0, it+1, s.work[0])
		chain[it] = s.beta[0]
	}
	tau, _ := hbTau(chain)
	ess := steps / tau
	gotMean := hbMean(chain)
	gotVar := 0.0
	for _, b := range chain {
		gotVar += (b - gotMean) * (b - gotMean)
	}
	gotVar /= steps - 1
	t.Logf("grid mean %.4f var %.4f; chain mean %.4f var %.4f; ESS %.0f, acceptance %.2f",
		mean, variance, gotMean, gotVar, ess, float64(s.acc[0])/steps)
	if se := math.Sqrt(variance / ess); math.Abs(gotMean-mean) > 4*se {
		t.Errorf("chain mean %.4f, posterior mean %.4f (Monte Carlo se %.4f)", gotMean, mean, se)
	}
	// The variance of a sample variance is about 2σ⁴/ESS for a near-normal
	// target.
	if se := variance * math.Sqrt(2/ess); math.Abs(gotVar-variance) > 4*se {
		t.Errorf("chain variance %.4f, posterior variance %.4f (Monte Carlo se %.4f)", gotVar, variance, se)
	}
	for _, c := range cuts {
		want := cdf(c)
		got := 0.0
		for _, b := range chain {
			if b <= c {
				got++
			}
		}
		got /= steps
		if se := math.Sqrt(want * (1 - want) * tau / steps); math.Abs(got-want) > 4*se {
			t.Errorf("P(b <= %.3f): chain %.4f, posterior %.4f (Monte Carlo se %.4f)", c, got, want, se)
		}
	}
}

// TestHBRecovery estimates a synthetic population with known mean and
// covariance of the part-worths: 300 persons, 12 tasks of 3 alternatives,
// 3 coefficients.
func TestHBRecovery(t *testing.T) {
	mu := []float64{1, -0.5, -1.5}
	l := [][]float64{{0.8, 0, 0}, {0.3, 0.6, 0}, {-0.2, 0.1, 0.5}}
	sigma := make([]float64, 9)
	for a := range 3 {
		for c := range 3 {
			for j := range 3 {
				sigma[a*3+c] += l[a][j] * l[c][j]
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	d, betas := hbSynthetic(rng, 300, 12, 3, mu, l, false, false)
	r, err := EstimateHB(context.Background(), d, HBOptions{Iterations: 3000, BurnIn: 1000, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	for j, e := range r.Params {
		t.Logf("%s: mean %.3f sd %.3f [%.3f, %.3f] true %.3f; Sigma_jj %.3f true %.3f; geweke %.2f ess %.0f",
			e.Name, e.Value, e.SE, e.Lower, e.Upper, mu[j], r.HB.SigmaMean[j][j], sigma[j*3+j], r.HB.Geweke[j], r.HB.ESS[j])
		if math.Abs(e.Value-mu[j]) > 3*e.SE {
			t.Errorf("%s: posterior mean %.3f ± %.3f, true %.3f", e.Name, e.Value, e.SE, mu[j])
		}
		if !(e.Lower < e.Value && e.Value < e.Upper) || e.Upper-e.Lower < 3*e.SE || e.Upper-e.Lower > 5*e.SE {
			t.Errorf("%s: 95%% interval [%.3f, %.3f] for mean %.3f and sd %.3f", e.Name, e.Lower, e.Upper, e.Value, e.SE)
		}
		if e.T != e.Value/e.SE || !math.IsNaN(e.RobustSE) {
			t.Errorf("%s: t %g, robust se %g", e.Name, e.T, e.RobustSE)
		}
	}
	// The covariance is less well determined by 300 persons of 12 tasks,
	// and bayesm's default prior (E[Sigma] = 3·I) pulls the diagonal up by
	// some 10-25% here; with 40 tasks, or a prior centred near the truth,
	// the excess goes. Compare with the covariance of the part-worths
	// actually drawn, which takes out the population's sampling noise:
	// diagonal within 30%, the rest within 0.1.
	drawn := make([]float64, 9)
	means := make([]float64, 3)
	for _, b := range betas {
		for j := range 3 {
			means[j] += b[j] / float64(len(betas))
		}
	}
	for _, b := range betas {
		for a := range 3 {
			for c := range 3 {
				drawn[a*3+c] += (b[a] - means[a]) * (b[c] - means[c]) / float64(len(betas)-1)
			}
		}
	}
	for a := range 3 {
		for c := range 3 {
			got, want := r.HB.SigmaMean[a][c], drawn[a*3+c]
			tol := 0.1
			if a == c {
				tol = 0.3 * want
			}
			if math.Abs(got-want) > tol {
				t.Errorf("Sigma[%d,%d] = %.3f, drawn %.3f (population %.3f)", a, c, got, want, sigma[a*3+c])
			}
		}
	}
	// The individual posterior means follow the true part-worths.
	for j := range 3 {
		var x, y []float64
		for i := range betas {
			x = append(x, betas[i][j])
			y = append(y, r.HB.Individual[i][j])
		}
		if c := hbCorr(x, y); c < 0.6 {
			t.Errorf("b%d: correlation of individual posterior means with the truth %.2f", j+1, c)
		}
	}
	if r.LL <= r.HB.MeanLL || r.LL >= 0 || r.LLNull >= r.HB.MeanLL {
		t.Errorf("LL at means %.1f, mean LL %.1f, null LL %.1f", r.LL, r.HB.MeanLL, r.LLNull)
	}
	if a := r.HB.Acceptance; a < 0.1 || a > 0.6 {
		t.Errorf("acceptance %.3f", a)
	}
	if r.HB.Kept != 2000 || len(r.HB.IDs) != 300 || r.HB.IDs[7] != "p7" || r.HB.LLTrace != nil {
		t.Errorf("kept %d, %d ids, trace %d", r.HB.Kept, len(r.HB.IDs), len(r.HB.LLTrace))
	}
}

func hbCorr(x, y []float64) float64 {
	mx, my := hbMean(x), hbMean(y)
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// TestHBWorkers checks that the result does not depend on the number of
// workers, and that the seed does change it.
func TestHBWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	mu := []float64{0.5, -1}
	l := [][]float64{{1, 0}, {0.2, 0.5}}
	d, _ := hbSynthetic(rng, 60, 8, 3, mu, l, true, true)
	run := func(workers int, seed uint64) *Result {
		r, err := EstimateHB(context.Background(), d, HBOptions{Iterations: 400, Seed: seed, Workers: workers, KeepTrace: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	one, two, three := run(1, 4), run(2, 4), run(3, 4)
	opts := cmp.Options{cmpopts.EquateNaNs(), cmpopts.IgnoreFields(Result{}, "Seconds")}
	if diff := cmp.Diff(one, two, opts); diff != "" {
		t.Errorf("1 worker against 2 (-1 +2):\n%s", diff)
	}
	if diff := cmp.Diff(one, three, opts); diff != "" {
		t.Errorf("1 worker against 3 (-1 +3):\n%s", diff)
	}
	if other := run(2, 5); other.Params[0].Value == one.Params[0].Value {
		t.Errorf("seeds 4 and 5 give the same posterior mean %g", one.Params[0].Value)
	}
	if len(one.HB.LLTrace) != one.HB.Kept || one.HB.Kept != 200 {
		t.Errorf("trace of %d for %d kept draws", len(one.HB.LLTrace), one.HB.Kept)
	}
	if got := hbMean(one.HB.LLTrace); !hbClose(got, one.HB.MeanLL, 1e-12) {
		t.Errorf("mean of the trace %g, MeanLL %g", got, one.HB.MeanLL)
	}
}

// TestHBOptionsAndData checks the defaults, fixed coefficients, data
// without panels, progress reports, cancellation and invalid input.
func TestHBOptionsAndData(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	d, _ := hbSynthetic(rng, 40, 5, 3, []float64{1, -1}, [][]float64{{0.5, 0}, {0, 0.5}}, false, false)
	ctx := context.Background()

	t.Run("defaults and progress", func(t *testing.T) {
		var iters []int
		var lls []float64
		r, err := EstimateHB(ctx, d, HBOptions{Iterations: 250, Progress: func(it int, ll float64) {
			iters = append(iters, it)
			lls = append(lls, ll)
		}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{100, 200, 250}, iters); diff != "" {
			t.Errorf("progress calls (-want +got):\n%s", diff)
		}
		for _, ll := range lls {
			if !(ll < 0 && ll > r.LLNull-100) {
				t.Errorf("progress log-likelihood %g", ll)
			}
		}
		if h := r.HB; h.BurnIn != 125 || h.Thin != 1 || h.Kept != 125 || h.Iterations != 250 {
			t.Errorf("burn-in %d, thin %d, kept %d, iterations %d", h.BurnIn, h.Thin, h.Kept, h.Iterations)
		}
		if r.Method != HB || r.Panels != 40 || r.Cases != 200 || r.RhoSq <= 0 {
			t.Errorf("method %s, panels %d, cases %d, rho² %g", r.Method, r.Panels, r.Cases, r.RhoSq)
		}
	})

	t.Run("thinning and no burn-in", func(t *testing.T) {
		r, err := EstimateHB(ctx, d, HBOptions{Iterations: 100, BurnIn: -1, Thin: 7})
		if err != nil {
			t.Fatal(err)
		}
		if r.HB.BurnIn != 0 || r.HB.Kept != 14 {
			t.Errorf("burn-in %d, kept %d", r.HB.BurnIn, r.HB.Kept)
		}
	})

	t.Run("fixed coefficient and offset", func(t *testing.T) {
		// Fix b2 at -1: its term moves into the offset and it is no
		// longer a column.
		f := *d
		f.Params = []string{"b1"}
		f.Fixed = []FixedParam{{Name: "b2", Value: -1}}
		f.X = make([]float64, d.Rows())
		f.Offset = make([]float64, d.Rows())
		for r := range d.Rows() {
			f.X[r] = d.X[2*r]
			f.Offset[r] = -d.X[2*r+1]
		}
		r, err := EstimateHB(ctx, &f, HBOptions{Iterations: 600, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		nan := math.NaN()
		want := Estimate{Name: "b2", Value: -1, SE: nan, T: nan, RobustSE: nan, RobustT: nan, Fixed: true}
		if diff := cmp.Diff(want, r.Params[len(r.Params)-1], cmpopts.EquateNaNs()); len(r.Params) != 2 || diff != "" {
			t.Errorf("%d params; the fixed one (-want +got):\n%s", len(r.Params), diff)
		}
		if e := r.Params[0]; math.Abs(e.Value-1) > 3*e.SE+0.1 {
			t.Errorf("b1 = %.3f ± %.3f, true 1", e.Value, e.SE)
		}
		// LL at the means must use the offset: recompute it.
		wantLL := 0.0
		for i, b := range r.HB.Individual {
			wantLL += hbBruteLL(&f, 5*i, 5*i+5, b)
		}
		if !hbClose(r.LL, wantLL, 1e-9) {
			t.Errorf("LL at means %.6f, recomputed %.6f", r.LL, wantLL)
		}
	})

	t.Run("no panel", func(t *testing.T) {
		np := *d
		np.Panel, np.Panels, np.PanelIDs = nil, 0, nil
		r, err := EstimateHB(ctx, &np, HBOptions{Iterations: 200})
		if err != nil {
			t.Fatal(err)
		}
		if r.Panels != 200 || len(r.HB.Individual) != 200 || r.HB.IDs != nil {
			t.Errorf("panels %d, individuals %d, ids %v", r.Panels, len(r.HB.Individual), r.HB.IDs)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		_, err := EstimateHB(c, d, HBOptions{Iterations: 100000, Progress: func(it int, _ float64) {
			if it == 200 {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})

	bad := []struct {
		name string
		d    func() *Data
		opts HBOptions
	}{
		{"negative iterations", nil, HBOptions{Iterations: -1}},
		{"too few kept", nil, HBOptions{Iterations: 10, BurnIn: 9}},
		{"negative thinning", nil, HBOptions{Thin: -2}},
		{"prior mean length", nil, HBOptions{Prior: HBPrior{MuBar: []float64{1}}}},
		{"prior scale rows", nil, HBOptions{Prior: HBPrior{V: [][]float64{{1, 0}}}}},
		{"prior scale not symmetric", nil, HBOptions{Prior: HBPrior{V: [][]float64{{1, 0.5}, {0, 1}}}}},
		{"prior scale not positive definite", nil, HBOptions{Prior: HBPrior{V: [][]float64{{1, 2}, {2, 1}}}}},
		{"negative prior precision", nil, HBOptions{Prior: HBPrior{Amu: -1}}},
		{"negative degrees of freedom", nil, HBOptions{Prior: HBPrior{Nu: -3}}},
		{"broken data", func() *Data { b := *d; b.Chosen = b.Chosen[1:]; return &b }, HBOptions{}},
		{"no coefficients", func() *Data { b := *d; b.Params = nil; b.X = nil; return &b }, HBOptions{}},
		{"column of zeros", func() *Data {
			b := *d
			b.X = slices.Clone(d.X)
			for r := range b.Rows() {
				b.X[2*r+1] = 0
			}
			return &b
		}, HBOptions{}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			dd := d
			if tc.d != nil {
				dd = tc.d()
			}
			_, err := EstimateHB(ctx, dd, tc.opts)
			if errs.Code(err) != errs.Invalid {
				t.Errorf("err = %v, want code %s", err, errs.Invalid)
			}
		})
	}
}
