package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/survey"
)

// mustSurvey creates and, with open, opens a small survey of the phone:
// 2 versions of 3 tasks and a holdout, 3 phones and none.
func (fx *fixture) mustSurvey(t *testing.T, analyst user, open bool) survey.Stored {
	t.Helper()
	s, err := fx.svc.CreateSurvey(analyst.ctx, service.SurveyInput{Name: "Phones <2026>", Spec: survey.Spec{
		Attributes: []string{"size", "colour", "storage"},
		Price:      survey.Price{Levels: []int64{49900, 124900}},
		Versions:   2, Tasks: 3, Concepts: 3, None: true, Holdouts: 1, Seed: 3,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if open {
		if s, err = fx.svc.OpenSurvey(analyst.ctx, s.ID); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestSurveyPagesByRole(t *testing.T) {
	fx := newFixture(t)
	customer := fx.mustUser(t, "Carla", account.Customer, "", "")
	analyst := fx.mustUser(t, "Ana", account.Analyst, "", "")
	admin := fx.mustUser(t, "Adam", account.Admin, "", "")
	planner := fx.mustUser(t, "Piet", account.Planner, "", "")
	s := fx.mustSurvey(t, analyst, true)
	clients := map[string]*http.Client{
		"nobody": fx.client(t, nil), "customer": fx.client(t, &customer), "analyst": fx.client(t, &analyst),
		"admin": fx.client(t, &admin), "planner": fx.client(t, &planner),
	}
	tests := []struct {
		path string
		want map[string]int
	}{
		{"/surveys", map[string]int{"customer": 403, "planner": 403, "analyst": 200, "admin": 200}},
		{"/surveys/new", map[string]int{"customer": 403, "analyst": 200}},
		{"/surveys/" + s.ID, map[string]int{"customer": 403, "analyst": 200, "admin": 200}},
		{"/surveys/nope", map[string]int{"analyst": 404}},
		{"/surveys/" + s.ID + "?version=9", map[string]int{"analyst": 400}},
		{"/surveys/" + s.ID + "/take", map[string]int{"customer": 200, "analyst": 403, "nobody": 303}},
	}
	for _, tt := range tests {
		for role, want := range tt.want {
			res, body := get(t, clients[role], fx.srv.URL+tt.path)
			if res.StatusCode != want {
				t.Errorf("GET %s as %s: %d, want %d", tt.path, role, res.StatusCode, want)
			}
			if want != 303 && !strings.Contains(body, `<nav class="nav"`) {
				t.Errorf("GET %s as %s: no layout", tt.path, role)
			}
		}
	}
	// The menu: analysts and admins run surveys; a customer with an
	// unfinished survey is led to it.
	for role, want := range map[string][]string{
		"analyst":  {`href="/surveys"`},
		"admin":    {`href="/surveys"`},
		"customer": {`id="nav-survey"`, `href="/surveys/` + s.ID + `/take"`},
	} {
		_, body := get(t, clients[role], fx.srv.URL+"/gallery")
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("menu for %s lacks %s", role, w)
			}
		}
	}
	for _, role := range []string{"nobody", "planner", "analyst"} {
		if _, body := get(t, clients[role], fx.srv.URL+"/"); strings.Contains(body, `id="nav-survey"`) || strings.Contains(body, `id="survey-invite"`) {
			t.Errorf("%s is invited to answer a survey", role)
		}
	}
	if _, body := get(t, clients["customer"], fx.srv.URL+"/"); !strings.Contains(body, `id="survey-invite"`) {
		t.Error("the start page does not invite the customer to the survey")
	}
	if _, body := get(t, clients["planner"], fx.srv.URL+"/gallery"); strings.Contains(body, `href="/surveys"`) {
		t.Error("a planner's menu offers surveys")
	}
}

func TestCreateSurveyForm(t *testing.T) {
	fx := newFixture(t)
	analyst := fx.mustUser(t, "Ana", account.Analyst, "", "")
	c := fx.client(t, &analyst)
	_, body := get(t, c, fx.srv.URL+"/surveys/new")
	for _, want := range []string{`name="attribute" value="size"`, `name="model" value="` + fx.model.ID + `"`, `id="survey-versions" value="20"`, `id="survey-none" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	form := url.Values{
		"model": {fx.model.ID}, "name": {"Cameras"}, "attribute": {"main", "tele"},
		"price_min": {"399"}, "price_max": {"999"}, "price_steps": {"4"},
		"versions": {"2"}, "tasks": {"4"}, "concepts": {"2"}, "holdouts": {"1"}, "none": {"1"}, "seed": {"11"},
	}
	// A mistake shows the form again with the message and the choices kept.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("price_levels", "450")
	res, body := post(t, c, fx.srv.URL+"/surveys", bad)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "either as levels or as a range") ||
		!strings.Contains(body, `value="main" checked`) || !strings.Contains(body, `value="Cameras"`) {
		t.Errorf("a spec with both a range and levels: status %d, or the form lost the message or the values", res.StatusCode)
	}
	bad.Set("price_levels", "")
	bad.Set("versions", "many")
	if res, body := post(t, c, fx.srv.URL+"/surveys", bad); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "whole number") {
		t.Errorf("versions %q: status %d", "many", res.StatusCode)
	}

	res, _ = post(t, c, fx.srv.URL+"/surveys", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/surveys/") {
		t.Fatalf("create: %d to %q", res.StatusCode, loc)
	}
	_, body = get(t, c, fx.srv.URL+loc)
	for _, want := range []string{
		`<h1>Cameras</h1>`, `data-status="draft"`, `id="survey-open"`,
		"2 versions × 4 tasks × 2 phones + none, 1 holdout task; seed 11.",
		"Prices: €399.00, €599.00, €799.00, €999.00.",
		`<td>Main camera</td>`, `<td>Price</td>`, `data-relative>`,
		`<section class="preview-task" data-task="5">`, `<span class="badge">holdout</span>`,
		`<dt>Telephoto camera</dt>`, `class="concept-price">€`, "and “None of these”",
		`href="/api/v1/surveys/` + strings.TrimPrefix(loc, "/surveys/") + `/answers.csv"`,
		"relative efficiency",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the survey page lacks %s", want)
		}
	}
	if strings.Contains(body, `name="choice"`) {
		t.Error("the preview has answer buttons")
	}
	if _, body := get(t, c, fx.srv.URL+"/surveys"); !strings.Contains(body, ">Cameras</a>") {
		t.Error("the survey list lacks the new survey")
	}
	// Open, then close.
	if res, _ := post(t, c, fx.srv.URL+loc+"/open", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open: %d", res.StatusCode)
	}
	if _, body := get(t, c, fx.srv.URL+loc); !strings.Contains(body, `id="survey-close"`) || !strings.Contains(body, `data-status="open"`) {
		t.Error("an open survey offers no close button")
	}
	post(t, c, fx.srv.URL+loc+"/close", nil)
	if res, _ := post(t, c, fx.srv.URL+loc+"/open", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("reopen: %d, want 409", res.StatusCode)
	}
}

func TestTakeSurvey(t *testing.T) {
	fx := newFixture(t)
	analyst := fx.mustUser(t, "Ana", account.Analyst, "", "")
	carla := fx.mustUser(t, "Carla", account.Customer, "", "")
	s := fx.mustSurvey(t, analyst, true)
	c := fx.client(t, &carla)
	take := fx.srv.URL + "/surveys/" + s.ID + "/take"

	_, body := get(t, c, take)
	if !strings.Contains(body, `id="survey-start"`) || !strings.Contains(body, "Phones &lt;2026&gt;") || !strings.Contains(body, "4 short questions") {
		t.Fatal("the survey's first page does not offer to start it")
	}
	// Answering before starting only shows where one stands.
	if res, _ := post(t, c, fx.srv.URL+"/surveys/"+s.ID+"/answer", url.Values{"task": {"0"}, "choice": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("answer before starting: %d, want 303 back to the survey", res.StatusCode)
	}
	if res, _ := post(t, c, fx.srv.URL+"/surveys/"+s.ID+"/start", nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/surveys/"+s.ID+"/take" {
		t.Fatalf("start: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	for task := range 4 {
		_, body := get(t, c, take)
		for _, want := range []string{
			fmt.Sprintf("<span>Task %d of 4</span>", task+1),
			fmt.Sprintf(`<progress max="4" value="%d">`, task),
			fmt.Sprintf(`<input type="hidden" name="task" value="%d">`, task),
			`<dt>Body size</dt>`, `<dt>Colour</dt>`, `<dt>Storage</dt>`,
			`name="choice" value="0"`, `name="choice" value="2"`, `id="choose-none"`, `name="choice" value="3"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("task %d lacks %s", task+1, want)
			}
		}
		if n := len(regexp.MustCompile(`class="card concept"`).FindAllString(body, -1)); n != 3 {
			t.Errorf("task %d shows %d phones, want 3", task+1, n)
		}
		if !regexp.MustCompile(`class="concept-price">€(499|1,249)\.00<`).MatchString(body) {
			t.Errorf("task %d shows no price formatted like the configurator's", task+1)
		}
		if strings.Contains(body, "holdout") {
			t.Errorf("task %d tells the respondent about holdouts", task+1)
		}
		res, _ := post(t, c, fx.srv.URL+"/surveys/"+s.ID+"/answer", url.Values{"task": {fmt.Sprint(task)}, "choice": {fmt.Sprint(task % 4)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer task %d: %d", task+1, res.StatusCode)
		}
	}
	// The form sent twice keeps the first answer.
	post(t, c, fx.srv.URL+"/surveys/"+s.ID+"/answer", url.Values{"task": {"0"}, "choice": {"2"}})
	if res, _ := post(t, c, fx.srv.URL+"/surveys/"+s.ID+"/answer", url.Values{"task": {"x"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an answer without a choice: %d, want 400", res.StatusCode)
	}
	_, body = get(t, c, take)
	if !strings.Contains(body, `id="survey-thanks"`) {
		t.Error("no thank-you page after the last task")
	}
	if strings.Contains(body, `id="nav-survey"`) {
		t.Error("the menu still leads to a finished survey")
	}
	answers, err := fx.svc.SurveyAnswers(analyst.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want []survey.Answer
	for task := range 4 {
		want = append(want, survey.Answer{Respondent: "r1", Version: 0, Task: task, Choice: task})
	}
	if fmt.Sprint(answers) != fmt.Sprint(want) {
		t.Errorf("stored answers %v, want %v", answers, want)
	}

	// A respondent who has not finished sees a closed survey as closed.
	bob := fx.mustUser(t, "Bob", account.Customer, "", "")
	bc := fx.client(t, &bob)
	post(t, bc, fx.srv.URL+"/surveys/"+s.ID+"/start", nil)
	if _, err := fx.svc.CloseSurvey(analyst.ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, bc, take); !strings.Contains(body, `id="survey-closed"`) {
		t.Error("a closed survey is not shown closed")
	}
	dora := fx.mustUser(t, "Dora", account.Customer, "", "")
	if res, _ := get(t, fx.client(t, &dora), take); res.StatusCode != http.StatusNotFound {
		t.Errorf("a closed survey to a customer who never started: %d, want 404", res.StatusCode)
	}
}

func TestParseMoney(t *testing.T) {
	for _, tt := range []struct {
		in, currency string
		want         int64
		ok           bool
	}{
		{"599", "EUR", 59900, true},
		{" 599.5 ", "EUR", 59950, true},
		{"599.50", "EUR", 59950, true},
		{"0", "EUR", 0, true},
		{"1500", "JPY", 1500, true},
		{"15.5", "JPY", 0, false},
		{"599.505", "EUR", 0, false},
		{"-5", "EUR", 0, false},
		{"1,199", "EUR", 0, false},
		{"5.", "EUR", 0, false},
		{"", "EUR", 0, false},
		{"9999999999999", "EUR", 0, false},
	} {
		got, err := parseMoney(tt.in, tt.currency)
		if (err == nil) != tt.ok || got != tt.want || err != nil && errs.Code(err) != errs.Invalid {
			t.Errorf("parseMoney(%q, %s) = %d, %v; want %d, ok %v", tt.in, tt.currency, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseMoney: parseMoney never fails but with errs.Invalid, and an
// amount it reads, written as the pages write money, reads back the same.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"599", "599.5", "0.01", "1,199", "-1", "1e3", "", ".5", "5.", "١٢٣"} {
		f.Add(s, "EUR")
		f.Add(s, "JPY")
	}
	f.Fuzz(func(t *testing.T, s, currency string) {
		x, err := parseMoney(s, currency)
		if err != nil {
			if errs.Code(err) != errs.Invalid {
				t.Fatalf("parseMoney(%q): %v", s, err)
			}
			return
		}
		if x < 0 {
			t.Fatalf("parseMoney(%q) = %d", s, x)
		}
		shown := formatMoney(x, currency)
		plain := strings.ReplaceAll(strings.TrimPrefix(shown, currencyOf(currency).Symbol), ",", "")
		if y, err := parseMoney(plain, currency); err != nil || y != x {
			t.Fatalf("parseMoney(%q) = %d, shown %q, read back %d, %v", s, x, shown, y, err)
		}
	})
}
