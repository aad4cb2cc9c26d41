package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/job"
)

const jobColumns = `id, kind, subject, status, progress, message, input, COALESCE(output, ''), error, cancel_requested,
	COALESCE(created_by, ''), created_at, COALESCE(started_at, ''), COALESCE(finished_at, ''), attempts`

// A run of a job is named by the job's id and its attempt number, which
// ClaimJob increments: the methods that a runner calls while it runs a job
// (UpdateJobProgress, FinishJob, ReleaseJob) change the job only while that
// run is the current one. A process that lost its job to RequeueRunning,
// because its heartbeats stopped for a while, thus cannot overwrite the
// work of the process that claimed the job next.

// CreateJob stores a new queued job of j.Kind with j.Subject, j.Input,
// j.CreatedBy and j.CreatedAt (now when zero) and returns it with its ID
// assigned; the other fields start empty. errs.Invalid for a malformed kind,
// a subject longer than job.MaxSubject or input that is not JSON,
// errs.NotFound when the creator does not exist.
func (db *DB) CreateJob(ctx context.Context, j job.Job) (job.Job, error) {
	if !job.ValidKind(j.Kind) {
		return job.Job{}, errs.Errorf(errs.Invalid, "Job kind %q is not valid: use lower-case letters, digits and hyphens.", j.Kind)
	}
	if len(j.Subject) > job.MaxSubject {
		return job.Job{}, errs.Errorf(errs.Invalid, "A job's subject has at most %d bytes.", job.MaxSubject)
	}
	if len(j.Input) == 0 {
		j.Input = json.RawMessage("null")
	}
	if !json.Valid(j.Input) {
		return job.Job{}, errs.Errorf(errs.Invalid, "The job's input is not valid JSON.")
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = time.Now()
	}
	j = job.Job{ID: newID(), Kind: j.Kind, Subject: j.Subject, Status: job.Queued, Input: j.Input, CreatedBy: j.CreatedBy, CreatedAt: stamp(j.CreatedAt)}
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO jobs (id, kind, subject, status, input, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			j.ID, j.Kind, j.Subject, string(j.Status), string(j.Input), nullable(j.CreatedBy), formatTime(j.CreatedAt))
		switch {
		case isForeignKeyViolation(err):
			return errs.Errorf(errs.NotFound, "User %s not found.", j.CreatedBy)
		case err != nil:
			return fmt.Errorf("insert job %s: %w", j.ID, err)
		}
		return nil
	})
	if err != nil {
		return job.Job{}, err
	}
	return j, nil
}

// GetJob returns the job with the id; errs.NotFound.
func (db *DB) GetJob(ctx context.Context, id string) (job.Job, error) {
	var j job.Job
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = findJob(ctx, tx, id)
		return err
	})
	return j, err
}

func findJob(ctx context.Context, tx *sql.Tx, id string) (job.Job, error) {
	j, err := scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return job.Job{}, errs.Errorf(errs.NotFound, "Job %s not found.", id)
	}
	if err != nil {
		return job.Job{}, fmt.Errorf("find job %s: %w", id, err)
	}
	return j, nil
}

// Jobs lists the jobs f selects, newest first, a page at a time, and
// returns the cursor of the next page ("" after the last). errs.Invalid
// for a malformed cursor.
func (db *DB) Jobs(ctx context.Context, f job.Filter, p job.Page) ([]job.Job, string, error) {
	p = p.Clamp()
	var q query
	q.add(`SELECT ` + jobColumns + ` FROM jobs WHERE 1 = 1`)
	if f.Kind != "" {
		q.add(` AND kind = ` + q.arg(f.Kind))
	}
	if f.CreatedBy != "" {
		q.add(` AND created_by = ` + q.arg(f.CreatedBy))
	}
	if f.Subject != "" {
		q.add(` AND subject = ` + q.arg(f.Subject))
	}
	if p.Cursor != "" {
		c, err := parseCursor(p.Cursor, "jobs")
		if err != nil {
			return nil, "", err
		}
		q.add(` AND (created_at, id) < (` + q.arg(c.Time) + `, ` + q.arg(c.ID) + `)`)
	}
	q.add(` ORDER BY created_at DESC, id DESC LIMIT ` + q.arg(p.Limit+1))
	var js []job.Job
	err := db.Read(ctx, func(tx *sql.Tx) error {
		js = nil
		rows, err := tx.QueryContext(ctx, q.text.String(), q.args...)
		if err != nil {
			return fmt.Errorf("list jobs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			js = append(js, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	if len(js) <= p.Limit {
		return js, "", nil
	}
	js = js[:p.Limit]
	last := js[p.Limit-1]
	return js, cursor{Sort: "jobs", Time: formatTime(last.CreatedAt), ID: last.ID}.String(), nil
}

// ClaimJob makes the oldest queued job of one of the kinds running, as of
// now, and returns it; ok is false when no such job is queued. The job's
// Attempts grows by one and names the new run.
//
// Claims are atomic: one conditional UPDATE picks and changes the job, so
// two workers, in one process or in several, never claim the same job. On
// SQLite the single writer connection serialises claims; on PostgreSQL the
// pick locks its row and skips rows that another claim holds, and runs at
// READ COMMITTED, where that is the textbook queue and never fails to
// serialise (SERIALIZABLE would make concurrent claims retry).
func (db *DB) ClaimJob(ctx context.Context, kinds []string, now time.Time) (j job.Job, ok bool, err error) {
	if len(kinds) == 0 {
		return job.Job{}, false, nil
	}
	var q query
	at := q.arg(formatTime(now))
	q.add(`UPDATE jobs SET status = 'running', started_at = ` + at + `, heartbeat_at = ` + at + `,
			attempts = attempts + 1, progress = 0, message = '', cancel_requested = 0
		WHERE status = 'queued' AND id = (SELECT id FROM jobs WHERE status = 'queued' AND kind IN (`)
	for i, k := range kinds {
		if i > 0 {
			q.add(", ")
		}
		q.add(q.arg(k))
	}
	q.add(`) ORDER BY created_at, id LIMIT 1`)
	if db.engine == Postgres {
		q.add(` FOR UPDATE SKIP LOCKED`)
	}
	q.add(`) RETURNING ` + jobColumns)
	err = db.run(ctx, db.writer, &sql.TxOptions{}, func(tx *sql.Tx) error {
		var err error
		j, err = scanJob(tx.QueryRowContext(ctx, q.text.String(), q.args...))
		ok = err == nil
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return job.Job{}, false, fmt.Errorf("claim job: %w", err)
	}
	return j, ok, nil
}

// UpdateJobProgress records the progress (0 to 1) and message of a running
// job's run and, as of now, that its runner is alive. stop reports that the
// run should end: someone asked to cancel the job, or the run is no longer
// current (the job was requeued or ended meanwhile). errs.Invalid for a
// progress outside 0 to 1.
func (db *DB) UpdateJobProgress(ctx context.Context, id string, attempt int, progress float64, message string, now time.Time) (stop bool, err error) {
	if math.IsNaN(progress) || progress < 0 || progress > 1 {
		return false, errs.Errorf(errs.Invalid, "Job progress must be from 0 to 1, not %v.", progress)
	}
	err = db.Transact(ctx, func(tx *sql.Tx) error {
		var cancel bool
		err := tx.QueryRowContext(ctx, `UPDATE jobs SET progress = $3, message = $4, heartbeat_at = $5
			WHERE id = $1 AND attempts = $2 AND status = 'running' RETURNING cancel_requested`,
			id, attempt, progress, job.Shorten(message), formatTime(now)).Scan(&cancel)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			stop = true
		case err != nil:
			return fmt.Errorf("update progress of job %s: %w", id, err)
		default:
			stop = cancel
		}
		return nil
	})
	return stop, err
}

// FinishJob ends a running job's run with a final status, as of now: done
// with its output, if any (progress becomes 1), or failed or cancelled with a
// message for the user. errs.Invalid for a status that is not final,
// errs.Conflict when the run is no longer current.
func (db *DB) FinishJob(ctx context.Context, id string, attempt int, status job.Status, output json.RawMessage, errMsg string, now time.Time) error {
	if !status.Final() {
		return errs.Errorf(errs.Invalid, "A job cannot finish as %q.", status)
	}
	var out any // NULL unless done
	setProgress := ""
	if status == job.Done {
		if len(output) > 0 {
			if !json.Valid(output) {
				return errs.Errorf(errs.Invalid, "The output of job %s is not valid JSON.", id)
			}
			out = string(output)
		}
		setProgress = ", progress = 1"
	}
	return db.Transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = $3, output = $4, error = $5, finished_at = $6,
				heartbeat_at = NULL`+setProgress+`
			WHERE id = $1 AND attempts = $2 AND status = 'running'`,
			id, attempt, string(status), out, job.Shorten(errMsg), formatTime(now))
		if err != nil {
			return fmt.Errorf("finish job %s: %w", id, err)
		}
		return mustAffect(res, errs.Errorf(errs.Conflict, "Job %s is no longer running as attempt %d.", id, attempt))
	})
}

// ReleaseJob gives a running job's run back, as a runner does when the
// server stops in an orderly way, and returns the job's new status: queued,
// to run again from the start (the run does not count as an attempt), or
// cancelled as of now when a cancel was asked for meanwhile. errs.Conflict
// when the run is no longer current.
func (db *DB) ReleaseJob(ctx context.Context, id string, attempt int, now time.Time) (job.Status, error) {
	var status job.Status
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'cancelled', finished_at = $3, heartbeat_at = NULL
			WHERE id = $1 AND attempts = $2 AND status = 'running' AND cancel_requested = 1`, id, attempt, formatTime(now))
		if err != nil {
			return fmt.Errorf("release job %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("rows affected: %w", err)
		} else if n > 0 {
			status = job.Cancelled
			return nil
		}
		res, err = tx.ExecContext(ctx, `UPDATE jobs SET status = 'queued', attempts = attempts - 1, progress = 0, message = '',
				started_at = NULL, heartbeat_at = NULL
			WHERE id = $1 AND attempts = $2 AND status = 'running'`, id, attempt)
		if err != nil {
			return fmt.Errorf("release job %s: %w", id, err)
		}
		status = job.Queued
		return mustAffect(res, errs.Errorf(errs.Conflict, "Job %s is no longer running as attempt %d.", id, attempt))
	})
	return status, err
}

// RequestCancel asks to cancel a job and returns it as it then is. A queued
// job is cancelled at once, as of now; a running job is marked, and its
// runner stops it when it next reports progress or heartbeat; a cancelled
// job stays as it is. errs.NotFound, errs.Conflict for a job that is done or
// failed.
func (db *DB) RequestCancel(ctx context.Context, id string, now time.Time) (job.Job, error) {
	var j job.Job
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'cancelled', finished_at = $2
			WHERE id = $1 AND status = 'queued'`, id, formatTime(now)); err != nil {
			return fmt.Errorf("cancel job %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET cancel_requested = 1
			WHERE id = $1 AND status = 'running'`, id); err != nil {
			return fmt.Errorf("cancel job %s: %w", id, err)
		}
		var err error
		if j, err = findJob(ctx, tx, id); err != nil {
			return err
		}
		switch j.Status {
		case job.Done:
			return errs.Errorf(errs.Conflict, "The job has already finished; there is nothing to cancel.")
		case job.Failed:
			return errs.Errorf(errs.Conflict, "The job has already failed; there is nothing to cancel.")
		}
		return nil
	})
	return j, err
}

// RequeueRunning returns to the queue the running jobs whose last heartbeat
// is before staleBefore: their process stopped without releasing them,
// most likely in a crash. A job that has had job.MaxAttempts runs fails
// instead, with job.Interrupted, and one asked to cancel is cancelled; both
// as of now. It returns how many jobs went back to the queue and how many
// ended.
func (db *DB) RequeueRunning(ctx context.Context, staleBefore, now time.Time) (requeued, ended int, err error) {
	err = db.Transact(ctx, func(tx *sql.Tx) error {
		requeued, ended = 0, 0
		stale, at := formatTime(staleBefore), formatTime(now)
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'cancelled', finished_at = $2, heartbeat_at = NULL
			WHERE status = 'running' AND heartbeat_at < $1 AND cancel_requested = 1`, stale, at)
		if err != nil {
			return fmt.Errorf("requeue jobs: %w", err)
		}
		n1, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("rows affected: %w", err)
		}
		res, err = tx.ExecContext(ctx, `UPDATE jobs SET status = 'failed', error = $3, finished_at = $2, heartbeat_at = NULL
			WHERE status = 'running' AND heartbeat_at < $1 AND attempts >= $4`, stale, at, job.Interrupted, job.MaxAttempts)
		if err != nil {
			return fmt.Errorf("requeue jobs: %w", err)
		}
		n2, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("rows affected: %w", err)
		}
		res, err = tx.ExecContext(ctx, `UPDATE jobs SET status = 'queued', progress = 0, message = '',
				started_at = NULL, heartbeat_at = NULL
			WHERE status = 'running' AND heartbeat_at < $1`, stale)
		if err != nil {
			return fmt.Errorf("requeue jobs: %w", err)
		}
		n3, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("rows affected: %w", err)
		}
		requeued, ended = int(n3), int(n1+n2)
		return nil
	})
	return requeued, ended, err
}

func scanJob(s scanner) (job.Job, error) {
	var j job.Job
	var status, input, output, created, started, finished string
	err := s.Scan(&j.ID, &j.Kind, &j.Subject, &status, &j.Progress, &j.Message, &input, &output, &j.Error, &j.CancelRequested,
		&j.CreatedBy, &created, &started, &finished, &j.Attempts)
	if err != nil {
		return job.Job{}, err
	}
	j.Status = job.Status(status)
	j.Input = json.RawMessage(input)
	if output != "" {
		j.Output = json.RawMessage(output)
	}
	if j.CreatedAt, err = parseTime(created); err != nil {
		return job.Job{}, fmt.Errorf("job %s: created_at: %w", j.ID, err)
	}
	if j.StartedAt, err = parseTime(started); err != nil {
		return job.Job{}, fmt.Errorf("job %s: started_at: %w", j.ID, err)
	}
	if j.FinishedAt, err = parseTime(finished); err != nil {
		return job.Job{}, fmt.Errorf("job %s: finished_at: %w", j.ID, err)
	}
	return j, nil
}
