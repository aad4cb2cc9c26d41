package bench

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/lineup"
)

// fcProblem returns p as a lineup problem under the first-choice rule.
func fcProblem(p *fcInstance) *lineup.Problem {
	return &lineup.Problem{
		Customers:  p.Customers,
		Candidates: p.Candidates,
		Weight:     slices.Clone(p.Weight),
		Utility:    slices.Clone(p.Utility),
		None:       slices.Clone(p.None),
		Margin:     slices.Clone(p.Margin),
		Rule:       lineup.FirstChoice,
		K:          p.K,
		Labels:     slices.Clone(p.Labels),
	}
}

// fcMethodRun is one lineup method's answer on one instance.
type fcMethodRun struct {
	method    lineup.Method
	sol       *lineup.Solution
	objective float64 // of sol.Chosen, by fcObjective
	seconds   float64 // wall clock
	cpu       float64 // CPU seconds of the process, all threads
	pct       float64 // of the reference optimum
}

// fcRow is one instance's line of the comparison.
type fcRow struct {
	name      string
	glpk      *glpkResult
	runs      []fcMethodRun // Exact, Anneal, Auto
	ref       float64       // the optimum, or the best known objective when refProven is false
	refProven bool
}

func (r *fcRow) run(m lineup.Method) *fcMethodRun {
	for i := range r.runs {
		if r.runs[i].method == m {
			return &r.runs[i]
		}
	}
	return nil
}

// BenchmarkLineupVsGLPK puts lineup.Solve beside glpsol on the first-choice
// instances of fcSpecs (README.md, "Product lines against GLPK"). For each
// instance it solves the Bertsimas–Mišić MIP with glpsol once (time limit
// TAILOR_BENCH_GLPK_TMLIM seconds, default 600), lineup's Exact method once
// (the same time limit) and its Anneal method once, and times the Auto
// method in the benchmark loop. Every lineup answer is scored by fcObjective,
// independently of lineup's own Objective, which must agree with it.
//
// Metrics per instance: auto-%, exact-%, anneal-% (percent of the optimum
// that GLPK proved; of lineup Exact's proven optimum when GLPK ran out of
// time; of the best objective found when neither proved one, and then
// ref-proven is 0), exact-proven and exact-equal (1 when Exact claims a
// proof, and when its objective equals GLPK's proven optimum to 1e-6),
// auto-s, exact-s, anneal-s, glpk-s (the glpsol process's wall clock),
// glpk/auto and glpk/exact (ratios of the times: above 1, lineup is
// faster), and auto-cpu-s, glpk-cpu-s and glpk/auto-cpu, the same in CPU
// time (all of the test process's threads for lineup, which uses every
// core; glpsol uses one), which other jobs on a shared machine disturb
// less than the wall clock. The parent benchmark logs the summary against the goals of
// issue 5 (never below 99 % of the optimum, mean at least 99.8 %, at least 20
// times faster than GLPK at 100 by 100) and writes a Markdown table to
// out/lineup-glpk.md.
//
// It fails when an answer is inconsistent: a lineup objective that differs
// from fcObjective of its choice, a proven optimum that differs from GLPK's,
// an objective above GLPK's proven optimum, or Auto below 99 % of a proven
// optimum.
func BenchmarkLineupVsGLPK(b *testing.B) {
	requireGLPK(b)
	dir := fcOutDir(b)
	tmlim := fcTimeLimit(b)
	var rows []*fcRow
	for _, s := range fcSpecs {
		b.Run(s.name, func(b *testing.B) {
			rows = append(rows, benchLineupVsGLPK(b, s.instance(), dir, tmlim))
		})
	}
	if len(rows) == 0 {
		return
	}
	table := fcSummary(b, rows)
	b.Log("\n" + table)
	if err := os.WriteFile(filepath.Join("out", "lineup-glpk.md"), []byte(table), 0o644); err != nil {
		b.Error(err)
	}
}

func benchLineupVsGLPK(b *testing.B, p *fcInstance, dir string, tmlim int) *fcRow {
	writeInstanceCSV(b, p, dir)
	row := &fcRow{name: p.Name}
	row.glpk = solveGLPK(b, p, dir, tmlim)
	lp := fcProblem(p)
	solve := func(m lineup.Method, limit time.Duration) fcMethodRun {
		start, cpu0 := time.Now(), processCPU()
		sol, err := lineup.Solve(b.Context(), lp, lineup.Options{Method: m, Seed: 1, Time: limit})
		secs, cpu := time.Since(start).Seconds(), (processCPU() - cpu0).Seconds()
		if err != nil {
			b.Fatalf("%s: lineup %s: %v", p.Name, m, err)
		}
		return fcMethodRun{method: m, sol: sol, seconds: secs, cpu: cpu}
	}
	row.runs = append(row.runs, solve(lineup.Exact, time.Duration(tmlim)*time.Second), solve(lineup.Anneal, 0))
	var auto fcMethodRun
	autoCPU := 0.0
	for b.Loop() {
		auto = solve(lineup.Auto, 0)
		autoCPU += auto.cpu
	}
	auto.seconds = b.Elapsed().Seconds() / float64(b.N)
	auto.cpu = autoCPU / float64(b.N)
	row.runs = append(row.runs, auto)
	exact, anneal := row.run(lineup.Exact), row.run(lineup.Anneal)

	g := row.glpk
	for i := range row.runs {
		r := &row.runs[i]
		r.objective = checkLineupSolution(b, p, r.method, r.sol)
		if g.Optimal && r.objective > g.Objective*(1+1e-6) {
			b.Errorf("%s: lineup %s's choice %v earns %.9g, above GLPK's proven optimum %.9g (at %v)",
				p.Name, r.method, r.sol.Chosen, r.objective, g.Objective, g.Chosen)
		}
	}
	switch {
	case g.Optimal:
		row.ref, row.refProven = g.Objective, true
	case exact.sol.Proven:
		row.ref, row.refProven = exact.objective, true
	default:
		row.ref = g.Objective
		for _, r := range row.runs {
			row.ref = max(row.ref, r.objective)
		}
	}
	for i := range row.runs {
		row.runs[i].pct = 100 * row.runs[i].objective / row.ref
	}
	exactEqual := g.Optimal && exact.sol.Proven && math.Abs(exact.objective-g.Objective) <= 1e-6*math.Abs(g.Objective)
	if g.Optimal && exact.sol.Proven && !exactEqual {
		b.Errorf("%s: lineup Exact proves %.9g (at %v), GLPK proves %.9g (at %v)",
			p.Name, exact.objective, exact.sol.Chosen, g.Objective, g.Chosen)
	}
	auto = *row.run(lineup.Auto)
	if row.refProven && auto.pct < 99 {
		b.Errorf("%s: lineup Auto reaches %.3f %% of the optimum, below the 99 %% floor", p.Name, auto.pct)
	}

	b.ReportMetric(auto.pct, "auto-%")
	b.ReportMetric(exact.pct, "exact-%")
	b.ReportMetric(anneal.pct, "anneal-%")
	b.ReportMetric(flag(exact.sol.Proven), "exact-proven")
	b.ReportMetric(flag(exactEqual), "exact-equal")
	b.ReportMetric(flag(row.refProven), "ref-proven")
	b.ReportMetric(auto.seconds, "auto-s")
	b.ReportMetric(exact.seconds, "exact-s")
	b.ReportMetric(anneal.seconds, "anneal-s")
	b.ReportMetric(g.Wall.Seconds(), "glpk-s")
	b.ReportMetric(g.Wall.Seconds()/auto.seconds, "glpk/auto")
	b.ReportMetric(g.Wall.Seconds()/exact.seconds, "glpk/exact")
	b.ReportMetric(auto.cpu, "auto-cpu-s")
	b.ReportMetric(g.CPU.Seconds(), "glpk-cpu-s")
	b.ReportMetric(g.CPU.Seconds()/auto.cpu, "glpk/auto-cpu")
	b.Logf("%s: GLPK %s (%s) in %.2f s, %.2f s CPU (objective %.6f, bound %.6f) at %v", p.Name, g.outcome(), g.Status, g.Wall.Seconds(), g.CPU.Seconds(), g.Objective, g.Bound, g.Chosen)
	for _, r := range []*fcMethodRun{row.run(lineup.Auto), exact, anneal} {
		b.Logf("%s: lineup %-6s %.6f (%.4f %%) in %.3f s (%.3f s CPU), proven %v, bound %.6f, nodes %d, at %v",
			p.Name, r.method, r.objective, r.pct, r.seconds, r.cpu, r.sol.Proven, r.sol.Bound, r.sol.Nodes, r.sol.Chosen)
	}
	return row
}

// checkLineupSolution checks that sol chooses K distinct candidates, sorted,
// that its objective is theirs under the first-choice rule, and that its
// bound is not below it; it returns that objective by fcObjective.
func checkLineupSolution(b *testing.B, p *fcInstance, m lineup.Method, sol *lineup.Solution) float64 {
	b.Helper()
	c := sol.Chosen
	if len(c) != p.K || !slices.IsSorted(c) || len(slices.Compact(slices.Clone(c))) != len(c) ||
		c[0] < 0 || c[len(c)-1] >= p.Candidates {
		b.Fatalf("%s: lineup %s chose %v, want %d distinct sorted candidates", p.Name, m, c, p.K)
	}
	v := fcObjective(p, c)
	if math.Abs(v-sol.Objective) > 1e-9*max(1, math.Abs(v)) {
		b.Errorf("%s: lineup %s reports %.12g for %v, which earns %.12g", p.Name, m, sol.Objective, c, v)
	}
	if sol.Bound < v*(1-1e-9) {
		b.Errorf("%s: lineup %s's bound %.12g is below its objective %.12g", p.Name, m, sol.Bound, v)
	}
	return v
}

func flag(ok bool) float64 {
	if ok {
		return 1
	}
	return 0
}

// fcSummary returns a Markdown table of rows and logs the summary figures
// against the goals of issue 5.
func fcSummary(b *testing.B, rows []*fcRow) string {
	var sb strings.Builder
	sb.WriteString("| instance | GLPK | GLPK s | optimum | Auto % | Auto s | GLPK/Auto | GLPK/Auto CPU | Exact % | Exact proven | Exact s | GLPK/Exact | Anneal % | Anneal s |\n")
	sb.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|\n")
	for _, r := range rows {
		a, e, n := r.run(lineup.Auto), r.run(lineup.Exact), r.run(lineup.Anneal)
		status := r.glpk.outcome()
		opt := fmt.Sprintf("%.4f", r.ref)
		if !r.refProven {
			opt += " (best known)"
		}
		fmt.Fprintf(&sb, "| %s | %s | %.2f | %s | %.3f | %.3g | %.1f× | %.1f× | %.3f | %v | %.3g | %.1f× | %.3f | %.3g |\n",
			r.name, status, r.glpk.Wall.Seconds(), opt, a.pct, a.seconds, r.glpk.Wall.Seconds()/a.seconds,
			r.glpk.CPU.Seconds()/a.cpu, e.pct, e.sol.Proven, e.seconds, r.glpk.Wall.Seconds()/e.seconds, n.pct, n.seconds)
	}
	proven := 0
	for _, r := range rows {
		if r.refProven {
			proven++
		}
	}
	for _, m := range []lineup.Method{lineup.Auto, lineup.Exact, lineup.Anneal} {
		lo, sum := math.Inf(1), 0.0
		for _, r := range rows {
			lo = min(lo, r.run(m).pct)
			sum += r.run(m).pct
		}
		fmt.Fprintf(&sb, "\n%s: min %.3f %%, mean %.3f %% of the optimum over %d instances (%d with a proven optimum)",
			m, lo, sum/float64(len(rows)), len(rows), proven)
		if m == lineup.Auto {
			fmt.Fprintf(&sb, " (goals: min at least 99 %%, mean at least 99.8 %%: %s)", goal(lo >= 99 && sum/float64(len(rows)) >= 99.8))
		}
	}
	for _, r := range rows {
		if strings.HasPrefix(r.name, "100x100") {
			a := r.run(lineup.Auto)
			ratio := r.glpk.Wall.Seconds() / a.seconds
			fmt.Fprintf(&sb, "\n%s: Auto %.1f× faster than GLPK by the wall clock, %.1f× in CPU time (goal at least 20×: %s)",
				r.name, ratio, r.glpk.CPU.Seconds()/a.cpu, goal(ratio >= 20))
		}
	}
	sb.WriteString("\n")
	return sb.String()
}

func goal(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// TestLineupMatrixCSVRoundTrip checks that lineup.ReadMatrix reads the
// matrix CSV that the benchmark writes for the CLI as the very instance it
// solves.
func TestLineupMatrixCSVRoundTrip(t *testing.T) {
	p := genFirstChoice("roundtrip", 7, 5, 2, 3)
	var buf bytes.Buffer
	if err := writeMatrixCSV(&buf, p); err != nil {
		t.Fatal(err)
	}
	got, err := lineup.ReadMatrix(&buf, "roundtrip.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := fcProblem(p)
	if got.Customers != want.Customers || got.Candidates != want.Candidates {
		t.Fatalf("read %d×%d, want %d×%d", got.Customers, got.Candidates, want.Customers, want.Candidates)
	}
	for _, f := range []struct {
		name      string
		want, got any
	}{
		{"Weight", want.Weight, got.Weight},
		{"Utility", want.Utility, got.Utility},
		{"None", want.None, got.None},
		{"Margin", want.Margin, got.Margin},
		{"Labels", want.Labels, got.Labels},
	} {
		if diff := cmp.Diff(f.want, f.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", f.name, diff)
		}
	}
}

// TestLineupObjectiveIsFirstChoice checks that lineup's Objective under the
// first-choice rule is fcObjective, the rule the MIP encodes, ties included,
// on every K-subset of small random instances.
func TestLineupObjectiveIsFirstChoice(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for id := range 60 {
		p := tinyFirstChoice(r, id, id%2 == 1)
		lp := fcProblem(p)
		set := make([]int, p.K)
		var rec func(pos, from int)
		rec = func(pos, from int) {
			if pos == p.K {
				want := fcObjective(p, set)
				if got := lp.Objective(set); math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
					t.Errorf("%s: Objective(%v) = %.12g, want %.12g", p.Name, set, got, want)
				}
				return
			}
			for j := from; j <= p.Candidates-(p.K-pos); j++ {
				set[pos] = j
				rec(pos+1, j+1)
			}
		}
		rec(0, 0)
	}
}
