package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/campaign"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// doneFit fits hierarchical Bayes to a small answered survey of body size
// and storage (three prices, 399 to 999 euros) and returns its job.
func doneFit(t *testing.T, f *fixture, people int) job.Job {
	t.Helper()
	st := answeredSurvey(t, f, people)
	j, _, _ := runFit(t, f, f.analyst, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 300})
	return j
}

// notes records progress reports, safe for the solver's goroutines.
type notes struct {
	mu    sync.Mutex
	msgs  []string
	fracs []float64
}

func (n *notes) progress(frac float64, msg string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.fracs = append(n.fracs, frac)
	n.msgs = append(n.msgs, msg)
}

func (n *notes) all() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return strings.Join(n.msgs, "\n")
}

// runLineup claims a queued lineup job and runs it as the runner would,
// storing its end: done with its output, or failed with the error, which
// it returns.
func runLineup(t *testing.T, f *fixture, ctx context.Context, id string, n *notes) (service.Lineup, error) {
	t.Helper()
	claimed, ok, err := f.db.ClaimJob(context.Background(), []string{service.LineupKind}, *f.clock)
	if err != nil || !ok || claimed.ID != id {
		t.Fatalf("ClaimJob = %+v, %v, %v; want lineup %s", claimed, ok, err, id)
	}
	if n == nil {
		n = &notes{}
	}
	out, runErr := f.svc.RunLineup(context.Background(), claimed, n.progress)
	if runErr != nil {
		if err := f.db.FinishJob(context.Background(), id, claimed.Attempts, job.Failed, nil, errs.Message(runErr), *f.clock); err != nil {
			t.Fatal(err)
		}
		return service.Lineup{}, runErr
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("the output is not JSON: %v", err)
	}
	if err := f.db.FinishJob(context.Background(), id, claimed.Attempts, job.Done, b, "", *f.clock); err != nil {
		t.Fatal(err)
	}
	l, err := f.svc.Lineup(ctx, id)
	if err != nil || l.Output == nil {
		t.Fatalf("Lineup = %+v, %v; want the decoded output", l, err)
	}
	return l, nil
}

func TestSubmitLineup(t *testing.T) {
	f := newFixture(t)
	f.runner.kinds = append(f.runner.kinds, service.LineupKind)
	fit := doneFit(t, f, 40)
	planner, err := f.svc.CreateUser(context.Background(), account.SignUp{Email: "pl@example.com", Password: "long enough pw", Name: "Pl"}, account.Planner, true)
	if err != nil {
		t.Fatal(err)
	}
	pl := account.NewContext(context.Background(), planner)
	base := service.LineupInput{K: 2}
	with := func(change func(*service.LineupInput)) service.LineupInput {
		in := base
		change(&in)
		return in
	}
	tests := []struct {
		name  string
		ctx   context.Context
		fitID string
		in    service.LineupInput
		code  string
		msg   string
	}{
		{"nobody", f.anon, fit.ID, base, errs.Unauthorized, ""},
		{"a customer", f.ana, fit.ID, base, errs.Forbidden, ""},
		{"a planner, who runs analyses but not surveys", pl, fit.ID, base, errs.Forbidden, "manage surveys"},
		{"no fit", f.analyst, "", base, errs.Invalid, "Say which model fit"},
		{"an unknown fit", f.analyst, "nope", base, errs.NotFound, ""},
		{"another analyst's fit", anotherAnalyst(t, f), fit.ID, base, errs.NotFound, ""},
		{"no K", f.analyst, fit.ID, service.LineupInput{}, errs.Invalid, "Choose 1 to 12 variants, not 0"},
		{"K too large", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.K = 13 }), errs.Invalid, "not 13"},
		{"an unknown goal", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.Goal = "fame" }), errs.Invalid, `Unknown goal "fame"`},
		{"an unknown rule", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.Rule = 7 }), errs.Invalid, "Unknown choice rule"},
		{"an unknown method", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.Method = "magic" }), errs.Invalid, `Unknown method "magic"`},
		{"too long", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.Seconds = 601 }), errs.Invalid, "1 to 600 seconds"},
		{"a free phone", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.Prices = []int64{49900, 0} }), errs.Invalid, "Prices must be positive"},
		{"a negative margin", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.MinMargin = -1 }), errs.Invalid, "minimum margin"},
		{"a margin rate of 100%", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.MinMarginRate = 1 }), errs.Invalid, "0.3 for 30%"},
		{"negative parts", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.MaxParts = -1 }), errs.Invalid, "distinct parts"},
		{"more required variants than K", f.analyst, fit.ID, with(func(in *service.LineupInput) {
			in.Must = []lineup.Fixed{{Levels: map[string]string{"size": "max"}, Price: 1}, {Levels: map[string]string{"size": "max"}, Price: 2}, {Levels: map[string]string{"size": "max"}, Price: 3}}
		}), errs.Invalid, "3 required variants do not fit in a lineup of 2"},
		{"a required variant without a price", f.analyst, fit.ID, with(func(in *service.LineupInput) {
			in.Must = []lineup.Fixed{{Levels: map[string]string{"size": "max"}}}
		}), errs.Invalid, "Required variant 1 needs a positive price"},
		{"a seed too large for JSON", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.Seed = 1 << 60 }), errs.Invalid, "2^53"},
		// Checked against the done fit's model.
		{"an unknown attribute", f.analyst, fit.ID, with(func(in *service.LineupInput) { in.EachOf = "oss" }), errs.Invalid, `no attribute "oss" (did you mean "os"?)`},
		{"an analyst", f.analyst, fit.ID, base, "", ""},
		{"an admin", f.admin, fit.ID, with(func(in *service.LineupInput) { in.Rule = market.RandomizedFirstChoice }), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.SubmitLineup(tt.ctx, tt.fitID, tt.in)
			if code(err) != tt.code || !strings.Contains(errs.Message(err), tt.msg) {
				t.Errorf("SubmitLineup: %v (code %q), want code %q with %q", err, code(err), tt.code, tt.msg)
			}
		})
	}

	// The job records the settings with the defaults and the survey's
	// prices, and its fit.
	j, err := f.svc.SubmitLineup(f.analyst, fit.ID, service.LineupInput{K: 3, Prices: []int64{69900, 49900, 69900}, EachOf: " os "})
	if err != nil {
		t.Fatal(err)
	}
	if j.Kind != service.LineupKind || j.Subject != "fit:"+fit.ID || j.Status != job.Queued {
		t.Errorf("job %+v: want a queued lineup of the fit", j)
	}
	l, err := f.svc.Lineup(f.analyst, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := service.LineupInput{FitID: fit.ID, Goal: lineup.Profit, K: 3, Rule: market.Logit, Method: lineup.Auto, Seconds: 20,
		Prices: []int64{49900, 69900}, EachOf: "os", Seed: 1}
	if diff := cmp.Diff(want, l.Input); diff != "" || l.Output != nil {
		t.Errorf("stored input (-want +got):\n%s\noutput %v, want none while queued", diff, l.Output)
	}
	j2, err := f.svc.SubmitLineup(f.analyst, fit.ID, service.LineupInput{K: 1, Goal: "share"})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := f.svc.Lineup(f.analyst, j2.ID); l.Input.Goal != lineup.Units || !slices.Equal(l.Input.Prices, []int64{39900, 69900, 99900}) {
		t.Errorf("a lineup for share: goal %q, prices %v; want units and the survey's three prices", l.Input.Goal, l.Input.Prices)
	}
	if _, err := f.svc.Lineup(f.analyst, fit.ID); code(err) != errs.NotFound {
		t.Errorf("Lineup of a fit: %v, want not found", err)
	}
	list, _, err := f.svc.FitLineups(f.analyst, fit.ID, job.Page{})
	if err != nil || len(list) != 3 || !slices.ContainsFunc(list, func(l service.Lineup) bool { return l.Job.ID == j2.ID && l.Input.K == 1 }) {
		t.Errorf("the fit's lineups: %d, %v; want the analyst's three", len(list), err)
	}
	if list, _, _ := f.svc.FitLineups(f.admin, fit.ID, job.Page{}); len(list) != 4 {
		t.Errorf("the admin sees %d lineups of the fit, want 4", len(list))
	}
	if _, _, err := f.svc.FitLineups(pl, fit.ID, job.Page{}); code(err) != errs.Forbidden {
		t.Errorf("a planner lists a fit's lineups: %v, want forbidden", err)
	}

	// A fit that was cancelled takes no lineup.
	fitted, err := f.svc.Fit(f.analyst, fit.ID)
	if err != nil {
		t.Fatal(err)
	}
	failed, err := f.svc.SubmitFit(f.analyst, service.FitInput{SurveyID: fitted.Input.SurveyID, Method: choice.MNL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CancelJob(f.analyst, failed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitLineup(f.analyst, failed.ID, base); code(err) != errs.Conflict || !strings.Contains(errs.Message(err), "cancelled") {
		t.Errorf("a lineup of a cancelled fit: %v, want conflict", err)
	}
}

// TestRunLineup chooses lineups in the market of a small fit and checks
// what the output says against the constraints and the report's sums.
func TestRunLineup(t *testing.T) {
	f := newFixture(t)
	f.runner.kinds = append(f.runner.kinds, service.LineupKind)
	fit := doneFit(t, f, 80)
	e, _, err := f.svc.Engine(f.analyst, f.model)
	if err != nil {
		t.Fatal(err)
	}
	mdl := e.Model()
	for _, tt := range []struct {
		name string
		in   service.LineupInput
	}{
		{"profit, one per OS, ladder", service.LineupInput{K: 3, EachOf: "os", Ladder: true, Seconds: 5}},
		{"units by first choice in a market of 10,000", service.LineupInput{K: 2, Goal: lineup.Units, Rule: market.FirstChoice, MarketSize: 10000, Seconds: 5}},
		{"revenue by rfc with a required phone", service.LineupInput{K: 2, Goal: lineup.Revenue, Rule: market.RandomizedFirstChoice, Seconds: 5, MinMarginRate: 0.5,
			Must: []lineup.Fixed{{Levels: map[string]string{"size": "compact", "storage": "128gb"}, Price: 54900}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j, err := f.svc.SubmitLineup(f.analyst, fit.ID, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var n notes
			l, err := runLineup(t, f, f.analyst, j.ID, &n)
			if err != nil {
				t.Fatalf("RunLineup: %v", err)
			}
			out, rep := l.Output, l.Output.Report
			if out.ModelID != f.model || out.Model != "Tailor Phone 2026.1.0" || out.Currency != "EUR" || out.SurveyName != "Size and storage" || out.FitMethod != choice.HB {
				t.Errorf("output names model %s (%s), currency %q, survey %q, fit %s", out.ModelID, out.Model, out.Currency, out.SurveyName, out.FitMethod)
			}
			if out.People != 80 || out.Phones == 0 || out.Candidates < out.Phones || len(rep.Variants) != tt.in.K {
				t.Fatalf("%d people, %d phones, %d candidates, %d variants", out.People, out.Phones, out.Candidates, len(rep.Variants))
			}
			if tt.in.Rule == market.RandomizedFirstChoice && out.Customers != 800 {
				t.Errorf("rfc with %d customers, want 80 people × 10 draws", out.Customers)
			}
			if out.Bound == nil || out.Gap == nil || *out.Bound < out.Objective-1e-6*math.Abs(out.Objective) || *out.Gap < 0 {
				t.Errorf("bound %v, gap %v for objective %v", out.Bound, out.Gap, out.Objective)
			}
			if math.Abs(out.Objective-rep.Objective) > 1e-6*math.Max(1, math.Abs(out.Objective)) {
				t.Errorf("objective %v, report's %v; want the same", out.Objective, rep.Objective)
			}
			units, profit := 0.0, 0.0
			seenOS := map[string]bool{}
			for v, vr := range rep.Variants {
				units += vr.Units
				profit += vr.Profit
				if !slices.Contains(l.Input.Prices, vr.Price) && len(tt.in.Must) == 0 {
					t.Errorf("variant %d at %d, off the grid %v", v, vr.Price, l.Input.Prices)
				}
				if len(vr.Config) != len(mdl.Attributes) {
					t.Errorf("variant %d has %d levels for %d attributes", v, len(vr.Config), len(mdl.Attributes))
				}
				seenOS[mdl.Attributes[mdl.Attr("os")].Levels[vr.Config[mdl.Attr("os")]].Name] = true
				if float64(vr.Price-vr.Cost) < tt.in.MinMarginRate*float64(vr.Price) {
					t.Errorf("variant %d: margin %d on a price of %d, below the rate %g", v, vr.Price-vr.Cost, vr.Price, tt.in.MinMarginRate)
				}
			}
			if math.Abs(units-rep.Units) > 1e-6*math.Max(1, units) || math.Abs(profit-rep.Profit) > 1e-6*math.Max(1, math.Abs(profit)) {
				t.Errorf("variants sum to %v units and %v profit; the report says %v and %v", units, profit, rep.Units, rep.Profit)
			}
			switch tt.name {
			case "profit, one per OS, ladder":
				if !seenOS["android"] || !seenOS["alios"] {
					t.Errorf("operating systems %v: want both", seenOS)
				}
				for _, a := range rep.Variants {
					for _, b := range rep.Variants {
						if a.Cost > b.Cost && a.Price <= b.Price {
							t.Errorf("ladder broken: cost %d at %d, cost %d at %d", a.Cost, a.Price, b.Cost, b.Price)
						}
					}
				}
			case "units by first choice in a market of 10,000":
				if rep.Units > 10000+1e-6 || rep.Units < 1000 || math.Abs(rep.Units-rep.Share*10000) > 1e-6 {
					t.Errorf("%v units, share %v in a market of 10,000", rep.Units, rep.Share)
				}
			case "revenue by rfc with a required phone":
				if !slices.ContainsFunc(rep.Variants, func(vr lineup.VariantReport) bool {
					return vr.Price == 54900 && vr.Levels["size"] == "compact" && vr.Levels["storage"] == "128gb"
				}) {
					t.Errorf("the required phone is not in the lineup %+v", rep.Variants)
				}
			}
			// Progress: building, then solving, forward only.
			all := n.all()
			if !strings.Contains(all, "listing the valid phones") || !strings.Contains(all, "variants; best ") || !strings.Contains(all, "people; ") {
				t.Errorf("progress notes:\n%s\nwant the listing, then the best so far", all)
			}
			for i := 1; i < len(n.fracs); i++ {
				if n.fracs[i] < n.fracs[i-1] {
					t.Errorf("progress went back from %v to %v", n.fracs[i-1], n.fracs[i])
					break
				}
			}
		})
	}
}

// TestLineupWaitsForItsFit: a lineup submitted while its fit is queued
// waits for the fit, saying so, and runs once it is done; one whose fit is
// cancelled fails, saying why; one cancelled while it waits stops.
func TestLineupWaitsForItsFit(t *testing.T) {
	f := newFixture(t)
	f.runner.kinds = append(f.runner.kinds, service.LineupKind)
	st := answeredSurvey(t, f, 40)
	fit, err := f.svc.SubmitFit(f.analyst, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	// Not checked against the market yet: the fit has none.
	j, err := f.svc.SubmitLineup(f.analyst, fit.ID, service.LineupInput{K: 2, EachOf: "nothing", Seconds: 2})
	if err != nil {
		t.Fatalf("a lineup of a queued fit: %v", err)
	}
	// Stamped after its fit, although the clock stands still, so that
	// workers claim the fit first.
	if !j.CreatedAt.After(fit.CreatedAt) {
		t.Errorf("the lineup was created at %v, its fit at %v: want it later", j.CreatedAt, fit.CreatedAt)
	}
	first, ok, err := f.db.ClaimJob(context.Background(), []string{service.LineupKind, service.FitKind}, *f.clock)
	if err != nil || !ok || first.ID != fit.ID {
		t.Fatalf("ClaimJob = %+v, %v, %v; want the fit first", first, ok, err)
	}
	claimed, ok, err := f.db.ClaimJob(context.Background(), []string{service.LineupKind}, *f.clock)
	if err != nil || !ok || claimed.ID != j.ID {
		t.Fatalf("ClaimJob = %+v, %v, %v", claimed, ok, err)
	}
	var n notes
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.RunLineup(context.Background(), claimed, n.progress)
		done <- err
	}()
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(n.all(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("no progress note %q in:\n%s", what, n.all())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("waiting for the model fit to finish (0% done)")
	finishFit(t, f, first)
	select {
	case err := <-done:
		// The fit is done: now the attribute is checked.
		if code(err) != errs.Invalid || !strings.Contains(errs.Message(err), `no attribute "nothing"`) {
			t.Errorf("RunLineup after the fit: %v, want the unknown attribute", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the lineup still waits after its fit is done")
	}

	// A fit that is cancelled fails its lineups.
	fit2, err := f.svc.SubmitFit(f.analyst, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	j2, err := f.svc.SubmitLineup(f.analyst, fit2.ID, service.LineupInput{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	j2.CreatedBy = account.FromContext(f.analyst).ID
	go func() {
		_, err := f.svc.RunLineup(context.Background(), j2, func(float64, string) {})
		done <- err
	}()
	if _, err := f.svc.CancelJob(f.analyst, fit2.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if code(err) != errs.Conflict || !strings.Contains(errs.Message(err), "was cancelled") {
			t.Errorf("RunLineup of a cancelled fit: %v, want conflict", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the lineup still waits after its fit was cancelled")
	}

	// Cancelled while it waits: it stops with the context's error.
	fit3, err := f.svc.SubmitFit(f.analyst, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	j3, err := f.svc.SubmitLineup(f.analyst, fit3.ID, service.LineupInput{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var n3 notes
	go func() {
		_, err := f.svc.RunLineup(ctx, j3, n3.progress)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for n3.all() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("RunLineup cancelled while waiting: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunLineup did not stop after its context ended")
	}
}

// finishFit runs a claimed fit as the runner would and records its end.
func finishFit(t *testing.T, f *fixture, claimed job.Job) {
	t.Helper()
	out, err := f.svc.RunFit(context.Background(), claimed, func(float64, string) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.FinishJob(context.Background(), claimed.ID, claimed.Attempts, job.Done, b, "", *f.clock); err != nil {
		t.Fatal(err)
	}
}

func TestCampaignDrafts(t *testing.T) {
	f := newFixture(t)
	f.runner.kinds = append(f.runner.kinds, service.LineupKind)
	fit := doneFit(t, f, 40)
	j, err := f.svc.SubmitLineup(f.analyst, fit.ID, service.LineupInput{K: 3, EachOf: "os", Seconds: 3})
	if err != nil {
		t.Fatal(err)
	}
	l, err := runLineup(t, f, f.analyst, j.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	queued, err := f.svc.SubmitLineup(f.analyst, fit.ID, service.LineupInput{K: 1})
	if err != nil {
		t.Fatal(err)
	}
	planner, err := f.svc.CreateUser(context.Background(), account.SignUp{Email: "pl@example.com", Password: "long enough pw", Name: "Pl"}, account.Planner, true)
	if err != nil {
		t.Fatal(err)
	}
	other := anotherAnalyst(t, f)
	for _, tt := range []struct {
		name string
		ctx  context.Context
		id   string
		code string
	}{
		{"nobody", f.anon, j.ID, errs.Unauthorized},
		{"a customer", f.ana, j.ID, errs.Forbidden},
		{"a planner", account.NewContext(context.Background(), planner), j.ID, errs.Forbidden},
		{"another analyst", other, j.ID, errs.NotFound},
		{"a fit", f.analyst, fit.ID, errs.NotFound},
		{"a lineup not done", f.analyst, queued.ID, errs.Conflict},
	} {
		if _, _, err := f.svc.CreateCampaignDrafts(tt.ctx, tt.id); code(err) != tt.code {
			t.Errorf("%s makes drafts: %v, want %q", tt.name, err, tt.code)
		}
	}
	cs, made, err := f.svc.CreateCampaignDrafts(f.analyst, j.ID)
	if err != nil || made != 3 || len(cs) != 3 {
		t.Fatalf("CreateCampaignDrafts = %d drafts, %d made, %v; want 3 and 3", len(cs), made, err)
	}
	e, _, err := f.svc.Engine(f.analyst, f.model)
	if err != nil {
		t.Fatal(err)
	}
	analyst := account.FromContext(f.analyst)
	for v, c := range cs {
		vr := l.Output.Report.Variants[v]
		if c.Status != campaign.Draft || c.Variant != v || c.LineupID != j.ID || c.Price != vr.Price || c.Cost != vr.Cost ||
			c.Currency != "EUR" || c.ModelID != f.model || c.CreatedBy != analyst.ID || !c.CreatedAt.Equal(*f.clock) || c.Name != vr.Name {
			t.Errorf("draft %d %+v does not match variant %+v", v, c, vr)
		}
		// The configuration is a valid phone of the model, with the
		// variant's levels.
		sel, err := service.ParseSelection(e, c.Config)
		if err != nil || len(c.Config) != len(e.Model().Attributes) || !e.Consistent(sel) {
			t.Errorf("draft %d: configuration %v is not a full valid phone (%v)", v, c.Config, err)
		}
		for a, level := range vr.Levels {
			if c.Config[a] != level {
				t.Errorf("draft %d: %s is %q, the variant's %q", v, a, c.Config[a], level)
			}
		}
	}
	// Asking again makes nothing new.
	again, made, err := f.svc.CreateCampaignDrafts(f.admin, j.ID)
	if err != nil || made != 0 || !cmp.Equal(cs, again) {
		t.Errorf("again: %d made, %v; want none and the same drafts", made, err)
	}
	list, _, err := f.svc.Campaigns(other, campaign.Filter{}, campaign.Page{})
	if err != nil || len(list) != 3 {
		t.Errorf("another analyst lists %d campaigns, %v; want the 3 drafts", len(list), err)
	}
	if _, _, err := f.svc.Campaigns(f.ana, campaign.Filter{}, campaign.Page{}); code(err) != errs.Forbidden {
		t.Errorf("a customer lists campaigns: %v, want forbidden", err)
	}
}

// TestLineupCompetitors: a competitor's phone takes share from the
// lineup (the same lineup, valued with and without it); an unknown level
// of a competitor is a clear error when the job runs.
func TestLineupCompetitors(t *testing.T) {
	f := newFixture(t)
	f.runner.kinds = append(f.runner.kinds, service.LineupKind)
	fit := doneFit(t, f, 80)
	run := func(in service.LineupInput) (service.Lineup, error) {
		j, err := f.svc.SubmitLineup(f.analyst, fit.ID, in)
		if err != nil {
			return service.Lineup{}, err
		}
		var n notes
		return runLineup(t, f, f.analyst, j.ID, &n)
	}
	base := service.LineupInput{K: 2, Seconds: 5, Method: lineup.Exact}
	alone, err := run(base)
	if err != nil {
		t.Fatal(err)
	}
	rival := base
	rival.Competitors = []service.Competitor{{Name: "Rival", Levels: map[string]string{"size": "max", "storage": "512gb"}, Price: 49900}}
	with, err := run(rival)
	if err != nil {
		t.Fatal(err)
	}
	if with.Output.Report.Share >= alone.Output.Report.Share {
		t.Errorf("share %v with a cheap rival, %v without; want less", with.Output.Report.Share, alone.Output.Report.Share)
	}
	if with.Output.Objective >= alone.Output.Objective {
		t.Errorf("profit %v with a cheap rival, %v without; want less", with.Output.Objective, alone.Output.Objective)
	}
	bad := base
	bad.Competitors = []service.Competitor{{Name: "Rival", Levels: map[string]string{"size": "huge"}, Price: 49900}}
	if _, err := run(bad); errs.Code(err) != errs.Invalid || !strings.Contains(errs.Message(err), "Competitor Rival") {
		t.Errorf("an unknown level: %v", err)
	}
	for _, c := range []service.Competitor{{Name: "", Price: 1}, {Name: "X", Price: 0}} {
		in := base
		in.Competitors = []service.Competitor{c}
		if _, err := f.svc.SubmitLineup(f.analyst, fit.ID, in); errs.Code(err) != errs.Invalid {
			t.Errorf("competitor %+v: %v, want invalid", c, err)
		}
	}
}

// TestRunLineupSearchesLevels: on a survey of eight attributes, whose
// levels with the operating system make more phones than lineup.Choose
// lists, the job searches over levels; the output says so, the variants
// keep the constraints, and their drafts are valid phones.
func TestRunLineupSearchesLevels(t *testing.T) {
	f := newFixture(t)
	f.runner.kinds = append(f.runner.kinds, service.LineupKind)
	spec := survey.Spec{Attributes: []string{"size", "main", "tele", "storage", "battery", "refresh", "chipset", "ram"},
		Price: survey.Price{Min: 39900, Max: 99900, Steps: 3}, Versions: 10, Tasks: 8, Concepts: 3, None: true, Holdouts: 2, Seed: 3}
	const n = 40
	st := answeredSurveyOf(t, f, "Eight attributes", spec, population.PhoneSegments, n)
	e, _, err := f.svc.Engine(f.analyst, f.model)
	if err != nil {
		t.Fatal(err)
	}
	fit, _, _ := runFit(t, f, f.analyst, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 200})
	j, err := f.svc.SubmitLineup(f.analyst, fit.ID, service.LineupInput{K: 3, EachOf: "os", Ladder: true, Seconds: 5})
	if err != nil {
		t.Fatal(err)
	}
	var notes notes
	l, err := runLineup(t, f, f.analyst, j.ID, &notes)
	if err != nil {
		t.Fatal(err)
	}
	out := l.Output
	if out.Method != lineup.Levels || out.Phones != 0 || out.Candidates != 0 || out.People != n || len(out.Report.Variants) != 3 || out.Gap == nil {
		t.Fatalf("output: method %s, %d phones, %d candidates, %d people, %d variants, gap %v; want a search over levels of 3 variants",
			out.Method, out.Phones, out.Candidates, out.People, len(out.Report.Variants), out.Gap)
	}
	if all := notes.all(); !strings.Contains(all, "searched over attribute levels for 40 people") {
		t.Errorf("progress notes:\n%s\nwant the search over levels", all)
	}
	seenOS := map[string]bool{}
	for _, a := range out.Report.Variants {
		seenOS[a.Levels["os"]] = true
		for _, b := range out.Report.Variants {
			if a.Cost > b.Cost && a.Price <= b.Price {
				t.Errorf("ladder broken: cost %d at %d, cost %d at %d", a.Cost, a.Price, b.Cost, b.Price)
			}
		}
	}
	if !seenOS["android"] || !seenOS["alios"] {
		t.Errorf("operating systems %v: want both", seenOS)
	}
	cs, made, err := f.svc.CreateCampaignDrafts(f.analyst, j.ID)
	if err != nil || made != 3 {
		t.Fatalf("drafts: %d made, %v", made, err)
	}
	for _, c := range cs {
		sel, err := service.ParseSelection(e, c.Config)
		if err != nil || !e.Consistent(sel) || len(c.Config) != len(e.Model().Attributes) {
			t.Errorf("draft %q: %v is not a full valid phone (%v)", c.Name, c.Config, err)
		}
	}
}
