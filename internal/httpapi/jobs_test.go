package httpapi

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/job"
)

// pollJob asks the API for a job until cond holds, for up to 3 s.
func pollJob(t *testing.T, c *client, id, what string, cond func(Job) bool) Job {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		j := MustDecode[Job](t, c.Do("GET", "/api/v1/jobs/"+id, "").Want(t, 200))
		if cond(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %+v; waited 3 s for it to be %s", id, j, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestJobs(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e := MustJobsEnv(t, map[string]jobs.Handler{
		"fit": func(ctx context.Context, _ job.Job, progress func(float64, string)) (any, error) {
			progress(0.5, "iteration 12, LL -5331.25")
			select {
			case <-release:
				return map[string]float64{"ll": -5331.25}, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		},
		"wait": func(ctx context.Context, _ job.Job, _ func(float64, string)) (any, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
	})
	analyst := e.MustUser(t, "Ana Lyst", account.Analyst)
	planner := e.MustUser(t, "Plan Ner", account.Planner)
	admin := e.MustUser(t, "Ad Min", account.Admin)
	customer := e.MustUser(t, "Cus Tomer", account.Customer)
	submit := func(c *client, kind string) string {
		t.Helper()
		j, err := e.svc.SubmitJob(account.NewContext(context.Background(), c.user), kind, map[string]string{"model": "mnl"})
		if err != nil {
			t.Fatal(err)
		}
		return j.ID
	}

	// A job runs, reports its progress and ends with its output.
	fit := submit(analyst, "fit")
	running := pollJob(t, analyst, fit, "running with a note", func(j Job) bool { return j.Message != "" })
	if running.Status != "running" || running.Progress != 0.5 || running.Message != "iteration 12, LL -5331.25" ||
		string(running.Input) != `{"model":"mnl"}` || running.CreatedBy != analyst.user.ID || running.StartedAt == nil ||
		running.FinishedAt != nil || running.Output != nil || running.Attempts != 1 {
		t.Errorf("running job = %+v", running)
	}
	access := []struct {
		name   string
		c      *client
		status int
	}{
		{"the owner", analyst, 200},
		{"an admin", admin, 200},
		{"another analyst", planner, 404},
		{"a customer", customer, 403},
		{"nobody", e.Anon(t), 401},
	}
	for _, tt := range access {
		r := tt.c.Do("GET", "/api/v1/jobs/"+fit, "").Want(t, tt.status)
		if tt.status != 200 {
			MustProblem(t, r, tt.status, "")
		}
	}
	close(release)
	done := pollJob(t, analyst, fit, "done", func(j Job) bool { return j.Status == "done" })
	if string(done.Output) != `{"ll":-5331.25}` || done.Progress != 1 || done.FinishedAt == nil || done.Error != "" {
		t.Errorf("done job = %+v", done)
	}
	MustProblem(t, analyst.Do("POST", "/api/v1/jobs/"+fit+"/cancel", ""), 409, "already finished")

	// Cancelling: not another analyst's job; the owner's stops.
	e.clock.Add(time.Second) // lists order by creation time
	wait := submit(analyst, "wait")
	MustProblem(t, planner.Do("POST", "/api/v1/jobs/"+wait+"/cancel", ""), 404, "not found")
	MustProblem(t, customer.Do("POST", "/api/v1/jobs/"+wait+"/cancel", ""), 403, "")
	c := MustDecode[Job](t, analyst.Do("POST", "/api/v1/jobs/"+wait+"/cancel", "").Want(t, 200))
	if c.Status != "cancelled" && !(c.Status == "running" && c.CancelRequested) {
		t.Errorf("cancel answer = %+v, want cancelled or cancelling", c)
	}
	pollJob(t, analyst, wait, "cancelled", func(j Job) bool { return j.Status == "cancelled" })
	analyst.Do("POST", "/api/v1/jobs/"+wait+"/cancel", "").Want(t, 200) // again: no change, no error
	MustProblem(t, analyst.Do("GET", "/api/v1/jobs/nope", ""), 404, "Job nope not found")

	// Lists: the caller's own, newest first; everyone's for admins.
	e.clock.Add(time.Second)
	theirs := submit(planner, "wait")
	ids := func(l JobList) []string {
		var out []string
		for _, j := range l.Items {
			out = append(out, j.ID)
		}
		return out
	}
	lists := []struct {
		name string
		c    *client
		path string
		want []string
	}{
		{"analyst", analyst, "/api/v1/jobs", []string{wait, fit}},
		{"analyst's fits", analyst, "/api/v1/jobs?kind=fit", []string{fit}},
		{"analyst naming themself", analyst, "/api/v1/jobs?created_by=" + analyst.user.ID, []string{wait, fit}},
		{"planner", planner, "/api/v1/jobs", []string{theirs}},
		{"admin", admin, "/api/v1/jobs", []string{theirs, wait, fit}},
		{"admin, one user", admin, "/api/v1/jobs?created_by=" + planner.user.ID, []string{theirs}},
	}
	for _, tt := range lists {
		got := MustDecode[JobList](t, tt.c.Do("GET", tt.path, "").Want(t, 200))
		if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
			t.Errorf("%s: GET %s (-want +got):\n%s", tt.name, tt.path, diff)
		}
	}
	first := MustDecode[JobList](t, admin.Do("GET", "/api/v1/jobs?limit=2", "").Want(t, 200))
	if len(first.Items) != 2 || first.NextCursor == "" {
		t.Fatalf("first page = %+v, want 2 jobs and a cursor", first)
	}
	rest := MustDecode[JobList](t, admin.Do("GET", "/api/v1/jobs?limit=2&cursor="+first.NextCursor, "").Want(t, 200))
	if diff := cmp.Diff([]string{fit}, ids(rest)); diff != "" || rest.NextCursor != "" {
		t.Errorf("second page (-want +got):\n%s (cursor %q)", diff, rest.NextCursor)
	}
	MustProblem(t, analyst.Do("GET", "/api/v1/jobs?created_by="+planner.user.ID, ""), 403, "only your own jobs")
	MustProblem(t, analyst.Do("GET", "/api/v1/jobs?limit=0", ""), 400, "limit")
	MustProblem(t, analyst.Do("GET", "/api/v1/jobs?cursor=garbage", ""), 400, "cursor")
	MustProblem(t, customer.Do("GET", "/api/v1/jobs", ""), 403, "run analyses")
	MustProblem(t, analyst.Do("DELETE", "/api/v1/jobs/"+fit, ""), 405, "")
}
