package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/survey"
)

// productFlags are the flags of tailor lineup's product mode.
type productFlags struct {
	model, prefs, survey, competitors string
	market                            string
	goal, prices, each, must          string
	vary                              listFlag
	minMargin                         string
	minRate                           float64
	ladder, noNone                    bool
	maxParts, people, draws           int
	marketSize                        float64
}

func (pf *productFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&pf.model, "model", "", "product mode: the product model `FILE` (default: the embedded phone model)")
	fs.StringVar(&pf.prefs, "prefs", "", "product mode: the fitted model `FILE` (JSON from tailor fit --json on the survey's answers)")
	fs.StringVar(&pf.survey, "survey", "", "product mode: the designed survey `FILE` the fit is of (JSON from tailor survey design -o)")
	fs.StringVar(&pf.market, "market", "", "product mode: the people's part-worths as a market `FILE` (JSON, as tailor population --truth writes it; segments with weights work too), instead of --prefs and --survey")
	fs.StringVar(&pf.goal, "goal", "profit", "product mode: profit, revenue, units or share")
	fs.StringVar(&pf.prices, "prices", "", "product mode: the price grid in major units, `LIST` (499,599,699) or MIN:MAX:STEP (default: the survey's prices)")
	fs.Var(&pf.vary, "vary", "product mode: also vary model `ATTRIBUTE`s no one was asked about (repeat or comma-separate)")
	fs.StringVar(&pf.each, "each", "", "product mode: at least one variant per level of `ATTRIBUTE` (for example os)")
	fs.StringVar(&pf.must, "must", "", "product mode: required variants, `attr=level,...@price;...` with every varied attribute")
	fs.StringVar(&pf.minMargin, "min-margin", "0", "product mode: each variant's price less its cost at least this, in major units")
	fs.Float64Var(&pf.minRate, "min-margin-rate", 0, "product mode: each variant's margin at least this fraction of its price (0.3 for 30%)")
	fs.BoolVar(&pf.ladder, "ladder", false, "product mode: a variant that costs more to build sells for more")
	fs.IntVar(&pf.maxParts, "max-parts", 0, "product mode: at most this many distinct part numbers across the lineup (0: no limit)")
	fs.StringVar(&pf.competitors, "competitors", "", "product mode: other makers' phones, `FILE` in tailor simulate's --products format")
	fs.BoolVar(&pf.noNone, "no-none", false, "product mode: people cannot buy nothing (only ours or a competitor's)")
	fs.IntVar(&pf.people, "people", 2000, "product mode, mixed logit fits: people drawn from the estimated distributions")
	fs.IntVar(&pf.draws, "draws", 10, "product mode, rfc: draws per person")
	fs.Float64Var(&pf.marketSize, "market-size", 0, "product mode: buyers the market stands for, for units (default: the people)")
}

// lineupProducts is tailor lineup in product mode.
func (env *env) lineupProducts(pf *productFlags, k int, rule string, scale float64, opts lineup.Options, asJSON bool, prog *progress) error {
	if k <= 0 {
		return fmt.Errorf("lineup: --k is required")
	}
	mk, s, err := pf.readMarket(opts.Seed)
	if err != nil {
		return err
	}
	e, err := env.compile(pf.model)
	if err != nil {
		return err
	}
	r, err := market.ParseRule(rule)
	if err != nil {
		return err
	}
	goal, err := lineup.ParseGoal(pf.goal)
	if err != nil {
		return err
	}
	var prices []int64
	none, currency := true, ""
	if s != nil {
		prices, none, currency = s.Prices, s.Spec.None, s.Currency
	}
	if pf.prices != "" {
		if prices, err = parsePriceGrid(pf.prices); err != nil {
			return err
		}
	}
	if len(prices) == 0 {
		return fmt.Errorf("lineup: give the price grid with --prices (the survey shows no price, or there is no survey)")
	}
	minMargin, err := majorToMinor(pf.minMargin)
	if err != nil {
		return fmt.Errorf("lineup: --min-margin: %w", err)
	}
	spec := lineup.Spec{Engine: e, Market: mk, Prices: prices, Vary: pf.vary, Goal: goal, K: k,
		Choice:    market.Options{Rule: r, Scale: scale, None: !pf.noNone && none, Draws: pf.draws, Seed: opts.Seed},
		MinMargin: minMargin, MinMarginRate: pf.minRate, Ladder: pf.ladder, MaxParts: pf.maxParts, EachOf: pf.each,
		MarketSize: pf.marketSize}
	if pf.must != "" {
		if spec.Must, err = parseFixed(pf.must); err != nil {
			return err
		}
	}
	if pf.competitors != "" {
		if spec.Competitors, err = readProducts(pf.competitors, mk); err != nil {
			return err
		}
	}
	start := time.Now()
	spec.Progress = func(frac float64) {
		if time.Since(start) > 2*time.Second {
			prog.report("building %3.0f%%", 100*frac)
		}
	}
	pr, sol, err := lineup.Choose(env.ctx, spec, opts)
	prog.done()
	if err != nil {
		return err
	}
	rep := pr.Report(sol.Chosen)
	if asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*lineup.Solution
			Phones     int            `json:"phones"`
			Candidates int            `json:"candidates"`
			People     int            `json:"people"`
			Report     *lineup.Report `json:"lineup"`
		}{sol, len(pr.Phones), pr.Problem.Candidates, pr.People, rep})
	}
	return printProductLineup(env.stdout, pr, sol, rep, currency)
}

// readMarket reads the people of product mode: a fit of a survey, or a
// market file. The survey is nil for a market file.
func (pf *productFlags) readMarket(seed uint64) (*market.Market, *survey.Survey, error) {
	if pf.market != "" {
		if pf.prefs != "" || pf.survey != "" {
			return nil, nil, fmt.Errorf("lineup: give --market, or --prefs with --survey, not both")
		}
		var mk market.Market
		if err := readJSONFile(pf.market, &mk); err != nil {
			return nil, nil, err
		}
		return &mk, nil, nil
	}
	if pf.survey == "" {
		return nil, nil, fmt.Errorf("lineup: --prefs needs --survey, the designed survey the fit is of")
	}
	var s survey.Survey
	if err := readJSONFile(pf.survey, &s); err != nil {
		return nil, nil, err
	}
	var fit choice.Summary
	if err := readJSONFile(pf.prefs, &fit); err != nil {
		return nil, nil, err
	}
	if fit.Result == nil {
		return nil, nil, fmt.Errorf("lineup: %s holds no estimates (expected the output of tailor fit --json)", pf.prefs)
	}
	names, rows, err := fit.Result.Population(pf.people, seed)
	if err != nil {
		return nil, nil, err
	}
	mk, err := s.Market(names, rows)
	if err != nil {
		return nil, nil, err
	}
	return mk, &s, nil
}

// printProductLineup writes a product-mode lineup as a report.
func printProductLineup(w io.Writer, pr *lineup.Products, sol *lineup.Solution, rep *lineup.Report, currency string) error {
	p := pr.Problem
	status := "not proven optimal"
	if sol.Proven {
		status = "proven optimal"
	}
	if sol.Method == lineup.Levels {
		fmt.Fprintf(w, "%d variants, searched over attribute levels (too many phones to list) at %d prices, for %d people, %s rule, goal %s\n",
			p.K, len(pr.Spec.Prices), pr.People, pr.Spec.Choice.Rule, rep.Goal)
	} else {
		fmt.Fprintf(w, "%d variants from %d phones at %d prices (%d candidates) for %d people, %s rule, goal %s\n",
			p.K, len(pr.Phones), len(pr.Spec.Prices), p.Candidates, pr.People, pr.Spec.Choice.Rule, rep.Goal)
	}
	fmt.Fprintf(w, "method     %s, %s\n", sol.Method, status)
	fmt.Fprintf(w, "bound      gap %.3g%%\n", 100*sol.Gap)
	fmt.Fprintf(w, "seconds    %.3f\n\n", sol.Seconds)
	cur := strings.TrimSpace(currency + " ")
	if cur != "" {
		cur += " "
	}
	fmt.Fprintf(w, "%-5s  %10s  %10s  %7s  %12s  %14s  %14s\n", "", "price", "cost", "share", "units", "revenue", "profit")
	for v, x := range rep.Variants {
		fmt.Fprintf(w, "%-5s  %10s  %10s  %6.1f%%  %12.0f  %14s  %14s\n", fmt.Sprintf("#%d", v+1), major(float64(x.Price)), major(float64(x.Cost)),
			100*x.Share, x.Units, major(x.Revenue), major(x.Profit))
	}
	fmt.Fprintf(w, "%-5s  %10s  %10s  %6.1f%%  %12.0f  %14s  %14s\n\n", "total", "", "", 100*rep.Share, rep.Units, major(rep.Revenue), major(rep.Profit))
	for v, x := range rep.Variants {
		fmt.Fprintf(w, "#%d  %s\n", v+1, x.Name)
	}
	fmt.Fprintf(w, "\nAmounts in %smajor units. Distinct parts: %d.\n", cur, rep.PartsUsed)
	if len(rep.Variants) > 1 {
		fmt.Fprintf(w, "\nCannibalisation: units each variant (row) takes from the others (columns); new: units it adds\n")
		fmt.Fprintf(w, "%-4s", "")
		for c := range rep.Variants {
			fmt.Fprintf(w, "  %10s", fmt.Sprintf("#%d", c+1))
		}
		fmt.Fprintf(w, "  %10s\n", "new")
		for v, row := range rep.Cannibal {
			fmt.Fprintf(w, "%-4s", fmt.Sprintf("#%d", v+1))
			for c, x := range row {
				if c == v {
					fmt.Fprintf(w, "  %10s", "-")
					continue
				}
				fmt.Fprintf(w, "  %10.0f", x)
			}
			fmt.Fprintf(w, "  %10.0f\n", rep.Variants[v].Incremental)
		}
	}
	return nil
}

// major writes minor units as major units with two decimals and thousands
// separators.
func major(minor float64) string {
	s := strconv.FormatFloat(minor/100, 'f', 2, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if neg {
		whole = "-" + whole
	}
	return whole + "." + frac
}

// parsePriceGrid reads a price grid in major units: a comma-separated list
// or MIN:MAX:STEP.
func parsePriceGrid(s string) ([]int64, error) {
	if parts := strings.Split(s, ":"); len(parts) == 3 {
		lo, err1 := majorToMinor(parts[0])
		hi, err2 := majorToMinor(parts[1])
		step, err3 := majorToMinor(parts[2])
		if err1 != nil || err2 != nil || err3 != nil || step <= 0 || hi < lo || (hi-lo)/step > 1000 {
			return nil, fmt.Errorf("lineup: --prices %q: want MIN:MAX:STEP with MIN <= MAX, a positive STEP and at most 1,000 steps", s)
		}
		var out []int64
		for p := lo; p <= hi; p += step {
			out = append(out, p)
		}
		return out, nil
	}
	var out []int64
	for _, f := range strings.Split(s, ",") {
		p, err := majorToMinor(f)
		if err != nil {
			return nil, fmt.Errorf("lineup: --prices: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseFixed reads required variants: "attr=level,...@price" separated by
// semicolons, the price in major units.
func parseFixed(s string) ([]lineup.Fixed, error) {
	var out []lineup.Fixed
	for _, v := range strings.Split(s, ";") {
		levels, price, ok := strings.Cut(strings.TrimSpace(v), "@")
		if !ok {
			return nil, fmt.Errorf("lineup: --must %q: want attr=level,...@price", v)
		}
		p, err := majorToMinor(price)
		if err != nil {
			return nil, fmt.Errorf("lineup: --must %q: %w", v, err)
		}
		f := lineup.Fixed{Levels: map[string]string{}, Price: p}
		for _, kv := range strings.Split(levels, ",") {
			a, l, ok := strings.Cut(strings.TrimSpace(kv), "=")
			if !ok {
				return nil, fmt.Errorf("lineup: --must %q: %q is not attr=level", v, kv)
			}
			f.Levels[a] = l
		}
		out = append(out, f)
	}
	return out, nil
}
