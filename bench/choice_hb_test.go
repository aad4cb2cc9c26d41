package bench

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/choice"
)

// writeHBLong writes d in the long layout that hbBayesmScript reads: one
// row per alternative with the person, the task within the person, the
// alternative's position (1-based) and whether it was chosen.
func writeHBLong(tb testing.TB, d *choice.Data, file string) {
	tb.Helper()
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "resp,task,alt,choice,%s\n", strings.Join(d.Params, ","))
	task := 0
	for c := range d.Cases() {
		if c == 0 || d.PanelOf(c) != d.PanelOf(c-1) {
			task = 0
		}
		task++
		for r := d.Start[c]; r < d.Start[c+1]; r++ {
			chosen := 0
			if r == int(d.Chosen[c]) {
				chosen = 1
			}
			fmt.Fprintf(w, "%d,%d,%d,%d", d.PanelOf(c)+1, task, r-d.Start[c]+1, chosen)
			for _, v := range d.Row(r) {
				w.WriteString(",")
				w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			}
			w.WriteString("\n")
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// hbBayesmScript builds bayesm's lgtdata from the long CSV, times
// rhierMnlRwMixture alone with system.time, and prints the posterior
// summaries over the draws after the burn-in, one labelled line each.
const hbBayesmScript = `
args <- commandArgs(TRUE)
suppressMessages(library(bayesm))
d <- read.csv(args[1])
R <- as.integer(args[2]); burn <- as.integer(args[3]); p <- as.integer(args[4])
xcols <- setdiff(names(d), c("resp", "task", "alt", "choice"))
d <- d[order(d$resp, d$task, d$alt), ]
lgtdata <- lapply(split(d, d$resp), function(di) list(y = di$alt[di$choice == 1], X = as.matrix(di[, xcols])))
set.seed(66)
invisible(gc(reset = TRUE))
tm <- system.time(invisible(capture.output(fit <- rhierMnlRwMixture(Data = list(lgtdata = lgtdata, p = p),
  Prior = list(ncomp = 1), Mcmc = list(R = R, keep = 1, nprint = 0)))))
g <- gc()
keep <- (burn + 1):R
mu <- t(sapply(fit$nmix$compdraw[keep], function(cd) cd[[1]]$mu))
sds <- t(sapply(fit$nmix$compdraw[keep], function(cd) {
  r <- cd[[1]]$rooti
  sqrt(diag(crossprod(backsolve(r, diag(ncol(r))))))
}))
cat("seconds", tm[["elapsed"]], "\n")
cat("mem_mb", sum(g[, 6]), "\n")
cat("mean", colMeans(mu), "\n")
cat("sd", apply(mu, 2, sd), "\n")
cat("sdsigma", colMeans(sds), "\n")
cat("meanll", mean(fit$loglike[keep]), "\n")
`

// hbBayesmRun is what hbBayesmScript prints.
type hbBayesmRun struct {
	seconds, memMB, meanLL float64
	mean, sd, sdSigma      []float64
}

func runHBBayesm(tb testing.TB, csvFile string, iterations, burnIn, alts int) hbBayesmRun {
	tb.Helper()
	script := filepath.Join(filepath.Dir(csvFile), "hb.R")
	if err := os.WriteFile(script, []byte(hbBayesmScript), 0o644); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command("Rscript", script, csvFile, strconv.Itoa(iterations), strconv.Itoa(burnIn), strconv.Itoa(alts)).CombinedOutput()
	if err != nil {
		tb.Fatalf("Rscript: %v\n%s", err, out)
	}
	var run hbBayesmRun
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		var vals []float64
		for _, s := range f[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				tb.Fatalf("Rscript output %q: %v", line, err)
			}
			vals = append(vals, v)
		}
		switch f[0] {
		case "seconds":
			run.seconds = vals[0]
		case "mem_mb":
			run.memMB = vals[0]
		case "meanll":
			run.meanLL = vals[0]
		case "mean":
			run.mean = vals
		case "sd":
			run.sd = vals
		case "sdsigma":
			run.sdSigma = vals
		}
	}
	if run.seconds == 0 || run.mean == nil {
		tb.Fatalf("Rscript printed no results:\n%s", out)
	}
	return run
}

// peakHeap samples the live heap until stop is called and returns the
// largest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapAlloc)
		mu.Unlock()
	}
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		return peak
	}
}

// BenchmarkHBvsBayesm runs hierarchical Bayes MNL on bayesm's camera data
// (332 persons, 16 tasks of 5 alternatives, 10 coefficients) with EstimateHB
// and with bayesm::rhierMnlRwMixture, 10,000 iterations each (set
// TAILOR_BENCH_HB_ITER for another number; the first fifth is burn-in), and
// reports both times, their ratio, the largest difference of posterior
// means of mu in bayesm's posterior standard deviations, the difference of
// the mean log-likelihoods and the memory. Run it with -benchtime 1x.
func BenchmarkHBvsBayesm(b *testing.B) {
	if _, err := exec.LookPath("Rscript"); err != nil {
		b.Skip("Rscript is not on PATH (Debian: apt-get install r-base-core r-cran-bayesm)")
	}
	if out, err := exec.Command("Rscript", "-e", "library(bayesm)").CombinedOutput(); err != nil {
		b.Skipf("R package bayesm is not installed (Debian: apt-get install r-cran-bayesm): %s", out)
	}
	iterations := 10000
	if s := os.Getenv("TAILOR_BENCH_HB_ITER"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 10 {
			b.Fatalf("TAILOR_BENCH_HB_ITER=%q: want an integer of at least 10", s)
		}
		iterations = n
	}
	burnIn := iterations / 5
	d := loadExample(b, "camera", "bayesm_camera", "camera_long_from_rdata.csv")
	file := filepath.Join(b.TempDir(), "camera.csv")
	writeHBLong(b, d, file)

	rr := runHBBayesm(b, file, iterations, burnIn, len(d.Alternatives))

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := peakHeap()
	var res *choice.Result
	start := time.Now()
	for b.Loop() {
		var err error
		res, err = choice.EstimateHB(context.Background(), d, choice.HBOptions{Iterations: iterations, BurnIn: burnIn, Seed: 66})
		if err != nil {
			b.Fatal(err)
		}
	}
	goSeconds := time.Since(start).Seconds() / float64(b.N)
	peak := stop()
	runtime.ReadMemStats(&after)

	worst, worstName := 0.0, ""
	for j, e := range res.Params {
		if dev := math.Abs(e.Value-rr.mean[j]) / rr.sd[j]; dev > worst {
			worst, worstName = dev, e.Name
		}
	}
	var tbl strings.Builder
	fmt.Fprintf(&tbl, "%-10s %9s %9s %7s %7s %8s %8s\n", "", "Go mean", "R mean", "Go sd", "R sd", "Go sdΣ", "R sdΣ")
	for j, e := range res.Params {
		fmt.Fprintf(&tbl, "%-10s %9.3f %9.3f %7.3f %7.3f %8.2f %8.2f\n", e.Name, e.Value, rr.mean[j], e.SE, rr.sd[j], res.HB.SDMean[j], rr.sdSigma[j])
	}
	b.Logf("camera, %d iterations (burn-in %d): Go %.2f s on %d threads, bayesm %.2f s; mean LL Go %.1f, bayesm %.1f; acceptance %.3f; largest |Δmean|/sd %.2f (%s)\n%s",
		iterations, burnIn, goSeconds, runtime.GOMAXPROCS(0), rr.seconds, res.HB.MeanLL, rr.meanLL, res.HB.Acceptance, worst, worstName, tbl.String())

	b.ReportMetric(goSeconds, "go_s")
	b.ReportMetric(rr.seconds, "r_s")
	b.ReportMetric(rr.seconds/goSeconds, "ratio")
	b.ReportMetric(worst, "max_dmean/sd")
	b.ReportMetric(res.HB.MeanLL-rr.meanLL, "dmeanLL")
	b.ReportMetric(float64(peak)/(1<<20), "go_peak_heap_MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "go_alloc_MB")
	b.ReportMetric(rr.memMB, "r_max_used_MB")
}
