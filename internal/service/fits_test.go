package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// fitSegment is the simulated respondents' taste: bigger bodies and more
// storage are worth more, price less.
var fitSegment = population.Segment{
	Name: "Test", Share: 1, PricePer100: -0.6, PriceSpread: 0.1, Spread: 0.3, Budget: 600, Complete: 1,
	Likes: map[string]map[string]float64{
		"size":    {"standard": 0.5, "max": 1.0},
		"storage": {"256gb": 0.5, "512gb": 1.0, "1tb": 1.3},
	},
}

// fitTruth is what a fit should find: each level against the first, and
// none against a phone at the centre of the prices shown (699): the budget
// of 600 less that price, at -0.6 per 100.
var fitTruth = map[string]float64{
	"size:standard": 0.5, "size:max": 1.0, "storage:256gb": 0.5, "storage:512gb": 1.0, "storage:1tb": 1.3,
	"price": -0.6, "none": -0.6 * (600 - 699) / 100,
}

// answeredSurvey designs and opens a survey of body size, storage and
// three prices, and has people of fitSegment answer it: 10 versions of 8
// tasks of 3 phones and none, and 2 holdouts.
func answeredSurvey(t *testing.T, f *fixture, people int) survey.Stored {
	t.Helper()
	spec := survey.Spec{
		Attributes: []string{"size", "storage"},
		Price:      survey.Price{Min: 39900, Max: 99900, Steps: 3},
		Versions:   10, Tasks: 8, Concepts: 3, None: true, Holdouts: 2, Seed: 3,
	}
	return answeredSurveyOf(t, f, "Size and storage", spec, []population.Segment{fitSegment}, people)
}

// answeredSurveyOf designs and opens a survey of spec and has people drawn
// from segs answer it, as customers in three regions (one not given).
func answeredSurveyOf(t *testing.T, f *fixture, name string, spec survey.Spec, segs []population.Segment, people int) survey.Stored {
	t.Helper()
	st, err := f.svc.CreateSurvey(f.analyst, service.SurveyInput{Name: name, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.OpenSurvey(f.analyst, st.ID); err != nil {
		t.Fatal(err)
	}
	e, _, err := f.svc.Engine(f.analyst, f.model)
	if err != nil {
		t.Fatal(err)
	}
	ps := population.Draw(e.Model(), segs, people, rand.New(rand.NewPCG(8, 9)))
	answers, err := survey.Simulate(st.Design, ps, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	users := make([]account.User, people)
	for i := range users {
		users[i] = account.User{Email: fmt.Sprintf("resp-%04d@example.com", i), Name: "R", Role: account.Customer,
			Region: []string{"europe", "asia-pacific", ""}[i%3]}
	}
	if users, err = f.svc.ImportUsers(context.Background(), users); err != nil {
		t.Fatal(err)
	}
	rs, err := st.Design.Responses(answers, func(i int) string { return users[i].ID })
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ImportSurveyResponses(context.Background(), st.ID, rs); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSubmitFit(t *testing.T) {
	f := newFixture(t)
	st := answeredSurvey(t, f, 20)
	empty, err := f.svc.CreateSurvey(f.analyst, service.SurveyInput{Name: "Empty", Spec: smallSpec()})
	if err != nil {
		t.Fatal(err)
	}
	planner, err := f.svc.CreateUser(context.Background(), account.SignUp{Email: "pl@example.com", Password: "long enough pw", Name: "Pl"}, account.Planner, true)
	if err != nil {
		t.Fatal(err)
	}
	pl := account.NewContext(context.Background(), planner)
	hb := service.FitInput{SurveyID: st.ID, Method: choice.HB}
	with := func(change func(*service.FitInput)) service.FitInput {
		in := hb
		change(&in)
		return in
	}
	tests := []struct {
		name string
		ctx  context.Context
		in   service.FitInput
		code string
		msg  string
	}{
		{"nobody", f.anon, hb, errs.Unauthorized, ""},
		{"a customer", f.ana, hb, errs.Forbidden, ""},
		{"a planner, who runs analyses but not surveys", pl, hb, errs.Forbidden, "manage surveys"},
		{"no survey", f.analyst, with(func(in *service.FitInput) { in.SurveyID = "" }), errs.Invalid, "Say which survey"},
		{"an unknown survey", f.analyst, with(func(in *service.FitInput) { in.SurveyID = "nope" }), errs.NotFound, ""},
		{"a survey without answers", f.analyst, with(func(in *service.FitInput) { in.SurveyID = empty.ID }), errs.Invalid, "has no answers yet"},
		{"no method", f.analyst, with(func(in *service.FitInput) { in.Method = "" }), errs.Invalid, "want mnl"},
		{"an unknown method", f.analyst, with(func(in *service.FitInput) { in.Method = "ols" }), errs.Invalid, `"ols"`},
		{"too few sweeps", f.analyst, with(func(in *service.FitInput) { in.Iterations = 50 }), errs.Invalid, "100 to 100000 iterations"},
		{"negative iterations", f.analyst, with(func(in *service.FitInput) { in.Method, in.Iterations = choice.MNL, -1 }), errs.Invalid, "positive"},
		{"too many iterations", f.analyst, with(func(in *service.FitInput) { in.Method, in.Iterations = choice.MXL, 6000 }), errs.Invalid, "at most 5000"},
		{"draws for HB", f.analyst, with(func(in *service.FitInput) { in.Draws = 100 }), errs.Invalid, "mixed logit (mxl) only"},
		{"too few draws", f.analyst, with(func(in *service.FitInput) { in.Method, in.Draws = choice.MXL, 5 }), errs.Invalid, "10 to 5000 draws"},
		{"a seed too large for JSON", f.analyst, with(func(in *service.FitInput) { in.Seed = 1 << 60 }), errs.Invalid, "2^53"},
		{"an analyst", f.analyst, hb, "", ""},
		{"an admin", f.admin, with(func(in *service.FitInput) { in.Method = choice.MXL }), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.SubmitFit(tt.ctx, tt.in)
			if code(err) != tt.code || !strings.Contains(errs.Message(err), tt.msg) {
				t.Errorf("SubmitFit: %v (code %q), want code %q with %q", err, code(err), tt.code, tt.msg)
			}
		})
	}

	// The job records the settings with their defaults, and its survey.
	j, err := f.svc.SubmitFit(f.analyst, service.FitInput{SurveyID: st.ID, Method: choice.MXL})
	if err != nil {
		t.Fatal(err)
	}
	if j.Kind != service.FitKind || j.Subject != "survey:"+st.ID || j.Status != job.Queued {
		t.Errorf("job %+v: want a queued fit of the survey", j)
	}
	fit, err := f.svc.Fit(f.analyst, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := service.FitInput{SurveyID: st.ID, Method: choice.MXL, Iterations: 500, Draws: 200, Seed: 1}
	if diff := cmp.Diff(want, fit.Input); diff != "" || fit.Output != nil {
		t.Errorf("stored input (-want +got):\n%s\noutput %v, want none while queued", diff, fit.Output)
	}
	f.runner.kinds = append(f.runner.kinds, "optimise")
	other, err := f.svc.SubmitJob(f.analyst, "optimise", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Fit(f.analyst, other.ID); code(err) != errs.NotFound {
		t.Errorf("Fit of a job of another kind: %v, want not found", err)
	}
	if _, err := f.svc.FitMarket(f.analyst, j.ID); code(err) != errs.Conflict {
		t.Errorf("FitMarket of a queued fit: %v, want conflict", err)
	}

	// The survey's fits: one's own, everyone's for an admin.
	list := func(ctx context.Context) int {
		t.Helper()
		fits, _, err := f.svc.SurveyFits(ctx, st.ID, job.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, fit := range fits {
			if fit.Input.SurveyID != st.ID || fit.Job.Output != nil {
				t.Errorf("listed fit %+v: want one of the survey, without output", fit)
			}
		}
		return len(fits)
	}
	if got := list(f.analyst); got != 2 {
		t.Errorf("the analyst sees %d fits of the survey, want 2", got)
	}
	if got := list(f.admin); got != 3 {
		t.Errorf("the admin sees %d fits of the survey, want 3", got)
	}
	if fits, _, _ := f.svc.SurveyFits(f.analyst, empty.ID, job.Page{}); len(fits) != 0 {
		t.Errorf("the empty survey has fits %+v", fits)
	}
	if _, _, err := f.svc.SurveyFits(pl, st.ID, job.Page{}); code(err) != errs.Forbidden {
		t.Errorf("a planner lists a survey's fits: %v, want forbidden", err)
	}
}

// runFit submits a fit and runs it as the runner would, and stores its
// end: done with the output as JSON, or failed.
func runFit(t *testing.T, f *fixture, ctx context.Context, in service.FitInput) (job.Job, *service.FitOutput, []string) {
	t.Helper()
	j, err := f.svc.SubmitFit(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	claimed, ok, err := f.db.ClaimJob(context.Background(), []string{service.FitKind}, *f.clock)
	if err != nil || !ok || claimed.ID != j.ID {
		t.Fatalf("ClaimJob = %+v, %v, %v", claimed, ok, err)
	}
	var mu sync.Mutex
	var notes []string
	out, err := f.svc.RunFit(context.Background(), claimed, func(frac float64, msg string) {
		mu.Lock()
		defer mu.Unlock()
		if frac < 0 || frac > 1 {
			t.Errorf("progress %v out of 0..1", frac)
		}
		notes = append(notes, msg)
	})
	if err != nil {
		t.Fatalf("RunFit: %v", err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("the output is not JSON: %v", err)
	}
	if err := f.db.FinishJob(context.Background(), j.ID, claimed.Attempts, job.Done, b, "", *f.clock); err != nil {
		t.Fatal(err)
	}
	fit, err := f.svc.Fit(ctx, j.ID)
	if err != nil || fit.Output == nil {
		t.Fatalf("Fit = %+v, %v; want the decoded output", fit, err)
	}
	return fit.Job, fit.Output, notes
}

// TestRunFit fits simulated answers with each method and checks what the
// output says against the known tastes.
func TestRunFit(t *testing.T) {
	f := newFixture(t)
	st := answeredSurvey(t, f, 300)
	for _, tt := range []struct {
		in   service.FitInput
		note string
	}{
		{service.FitInput{Method: choice.MNL}, "iteration "},
		{service.FitInput{Method: choice.HB, Iterations: 600}, "iteration 600 of 600: mean log-likelihood"},
		{service.FitInput{Method: choice.MXL, Draws: 50, Iterations: 200}, "simulated log-likelihood"},
	} {
		t.Run(string(tt.in.Method), func(t *testing.T) {
			in := tt.in
			in.SurveyID = st.ID
			_, out, notes := runFit(t, f, f.analyst, in)
			if len(notes) < 2 || notes[0] != "2,400 choices of 300 respondents coded; estimating" || !strings.Contains(strings.Join(notes, "\n"), tt.note) {
				t.Errorf("progress notes %q: want the coding, then iterations like %q", notes, tt.note)
			}
			r := out.Result
			if r.Method != in.Method {
				t.Fatalf("method %s, want %s", r.Method, in.Method)
			}
			// The scale of the part-worths is not identified between
			// models (hierarchical Bayes' comes out larger on few tasks
			// per person, a pooled logit's smaller where tastes vary), so
			// check their ratios to the price, in euros, and signs.
			price, _ := r.Param("price")
			if price.Value >= 0 {
				t.Fatalf("price coefficient %.3f, want it negative", price.Value)
			}
			for name, b := range fitTruth {
				e, ok := r.Param(name)
				if !ok {
					t.Errorf("no estimate of %s", name)
					continue
				}
				got, want := -100*e.Value/price.Value, -100*b/fitTruth["price"]
				if math.Abs(got-want) > math.Max(0.25*math.Abs(want), 40) {
					t.Errorf("%s = %.3f: worth %.0f euros, truth %.0f", name, e.Value, got, want)
				}
			}
			if r.Method == choice.HB && (r.HB == nil || len(r.HB.Individual) != 300 || r.HB.Iterations != 600 || r.HB.BurnIn != 300) {
				t.Errorf("HB output lacks the individual part-worths or the sweeps asked: %+v", r.HB)
			}
			if r.Method == choice.MXL && r.Draws != 50 {
				t.Errorf("mixed logit with %d draws, want 50", r.Draws)
			}
			// Willingness to pay in euros: -100 b / b_price.
			for _, w := range out.WTP {
				e, _ := r.Param(w.Name)
				if want := -100 * e.Value / price.Value; math.Abs(w.Value-want) > 1e-6 || w.Name == "none" || w.Name == "price" {
					t.Errorf("willingness to pay for %s: %.2f, want %.2f", w.Name, w.Value, want)
				}
			}
			if len(out.WTP) != 5 {
				t.Errorf("willingness to pay for %d levels, want 5", len(out.WTP))
			}
			var attrs []string
			total := 0.0
			for _, im := range out.Importances {
				attrs = append(attrs, im.Attribute)
				total += im.Share
			}
			if diff := cmp.Diff([]string{"size", "storage", "price"}, attrs); diff != "" || math.Abs(total-1) > 1e-9 {
				t.Errorf("importances %v (-want +got):\n%s", out.Importances, diff)
			}
			if out.HitRate == nil || out.HoldoutCases != 600 || *out.HitRate < 0.4 {
				t.Errorf("holdout hit rate %v on %d cases, want one on 600, well above chance", out.HitRate, out.HoldoutCases)
			}
		})
	}
}

// TestRunFitAsItsCreator: a fit reads the answers with its creator's
// permissions, checked when it runs, and stops when cancelled.
func TestRunFitAsItsCreator(t *testing.T) {
	f := newFixture(t)
	st := answeredSurvey(t, f, 40)
	j, err := f.svc.SubmitFit(f.analyst, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 100000})
	if err != nil {
		t.Fatal(err)
	}
	// Cancelled: it returns soon with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	started := make(chan struct{}, 1)
	go func() {
		_, err := f.svc.RunFit(ctx, j, func(frac float64, _ string) {
			if frac > 0 {
				select {
				case started <- struct{}{}:
				default:
				}
			}
		})
		done <- err
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("RunFit after the cancel: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunFit did not stop after its context ended")
	}

	// The analyst becomes a planner: the fit may no longer read answers.
	analyst := account.FromContext(f.analyst)
	if err := f.db.SetRole(context.Background(), analyst.ID, account.Planner); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RunFit(context.Background(), j, func(float64, string) {}); code(err) != errs.Forbidden {
		t.Errorf("RunFit for a creator who may no longer read answers: %v, want forbidden", err)
	}
	if _, err := f.svc.RunFit(context.Background(), job.Job{ID: "x", Kind: "fit", Input: j.Input}, func(float64, string) {}); code(err) != errs.Invalid {
		t.Errorf("RunFit of a job without a creator: %v, want invalid", err)
	}
}

// TestSimulateFit simulates phones in the market of a done HB fit.
func TestSimulateFit(t *testing.T) {
	f := newFixture(t)
	st := answeredSurvey(t, f, 200)
	j, _, _ := runFit(t, f, f.analyst, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 400})
	fm, err := f.svc.FitMarket(f.analyst, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(fm.Market.People) != 200 || fm.Survey.Spec.Tasks != 8 {
		t.Errorf("market of %d people on a survey of %d tasks, want the 200 respondents of the 8-task survey", len(fm.Market.People), fm.Survey.Spec.Tasks)
	}
	// Respondents are segmented by the region they gave: every third
	// one each in Europe, Asia-Pacific and not said (answeredSurvey).
	if diff := cmp.Diff([]string{"europe", "asia-pacific", "not said"}, fm.Market.Segments); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
	counts := make([]int, len(fm.Market.Segments))
	for _, p := range fm.Market.People {
		counts[p.Segment]++
	}
	if diff := cmp.Diff([]int{67, 67, 66}, counts); diff != "" {
		t.Errorf("people per segment (-want +got):\n%s", diff)
	}
	sc := service.Scenario{Rule: market.Logit, None: true, Products: []service.ScenarioProduct{
		{Name: "Ours", Levels: map[string]string{"size": "max", "storage": "512gb"}, Price: 69900, Own: true},
		{Name: "Small", Levels: map[string]string{"size": "compact", "storage": "128gb"}, Price: 69900},
	}}
	curve := []int64{39900, 69900, 99900}
	for _, rule := range []market.Rule{market.Logit, market.FirstChoice, market.RandomizedFirstChoice} {
		sc.Rule = rule
		out, c, err := f.svc.SimulateFit(f.analyst, j.ID, sc, curve)
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		want := []string{"Ours", "Small", market.NoneName}
		if diff := cmp.Diff(want, out.Products); diff != "" {
			t.Errorf("%s: alternatives (-want +got):\n%s", rule, diff)
		}
		sum := 0.0
		for _, s := range out.Shares {
			sum += s
		}
		// The bigger phone with more storage at the same price wins.
		if math.Abs(sum-1) > 1e-9 || out.Shares[0] <= out.Shares[1] || out.People != 200 || out.Options.Rule != rule {
			t.Errorf("%s: shares %v of %d people; want them to sum to 1 and the better phone to win", rule, out.Shares, out.People)
		}
		if c == nil || len(c.Points) != 3 || c.Product != "Ours" || c.Points[0].Share < c.Points[2].Share {
			t.Errorf("%s: price curve %+v: want 3 points of Ours, falling with the price", rule, c)
		}
	}
	errTests := []struct {
		name string
		ctx  context.Context
		sc   service.Scenario
		code string
		msg  string
	}{
		{"no phones", f.analyst, service.Scenario{}, errs.Invalid, "1 to 20 phones"},
		{"an unknown level", f.analyst, service.Scenario{Products: []service.ScenarioProduct{{Name: "X", Levels: map[string]string{"size": "huge"}}}}, errs.Invalid, `no level "huge"`},
		{"an attribute the survey did not show", f.analyst, service.Scenario{Products: []service.ScenarioProduct{{Name: "X", Levels: map[string]string{"colour": "blue"}}}}, errs.Invalid, `unknown attribute "colour"`},
		{"a name twice", f.analyst, service.Scenario{Products: []service.ScenarioProduct{{Name: "X"}, {Name: "X"}}}, errs.Invalid, "twice"},
		{"a customer", f.ana, sc, errs.Forbidden, ""},
		{"another analyst", anotherAnalyst(t, f), sc, errs.NotFound, ""},
		{"an admin", f.admin, sc, "", ""},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.svc.SimulateFit(tt.ctx, j.ID, tt.sc, nil)
			if code(err) != tt.code || !strings.Contains(errs.Message(err), tt.msg) {
				t.Errorf("SimulateFit: %v, want code %q with %q", err, tt.code, tt.msg)
			}
		})
	}
}

func anotherAnalyst(t *testing.T, f *fixture) context.Context {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), account.SignUp{Email: "an2@example.com", Password: "long enough pw", Name: "An2"}, account.Analyst, true)
	if err != nil {
		t.Fatal(err)
	}
	return account.NewContext(context.Background(), u)
}
