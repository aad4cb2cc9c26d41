package service

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/survey"
)

// FitKind is the job kind of model fits to a survey's answers; RunFit
// runs them.
const FitKind = "fit"

// FitInput is what a model fit is asked to do: the input of a fit job.
// SubmitFit stores it with the defaults filled in, so that a job shows
// what it ran.
type FitInput struct {
	SurveyID string        `json:"survey_id"`
	Method   choice.Method `json:"method"`
	// Iterations is, for hierarchical Bayes, the number of sweeps (half
	// of them burn-in); for multinomial and mixed logit, the optimiser's
	// iteration limit.
	Iterations int `json:"iterations"`
	// Draws is mixed logit's number of draws per respondent; 0 for the
	// other methods.
	Draws int `json:"draws,omitempty"`
	// Seed fixes mixed logit's draws and hierarchical Bayes' sampling.
	Seed uint64 `json:"seed"`
}

// Defaults and bounds of a fit's settings. Hierarchical Bayes with 2,000
// sweeps takes a few seconds on the demo's 3,000 respondents; mixed logit
// with 200 draws about a minute.
const (
	DefaultHBIterations  = 2000
	DefaultMNLIterations = 100
	DefaultMXLIterations = 500
	DefaultMXLDraws      = 200
	MaxHBIterations      = 100000
	MaxFitIterations     = 5000 // multinomial and mixed logit
	MinMXLDraws          = 10
	MaxMXLDraws          = 5000
	// MaxSeed keeps seeds exact in every JSON client.
	MaxSeed = 1<<53 - 1
)

// FitOutput is a fit job's output: the estimates, the figures derived from
// them (survey.Survey.Summarize), and the survey they describe. Willingness
// to pay is in major units of Currency.
type FitOutput struct {
	SurveyID   string `json:"survey_id"`
	SurveyName string `json:"survey_name"`
	Currency   string `json:"currency,omitempty"`
	choice.Summary
}

// Fit is a model fit: its job, what it was asked to do and, once done,
// what it found.
type Fit struct {
	Job   job.Job
	Input FitInput
	// Output is nil until the job is done.
	Output *FitOutput
}

// fitSubject is the job subject of the fits of a survey.
func fitSubject(surveyID string) string { return "survey:" + surveyID }

// SubmitFit queues a model fit of a survey's answers for the signed-in
// analyst and returns its job, whose progress and output Job reads. Zero
// settings take the defaults (DefaultHBIterations and so on; seed 1).
// errs.Unauthorized, errs.Forbidden unless the caller manages surveys and
// runs analyses; errs.Invalid for an unknown method, settings out of
// bounds, draws for a method other than mixed logit, and a survey without
// answers; errs.NotFound for an unknown survey.
func (s *Service) SubmitFit(ctx context.Context, in FitInput) (job.Job, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.ManageSurveys); err != nil {
		return job.Job{}, err
	}
	if err := u.Require(account.RunAnalyses); err != nil {
		return job.Job{}, err
	}
	in, err := in.resolve()
	if err != nil {
		return job.Job{}, err
	}
	st, err := s.store.GetSurvey(ctx, in.SurveyID)
	if err != nil {
		return job.Job{}, err
	}
	if st.Answers == 0 {
		return job.Job{}, errs.Errorf(errs.Invalid, "Survey “%s” has no answers yet; fit a model once customers have answered it.", st.Name)
	}
	return s.submit(ctx, FitKind, fitSubject(st.ID), in)
}

// resolve checks in and fills in the defaults.
func (in FitInput) resolve() (FitInput, error) {
	if in.SurveyID == "" {
		return in, errs.Errorf(errs.Invalid, "Say which survey's answers to fit.")
	}
	m, err := choice.ParseMethod(string(in.Method))
	if err != nil {
		return in, err
	}
	in.Method = m
	if in.Iterations < 0 {
		return in, errs.Errorf(errs.Invalid, "The number of iterations must be positive, not %d.", in.Iterations)
	}
	switch m {
	case choice.HB:
		if in.Iterations == 0 {
			in.Iterations = DefaultHBIterations
		}
		if in.Iterations < 100 || in.Iterations > MaxHBIterations {
			return in, errs.Errorf(errs.Invalid, "Hierarchical Bayes needs 100 to %d iterations, not %d; 2,000 is usual here.", MaxHBIterations, in.Iterations)
		}
	case choice.MNL, choice.MXL:
		if in.Iterations == 0 {
			in.Iterations = map[choice.Method]int{choice.MNL: DefaultMNLIterations, choice.MXL: DefaultMXLIterations}[m]
		}
		if in.Iterations > MaxFitIterations {
			return in, errs.Errorf(errs.Invalid, "The iteration limit is at most %d, not %d.", MaxFitIterations, in.Iterations)
		}
	}
	switch {
	case m != choice.MXL && in.Draws != 0:
		return in, errs.Errorf(errs.Invalid, "Draws apply to mixed logit (mxl) only.")
	case m == choice.MXL && in.Draws == 0:
		in.Draws = DefaultMXLDraws
	case m == choice.MXL && (in.Draws < MinMXLDraws || in.Draws > MaxMXLDraws):
		return in, errs.Errorf(errs.Invalid, "Mixed logit needs %d to %d draws per respondent, not %d.", MinMXLDraws, MaxMXLDraws, in.Draws)
	}
	if in.Seed > MaxSeed {
		return in, errs.Errorf(errs.Invalid, "The seed must be below 2^53.")
	}
	if in.Seed == 0 {
		in.Seed = 1
	}
	return in, nil
}

// RunFit runs a fit job: the runner's handler for FitKind. It works as the
// job's creator, so that the service's checks apply to the job as to its
// creator: the survey's answers are read with their permissions. It codes
// the designed tasks' answers (and the holdouts', for the hit rate),
// estimates with progress, stops when ctx ends, and returns a FitOutput.
// Errors: the estimator's and the service's, errs.Invalid for input that
// is not a FitInput.
func (s *Service) RunFit(ctx context.Context, j job.Job, progress func(frac float64, msg string)) (any, error) {
	var in FitInput
	if err := json.Unmarshal(j.Input, &in); err != nil {
		return nil, errs.Errorf(errs.Invalid, "The fit's input is not valid: %v.", err)
	}
	in, err := in.resolve()
	if err != nil {
		return nil, err
	}
	if j.CreatedBy == "" {
		return nil, errs.Errorf(errs.Invalid, "A fit runs as the analyst who asked for it; this one has none.")
	}
	u, err := s.store.UserByID(ctx, j.CreatedBy)
	if err != nil {
		return nil, fmt.Errorf("fit %s: the user who submitted it: %w", j.ID, err)
	}
	ctx = account.NewContext(ctx, u)
	st, err := s.Survey(ctx, in.SurveyID)
	if err != nil {
		return nil, err
	}
	answers, err := s.SurveyAnswers(ctx, in.SurveyID)
	if err != nil {
		return nil, err
	}
	d, err := st.Design.Data(answers, false)
	if err != nil {
		return nil, err
	}
	holdout, err := st.Design.Data(answers, true)
	if errs.Code(err) == errs.Invalid {
		holdout = nil // no holdout answers: no hit rate
	} else if err != nil {
		return nil, err
	}
	progress(0, fmt.Sprintf("%s choices of %s respondents coded; estimating", thousands(d.Cases()), thousands(d.NumPanels())))
	if in.Method == choice.MXL {
		d.Random = survey.RandomCoefficients(d)
	}
	res, err := choice.Fit(ctx, d, choice.FitOptions{Method: in.Method, Iterations: in.Iterations, Draws: in.Draws, Seed: in.Seed,
		Progress: func(p choice.FitProgress) { progress(p.Frac, p.String()) }})
	if err != nil {
		return nil, err
	}
	sum, err := st.Design.Summarize(res, holdout)
	if err != nil {
		return nil, err
	}
	return FitOutput{SurveyID: st.ID, SurveyName: st.Name, Currency: st.Design.Currency, Summary: *sum}, nil
}

// Fit returns a model fit the signed-in user may see, with its output
// decoded once the job is done. Errors as Job, and errs.NotFound for a job
// that is not a fit.
func (s *Service) Fit(ctx context.Context, id string) (Fit, error) {
	j, err := s.Job(ctx, id)
	if err != nil {
		return Fit{}, err
	}
	if j.Kind != FitKind {
		return Fit{}, errs.Errorf(errs.NotFound, "Job %s is not a model fit.", id)
	}
	f := Fit{Job: j}
	if err := json.Unmarshal(j.Input, &f.Input); err != nil {
		return Fit{}, fmt.Errorf("fit %s: input: %w", id, err)
	}
	if j.Status == job.Done && len(j.Output) > 0 {
		f.Output = new(FitOutput)
		if err := json.Unmarshal(j.Output, f.Output); err != nil {
			return Fit{}, fmt.Errorf("fit %s: output: %w", id, err)
		}
	}
	return f, nil
}

// SurveyFits lists the model fits of a survey that the signed-in user may
// see (their own; everyone's for admins), newest first, a page at a time,
// without their outputs (Output nil), and the cursor of the next page.
// errs.Unauthorized, errs.Forbidden unless the caller manages surveys and
// runs analyses; errs.Invalid for a malformed cursor.
func (s *Service) SurveyFits(ctx context.Context, surveyID string, p job.Page) ([]Fit, string, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return nil, "", err
	}
	js, next, err := s.Jobs(ctx, job.Filter{Kind: FitKind, Subject: fitSubject(surveyID)}, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]Fit, 0, len(js))
	for _, j := range js {
		f := Fit{Job: j}
		if err := json.Unmarshal(j.Input, &f.Input); err != nil {
			return nil, "", fmt.Errorf("fit %s: input: %w", j.ID, err)
		}
		f.Job.Output = nil
		out = append(out, f)
	}
	return out, next, nil
}

// Scenario is a set of phones to simulate a market's choice among, with
// a fit's part-worths.
type Scenario struct {
	Products []ScenarioProduct
	Rule     market.Rule
	// None offers the choice of buying none of them; it applies only when
	// the survey offered "none of these".
	None bool
}

// ScenarioProduct is one phone of a scenario: a level name for each of
// the survey's attributes it specifies (others are left out of its
// utility), and a price in minor currency units.
type ScenarioProduct struct {
	Name   string
	Levels map[string]string
	Price  int64
	Own    bool
}

// MaxScenarioProducts bounds a scenario.
const MaxScenarioProducts = 20

// Simulation settings: people drawn from a mixed logit's distributions,
// and randomised first choice's draws and errors, split between product
// and attribute error as docs/market-simulator.md suggests to start.
const (
	simPeople     = 2000
	simSeed       = 1
	simDraws      = 100
	simErrorScale = 0.5
	simAttrError  = 0.5
)

// FitMarket is the simulated market of a done fit: its people (for
// hierarchical Bayes the respondents, for mixed logit people drawn from
// the estimated distributions, for multinomial logit one representative
// person) and the survey whose attributes describe phones.
type FitMarket struct {
	Market *market.Market
	Survey *survey.Survey
	// SurveyID and SurveyName name the survey, Method the fit's method.
	SurveyID, SurveyName string
	Method               choice.Method
}

// SimulateFit predicts the shares of preference a scenario's phones win in
// the market of a done fit, and with curve set, the first phone's price
// curve at those prices (minor units). Errors as Fit; errs.Conflict when
// the fit is not done; errs.Invalid for a bad scenario (no phones or more
// than MaxScenarioProducts, an unknown attribute or level, a negative
// price, names repeated).
func (s *Service) SimulateFit(ctx context.Context, id string, sc Scenario, curve []int64) (*market.Outcome, *market.Curve, error) {
	fm, err := s.FitMarket(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if len(sc.Products) == 0 || len(sc.Products) > MaxScenarioProducts {
		return nil, nil, errs.Errorf(errs.Invalid, "A scenario needs 1 to %d phones, not %d.", MaxScenarioProducts, len(sc.Products))
	}
	products := make([]market.Product, len(sc.Products))
	for i, p := range sc.Products {
		mp, err := market.ProductByName(fm.Market, p.Name, p.Levels, p.Price)
		if err != nil {
			return nil, nil, err
		}
		mp.Own = p.Own
		products[i] = mp
	}
	opts := market.Options{Rule: sc.Rule, None: sc.None && fm.Survey.Spec.None, Seed: simSeed}
	if sc.Rule == market.RandomizedFirstChoice {
		opts.Draws, opts.ErrorScale, opts.AttributeError = simDraws, simErrorScale, simAttrError
	}
	out, err := market.Shares(fm.Market, products, opts)
	if err != nil {
		return nil, nil, err
	}
	if len(curve) == 0 {
		return out, nil, nil
	}
	c, err := market.PriceCurve(fm.Market, products, 0, curve, opts)
	if err != nil {
		return nil, nil, err
	}
	return out, c, nil
}

// FitMarket returns the simulated market of a done fit. Errors as Fit;
// errs.Conflict when the fit is not done.
func (s *Service) FitMarket(ctx context.Context, id string) (FitMarket, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return FitMarket{}, err
	}
	// Access is checked on every call; the market, which a done job's
	// output fixes, is built once.
	j, err := s.Job(ctx, id)
	if err != nil {
		return FitMarket{}, err
	}
	if j.Kind != FitKind {
		return FitMarket{}, errs.Errorf(errs.NotFound, "Job %s is not a model fit.", id)
	}
	if j.Status != job.Done {
		return FitMarket{}, errs.Errorf(errs.Conflict, "The fit is %s; simulate once it is done.", j.Status)
	}
	if fm, ok := s.markets.get(id); ok {
		return fm, nil
	}
	var out FitOutput
	if err := json.Unmarshal(j.Output, &out); err != nil || out.Result == nil {
		return FitMarket{}, fmt.Errorf("fit %s: output: %v", id, err)
	}
	d, err := s.design(ctx, out.SurveyID)
	if err != nil {
		return FitMarket{}, err
	}
	names, people, err := out.Result.Population(simPeople, simSeed)
	if err != nil {
		return FitMarket{}, err
	}
	m, err := d.Market(names, people)
	if err != nil {
		return FitMarket{}, err
	}
	if h := out.Result.HB; h != nil && len(h.IDs) == len(m.People) {
		// Individual part-worths belong to real respondents: segment
		// them by the region they gave.
		regions, err := s.store.SurveyRegions(ctx, out.SurveyID)
		if err != nil {
			return FitMarket{}, err
		}
		segmentByRegion(m, h.IDs, regions)
	}
	fm := FitMarket{Market: m, Survey: d, SurveyID: out.SurveyID, SurveyName: out.SurveyName, Method: out.Result.Method}
	s.markets.put(id, fm)
	return fm, nil
}

// marketCache keeps the markets of the fits simulated last: building one
// decodes a large output, and an analyst tries many scenarios on one fit.
type marketCache struct {
	mu    sync.Mutex
	order []string // oldest first
	m     map[string]FitMarket
}

// marketCacheSize bounds the cache; a market of 3,000 people is a few
// hundred kilobytes.
const marketCacheSize = 8

func (c *marketCache) get(id string) (FitMarket, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fm, ok := c.m[id]
	return fm, ok
}

func (c *marketCache) put(id string, fm FitMarket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]FitMarket{}
	}
	if _, ok := c.m[id]; ok {
		return
	}
	if len(c.order) == marketCacheSize {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.order = append(c.order, id)
	c.m[id] = fm
}

// thousands writes n with thousands separators: 36,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// segmentByRegion puts each person of m, respondent ids[i], in the segment
// of their region, in account.Regions order, with those who did not say
// last.
func segmentByRegion(m *market.Market, ids []string, regions map[string]string) {
	index := map[string]int{}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[regions[id]] = true
	}
	for _, r := range account.Regions {
		if seen[r] {
			index[r] = len(m.Segments)
			m.Segments = append(m.Segments, r)
		}
	}
	if seen[""] || len(index) < len(seen) {
		index[""] = len(m.Segments)
		m.Segments = append(m.Segments, "not said")
	}
	for i, id := range ids {
		seg, ok := index[regions[id]]
		if !ok {
			seg = index[""]
		}
		m.People[i].Segment = seg
	}
}
