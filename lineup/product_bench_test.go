package lineup

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/market"
)

// BenchmarkProductScale is product mode at the scale: the phone
// model varied over seven attributes (17,155 valid phones) at six prices,
// 102,930 candidates, for 10,000 people; first choice, K = 5, auto. It
// reports the time to build the problem (enumerating the phones,
// completing each at the least cost, and every utility) and to solve it.
// The utilities take 8 GB, so it runs only with LINEUP_BENCH_HUGE=1:
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
		pr, err := NewProducts(ctx, Spec{Engine: e, Market: m, Prices: prices, K: 5,
			Choice: market.Options{Rule: market.FirstChoice, None: true}})
		if err != nil {
			b.Fatal(err)
		}
		build := time.Since(start)
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
	}
}
