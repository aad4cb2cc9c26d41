package bench

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/lineup/lineupgen"
)

// This file holds the GLPK half of the first-choice product-line comparison
// (README.md, "Product lines against GLPK"): the instances, the
// mixed-integer formulation of Bertsimas and Mišić written in CPLEX LP
// format, a glpsol runner, and a test that holds the formulation against
// brute force. The instances are lineup.Problems drawn by
// lineupgen.Conjoint; lineup_vs_glpk_test.go puts package lineup's solver
// beside glpsol.

// fcInstances returns the instances of the comparison, smallest first: by
// default 100 candidates by 100 customer types, K = 3, 5 and 10, seeds 1
// and 2; with TAILOR_BENCH_GLPK_FULL set, seeds 1 to 5 and four larger
// instances at K = 5 (200 and 300 candidates by 100 types, 200 by 200 and
// 500 by 100), on which glpsol may hit its time limit.
func fcInstances() []lineupgen.Params {
	full := os.Getenv("TAILOR_BENCH_GLPK_FULL") != ""
	seeds := uint64(2)
	if full {
		seeds = 5
	}
	var ps []lineupgen.Params
	for _, k := range []int{3, 5, 10} {
		for seed := uint64(1); seed <= seeds; seed++ {
			ps = append(ps, lineupgen.Params{Candidates: 100, Customers: 100, K: k, Seed: seed})
		}
	}
	if full {
		for _, size := range [][2]int{{200, 100}, {300, 100}, {200, 200}, {500, 100}} {
			ps = append(ps, lineupgen.Params{Candidates: size[0], Customers: size[1], K: 5, Seed: 1})
		}
	}
	return ps
}

// fcUtility returns customer i's utility of candidate j.
func fcUtility(p *lineup.Problem, i, j int) float64 { return p.Utility[i*p.Candidates+j] }

// fcWeight returns customer i's weight (1 when p has none).
func fcWeight(p *lineup.Problem, i int) float64 {
	if p.Weight == nil {
		return 1
	}
	return p.Weight[i]
}

// fcObjective is the first-choice objective under the rule of package
// lineup, written out independently of lineup.Problem.Objective: each
// customer type buys its most preferred chosen candidate if that beats not
// buying; the no-purchase option wins ties with candidates, and among tied
// candidates the lower index wins.
func fcObjective(p *lineup.Problem, chosen []int) float64 {
	c := slices.Clone(chosen)
	slices.Sort(c)
	total := 0.0
	for i := range p.Customers {
		best, pick := p.None[i], -1
		for _, j := range c {
			if u := fcUtility(p, i, j); u > best {
				best, pick = u, j
			}
		}
		if pick >= 0 {
			total += fcWeight(p, i) * p.Margin[pick]
		}
	}
	return total
}

// fcRanking returns customer i's consideration set: the candidates it
// prefers to not buying, best first, ties broken by the lower index, which
// is the order in which lineup's first-choice rule picks among them.
func fcRanking(p *lineup.Problem, i int) []int {
	var s []int
	for j := range p.Candidates {
		if fcUtility(p, i, j) > p.None[i] {
			s = append(s, j)
		}
	}
	slices.SortStableFunc(s, func(a, b int) int { return cmp.Compare(fcUtility(p, i, b), fcUtility(p, i, a)) })
	return s
}

// lpWriter writes CPLEX LP rows, breaking long ones, and remembers the
// order in which columns first appear, which is the order of glpsol's
// columns in its raw solution file.
type lpWriter struct {
	w     *bufio.Writer
	col   map[string]int // 1-based column number
	names []string
	terms int // terms on the current line
	buf   []byte
}

func (lw *lpWriter) term(coef float64, name string) {
	if _, ok := lw.col[name]; !ok {
		lw.names = append(lw.names, name)
		lw.col[name] = len(lw.names)
	}
	if lw.terms == 8 {
		lw.w.WriteString("\n   ")
		lw.terms = 0
	}
	lw.terms++
	b := lw.buf[:0]
	switch {
	case coef == 1:
		b = append(b, " + "...)
	case coef == -1:
		b = append(b, " - "...)
	case coef < 0:
		b = append(b, " - "...)
		b = strconv.AppendFloat(b, -coef, 'g', -1, 64)
		b = append(b, ' ')
	default:
		b = append(b, " + "...)
		b = strconv.AppendFloat(b, coef, 'g', -1, 64)
		b = append(b, ' ')
	}
	b = append(b, name...)
	lw.buf = b
	lw.w.Write(b)
}

func (lw *lpWriter) row(label string) {
	lw.w.WriteString("\n ")
	lw.w.WriteString(label)
	lw.w.WriteString(":")
	lw.terms = 0
}

func (lw *lpWriter) rhs(sense string, v float64) {
	lw.w.WriteString(" ")
	lw.w.WriteString(sense)
	lw.w.WriteString(" ")
	lw.w.Write(strconv.AppendFloat(lw.buf[:0], v, 'g', -1, 64))
}

// fcModel is what writeFirstChoiceLP tells about the model it wrote.
type fcModel struct {
	xCol     []int // the glpsol column number of every candidate's x
	rows     int
	cols     int
	nonzeros int
}

// writeFirstChoiceLP writes p as the mixed-integer program of Bertsimas and
// Mišić (2019, section 3.2, the formulation of their code's
// optimalPLD_solveSAO_constraints), in CPLEX LP format, with the cardinality
// constraint of package lineup:
//
//	max  sum_i w_i sum_j m_j y_ij
//	s.t. sum_j y_ij + y_i0 = 1                     every type i
//	     y_ij <= x_j                               every i, j
//	     sum_{j' below j in i's ranking} y_ij' <= 1 - x_j   every i, j
//	     sum_j x_j = K,  x binary,  y >= 0
//
// where "below" includes the no-purchase option 0. A candidate that type i
// ranks below not buying can never be its choice, so its y_ij is left out
// (fixed at 0, as the formulation's row for option 0 forces), and so is the
// row for it. Using sum_j y_ij + y_i0 = 1, the preference row for the
// candidate of rank r is equivalent to x_j <= sum of y_ij' over the
// candidates ranked at or above j: the writer uses whichever of the two
// forms has fewer terms, which leaves the polyhedron (and so the LP bound)
// unchanged and halves the number of non-zeros.
//
// Ties are settled by the ranking (fcRanking): with x integral, the rows let
// only the best offered candidate in it, or not buying, take y = 1, which is
// exactly lineup's first-choice rule, ties included.
//
// Only that: it returns an error for a problem under the logit rule, with
// required, forbidden or grouped candidates, or with side constraints
// (Phone, Ladder, MaxParts), which it does not write.
func writeFirstChoiceLP(w io.Writer, name string, p *lineup.Problem) (*fcModel, error) {
	if p.Rule != lineup.FirstChoice || len(p.Must) > 0 || len(p.Forbid) > 0 || len(p.Groups) > 0 ||
		p.Phone != nil || p.Ladder || p.MaxParts > 0 {
		return nil, fmt.Errorf("%s: the MIP covers the first-choice rule with K alone, not rule %s, required, forbidden or grouped candidates, or side constraints", name, p.Rule)
	}
	lw := &lpWriter{w: bufio.NewWriterSize(w, 1<<20), col: map[string]int{}}
	m := &fcModel{xCol: make([]int, p.Candidates)}
	fmt.Fprintf(lw.w, "\\ first-choice product line %s: %d candidates, %d customer types, K = %d\n",
		name, p.Candidates, p.Customers, p.K)
	fmt.Fprintf(lw.w, "\\ Bertsimas and Misic (2019) formulation, written by tailor bench\nMaximize\n obj:")
	rankings := make([][]int, p.Customers)
	y := func(i, j int) string { return "y" + strconv.Itoa(i) + "_" + strconv.Itoa(j) }
	x := func(j int) string { return "x" + strconv.Itoa(j) }
	none := func(i int) string { return "n" + strconv.Itoa(i) }
	empty := true
	for i := range p.Customers {
		rankings[i] = fcRanking(p, i)
		for _, j := range rankings[i] {
			if c := fcWeight(p, i) * p.Margin[j]; c != 0 {
				lw.term(c, y(i, j))
				m.nonzeros++
				empty = false
			}
		}
	}
	if empty {
		lw.term(0, x(0))
	}
	lw.w.WriteString("\nSubject To")
	for i, s := range rankings {
		if len(s) == 0 {
			continue // type i never buys: y_i0 = 1 and nothing else
		}
		lw.row("a" + strconv.Itoa(i))
		for _, j := range s {
			lw.term(1, y(i, j))
		}
		lw.term(1, none(i))
		lw.rhs("=", 1)
		m.rows++
		m.nonzeros += len(s) + 1
		for _, j := range s {
			lw.row("u" + strconv.Itoa(i) + "_" + strconv.Itoa(j))
			lw.term(1, y(i, j))
			lw.term(-1, x(j))
			lw.rhs("<=", 0)
			m.rows++
			m.nonzeros += 2
		}
		for r, j := range s {
			lw.row("p" + strconv.Itoa(i) + "_" + strconv.Itoa(j))
			if above, below := r+1, len(s)-r; above <= below {
				for _, jj := range s[:r+1] {
					lw.term(1, y(i, jj))
				}
				lw.term(-1, x(j))
				lw.rhs(">=", 0)
				m.nonzeros += above + 1
			} else {
				for _, jj := range s[r+1:] {
					lw.term(1, y(i, jj))
				}
				lw.term(1, none(i))
				lw.term(1, x(j))
				lw.rhs("<=", 1)
				m.nonzeros += below + 1
			}
			m.rows++
		}
	}
	lw.row("card")
	for j := range p.Candidates {
		lw.term(1, x(j))
	}
	lw.rhs("=", float64(p.K))
	m.rows++
	m.nonzeros += p.Candidates
	lw.w.WriteString("\nBinary\n")
	for j := range p.Candidates {
		fmt.Fprintf(lw.w, " %s\n", x(j))
		m.xCol[j] = lw.col[x(j)]
	}
	lw.w.WriteString("End\n")
	m.cols = len(lw.names)
	return m, lw.w.Flush()
}

// glpkResult is what one glpsol run found.
type glpkResult struct {
	Found     bool          // glpsol found an integer solution
	Optimal   bool          // glpsol proved its solution optimal (to its tolerances: relative MIP gap 0)
	Status    string        // glpsol's status line, e.g. "INTEGER OPTIMAL SOLUTION FOUND"
	Objective float64       // the objective of the best integer solution, as glpsol reports it (-Inf if none)
	Bound     float64       // the best upper bound at the end (+Inf when none was printed)
	LPBound   float64       // the optimum of the root LP relaxation
	Chosen    []int         // the candidates with x_j = 1 in the best solution, sorted
	Wall      time.Duration // of the glpsol process, reading the LP file and writing the solution included
	CPU       time.Duration // user and system time of the glpsol process
	Seconds   float64       // glpsol's own "Time used" (0.1 s resolution)
	MemoryMB  float64       // glpsol's "Memory used"
	Model     *fcModel
	Log       string
}

var (
	glpkTimeRE  = regexp.MustCompile(`(?m)^Time used:\s+([0-9.]+) secs`)
	glpkMemRE   = regexp.MustCompile(`(?m)^Memory used:\s+([0-9.]+) Mb`)
	glpkMIPRE   = regexp.MustCompile(`(?m)^[+*]\s*\d+: (?:mip|>>>>>)\s*=?\s*(\S+(?: found yet)?)\s+<=\s+(\S+(?: is empty)?)`)
	glpkLPRE    = regexp.MustCompile(`(?m)^[*]\s*\d+: obj =\s+(\S+)`)
	glpkStatusR = regexp.MustCompile(`(?m)^(INTEGER OPTIMAL SOLUTION FOUND.*|TIME LIMIT EXCEEDED.*|PROBLEM HAS NO .*|.*SEARCH TERMINATED.*)$`)
)

// runGLPK writes p as an LP file in dir (NAME.lp) and solves it with glpsol
// (a time limit of tmlim seconds, default options unless extra gives more),
// timing the process wall clock; glpsol's log goes to NAME.log and its raw
// solution, from which the chosen candidates are read, to NAME.sol.
func runGLPK(ctx context.Context, name string, p *lineup.Problem, dir string, tmlim int, extra ...string) (*glpkResult, error) {
	lp := filepath.Join(dir, name+".lp")
	raw := filepath.Join(dir, name+".sol")
	f, err := os.Create(lp)
	if err != nil {
		return nil, err
	}
	model, err := writeFirstChoiceLP(f, name, p)
	if err == nil {
		err = f.Close()
	} else {
		f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", lp, err)
	}
	args := append([]string{"--lp", lp, "--tmlim", strconv.Itoa(tmlim), "-w", raw}, extra...)
	cmd := exec.CommandContext(ctx, "glpsol", args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	res := &glpkResult{Wall: time.Since(start), Model: model, Log: string(out),
		Objective: math.Inf(-1), Bound: math.Inf(1), LPBound: math.NaN()}
	if ps := cmd.ProcessState; ps != nil {
		res.CPU = ps.UserTime() + ps.SystemTime()
	}
	if err := os.WriteFile(filepath.Join(dir, name+".log"), out, 0o644); err != nil {
		return res, err
	}
	if err != nil {
		return res, fmt.Errorf("glpsol %s: %w\n%s", lp, err, out)
	}
	if m := glpkStatusR.FindStringSubmatch(res.Log); m != nil {
		res.Status = m[1]
	}
	// The search also prints "Time used: ... secs." every minute; the
	// last line is the total.
	if ms := glpkTimeRE.FindAllStringSubmatch(res.Log, -1); ms != nil {
		res.Seconds, _ = strconv.ParseFloat(ms[len(ms)-1][1], 64)
	}
	if ms := glpkMemRE.FindAllStringSubmatch(res.Log, -1); ms != nil {
		res.MemoryMB, _ = strconv.ParseFloat(ms[len(ms)-1][1], 64)
	}
	if i := strings.Index(res.Log, "OPTIMAL LP SOLUTION FOUND"); i >= 0 {
		if ms := glpkLPRE.FindAllStringSubmatch(res.Log[:i], -1); ms != nil {
			res.LPBound, _ = strconv.ParseFloat(ms[len(ms)-1][1], 64)
		}
	}
	if ms := glpkMIPRE.FindAllStringSubmatch(res.Log, -1); ms != nil {
		if v, err := strconv.ParseFloat(ms[len(ms)-1][2], 64); err == nil {
			res.Bound = v
		}
	}
	sol, err := os.ReadFile(raw)
	if err != nil {
		return res, fmt.Errorf("glpsol wrote no solution (%s): %w\n%s", res.Status, err, out)
	}
	if err := res.readRaw(sol, model); err != nil {
		return res, fmt.Errorf("%s: %w", raw, err)
	}
	if res.Optimal {
		res.Bound = res.Objective
	}
	return res, nil
}

// gap is the relative gap between the best bound and the best solution.
func (res *glpkResult) gap() float64 {
	if !res.Found {
		return math.Inf(1)
	}
	return (res.Bound - res.Objective) / res.Bound
}

// outcome says in a few words how glpsol ended.
func (res *glpkResult) outcome() string {
	switch {
	case res.Optimal:
		return "optimal"
	case res.Found:
		return fmt.Sprintf("stopped, gap %.2f %%", 100*res.gap())
	default:
		return "stopped, no solution"
	}
}

// readRaw reads glpsol's raw MIP solution (glp_write_mip): the line
// "s mip ROWS COLS STATUS OBJ", where STATUS is o (optimal), f (feasible,
// not proven optimal) or u (no integer solution yet), then "j COL VALUE" per
// column.
func (res *glpkResult) readRaw(sol []byte, model *fcModel) error {
	vals := map[int]float64{}
	seen := false
	for line := range strings.Lines(string(sol)) {
		f := strings.Fields(line)
		switch {
		case len(f) == 6 && f[0] == "s" && f[1] == "mip":
			if cols, _ := strconv.Atoi(f[3]); cols != model.cols {
				return fmt.Errorf("%d columns, want %d", cols, model.cols)
			}
			seen = true
			switch f[4] {
			case "o", "f":
				v, err := strconv.ParseFloat(f[5], 64)
				if err != nil {
					return err
				}
				res.Objective, res.Found, res.Optimal = v, true, f[4] == "o"
			case "u": // stopped before finding an integer solution
			default:
				return fmt.Errorf("solution status %q", f[4])
			}
		case len(f) == 3 && f[0] == "j":
			c, err1 := strconv.Atoi(f[1])
			v, err2 := strconv.ParseFloat(f[2], 64)
			if err := errors.Join(err1, err2); err != nil {
				return err
			}
			vals[c] = v
		}
	}
	if !seen {
		return errors.New("no \"s mip\" line")
	}
	if !res.Found {
		return nil
	}
	for j, c := range model.xCol {
		if vals[c] > 0.5 {
			res.Chosen = append(res.Chosen, j)
		}
	}
	return nil
}

// requireGLPK skips tb unless glpsol is on PATH.
func requireGLPK(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("glpsol"); err != nil {
		tb.Skip("glpsol is not on PATH (Debian: apt-get install glpk-utils)")
	}
}

// TestGLPKFirstChoiceMatchesBruteForce checks the mixed-integer program
// that the GLPK benchmark solves: on 120 small random instances
// (lineupgen.Small without its constraints: 2 to 12 candidates, 1 to 30
// customer types, K from 1 to 4, a third with small integer utilities and
// so many ties, some margins negative or zero), glpsol's optimum equals the
// brute-force optimum over all K-subsets, and the subset glpsol chose
// earns it under the first-choice rule written out by fcObjective, ties
// settled as lineup settles them (not buying wins ties; among candidates
// the lower index wins).
func TestGLPKFirstChoiceMatchesBruteForce(t *testing.T) {
	requireGLPK(t)
	r := rand.New(rand.NewPCG(7, 11))
	dir := t.TempDir()
	for id := range 120 {
		p := lineupgen.Small(r, lineup.FirstChoice)
		p.Must, p.Forbid, p.Groups = nil, nil, nil
		name := fmt.Sprintf("small%d", id)
		want, wantSet := lineupgen.BruteForce(p)
		got, err := runGLPK(t.Context(), name, p, dir, 60)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !got.Optimal {
			t.Fatalf("%s: glpsol did not prove optimality: %s\n%s", name, got.Status, got.Log)
		}
		if math.Abs(got.Objective-want) > 1e-6*max(1, math.Abs(want)) {
			t.Errorf("%s (%d candidates, %d types, K=%d): glpsol optimum %.12g, brute force %.12g (at %v)",
				name, p.Candidates, p.Customers, p.K, got.Objective, want, wantSet)
		}
		if len(got.Chosen) != p.K {
			t.Errorf("%s: glpsol chose %v, want %d candidates", name, got.Chosen, p.K)
		} else if v := fcObjective(p, got.Chosen); math.Abs(v-want) > 1e-9*max(1, math.Abs(want)) {
			t.Errorf("%s: glpsol's choice %v earns %.12g under the first-choice rule, optimum %.12g (at %v)",
				name, got.Chosen, v, want, wantSet)
		}
	}
}

// fcOutDir returns the folder that the comparison writes its instances to,
// out/lineup-glpk (git-ignored), so that they can be tried afterwards:
// NAME.csv in lineup's matrix CSV, NAME.lp the model glpsol solved,
// NAME.log its log and NAME.sol its raw solution.
func fcOutDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("out", "lineup-glpk")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// fcTimeLimit is glpsol's time limit in seconds: TAILOR_BENCH_GLPK_TMLIM,
// default 600.
func fcTimeLimit(tb testing.TB) int {
	tb.Helper()
	s := os.Getenv("TAILOR_BENCH_GLPK_TMLIM")
	if s == "" {
		return 600
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		tb.Fatalf("TAILOR_BENCH_GLPK_TMLIM=%q: want a positive number of seconds", s)
	}
	return n
}

// fcGLPKOptions are further glpsol options from TAILOR_BENCH_GLPK_OPTS
// (e.g. "--cuts --fpump"), split at white space; none by default.
func fcGLPKOptions() []string { return strings.Fields(os.Getenv("TAILOR_BENCH_GLPK_OPTS")) }

// writeInstanceCSV writes p to dir/NAME.csv in lineup's matrix CSV.
func writeInstanceCSV(tb testing.TB, name string, p *lineup.Problem, dir string) string {
	tb.Helper()
	file := filepath.Join(dir, name+".csv")
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	if err := lineup.WriteMatrix(f, p); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return file
}

// solveGLPK runs glpsol on p and checks its answer, if it found one: the
// candidates it chose must number K and earn, under the first-choice rule,
// the objective it reports.
func solveGLPK(tb testing.TB, name string, p *lineup.Problem, dir string, tmlim int) *glpkResult {
	tb.Helper()
	res, err := runGLPK(tb.Context(), name, p, dir, tmlim, fcGLPKOptions()...)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	if !res.Found {
		return res
	}
	if len(res.Chosen) != p.K {
		tb.Fatalf("%s: glpsol chose %d candidates, want %d", name, len(res.Chosen), p.K)
	}
	if v := fcObjective(p, res.Chosen); math.Abs(v-res.Objective) > 1e-6*max(1, math.Abs(v)) {
		tb.Fatalf("%s: glpsol reports %.12g, its choice %v earns %.12g", name, res.Objective, res.Chosen, v)
	}
	return res
}

// BenchmarkGLPKFirstChoice solves every instance of fcInstances with
// glpsol alone (default options plus TAILOR_BENCH_GLPK_OPTS, time limit
// TAILOR_BENCH_GLPK_TMLIM seconds, default 600), and writes the instances to
// out/lineup-glpk. Metrics: glpk-s (wall clock of the process: reading the LP
// file, preprocessing, solving, writing the solution), glpk-cpu-s (its user
// and system time, which other jobs on the machine inflate less),
// glpk-own-s (glpsol's "Time used", the wall clock of the solve, 0.1 s
// resolution), optimal (1 when glpsol proved optimality), objective (the
// expected margin per customer of its best solution), gap-% (between that
// and its best bound), lp-gap-% (between it and the root LP relaxation),
// and the model's rows, columns and non-zeros. Where K is at most 3, it
// also checks glpsol's optimum against brute force.
func BenchmarkGLPKFirstChoice(b *testing.B) {
	requireGLPK(b)
	dir := fcOutDir(b)
	tmlim := fcTimeLimit(b)
	for _, params := range fcInstances() {
		name := params.Name()
		b.Run(name, func(b *testing.B) {
			p := lineupgen.Conjoint(params)
			writeInstanceCSV(b, name, p, dir)
			var res *glpkResult
			for b.Loop() {
				res = solveGLPK(b, name, p, dir, tmlim)
			}
			if res.Optimal && p.K <= 3 {
				// Small enough to enumerate: C(100, 3) is 161,700 subsets.
				want, at := lineupgen.BruteForce(p)
				if math.Abs(res.Objective-want) > 1e-6*want {
					b.Errorf("%s: glpsol's optimum %.9g, brute force %.9g at %v", name, res.Objective, want, at)
				}
			}
			reportGLPK(b, res)
			b.Logf("%s: %s (%s) in %.2f s wall, %.2f s CPU (glpsol: %.1f s, %.1f MB); objective %.6f, bound %.6f, root LP %.6f; chosen %v",
				name, res.outcome(), res.Status, res.Wall.Seconds(), res.CPU.Seconds(), res.Seconds, res.MemoryMB, res.Objective, res.Bound, res.LPBound, res.Chosen)
		})
	}
}

// reportGLPK reports the glpsol side's metrics.
func reportGLPK(b *testing.B, res *glpkResult) {
	optimal := 0.0
	if res.Optimal {
		optimal = 1
	}
	b.ReportMetric(res.Wall.Seconds(), "glpk-s")
	b.ReportMetric(res.CPU.Seconds(), "glpk-cpu-s")
	b.ReportMetric(res.Seconds, "glpk-own-s")
	b.ReportMetric(optimal, "optimal")
	if res.Found {
		b.ReportMetric(res.Objective, "objective")
		b.ReportMetric(100*res.gap(), "gap-%")
		b.ReportMetric(100*(res.LPBound-res.Objective)/res.LPBound, "lp-gap-%")
	}
	b.ReportMetric(float64(res.Model.rows), "rows")
	b.ReportMetric(float64(res.Model.cols), "cols")
	b.ReportMetric(float64(res.Model.nonzeros), "nonzeros")
}
