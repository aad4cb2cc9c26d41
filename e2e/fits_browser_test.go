package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// TestBrowserFit drives a model fit in headless Chromium: the analyst
// starts a hierarchical Bayes fit from the survey's page, follows its
// progress on the job's page, opens the results (part-worths, importances,
// willingness to pay) and simulates a market with a phone of their own.
func TestBrowserFit(t *testing.T) {
	chromium := findChromium(t)
	app := startApp(t)
	analyst := account.SignUp{Name: "Ana Lyst", Email: "ana@example.com", Password: "staple battery horse"}
	u, err := app.svc.CreateUser(t.Context(), analyst, account.Analyst, true)
	if err != nil {
		t.Fatal(err)
	}
	st := answeredSurvey(t, app.svc, account.NewContext(t.Context(), u), 400)
	b := startBrowser(t, chromium, app.url)
	b.signIn(t, analyst)
	defer b.checkConsole(t)
	text := func(id string) string { return `document.getElementById("` + id + `").textContent` }

	b.navigate(t, "/surveys/"+st.ID)
	b.wait(t, chromedp.WaitVisible(chromedp.ID("fit-form")), "the fit form")
	b.do(t, "fill in the fit form",
		chromedp.SetValue(chromedp.ID("fit-method"), "hb"),
		chromedp.SendKeys(chromedp.ID("fit-iterations"), "8000"),
	)
	b.submit(t, "fit-submit")
	b.wait(t, chromedp.WaitVisible(chromedp.ID("job-progress")), "the fit's job page")
	jobID := strings.TrimPrefix(b.eval(t, `location.pathname`), "/jobs/")

	// Progress: the sweeps as they go, then the results link.
	b.waitTrue(t, "the fit under way", `/^iteration [0-9,]+ of 8,000: mean log-likelihood/.test(`+text("job-message")+`)`)
	if b.eval(t, text("job-status")) == "Running" {
		b.screenshot(t, "fit-running")
	}
	b.waitTrue(t, "the fit done", text("job-status")+` === "Done" && !document.getElementById("job-results").hidden && `+text("job-percent")+` === "100%"`)
	if got := b.eval(t, text("job-message")); !strings.HasPrefix(got, "iteration 8,000 of 8,000") {
		t.Errorf("the last note %q, want the last sweep", got)
	}
	b.submit(t, "job-results-link")

	// The results.
	b.wait(t, chromedp.WaitVisible(chromedp.ID("fit-figures")), "the results page")
	if got, want := b.eval(t, `location.pathname`), "/fits/"+jobID; got != want {
		t.Errorf("the results are at %s, want %s", got, want)
	}
	for what, expr := range map[string]string{
		"part-worth charts, one per attribute":  `document.querySelectorAll('#fit-partworths svg[data-chart^="pw-"]').length === 3`,
		"reference levels at 0":                 `document.querySelectorAll('#fit-partworths g[data-reference="true"]').length === 3`,
		"intervals":                             `document.querySelectorAll('#fit-partworths .chart-whisker').length >= 6`,
		"importances of 3 attributes and price": `document.querySelectorAll('#fit-importances g[data-share]').length === 4`,
		"willingness to pay in euros":           `[...document.querySelectorAll('#fit-wtp tbody tr')].length >= 6 && document.getElementById("fit-wtp").textContent.includes("€")`,
		"the holdout hit rate":                  `/%$/.test(document.querySelector('[data-figure="hit-rate"] strong').textContent)`,
		"the estimates table":                   text("fit-estimates") + `.includes("Hierarchical Bayes multinomial logit")`,
	} {
		if b.eval(t, `String(`+expr+`)`) != "true" {
			t.Errorf("the results page lacks %s", what)
		}
	}
	// The largest body is worth more than the smallest, as the segments
	// have it.
	if v, err := strconv.ParseFloat(b.eval(t, `document.querySelector('#fit-partworths svg[data-chart="pw-size"] g[data-label^="Max"]').dataset.value`), 64); err != nil || v <= 0 {
		t.Errorf("the part-worth of the max body is %v (%v), want positive", v, err)
	}
	b.screenshot(t, "fit-results")

	// The simulator: three phones to start with; the analyst adds one.
	b.submit(t, "fit-simulate")
	b.wait(t, chromedp.WaitVisible(chromedp.ID("sim-results")), "the simulator with the first shares")
	if got := b.eval(t, `[...document.querySelectorAll("#sim-table tbody tr")].map(r => r.dataset.name).join(", ")`); got != "Tailor Phone, Budget rival, Flagship rival, None of these" {
		t.Errorf("the simulator starts with %q", got)
	}
	b.do(t, "describe a fourth phone",
		chromedp.SendKeys(chromedp.ID("sim-name-3"), "Challenger"),
		chromedp.SetValue(chromedp.ID("sim-level-3-size"), "max"),
		chromedp.SetValue(chromedp.ID("sim-level-3-storage"), "512gb"),
		chromedp.SendKeys(chromedp.ID("sim-price-3"), "649"),
		chromedp.Click(chromedp.ID("sim-own-3")),
		chromedp.SetValue(chromedp.ID("sim-rule"), "rfc"),
	)
	b.submit(t, "sim-run")
	b.wait(t, chromedp.WaitVisible(chromedp.ID("sim-results")), "the new shares")
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll("#sim-table tbody tr")].map(r => [r.dataset.name, r.querySelector("[data-share]").textContent]))`))
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for name, v := range rows {
		x, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		if err != nil {
			t.Fatalf("share of %s: %q", name, v)
		}
		total += x
	}
	if _, ok := rows["Challenger"]; !ok || rows["None of these"] == "" || len(rows) != 5 || total < 99.5 || total > 100.5 {
		t.Errorf("shares %v (total %.1f%%): want the four phones and none, summing to 100%%", rows, total)
	}
	if got := b.eval(t, `String(document.querySelectorAll("#sim-curve circle[data-share]").length)`); got != "9" {
		t.Errorf("the price curve has %s points, want 9", got)
	}
	if got := b.eval(t, `document.getElementById("sim-rule").value + " " + document.getElementById("sim-name-3").value`); got != "rfc Challenger" {
		t.Errorf("the form after the run holds %q, want the scenario as entered", got)
	}
	b.screenshot(t, "simulator")
}

// answeredSurvey designs and opens a survey of body size, storage and
// colour with prices, as the analyst, and has n simulated customers of the
// phone's segments answer it.
func answeredSurvey(t *testing.T, svc *service.Service, analyst context.Context, n int) survey.Stored {
	t.Helper()
	st, err := svc.CreateSurvey(analyst, service.SurveyInput{Name: "Size, storage and colour", Spec: survey.Spec{
		Attributes: []string{"size", "storage", "colour"},
		Price:      survey.Price{Min: 39900, Max: 99900, Steps: 4},
		Versions:   10, Tasks: 8, Concepts: 3, None: true, Holdouts: 2, Seed: 4,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OpenSurvey(analyst, st.ID); err != nil {
		t.Fatal(err)
	}
	e, _, err := svc.Engine(analyst, st.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	people := population.Draw(e.Model(), population.PhoneSegments, n, rand.New(rand.NewPCG(5, 6)))
	answers, err := survey.Simulate(st.Design, people, 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	users := make([]account.User, n)
	for i := range users {
		users[i] = account.User{Email: fmt.Sprintf("shopper-%d@example.com", i), Name: "Shopper", Role: account.Customer}
	}
	if users, err = svc.ImportUsers(t.Context(), users); err != nil {
		t.Fatal(err)
	}
	per := st.Design.TasksPerRespondent()
	rs := make([]survey.Response, n)
	for i := range rs {
		rs[i] = survey.Response{UserID: users[i].ID, Version: answers[i*per].Version}
		for _, a := range answers[i*per : (i+1)*per] {
			rs[i].Choices = append(rs[i].Choices, a.Choice)
		}
	}
	if err := svc.ImportSurveyResponses(t.Context(), st.ID, rs); err != nil {
		t.Fatal(err)
	}
	return st
}
