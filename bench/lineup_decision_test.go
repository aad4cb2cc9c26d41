package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// Decision quality end to end: does a lineup chosen from a fitted model
// earn nearly what the lineup chosen with the true tastes earns?
//
// For each seed: simulated people are drawn from the phone segments with
// known part-worths; 2,000 of them answer a choice-based conjoint survey
// (with errors, as people do); hierarchical Bayes is fitted to their
// answers; a lineup is chosen on the fitted respondents' part-worths, and
// another on the true part-worths of the market. Both are then valued
// under the truth: the market's true tastes, choosing by logit as the
// simulated people answer. The figure is the first's profit over the
// second's. The market is a fresh draw of people from the same segments,
// so the fitted lineup has to generalise from the respondents to the
// market, as a real one does.
//
//	go test -run '^$' -bench LineupDecision -benchtime 1x ./bench/
//
// LINEUP_DECISION_SEEDS sets the number of seeds (default 5).

// decisionSetup is the study every seed shares.
var decisionAttrs = []string{"size", "main", "storage", "battery", "refresh"}

const (
	decisionRespondents = 2000
	decisionMarket      = 5000
	decisionK           = 4
)

type decisionRun struct {
	seed                  uint64
	hitRate               float64
	fitted, truth         float64 // true profit of each lineup
	fittedSet, truthSet   []string
	fitSecs, solveSecs    float64
	candidates, customers int
}

func BenchmarkLineupDecision(b *testing.B) {
	seeds := 5
	if v := os.Getenv("LINEUP_DECISION_SEEDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("LINEUP_DECISION_SEEDS=%q: want a positive number", v)
		}
		seeds = n
	}
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	if diags.HasErrors() {
		b.Fatal(diags.Err())
	}
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		var runs []decisionRun
		for s := range seeds {
			r := decisionQuality(b, e, uint64(s+1))
			runs = append(runs, r)
			b.Logf("seed %d: %.2f%% of the true lineup's profit (hit rate %.3f, fit %.1f s, %d candidates)",
				r.seed, 100*r.fitted/r.truth, r.hitRate, r.fitSecs, r.candidates)
		}
		// The table and the lineups go to standard output: benchmark logs
		// are cut short.
		fmt.Println(decisionTable(runs))
		for _, r := range runs {
			fmt.Printf("seed %d, lineup from the fit:\n  %s\nseed %d, lineup from the truth:\n  %s\n",
				r.seed, strings.Join(r.fittedSet, "\n  "), r.seed, strings.Join(r.truthSet, "\n  "))
		}
		lo, sum := 2.0, 0.0
		for _, r := range runs {
			lo = min(lo, r.fitted/r.truth)
			sum += r.fitted / r.truth
		}
		b.ReportMetric(100*lo, "min%")
		b.ReportMetric(100*sum/float64(len(runs)), "mean%")
	}
}

// decisionQuality runs one seed.
func decisionQuality(b *testing.B, e *configurator.Engine, seed uint64) decisionRun {
	ctx := context.Background()
	run := decisionRun{seed: seed}
	spec := survey.Spec{Attributes: decisionAttrs, Price: survey.Price{Levels: []int64{49900, 64900, 79900, 94900, 109900}},
		Versions: 30, Tasks: 12, Concepts: 3, None: true, Holdouts: 2, Seed: seed}
	s, err := survey.Design(e, spec)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x64656369))
	respondents := population.Draw(e.Model(), population.PhoneSegments, decisionRespondents, rng)
	answers, err := survey.Simulate(s, respondents, seed, runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	d, err := s.Data(answers, false)
	if err != nil {
		b.Fatal(err)
	}
	holdout, err := s.Data(answers, true)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := choice.Fit(ctx, d, choice.FitOptions{Method: choice.HB, Iterations: 4000, Seed: seed})
	if err != nil {
		b.Fatal(err)
	}
	run.fitSecs = time.Since(start).Seconds()
	sum, err := s.Summarize(res, holdout)
	if err != nil {
		b.Fatal(err)
	}
	if sum.HitRate != nil {
		run.hitRate = *sum.HitRate
	}
	names, rows, err := res.Population(0, seed)
	if err != nil {
		b.Fatal(err)
	}
	fitted, err := s.Market(names, rows)
	if err != nil {
		b.Fatal(err)
	}
	// The market: fresh people from the same segments.
	people := population.Draw(e.Model(), population.PhoneSegments, decisionMarket, rand.New(rand.NewPCG(seed, 0x6d61726b)))
	truth := s.TrueMarket(people, population.PhoneSegments)

	choose := func(mk *market.Market) (*lineup.Products, []int) {
		pr, err := lineup.NewProducts(ctx, lineup.Spec{Engine: e, Market: mk, Prices: s.Prices, K: decisionK,
			Goal: lineup.Profit, Choice: market.Options{Rule: market.Logit, None: true}})
		if err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		sol, err := lineup.Solve(ctx, pr.Problem, lineup.Options{Seed: seed, Time: 20 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		run.solveSecs += time.Since(t).Seconds()
		return pr, sol.Chosen
	}
	_, fittedSet := choose(fitted)
	tp, truthSet := choose(truth)
	// The candidates are the same in both problems: the same phones at
	// the same prices, in the same order.
	run.fitted = tp.Problem.Objective(fittedSet)
	run.truth = tp.Problem.Objective(truthSet)
	run.candidates, run.customers = tp.Problem.Candidates, tp.Problem.Customers
	for _, j := range fittedSet {
		run.fittedSet = append(run.fittedSet, tp.Label(j))
	}
	for _, j := range truthSet {
		run.truthSet = append(run.truthSet, tp.Label(j))
	}
	return run
}

func decisionTable(runs []decisionRun) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-5s  %9s  %14s  %14s  %9s  %8s  %8s\n", "seed", "hit rate", "fitted lineup", "true lineup", "% of true", "fit s", "solve s")
	ratios := make([]float64, 0, len(runs))
	for _, r := range runs {
		ratio := r.fitted / r.truth
		ratios = append(ratios, ratio)
		fmt.Fprintf(&sb, "%-5d  %9.3f  %14.0f  %14.0f  %8.2f%%  %8.1f  %8.1f\n", r.seed, r.hitRate, r.fitted/100, r.truth/100, 100*ratio, r.fitSecs, r.solveSecs)
	}
	slices.Sort(ratios)
	mean := 0.0
	for _, x := range ratios {
		mean += x
	}
	mean /= float64(len(ratios))
	fmt.Fprintf(&sb, "min %.2f%%, mean %.2f%% of the true lineup's profit (goal: at least 95%%); profit in major units for a market of %d people\n",
		100*ratios[0], 100*mean, decisionMarket)
	return sb.String()
}
