package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/lineup"
)

// lineupCmd chooses the variants to offer from a matrix file
// (docs/lineup.md).
func (env *env) lineupCmd(args []string) error {
	fs := flag.NewFlagSet("lineup", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	matrix := fs.String("matrix", "", "the problem `FILE`: a matrix CSV file or the problem as JSON (docs/lineup.md); - reads standard input")
	k := fs.Int("k", 0, "the number of variants to choose (required unless the JSON gives it)")
	rule := fs.String("rule", "first-choice", "how customers choose: first-choice or logit (product mode also rfc, randomised first choice)")
	scale := fs.Float64("scale", 0, "logit: the scale utilities are multiplied by (default 1)")
	var pf productFlags
	pf.register(fs)
	method := fs.String("method", "auto", "auto, exact, greedy, swap or anneal")
	seed := fs.Uint64("seed", 1, "random seed for annealing")
	limit := fs.Duration("time", 30*time.Second, "time limit for exact search and annealing (0: none for exact, an iteration budget for annealing)")
	workers := fs.Int("workers", 0, "goroutines to use (default: all cores)")
	asJSON := fs.Bool("json", false, "print the solution as JSON")
	quiet := fs.Bool("quiet", false, "do not report progress on standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("lineup: unexpected argument %q", fs.Arg(0))
	}
	product := pf.prefs != "" || pf.market != ""
	if (*matrix == "") == !product {
		return fmt.Errorf("lineup: give --matrix FILE, or for product mode --prefs FIT.json with --survey SURVEY.json, or --market FILE; see docs/lineup.md")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	m, err := lineup.ParseMethod(*method)
	if err != nil {
		return err
	}
	prog := newProgress(env.stderr, *quiet)
	start := time.Now()
	opts := lineup.Options{Method: m, Seed: *seed, Workers: *workers, Time: *limit,
		Progress: func(frac, best float64) {
			if time.Since(start) > 2*time.Second {
				prog.report("%3.0f%%  best %.6g", 100*frac, best)
			}
		}}
	if product {
		return env.lineupProducts(&pf, *k, *rule, *scale, opts, *asJSON, prog)
	}
	p, err := env.readLineupProblem(*matrix)
	if err != nil {
		return err
	}
	if set["k"] || p.K == 0 {
		p.K = *k
	}
	if set["rule"] || p.Rule == lineup.FirstChoice {
		if p.Rule, err = lineup.ParseRule(*rule); err != nil {
			return err
		}
	}
	if set["scale"] {
		p.Scale = *scale
	}
	if p.K == 0 {
		return fmt.Errorf("lineup: --k is required")
	}
	sol, err := lineup.Solve(env.ctx, p, opts)
	prog.done()
	if err != nil {
		return err
	}
	buyers, none := p.Shares(sol.Chosen)
	labels := make([]string, len(sol.Chosen))
	for c, j := range sol.Chosen {
		labels[c] = p.Label(j)
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*lineup.Solution
			Labels     []string  `json:"labels"`
			Buyers     []float64 `json:"buyers"`      // weighted customers who buy each chosen candidate
			NoPurchase float64   `json:"no_purchase"` // weighted customers who buy none
		}{sol, labels, buyers, none})
	}
	out := env.stdout
	status := "not proven optimal"
	switch {
	case sol.Proven:
		status = "proven optimal"
	case sol.Gap < 1e-9:
		status = "optimal within rounding"
	}
	fmt.Fprintf(out, "%d of %d candidates for %d customers, %s rule\n", p.K, p.Candidates, p.Customers, p.Rule)
	fmt.Fprintf(out, "method     %s", sol.Method)
	if sol.Nodes > 0 {
		fmt.Fprintf(out, " (%d nodes)", sol.Nodes)
	}
	fmt.Fprintf(out, ", %s\n", status)
	fmt.Fprintf(out, "objective  %.6g\n", sol.Objective)
	fmt.Fprintf(out, "bound      %.6g (gap %.3g%%)\n", sol.Bound, 100*sol.Gap)
	fmt.Fprintf(out, "seconds    %.3f\n\n", sol.Seconds)
	width := len("no purchase")
	for _, l := range labels {
		width = max(width, len(l))
	}
	fmt.Fprintf(out, "%-*s  %10s  %10s  %10s\n", width, "candidate", "margin", "buyers", "earns")
	for c, j := range sol.Chosen {
		fmt.Fprintf(out, "%-*s  %10.6g  %10.6g  %10.6g\n", width, labels[c], p.Margin[j], buyers[c], buyers[c]*p.Margin[j])
	}
	_, err = fmt.Fprintf(out, "%-*s  %10s  %10.6g\n", width, "no purchase", "", none)
	return err
}

// readLineupProblem reads a matrix CSV file, or JSON when the file starts
// with "{".
func (env *env) readLineupProblem(path string) (*lineup.Problem, error) {
	var r io.Reader = env.stdin
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, name = f, path
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(512)
	if bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\ufeff"), []byte("{")) || strings.HasSuffix(path, ".json") {
		return lineup.ReadJSON(br, name)
	}
	return lineup.ReadMatrix(br, name)
}
