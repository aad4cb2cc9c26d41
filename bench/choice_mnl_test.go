package bench

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/choice"
)

// BenchmarkMNLvsClogit fits the same multinomial logit with
// choice.EstimateMNL and with R's survival::clogit, in one run, on
// Swissmetro (Biogeme's b01a_logit) and on a synthetic data set of 200,000
// cases. R reads the compiled data from a long CSV; only its clogit call is
// timed, as only EstimateMNL is on the Go side. README.md reports the
// figures.
//
// Metrics: go-s (EstimateMNL on all processors), go1-s (on one), r-s
// (clogit, the median of TAILOR_BENCH_ROUNDS runs, default 3), r/go (the
// ratio of r-s to go-s), log10-dLL and log10-dcoef (the decimal logarithms
// of the absolute difference in log-likelihood and of the largest in a
// coefficient, floored at -16), go-peak-MB
// (live heap during the fit, data included), go-alloc-MB (allocated by one
// fit) and r-peak-MB (R's "max used" memory during clogit, data included).
func BenchmarkMNLvsClogit(b *testing.B) {
	// With one chosen row per stratum, clogit's exact conditional
	// likelihood, its Breslow approximation and Efron's are all the
	// multinomial logit likelihood; Breslow is the fastest of the three.
	method := os.Getenv("TAILOR_BENCH_CLOGIT_METHOD")
	if method == "" {
		method = "breslow"
	}
	reps := 3
	if s := os.Getenv("TAILOR_BENCH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("TAILOR_BENCH_ROUNDS=%q: want a positive integer", s)
		}
		reps = n
	}
	b.Run("swissmetro", func(b *testing.B) {
		benchMNLvsClogit(b, loadExample(b, "swissmetro", "swissmetro", "swissmetro.dat"), method, reps)
	})
	b.Run("synthetic200k", func(b *testing.B) {
		benchMNLvsClogit(b, syntheticMNL(200_000, 42), method, reps)
	})
}

func benchMNLvsClogit(b *testing.B, d *choice.Data, method string, reps int) {
	requireClogit(b)
	file := filepath.Join(b.TempDir(), "long.csv")
	writeLongCSV(b, d, file)
	ref := runClogit(b, file, d, method, reps)

	// Memory and the single-worker time, from fits outside the timed loop.
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := before.HeapAlloc
	_, err := choice.EstimateMNL(b.Context(), d, choice.MNLOptions{Progress: func(int, float64) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapAlloc)
	}})
	if err != nil {
		b.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	start := time.Now()
	if _, err := choice.EstimateMNL(b.Context(), d, choice.MNLOptions{Workers: 1}); err != nil {
		b.Fatal(err)
	}
	one := time.Since(start)

	var r *choice.Result
	runtime.GC()
	for b.Loop() {
		r, err = choice.EstimateMNL(b.Context(), d, choice.MNLOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	goSec := b.Elapsed().Seconds() / float64(b.N)
	if !r.Converged {
		b.Fatalf("not converged: %s", r.Message)
	}
	dLL := math.Abs(r.LL - ref.ll)
	dCoef := 0.0
	for i, name := range d.Params {
		e, _ := r.Param(name)
		dCoef = max(dCoef, math.Abs(e.Value-ref.coef[i]))
	}
	b.ReportMetric(goSec, "go-s")
	b.ReportMetric(one.Seconds(), "go1-s")
	b.ReportMetric(ref.seconds, "r-s")
	b.ReportMetric(ref.seconds/goSec, "r/go")
	b.ReportMetric(math.Log10(max(dLL, 1e-16)), "log10-dLL")
	b.ReportMetric(math.Log10(max(dCoef, 1e-16)), "log10-dcoef")
	b.ReportMetric(float64(peak)/(1<<20), "go-peak-MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "go-alloc-MB")
	b.ReportMetric(ref.peakMB, "r-peak-MB")
	b.Logf("%d cases: Go LL %.9f in %d iterations, R LL %.9f in %d iterations (clogit method %q); |dLL| %.3g, max |dcoef| %.3g",
		d.Cases(), r.LL, r.Iter, ref.ll, ref.iter, method, dLL, dCoef)
	if dLL > 1e-6 {
		b.Errorf("log-likelihoods differ by %.3g: Go %.9f, R %.9f", dLL, r.LL, ref.ll)
	}
}

// requireClogit skips b unless Rscript and the survival package are
// installed.
func requireClogit(b *testing.B) {
	b.Helper()
	if _, err := exec.LookPath("Rscript"); err != nil {
		b.Skip("Rscript is not on PATH (Debian: apt-get install r-base-core r-cran-survival)")
	}
	if out, err := exec.Command("Rscript", "-e", "library(survival)").CombinedOutput(); err != nil {
		b.Skipf("R package survival is not installed (Debian: apt-get install r-cran-survival): %v: %s", err, out)
	}
}

// writeLongCSV writes d with one row per alternative: the case, whether it
// was chosen, the offset when there is one, and one column per coefficient.
func writeLongCSV(b *testing.B, d *choice.Data, file string) {
	b.Helper()
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	header := []string{"case", "chosen"}
	if d.Offset != nil {
		header = append(header, "offset")
	}
	header = append(header, clogitNames(d)...)
	fmt.Fprintln(w, strings.Join(header, ","))
	var line []byte
	for c := range d.Cases() {
		for r := d.Start[c]; r < d.Start[c+1]; r++ {
			line = strconv.AppendInt(line[:0], int64(c+1), 10)
			line = append(line, ',', '0')
			if r == int(d.Chosen[c]) {
				line[len(line)-1] = '1'
			}
			if d.Offset != nil {
				line = append(line, ',')
				line = strconv.AppendFloat(line, d.Offset[r], 'g', -1, 64)
			}
			for _, x := range d.Row(r) {
				line = append(line, ',')
				line = strconv.AppendFloat(line, x, 'g', -1, 64)
			}
			line = append(line, '\n')
			w.Write(line)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// clogitNames returns the coefficients' names as R column names.
func clogitNames(d *choice.Data) []string {
	var out []string
	for i := range d.Params {
		out = append(out, fmt.Sprintf("x%d", i+1))
	}
	return out
}

type clogitFit struct {
	seconds float64
	ll      float64
	coef    []float64
	iter    int
	peakMB  float64
}

// clogitScript reads the long CSV (untimed) and times only the clogit
// call, the median of reps runs. With one chosen row per stratum, the "exact" conditional
// likelihood is the multinomial logit likelihood; so are the Breslow and
// Efron approximations.
const clogitScript = `
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = "numeric")
xs <- setdiff(names(d), c("case", "chosen", "offset"))
rhs <- paste(xs, collapse = " + ")
if ("offset" %in% names(d)) rhs <- paste(rhs, "+ offset(offset)")
f <- as.formula(paste("chosen ~", rhs, "+ strata(case)"))
invisible(gc(reset = TRUE))
el <- sapply(seq_len(as.integer(args[3])), function(i) {
  system.time(fit <<- clogit(f, data = d, method = args[2]))[["elapsed"]]
})
g <- gc()
cat("time", median(el), "\n")
cat("ll", sprintf("%.10f", fit$loglik[2]), "\n")
cat("iter", fit$iter, "\n")
cat("coef", sprintf("%.12g", coef(fit)), "\n")
cat("mem", sum(g[, ncol(g)]), "\n")
`

// runClogit fits the long CSV file with survival::clogit.
func runClogit(b *testing.B, file string, d *choice.Data, method string, reps int) clogitFit {
	b.Helper()
	script := filepath.Join(filepath.Dir(file), "clogit.R")
	if err := os.WriteFile(script, []byte(clogitScript), 0o644); err != nil {
		b.Fatal(err)
	}
	out, err := exec.CommandContext(b.Context(), "Rscript", script, file, method, strconv.Itoa(reps)).CombinedOutput()
	if err != nil {
		b.Fatalf("Rscript: %v\n%s", err, out)
	}
	var fit clogitFit
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		num := func(s string) float64 {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				b.Fatalf("R printed %q: %v", line, err)
			}
			return v
		}
		switch f[0] {
		case "time":
			fit.seconds = num(f[1])
		case "ll":
			fit.ll = num(f[1])
		case "iter":
			fit.iter = int(num(f[1]))
		case "mem":
			fit.peakMB = num(f[1])
		case "coef":
			for _, s := range f[1:] {
				fit.coef = append(fit.coef, num(s))
			}
		}
	}
	if len(fit.coef) != d.K() {
		b.Fatalf("R printed %d coefficients for %d parameters:\n%s", len(fit.coef), d.K(), out)
	}
	return fit
}

// syntheticMNL simulates n cases of 3 or 4 alternatives (the fourth is
// unavailable in a quarter of the cases) with two alternative-specific
// constants and four generic variables, choices drawn by utility
// maximisation with Gumbel errors.
func syntheticMNL(n int, seed uint64) *choice.Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	truth := []float64{0.4, -0.3, -1.2, 0.8, 0.5, -0.6}
	d := &choice.Data{
		Params:       []string{"asc_b", "asc_c", "price", "quality", "battery", "weight"},
		Alternatives: []string{"a", "b", "c", "d"},
		Start:        make([]int, 1, n+1),
		Chosen:       make([]int32, 0, n),
		X:            make([]float64, 0, n*4*6),
		Alt:          make([]int32, 0, n*4),
	}
	for range n {
		alts := 4
		if rng.IntN(4) == 0 {
			alts = 3
		}
		r0 := d.Rows()
		best, bestU := 0, math.Inf(-1)
		for a := range alts {
			x := [6]float64{}
			if a == 1 {
				x[0] = 1
			}
			if a == 2 {
				x[1] = 1
			}
			x[2] = 0.5 + 2*rng.Float64()
			x[3] = float64(rng.IntN(5))
			x[4] = rng.NormFloat64()
			x[5] = 0.1 + 0.3*rng.Float64()
			u := -math.Log(-math.Log(rng.Float64()))
			for j, v := range x {
				u += v * truth[j]
			}
			if u > bestU {
				best, bestU = a, u
			}
			d.X = append(d.X, x[:]...)
			d.Alt = append(d.Alt, int32(a))
		}
		d.Start = append(d.Start, r0+alts)
		d.Chosen = append(d.Chosen, int32(r0+best))
	}
	return d
}
