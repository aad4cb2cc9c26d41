package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/tailor-c2b/tailor/job"
)

// Job is a background job.
type Job struct {
	ID              string          `json:"id"`
	Kind            string          `json:"kind" doc:"What the job does, such as fit."`
	Subject         string          `json:"subject,omitempty" doc:"What the job works on, such as survey:<id> for a fit of a survey's answers."`
	Status          string          `json:"status" enum:"queued,running,done,failed,cancelled"`
	Progress        float64         `json:"progress" doc:"The fraction done, 0 to 1, as the job last reported it."`
	Message         string          `json:"message" doc:"The latest progress note, such as \"iteration 12, LL -5331.25\"."`
	Input           json.RawMessage `json:"input" doc:"What the job was asked to do, as submitted."`
	Output          json.RawMessage `json:"output,omitempty" doc:"The result; only when done."`
	Error           string          `json:"error,omitempty" doc:"Why the job failed."`
	CancelRequested bool            `json:"cancel_requested" doc:"A cancel was asked for while the job ran; it stops within moments."`
	CreatedBy       string          `json:"created_by,omitempty" doc:"The id of the user who submitted the job; absent for jobs the system started."`
	CreatedAt       time.Time       `json:"created_at"`
	StartedAt       *time.Time      `json:"started_at,omitempty" doc:"When the current or last run started; absent while queued."`
	FinishedAt      *time.Time      `json:"finished_at,omitempty" doc:"When the job was done, failed or cancelled."`
	Attempts        int             `json:"attempts" doc:"Runs started; a run that a server shutdown gave back does not count."`
}

func jobView(j job.Job) Job {
	v := Job{ID: j.ID, Kind: j.Kind, Subject: j.Subject, Status: string(j.Status), Progress: j.Progress, Message: j.Message,
		Input: j.Input, Output: j.Output, Error: j.Error, CancelRequested: j.CancelRequested,
		CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt, Attempts: j.Attempts}
	if len(v.Input) == 0 {
		v.Input = json.RawMessage("null")
	}
	if !j.StartedAt.IsZero() {
		v.StartedAt = &j.StartedAt
	}
	if !j.FinishedAt.IsZero() {
		v.FinishedAt = &j.FinishedAt
	}
	return v
}

// JobList is a page of jobs.
type JobList struct {
	Items      []Job  `json:"items"`
	NextCursor string `json:"next_cursor,omitempty" doc:"The cursor of the next page; absent on the last page."`
}

func (a *api) listJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := page(q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	js, next, err := a.svc.Jobs(r.Context(), job.Filter{Kind: q.Get("kind"), CreatedBy: q.Get("created_by"), Subject: q.Get("subject")}, job.Page(p))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list := JobList{Items: make([]Job, 0, len(js)), NextCursor: next}
	for _, j := range js {
		list.Items = append(list.Items, jobView(j))
	}
	a.reply(w, r, http.StatusOK, list)
}

func (a *api) getJob(w http.ResponseWriter, r *http.Request) {
	j, err := a.svc.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, jobView(j))
}

func (a *api) cancelJob(w http.ResponseWriter, r *http.Request) {
	j, err := a.svc.CancelJob(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, jobView(j))
}
