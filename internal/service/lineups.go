package service

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/suggest"
)

// LineupKind is the job kind of lineup optimisations in the market of a
// model fit; RunLineup runs them.
const LineupKind = "lineup"

// LineupInput is what a lineup optimisation is asked to do: the input of a
// lineup job. SubmitLineup stores it with the defaults filled in, so that
// a job shows what it ran. Money is in minor units of the survey's
// currency.
type LineupInput struct {
	FitID string `json:"fit_id"`
	// Goal is what the lineup maximises: profit (the default), revenue or
	// units.
	Goal lineup.Goal `json:"goal"`
	// K is the number of variants to choose, 1 to MaxLineupK.
	K int `json:"k"`
	// Rule is how people choose: logit (the default), first choice, or
	// randomised first choice with the simulator's errors and
	// lineupDraws draws per person.
	Rule market.Rule `json:"rule"`
	// Method is the solver's method; auto by default.
	Method lineup.Method `json:"method"`
	// Seconds limits the search, DefaultLineupSeconds by default.
	Seconds int `json:"seconds"`
	// Prices is the price grid, ascending; the survey's prices when empty.
	Prices []int64 `json:"prices"`
	// EachOf names a model attribute of which every level gets a variant
	// ("os": one variant per operating system at least); "" for none.
	EachOf string `json:"each_of,omitempty"`
	// Ladder asks that a variant that costs more to build sells for more.
	Ladder bool `json:"ladder,omitempty"`
	// MinMargin and MinMarginRate bound every variant's price less its
	// cost: at least MinMargin, and at least MinMarginRate of its price.
	MinMargin     int64   `json:"min_margin,omitempty"`
	MinMarginRate float64 `json:"min_margin_rate,omitempty"`
	// MaxParts bounds the distinct part numbers of the lineup; 0 for no
	// limit.
	MaxParts int `json:"max_parts,omitempty"`
	// Must are variants the lineup must hold: a level of every varied
	// attribute (the survey's, and EachOf) and a price.
	Must []lineup.Fixed `json:"must,omitempty"`
	// Competitors are other makers' phones people may buy instead: a
	// level name for each survey attribute they specify and a price in
	// minor units (at most MaxScenarioProducts).
	Competitors []Competitor `json:"competitors,omitempty"`
	// MarketSize is the number of buyers the fit's people stand for, for
	// units, revenue and profit; 0 for as many as the people.
	MarketSize float64 `json:"market_size,omitempty"`
	// Seed fixes annealing's and randomised first choice's draws.
	Seed uint64 `json:"seed"`
}

// Competitor is another maker's phone in a lineup's market.
type Competitor struct {
	Name   string            `json:"name"`
	Levels map[string]string `json:"levels"`
	Price  int64             `json:"price"`
}

// Bounds and defaults of a lineup's settings. When lineup.Choose lists the
// phones, the matrix of utilities holds a number per candidate (a phone at
// a price) and person: the demo's fit, 3,000 respondents, with the
// survey's six attributes, the operating system and five prices, has
// about 22,000 candidates and 66 million utilities (530 MB). Beyond 2×10⁸
// it searches over levels instead, except for randomised first choice,
// which needs the matrix (a row per person and draw): MaxLineupCells keeps
// that within about 1.6 GB.
const (
	MaxLineupK           = 12
	DefaultLineupSeconds = 20
	MaxLineupSeconds     = 600
	MaxLineupPrices      = 40
	MaxLineupCells       = 200_000_000
	// lineupDraws is randomised first choice's draws per person.
	lineupDraws = 10
	// lineupFitQueueWait is how long a lineup waits for its fit to leave
	// the queue (see awaitFit).
	lineupFitQueueWait = 10 * time.Minute
)

// LineupOutput is a lineup job's output: what it was asked (with the
// defaults filled in), the solver's figures and the lineup's report. The
// objective and bound are in the report's units: units, or minor units of
// revenue or profit, in a market of MarketSize buyers.
type LineupOutput struct {
	Input      LineupInput   `json:"input"`
	SurveyID   string        `json:"survey_id"`
	SurveyName string        `json:"survey_name"`
	FitMethod  choice.Method `json:"fit_method"`
	// ModelID is the product model version the variants are configured
	// on; Model names it.
	ModelID  string `json:"model_id"`
	Model    string `json:"model"`
	Currency string `json:"currency,omitempty"`

	Method    lineup.Method `json:"method"`
	Objective float64       `json:"objective"`
	// Bound is an upper bound on the best objective and Gap how far the
	// objective may be from it, (bound - objective)/|bound|; both nil
	// when the solver knows no bound.
	Bound  *float64 `json:"bound"`
	Gap    *float64 `json:"gap"`
	Proven bool     `json:"proven"`
	Nodes  int      `json:"nodes,omitempty"`
	// Seconds is the solver's time, BuildSeconds the time it took to
	// list the candidates and compute their utilities (0 when it searched
	// over levels).
	Seconds      float64 `json:"seconds"`
	BuildSeconds float64 `json:"build_seconds"`
	// People is the fit's people and Customers the customers of the
	// problem (people times draws for randomised first choice). When the
	// phones were listed (every method but lineup.Levels, the search over
	// attribute levels that lineup.Choose runs when there are too many),
	// Phones is the valid phones the market tells apart and Candidates
	// those phones at the prices that meet the margins; both are 0 after
	// a search over levels.
	People     int            `json:"people"`
	Customers  int            `json:"customers"`
	Phones     int            `json:"phones"`
	Candidates int            `json:"candidates"`
	Report     *lineup.Report `json:"lineup"`
}

// Lineup is a lineup optimisation: its job, what it was asked to do and,
// once done, what it chose.
type Lineup struct {
	Job   job.Job
	Input LineupInput
	// Output is nil until the job is done.
	Output *LineupOutput
}

// lineupSubject is the job subject of the lineups of a fit.
func lineupSubject(fitID string) string { return "fit:" + fitID }

// SubmitLineup queues a lineup optimisation in the market of a model fit
// for the signed-in analyst and returns its job. Zero settings take the
// defaults (LineupInput). The fit may still be queued or running: the job
// then waits for it (RunLineup). When the fit is done, the settings are
// also checked against its market and model now, so that a form can show
// the mistake. errs.Unauthorized, errs.Forbidden unless the caller manages
// surveys and runs analyses; errs.Invalid for settings out of bounds;
// errs.NotFound for a fit the caller may not see; errs.Conflict for a fit
// that failed or was cancelled.
func (s *Service) SubmitLineup(ctx context.Context, fitID string, in LineupInput) (job.Job, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.ManageSurveys); err != nil {
		return job.Job{}, err
	}
	if err := u.Require(account.RunAnalyses); err != nil {
		return job.Job{}, err
	}
	in.FitID = fitID
	in, err := in.resolve()
	if err != nil {
		return job.Job{}, err
	}
	fit, err := s.fitJob(ctx, fitID)
	if err != nil {
		return job.Job{}, err
	}
	switch fit.Status {
	case job.Failed, job.Cancelled:
		return job.Job{}, errs.Errorf(errs.Conflict, "The model fit is %s; choose a lineup from a fit that is done.", fit.Status)
	case job.Done:
		plan, err := s.lineupPlan(ctx, in)
		if err != nil {
			return job.Job{}, err
		}
		in = plan.in
	}
	// Created after its fit, to the millisecond that orders the queue, so
	// that a worker never claims the lineup before its fit (awaitFit).
	at := s.now()
	if after := fit.CreatedAt.Add(time.Millisecond); at.Before(after) {
		at = after
	}
	return s.submitAt(ctx, LineupKind, lineupSubject(fitID), in, at)
}

// fitJob returns the job of a fit the caller may see; errors as Job, and
// errs.NotFound for a job of another kind.
func (s *Service) fitJob(ctx context.Context, id string) (job.Job, error) {
	j, err := s.Job(ctx, id)
	if err != nil {
		return job.Job{}, err
	}
	if j.Kind != FitKind {
		return job.Job{}, errs.Errorf(errs.NotFound, "Job %s is not a model fit.", id)
	}
	return j, nil
}

// resolve checks in on its own and fills in the defaults.
func (in LineupInput) resolve() (LineupInput, error) {
	if in.FitID == "" {
		return in, errs.Errorf(errs.Invalid, "Say which model fit's market to choose a lineup in.")
	}
	g, err := lineup.ParseGoal(string(in.Goal))
	if err != nil {
		return in, errs.Errorf(errs.Invalid, "Unknown goal %q; want profit, revenue or units.", in.Goal)
	}
	in.Goal = g
	if in.K < 1 || in.K > MaxLineupK {
		return in, errs.Errorf(errs.Invalid, "Choose 1 to %d variants, not %d.", MaxLineupK, in.K)
	}
	if in.Rule < market.Logit || in.Rule > market.RandomizedFirstChoice {
		return in, errs.Errorf(errs.Invalid, "Unknown choice rule %d; want logit, first-choice or rfc.", int(in.Rule))
	}
	m, err := lineup.ParseMethod(string(in.Method))
	if err != nil {
		return in, errs.Errorf(errs.Invalid, "Unknown method %q; want auto, exact, anneal, swap or greedy.", in.Method)
	}
	in.Method = m
	if in.Seconds == 0 {
		in.Seconds = DefaultLineupSeconds
	}
	if in.Seconds < 1 || in.Seconds > MaxLineupSeconds {
		return in, errs.Errorf(errs.Invalid, "The time limit is 1 to %d seconds, not %d.", MaxLineupSeconds, in.Seconds)
	}
	if len(in.Prices) > MaxLineupPrices {
		return in, errs.Errorf(errs.Invalid, "The price grid has at most %d prices, not %d.", MaxLineupPrices, len(in.Prices))
	}
	prices := slices.Clone(in.Prices)
	slices.Sort(prices)
	in.Prices = slices.Compact(prices)
	if len(in.Prices) > 0 && in.Prices[0] <= 0 {
		return in, errs.Errorf(errs.Invalid, "Prices must be positive.")
	}
	in.EachOf = strings.TrimSpace(in.EachOf)
	if in.MinMargin < 0 {
		return in, errs.Errorf(errs.Invalid, "The minimum margin must not be negative.")
	}
	if math.IsNaN(in.MinMarginRate) || in.MinMarginRate < 0 || in.MinMarginRate >= 1 {
		return in, errs.Errorf(errs.Invalid, "The minimum margin rate is a fraction of the price from 0 to below 1 (0.3 for 30%%), not %g.", in.MinMarginRate)
	}
	if in.MaxParts < 0 {
		return in, errs.Errorf(errs.Invalid, "The limit on distinct parts must not be negative (0 for none).")
	}
	if len(in.Must) > in.K {
		return in, errs.Errorf(errs.Invalid, "%d required variants do not fit in a lineup of %d.", len(in.Must), in.K)
	}
	for i, f := range in.Must {
		if f.Price <= 0 {
			return in, errs.Errorf(errs.Invalid, "Required variant %d needs a positive price.", i+1)
		}
		if len(f.Levels) == 0 {
			return in, errs.Errorf(errs.Invalid, "Required variant %d needs its levels.", i+1)
		}
	}
	if len(in.Competitors) > MaxScenarioProducts {
		return in, errs.Errorf(errs.Invalid, "At most %d competitors' phones, not %d.", MaxScenarioProducts, len(in.Competitors))
	}
	for i, c := range in.Competitors {
		if strings.TrimSpace(c.Name) == "" {
			return in, errs.Errorf(errs.Invalid, "Competitor %d needs a name.", i+1)
		}
		if c.Price <= 0 {
			return in, errs.Errorf(errs.Invalid, "Competitor %s needs a positive price.", c.Name)
		}
	}
	if math.IsNaN(in.MarketSize) || math.IsInf(in.MarketSize, 0) || in.MarketSize < 0 {
		return in, errs.Errorf(errs.Invalid, "The market size is a number of buyers, 0 or more.")
	}
	if in.Seed > MaxSeed {
		return in, errs.Errorf(errs.Invalid, "The seed must be below 2^53.")
	}
	if in.Seed == 0 {
		in.Seed = 1
	}
	return in, nil
}

// lineupPlan is a lineup's settings checked against its fit's market and
// model: the product-mode spec, and the input with the survey's prices
// filled in.
type lineupPlan struct {
	in   LineupInput
	spec lineup.Spec
	fm   FitMarket
	// model names the model version; modelID is its id.
	modelID, model string
}

// lineupPlan checks a resolved input against the market of its done fit
// and the survey's model: the price grid (the survey's by default), the
// attribute of EachOf and the size of the problem. errs.Invalid for what
// does not fit; errors as FitMarket.
func (s *Service) lineupPlan(ctx context.Context, in LineupInput) (lineupPlan, error) {
	fm, err := s.FitMarket(ctx, in.FitID)
	if err != nil {
		return lineupPlan{}, err
	}
	st, err := s.store.GetSurvey(ctx, fm.SurveyID)
	if err != nil {
		return lineupPlan{}, err
	}
	e, v, err := s.Engine(ctx, st.ModelID)
	if err != nil {
		return lineupPlan{}, err
	}
	if len(in.Prices) == 0 {
		in.Prices = slices.Clone(fm.Survey.Prices)
	}
	if len(in.Prices) == 0 {
		return lineupPlan{}, errs.Errorf(errs.Invalid, "The survey showed no prices; give the prices to choose from.")
	}
	mdl := e.Model()
	phones := 1.0
	for _, a := range fm.Market.Attributes {
		phones *= float64(len(a.Levels))
	}
	if in.EachOf != "" {
		a := mdl.Attr(in.EachOf)
		if a < 0 {
			names := make([]string, len(mdl.Attributes))
			for i, at := range mdl.Attributes {
				names[i] = at.Name
			}
			return lineupPlan{}, errs.Errorf(errs.Invalid, "Model %s has no attribute %q%s.", mdl.Name, in.EachOf, suggest.DidYouMean(in.EachOf, names))
		}
		if !slices.ContainsFunc(fm.Market.Attributes, func(m market.Attribute) bool { return m.Name == in.EachOf }) {
			phones *= float64(len(mdl.Attributes[a].Levels))
		}
	}
	// Randomised first choice needs the phones listed, a row per person
	// and draw (lineup.Choose lists them up to lineup.MaxCells, 8 GB); the
	// other rules search over levels when the matrix would be large. The
	// count is an upper bound: the model's rules leave fewer phones, the
	// margins fewer candidates.
	if in.Rule == market.RandomizedFirstChoice {
		cells := (phones*float64(len(in.Prices)) + float64(len(in.Must))) * float64(len(fm.Market.People)*lineupDraws)
		if cells > MaxLineupCells {
			return lineupPlan{}, errs.Errorf(errs.Invalid, "Randomised first choice would need up to %s utilities here (candidates × people × draws), more than the %s a job may hold: use logit or first choice, or fewer prices.",
				thousands(int(cells)), thousands(MaxLineupCells))
		}
	}
	opts := market.Options{Rule: in.Rule, None: fm.Survey.Spec.None, Seed: in.Seed}
	if in.Rule == market.RandomizedFirstChoice {
		opts.Draws, opts.ErrorScale, opts.AttributeError = lineupDraws, simErrorScale, simAttrError
	}
	var rivals []market.Product
	for _, c := range in.Competitors {
		mp, err := market.ProductByName(fm.Market, c.Name, c.Levels, c.Price)
		if err != nil {
			return lineupPlan{}, errs.Errorf(errs.Invalid, "Competitor %s: %s", c.Name, errs.Message(err))
		}
		rivals = append(rivals, mp)
	}
	spec := lineup.Spec{Engine: e, Market: fm.Market, Prices: in.Prices, Goal: in.Goal, Choice: opts, K: in.K, Competitors: rivals,
		MinMargin: in.MinMargin, MinMarginRate: in.MinMarginRate, Ladder: in.Ladder, MaxParts: in.MaxParts,
		EachOf: in.EachOf, Must: in.Must, MarketSize: in.MarketSize}
	return lineupPlan{in: in, spec: spec, fm: fm, modelID: v.ID, model: v.Name + " " + v.Version}, nil
}

// buildShare is the part of a lineup job's progress that building the
// candidates takes; solving takes the rest.
const buildShare = 0.3

// RunLineup runs a lineup job: the runner's handler for LineupKind. It
// works as the job's creator, as RunFit does. It waits for the fit when it
// is not done yet (awaitFit), builds the candidates of the fit's market
// with the survey's model (lineup.NewProducts), solves, and returns a
// LineupOutput; progress says which of these it is doing, and it stops
// when ctx ends. Errors: the lineup package's errs.Invalid for a problem
// without a solution (no phone meets the margins, say), errs.Conflict when
// the fit failed or was cancelled, and the service's.
func (s *Service) RunLineup(ctx context.Context, j job.Job, progress func(frac float64, msg string)) (any, error) {
	var in LineupInput
	if err := json.Unmarshal(j.Input, &in); err != nil {
		return nil, errs.Errorf(errs.Invalid, "The lineup's input is not valid: %v.", err)
	}
	in, err := in.resolve()
	if err != nil {
		return nil, err
	}
	if j.CreatedBy == "" {
		return nil, errs.Errorf(errs.Invalid, "A lineup runs as the analyst who asked for it; this one has none.")
	}
	u, err := s.store.UserByID(ctx, j.CreatedBy)
	if err != nil {
		return nil, fmt.Errorf("lineup %s: the user who submitted it: %w", j.ID, err)
	}
	ctx = account.NewContext(ctx, u)
	if err := s.awaitFit(ctx, in.FitID, progress); err != nil {
		return nil, err
	}
	plan, err := s.lineupPlan(ctx, in)
	if err != nil {
		return nil, err
	}
	in, fm := plan.in, plan.fm
	progress(0, "listing the valid phones and their utilities")
	start := time.Now()
	spec := plan.spec
	spec.Progress = func(frac float64) {
		progress(buildShare*frac, fmt.Sprintf("listing the valid phones and their utilities: %.0f%%", 100*frac))
	}
	// The solver's objective is per person weight; the report's is for
	// MarketSize buyers.
	scale := 1.0
	if in.MarketSize > 0 {
		total := 0.0
		for _, per := range fm.Market.People {
			if per.Weight == 0 {
				total++
			} else {
				total += per.Weight
			}
		}
		if total > 0 {
			scale = in.MarketSize / total
		}
	}
	opts := lineup.Options{Method: in.Method, Seed: in.Seed, Time: time.Duration(in.Seconds) * time.Second,
		Progress: func(frac, best float64) {
			progress(buildShare+(1-buildShare)*frac, fmt.Sprintf("choosing %d variants; best %s so far", in.K, goalAmount(in.Goal, best*scale, fm.Survey.Currency)))
		}}
	pr, sol, err := lineup.Choose(ctx, spec, opts)
	if err != nil {
		return nil, err
	}
	p := pr.Problem
	out := LineupOutput{Input: in, SurveyID: fm.SurveyID, SurveyName: fm.SurveyName, FitMethod: fm.Method,
		ModelID: plan.modelID, Model: plan.model, Currency: fm.Survey.Currency,
		Method: sol.Method, Objective: sol.Objective * scale, Bound: finite(sol.Bound * scale), Gap: finite(sol.Gap), Proven: sol.Proven,
		Nodes: sol.Nodes, Seconds: sol.Seconds,
		People: pr.People, Customers: p.Customers, Report: pr.Report(sol.Chosen)}
	what := fmt.Sprintf("searched over attribute levels for %s people", thousands(pr.People))
	if sol.Method != lineup.Levels {
		// The phones were listed: the problem's candidates are all of
		// them, and listing them took the time the solver did not.
		out.Phones, out.Candidates = len(pr.Phones), p.Candidates
		out.BuildSeconds = max(time.Since(start).Seconds()-sol.Seconds, 0)
		what = fmt.Sprintf("%s candidates (%s phones at %d prices) for %s people", thousands(p.Candidates), thousands(len(pr.Phones)), len(in.Prices), thousands(pr.People))
	}
	progress(1, fmt.Sprintf("%s; %s by %s in %.1f s", what, goalAmount(in.Goal, out.Objective, fm.Survey.Currency), sol.Method, time.Since(start).Seconds()))
	return out, nil
}

// finite returns a pointer to x, or nil when x is infinite or NaN, which
// JSON cannot carry.
func finite(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

// goalAmount writes a goal's figure for a progress note: "profit
// 1,645,109 EUR", "2,470 units".
func goalAmount(g lineup.Goal, x float64, currency string) string {
	if g == lineup.Units {
		return thousands(int(math.Round(x))) + " units"
	}
	s := string(g) + " " + thousands(int(math.Round(x/100)))
	if currency != "" {
		s += " " + currency
	}
	return s
}

// awaitFit returns once the fit is done, saying in the job's progress
// that it waits; errs.Conflict when the fit fails or is cancelled.
//
// A lineup may be submitted on a fit that is still queued or running (the
// demo queues both at once); the lineup job then waits for it, polling the
// fit's status, rather than the runner learning about dependencies. This
// holds a worker while it waits, which cannot deadlock in the usual
// course: workers claim the oldest queued job first and a lineup is always
// created after its fit (SubmitLineup stamps it at least a millisecond
// later), so by the time a worker runs the lineup, the fit has been
// claimed too, by this worker before or by another one. The
// exception is a fit put back in the queue after its server crashed while a
// lone worker runs the lineup: that wait is bounded by lineupFitQueueWait,
// after which the lineup fails, asking to submit it again.
func (s *Service) awaitFit(ctx context.Context, fitID string, progress func(float64, string)) error {
	wait := 20 * time.Millisecond
	var queued time.Time
	for {
		j, err := s.fitJob(ctx, fitID)
		if err != nil {
			return err
		}
		switch j.Status {
		case job.Done:
			return nil
		case job.Failed:
			msg := "The model fit this lineup is of failed"
			if j.Error != "" {
				msg += " (" + strings.TrimSuffix(j.Error, ".") + ")"
			}
			return errs.Errorf(errs.Conflict, "%s; choose a lineup from a fit that is done.", msg)
		case job.Cancelled:
			return errs.Errorf(errs.Conflict, "The model fit this lineup is of was cancelled; choose a lineup from a fit that is done.")
		case job.Queued:
			if queued.IsZero() {
				queued = time.Now()
			}
			if time.Since(queued) > lineupFitQueueWait {
				return errs.Errorf(errs.Unavailable, "The model fit this lineup is of has waited more than %s for a worker; submit the lineup again once the fit is done.", lineupFitQueueWait)
			}
			progress(0, "waiting for the model fit to start")
		default:
			queued = time.Time{}
			progress(0, fmt.Sprintf("waiting for the model fit to finish (%.0f%% done)", 100*j.Progress))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// Lineup returns a lineup optimisation the signed-in user may see, with its
// output decoded once done. errs.Unauthorized, errs.Forbidden unless the
// caller manages surveys; errors as Job, and errs.NotFound for a job that
// is not a lineup.
func (s *Service) Lineup(ctx context.Context, id string) (Lineup, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return Lineup{}, err
	}
	j, err := s.Job(ctx, id)
	if err != nil {
		return Lineup{}, err
	}
	if j.Kind != LineupKind {
		return Lineup{}, errs.Errorf(errs.NotFound, "Job %s is not a lineup.", id)
	}
	return lineupOf(j)
}

func lineupOf(j job.Job) (Lineup, error) {
	l := Lineup{Job: j}
	if err := json.Unmarshal(j.Input, &l.Input); err != nil {
		return Lineup{}, fmt.Errorf("lineup %s: input: %w", j.ID, err)
	}
	if j.Status == job.Done && len(j.Output) > 0 {
		l.Output = new(LineupOutput)
		if err := json.Unmarshal(j.Output, l.Output); err != nil {
			return Lineup{}, fmt.Errorf("lineup %s: output: %w", j.ID, err)
		}
	}
	return l, nil
}

// FitLineups lists the lineups of a fit that the signed-in user may see
// (their own; everyone's for admins), newest first, a page at a time, with
// their outputs (a lineup's is small), and the cursor of the next page.
// errs.Unauthorized, errs.Forbidden unless the caller manages surveys and
// runs analyses; errs.Invalid for a malformed cursor.
func (s *Service) FitLineups(ctx context.Context, fitID string, p job.Page) ([]Lineup, string, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return nil, "", err
	}
	js, next, err := s.Jobs(ctx, job.Filter{Kind: LineupKind, Subject: lineupSubject(fitID)}, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]Lineup, 0, len(js))
	for _, j := range js {
		l, err := lineupOf(j)
		if err != nil {
			return nil, "", err
		}
		out = append(out, l)
	}
	return out, next, nil
}
