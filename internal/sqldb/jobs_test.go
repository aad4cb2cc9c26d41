package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/job"
)

// t0 is when the job tests' clocks start.
var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// MustJob queues a job of kind made by creator ("" for the system) at the
// time.
func MustJob(tb testing.TB, db *DB, kind, creator string, at time.Time) job.Job {
	tb.Helper()
	j, err := db.CreateJob(context.Background(), job.Job{Kind: kind, CreatedBy: creator, CreatedAt: at, Input: json.RawMessage(`{"n": 1}`)})
	if err != nil {
		tb.Fatalf("CreateJob(%s): %v", kind, err)
	}
	return j
}

func jobIDs(js []job.Job) []string {
	out := []string{}
	for _, j := range js {
		out = append(out, j.ID)
	}
	return out
}

func MustGetJob(tb testing.TB, db *DB, id string) job.Job {
	tb.Helper()
	j, err := db.GetJob(context.Background(), id)
	if err != nil {
		tb.Fatalf("GetJob(%s): %v", id, err)
	}
	return j
}

func TestCreateAndListJobs(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")
			bob := MustUser(t, db, "bob@example.com", "", "")

			created, err := db.CreateJob(ctx, job.Job{Kind: "fit", Subject: "survey:s1", CreatedBy: ann.ID, Input: json.RawMessage(`{"model": "mnl"}`),
				Status: job.Done, Progress: 0.5, Attempts: 7}) // ignored: a new job starts queued
			if err != nil {
				t.Fatalf("CreateJob: %v", err)
			}
			if created.ID == "" || time.Since(created.CreatedAt) > time.Minute {
				t.Errorf("CreateJob = %+v, want an id and CreatedAt about now", created)
			}
			want := job.Job{ID: created.ID, Kind: "fit", Subject: "survey:s1", Status: job.Queued, Input: json.RawMessage(`{"model": "mnl"}`),
				CreatedBy: ann.ID, CreatedAt: created.CreatedAt}
			if diff := gocmp.Diff(want, created); diff != "" {
				t.Errorf("CreateJob (-want +got):\n%s", diff)
			}
			if diff := gocmp.Diff(want, MustGetJob(t, db, created.ID)); diff != "" {
				t.Errorf("GetJob (-want +got):\n%s", diff)
			}
			system, err := db.CreateJob(ctx, job.Job{Kind: "optimise", CreatedAt: t0})
			if err != nil {
				t.Fatalf("CreateJob by the system: %v", err)
			}
			if got := MustGetJob(t, db, system.ID); got.CreatedBy != "" || string(got.Input) != "null" || !got.CreatedAt.Equal(t0) {
				t.Errorf("system job = %+v, want no creator, null input, CreatedAt kept", got)
			}

			errTests := []struct {
				name       string
				err        error
				code, part string
			}{
				{"empty kind", second(db.CreateJob(ctx, job.Job{})), errs.Invalid, `kind "" is not valid`},
				{"kind with a slash", second(db.CreateJob(ctx, job.Job{Kind: "fit/x"})), errs.Invalid, "not valid"},
				{"input not JSON", second(db.CreateJob(ctx, job.Job{Kind: "fit", Input: json.RawMessage(`{`)})), errs.Invalid, "not valid JSON"},
				{"unknown creator", second(db.CreateJob(ctx, job.Job{Kind: "fit", CreatedBy: "ghost"})), errs.NotFound, "ghost not found"},
				{"long subject", second(db.CreateJob(ctx, job.Job{Kind: "fit", Subject: strings.Repeat("x", job.MaxSubject+1)})), errs.Invalid, "subject"},
				{"missing", second(db.GetJob(ctx, "nope")), errs.NotFound, "Job nope not found"},
				{"bad cursor", third(db.Jobs(ctx, job.Filter{}, job.Page{Cursor: "garbage"})), errs.Invalid, "cursor is not valid"},
			}
			for _, tt := range errTests {
				wantErr(t, tt.name, tt.err, tt.code, tt.part)
			}

			// Lists: newest first, with ties in time broken by id, paged
			// without gaps or repeats; filters by kind, creator and
			// subject.
			for i := range 7 {
				at := t0.Add(time.Duration(i/2) * time.Minute) // pairs share a time
				MustJob(t, db, "fit", ann.ID, at)
				subject := []string{"survey:s1", "survey:s2"}[i%2]
				if _, err := db.CreateJob(ctx, job.Job{Kind: "fit", Subject: subject, CreatedBy: bob.ID, CreatedAt: at}); err != nil {
					t.Fatal(err)
				}
			}
			MustJob(t, db, "optimise", ann.ID, t0.Add(time.Hour))
			all, next, err := db.Jobs(ctx, job.Filter{}, job.Page{Limit: 100})
			if err != nil || next != "" {
				t.Fatalf("Jobs = %q, %v", next, err)
			}
			if len(all) != 2+7+7+1 {
				t.Fatalf("%d jobs listed, want 17", len(all))
			}
			for i := 1; i < len(all); i++ {
				a, b := all[i-1], all[i]
				if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
					t.Fatalf("jobs %d and %d out of order: %v %s, %v %s", i-1, i, a.CreatedAt, a.ID, b.CreatedAt, b.ID)
				}
			}
			tests := []struct {
				name   string
				filter job.Filter
				limit  int
				want   int
			}{
				{"all by 3", job.Filter{}, 3, 17},
				{"all by 1", job.Filter{}, 1, 17},
				{"ann's fits by 2", job.Filter{Kind: "fit", CreatedBy: ann.ID}, 2, 8},
				{"bob's by 4", job.Filter{CreatedBy: bob.ID}, 4, 7},
				{"optimisations", job.Filter{Kind: "optimise"}, 5, 2},
				{"ann's optimisations", job.Filter{Kind: "optimise", CreatedBy: ann.ID}, 5, 1},
				{"nobody's", job.Filter{CreatedBy: "ghost"}, 5, 0},
				{"survey s1's", job.Filter{Subject: "survey:s1"}, 2, 5},
				{"bob's of survey s2", job.Filter{Kind: "fit", CreatedBy: bob.ID, Subject: "survey:s2"}, 1, 3},
				{"ann's of survey s2", job.Filter{CreatedBy: ann.ID, Subject: "survey:s2"}, 1, 0},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					// The oracle: the full list, filtered here.
					want := []string{}
					for _, j := range all {
						if (tt.filter.Kind == "" || j.Kind == tt.filter.Kind) && (tt.filter.CreatedBy == "" || j.CreatedBy == tt.filter.CreatedBy) &&
							(tt.filter.Subject == "" || j.Subject == tt.filter.Subject) {
							want = append(want, j.ID)
						}
					}
					if len(want) != tt.want {
						t.Fatalf("the oracle finds %d jobs, want %d", len(want), tt.want)
					}
					if diff := gocmp.Diff(want, pageAllJobs(t, db, tt.filter, tt.limit)); diff != "" {
						t.Errorf("paged ids (-want +got):\n%s", diff)
					}
				})
			}
			// A cursor of another list is refused.
			designCursor := cursor{Sort: "mine", Time: formatTime(t0), ID: "x"}.String()
			wantErr(t, "a design cursor", third(db.Jobs(ctx, job.Filter{}, job.Page{Cursor: designCursor})), errs.Invalid, "cursor is not valid")
		})
	}
}

// pageAllJobs follows cursors from the first page to the last.
func pageAllJobs(t *testing.T, db *DB, f job.Filter, limit int) []string {
	t.Helper()
	got := []string{}
	p := job.Page{Limit: limit}
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("more than 100 pages: the cursor does not advance")
		}
		js, next, err := db.Jobs(context.Background(), f, p)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(js) > limit {
			t.Fatalf("page %d has %d jobs, limit %d", pages, len(js), limit)
		}
		got = append(got, jobIDs(js)...)
		if next == "" {
			return got
		}
		p.Cursor = next
	}
}

func TestJobLifecycle(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")

			// Nothing to claim: no kinds, an empty queue, only other kinds.
			claimNone := func(name string, kinds ...string) {
				t.Helper()
				if j, ok, err := db.ClaimJob(ctx, kinds, t0); err != nil || ok {
					t.Errorf("%s: ClaimJob(%v) = %+v, %v, %v; want nothing", name, kinds, j, ok, err)
				}
			}
			claimNone("empty queue", "fit")
			older := MustJob(t, db, "fit", ann.ID, t0)
			other := MustJob(t, db, "optimise", ann.ID, t0.Add(-time.Hour))
			newer := MustJob(t, db, "fit", ann.ID, t0.Add(time.Second))
			claimNone("no kinds")
			claimNone("other kinds", "report")

			// The oldest queued job of the kinds asked for.
			start := t0.Add(time.Minute)
			got, ok, err := db.ClaimJob(ctx, []string{"fit", "report"}, start)
			if err != nil || !ok {
				t.Fatalf("ClaimJob = %v, %v", ok, err)
			}
			want := older
			want.Status, want.StartedAt, want.Attempts = job.Running, start, 1
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("claimed (-want +got):\n%s", diff)
			}
			if diff := gocmp.Diff(want, MustGetJob(t, db, older.ID)); diff != "" {
				t.Errorf("stored after claim (-want +got):\n%s", diff)
			}

			// Progress, then a cancel request, which the next update reports.
			stop, err := db.UpdateJobProgress(ctx, older.ID, 1, 0.25, "iteration 12, LL -5331.25", start.Add(time.Second))
			if err != nil || stop {
				t.Fatalf("UpdateJobProgress = %v, %v; want no stop", stop, err)
			}
			if j := MustGetJob(t, db, older.ID); j.Progress != 0.25 || j.Message != "iteration 12, LL -5331.25" {
				t.Errorf("after progress: %v %q", j.Progress, j.Message)
			}
			for _, p := range []float64{-0.1, 1.5} {
				_, err := db.UpdateJobProgress(ctx, older.ID, 1, p, "", start)
				wantErr(t, fmt.Sprint("progress ", p), err, errs.Invalid, "from 0 to 1")
			}
			c, err := db.RequestCancel(ctx, older.ID, start.Add(2*time.Second))
			if err != nil || c.Status != job.Running || !c.CancelRequested {
				t.Fatalf("RequestCancel(running) = %+v, %v; want running with the cancel flag", c, err)
			}
			if stop, err := db.UpdateJobProgress(ctx, older.ID, 1, 0.3, "iteration 13", start.Add(3*time.Second)); err != nil || !stop {
				t.Errorf("UpdateJobProgress after cancel = %v, %v; want stop", stop, err)
			}
			end := start.Add(4 * time.Second)
			if err := db.FinishJob(ctx, older.ID, 1, job.Cancelled, nil, "Cancelled.", end); err != nil {
				t.Fatalf("FinishJob(cancelled): %v", err)
			}
			if j := MustGetJob(t, db, older.ID); j.Status != job.Cancelled || !j.FinishedAt.Equal(end) || j.Message != "iteration 13" || j.Output != nil {
				t.Errorf("after cancelling: %+v", j)
			}
			// A run that ended cannot report or finish again.
			if stop, err := db.UpdateJobProgress(ctx, older.ID, 1, 0.5, "late", end); err != nil || !stop {
				t.Errorf("progress of an ended run = %v, %v; want stop", stop, err)
			}
			wantErr(t, "finish twice", db.FinishJob(ctx, older.ID, 1, job.Done, nil, "", end), errs.Conflict, "no longer running")

			// A queued job is cancelled at once; cancelling again changes nothing.
			c, err = db.RequestCancel(ctx, other.ID, end)
			if err != nil || c.Status != job.Cancelled || !c.FinishedAt.Equal(end) || c.CancelRequested {
				t.Fatalf("RequestCancel(queued) = %+v, %v; want cancelled now", c, err)
			}
			if again, err := db.RequestCancel(ctx, other.ID, end.Add(time.Hour)); err != nil || !again.FinishedAt.Equal(end) {
				t.Errorf("cancel twice = %+v, %v; want it unchanged", again, err)
			}
			claimNone("cancelled jobs are not claimed", "optimise")

			// Done with output; then a cancel is a conflict.
			j, ok, err := db.ClaimJob(ctx, []string{"fit"}, end)
			if err != nil || !ok || j.ID != newer.ID {
				t.Fatalf("ClaimJob = %s, %v, %v; want the newer fit", j.ID, ok, err)
			}
			wantErr(t, "finish as running", db.FinishJob(ctx, j.ID, 1, job.Running, nil, "", end), errs.Invalid, "cannot finish")
			wantErr(t, "finish with bad JSON", db.FinishJob(ctx, j.ID, 1, job.Done, json.RawMessage(`{"x":`), "", end), errs.Invalid, "not valid JSON")
			wantErr(t, "finish another attempt", db.FinishJob(ctx, j.ID, 2, job.Done, nil, "", end), errs.Conflict, "no longer running")
			if err := db.FinishJob(ctx, j.ID, 1, job.Done, json.RawMessage(`{"ll": -5331.25}`), "", end); err != nil {
				t.Fatalf("FinishJob(done): %v", err)
			}
			if j := MustGetJob(t, db, newer.ID); j.Status != job.Done || j.Progress != 1 || string(j.Output) != `{"ll": -5331.25}` || j.Error != "" {
				t.Errorf("done job = %+v", j)
			}
			_, err = db.RequestCancel(ctx, newer.ID, end)
			wantErr(t, "cancel a done job", err, errs.Conflict, "already finished")
			wantErr(t, "cancel a missing job", second(db.RequestCancel(ctx, "nope", end)), errs.NotFound, "not found")

			// Failed with a message.
			f := MustJob(t, db, "fit", ann.ID, t0.Add(time.Hour))
			if _, _, err := db.ClaimJob(ctx, []string{"fit"}, end); err != nil {
				t.Fatal(err)
			}
			if err := db.FinishJob(ctx, f.ID, 1, job.Failed, json.RawMessage(`{"ignored": true}`), "The design matrix is singular.", end); err != nil {
				t.Fatal(err)
			}
			if j := MustGetJob(t, db, f.ID); j.Status != job.Failed || j.Error != "The design matrix is singular." || j.Output != nil {
				t.Errorf("failed job = %+v", j)
			}
			_, err = db.RequestCancel(ctx, f.ID, end)
			wantErr(t, "cancel a failed job", err, errs.Conflict, "already failed")
		})
	}
}

func TestReleaseJob(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			a := MustJob(t, db, "fit", "", t0)
			b := MustJob(t, db, "fit", "", t0.Add(time.Second))
			for range 2 {
				if _, ok, err := db.ClaimJob(ctx, []string{"fit"}, t0); err != nil || !ok {
					t.Fatal(ok, err)
				}
			}
			if _, err := db.UpdateJobProgress(ctx, a.ID, 1, 0.5, "half", t0); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RequestCancel(ctx, b.ID, t0); err != nil {
				t.Fatal(err)
			}
			end := t0.Add(time.Minute)
			for _, tt := range []struct {
				id   string
				want job.Status
			}{{a.ID, job.Queued}, {b.ID, job.Cancelled}} {
				got, err := db.ReleaseJob(ctx, tt.id, 1, end)
				if err != nil || got != tt.want {
					t.Errorf("ReleaseJob = %q, %v; want %q", got, err, tt.want)
				}
			}
			// A released job starts afresh, and its run did not count.
			want := a
			if diff := gocmp.Diff(want, MustGetJob(t, db, a.ID)); diff != "" {
				t.Errorf("released job (-want +got):\n%s", diff)
			}
			if j := MustGetJob(t, db, b.ID); !j.FinishedAt.Equal(end) {
				t.Errorf("cancelled on release: %+v", j)
			}
			_, err := db.ReleaseJob(ctx, a.ID, 1, end)
			wantErr(t, "release a queued job", err, errs.Conflict, "no longer running")
			if j, _, _ := db.ClaimJob(ctx, []string{"fit"}, end); j.ID != a.ID || j.Attempts != 1 {
				t.Errorf("claimed again: %s attempt %d, want %s attempt 1", j.ID, j.Attempts, a.ID)
			}
		})
	}
}

func TestRequeueRunning(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			// run claims the job as of at, after attempts-1 earlier runs
			// that crashed an hour before.
			run := func(name string, attempts int, at time.Time) job.Job {
				j := MustJob(t, db, name, "", t0)
				crash := t0.Add(-time.Hour)
				for a := 1; a <= attempts; a++ {
					claimAt := at
					if a < attempts {
						claimAt = crash
					}
					if c, ok, err := db.ClaimJob(ctx, []string{name}, claimAt); err != nil || !ok || c.Attempts != a {
						t.Fatalf("claim %s attempt %d: %+v, %v, %v", name, a, c, ok, err)
					}
					if a < attempts {
						if n, _, err := db.RequeueRunning(ctx, crash.Add(time.Millisecond), crash); err != nil || n != 1 {
							t.Fatalf("requeue %s: %d, %v", name, n, err)
						}
					}
				}
				return j
			}
			stale, fresh := t0, t0.Add(time.Minute)
			first := run("first", 1, stale)
			second := run("second", 2, stale)
			third := run("third", 3, stale)
			alive := run("alive", 1, fresh)
			// An old claim that still reports progress is alive.
			reporting := run("reporting", 1, stale)
			if _, err := db.UpdateJobProgress(ctx, reporting.ID, 1, 0.5, "", fresh); err != nil {
				t.Fatal(err)
			}
			cancelled := run("cancelled", 1, stale)
			if _, err := db.RequestCancel(ctx, cancelled.ID, stale); err != nil {
				t.Fatal(err)
			}

			now := t0.Add(2 * time.Minute)
			requeued, ended, err := db.RequeueRunning(ctx, t0.Add(30*time.Second), now)
			if err != nil || requeued != 2 || ended != 2 {
				t.Fatalf("RequeueRunning = %d requeued, %d ended, %v; want 2 and 2", requeued, ended, err)
			}
			tests := []struct {
				j        job.Job
				status   job.Status
				attempts int
				err      string
			}{
				{first, job.Queued, 1, ""},
				{second, job.Queued, 2, ""},
				{third, job.Failed, 3, job.Interrupted},
				{alive, job.Running, 1, ""},
				{reporting, job.Running, 1, ""},
				{cancelled, job.Cancelled, 1, ""},
			}
			for _, tt := range tests {
				got := MustGetJob(t, db, tt.j.ID)
				if got.Status != tt.status || got.Attempts != tt.attempts || got.Error != tt.err {
					t.Errorf("%s: %s, %d attempts, error %q; want %s, %d, %q", got.Kind, got.Status, got.Attempts, got.Error, tt.status, tt.attempts, tt.err)
				}
				if tt.status.Final() != !got.FinishedAt.IsZero() || (tt.status.Final() && !got.FinishedAt.Equal(now)) {
					t.Errorf("%s: FinishedAt %v", got.Kind, got.FinishedAt)
				}
			}
			// The crashed process's run is over: it can neither report nor finish.
			if stop, err := db.UpdateJobProgress(ctx, first.ID, 1, 0.9, "", now); err != nil || !stop {
				t.Errorf("progress of a requeued run = %v, %v; want stop", stop, err)
			}
			wantErr(t, "finish a requeued run", db.FinishJob(ctx, second.ID, 2, job.Done, nil, "", now), errs.Conflict, "no longer running")
		})
	}
}

// TestClaimJobConcurrent has workers on several handles of one database,
// as several server processes would be, claim jobs at once until the queue
// is empty: every job must be claimed exactly once.
func TestClaimJobConcurrent(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			const jobs, workers = 40, 8
			ctx := context.Background()
			dbs := []*DB{e.open(t)}
			if e.dsn != "" {
				dbs = append(dbs, e.open(t)) // a second "process"
			}
			var in []string
			for i := range jobs {
				in = append(in, MustJob(t, dbs[0], "fit", "", t0.Add(time.Duration(i)*time.Millisecond)).ID)
			}
			var (
				mu     sync.Mutex
				counts = map[string]int{}
				wg     sync.WaitGroup
			)
			for w := range workers {
				db := dbs[w%len(dbs)]
				wg.Go(func() {
					for {
						j, ok, err := db.ClaimJob(ctx, []string{"fit"}, t0)
						if err != nil {
							t.Errorf("worker %d: ClaimJob: %v", w, err)
							return
						}
						if !ok {
							return
						}
						mu.Lock()
						counts[j.ID]++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			for _, id := range in {
				if counts[id] != 1 {
					t.Errorf("job %s claimed %d times, want once", id, counts[id])
				}
			}
			if len(counts) != jobs {
				t.Errorf("%d jobs claimed, want %d", len(counts), jobs)
			}
		})
	}
}
