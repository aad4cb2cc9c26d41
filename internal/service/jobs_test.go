package service_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
)

// fakeRunner records what the service tells the job runner.
type fakeRunner struct {
	kinds     []string
	mu        sync.Mutex
	wakes     int
	cancelled []string
}

var _ service.JobRunner = (*fakeRunner)(nil)

func (r *fakeRunner) Handles(kind string) bool { return slices.Contains(r.kinds, kind) }

func (r *fakeRunner) Wake() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.wakes++
}

func (r *fakeRunner) Cancel(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cancelled = append(r.cancelled, id)
}

func (f *fixture) mustSubmit(t *testing.T, ctx context.Context) job.Job {
	t.Helper()
	j, err := f.svc.SubmitJob(ctx, "fit", map[string]any{"model": "mnl", "draws": 500})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestSubmitJob(t *testing.T) {
	f := newFixture(t)
	j := f.mustSubmit(t, f.analyst)
	analyst := account.FromContext(f.analyst)
	want := job.Job{ID: j.ID, Kind: "fit", Status: job.Queued, Input: []byte(`{"draws":500,"model":"mnl"}`), CreatedBy: analyst.ID, CreatedAt: *f.clock}
	if diff := cmp.Diff(want, j); diff != "" {
		t.Errorf("SubmitJob (-want +got):\n%s", diff)
	}
	if got, err := f.svc.Job(f.analyst, j.ID); err != nil || !cmp.Equal(want, got) {
		t.Errorf("Job = %+v, %v; want the stored job", got, err)
	}
	if f.runner.wakes != 1 {
		t.Errorf("the runner was woken %d times, want once", f.runner.wakes)
	}

	tests := []struct {
		name  string
		ctx   context.Context
		kind  string
		input any
		want  string
	}{
		{"nobody", f.anon, "fit", nil, errs.Unauthorized},
		{"a customer", f.ana, "fit", nil, errs.Forbidden},
		{"an unknown kind", f.analyst, "optimise", nil, errs.Invalid},
		{"an admin", f.admin, "fit", nil, ""},
		{"input too large", f.analyst, "fit", strings.Repeat("x", service.MaxJobInput), errs.Invalid},
		{"input that is no JSON", f.analyst, "fit", func() {}, errs.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.svc.SubmitJob(tt.ctx, tt.kind, tt.input); code(err) != tt.want {
				t.Errorf("code %q (%v), want %q", code(err), err, tt.want)
			}
		})
	}
	if f.runner.wakes != 2 {
		t.Errorf("the runner was woken %d times, want for each job queued (2)", f.runner.wakes)
	}
}

// TestJobAuthorisation: users see and cancel their own jobs, admins
// everyone's; another user's job is not found.
func TestJobAuthorisation(t *testing.T) {
	f := newFixture(t)
	planner, err := f.svc.CreateUser(context.Background(), account.SignUp{Email: "pl@example.com", Password: "long enough pw", Name: "Pl"}, account.Planner, true)
	if err != nil {
		t.Fatal(err)
	}
	pl := account.NewContext(context.Background(), planner)
	mine := f.mustSubmit(t, f.analyst)
	theirs := f.mustSubmit(t, pl)
	analystID := account.FromContext(f.analyst).ID

	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"the owner reads", func() error { _, err := f.svc.Job(f.analyst, mine.ID); return err }, ""},
		{"another analyst reads", func() error { _, err := f.svc.Job(pl, mine.ID); return err }, errs.NotFound},
		{"an admin reads", func() error { _, err := f.svc.Job(f.admin, mine.ID); return err }, ""},
		{"a customer reads", func() error { _, err := f.svc.Job(f.ana, mine.ID); return err }, errs.Forbidden},
		{"nobody reads", func() error { _, err := f.svc.Job(f.anon, mine.ID); return err }, errs.Unauthorized},
		{"an unknown job", func() error { _, err := f.svc.Job(f.analyst, "nope"); return err }, errs.NotFound},
		{"another analyst cancels", func() error { _, err := f.svc.CancelJob(pl, mine.ID); return err }, errs.NotFound},
		{"a customer cancels", func() error { _, err := f.svc.CancelJob(f.ana, mine.ID); return err }, errs.Forbidden},
		{"a customer lists", func() error { _, _, err := f.svc.Jobs(f.ana, job.Filter{}, job.Page{}); return err }, errs.Forbidden},
		{"an analyst lists another's", func() error {
			_, _, err := f.svc.Jobs(f.analyst, job.Filter{CreatedBy: planner.ID}, job.Page{})
			return err
		}, errs.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.do()); got != tt.want {
				t.Errorf("code %q, want %q", got, tt.want)
			}
		})
	}
	if j, _ := f.svc.Job(f.analyst, mine.ID); j.Status != job.Queued {
		t.Errorf("after the attempts the job is %s, want queued", j.Status)
	}

	ids := func(ctx context.Context, filter job.Filter) []string {
		t.Helper()
		js, _, err := f.svc.Jobs(ctx, filter, job.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, j := range js {
			out = append(out, j.ID)
		}
		return out
	}
	lists := []struct {
		name   string
		ctx    context.Context
		filter job.Filter
		want   []string
	}{
		{"an analyst's own", f.analyst, job.Filter{}, []string{mine.ID}},
		{"an analyst naming themself", f.analyst, job.Filter{CreatedBy: analystID}, []string{mine.ID}},
		{"the planner's own", pl, job.Filter{Kind: "fit"}, []string{theirs.ID}},
		{"an admin's: everyone's", f.admin, job.Filter{}, []string{theirs.ID, mine.ID}},
		{"an admin's of one user", f.admin, job.Filter{CreatedBy: analystID}, []string{mine.ID}},
	}
	for _, tt := range lists {
		got := ids(tt.ctx, tt.filter)
		slices.Sort(got)
		slices.Sort(tt.want)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	// Cancelling: a queued job at once; a running one through its runner.
	c, err := f.svc.CancelJob(f.analyst, mine.ID)
	if err != nil || c.Status != job.Cancelled || !c.FinishedAt.Equal(*f.clock) {
		t.Errorf("CancelJob(queued) = %+v, %v", c, err)
	}
	running, ok, err := f.db.ClaimJob(context.Background(), []string{"fit"}, *f.clock)
	if err != nil || !ok || running.ID != theirs.ID {
		t.Fatalf("ClaimJob = %+v, %v, %v", running, ok, err)
	}
	c, err = f.svc.CancelJob(f.admin, theirs.ID)
	if err != nil || c.Status != job.Running || !c.CancelRequested {
		t.Errorf("CancelJob(running) by an admin = %+v, %v", c, err)
	}
	if diff := cmp.Diff([]string{theirs.ID}, f.runner.cancelled); diff != "" {
		t.Errorf("jobs the runner was told to stop (-want +got):\n%s", diff)
	}
}

func TestNoJobRunner(t *testing.T) {
	f := newFixture(t)
	svc := service.New(f.db, service.Config{})
	if _, err := svc.SubmitJob(f.analyst, "fit", nil); code(err) != errs.Invalid {
		t.Errorf("SubmitJob without a runner: %v, want invalid", err)
	}
}
