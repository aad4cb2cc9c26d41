package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// MustAnswers has n simulated customers answer an open survey.
func (e *env) MustAnswers(tb testing.TB, surveyID string, n int) {
	tb.Helper()
	ctx := context.Background()
	as := account.NewContext(ctx, account.User{ID: "trusted", Role: account.Admin})
	st, err := e.svc.Survey(as, surveyID)
	if err != nil {
		tb.Fatal(err)
	}
	eng, _, err := e.svc.Engine(ctx, st.ModelID)
	if err != nil {
		tb.Fatal(err)
	}
	people := population.Draw(eng.Model(), population.PhoneSegments, n, rand.New(rand.NewPCG(1, 2)))
	answers, err := survey.Simulate(st.Design, people, 3, 2)
	if err != nil {
		tb.Fatal(err)
	}
	users := make([]account.User, n)
	for i := range users {
		users[i] = account.User{Email: fmt.Sprintf("sim-%d-%s@example.com", i, surveyID), Name: "Sim", Role: account.Customer}
	}
	if users, err = e.svc.ImportUsers(ctx, users); err != nil {
		tb.Fatal(err)
	}
	rs, err := st.Design.Responses(answers, func(i int) string { return users[i].ID })
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.svc.ImportSurveyResponses(ctx, surveyID, rs); err != nil {
		tb.Fatal(err)
	}
}

// MustFinish polls a job until it ends.
func (c *client) MustFinish(tb testing.TB, id string) Job {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j := MustDecode[Job](tb, c.Do("GET", "/api/v1/jobs/"+id, "").Want(tb, 200))
		if j.Status == "done" || j.Status == "failed" || j.Status == "cancelled" {
			return j
		}
		if time.Now().After(deadline) {
			tb.Fatalf("job %s still %s after 30 s: %+v", id, j.Status, j)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFitsAPI(t *testing.T) {
	t.Parallel()
	e := MustJobsEnv(t, map[string]jobs.Handler{})
	analyst := e.MustUser(t, "Ana Lyst", account.Analyst)
	other := e.MustUser(t, "Otto Analyst", account.Analyst)
	carla := e.MustSignup(t, "Carla")
	s := MustDecode[Survey](t, analyst.Do("POST", "/api/v1/surveys", surveyBody).Want(t, 201))
	path := "/api/v1/surveys/" + s.ID + "/fits"

	MustProblem(t, analyst.Do("POST", path, `{"method": "hb"}`), 400, "has no answers yet")
	analyst.Do("POST", "/api/v1/surveys/"+s.ID+"/open", "").Want(t, 200)
	e.MustAnswers(t, s.ID, 80)

	MustProblem(t, carla.Do("POST", path, `{"method": "hb"}`), 403, "Your role (customer) may not manage surveys.")
	MustProblem(t, analyst.Do("POST", path, `{"method": "ols"}`), 400, `Unknown estimation method "ols"`)
	MustProblem(t, analyst.Do("POST", path, `{"method": "hb", "draws": 100}`), 400, "mixed logit (mxl) only")
	MustProblem(t, analyst.Do("POST", path, `{"method": "hb", "seed": -1}`), 400, "seed")
	MustProblem(t, analyst.Do("POST", path, `{"method": "hb", "model": "x"}`), 400, "Unknown field")
	MustProblem(t, analyst.Do("POST", "/api/v1/surveys/nope/fits", `{"method": "hb"}`), 404, "")

	r := analyst.Do("POST", path, `{"method": "hb", "iterations": 400}`).Want(t, 202)
	j := MustDecode[Job](t, r)
	if j.Kind != "fit" || j.Subject != "survey:"+s.ID || r.header.Get("Location") != "/api/v1/jobs/"+j.ID {
		t.Errorf("submitted %+v at %q: want a fit of the survey, located at its job", j, r.header.Get("Location"))
	}
	var in service.FitInput
	if err := json.Unmarshal(j.Input, &in); err != nil || in != (service.FitInput{SurveyID: s.ID, Method: "hb", Iterations: 400, Seed: 1}) {
		t.Errorf("input %s (%v): want the settings with defaults", j.Input, err)
	}
	done := analyst.MustFinish(t, j.ID)
	if done.Status != "done" || done.Progress != 1 || !strings.HasPrefix(done.Message, "iteration 400 of 400: mean log-likelihood") {
		t.Fatalf("fit ended %+v", done)
	}
	var out service.FitOutput
	if err := json.Unmarshal(done.Output, &out); err != nil {
		t.Fatal(err)
	}
	if out.SurveyID != s.ID || out.Result == nil || out.Result.HB == nil || len(out.Result.HB.Individual) != 80 ||
		len(out.Importances) != 3 || len(out.WTP) == 0 || out.HitRate == nil || out.HoldoutCases != 80 {
		t.Errorf("output: survey %s, %d importances, %d WTP, hit rate %v on %d: want the survey's HB fit with its figures",
			out.SurveyID, len(out.Importances), len(out.WTP), out.HitRate, out.HoldoutCases)
	}
	for _, w := range []string{`"willingness_to_pay"`, `"importances"`, `"holdout_hit_rate"`, `"survey_name": "Sizes and colours"`, `"currency": "EUR"`} {
		if !strings.Contains(string(pretty(done.Output)), w) {
			t.Errorf("output lacks %s", w)
		}
	}

	list := MustDecode[JobList](t, analyst.Do("GET", path, "").Want(t, 200))
	if len(list.Items) != 1 || list.Items[0].ID != j.ID || list.Items[0].Output != nil {
		t.Errorf("the survey's fits %+v: want the fit without its output", list.Items)
	}
	if l := MustDecode[JobList](t, other.Do("GET", path, "").Want(t, 200)); len(l.Items) != 0 {
		t.Errorf("another analyst sees fits %+v", l.Items)
	}
	if l := MustDecode[JobList](t, analyst.Do("GET", "/api/v1/jobs?subject=survey:"+s.ID, "").Want(t, 200)); len(l.Items) != 1 {
		t.Errorf("jobs of the survey's subject: %+v", l.Items)
	}

	// The simulator.
	sim := "/api/v1/fits/" + j.ID + "/simulate"
	body := `{"products": [{"name": "Max", "levels": {"size": "max", "colour": "blue"}, "price": 79900, "own": true},
		{"name": "Compact", "levels": {"size": "compact"}, "price": 49900}], "rule": "logit", "none": true}`
	o := MustDecode[market.Outcome](t, analyst.Do("POST", sim, body).Want(t, 200))
	sum := 0.0
	for _, x := range o.Shares {
		sum += x
	}
	if strings.Join(o.Products, ",") != "Max,Compact,None" || math.Abs(sum-1) > 1e-9 || o.People != 80 || o.OwnShare != o.Shares[0] {
		t.Errorf("simulation %+v: want Max, Compact and none, shares summing to 1 over the 80 respondents", o)
	}
	if o := MustDecode[market.Outcome](t, analyst.Do("POST", sim, strings.Replace(body, `"logit"`, `"rfc"`, 1)).Want(t, 200)); o.Options.Rule != market.RandomizedFirstChoice {
		t.Errorf("rule %v, want randomised first choice", o.Options.Rule)
	}
	MustProblem(t, analyst.Do("POST", sim, `{"products": [{"name": "X", "levels": {"size": "huge"}, "price": 1}]}`), 400, `no level "huge"`)
	MustProblem(t, analyst.Do("POST", sim, `{"products": [{"name": "X", "price": 1}], "rule": "best"}`), 400, "unknown simulation rule")
	MustProblem(t, analyst.Do("POST", sim, `{"products": []}`), 400, "1 to 20 phones")
	MustProblem(t, carla.Do("POST", sim, body), 403, "")
	MustProblem(t, other.Do("POST", sim, body), 404, "")
	MustProblem(t, analyst.Do("POST", "/api/v1/fits/nope/simulate", body), 404, "")

	// A fit that is not done yet cannot simulate.
	long := MustDecode[Job](t, analyst.Do("POST", path, `{"method": "hb", "iterations": 100000}`).Want(t, 202))
	MustProblem(t, analyst.Do("POST", "/api/v1/fits/"+long.ID+"/simulate", body), 409, "simulate once it is done")
	analyst.Do("POST", "/api/v1/jobs/"+long.ID+"/cancel", "").Want(t, 200)
	if j := analyst.MustFinish(t, long.ID); j.Status != "cancelled" {
		t.Errorf("the long fit ended %s after a cancel, want cancelled", j.Status)
	}
}

func pretty(b json.RawMessage) []byte {
	var v any
	json.Unmarshal(b, &v)
	out, _ := json.MarshalIndent(v, "", " ")
	return out
}

// FuzzFitDecoders sends arbitrary bodies to the fit endpoints that take
// one: submitting a fit and simulating in a fit's market. No body may cause
// a server error or an answer that is not JSON.
func FuzzFitDecoders(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `[]`, `{} x`, `{"method": "hb"}`, `{"method": "mxl", "draws": 1e9}`, `{"method": "mnl", "seed": -5}`,
		`{"products": [{"name": "A", "levels": {"size": "max"}, "price": 79900}], "rule": "rfc", "none": true}`,
		`{"products": [{"name": "A", "levels": null, "price": -1}]}`, `{"products": [{}], "rule": ""}`,
	} {
		f.Add(false, s)
		f.Add(true, s)
	}
	e := MustSharedEnv(f)
	analyst := e.MustUser(f, fmt.Sprintf("Fit analyst %d", time.Now().UnixNano()), account.Analyst)
	s := MustDecode[Survey](f, analyst.Do("POST", "/api/v1/surveys", surveyBody).Want(f, 201))
	f.Fuzz(func(t *testing.T, simulate bool, body string) {
		path := "/api/v1/surveys/" + s.ID + "/fits"
		if simulate {
			path = "/api/v1/fits/nope/simulate"
		}
		r := analyst.Do("POST", path, body)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.code >= 500 {
			t.Fatalf("POST %s: status %d for %q: %s", path, r.code, body, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" && ct != "application/problem+json" || !json.Valid(r.body) {
			t.Fatalf("POST %s: %q answered %q: %s", path, body, ct, r.body)
		}
	})
}
