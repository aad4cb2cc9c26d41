package bench

import (
	"bufio"
	"bytes"
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
)

// This file holds the GLPK half of the first-choice product-line comparison
// (README.md, "Product lines against GLPK"): an instance generator, the
// mixed-integer formulation of Bertsimas and Mišić written in CPLEX LP
// format, a glpsol runner, and a test that holds the formulation against
// brute force. lineup_vs_glpk_test.go puts package lineup beside it.

// fcInstance is a first-choice product-line instance in the matrix form of
// package lineup: customer types with weights, candidate variants with
// margins, every type's utility of every candidate and of not buying from
// us, and the number K of variants to offer.
type fcInstance struct {
	Name                  string
	Customers, Candidates int
	K                     int
	Weight                []float64 // per customer type (genFirstChoice makes them sum to 1)
	Utility               []float64 // Customers×Candidates, row-major
	None                  []float64 // per customer type
	Margin                []float64 // per candidate
	Labels                []string  // candidate names
}

// u returns customer i's utility of candidate j.
func (p *fcInstance) u(i, j int) float64 { return p.Utility[i*p.Candidates+j] }

// fcSpec names one benchmark instance: candidates × customer types, K.
type fcSpec struct {
	name                  string
	candidates, customers int
	k                     int
	seed                  uint64
}

func (s fcSpec) instance() *fcInstance {
	return genFirstChoice(s.name, s.candidates, s.customers, s.k, s.seed)
}

// fcSpecs are the instances of the comparison, smallest first.
var fcSpecs = []fcSpec{
	{"100x100-k3", 100, 100, 3, 1},
	{"100x100-k5", 100, 100, 5, 2},
	{"100x100-k10", 100, 100, 10, 3},
	{"300x100-k5", 300, 100, 5, 6},
	{"200x200-k5", 200, 200, 5, 4},
	{"500x100-k5", 500, 100, 5, 5},
}

// fcLevels are the level counts of the attributes that make up a generated
// candidate (think screen, memory, camera, battery, finish, 5G).
var fcLevels = []int{4, 4, 3, 3, 5, 2}

// genFirstChoice draws a first-choice instance the way conjoint studies
// produce them, in the spirit of the synthetic instances of Bertsimas and
// Mišić (2019) but from part-worths rather than uniform rankings:
//
//   - Each candidate is a random profile (one level per attribute of
//     fcLevels) with a cost, the base cost plus its levels' costs, and a
//     price, the cost times a random markup of 10 to 70 % rounded to a whole
//     unit; its margin is price minus cost.
//   - Each customer type has part-worths drawn around population means that
//     rise with the level (higher specifications are worth more on average,
//     not to everyone), a log-normal price sensitivity, and a weight (its
//     share of the market, exponential draws normalised to sum to 1).
//   - A type's utility of a candidate is the sum of its part-worths minus
//     price sensitivity times price, plus a normal idiosyncratic term.
//   - The no-purchase utility is the type's utility of a mid-range
//     competitor's phone, plus noise.
//
// Utilities are continuous, so ties occur with probability zero (the
// formulation handles ties anyway: see writeFirstChoiceLP). The same
// arguments give the same instance.
func genFirstChoice(name string, candidates, customers, k int, seed uint64) *fcInstance {
	r := rand.New(rand.NewPCG(seed, 0x6c696e6575700a))
	na := len(fcLevels)
	costs := make([][]float64, na)
	worth := make([][]float64, na)
	for a, levels := range fcLevels {
		costs[a] = make([]float64, levels)
		worth[a] = make([]float64, levels)
		step := 20 + 40*r.Float64()
		value := step / 100 * (0.8 + 0.8*r.Float64())
		for l := 1; l < levels; l++ {
			costs[a][l] = costs[a][l-1] + step*(0.7+0.6*r.Float64())
			worth[a][l] = worth[a][l-1] + value*(0.5+r.Float64())
		}
	}
	const baseCost = 150.0
	p := &fcInstance{
		Name: name, Customers: customers, Candidates: candidates, K: k,
		Weight:  make([]float64, customers),
		Utility: make([]float64, customers*candidates),
		None:    make([]float64, customers),
		Margin:  make([]float64, candidates),
		Labels:  make([]string, candidates),
	}
	profile := make([]int, candidates*na)
	price := make([]float64, candidates)
	for j := range candidates {
		cost := baseCost
		for a, levels := range fcLevels {
			l := r.IntN(levels)
			profile[j*na+a] = l
			cost += costs[a][l]
		}
		price[j] = math.Round(cost * (1.1 + 0.6*r.Float64()))
		p.Margin[j] = price[j] - cost
		p.Labels[j] = fmt.Sprintf("p%03d", j+1)
	}
	// The competitor: the middle level of every attribute at a 35 % markup.
	rivalCost := baseCost
	for a, levels := range fcLevels {
		rivalCost += costs[a][levels/2]
	}
	rivalPrice := math.Round(rivalCost * 1.35)

	beta := make([][]float64, na)
	for a, levels := range fcLevels {
		beta[a] = make([]float64, levels)
	}
	total := 0.0
	for i := range customers {
		for a, levels := range fcLevels {
			for l := 1; l < levels; l++ {
				beta[a][l] = worth[a][l] * (1 + 0.6*r.NormFloat64())
			}
		}
		alpha := 0.8 * math.Exp(0.4*r.NormFloat64()) // per 100 units of price
		for j := range candidates {
			v := -alpha * price[j] / 100
			for a := range na {
				v += beta[a][profile[j*na+a]]
			}
			p.Utility[i*candidates+j] = v + 0.3*r.NormFloat64()
		}
		v := -alpha * rivalPrice / 100
		for a, levels := range fcLevels {
			v += beta[a][levels/2]
		}
		p.None[i] = v + 0.5*r.NormFloat64()
		p.Weight[i] = -math.Log(1 - r.Float64())
		total += p.Weight[i]
	}
	for i := range p.Weight {
		p.Weight[i] /= total
	}
	return p
}

// fcObjective is the first-choice objective under the rule of package
// lineup: each customer type buys its most preferred chosen candidate if
// that beats not buying; the no-purchase option wins ties with candidates,
// and among tied candidates the lower index wins.
func fcObjective(p *fcInstance, chosen []int) float64 {
	c := slices.Clone(chosen)
	slices.Sort(c)
	total := 0.0
	for i := range p.Customers {
		best, pick := p.None[i], -1
		for _, j := range c {
			if u := p.u(i, j); u > best {
				best, pick = u, j
			}
		}
		if pick >= 0 {
			total += p.Weight[i] * p.Margin[pick]
		}
	}
	return total
}

// fcRanking returns customer i's consideration set: the candidates it
// prefers to not buying, best first, ties broken by the lower index, which
// is the order in which lineup's first-choice rule picks among them.
func fcRanking(p *fcInstance, i int) []int {
	var s []int
	for j := range p.Candidates {
		if p.u(i, j) > p.None[i] {
			s = append(s, j)
		}
	}
	slices.SortStableFunc(s, func(a, b int) int { return cmp.Compare(p.u(i, b), p.u(i, a)) })
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
func writeFirstChoiceLP(w io.Writer, p *fcInstance) (*fcModel, error) {
	lw := &lpWriter{w: bufio.NewWriterSize(w, 1<<20), col: map[string]int{}}
	m := &fcModel{xCol: make([]int, p.Candidates)}
	fmt.Fprintf(lw.w, "\\ first-choice product line %s: %d candidates, %d customer types, K = %d\n",
		p.Name, p.Candidates, p.Customers, p.K)
	fmt.Fprintf(lw.w, "\\ Bertsimas and Misic (2019) formulation, written by tailor bench\nMaximize\n obj:")
	rankings := make([][]int, p.Customers)
	y := func(i, j int) string { return "y" + strconv.Itoa(i) + "_" + strconv.Itoa(j) }
	x := func(j int) string { return "x" + strconv.Itoa(j) }
	none := func(i int) string { return "n" + strconv.Itoa(i) }
	empty := true
	for i := range p.Customers {
		rankings[i] = fcRanking(p, i)
		for _, j := range rankings[i] {
			if c := p.Weight[i] * p.Margin[j]; c != 0 {
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
func runGLPK(ctx context.Context, p *fcInstance, dir string, tmlim int, extra ...string) (*glpkResult, error) {
	lp := filepath.Join(dir, p.Name+".lp")
	raw := filepath.Join(dir, p.Name+".sol")
	f, err := os.Create(lp)
	if err != nil {
		return nil, err
	}
	model, err := writeFirstChoiceLP(f, p)
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
	if err := os.WriteFile(filepath.Join(dir, p.Name+".log"), out, 0o644); err != nil {
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

// writeMatrixCSV writes p in package lineup's matrix CSV: a header
// "customer,weight,none,<candidate names>", a row "margin,,,<margins>",
// then one row per customer type: its id, weight, no-purchase utility and
// utilities of the candidates.
func writeMatrixCSV(w io.Writer, p *fcInstance) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString("customer,weight,none")
	for _, l := range p.Labels {
		bw.WriteString(",")
		bw.WriteString(l)
	}
	bw.WriteString("\nmargin,,")
	var b []byte
	for _, m := range p.Margin {
		b = strconv.AppendFloat(append(b[:0], ','), m, 'g', -1, 64)
		bw.Write(b)
	}
	bw.WriteString("\n")
	for i := range p.Customers {
		b = append(b[:0], 't')
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, p.Weight[i], 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, p.None[i], 'g', -1, 64)
		for j := range p.Candidates {
			b = append(b, ',')
			b = strconv.AppendFloat(b, p.u(i, j), 'g', -1, 64)
		}
		b = append(b, '\n')
		bw.Write(b)
	}
	return bw.Flush()
}

// requireGLPK skips tb unless glpsol is on PATH.
func requireGLPK(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("glpsol"); err != nil {
		tb.Skip("glpsol is not on PATH (Debian: apt-get install glpk-utils)")
	}
}

// fcBruteForce returns the best objective over all K-subsets of p's
// candidates, and one subset that reaches it.
func fcBruteForce(p *fcInstance) (float64, []int) {
	best, bestSet := math.Inf(-1), []int(nil)
	set := make([]int, p.K)
	var rec func(pos, from int)
	rec = func(pos, from int) {
		if pos == p.K {
			if v := fcObjective(p, set); v > best {
				best, bestSet = v, slices.Clone(set)
			}
			return
		}
		for j := from; j <= p.Candidates-(p.K-pos); j++ {
			set[pos] = j
			rec(pos+1, j+1)
		}
	}
	rec(0, 0)
	return best, bestSet
}

// tinyFirstChoice draws a small instance for the brute-force check. With
// ties, utilities are small integers, so that candidates tie with each
// other and with not buying, and the tie rule decides; without, they come
// from genFirstChoice.
func tinyFirstChoice(r *rand.Rand, id int, ties bool) *fcInstance {
	n := 1 + r.IntN(8)
	m := 1 + r.IntN(10)
	k := 1 + r.IntN(min(3, n))
	if !ties {
		return genFirstChoice(fmt.Sprintf("tiny%d", id), n, m, k, r.Uint64())
	}
	p := &fcInstance{
		Name: fmt.Sprintf("tie%d", id), Customers: m, Candidates: n, K: k,
		Weight: make([]float64, m), Utility: make([]float64, m*n), None: make([]float64, m),
		Margin: make([]float64, n), Labels: make([]string, n),
	}
	for j := range n {
		p.Margin[j] = float64(1 + r.IntN(9)) // ties in margin too
		p.Labels[j] = fmt.Sprintf("p%d", j+1)
	}
	for i := range m {
		p.Weight[i] = float64(1+r.IntN(5)) / 4
		p.None[i] = float64(r.IntN(4))
		for j := range n {
			p.Utility[i*n+j] = float64(r.IntN(5))
		}
	}
	return p
}

// TestGLPKFirstChoiceMatchesBruteForce checks the mixed-integer program
// that the GLPK benchmark solves, independently of package lineup: on
// small random instances, glpsol's optimum equals the best first-choice
// objective over all K-subsets, and the subset glpsol chose earns that
// optimum under lineup's choice rule. Half the instances have continuous
// utilities (no ties), half small integer utilities with many ties, which
// the formulation settles as lineup does (not buying wins ties; among
// candidates the lower index wins).
func TestGLPKFirstChoiceMatchesBruteForce(t *testing.T) {
	requireGLPK(t)
	r := rand.New(rand.NewPCG(7, 11))
	dir := t.TempDir()
	for id := range 120 {
		p := tinyFirstChoice(r, id, id%2 == 1)
		want, wantSet := fcBruteForce(p)
		got, err := runGLPK(t.Context(), p, dir, 60)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if !got.Optimal {
			t.Fatalf("%s: glpsol did not prove optimality: %s\n%s", p.Name, got.Status, got.Log)
		}
		tol := 1e-9 * max(1, math.Abs(want))
		if math.Abs(got.Objective-want) > 1e-6*max(1, math.Abs(want)) {
			t.Errorf("%s (%d candidates, %d types, K=%d): glpsol optimum %.12g, brute force %.12g (at %v)",
				p.Name, p.Candidates, p.Customers, p.K, got.Objective, want, wantSet)
		}
		if len(got.Chosen) != p.K {
			t.Errorf("%s: glpsol chose %v, want %d candidates", p.Name, got.Chosen, p.K)
		} else if v := fcObjective(p, got.Chosen); math.Abs(v-want) > tol {
			t.Errorf("%s: glpsol's choice %v earns %.12g under the first-choice rule, optimum %.12g (at %v)",
				p.Name, got.Chosen, v, want, wantSet)
		}
	}
}

// TestGenFirstChoice checks the generator: the same seed gives the same
// instance, a different seed another; there are no ties within a customer
// type's options; weights sum to 1; margins are positive; and each type
// considers a sensible share of the candidates.
func TestGenFirstChoice(t *testing.T) {
	for _, s := range fcSpecs {
		t.Run(s.name, func(t *testing.T) {
			p := s.instance()
			q := s.instance()
			if !slices.Equal(p.Utility, q.Utility) || !slices.Equal(p.None, q.None) ||
				!slices.Equal(p.Margin, q.Margin) || !slices.Equal(p.Weight, q.Weight) {
				t.Fatal("two draws with the same seed differ")
			}
			other := genFirstChoice(s.name, s.candidates, s.customers, s.k, s.seed+100)
			if slices.Equal(p.Utility, other.Utility) {
				t.Error("different seeds gave the same utilities")
			}
			sum := 0.0
			for _, w := range p.Weight {
				if w <= 0 {
					t.Fatalf("weight %g", w)
				}
				sum += w
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Errorf("weights sum to %g", sum)
			}
			for j, m := range p.Margin {
				if m <= 0 {
					t.Errorf("candidate %d: margin %g", j, m)
				}
			}
			considered := 0
			for i := range p.Customers {
				row := append(slices.Clone(p.Utility[i*p.Candidates:(i+1)*p.Candidates]), p.None[i])
				slices.Sort(row)
				if len(slices.Compact(row)) != p.Candidates+1 {
					t.Fatalf("customer %d has tied options", i)
				}
				considered += len(fcRanking(p, i))
			}
			share := float64(considered) / float64(p.Customers*p.Candidates)
			t.Logf("candidates preferred to not buying: %.1f %%", 100*share)
			if share < 0.05 || share > 0.6 {
				t.Errorf("types prefer %.1f %% of candidates to not buying, want 5 to 60 %%", 100*share)
			}
		})
	}
}

// TestWriteMatrixCSV checks the matrix CSV on a two-by-two instance.
func TestWriteMatrixCSV(t *testing.T) {
	p := &fcInstance{
		Customers: 2, Candidates: 2, K: 1,
		Weight: []float64{0.25, 0.75}, Utility: []float64{1.5, -2, 0.125, 3},
		None: []float64{0, -1e-3}, Margin: []float64{120, 80.5}, Labels: []string{"a", "b"},
	}
	var buf bytes.Buffer
	if err := writeMatrixCSV(&buf, p); err != nil {
		t.Fatal(err)
	}
	want := "customer,weight,none,a,b\nmargin,,,120,80.5\nt1,0.25,0,1.5,-2\nt2,0.75,-0.001,0.125,3\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
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
func writeInstanceCSV(tb testing.TB, p *fcInstance, dir string) string {
	tb.Helper()
	file := filepath.Join(dir, p.Name+".csv")
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	if err := writeMatrixCSV(f, p); err != nil {
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
func solveGLPK(tb testing.TB, p *fcInstance, dir string, tmlim int) *glpkResult {
	tb.Helper()
	res, err := runGLPK(tb.Context(), p, dir, tmlim, fcGLPKOptions()...)
	if err != nil {
		tb.Fatalf("%s: %v", p.Name, err)
	}
	if !res.Found {
		return res
	}
	if len(res.Chosen) != p.K {
		tb.Fatalf("%s: glpsol chose %d candidates, want %d", p.Name, len(res.Chosen), p.K)
	}
	if v := fcObjective(p, res.Chosen); math.Abs(v-res.Objective) > 1e-6*max(1, math.Abs(v)) {
		tb.Fatalf("%s: glpsol reports %.12g, its choice %v earns %.12g", p.Name, res.Objective, res.Chosen, v)
	}
	return res
}

// BenchmarkGLPKFirstChoice solves every instance of fcSpecs with glpsol
// alone (default options plus TAILOR_BENCH_GLPK_OPTS, time limit
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
	for _, s := range fcSpecs {
		b.Run(s.name, func(b *testing.B) {
			p := s.instance()
			writeInstanceCSV(b, p, dir)
			var res *glpkResult
			for b.Loop() {
				res = solveGLPK(b, p, dir, tmlim)
			}
			if res.Optimal && p.K <= 3 {
				// Small enough to enumerate: C(100, 3) is 161,700 subsets.
				want, at := fcBruteForce(p)
				if math.Abs(res.Objective-want) > 1e-6*want {
					b.Errorf("%s: glpsol's optimum %.9g, brute force %.9g at %v", p.Name, res.Objective, want, at)
				}
			}
			reportGLPK(b, res)
			b.Logf("%s: %s (%s) in %.2f s wall, %.2f s CPU (glpsol: %.1f s, %.1f MB); objective %.6f, bound %.6f, root LP %.6f; chosen %v",
				p.Name, res.outcome(), res.Status, res.Wall.Seconds(), res.CPU.Seconds(), res.Seconds, res.MemoryMB, res.Objective, res.Bound, res.LPBound, res.Chosen)
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
