package bench

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/xcsp"
)

// sideBySideModels is the order in which the comparison reports the models
// of benchModels, smallest first.
var sideBySideModels = []string{"phone", "medium", "big", "lines"}

// toulbar2Row is one model's line of the side-by-side comparison.
type toulbar2Row struct {
	name          string
	stats         configurator.Stats
	tailor        *big.Int
	toulbar2      *big.Int
	approximate   bool // toulbar2 printed a count that may be rounded
	tailorTime    time.Duration
	toulbar2Time  time.Duration
	tailorTimes   []time.Duration
	toulbar2Times []time.Duration
}

// TestToulbar2SideBySide times Tailor (lower, compile and count, from the
// parsed model) against toulbar2 counting the exported XCSP of the same
// model, and checks that the two counts agree. It writes a Markdown table to
// out/toulbar2.md; README.md explains how to read it.
func TestToulbar2SideBySide(t *testing.T) {
	if os.Getenv("TAILOR_BENCH_TOULBAR2") != "1" {
		t.Skip("a benchmark-grade comparison with toulbar2, not a unit test: set TAILOR_BENCH_TOULBAR2=1 to run it")
	}
	if _, err := exec.LookPath("toulbar2"); err != nil {
		t.Skip("toulbar2 is not on PATH (Debian: apt-get install toulbar2)")
	}
	rounds := 5
	if s := os.Getenv("TAILOR_BENCH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("TAILOR_BENCH_ROUNDS=%q: want a positive integer", s)
		}
		rounds = n
	}
	ms := benchModels(t)
	dir := t.TempDir()
	var rows []toulbar2Row
	for _, name := range sideBySideModels {
		m := ms[name]
		file := filepath.Join(dir, name+".xml")
		writeXCSP(t, m, file)
		row := toulbar2Row{name: name}
		for r := 0; r < rounds; r++ {
			// Alternate which tool goes first, so that neither always runs
			// on the caches and clock speed the other leaves behind.
			if r%2 == 0 {
				tailorRound(t, m, &row)
				toulbar2Round(t, file, &row)
			} else {
				toulbar2Round(t, file, &row)
				tailorRound(t, m, &row)
			}
		}
		if err := sameCount(row.tailor, row.toulbar2, row.approximate); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		row.tailorTime, _ = quantiles(row.tailorTimes)
		row.toulbar2Time, _ = quantiles(row.toulbar2Times)
		rows = append(rows, row)
	}
	table := toulbar2Table(rows, rounds)
	t.Log("\n" + table)
	if err := os.MkdirAll("out", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("out", "toulbar2.md"), []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeXCSP lowers m and writes it to file as XCSP 2.1.
func writeXCSP(tb testing.TB, m *model.Model, file string) {
	tb.Helper()
	p, err := csp.Lower(m)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	if err := xcsp.Write(f, p); err != nil {
		f.Close()
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// tailorRound times one compile and count of m, lowering included.
func tailorRound(tb testing.TB, m *model.Model, row *toulbar2Row) {
	tb.Helper()
	// Start every round from a clean heap, as a fresh toulbar2 process does;
	// the collections that compiling itself causes are still timed.
	runtime.GC()
	start := time.Now()
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		tb.Fatalf("%s: %v", row.name, err)
	}
	n := e.Count(e.NewSelection())
	row.tailorTimes = append(row.tailorTimes, time.Since(start))
	if row.tailor != nil && row.tailor.Cmp(n) != 0 {
		tb.Fatalf("%s: Tailor counted %v, then %v", row.name, row.tailor, n)
	}
	row.tailor = n
	row.stats = e.Stats()
}

// toulbar2Round times one run of the toulbar2 process counting file.
func toulbar2Round(tb testing.TB, file string, row *toulbar2Row) {
	tb.Helper()
	start := time.Now()
	n, err := xcsp.Toulbar2Count(tb.Context(), file)
	d := time.Since(start)
	approximate := errors.Is(err, xcsp.ErrApproximate)
	if err != nil && !approximate {
		// A lower bound means toulbar2 gave up before it saw every
		// solution, and its time says nothing.
		tb.Fatalf("%s: %v", row.name, err)
	}
	row.toulbar2Times = append(row.toulbar2Times, d)
	if row.toulbar2 != nil && row.toulbar2.Cmp(n) != 0 {
		tb.Fatalf("%s: toulbar2 counted %v, then %v", row.name, row.toulbar2, n)
	}
	row.toulbar2, row.approximate = n, approximate
}

// sameCount reports whether Tailor's exact count agrees with toulbar2's:
// exactly, or to a relative 1e-9 when toulbar2 counted in floating point.
func sameCount(tailor, toulbar2 *big.Int, approximate bool) error {
	if !approximate {
		if tailor.Cmp(toulbar2) != 0 {
			return fmt.Errorf("counts differ: Tailor %v, toulbar2 %v", tailor, toulbar2)
		}
		return nil
	}
	a, _ := new(big.Float).SetInt(tailor).Float64()
	b, _ := new(big.Float).SetInt(toulbar2).Float64()
	if a == b {
		return nil
	}
	if rel := math.Abs(a-b) / math.Max(math.Abs(a), math.Abs(b)); rel > 1e-9 {
		return fmt.Errorf("counts differ: Tailor %v, toulbar2 about %v (relative difference %.2g)", tailor, toulbar2, rel)
	}
	return nil
}

// toulbar2Table formats the comparison as a Markdown table.
func toulbar2Table(rows []toulbar2Row, rounds int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tailor (lower + compile + count, in process) against `toulbar2 model.xml -ub=1 -a -O=-3 -B=1 -hbfs: -nopre` (wall clock of the process); median of %d alternating rounds; %s/%s, %d CPUs, %s.\n\n",
		rounds, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	b.WriteString("| model | variables | relations | width | tuples | configurations (Tailor) | toulbar2 count | Tailor p50 | toulbar2 p50 | toulbar2 / Tailor |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		tb2 := r.toulbar2.String()
		if r.approximate {
			tb2 = "≈ " + tb2
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %v | %s | %s | %s | %.1f× |\n",
			r.name, r.stats.Variables, r.stats.Relations, r.stats.Width, r.stats.Tuples,
			r.tailor, tb2, fmtDuration(r.tailorTime), fmtDuration(r.toulbar2Time),
			float64(r.toulbar2Time)/float64(r.tailorTime))
	}
	b.WriteString("\nA ratio above 1 means Tailor is faster. ≈ marks a count toulbar2 computed in floating point (above 2^53).\n")
	return b.String()
}

// fmtDuration prints a duration with three significant figures or so.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// BenchmarkCompileAndCount measures what the side-by-side comparison times
// for Tailor: lowering, compiling and counting every configuration.
func BenchmarkCompileAndCount(b *testing.B) {
	for name, m := range benchModels(b) {
		b.Run(name, func(b *testing.B) {
			var n *big.Int
			for b.Loop() {
				e, err := configurator.Compile(m, configurator.Options{})
				if err != nil {
					b.Fatal(err)
				}
				n = e.Count(e.NewSelection())
			}
			if n.Sign() == 0 {
				b.Fatalf("%s has no valid configuration", name)
			}
			f, _ := new(big.Float).SetInt(n).Float64()
			b.ReportMetric(math.Log10(f), "log10-count")
		})
	}
}
