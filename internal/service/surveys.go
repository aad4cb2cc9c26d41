package service

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/survey"
)

// SurveyInput is what an analyst gives to create a choice survey.
type SurveyInput struct {
	Name string
	// ModelID is the published model version to design on; "" for the
	// current one, which customers configure.
	ModelID string
	// Spec is the survey's shape (docs/surveys.md). A zero Seed asks for
	// a random one below 2^53, which the stored design records.
	Spec survey.Spec
}

// MaxDesignConcepts bounds the concepts of a survey designed while the
// analyst waits: versions × (tasks + holdouts) × concepts. The design's
// time grows with it; 20,000 concepts take a few seconds on one core (300
// versions of 14 tasks of 4 concepts).
const MaxDesignConcepts = 20000

// CreateSurvey designs a survey on a published model version and stores
// it as a draft, by the signed-in analyst. The design runs in the call.
// errs.Invalid for a bad name or spec (see survey.Spec.Validate and
// survey.Design) or a design over MaxDesignConcepts, errs.NotFound for an
// unknown model version or when none is published; errs.Unauthorized,
// errs.Forbidden unless the caller manages surveys.
func (s *Service) CreateSurvey(ctx context.Context, in SurveyInput) (survey.Stored, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.ManageSurveys); err != nil {
		return survey.Stored{}, err
	}
	if err := survey.ValidateName(in.Name); err != nil {
		return survey.Stored{}, err
	}
	modelID := in.ModelID
	if modelID == "" {
		v, err := s.CurrentModel(ctx)
		if err != nil {
			return survey.Stored{}, err
		}
		modelID = v.ID
	}
	e, v, err := s.Engine(ctx, modelID)
	if err != nil {
		return survey.Stored{}, err
	}
	if !v.Published() {
		return survey.Stored{}, errs.Errorf(errs.Invalid, "Model %s %s is a draft; surveys are designed on published models.", v.Name, v.Version)
	}
	spec := in.Spec
	if err := spec.Validate(e.Model()); err != nil {
		return survey.Stored{}, err
	}
	if n := spec.Versions * (spec.Tasks + spec.Holdouts) * spec.Concepts; n > MaxDesignConcepts {
		return survey.Stored{}, errs.Errorf(errs.Invalid,
			"This survey would show %d concepts in all (versions × tasks with holdouts × concepts); at most %d are designed while you wait. Use fewer versions.",
			n, MaxDesignConcepts)
	}
	if spec.Seed == 0 {
		// Below 2^53, so that the seed survives JSON in any client.
		spec.Seed = 1 + rand.Uint64N(1<<53-1)
	}
	d, err := survey.Design(e, spec)
	if err != nil {
		return survey.Stored{}, err
	}
	st, err := s.store.CreateSurvey(ctx, survey.Stored{Name: strings.TrimSpace(in.Name), ModelID: v.ID, Design: d, CreatedBy: u.ID})
	if err != nil {
		return survey.Stored{}, err
	}
	s.designs.Store(st.ID, d)
	st.Design = d
	return st, nil
}

// design returns a survey's design, read once.
func (s *Service) design(ctx context.Context, id string) (*survey.Survey, error) {
	if d, ok := s.designs.Load(id); ok {
		return d.(*survey.Survey), nil
	}
	d, err := s.store.SurveyDesign(ctx, id)
	if err != nil {
		return nil, err
	}
	s.designs.Store(id, d)
	return d, nil
}

// Surveys lists every survey, newest first, with its counts and without
// its design. Analysts and admins only.
func (s *Service) Surveys(ctx context.Context) ([]survey.Stored, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return nil, err
	}
	return s.store.Surveys(ctx, "")
}

// Survey returns a survey with its counts and its design; errs.NotFound.
// Analysts and admins only.
func (s *Service) Survey(ctx context.Context, id string) (survey.Stored, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return survey.Stored{}, err
	}
	st, err := s.store.GetSurvey(ctx, id)
	if err != nil {
		return survey.Stored{}, err
	}
	if st.Design, err = s.design(ctx, id); err != nil {
		return survey.Stored{}, err
	}
	return st, nil
}

// OpenSurvey opens a draft survey to customers; opening it twice changes
// nothing. errs.NotFound, errs.Conflict for a closed survey. Analysts and
// admins only.
func (s *Service) OpenSurvey(ctx context.Context, id string) (survey.Stored, error) {
	return s.setSurveyStatus(ctx, id, survey.Open)
}

// CloseSurvey closes an open survey for good: it takes no more answers.
// Closing it twice changes nothing. errs.NotFound, errs.Conflict for a
// draft. Analysts and admins only.
func (s *Service) CloseSurvey(ctx context.Context, id string) (survey.Stored, error) {
	return s.setSurveyStatus(ctx, id, survey.Closed)
}

func (s *Service) setSurveyStatus(ctx context.Context, id string, to survey.Status) (survey.Stored, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return survey.Stored{}, err
	}
	return s.store.SetSurveyStatus(ctx, id, to, s.now())
}

// MySurveys lists the open surveys with the signed-in customer's progress
// in each. Customers only.
func (s *Service) MySurveys(ctx context.Context) ([]survey.Invitation, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.AnswerSurveys); err != nil {
		return nil, err
	}
	return s.store.UserSurveys(ctx, u.ID)
}

// PendingSurvey returns the newest open survey that the caller may answer
// and has not finished, for the navigation; ok is false when there is
// none or the caller does not answer surveys.
func (s *Service) PendingSurvey(ctx context.Context) (in survey.Invitation, ok bool, err error) {
	if !account.FromContext(ctx).Can(account.AnswerSurveys) {
		return survey.Invitation{}, false, nil
	}
	ins, err := s.MySurveys(ctx)
	if err != nil {
		return survey.Invitation{}, false, err
	}
	for _, in := range ins {
		if in.Pending() {
			return in, true, nil
		}
	}
	return survey.Invitation{}, false, nil
}

// StartSurvey makes the signed-in customer a respondent of an open survey,
// with the next version round robin, and returns their progress; a
// customer who started already gets their progress back. errs.NotFound,
// errs.Conflict when the survey is not open. Customers only.
func (s *Service) StartSurvey(ctx context.Context, id string) (survey.Respondent, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.AnswerSurveys); err != nil {
		return survey.Respondent{}, err
	}
	return s.store.StartSurvey(ctx, id, u.ID, s.now())
}

// Question is where a customer stands in a survey and what they see next.
type Question struct {
	// Survey is the survey, without its design.
	Survey survey.Stored
	// Started tells whether the customer has started; Respondent then
	// holds their version and progress.
	Started    bool
	Respondent survey.Respondent
	// Task is the task to answer next, from 0, and Shown what it shows;
	// set only when the customer has started, has tasks left and the
	// survey is open (Asking).
	Task  int
	Shown survey.Shown
}

// Asking reports whether q asks the customer to answer a task.
func (q Question) Asking() bool {
	return q.Started && !q.Respondent.Done() && q.Survey.Status == survey.Open
}

// SurveyQuestion returns where the signed-in customer stands in a survey
// and the task they answer next. errs.NotFound for an unknown survey or a
// draft, and for a closed survey the customer never started. Customers
// only.
func (s *Service) SurveyQuestion(ctx context.Context, id string) (Question, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.AnswerSurveys); err != nil {
		return Question{}, err
	}
	st, err := s.store.GetSurvey(ctx, id)
	if err != nil {
		return Question{}, err
	}
	q := Question{Survey: st}
	r, err := s.store.SurveyRespondent(ctx, id, u.ID)
	switch {
	case err == nil:
		q.Started, q.Respondent = true, r
	case errs.Code(err) != errs.NotFound:
		return Question{}, err
	}
	if st.Status == survey.Draft || st.Status == survey.Closed && !q.Started {
		return Question{}, errs.Errorf(errs.NotFound, "Survey %s not found.", id)
	}
	if !q.Asking() {
		return q, nil
	}
	d, err := s.design(ctx, id)
	if err != nil {
		return Question{}, err
	}
	q.Task = r.Answered
	if q.Shown, err = d.Show(r.Version, r.Answered); err != nil {
		return Question{}, fmt.Errorf("survey %s: respondent %d: %w", id, r.Seq, err)
	}
	return q, nil
}

// AnswerSurvey records the signed-in customer's choice in a task of a
// survey and returns their progress. task counts from 0 and must be the
// customer's next one; choice is a concept's position from 0, or the
// number of concepts for "none of these" when the survey offers it.
// errs.Invalid for a task or choice the survey does not have, errs.Conflict
// when the survey is not open, the customer has not started it, or the
// task is not their next one (a task answered already keeps its first
// answer), errs.NotFound. Customers only, each for themselves.
func (s *Service) AnswerSurvey(ctx context.Context, id string, task, choice int) (survey.Respondent, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.AnswerSurveys); err != nil {
		return survey.Respondent{}, err
	}
	d, err := s.design(ctx, id)
	if err != nil {
		return survey.Respondent{}, err
	}
	if err := d.CheckAnswer(task, choice); err != nil {
		return survey.Respondent{}, err
	}
	return s.store.AnswerSurvey(ctx, id, u.ID, task, choice, s.now())
}

// SurveyAnswers returns every answer to a survey, for fitting and export:
// respondents named by their labels ("r1", ... in the order they started),
// never by account. errs.NotFound. Analysts and admins only.
func (s *Service) SurveyAnswers(ctx context.Context, id string) ([]survey.Answer, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return nil, err
	}
	return s.store.SurveyAnswers(ctx, id)
}

// SurveyData returns a survey's answers coded for the estimators of
// package choice, as survey.Survey.Data codes them: the designed tasks, or
// with holdout set the holdout tasks only. errs.Invalid when there are no
// such answers yet, errs.NotFound. Analysts and admins only.
func (s *Service) SurveyData(ctx context.Context, id string, holdout bool) (*choice.Data, error) {
	answers, err := s.SurveyAnswers(ctx, id)
	if err != nil {
		return nil, err
	}
	d, err := s.design(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.Data(answers, holdout)
}

// ImportSurveyResponses stores many respondents of an open survey with
// their answers at once: a trusted operation for the demo and batch jobs,
// which checks no caller. Every choice is checked against the design
// first; the first bad one stops the import before anything is stored.
func (s *Service) ImportSurveyResponses(ctx context.Context, id string, rs []survey.Response) error {
	d, err := s.design(ctx, id)
	if err != nil {
		return err
	}
	for i, r := range rs {
		for t, c := range r.Choices {
			if err := d.CheckAnswer(t, c); err != nil {
				return fmt.Errorf("response %d: %w", i+1, err)
			}
		}
	}
	return s.store.ImportSurveyResponses(ctx, id, rs, s.now())
}
