package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/survey"
)

// Analysts design, open and close surveys on /surveys; customers answer
// them on /surveys/{id}/take, one task per page, each answer a plain form
// post, so the survey works without JavaScript.

// surveysPage is the data of the analysts' survey list.
type surveysPage struct {
	Surveys []survey.Stored
}

func (s *server) surveys(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	list, err := s.svc.Surveys(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "surveys", "Surveys", "surveys", surveysPage{Surveys: list})
}

// newSurveyPage is the data of the form that creates a survey: the model's
// attributes to pick from and the values entered so far.
type newSurveyPage struct {
	ModelID, Model, Currency string
	Attributes               []attrChoice
	Name                     string
	PriceLevels              string
	PriceMin, PriceMax       string
	PriceSteps               string
	Versions, Tasks          string
	Concepts, Holdouts, Seed string
	None                     bool
	Error                    string
	MaxConcepts              int
}

// attrChoice is a model attribute offered in the form.
type attrChoice struct {
	Name, Label string
	Levels      int
	Checked     bool
}

func (s *server) newSurvey(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	page := newSurveyPage{Versions: "20", Tasks: "12", Concepts: "3", Holdouts: "2", None: true}
	s.renderNewSurvey(w, r, http.StatusOK, page, nil)
}

// renderNewSurvey shows the form for the current published model, with
// the attributes in checked ticked.
func (s *server) renderNewSurvey(w http.ResponseWriter, r *http.Request, status int, page newSurveyPage, checked []string) {
	ctx := r.Context()
	v, err := s.svc.CurrentModel(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	e, _, err := s.svc.Engine(ctx, v.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	m := e.Model()
	page.ModelID, page.Model, page.Currency, page.MaxConcepts = v.ID, v.Name+" "+v.Version, m.Currency, service.MaxDesignConcepts
	page.Attributes = nil
	for _, a := range m.Attributes {
		if len(a.Levels) < 2 {
			continue
		}
		page.Attributes = append(page.Attributes, attrChoice{Name: a.Name, Label: a.Label, Levels: len(a.Levels), Checked: slices.Contains(checked, a.Name)})
	}
	s.render(w, r, status, "survey_new", "New survey", "surveys", page)
}

func (s *server) createSurvey(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.error(w, r, errs.Errorf(errs.Invalid, "The form could not be read."))
		return
	}
	f := r.PostForm
	page := newSurveyPage{
		Name: f.Get("name"), PriceLevels: f.Get("price_levels"), PriceMin: f.Get("price_min"), PriceMax: f.Get("price_max"),
		PriceSteps: f.Get("price_steps"), Versions: f.Get("versions"), Tasks: f.Get("tasks"), Concepts: f.Get("concepts"),
		Holdouts: f.Get("holdouts"), Seed: f.Get("seed"), None: f.Get("none") != "",
	}
	attrs := f["attribute"]
	fail := func(err error) {
		if statusOf(err) == http.StatusInternalServerError {
			s.error(w, r, err)
			return
		}
		page.Error = errs.Message(err)
		s.renderNewSurvey(w, r, statusOf(err), page, attrs)
	}
	in, err := surveyForm(page, attrs, f.Get("model"), s.currencyOf(r, f.Get("model")))
	if err != nil {
		fail(err)
		return
	}
	st, err := s.svc.CreateSurvey(r.Context(), in)
	if err != nil {
		fail(err)
		return
	}
	http.Redirect(w, r, "/surveys/"+st.ID, http.StatusSeeOther)
}

// currencyOf is the currency of a model version, "" when unknown.
func (s *server) currencyOf(r *http.Request, modelID string) string {
	if modelID == "" {
		return ""
	}
	e, _, err := s.svc.Engine(r.Context(), modelID)
	if err != nil {
		return ""
	}
	return e.Model().Currency
}

// surveyForm reads the form's fields into a survey input; prices are in
// major units of the currency.
func surveyForm(p newSurveyPage, attrs []string, modelID, currency string) (service.SurveyInput, error) {
	in := service.SurveyInput{Name: p.Name, ModelID: modelID, Spec: survey.Spec{Attributes: attrs, None: p.None}}
	ints := []struct {
		label, text string
		dst         *int
		optional    bool
	}{
		{"versions", p.Versions, &in.Spec.Versions, false},
		{"tasks per respondent", p.Tasks, &in.Spec.Tasks, false},
		{"concepts per task", p.Concepts, &in.Spec.Concepts, false},
		{"holdout tasks", p.Holdouts, &in.Spec.Holdouts, true},
		{"price steps", p.PriceSteps, &in.Spec.Price.Steps, true},
	}
	for _, x := range ints {
		t := strings.TrimSpace(x.text)
		if t == "" && x.optional {
			continue
		}
		n, err := strconv.Atoi(t)
		if err != nil {
			return in, errs.Errorf(errs.Invalid, "The number of %s must be a whole number, not %q.", x.label, x.text)
		}
		*x.dst = n
	}
	if t := strings.TrimSpace(p.Seed); t != "" {
		n, err := strconv.ParseUint(t, 10, 64)
		if err != nil {
			return in, errs.Errorf(errs.Invalid, "The seed must be a whole positive number, not %q; leave it empty for a random one.", p.Seed)
		}
		in.Spec.Seed = n
	}
	for _, f := range strings.FieldsFunc(p.PriceLevels, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		x, err := parseMoney(f, currency)
		if err != nil {
			return in, err
		}
		in.Spec.Price.Levels = append(in.Spec.Price.Levels, x)
	}
	var err error
	if t := strings.TrimSpace(p.PriceMin); t != "" {
		if in.Spec.Price.Min, err = parseMoney(t, currency); err != nil {
			return in, err
		}
	}
	if t := strings.TrimSpace(p.PriceMax); t != "" {
		if in.Spec.Price.Max, err = parseMoney(t, currency); err != nil {
			return in, err
		}
	}
	return in, nil
}

// parseMoney reads an amount in major units, such as 599 or 599.50, as
// minor units of the currency.
func parseMoney(s, currency string) (int64, error) {
	c := currencyOf(currency)
	bad := errs.Errorf(errs.Invalid, "%q is not an amount such as 599 or 599.50.", s)
	whole, frac, hasFrac := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(whole) > 12 || hasFrac && (frac == "" || len(frac) > c.Decimals) {
		return 0, bad
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
	}
	frac += strings.Repeat("0", c.Decimals-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	return n, nil
}

// surveyPage is the data of a survey's page for analysts.
type surveyPage struct {
	Survey   survey.Stored
	Model    string
	Currency string
	Spec     survey.Spec
	Prices   []string
	// Efficiency figures, "-" when a parameter cannot be estimated.
	DError, RandomDError, Relative string
	Balance                        []balanceRow
	Report                         string
	// The previewed version, its tasks as shown, and the versions to pick.
	Preview  int
	Tasks    []taskView
	Versions []option
	// The form that starts a model fit, and the survey's fits so far.
	FitForm fitForm
	Fits    []fitRow
}

// surveyFitsShown is how many of a survey's fits its page lists.
const surveyFitsShown = 10

// balanceRow is one attribute's line of the balance table.
type balanceRow struct {
	Label            string
	Balance, Overlap string
	Unavoidable      bool
	Counts           []levelCount
}

type levelCount struct {
	Label string
	Count int
}

// taskView is a task as a page shows it.
type taskView struct {
	Index, Number, Of int // Index counts from 0, Number from 1
	Holdout           bool
	Concepts          []conceptView
	None              bool
	NoneChoice        int  // the choice that picks none
	Answer            bool // the cards are buttons that answer the task
}

// conceptView is one concept as a card shows it.
type conceptView struct {
	Number int // from 1
	Choice int // the choice that picks it
	Levels []survey.ShownLevel
	Price  string // formatted; "" without a price
}

// taskOf is task t of tasks as shown; holdout marks it for analysts.
func taskOf(sh survey.Shown, t, tasks int, holdout bool) taskView {
	tv := taskView{Index: t, Number: t + 1, Of: tasks, Holdout: holdout, None: sh.None, NoneChoice: len(sh.Concepts)}
	for j, c := range sh.Concepts {
		cv := conceptView{Number: j + 1, Choice: j, Levels: c.Levels}
		if c.HasPrice {
			cv.Price = formatMoney(c.Price, sh.Currency)
		}
		tv.Concepts = append(tv.Concepts, cv)
	}
	return tv
}

func (s *server) survey(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	s.renderSurvey(w, r, http.StatusOK, r.PathValue("id"), newFitForm("", "", "", ""))
}

// renderSurvey shows a survey's page with the fit form as given.
func (s *server) renderSurvey(w http.ResponseWriter, r *http.Request, status int, id string, ff fitForm) {
	st, err := s.svc.Survey(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := st.Design
	page := surveyPage{Survey: st, Model: d.Model + " " + d.Version, Currency: d.Currency, Spec: d.Spec,
		DError: figure(d.Efficiency.DError), RandomDError: figure(d.Efficiency.RandomDError), Relative: figure(d.Efficiency.Relative)}
	for _, p := range d.Prices {
		page.Prices = append(page.Prices, formatMoney(p, d.Currency))
	}
	for i, stat := range d.Stats() {
		row := balanceRow{Label: "Price", Balance: fmt.Sprintf("%.2f", stat.Balance), Overlap: fmt.Sprintf("%.0f%%", 100*stat.Overlap), Unavoidable: stat.MinOverlap > 0}
		for l, n := range stat.Counts {
			label := page.Prices[min(l, len(page.Prices)-1)]
			if i < len(d.Attributes) {
				label = d.Attributes[i].Levels[l].Label
			}
			row.Counts = append(row.Counts, levelCount{Label: label, Count: n})
		}
		if i < len(d.Attributes) {
			row.Label = d.Attributes[i].Label
		}
		page.Balance = append(page.Balance, row)
	}
	var b bytes.Buffer
	if err := d.WriteReport(&b); err != nil {
		s.error(w, r, err)
		return
	}
	page.Report = b.String()

	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(d.Versions) {
			s.error(w, r, errs.Errorf(errs.Invalid, "Version %q does not exist; the survey has versions 1 to %d.", v, len(d.Versions)))
			return
		}
		page.Preview = n - 1
	}
	for v := range d.Versions {
		page.Versions = append(page.Versions, option{Value: strconv.Itoa(v + 1), Label: fmt.Sprintf("Version %d", v+1), Selected: v == page.Preview})
	}
	for t := range d.TasksPerRespondent() {
		sh, err := d.Show(page.Preview, t)
		if err != nil {
			s.error(w, r, err)
			return
		}
		page.Tasks = append(page.Tasks, taskOf(sh, t, d.TasksPerRespondent(), t >= d.Spec.Tasks))
	}
	page.FitForm = ff
	fits, _, err := s.svc.SurveyFits(r.Context(), st.ID, job.Page{Limit: surveyFitsShown})
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, f := range fits {
		page.Fits = append(page.Fits, fitRowOf(f))
	}
	s.render(w, r, status, "survey", st.Name, "surveys", page)
}

// figure writes an efficiency figure, "-" when it is infinite or missing.
func figure(x float64) string {
	if x == 0 || x > 1e300 || x != x {
		return "-"
	}
	return fmt.Sprintf("%.4g", x)
}

func (s *server) openSurvey(w http.ResponseWriter, r *http.Request) {
	s.setSurveyStatus(w, r, s.svc.OpenSurvey)
}

func (s *server) closeSurvey(w http.ResponseWriter, r *http.Request) {
	s.setSurveyStatus(w, r, s.svc.CloseSurvey)
}

func (s *server) setSurveyStatus(w http.ResponseWriter, r *http.Request, set func(ctx context.Context, id string) (survey.Stored, error)) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	id := r.PathValue("id")
	if _, err := set(r.Context(), id); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys/"+id, http.StatusSeeOther)
}

// takePage is the data of the page where a customer answers a survey.
type takePage struct {
	ID, Name string
	Tasks    int
	// Exactly one of these holds: the survey has not been started, a task
	// is asked, the customer has answered every task, or the survey closed
	// before they finished.
	Intro, Asking, Done, Closed bool
	Task                        taskView
	Answered                    int
	Minutes                     int // about how long the survey takes
}

func (s *server) takeSurvey(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.signedIn(w, r); !ok {
		return
	}
	q, err := s.svc.SurveyQuestion(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := takePage{ID: q.Survey.ID, Name: q.Survey.Name, Tasks: q.Survey.Tasks, Answered: q.Respondent.Answered,
		Minutes: max(1, (q.Survey.Tasks*20+59)/60)}
	switch {
	case q.Asking():
		page.Asking = true
		// Respondents are not told which tasks are holdouts.
		page.Task = taskOf(q.Shown, q.Task, q.Survey.Tasks, false)
		page.Task.Answer = true
	case q.Started && q.Respondent.Done():
		page.Done = true
	case q.Survey.Status != survey.Open:
		page.Closed = true
	default:
		page.Intro = true
	}
	title := q.Survey.Name
	if page.Asking {
		title = fmt.Sprintf("Task %d of %d · %s", page.Task.Number, page.Task.Of, q.Survey.Name)
	}
	s.render(w, r, http.StatusOK, "take", title, "take", page)
}

func (s *server) startSurvey(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.signedIn(w, r); !ok {
		return
	}
	id := r.PathValue("id")
	if _, err := s.svc.StartSurvey(r.Context(), id); err != nil && errs.Code(err) != errs.Conflict {
		s.error(w, r, err)
		return
	}
	// A survey that closed meanwhile shows as closed on the page.
	http.Redirect(w, r, "/surveys/"+id+"/take", http.StatusSeeOther)
}

// answerSurvey takes one answer and shows the next task. A task answered
// already (a form sent twice, or from a page left open) keeps its first
// answer, and the page simply shows where the customer stands.
func (s *server) answerSurvey(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.signedIn(w, r); !ok {
		return
	}
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		s.error(w, r, errs.Errorf(errs.Invalid, "The form could not be read."))
		return
	}
	task, err1 := strconv.Atoi(r.PostForm.Get("task"))
	choice, err2 := strconv.Atoi(r.PostForm.Get("choice"))
	if err1 != nil || err2 != nil {
		s.error(w, r, errs.Errorf(errs.Invalid, "Choose one of the phones, or none of them."))
		return
	}
	if _, err := s.svc.AnswerSurvey(r.Context(), id, task, choice); err != nil && errs.Code(err) != errs.Conflict {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys/"+id+"/take", http.StatusSeeOther)
}
