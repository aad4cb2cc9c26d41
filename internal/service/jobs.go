package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/job"
)

// JobRunner is what the service needs of the background job runner, which
// internal/jobs.Runner is. The runner tells which kinds it runs, so that
// registering a handler is all it takes to accept a new kind.
type JobRunner interface {
	// Handles reports whether a handler runs jobs of kind.
	Handles(kind string) bool
	// Wake tells the runner that a job was queued.
	Wake()
	// Cancel stops the job now if it runs in this process; the cancel is
	// already recorded in storage.
	Cancel(id string)
}

// MaxJobInput is the largest job input, in bytes of JSON.
const MaxJobInput = 1 << 20

// SubmitJob queues a job of kind for the signed-in user with input,
// encoded as JSON, and returns it. errs.Unauthorized when nobody is signed
// in, errs.Forbidden unless the user may run analyses, errs.Invalid for a
// kind that no handler runs and for input larger than MaxJobInput. Input
// that does not encode as JSON is a bug of the caller: an internal error.
func (s *Service) SubmitJob(ctx context.Context, kind string, input any) (job.Job, error) {
	if err := account.FromContext(ctx).Require(account.RunAnalyses); err != nil {
		return job.Job{}, err
	}
	return s.submit(ctx, kind, "", input)
}

// submit queues a job about subject for the signed-in user, whose
// permissions the caller has checked; errors as SubmitJob.
func (s *Service) submit(ctx context.Context, kind, subject string, input any) (job.Job, error) {
	return s.submitAt(ctx, kind, subject, input, s.now())
}

// submitAt is submit with the job's creation time, which orders the queue.
func (s *Service) submitAt(ctx context.Context, kind, subject string, input any, at time.Time) (job.Job, error) {
	u := account.FromContext(ctx)
	if s.jobs == nil || !s.jobs.Handles(kind) {
		return job.Job{}, errs.Errorf(errs.Invalid, "Unknown job kind %q.", kind)
	}
	in, err := json.Marshal(input)
	if err != nil {
		return job.Job{}, fmt.Errorf("encode input of %s job: %w", kind, err)
	}
	if len(in) > MaxJobInput {
		return job.Job{}, errs.Errorf(errs.Invalid, "The job's input is too large: %d bytes, at most %d.", len(in), MaxJobInput)
	}
	j, err := s.store.CreateJob(ctx, job.Job{Kind: kind, Subject: subject, Input: in, CreatedBy: u.ID, CreatedAt: at})
	if err != nil {
		return job.Job{}, err
	}
	s.jobs.Wake()
	s.log.InfoContext(ctx, "job submitted", "job", j.ID, "kind", kind, "user", u.ID)
	return j, nil
}

// Job returns a job the signed-in user may see: their own, or any for an
// admin. errs.Unauthorized, errs.Forbidden as SubmitJob; errs.NotFound
// for an unknown job and for another user's, whose existence is not
// revealed.
func (s *Service) Job(ctx context.Context, id string) (job.Job, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.RunAnalyses); err != nil {
		return job.Job{}, err
	}
	j, err := s.store.GetJob(ctx, id)
	if err != nil {
		return job.Job{}, err
	}
	if j.CreatedBy != u.ID && !u.Can(account.ManageJobs) {
		return job.Job{}, errs.Errorf(errs.NotFound, "Job %s not found.", id)
	}
	return j, nil
}

// Jobs lists the jobs f selects that the signed-in user may see, newest
// first, a page at a time, and the cursor of the next page ("" after the
// last). Users see their own jobs (f.CreatedBy "" means their own); admins
// see everyone's (f.CreatedBy "" means all). errs.Unauthorized,
// errs.Forbidden as SubmitJob and when f names another user for a user who
// is not an admin; errs.Invalid for a malformed cursor.
func (s *Service) Jobs(ctx context.Context, f job.Filter, p job.Page) ([]job.Job, string, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.RunAnalyses); err != nil {
		return nil, "", err
	}
	if !u.Can(account.ManageJobs) {
		if f.CreatedBy != "" && f.CreatedBy != u.ID {
			return nil, "", errs.Errorf(errs.Forbidden, "You may list only your own jobs.")
		}
		f.CreatedBy = u.ID
	}
	return s.store.Jobs(ctx, f, p)
}

// CancelJob asks to cancel a job the signed-in user may see (as Job) and
// returns it as it then is: a queued job is cancelled at once, a running
// one stops soon after, a cancelled one stays so. Errors as Job, and
// errs.Conflict for a job that is done or failed.
func (s *Service) CancelJob(ctx context.Context, id string) (job.Job, error) {
	if _, err := s.Job(ctx, id); err != nil {
		return job.Job{}, err
	}
	j, err := s.store.RequestCancel(ctx, id, s.now())
	if err != nil {
		return job.Job{}, err
	}
	if j.Status == job.Running && s.jobs != nil {
		s.jobs.Cancel(id)
	}
	s.log.InfoContext(ctx, "job cancel asked", "job", id, "status", j.Status, "user", account.FromContext(ctx).ID)
	return j, nil
}
