package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

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
	CreatedAt   time.Time
	StartedAt   time.Time
	FinishedAt  time.Time
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
	if len(j.Output) > 0 {
		var buf bytes.Buffer
		if json.Indent(&buf, j.Output, "", "  ") == nil {
			page.Output = buf.String()
		}
	}
	s.render(w, r, http.StatusOK, "job", "Job: "+j.Kind, "", page)
}

func (s *server) cancelJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.svc.CancelJob(r.Context(), id); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/jobs/"+id, http.StatusSeeOther)
}
