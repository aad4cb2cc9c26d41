package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tailor-c2b/tailor/choice"
)

func (env *env) fit(args []string) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	data := fs.String("data", "", "the data `FILE` (delimited text with a header row; - reads standard input)")
	layout := fs.String("layout", "", "the data's layout, long or wide (default: the specification's)")
	specFile := fs.String("spec", "", "the utility specification `FILE` (docs/choice-models.md)")
	method := fs.String("method", "mnl", "the estimator: mnl (multinomial logit), mxl (mixed logit) or hb (hierarchical Bayes)")
	draws := fs.Int("draws", 0, "mxl: simulation draws per decision maker (default 500)")
	drawType := fs.String("draw-type", "halton", "mxl: halton, mlhs or pseudo")
	iterations := fs.Int("iterations", 0, "hb: MCMC iterations (default 10000); mnl, mxl: the optimiser's iteration limit")
	burnIn := fs.Int("burn-in", -1, "hb: iterations discarded before keeping draws (default half)")
	thin := fs.Int("thin", 1, "hb: keep every Nth draw after the burn-in")
	seed := fs.Uint64("seed", 1, "random seed for draws and sampling")
	workers := fs.Int("workers", 0, "goroutines to use (default: all cores)")
	asJSON := fs.Bool("json", false, "print the result as JSON (docs/choice-models.md)")
	wtp := fs.String("wtp", "", "report willingness to pay relative to the price `PARAM[:SCALE]` (SCALE: price units per unit of the variable, e.g. 100 for prices in hundreds)")
	quiet := fs.Bool("quiet", false, "do not report progress on standard error")
	holdout := fs.String("holdout", "", "a specification `FILE` selecting holdout tasks of the same data: report the share the fit predicts right")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("fit: unexpected argument %q", fs.Arg(0))
	}
	if *data == "" || *specFile == "" {
		return fmt.Errorf("fit: --data and --spec are required; see tailor help and docs/choice-models.md")
	}
	lay := choice.LayoutUnset
	if *layout != "" {
		l, err := choice.ParseLayout(*layout)
		if err != nil {
			return err
		}
		lay = l
	}
	src, err := os.ReadFile(*specFile)
	if err != nil {
		return err
	}
	spec, err := choice.ParseSpec(*specFile, src)
	if err != nil {
		return err
	}
	var in io.Reader = env.stdin
	name := "stdin"
	if *data != "-" {
		f, err := os.Open(*data)
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, *data
	}
	tab, err := choice.ReadTable(in, name)
	if err != nil {
		return err
	}
	d, err := choice.Compile(spec, tab, lay)
	if err != nil {
		return err
	}
	var hold *choice.Data
	if *holdout != "" {
		src, err := os.ReadFile(*holdout)
		if err != nil {
			return err
		}
		hs, err := choice.ParseSpec(*holdout, src)
		if err != nil {
			return err
		}
		if hold, err = choice.Compile(hs, tab, lay); err != nil {
			return err
		}
	}
	prog := newProgress(env.stderr, *quiet)
	if !*quiet {
		fmt.Fprintf(env.stderr, "%s: %d cases, %d decision makers, %d alternatives, %d parameters\n",
			name, d.Cases(), d.NumPanels(), len(d.Alternatives), d.K())
	}
	dt, ok := choice.ParseDrawType(*drawType)
	if !ok {
		return fmt.Errorf("fit: --draw-type %q: want halton, mlhs or pseudo", *drawType)
	}
	m, err := choice.ParseMethod(*method)
	if err != nil {
		return fmt.Errorf("fit: --method %q: want mnl, mxl or hb", *method)
	}
	if m == choice.MXL && len(d.Random) == 0 {
		return fmt.Errorf("fit: mixed logit needs random parameters: add lines such as `random b_time ~ normal` to %s", *specFile)
	}
	opts := choice.FitOptions{Method: m, Iterations: *iterations, Draws: *draws, DrawType: dt, Thin: *thin, Seed: *seed,
		Workers: *workers, Progress: func(p choice.FitProgress) { prog.report("%s", p) }}
	if m == choice.HB {
		if opts.Iterations == 0 {
			opts.Iterations = 10000
		}
		opts.BurnIn = *burnIn
		if opts.BurnIn < 0 {
			opts.BurnIn = opts.Iterations / 2
		}
	}
	res, err := choice.Fit(env.ctx, d, opts)
	prog.done()
	if err != nil {
		return err
	}
	var so choice.SummaryOptions
	if *wtp != "" {
		param, scaleText, _ := strings.Cut(*wtp, ":")
		so.Price, so.PriceScale = param, 1
		if scaleText != "" {
			if so.PriceScale, err = strconv.ParseFloat(scaleText, 64); err != nil {
				return fmt.Errorf("fit: --wtp %q: the scale after the colon must be a number", *wtp)
			}
		}
	}
	so.Holdout = hold
	out, err := choice.Summarize(res, so)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if err := res.Print(env.stdout); err != nil {
		return err
	}
	if out.HitRate != nil {
		fmt.Fprintf(env.stdout, "\nHoldout hit rate: %.1f%% of %d holdout tasks predicted right\n", 100**out.HitRate, hold.Cases())
	}
	if len(out.WTP) > 0 {
		fmt.Fprintf(env.stdout, "\nWillingness to pay (in units of %s):\n", *wtp)
		for _, w := range out.WTP {
			fmt.Fprintf(env.stdout, "  %-20s %12.4g  (s.e. %.4g)\n", w.Name, w.Value, w.SE)
		}
	}
	if len(out.Importances) > 0 {
		fmt.Fprintln(env.stdout, "\nAttribute importance:")
		for _, im := range out.Importances {
			fmt.Fprintf(env.stdout, "  %-20s %5.1f%%\n", im.Attribute, 100*im.Share)
		}
	}
	return nil
}

// progress writes a long job's progress to a terminal or log, at most a few
// times a second.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool
	last  time.Time
	start time.Time
	line  string
}

func newProgress(w io.Writer, quiet bool) *progress {
	return &progress{w: w, quiet: quiet, start: time.Now()}
}

func (p *progress) report(format string, args ...any) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.line = fmt.Sprintf(format, args...)
	if time.Since(p.last) < 250*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "  %6.1fs  %s\n", time.Since(p.start).Seconds(), p.line)
}

func (p *progress) done() {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line != "" {
		fmt.Fprintf(p.w, "  %6.1fs  %s (done)\n", time.Since(p.start).Seconds(), p.line)
	}
}
