package httpapi

import (
	"bytes"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/survey"
)

// SurveyRequest is the body of POST /api/v1/surveys.
type SurveyRequest struct {
	Name    string     `json:"name"`
	ModelID string     `json:"model_id,omitempty" doc:"The published model version to design on; the current one when absent."`
	Spec    SurveySpec `json:"spec"`
}

// SurveySpec is a survey's shape; docs/surveys.md explains each setting.
type SurveySpec struct {
	Attributes []string     `json:"attributes" doc:"The model attributes each concept shows, in reading order."`
	Price      *SurveyPrice `json:"price,omitempty" doc:"The prices shown; absent to show none."`
	Versions   int          `json:"versions" doc:"Different questionnaires, assigned to respondents round robin."`
	Tasks      int          `json:"tasks" doc:"Designed choice tasks per respondent."`
	Concepts   int          `json:"concepts" doc:"Phones per task."`
	None       bool         `json:"none,omitempty" doc:"Offer \"none of these\" in every task."`
	Holdouts   int          `json:"holdouts,omitempty" doc:"Fixed tasks after the designed ones, the same in every version, kept out of estimation."`
	Seed       int64        `json:"seed,omitempty" doc:"Makes the design reproducible; absent or 0 for a random seed, which the answer records."`
}

// SurveyPrice is the price attribute: explicit levels, or steps evenly
// spaced levels from min to max; minor currency units.
type SurveyPrice struct {
	Levels []int64 `json:"levels,omitempty"`
	Min    int64   `json:"min,omitempty"`
	Max    int64   `json:"max,omitempty"`
	Steps  int     `json:"steps,omitempty"`
}

func (sp SurveySpec) spec() (survey.Spec, error) {
	if sp.Seed < 0 {
		return survey.Spec{}, errs.Errorf(errs.Invalid, "The seed must be a positive number, not %d.", sp.Seed)
	}
	out := survey.Spec{Attributes: sp.Attributes, Versions: sp.Versions, Tasks: sp.Tasks, Concepts: sp.Concepts,
		None: sp.None, Holdouts: sp.Holdouts, Seed: uint64(sp.Seed)}
	if sp.Price != nil {
		out.Price = survey.Price{Levels: sp.Price.Levels, Min: sp.Price.Min, Max: sp.Price.Max, Steps: sp.Price.Steps}
	}
	return out, nil
}

func specView(s survey.Spec) SurveySpec {
	v := SurveySpec{Attributes: s.Attributes, Versions: s.Versions, Tasks: s.Tasks, Concepts: s.Concepts,
		None: s.None, Holdouts: s.Holdouts, Seed: int64(s.Seed)}
	if !s.Price.IsZero() {
		v.Price = &SurveyPrice{Levels: s.Price.Levels, Min: s.Price.Min, Max: s.Price.Max, Steps: s.Price.Steps}
	}
	return v
}

// Survey is a stored choice survey. Lists leave out spec, efficiency,
// balance and design.
type Survey struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ModelID     string    `json:"model_id"`
	Status      string    `json:"status" enum:"draft,open,closed"`
	Versions    int       `json:"versions"`
	Tasks       int       `json:"tasks" doc:"Tasks per respondent, holdouts included."`
	Respondents int       `json:"respondents" doc:"Customers who started."`
	Completed   int       `json:"completed" doc:"Respondents who answered every task."`
	Answers     int       `json:"answers"`
	CreatedAt   time.Time `json:"created_at"`
	OpenedAt    time.Time `json:"opened_at,omitzero"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`

	Spec       *SurveySpec        `json:"spec,omitempty"`
	Efficiency *SurveyEfficiency  `json:"efficiency,omitempty"`
	Balance    []AttributeBalance `json:"balance,omitempty" doc:"Level balance and overlap per shown attribute, and the price last."`
	Design     *SurveyDesign      `json:"design,omitempty"`
}

// SurveyEfficiency is the design's D-error against random designs of the
// same shape (docs/surveys.md, section 4). A figure is null when some
// parameter cannot be estimated.
type SurveyEfficiency struct {
	DError       *float64 `json:"d_error"`
	RandomDError *float64 `json:"random_d_error"`
	Relative     *float64 `json:"relative" doc:"random_d_error / d_error: above 1, better than random."`
}

// AttributeBalance is how evenly an attribute's levels are shown.
type AttributeBalance struct {
	Attribute  string   `json:"attribute"`
	Levels     []string `json:"levels"`
	Counts     []int    `json:"counts" doc:"How often each level is shown over all designed tasks."`
	Balance    float64  `json:"balance" doc:"The smallest count over the largest; 1 is perfect."`
	Overlap    float64  `json:"overlap" doc:"The share of designed tasks showing a level twice or more."`
	MinOverlap float64  `json:"min_overlap" doc:"1 when overlap is unavoidable: fewer levels than concepts per task."`
}

// SurveyDesign is the designed survey: the shown attributes, the prices,
// and the tasks of every version.
type SurveyDesign struct {
	Model      string            `json:"model"`
	Version    string            `json:"model_version"`
	Currency   string            `json:"currency,omitempty"`
	Attributes []SurveyAttribute `json:"attributes"`
	Prices     []int64           `json:"prices,omitempty" doc:"The price levels in minor units, ascending."`
	Versions   [][]SurveyTask    `json:"versions" doc:"versions[v][t] is designed task t of version v."`
	Holdouts   []SurveyTask      `json:"holdouts,omitempty" doc:"Shown after the designed tasks in every version."`
}

// SurveyAttribute is a shown attribute with its levels.
type SurveyAttribute struct {
	Name   string        `json:"name"`
	Label  string        `json:"label"`
	Levels []SurveyLevel `json:"levels"`
}

// SurveyLevel is a level of a shown attribute.
type SurveyLevel struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

// SurveyTask is one task: the concepts side by side.
type SurveyTask struct {
	Concepts []SurveyConcept `json:"concepts"`
}

// SurveyConcept is a phone shown in a task.
type SurveyConcept struct {
	Levels []int `json:"levels" doc:"A level index per shown attribute, in attribute order."`
	Price  int   `json:"price" doc:"An index into prices; -1 when no price is shown."`
}

func surveyView(st survey.Stored) Survey {
	return Survey{ID: st.ID, Name: st.Name, ModelID: st.ModelID, Status: string(st.Status), Versions: st.Versions,
		Tasks: st.Tasks, Respondents: st.Respondents, Completed: st.Completed, Answers: st.Answers,
		CreatedAt: st.CreatedAt, OpenedAt: st.OpenedAt, ClosedAt: st.ClosedAt}
}

// surveyDetail is surveyView with the spec, the report and the design.
func surveyDetail(st survey.Stored) Survey {
	v := surveyView(st)
	d := st.Design
	if d == nil {
		return v
	}
	spec := specView(d.Spec)
	v.Spec = &spec
	v.Efficiency = &SurveyEfficiency{DError: finite(d.Efficiency.DError), RandomDError: finite(d.Efficiency.RandomDError), Relative: finite(d.Efficiency.Relative)}
	for _, s := range d.Stats() {
		v.Balance = append(v.Balance, AttributeBalance{Attribute: s.Name, Levels: s.Levels, Counts: s.Counts,
			Balance: s.Balance, Overlap: s.Overlap, MinOverlap: s.MinOverlap})
	}
	dv := &SurveyDesign{Model: d.Model, Version: d.Version, Currency: d.Currency, Prices: d.Prices,
		Versions: make([][]SurveyTask, len(d.Versions)), Holdouts: tasksView(d.Holdouts)}
	for _, a := range d.Attributes {
		av := SurveyAttribute{Name: a.Name, Label: a.Label}
		for _, l := range a.Levels {
			av.Levels = append(av.Levels, SurveyLevel{Name: l.Name, Label: l.Label})
		}
		dv.Attributes = append(dv.Attributes, av)
	}
	for i, ts := range d.Versions {
		dv.Versions[i] = tasksView(ts)
	}
	v.Design = dv
	return v
}

func tasksView(ts []survey.Task) []SurveyTask {
	var out []SurveyTask
	for _, t := range ts {
		tv := SurveyTask{Concepts: make([]SurveyConcept, len(t.Concepts))}
		for j, c := range t.Concepts {
			tv.Concepts[j] = SurveyConcept{Levels: c.Levels, Price: c.Price}
		}
		out = append(out, tv)
	}
	return out
}

func finite(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

// SurveyList is the body of GET /api/v1/surveys.
type SurveyList struct {
	Items []Survey `json:"items"`
}

// SurveyAnswer is one respondent's choice in one task.
type SurveyAnswer struct {
	Respondent string `json:"respondent" doc:"The respondent's label: r1, r2, ... in the order they started; never their account."`
	Version    int    `json:"version"`
	Task       int    `json:"task" doc:"From 0: the designed tasks, then the holdouts."`
	Choice     int    `json:"choice" doc:"The chosen concept's position from 0; the number of concepts for none of these."`
}

// SurveyAnswerList is the body of GET /api/v1/surveys/{id}/answers.
type SurveyAnswerList struct {
	Items []SurveyAnswer `json:"items"`
}

// MySurvey is an open survey as the signed-in customer sees it.
type MySurvey struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Tasks    int    `json:"tasks"`
	Started  bool   `json:"started"`
	Answered int    `json:"answered"`
	Done     bool   `json:"done"`
}

// MySurveyList is the body of GET /api/v1/me/surveys.
type MySurveyList struct {
	Items []MySurvey `json:"items"`
}

// SurveyProgress is how far the signed-in customer has come in a survey.
type SurveyProgress struct {
	SurveyID string `json:"survey_id"`
	Version  int    `json:"version"`
	Answered int    `json:"answered" doc:"Tasks answered; the next task is this number."`
	Tasks    int    `json:"tasks"`
	Done     bool   `json:"done"`
}

func progressView(r survey.Respondent) SurveyProgress {
	return SurveyProgress{SurveyID: r.SurveyID, Version: r.Version, Answered: r.Answered, Tasks: r.Tasks, Done: r.Done()}
}

// SurveyQuestion is the signed-in customer's next task in a survey: the
// body of GET /api/v1/surveys/{id}/next.
type SurveyQuestion struct {
	SurveyID string `json:"survey_id"`
	Name     string `json:"name"`
	Status   string `json:"status" enum:"open,closed"`
	Started  bool   `json:"started"`
	Answered int    `json:"answered"`
	Tasks    int    `json:"tasks"`
	Done     bool   `json:"done"`
	// The task to answer, present while started, not done and open.
	Task     *int           `json:"task,omitempty" doc:"The task to answer next, from 0; absent when there is none to answer."`
	Concepts []ShownConcept `json:"concepts,omitempty"`
	None     bool           `json:"none,omitempty" doc:"Whether \"none of these\" may be chosen, as choice len(concepts)."`
	Currency string         `json:"currency,omitempty"`
}

// ShownConcept is a phone of a task as a respondent sees it.
type ShownConcept struct {
	Levels []ShownLevel `json:"levels"`
	Price  *int64       `json:"price,omitempty" doc:"Minor units; absent when the survey shows no price."`
}

// ShownLevel is one attribute of a shown phone.
type ShownLevel struct {
	Attribute      string `json:"attribute"`
	AttributeLabel string `json:"attribute_label"`
	Level          string `json:"level"`
	LevelLabel     string `json:"level_label"`
}

// SurveyAnswerRequest is the body of POST /api/v1/surveys/{id}/answers.
type SurveyAnswerRequest struct {
	Task   *int `json:"task" doc:"The task answered, from 0: the caller's next one."`
	Choice *int `json:"choice" doc:"The chosen concept's position from 0, or the number of concepts for none of these."`
}

func (a *api) listSurveys(w http.ResponseWriter, r *http.Request) {
	ss, err := a.svc.Surveys(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := SurveyList{Items: make([]Survey, 0, len(ss))}
	for _, s := range ss {
		out.Items = append(out.Items, surveyView(s))
	}
	a.reply(w, r, http.StatusOK, out)
}

func (a *api) createSurvey(w http.ResponseWriter, r *http.Request) {
	var req SurveyRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	spec, err := req.Spec.spec()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.svc.CreateSurvey(r.Context(), service.SurveyInput{Name: req.Name, ModelID: req.ModelID, Spec: spec})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusCreated, surveyDetail(s))
}

func (a *api) getSurvey(w http.ResponseWriter, r *http.Request) {
	s, err := a.svc.Survey(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, surveyDetail(s))
}

func (a *api) openSurvey(w http.ResponseWriter, r *http.Request) {
	s, err := a.svc.OpenSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, surveyView(s))
}

func (a *api) closeSurvey(w http.ResponseWriter, r *http.Request) {
	s, err := a.svc.CloseSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, surveyView(s))
}

func (a *api) surveyReport(w http.ResponseWriter, r *http.Request) {
	s, err := a.svc.Survey(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := s.Design.WriteReport(&b); err != nil {
		a.fail(w, r, err)
		return
	}
	a.text(w, r, "text/plain; charset=utf-8", "", b.Bytes())
}

func (a *api) surveyAnswers(w http.ResponseWriter, r *http.Request) {
	answers, err := a.svc.SurveyAnswers(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := SurveyAnswerList{Items: make([]SurveyAnswer, len(answers))}
	for i, x := range answers {
		out.Items[i] = SurveyAnswer{Respondent: x.Respondent, Version: x.Version, Task: x.Task, Choice: x.Choice}
	}
	a.reply(w, r, http.StatusOK, out)
}

func (a *api) surveyAnswersCSV(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s, err := a.svc.Survey(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	answers, err := a.svc.SurveyAnswers(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := s.Design.WriteAnswers(&b, answers); err != nil {
		a.fail(w, r, err)
		return
	}
	a.text(w, r, "text/csv; charset=utf-8", "survey-"+id+"-answers.csv", b.Bytes())
}

func (a *api) surveySpec(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var holdout bool
	switch t := r.URL.Query().Get("tasks"); t {
	case "", "designed":
	case "holdout":
		holdout = true
	default:
		a.fail(w, r, errs.Errorf(errs.Invalid, "Parameter tasks must be designed or holdout, not %q.", t))
		return
	}
	s, err := a.svc.Survey(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := s.Design.WriteSpec(&b, s.Name, holdout); err != nil {
		a.fail(w, r, err)
		return
	}
	name := "survey-" + id + ".spec"
	if holdout {
		name = "survey-" + id + "-holdout.spec"
	}
	a.text(w, r, "text/plain; charset=utf-8", name, b.Bytes())
}

func (a *api) mySurveys(w http.ResponseWriter, r *http.Request) {
	ins, err := a.svc.MySurveys(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := MySurveyList{Items: make([]MySurvey, 0, len(ins))}
	for _, in := range ins {
		out.Items = append(out.Items, MySurvey{ID: in.Survey.ID, Name: in.Survey.Name, Tasks: in.Survey.Tasks,
			Started: in.Started, Answered: in.Respondent.Answered, Done: in.Started && in.Respondent.Done()})
	}
	a.reply(w, r, http.StatusOK, out)
}

func (a *api) startSurvey(w http.ResponseWriter, r *http.Request) {
	p, err := a.svc.StartSurvey(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, progressView(p))
}

func (a *api) nextTask(w http.ResponseWriter, r *http.Request) {
	q, err := a.svc.SurveyQuestion(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := SurveyQuestion{SurveyID: q.Survey.ID, Name: q.Survey.Name, Status: string(q.Survey.Status), Started: q.Started,
		Answered: q.Respondent.Answered, Tasks: q.Survey.Tasks, Done: q.Started && q.Respondent.Done()}
	if q.Asking() {
		task := q.Task
		out.Task, out.None, out.Currency = &task, q.Shown.None, q.Shown.Currency
		for _, c := range q.Shown.Concepts {
			sc := ShownConcept{}
			if c.HasPrice {
				p := c.Price
				sc.Price = &p
			}
			for _, l := range c.Levels {
				sc.Levels = append(sc.Levels, ShownLevel{Attribute: l.Attribute, AttributeLabel: l.AttributeLabel, Level: l.Level, LevelLabel: l.LevelLabel})
			}
			out.Concepts = append(out.Concepts, sc)
		}
	}
	a.reply(w, r, http.StatusOK, out)
}

func (a *api) answerSurvey(w http.ResponseWriter, r *http.Request) {
	var req SurveyAnswerRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Task == nil || req.Choice == nil {
		a.fail(w, r, errs.Errorf(errs.Invalid, "Give the task answered and the choice made."))
		return
	}
	p, err := a.svc.AnswerSurvey(r.Context(), r.PathValue("id"), *req.Task, *req.Choice)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, progressView(p))
}

// text answers 200 with a body that is not JSON: a report, a data file or
// a specification. A file name makes the browser save it under that name.
func (a *api) text(w http.ResponseWriter, r *http.Request, contentType, file string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	if file != "" {
		h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
