package lineup_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/lineup/lineupgen"
)

// BenchmarkExact times branch and bound on conjoint-like instances of 100
// candidates and 100 customer types (bench/ holds the comparison with
// GLPK on the same kind of instance):
//
//	go test -run - -bench Exact -benchtime 3x ./lineup
func BenchmarkExact(b *testing.B) {
	for _, k := range []int{3, 5, 10} {
		for seed := uint64(1); seed <= 3; seed++ {
			params := lineupgen.Params{Candidates: 100, Customers: 100, K: k, Seed: seed}
			p := lineupgen.Conjoint(params)
			b.Run(params.Name(), func(b *testing.B) {
				var sol *lineup.Solution
				for b.Loop() {
					var err error
					if sol, err = lineup.Solve(context.Background(), p, lineup.Options{Method: lineup.Exact}); err != nil {
						b.Fatal(err)
					}
				}
				if !sol.Proven {
					b.Fatal("not proven")
				}
				b.ReportMetric(float64(sol.Nodes), "nodes")
				b.ReportMetric(sol.Objective, "objective")
			})
		}
	}
}

// BenchmarkScale times auto (greedy, swaps, annealing, then the root
// bound) on large first-choice instances in matrix form, K = 5, on two
// workers, in wall-clock and CPU seconds (the CPU time is the sounder
// figure on a machine shared with other work). 100,000 candidates by 10,000 customers is a matrix of 8 GB and
// runs only when LINEUP_BENCH_HUGE is set:
//
//	go test -run - -bench Scale -benchtime 1x -timeout 1h ./lineup
func BenchmarkScale(b *testing.B) {
	sizes := []struct{ candidates, customers int }{{100000, 1000}, {10000, 10000}}
	if os.Getenv("LINEUP_BENCH_HUGE") != "" {
		sizes = append(sizes, struct{ candidates, customers int }{100000, 10000})
	}
	for _, size := range sizes {
		b.Run(fmt.Sprintf("%dx%d", size.candidates, size.customers), func(b *testing.B) {
			start := time.Now()
			p := lineupgen.Conjoint(lineupgen.Params{Candidates: size.candidates, Customers: size.customers, K: 5, Seed: 1})
			b.Logf("generated in %.1fs", time.Since(start).Seconds())
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			var sol *lineup.Solution
			cpu := lineup.ProcessCPU()
			for b.Loop() {
				var err error
				sol, err = lineup.Solve(context.Background(), p, lineup.Options{Method: lineup.Auto, Workers: 2, Seed: 1, Time: 60 * time.Second})
				if err != nil {
					b.Fatal(err)
				}
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			b.ReportMetric(sol.Seconds, "s/solve")
			b.ReportMetric((lineup.ProcessCPU()-cpu).Seconds()/float64(b.N), "cpu-s/solve")
			b.ReportMetric(sol.Objective, "objective")
			b.ReportMetric(100*sol.Gap, "gap%")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MB-alloc/op")
			b.Logf("%s: objective %.4f, bound %.4f, gap %.1f%%, %.1fs, %.1f CPU seconds", sol.Method, sol.Objective, sol.Bound, 100*sol.Gap, sol.Seconds, (lineup.ProcessCPU()-cpu).Seconds()/float64(b.N))
		})
	}
}
