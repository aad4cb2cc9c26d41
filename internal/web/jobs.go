package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
)

// jobPage is the data of a background job's page. The page shows the job as
// it is when served; job.js then asks the API for it every second until it
// ends.
type jobPage struct {
	ID, Kind    string
	Status      job.Status
	StatusLabel string
	Final       bool
	Progress    float64
	Percent     string
	Message     string
	Error       string
	Output      string // indented JSON, when done with an output
	// Results is the page of a fit's or a lineup's results, shown once
	// it is done; "" for other kinds of jobs. Fit says what the fit does,
	// Lineup what the lineup does.
	Results    string
	Fit        *jobFit
	Lineup     *jobLineup
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
}

// jobStatusLabel says in words where a job is; job.js says the same.
func jobStatusLabel(j job.Job) string {
	switch {
	case j.Status == job.Queued:
		return "Waiting to start"
	case j.Status == job.Running && j.CancelRequested:
		return "Cancelling…"
	case j.Status == job.Running:
		return "Running"
	case j.Status == job.Done:
		return "Done"
	case j.Status == job.Failed:
		return "Failed"
	case j.Status == job.Cancelled:
		return "Cancelled"
	}
	return string(j.Status)
}

func (s *server) jobPage(w http.ResponseWriter, r *http.Request) {
	j, err := s.svc.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := jobPage{ID: j.ID, Kind: j.Kind, Status: j.Status, StatusLabel: jobStatusLabel(j), Final: j.Status.Final(),
		Progress: j.Progress, Percent: fmt.Sprintf("%.0f%%", 100*j.Progress), Message: j.Message, Error: j.Error,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
	switch j.Kind {
	case service.FitKind:
		page.Results = "/fits/" + j.ID
		page.Fit = s.jobFit(r, j)
	case service.LineupKind:
		page.Results = "/lineups/" + j.ID
		page.Lineup = s.jobLineup(r, j)
	}
	if len(j.Output) > 0 {
		var buf bytes.Buffer
		if json.Indent(&buf, j.Output, "", "  ") == nil {
			page.Output = buf.String()
		}
	}
	s.render(w, r, http.StatusOK, "job", "Job: "+j.Kind, "", page)
}

// jobFit is what a fit's job page says of it: the method and settings,
// and the survey.
type jobFit struct {
	Method, Settings     string
	SurveyID, SurveyName string
}

// jobFit describes a fit job; nil when its input is not a fit's.
func (s *server) jobFit(r *http.Request, j job.Job) *jobFit {
	var in service.FitInput
	if json.Unmarshal(j.Input, &in) != nil || in.SurveyID == "" {
		return nil
	}
	row := fitRowOf(service.Fit{Job: j, Input: in})
	jf := &jobFit{Method: row.Method, Settings: row.Settings, SurveyID: in.SurveyID}
	// An admin reading another's fit sees the survey too; anyone else
	// without the survey sees no name.
	if st, err := s.svc.Survey(r.Context(), in.SurveyID); err == nil {
		jf.SurveyName = st.Name
	}
	return jf
}

// jobLineup is what a lineup's job page says of it: its settings, and the
// fit whose market it is chosen in.
type jobLineup struct {
	Settings, FitID, SurveyName string
}

// jobLineup describes a lineup job; nil when its input is not a lineup's.
func (s *server) jobLineup(r *http.Request, j job.Job) *jobLineup {
	var in service.LineupInput
	if json.Unmarshal(j.Input, &in) != nil || in.FitID == "" {
		return nil
	}
	jl := &jobLineup{FitID: in.FitID}
	currency := ""
	if fit, err := s.svc.Job(r.Context(), in.FitID); err == nil {
		var fin service.FitInput
		if json.Unmarshal(fit.Input, &fin) == nil {
			if st, err := s.svc.Survey(r.Context(), fin.SurveyID); err == nil {
				jl.SurveyName, currency = st.Name, st.Design.Currency
			}
		}
	}
	jl.Settings = lineupSettings(in, currency)
	return jl
}

func (s *server) cancelJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.svc.CancelJob(r.Context(), id); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/jobs/"+id, http.StatusSeeOther)
}
