package lineup

import (
	"context"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/market"
)

// BenchmarkProductScale is product mode at the scale: the phone
// model varied over seven attributes (17,155 valid phones) at six prices,
// 102,930 candidates, for 10,000 people; first choice, K = 5. It solves
// the problem both ways: listing the phones and solving the matrix (auto),
// and searching over attribute levels (what Choose does at this size),
// and reports each one's time and the search's answer as a share of the
// listing's, valued in the listed problem. The matrix takes 8 GB, so the
// full size runs only with LINEUP_BENCH_HUGE=1:
//
//	LINEUP_BENCH_HUGE=1 go test -run '^$' -bench ProductScale -benchtime 1x ./lineup
//
// Without it, a tenth of the people (1,000) stand in.
func BenchmarkProductScale(b *testing.B) {
	people := 1000
	if os.Getenv("LINEUP_BENCH_HUGE") != "" {
		people = 10000
	}
	e := engine(b)
	m := phoneMarket(e, 5, people, "size", "main", "tele", "storage", "battery", "refresh", "chipset")
	prices := []int64{49900, 61900, 73900, 85900, 97900, 109900}
	ctx := context.Background()
	for range b.N {
		runtime.GC()
		start := time.Now()
		spec := Spec{Engine: e, Market: m, Prices: prices, K: 5, Choice: market.Options{Rule: market.FirstChoice, None: true}}
		pr, err := NewProducts(ctx, spec)
		if err != nil {
			b.Fatal(err)
		}
		build := time.Since(start)
		phones := pr.Phones
		var probs *Problem
		cpu0 := processCPU()
		sol, err := Solve(ctx, pr.Problem, Options{Seed: 1, Time: 40 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		total := time.Since(start)
		b.ReportMetric(build.Seconds(), "build-s")
		b.ReportMetric(sol.Seconds, "solve-s")
		b.ReportMetric(total.Seconds(), "total-s")
		b.ReportMetric((processCPU() - cpu0).Seconds(), "solve-cpu-s")
		b.ReportMetric(100*sol.Gap, "gap%")
		b.Logf("%d phones, %d candidates × %d people: build %.1f s, solve %.1f s (%s, gap %.1f%%), total %.1f s",
			len(pr.Phones), pr.Problem.Candidates, people, build.Seconds(), sol.Seconds, sol.Method, 100*sol.Gap, total.Seconds())
		// The same lineup problem by search over levels, which lists no
		// phones and builds no matrix.
		listed := sol.Objective
		pr, sol, probs = nil, nil, pr.Problem
		runtime.GC()
		start = time.Now()
		lp, lsol, err := SearchLevels(ctx, spec, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		// Valued in the listed problem: the same people and rule.
		var chosen []int
		for v, x := range lp.CandPhone {
			for j := range probs.Candidates {
				if probs.Price[j] == float64(lp.CandPrice[v]) && slices.Equal(phones[probs.Phone[j]].Config, lp.Phones[x].Config) {
					chosen = append(chosen, j)
				}
			}
		}
		if len(chosen) != len(lp.CandPhone) {
			b.Fatalf("the search chose phones the listing does not have")
		}
		val := probs.Objective(chosen)
		b.ReportMetric(time.Since(start).Seconds(), "levels-s")
		b.ReportMetric(100*val/listed, "levels-%-of-listed")
		b.Logf("search over levels: %.1f s, %.2f%% of the listed problem's answer (bound gap %.1f%%)",
			time.Since(start).Seconds(), 100*val/listed, 100*lsol.Gap)
	}
}
