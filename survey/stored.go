package survey

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/errs"
)

// Status is where a stored survey is in its life. A draft takes no
// answers; opening it lets customers start it; closing it stops all
// answers for good. A survey moves draft -> open -> closed only.
type Status string

// The statuses of a stored survey.
const (
	Draft  Status = "draft"
	Open   Status = "open"
	Closed Status = "closed"
)

// Statuses lists the statuses in life order.
var Statuses = []Status{Draft, Open, Closed}

// ParseStatus returns the status named s, or an errs.Invalid error.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", errs.Errorf(errs.Invalid, "Unknown survey status %q; want draft, open or closed.", s)
}

// Stored is a survey as the product keeps it: a design with a name, its
// status, and how far the answers have come.
type Stored struct {
	ID      string
	Name    string
	ModelID string // the product model version it was designed on
	Status  Status
	// Design is the designed survey; lists leave it nil.
	Design *Survey
	// Versions and Tasks are the design's number of versions and of tasks
	// per respondent (holdouts included), which lists show without the
	// design.
	Versions, Tasks int
	CreatedBy       string // the analyst's user id; "" when unknown
	CreatedAt       time.Time
	OpenedAt        time.Time // zero while a draft
	ClosedAt        time.Time // zero until closed
	// Respondents is how many people started, Completed how many answered
	// every task, Answers how many answers are stored.
	Respondents, Completed, Answers int
}

// MaxNameLength bounds a survey's name, in characters.
const MaxNameLength = 100

// ValidateName returns an errs.Invalid error unless name, trimmed, is a
// usable survey name.
func ValidateName(name string) error {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return errs.Errorf(errs.Invalid, "The survey needs a name.")
	case n > MaxNameLength:
		return errs.Errorf(errs.Invalid, "The survey's name must have at most %d characters.", MaxNameLength)
	}
	return nil
}

// Respondent is one person taking a survey: the version they were given
// and how many tasks they have answered. Tasks are answered in order, so
// the next task is number Answered.
type Respondent struct {
	SurveyID string
	UserID   string
	// Seq numbers the respondents of a survey from 0 in the order they
	// started; versions go round robin by it (Version = Seq mod versions).
	Seq      int
	Version  int
	Answered int
	Tasks    int // tasks per respondent, holdouts included
	// StartedAt is when they started; FinishedAt when they answered the
	// last task, zero until then.
	StartedAt, FinishedAt time.Time
}

// Done reports whether r has answered every task.
func (r Respondent) Done() bool { return r.Answered >= r.Tasks }

// Label is the respondent's pseudonym in a survey's answers: "r1" for the
// first to start, "r2" for the next, and so on. Answers name respondents
// by it, never by account, so an analyst fitting models does not see who
// answered.
func (r Respondent) Label() string { return RespondentLabel(r.Seq) }

// RespondentLabel is the label of the respondent with sequence number seq.
func RespondentLabel(seq int) string { return fmt.Sprintf("r%d", seq+1) }

// Invitation is an open survey as one customer sees it: Started tells
// whether they have begun it, and Respondent then holds their progress.
type Invitation struct {
	Survey     Stored
	Started    bool
	Respondent Respondent
}

// Pending reports whether the customer has an open survey left to answer.
func (in Invitation) Pending() bool {
	return in.Survey.Status == Open && (!in.Started || !in.Respondent.Done())
}

// Response is one person's answers given all at once, for importing
// simulated or collected answers in bulk: the choices in tasks 0, 1, ...
// of the version, possibly fewer than the survey has.
type Response struct {
	UserID  string
	Version int
	Choices []int
	At      time.Time // when they answered; the import's time when zero
}

// CheckAnswer returns an errs.Invalid error unless choice is a possible
// answer to task t: t counts from 0 over the designed tasks and then the
// holdouts, and choice is a concept's position or, when the survey has a
// none option, Spec.Concepts for "none of these".
func (s *Survey) CheckAnswer(t, choice int) error {
	if t < 0 || t >= s.TasksPerRespondent() {
		return errs.Errorf(errs.Invalid, "Task %d does not exist; respondents answer tasks 0 to %d.", t, s.TasksPerRespondent()-1)
	}
	if choice < 0 || choice > s.Spec.Concepts || choice == s.Spec.Concepts && !s.Spec.None {
		none := ""
		if s.Spec.None {
			none = fmt.Sprintf(", or %d for none of these", s.Spec.Concepts)
		}
		return errs.Errorf(errs.Invalid, "Choice %d does not exist; a task shows concepts 0 to %d%s.", choice, s.Spec.Concepts-1, none)
	}
	return nil
}

// Shown is one task as a respondent sees it: the concepts with the labels
// of their levels and their prices, and whether "none of these" is offered.
type Shown struct {
	Concepts []ShownConcept
	None     bool
	Currency string
}

// ShownConcept is one concept of a task as shown.
type ShownConcept struct {
	Levels []ShownLevel // in the survey's attribute order
	// Price is in minor units of Shown.Currency; HasPrice is false when
	// the survey shows no price.
	Price    int64
	HasPrice bool
}

// ShownLevel is one attribute of a concept, by name and label.
type ShownLevel struct {
	Attribute, AttributeLabel string
	Level, LevelLabel         string
}

// Show returns task t of version v as a respondent sees it, with the
// labels of the model the survey was designed on.
func (s *Survey) Show(v, t int) (Shown, error) {
	task, err := s.Task(v, t)
	if err != nil {
		return Shown{}, errs.Errorf(errs.Invalid, "%s", upperFirst(err.Error())+".")
	}
	out := Shown{None: s.Spec.None, Currency: s.Currency, Concepts: make([]ShownConcept, len(task.Concepts))}
	for j, c := range task.Concepts {
		sc := ShownConcept{Levels: make([]ShownLevel, len(s.Attributes))}
		for i, a := range s.Attributes {
			lv := a.Levels[c.Levels[i]]
			sc.Levels[i] = ShownLevel{Attribute: a.Name, AttributeLabel: a.Label, Level: lv.Name, LevelLabel: lv.Label}
		}
		sc.Price, sc.HasPrice = s.Price(c)
		out.Concepts[j] = sc
	}
	return out, nil
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Responses turns the answers Simulate gives (each person's tasks in order,
// people in order) into responses to store, person i's as user userID(i).
func (s *Survey) Responses(answers []Answer, userID func(i int) string) ([]Response, error) {
	per := s.TasksPerRespondent()
	if per == 0 || len(answers)%per != 0 {
		return nil, fmt.Errorf("%d answers are not whole sets of %d tasks", len(answers), per)
	}
	rs := make([]Response, len(answers)/per)
	for i := range rs {
		id := userID(i)
		own := answers[i*per : (i+1)*per]
		rs[i] = Response{UserID: id, Version: own[0].Version, Choices: make([]int, per)}
		for t, a := range own {
			rs[i].Choices[t] = a.Choice
		}
	}
	return rs, nil
}
