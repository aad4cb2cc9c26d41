package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
)

const surveyBody = `{"name": "Sizes and colours", "spec": {"attributes": ["size", "colour"],
	"price": {"min": 49900, "max": 89900, "steps": 3}, "versions": 3, "tasks": 3, "concepts": 2, "none": true, "holdouts": 1, "seed": 9}}`

func TestSurveysAPI(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	analyst := e.MustUser(t, "Ana Lyst", account.Analyst)
	carla := e.MustSignup(t, "Carla")
	dan := e.MustSignup(t, "Dan")

	MustProblem(t, carla.Do("POST", "/api/v1/surveys", surveyBody), 403, "Your role (customer) may not manage surveys.")
	MustProblem(t, analyst.Do("POST", "/api/v1/surveys", `{"name": "x", "spec": {"attributes": ["colr"], "versions": 1, "tasks": 1, "concepts": 2}}`), 400, `did you mean "colour"`)
	MustProblem(t, analyst.Do("POST", "/api/v1/surveys", `{"name": "x", "spec": {"attributes": ["size"], "versions": 1, "tasks": 1, "concepts": 2, "seed": -1}}`), 400, "seed")
	s := MustDecode[Survey](t, analyst.Do("POST", "/api/v1/surveys", surveyBody).Want(t, 201))
	if s.Status != "draft" || s.Versions != 3 || s.Tasks != 4 || s.ModelID != e.model || s.Spec == nil || s.Spec.Seed != 9 {
		t.Errorf("created survey %+v: want a draft of the phone model, 3 versions of 4 tasks, seed 9", s)
	}
	if s.Efficiency == nil || s.Efficiency.Relative == nil || len(s.Balance) != 3 || s.Design == nil || len(s.Design.Versions) != 3 || len(s.Design.Holdouts) != 1 {
		t.Errorf("created survey lacks its report or design: %+v", s)
	}
	if want := []int64{49900, 69900, 89900}; s.Design != nil && !cmp.Equal(want, s.Design.Prices) {
		t.Errorf("prices %v, want %v", s.Design.Prices, want)
	}
	path := "/api/v1/surveys/" + s.ID

	list := MustDecode[SurveyList](t, analyst.Do("GET", "/api/v1/surveys", "").Want(t, 200))
	if len(list.Items) != 1 || list.Items[0].ID != s.ID || list.Items[0].Design != nil {
		t.Errorf("survey list %+v: want the survey without its design", list)
	}
	MustProblem(t, carla.Do("GET", "/api/v1/surveys", ""), 403, "")
	MustProblem(t, carla.Do("GET", path, ""), 403, "")
	if mine := MustDecode[MySurveyList](t, carla.Do("GET", "/api/v1/me/surveys", "").Want(t, 200)); len(mine.Items) != 0 {
		t.Errorf("a draft is offered to customers: %+v", mine)
	}
	MustProblem(t, carla.Do("POST", path+"/start", ""), 409, "The survey is draft")
	MustProblem(t, analyst.Do("POST", path+"/close", ""), 409, "open it before closing it")
	if got := MustDecode[Survey](t, analyst.Do("POST", path+"/open", "").Want(t, 200)); got.Status != "open" || got.OpenedAt.IsZero() {
		t.Errorf("opened survey %+v", got)
	}

	mine := MustDecode[MySurveyList](t, carla.Do("GET", "/api/v1/me/surveys", "").Want(t, 200))
	if want := []MySurvey{{ID: s.ID, Name: "Sizes and colours", Tasks: 4}}; !cmp.Equal(want, mine.Items) {
		t.Errorf("open surveys for Carla %+v, want %+v", mine.Items, want)
	}
	MustProblem(t, analyst.Do("GET", "/api/v1/me/surveys", ""), 403, "Your role (analyst) may not answer surveys.")
	if q := MustDecode[SurveyQuestion](t, carla.Do("GET", path+"/next", "").Want(t, 200)); q.Started || q.Task != nil {
		t.Errorf("before starting: %+v", q)
	}
	MustProblem(t, carla.Do("POST", path+"/answers", `{"task": 0, "choice": 0}`), 409, "Start the survey")
	MustProblem(t, analyst.Do("POST", path+"/start", ""), 403, "")
	p := MustDecode[SurveyProgress](t, carla.Do("POST", path+"/start", "").Want(t, 200))
	if want := (SurveyProgress{SurveyID: s.ID, Version: 0, Tasks: 4}); p != want {
		t.Errorf("start = %+v, want %+v", p, want)
	}
	if p := MustDecode[SurveyProgress](t, dan.Do("POST", path+"/start", "").Want(t, 200)); p.Version != 1 {
		t.Errorf("the second respondent has version %d, want 1", p.Version)
	}

	for task := range 4 {
		q := MustDecode[SurveyQuestion](t, carla.Do("GET", path+"/next", "").Want(t, 200))
		if q.Task == nil || *q.Task != task || len(q.Concepts) != 2 || !q.None || q.Currency != "EUR" || q.Answered != task {
			t.Fatalf("next task %d: %+v", task, q)
		}
		c := q.Concepts[0]
		if c.Price == nil || len(c.Levels) != 2 || c.Levels[0].Attribute != "size" || c.Levels[0].AttributeLabel != "Body size" || c.Levels[1].LevelLabel == "" {
			t.Errorf("task %d shows %+v", task, c)
		}
		MustProblem(t, carla.Do("POST", path+"/answers", fmt.Sprintf(`{"task": %d, "choice": 3}`, task)), 400, "Choice 3 does not exist")
		MustProblem(t, carla.Do("POST", path+"/answers", fmt.Sprintf(`{"task": %d}`, task)), 400, "Give the task answered and the choice made.")
		p := MustDecode[SurveyProgress](t, carla.Do("POST", path+"/answers", fmt.Sprintf(`{"task": %d, "choice": %d}`, task, task%3)).Want(t, 200))
		if p.Answered != task+1 || p.Done != (task == 3) {
			t.Errorf("after task %d: %+v", task, p)
		}
	}
	MustProblem(t, carla.Do("POST", path+"/answers", `{"task": 0, "choice": 1}`), 409, "the first answer stands")
	if q := MustDecode[SurveyQuestion](t, carla.Do("GET", path+"/next", "").Want(t, 200)); !q.Done || q.Task != nil || q.Concepts != nil {
		t.Errorf("after the last task: %+v", q)
	}
	dan.Do("POST", path+"/answers", `{"task": 0, "choice": 1}`).Want(t, 200)

	// The analyst reads the answers, as JSON and as a file with its spec.
	answers := MustDecode[SurveyAnswerList](t, analyst.Do("GET", path+"/answers", "").Want(t, 200))
	want := []SurveyAnswer{{"r1", 0, 0, 0}, {"r1", 0, 1, 1}, {"r1", 0, 2, 2}, {"r1", 0, 3, 0}, {"r2", 1, 0, 1}}
	if diff := cmp.Diff(want, answers.Items); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	MustProblem(t, carla.Do("GET", path+"/answers", ""), 403, "")
	csvResp := analyst.Do("GET", path+"/answers.csv", "")
	if csvResp.code != 200 || csvResp.header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(csvResp.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("answers.csv: %d %v", csvResp.code, csvResp.header)
	}
	if head, _, _ := strings.Cut(string(csvResp.body), "\n"); head != "respondent,version,task,holdout,concept,chosen,size,colour,price_minor" {
		t.Errorf("answers.csv header %q", head)
	}
	specResp := analyst.Do("GET", path+"/spec", "")
	if specResp.code != 200 || !strings.HasPrefix(specResp.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("spec: %d %s", specResp.code, specResp.body)
	}
	MustProblem(t, analyst.Do("GET", path+"/spec?tasks=all", ""), 400, "designed or holdout")
	// What tailor fit would read is what the product fits.
	table, err := choice.ReadTable(bytes.NewReader(csvResp.body), "answers.csv")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := choice.ParseSpec("survey.spec", specResp.body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := choice.Compile(sp, table, choice.LayoutUnset)
	if err != nil {
		t.Fatal(err)
	}
	ctx := account.NewContext(context.Background(), account.User{ID: "someone", Role: account.Analyst})
	inProduct, err := e.svc.SurveyData(ctx, s.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(inProduct.X, got.X) || !cmp.Equal(inProduct.Chosen, got.Chosen) || !cmp.Equal(inProduct.Panel, got.Panel) {
		t.Errorf("the exported answers compile to other data than the product codes")
	}

	report := analyst.Do("GET", path+"/report", "")
	if report.code != 200 || !strings.Contains(string(report.body), "relative efficiency") || !strings.Contains(string(report.body), "Survey of Tailor Phone") {
		t.Errorf("report: %d %s", report.code, report.body)
	}

	// Closing stops answers.
	analyst.Do("POST", path+"/close", "").Want(t, 200)
	MustProblem(t, dan.Do("POST", path+"/answers", `{"task": 1, "choice": 0}`), 409, "The survey is closed")
	MustProblem(t, analyst.Do("POST", path+"/open", ""), 409, "cannot be opened again")
	MustProblem(t, carla.Do("GET", "/api/v1/surveys/nope/next", ""), 404, "")
	final := MustDecode[Survey](t, analyst.Do("GET", path, "").Want(t, 200))
	if final.Respondents != 2 || final.Completed != 1 || final.Answers != 5 || final.Status != "closed" {
		t.Errorf("final counts %+v", final)
	}
}

// FuzzSurveyDecoders sends arbitrary bodies to the survey endpoints that
// take one: designing a survey (as an analyst) and answering a task (as a
// customer who started an open survey). No body may cause a server error
// or an answer that is not JSON.
func FuzzSurveyDecoders(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `[]`, `{} x`, `"x"`, surveyBody,
		`{"name": "n", "spec": {"attributes": ["size"], "versions": 1, "tasks": 1, "concepts": 2}}`,
		`{"name": "n", "spec": {"attributes": ["size", "size"], "versions": 1, "tasks": 1, "concepts": 2, "price": {"levels": [1, 1]}}}`,
		`{"name": "n", "model_id": "nope", "spec": {"attributes": ["main"], "versions": 1, "tasks": 1, "concepts": 9, "seed": -3}}`,
		`{"task": 0, "choice": 0}`, `{"task": -1, "choice": 99}`, `{"task": 1e9, "choice": 0}`, `{"choice": 2}`,
	} {
		f.Add(false, s)
		f.Add(true, s)
	}
	e := MustSharedEnv(f)
	stamp := time.Now().UnixNano()
	analyst := e.MustUser(f, fmt.Sprintf("Survey analyst %d", stamp), account.Analyst)
	customer := e.MustSignup(f, fmt.Sprintf("Survey customer %d", stamp))
	s := MustDecode[Survey](f, analyst.Do("POST", "/api/v1/surveys", surveyBody).Want(f, 201))
	analyst.Do("POST", "/api/v1/surveys/"+s.ID+"/open", "").Want(f, 200)
	customer.Do("POST", "/api/v1/surveys/"+s.ID+"/start", "").Want(f, 200)
	f.Fuzz(func(t *testing.T, answer bool, body string) {
		c, path := analyst, "/api/v1/surveys"
		if answer {
			c, path = customer, "/api/v1/surveys/"+s.ID+"/answers"
		}
		r := c.Do("POST", path, body)
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
