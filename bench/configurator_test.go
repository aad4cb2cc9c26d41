// Package bench holds the benchmarks of Tailor, with side-by-side runs of
// reference tools where one exists. See README.md in this folder.
package bench

import (
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modelgen"
	"github.com/tailor-c2b/tailor/models"
)

// benchModels returns the models the configurator is measured on.
func benchModels(tb testing.TB) map[string]*model.Model {
	tb.Helper()
	out := map[string]*model.Model{}
	src := models.Phone
	if f := os.Getenv("TAILOR_BENCH_PHONE"); f != "" {
		var err error
		if src, err = os.ReadFile(f); err != nil {
			tb.Fatal(err)
		}
	}
	m, diags := model.Parse(models.PhoneFile, src)
	if diags.HasErrors() {
		tb.Fatal(diags.Err())
	}
	out["phone"] = m
	out["medium"] = modelgen.Generate(modelgen.Medium)
	out["big"] = modelgen.Generate(modelgen.Big)
	out["lines"] = modelgen.Generate(modelgen.Lines)
	return out
}

// clickSequences replays customers clicking through the configurator: each
// step picks a random attribute and one of its still possible levels, so
// every selection is one a real session reaches.
func clickSequences(e *configurator.Engine, n, maxClicks int, seed uint64) []configurator.Selection {
	r := rand.New(rand.NewPCG(seed, 7))
	var out []configurator.Selection
	nAttr := len(e.Model().Attributes)
	for len(out) < n {
		sel := e.NewSelection()
		clicks := r.IntN(maxClicks + 1)
		for i := 0; i < clicks && len(out) < n; i++ {
			out = append(out, append(configurator.Selection(nil), sel...))
			possible, ok := e.Propagate(sel)
			if !ok {
				break
			}
			a := r.IntN(nAttr)
			var opts []int
			for l, p := range possible[a] {
				if p {
					opts = append(opts, l)
				}
			}
			sel[a] = opts[r.IntN(len(opts))]
		}
	}
	return out
}

// quantiles returns the median and the 99th percentile.
func quantiles(ds []time.Duration) (p50, p99 time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)]
}

func BenchmarkCompile(b *testing.B) {
	for name, m := range benchModels(b) {
		b.Run(name, func(b *testing.B) {
			var e *configurator.Engine
			for b.Loop() {
				var err error
				if e, err = configurator.Compile(m, configurator.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			st := e.Stats()
			b.ReportMetric(float64(st.Tuples), "tuples")
			b.ReportMetric(float64(st.Width), "width")
			b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
		})
	}
}

func BenchmarkPropagate(b *testing.B) {
	for name, m := range benchModels(b) {
		b.Run(name, func(b *testing.B) {
			e, err := configurator.Compile(m, configurator.Options{})
			if err != nil {
				b.Fatal(err)
			}
			sels := clickSequences(e, 2000, 30, 1)
			var ds []time.Duration
			i := 0
			for b.Loop() {
				sel := sels[i%len(sels)]
				t := time.Now()
				e.Propagate(sel)
				ds = append(ds, time.Since(t))
				i++
			}
			p50, p99 := quantiles(ds)
			b.ReportMetric(float64(p50.Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99-µs")
		})
	}
}

func BenchmarkExplain(b *testing.B) {
	for name, m := range benchModels(b) {
		b.Run(name, func(b *testing.B) {
			e, err := configurator.Compile(m, configurator.Options{})
			if err != nil {
				b.Fatal(err)
			}
			// Explain excluded levels of the selections a session reaches.
			type query struct {
				sel  configurator.Selection
				a, l int
			}
			var qs []query
			for _, sel := range clickSequences(e, 400, 30, 2) {
				possible, ok := e.Propagate(sel)
				if !ok {
					continue
				}
				for a := range possible {
					for l, p := range possible[a] {
						if !p && sel[a] < 0 {
							qs = append(qs, query{sel, a, l})
						}
					}
				}
			}
			if len(qs) == 0 {
				b.Skip("no excluded levels")
			}
			var ds []time.Duration
			i := 0
			for b.Loop() {
				q := qs[(i*7919)%len(qs)]
				t := time.Now()
				e.Explain(q.sel, q.a, q.l)
				ds = append(ds, time.Since(t))
				i++
			}
			p50, p99 := quantiles(ds)
			b.ReportMetric(float64(p50.Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99-µs")
		})
	}
}
