package service_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// smallSpec is a quick survey of the phone model: 3 versions of 3 tasks
// and a holdout, 2 phones and none.
func smallSpec() survey.Spec {
	return survey.Spec{
		Attributes: []string{"size", "colour"},
		Price:      survey.Price{Levels: []int64{49900, 79900}},
		Versions:   3, Tasks: 3, Concepts: 2, None: true, Holdouts: 1, Seed: 5,
	}
}

func TestSurveyAuthorisation(t *testing.T) {
	f := newFixture(t)
	in := service.SurveyInput{Name: "Sizes", Spec: smallSpec()}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"nobody creates", func() error { _, err := f.svc.CreateSurvey(f.anon, in); return err }, errs.Unauthorized},
		{"a customer creates", func() error { _, err := f.svc.CreateSurvey(f.ana, in); return err }, errs.Forbidden},
		{"an analyst creates", func() error { _, err := f.svc.CreateSurvey(f.analyst, in); return err }, ""},
		{"an admin creates", func() error { _, err := f.svc.CreateSurvey(f.admin, in); return err }, ""},
		{"a customer lists all surveys", func() error { _, err := f.svc.Surveys(f.ana); return err }, errs.Forbidden},
		{"a customer lists open surveys", func() error { _, err := f.svc.MySurveys(f.ana); return err }, ""},
		{"an analyst lists open surveys to answer", func() error { _, err := f.svc.MySurveys(f.analyst); return err }, errs.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.do()); got != tt.want {
				t.Errorf("code %q, want %q", got, tt.want)
			}
		})
	}

	s, err := f.svc.CreateSurvey(f.analyst, in)
	if err != nil {
		t.Fatal(err)
	}
	byID := []struct {
		name string
		do   func() error
		want string
	}{
		{"a customer opens it", func() error { _, err := f.svc.OpenSurvey(f.ana, s.ID); return err }, errs.Forbidden},
		{"a customer reads the design", func() error { _, err := f.svc.Survey(f.ana, s.ID); return err }, errs.Forbidden},
		{"a customer starts the draft", func() error { _, err := f.svc.StartSurvey(f.ana, s.ID); return err }, errs.Conflict},
		{"a customer sees the draft", func() error { _, err := f.svc.SurveyQuestion(f.ana, s.ID); return err }, errs.NotFound},
		{"the analyst opens it", func() error { _, err := f.svc.OpenSurvey(f.analyst, s.ID); return err }, ""},
		{"a customer starts it", func() error { _, err := f.svc.StartSurvey(f.ana, s.ID); return err }, ""},
		{"the analyst starts it", func() error { _, err := f.svc.StartSurvey(f.analyst, s.ID); return err }, errs.Forbidden},
		{"the analyst answers", func() error { _, err := f.svc.AnswerSurvey(f.analyst, s.ID, 0, 0); return err }, errs.Forbidden},
		{"nobody answers", func() error { _, err := f.svc.AnswerSurvey(f.anon, s.ID, 0, 0); return err }, errs.Unauthorized},
		{"a customer who did not start answers", func() error { _, err := f.svc.AnswerSurvey(f.bob, s.ID, 0, 0); return err }, errs.Conflict},
		{"a customer answers", func() error { _, err := f.svc.AnswerSurvey(f.ana, s.ID, 0, 2); return err }, ""},
		{"a customer reads the answers", func() error { _, err := f.svc.SurveyAnswers(f.ana, s.ID); return err }, errs.Forbidden},
		{"a customer codes the answers", func() error { _, err := f.svc.SurveyData(f.ana, s.ID, false); return err }, errs.Forbidden},
		{"the analyst reads the answers", func() error { _, err := f.svc.SurveyAnswers(f.analyst, s.ID); return err }, ""},
		{"a customer closes it", func() error { _, err := f.svc.CloseSurvey(f.bob, s.ID); return err }, errs.Forbidden},
		{"an unknown survey", func() error { _, err := f.svc.SurveyQuestion(f.ana, "nope"); return err }, errs.NotFound},
	}
	for _, tt := range byID {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.do()); got != tt.want {
				t.Errorf("code %q, want %q", got, tt.want)
			}
		})
	}
	// Only Ana's own answer is stored, under a label.
	answers, err := f.svc.SurveyAnswers(f.analyst, s.ID)
	if want := []survey.Answer{{Respondent: "r1", Version: 0, Task: 0, Choice: 2}}; err != nil || !cmp.Equal(want, answers) {
		t.Errorf("answers = %+v, %v; want %+v", answers, err, want)
	}
}

func TestCreateSurveyChecksItsInput(t *testing.T) {
	f := newFixture(t)
	big := smallSpec()
	big.Versions, big.Tasks, big.Concepts = 1000, 10, 3
	draft, _, err := f.svc.UploadModel(f.admin, "draft.tailor", []byte(`model "Draft" version "1"
currency EUR
attribute a "A" { level x "X" level y "Y" }
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   service.SurveyInput
		want string // part of the message
	}{
		{"no name", service.SurveyInput{Name: " ", Spec: smallSpec()}, "needs a name"},
		{"unknown attribute", service.SurveyInput{Name: "x", Spec: survey.Spec{Attributes: []string{"colr"}, Versions: 1, Tasks: 1, Concepts: 2}}, `did you mean "colour"`},
		{"too big to design now", service.SurveyInput{Name: "x", Spec: big}, "at most 20000"},
		{"a draft model", service.SurveyInput{Name: "x", ModelID: draft.ID, Spec: survey.Spec{Attributes: []string{"a"}, Versions: 1, Tasks: 1, Concepts: 2}}, "is a draft"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateSurvey(f.admin, tt.in)
			if code(err) != errs.Invalid || !strings.Contains(errs.Message(err), tt.want) {
				t.Errorf("err %v, want invalid with %q", err, tt.want)
			}
		})
	}
	if _, err := f.svc.CreateSurvey(f.analyst, service.SurveyInput{Name: "x", ModelID: "nope", Spec: smallSpec()}); code(err) != errs.NotFound {
		t.Errorf("unknown model: %v, want not found", err)
	}

	// A zero seed is replaced by a random one, recorded in the design.
	spec := smallSpec()
	spec.Seed = 0
	s, err := f.svc.CreateSurvey(f.analyst, service.SurveyInput{Name: " Seeded ", Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Survey(f.analyst, s.ID)
	if err != nil || got.Name != "Seeded" || got.ModelID != f.model || got.Design.Spec.Seed == 0 || got.Design.Spec.Seed >= 1<<53 || got.Status != survey.Draft {
		t.Errorf("stored survey %+v, %v: want the trimmed name, the current model, a recorded seed, a draft", got, err)
	}
}

// TestSurveyJourney: a customer answers a survey task by task as the
// service shows it; the answers come back coded for fitting, and a closed
// survey takes no more.
func TestSurveyJourney(t *testing.T) {
	f := newFixture(t)
	s, err := f.svc.CreateSurvey(f.analyst, service.SurveyInput{Name: "Sizes", Spec: smallSpec()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.OpenSurvey(f.analyst, s.ID); err != nil {
		t.Fatal(err)
	}
	pending, ok, err := f.svc.PendingSurvey(f.ana)
	if err != nil || !ok || pending.Survey.ID != s.ID || pending.Started {
		t.Fatalf("pending survey = %+v, %v, %v; want the new survey, not started", pending, ok, err)
	}
	if _, ok, _ := f.svc.PendingSurvey(f.analyst); ok {
		t.Error("an analyst is asked to answer a survey")
	}
	q, err := f.svc.SurveyQuestion(f.ana, s.ID)
	if err != nil || q.Started || q.Asking() {
		t.Fatalf("before starting: %+v, %v", q, err)
	}
	if _, err := f.svc.StartSurvey(f.ana, s.ID); err != nil {
		t.Fatal(err)
	}
	choices := []int{0, 1, 2, 1}
	for task, c := range choices {
		q, err := f.svc.SurveyQuestion(f.ana, s.ID)
		if err != nil || !q.Asking() || q.Task != task || len(q.Shown.Concepts) != 2 || !q.Shown.None || q.Shown.Currency != "EUR" {
			t.Fatalf("task %d: %+v, %v", task, q, err)
		}
		for _, sc := range q.Shown.Concepts {
			if !sc.HasPrice || len(sc.Levels) != 2 || sc.Levels[0].AttributeLabel != "Body size" || sc.Levels[0].LevelLabel == "" {
				t.Errorf("task %d shows %+v; want the body size and colour by label, and a price", task, sc)
			}
		}
		// Choices out of range are refused before anything is stored.
		if _, err := f.svc.AnswerSurvey(f.ana, s.ID, task, 3); code(err) != errs.Invalid {
			t.Errorf("choice 3 of 2 phones and none: %v, want invalid", err)
		}
		if _, err := f.svc.AnswerSurvey(f.ana, s.ID, task+1, 0); task+1 < len(choices) && code(err) != errs.Conflict {
			t.Errorf("answer ahead of task %d: %v, want conflict", task, err)
		}
		if _, err := f.svc.AnswerSurvey(f.ana, s.ID, task, c); err != nil {
			t.Fatalf("answer task %d: %v", task, err)
		}
	}
	q, err = f.svc.SurveyQuestion(f.ana, s.ID)
	if err != nil || q.Asking() || !q.Respondent.Done() {
		t.Errorf("after the last task: %+v, %v; want done", q, err)
	}
	if _, ok, _ := f.svc.PendingSurvey(f.ana); ok {
		t.Error("a finished survey is still pending")
	}

	// Bob answers one task; then the survey closes.
	f.svc.StartSurvey(f.bob, s.ID)
	if _, err := f.svc.AnswerSurvey(f.bob, s.ID, 0, 1); err != nil {
		t.Fatal(err)
	}
	data, err := f.svc.SurveyData(f.analyst, s.ID, false)
	if err != nil || data.Cases() != 4 || data.Panels != 2 {
		t.Errorf("coded answers: %v cases, %v panels, %v; want 4 cases of 2 respondents", data.Cases(), data.Panels, err)
	}
	hold, err := f.svc.SurveyData(f.analyst, s.ID, true)
	if err != nil || hold.Cases() != 1 || hold.Chosen[0]-int32(hold.Start[0]) != 1 {
		t.Errorf("holdout answers: %+v, %v; want Ana's one holdout answer, the second phone", hold, err)
	}
	if _, err := f.svc.CloseSurvey(f.analyst, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AnswerSurvey(f.bob, s.ID, 1, 0); code(err) != errs.Conflict {
		t.Errorf("answer to a closed survey: %v, want conflict", err)
	}
	if q, err := f.svc.SurveyQuestion(f.bob, s.ID); err != nil || q.Asking() || q.Survey.Status != survey.Closed {
		t.Errorf("a closed survey to its respondent: %+v, %v; want it shown closed, asking nothing", q, err)
	}
	if _, err := f.svc.SurveyQuestion(f.ana, "nope"); code(err) != errs.NotFound {
		t.Errorf("unknown survey: %v", err)
	}
	st, err := f.svc.Survey(f.analyst, s.ID)
	if err != nil || st.Respondents != 2 || st.Completed != 1 || st.Answers != 5 {
		t.Errorf("counts %+v, %v; want 2 respondents, 1 completed, 5 answers", st, err)
	}
}

func TestImportSurveyResponsesChecksChoices(t *testing.T) {
	f := newFixture(t)
	s, err := f.svc.CreateSurvey(f.analyst, service.SurveyInput{Name: "Sizes", Spec: smallSpec()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.OpenSurvey(f.analyst, s.ID); err != nil {
		t.Fatal(err)
	}
	me := account.FromContext(f.bob)
	if err := f.svc.ImportSurveyResponses(f.anon, s.ID, []survey.Response{{UserID: me.ID, Choices: []int{0, 3}}}); code(err) != errs.Invalid {
		t.Errorf("a choice of 3 in a task of 2 phones and none: %v, want invalid", err)
	}
	// Simulated people answer through the import, as the demo does.
	st, _ := f.svc.Survey(f.analyst, s.ID)
	e, _, err := f.svc.Engine(f.anon, f.model)
	if err != nil {
		t.Fatal(err)
	}
	people := population.Draw(e.Model(), population.PhoneSegments, 2, rand.New(rand.NewPCG(1, 1)))
	answers, err := survey.Simulate(st.Design, people, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	choices := map[string][]int{}
	for _, a := range answers {
		choices[a.Respondent] = append(choices[a.Respondent], a.Choice)
	}
	if err := f.svc.ImportSurveyResponses(f.anon, s.ID, []survey.Response{{UserID: me.ID, Version: 0, Choices: choices["r1"]}}); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.SurveyAnswers(f.analyst, s.ID)
	if err != nil || len(got) != 4 {
		t.Fatalf("imported answers %+v, %v", got, err)
	}
	if diff := cmp.Diff(answers[:4], got); diff != "" {
		t.Errorf("stored answers differ from the simulated ones (-want +got):\n%s", diff)
	}
}
