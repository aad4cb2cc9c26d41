package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// mustAnswers has n simulated customers answer an open survey.
func (fx *fixture) mustAnswers(t *testing.T, st survey.Stored, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := fx.svc.Survey(account.NewContext(ctx, account.User{ID: "trusted", Role: account.Admin}), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := fx.svc.Engine(ctx, st.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	people := population.Draw(e.Model(), population.PhoneSegments, n, rand.New(rand.NewPCG(2, 3)))
	answers, err := survey.Simulate(st.Design, people, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	users := make([]account.User, n)
	for i := range users {
		users[i] = account.User{Email: fmt.Sprintf("r%d@example.com", i), Name: "R", Role: account.Customer,
			Region: []string{"europe", "north-america"}[i%2]}
	}
	if users, err = fx.svc.ImportUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	rs, err := st.Design.Responses(answers, func(i int) string { return users[i].ID })
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.svc.ImportSurveyResponses(ctx, st.ID, rs); err != nil {
		t.Fatal(err)
	}
}

// mustRunFit runs a queued fit as the runner would and records its end.
func (fx *fixture) mustRunFit(t *testing.T, j job.Job) {
	t.Helper()
	ctx := context.Background()
	claimed, ok, err := fx.db.ClaimJob(ctx, []string{service.FitKind}, time.Now())
	if err != nil || !ok || claimed.ID != j.ID {
		t.Fatalf("ClaimJob = %+v, %v, %v", claimed, ok, err)
	}
	out, err := fx.svc.RunFit(ctx, claimed, func(float64, string) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.db.FinishJob(ctx, j.ID, claimed.Attempts, job.Done, b, "", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestFitPages(t *testing.T) {
	fx := newFixture(t)
	ana := fx.mustUser(t, "Ana", account.Analyst, "", "")
	other := fx.mustUser(t, "Otto", account.Analyst, "", "")
	carla := fx.mustUser(t, "Carla", account.Customer, "", "")
	c := fx.client(t, &ana)
	st := fx.mustSurvey(t, ana, true)
	surveyPath := "/surveys/" + st.ID

	// Without answers there is nothing to fit.
	if _, body := get(t, c, fx.srv.URL+surveyPath); strings.Contains(body, `id="fit-form"`) || !strings.Contains(body, "Once customers have answered") {
		t.Error("the survey page offers a fit before any answer")
	}
	fx.mustAnswers(t, st, 120)
	_, body := get(t, c, fx.srv.URL+surveyPath)
	for _, want := range []string{`<form method="post" action="/surveys/` + st.ID + `/fits"`, `<option value="hb" selected>Hierarchical Bayes</option>`, `id="fit-iterations"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the survey page lacks %s", want)
		}
	}

	// A mistake shows the survey again with the message and the values.
	res, body := post(t, c, fx.srv.URL+surveyPath+"/fits", url.Values{"method": {"hb"}, "iterations": {"50"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "100 to 100000 iterations") || !strings.Contains(body, `id="fit-iterations" value="50"`) {
		t.Errorf("a bad fit form: status %d; want 400 with the message and the values kept", res.StatusCode)
	}
	if res, _ := post(t, c, fx.srv.URL+surveyPath+"/fits", url.Values{"method": {"hb"}, "iterations": {"lots"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("iterations that are no number: status %d, want 400", res.StatusCode)
	}
	if res, _ := post(t, fx.client(t, &carla), fx.srv.URL+surveyPath+"/fits", url.Values{"method": {"hb"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a customer submits a fit: status %d, want 403", res.StatusCode)
	}
	// Draws belong to mixed logit: the form ignores them for HB.
	res, _ = post(t, c, fx.srv.URL+surveyPath+"/fits", url.Values{"method": {"hb"}, "iterations": {"400"}, "draws": {"100"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("submit a fit: status %d to %q, want 303 to its job", res.StatusCode, loc)
	}
	id := strings.TrimPrefix(loc, "/jobs/")
	fit, err := fx.svc.Fit(ana.ctx, id)
	if err != nil || fit.Input.Iterations != 400 || fit.Input.Draws != 0 || fit.Input.Method != choice.HB {
		t.Fatalf("the submitted fit %+v, %v: want HB with 400 iterations", fit.Input, err)
	}

	// Queued: the job page names the fit and hides the results link; the
	// results and the simulator lead to the job page.
	_, body = get(t, c, fx.srv.URL+loc)
	for _, want := range []string{`<p id="job-results" hidden><a class="button" href="/fits/` + id + `"`, `Hierarchical Bayes, 400 iterations, of the answers to <a href="` + surveyPath + `">Phones &lt;2026&gt;</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the queued fit's job page lacks %s", want)
		}
	}
	for _, p := range []string{"/fits/" + id, "/fits/" + id + "/simulate"} {
		if res, _ := get(t, c, fx.srv.URL+p); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != loc {
			t.Errorf("GET %s of a queued fit: %d to %q, want 303 to the job", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if _, body := get(t, c, fx.srv.URL+surveyPath); !strings.Contains(body, `<tr data-fit="`+id+`" data-status="queued">`) || !strings.Contains(body, `<a href="`+loc+`">Progress</a>`) {
		t.Error("the survey page does not list the queued fit with its progress")
	}

	fx.mustRunFit(t, fit.Job)
	if _, body := get(t, c, fx.srv.URL+loc); !strings.Contains(body, `<p id="job-results"><a class="button" href="/fits/`+id+`"`) {
		t.Error("the done fit's job page hides the results link")
	}
	if _, body := get(t, c, fx.srv.URL+surveyPath); !strings.Contains(body, `<a href="/fits/`+id+`">Results</a>`) {
		t.Error("the survey page does not lead to the done fit's results")
	}

	// The results.
	res, body = get(t, c, fx.srv.URL+"/fits/"+id)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("results: status %d", res.StatusCode)
	}
	for _, want := range []string{
		`data-chart="pw-size"`, `data-chart="pw-colour"`, `data-chart="pw-storage"`, `data-reference="true"`, `class="chart-whisker"`,
		`data-chart="importances"`, `<g data-label="Price" data-share=`, `id="fit-wtp"`, `<td>Body size</td><td>Max, 6.8-inch display</td>`,
		`data-figure="hit-rate"`, `data-figure="geweke"`, `<td>Price</td>`, `the utility of paying €100 more`,
		`Hierarchical Bayes multinomial logit`, `href="/api/v1/jobs/` + id + `" download="fit-` + id + `.json"`,
		`href="/fits/` + id + `/simulate"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the results page lacks %s", want)
		}
	}
	if regexp.MustCompile(`<[^>]+ style=`).MatchString(body) || strings.Contains(body, "<style") {
		t.Error("the results page has inline style, which the CSP forbids")
	}
	for _, tt := range []struct {
		name string
		c    *http.Client
		code int
	}{{"another analyst", fx.client(t, &other), 404}, {"a customer", fx.client(t, &carla), 403}} {
		for _, p := range []string{"/fits/" + id, "/fits/" + id + "/simulate"} {
			if res, _ := get(t, tt.c, fx.srv.URL+p); res.StatusCode != tt.code {
				t.Errorf("GET %s as %s: %d, want %d", p, tt.name, res.StatusCode, tt.code)
			}
		}
	}

	// The simulator: three phones to start with, and their shares.
	sim := fx.srv.URL + "/fits/" + id + "/simulate"
	res, body = get(t, c, sim)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("simulator: status %d", res.StatusCode)
	}
	for _, want := range []string{
		`id="sim-name-0" value="Tailor Phone"`, `id="sim-price-1" value="499"`, `id="sim-price-2" value="1249"`, `id="sim-own-0" checked`,
		`<option value="max" selected>`, `id="sim-none" checked`, `<tr data-name="None of these" data-none="true">`,
		`data-chart="shares"`, `data-chart="price-curve"`, `Price curve of Tailor Phone`,
		// A hierarchical Bayes fit knows its respondents: shares by the
		// region they gave.
		`<figcaption>Shares by region</figcaption>`, `<tr data-segment="Europe"><th>Europe</th><td class="num">60</td>`,
		`<tr data-segment="North America">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the simulator lacks %s", want)
		}
	}
	if n := strings.Count(body, `<tr data-phone=`); n != simulatorRows {
		t.Errorf("the form has %d rows, want %d", n, simulatorRows)
	}
	q := url.Values{"p0-name": {"Solo"}, "p0-a-size": {"max"}, "p0-price": {"799"}, "rule": {"first-choice"}}
	_, body = get(t, c, sim+"?"+q.Encode())
	for _, want := range []string{`<tr data-name="Solo"><td>Solo</td><td class="num" data-share>100.0%</td>`, `<option value="first-choice" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("a lone phone without none: the page lacks %s", want)
		}
	}
	if strings.Contains(body, `data-none="true"`) || strings.Contains(body, `id="sim-none" checked`) {
		t.Error("none is offered though the form left it unticked")
	}
	q.Set("p0-price", "cheap")
	if res, body := get(t, c, sim+"?"+q.Encode()); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `Solo: &#34;cheap&#34; is not an amount`) || !strings.Contains(body, `value="cheap"`) {
		t.Errorf("a bad price: status %d; want 400 with the message and the form as entered", res.StatusCode)
	}
	q = url.Values{"p0-name": {"X"}, "p0-price": {"1"}, "p1-name": {"X"}, "p1-price": {"2"}}
	if res, body := get(t, c, sim+"?"+q.Encode()); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "appears twice") {
		t.Errorf("two phones of one name: status %d, want 400 saying so", res.StatusCode)
	}
}

func TestCurvePrices(t *testing.T) {
	d := &survey.Survey{Currency: "EUR", Prices: []int64{39900, 79900, 119900}}
	got := curvePrices(d)
	want := []int64{39900, 49900, 59900, 69900, 79900, 89900, 99900, 109900, 119900}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("curve prices %v, want %v", got, want)
	}
	// Whole currency units only.
	d.Prices = []int64{10000, 10150}
	for _, p := range curvePrices(d) {
		if p%100 != 0 {
			t.Errorf("price %d is not a whole euro", p)
		}
	}
	if curvePrices(&survey.Survey{}) != nil {
		t.Error("a price curve for a survey without prices")
	}
}

func TestFormatMajor(t *testing.T) {
	for _, tt := range []struct {
		x    float64
		cur  string
		want string
	}{{43.4, "EUR", "€43"}, {-35.5, "EUR", "-€36"}, {1249.2, "USD", "$1,249"}, {12, "XYZ", "XYZ 12"}} {
		if got := formatMajor(tt.x, tt.cur); got != tt.want {
			t.Errorf("formatMajor(%v, %s) = %q, want %q", tt.x, tt.cur, got, tt.want)
		}
	}
}

func TestScenarioOf(t *testing.T) {
	d := &survey.Survey{Attributes: []survey.Attribute{{Name: "size", Levels: []survey.Level{{Name: "compact"}, {Name: "max"}}}}}
	phones := fillPhones(d, []simPhone{
		{Name: "A", Price: "599.50", Own: true, Levels: levelSelects(d, map[string]string{"size": "max"})},
		{Name: "", Price: "1", Levels: levelSelects(d, nil)}, // no name: left out
		{Name: "B", Levels: levelSelects(d, nil)},
	})
	if _, err := scenarioOf(phones, "EUR", true); err == nil || !strings.Contains(errs.Message(err), "Give B a price") {
		t.Errorf("a phone without a price in a survey with prices: %v", err)
	}
	sc, err := scenarioOf(phones, "EUR", false)
	if err != nil {
		t.Fatal(err)
	}
	want := []service.ScenarioProduct{{Name: "A", Levels: map[string]string{"size": "max"}, Price: 59950, Own: true}, {Name: "B", Levels: map[string]string{}}}
	if diff := cmp.Diff(want, sc.Products); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if _, err := scenarioOf(fillPhones(d, nil), "EUR", true); err == nil {
		t.Error("a scenario without phones")
	}
}
