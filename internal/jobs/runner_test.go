package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/job"
)

var _ jobs.Store = (*sqldb.DB)(nil)

// logBuffer collects a runner's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// countingStore counts progress writes per job.
type countingStore struct {
	*sqldb.DB
	mu     sync.Mutex
	writes map[string]int
}

func (s *countingStore) UpdateJobProgress(ctx context.Context, id string, attempt int, progress float64, message string, now time.Time) (bool, error) {
	s.mu.Lock()
	s.writes[id]++
	s.mu.Unlock()
	return s.DB.UpdateJobProgress(ctx, id, attempt, progress, message, now)
}

func (s *countingStore) Writes(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes[id]
}

// fixture is a runner over an in-memory database, with short intervals.
type fixture struct {
	db     *sqldb.DB
	store  *countingStore
	runner *jobs.Runner
	log    *logBuffer
	cancel context.CancelFunc
	done   chan struct{}
}

// fastOptions keep every test well under a second.
func fastOptions() jobs.Options {
	return jobs.Options{Poll: 20 * time.Millisecond, ProgressEvery: 20 * time.Millisecond, Heartbeat: 50 * time.Millisecond}
}

// newFixture makes a runner with the handlers; start runs it.
func newFixture(t *testing.T, opts jobs.Options, handlers map[string]jobs.Handler) *fixture {
	t.Helper()
	db, err := sqldb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newFixtureOn(t, db, opts, handlers)
}

func newFixtureOn(t *testing.T, db *sqldb.DB, opts jobs.Options, handlers map[string]jobs.Handler) *fixture {
	t.Helper()
	f := &fixture{db: db, store: &countingStore{DB: db, writes: map[string]int{}}, log: &logBuffer{}}
	opts.Log = slog.New(slog.NewTextHandler(f.log, nil))
	f.runner = jobs.New(f.store, opts)
	for kind, h := range handlers {
		f.runner.Register(kind, h)
	}
	return f
}

// start runs the runner until the test ends or stop is called.
func (f *fixture) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel, f.done = cancel, make(chan struct{})
	go func() {
		defer close(f.done)
		f.runner.Run(ctx)
	}()
	t.Cleanup(f.stop)
}

// stop ends Run and waits for it to return.
func (f *fixture) stop() {
	f.cancel()
	<-f.done
}

// submit queues a job and wakes the runner.
func (f *fixture) submit(t *testing.T, kind string) job.Job {
	t.Helper()
	j, err := f.db.CreateJob(context.Background(), job.Job{Kind: kind, Input: json.RawMessage(`{"n": 3}`)})
	if err != nil {
		t.Fatal(err)
	}
	f.runner.Wake()
	return j
}

// waitFor polls the job until cond holds, for up to 3 s.
func (f *fixture) waitFor(t *testing.T, id, what string, cond func(job.Job) bool) job.Job {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		j, err := f.db.GetJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if cond(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s (%s) is %+v; waited 3 s for it to be %s\nlog:\n%s", id, j.Kind, j, what, f.log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) waitFinal(t *testing.T, id string) job.Job {
	t.Helper()
	return f.waitFor(t, id, "final", func(j job.Job) bool { return j.Status.Final() })
}

func (f *fixture) waitStatus(t *testing.T, id string, s job.Status) job.Job {
	t.Helper()
	return f.waitFor(t, id, string(s), func(j job.Job) bool { return j.Status == s })
}

func TestOutcomes(t *testing.T) {
	type result struct{ LL float64 }
	tests := []struct {
		kind      string
		handler   jobs.Handler
		status    job.Status
		output    string // "" for none
		err       string
		message   string
		logs      []string // in the log
		notLogged string
	}{
		{kind: "done", handler: func(ctx context.Context, j job.Job, progress func(float64, string)) (any, error) {
			if string(j.Input) != `{"n": 3}` || j.Attempts != 1 {
				return nil, fmt.Errorf("handler got %+v", j)
			}
			progress(0.5, "half way")
			return result{LL: -5331.25}, nil
		}, status: job.Done, output: `{"LL":-5331.25}`, message: "half way"},
		{kind: "no-output", handler: func(context.Context, job.Job, func(float64, string)) (any, error) {
			return nil, nil
		}, status: job.Done},
		{kind: "invalid", handler: func(context.Context, job.Job, func(float64, string)) (any, error) {
			return nil, fmt.Errorf("fit: %w", errs.Errorf(errs.Invalid, "The data has no choices."))
		}, status: job.Failed, err: "The data has no choices.", logs: []string{"fit: invalid: The data has no choices."}},
		{kind: "internal", handler: func(_ context.Context, _ job.Job, progress func(float64, string)) (any, error) {
			progress(0.3, "iteration 3")
			return nil, errors.New("open /secret/path: permission denied")
		}, status: job.Failed, err: "Internal error.", message: "iteration 3", logs: []string{"level=ERROR", "/secret/path"}},
		{kind: "panics", handler: func(context.Context, job.Job, func(float64, string)) (any, error) {
			var m map[string]int
			m["x"] = 1 // a nil map write: a typical bug
			return nil, nil
		}, status: job.Failed, err: "Internal error.", logs: []string{"job panicked", "assignment to entry in nil map", "runner_test.go"}},
		{kind: "bad-output", handler: func(context.Context, job.Job, func(float64, string)) (any, error) {
			return map[string]any{"f": func() {}}, nil
		}, status: job.Failed, err: "Internal error.", logs: []string{"job output is not JSON"}},
	}
	handlers := map[string]jobs.Handler{}
	for _, tt := range tests {
		handlers[tt.kind] = tt.handler
	}
	opts := fastOptions()
	opts.Workers = 2
	f := newFixture(t, opts, handlers)
	f.start(t)
	ids := map[string]string{}
	for _, tt := range tests {
		ids[tt.kind] = f.submit(t, tt.kind).ID
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			got := f.waitFinal(t, ids[tt.kind])
			if got.Status != tt.status || got.Error != tt.err || string(got.Output) != tt.output || got.Message != tt.message {
				t.Errorf("job = status %s, error %q, output %s, message %q; want %s, %q, %s, %q",
					got.Status, got.Error, got.Output, got.Message, tt.status, tt.err, tt.output, tt.message)
			}
			if got.Status == job.Done && got.Progress != 1 {
				t.Errorf("done with progress %v, want 1", got.Progress)
			}
			if got.StartedAt.IsZero() || got.FinishedAt.Before(got.StartedAt) || got.Attempts != 1 {
				t.Errorf("times and attempts: %+v", got)
			}
			logs := f.log.String()
			for _, want := range tt.logs {
				if !strings.Contains(logs, want) {
					t.Errorf("the log lacks %q:\n%s", want, logs)
				}
			}
		})
	}
}

// block is a handler that reports progress (when chatty) until its context
// ends, and records why it ended.
type block struct {
	chatty  bool
	started chan struct{}
	ended   chan error // the context's cause
}

func newBlock(chatty bool) *block {
	return &block{chatty: chatty, started: make(chan struct{}, 10), ended: make(chan error, 10)}
}

func (b *block) handle(ctx context.Context, _ job.Job, progress func(float64, string)) (any, error) {
	b.started <- struct{}{}
	for i := 0; ; i++ {
		if b.chatty {
			progress(float64(i%100)/100, fmt.Sprintf("iteration %d", i))
		}
		select {
		case <-ctx.Done():
			b.ended <- context.Cause(ctx)
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func (b *block) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case <-b.started:
	case <-time.After(3 * time.Second):
		t.Fatal("the handler did not start")
	}
}

func (b *block) waitEnded(t *testing.T) {
	t.Helper()
	select {
	case <-b.ended:
	case <-time.After(3 * time.Second):
		t.Fatal("the handler's context did not end")
	}
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name      string
		chatty    bool
		heartbeat time.Duration
		local     bool // also tell the runner, as the service does in its process
	}{
		{name: "seen at a progress write", chatty: true, heartbeat: time.Hour},
		{name: "seen at a heartbeat", heartbeat: 50 * time.Millisecond},
		{name: "told to the runner", heartbeat: time.Hour, local: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBlock(tt.chatty)
			opts := fastOptions()
			opts.Heartbeat = tt.heartbeat
			f := newFixture(t, opts, map[string]jobs.Handler{"fit": b.handle})
			f.start(t)
			j := f.submit(t, "fit")
			b.waitStarted(t)
			if _, err := f.db.RequestCancel(context.Background(), j.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
			if tt.local {
				f.runner.Cancel(j.ID)
			}
			b.waitEnded(t)
			got := f.waitFinal(t, j.ID)
			if got.Status != job.Cancelled || got.Error != "" {
				t.Errorf("job = %+v, want cancelled without an error", got)
			}
		})
	}

	t.Run("queued", func(t *testing.T) {
		b := newBlock(false)
		var ran atomic.Bool
		f := newFixture(t, fastOptions(), map[string]jobs.Handler{
			"fit": b.handle,
			"other": func(context.Context, job.Job, func(float64, string)) (any, error) {
				ran.Store(true)
				return nil, nil
			},
		})
		f.start(t)
		busy := f.submit(t, "fit")
		b.waitStarted(t) // the one worker is busy
		queued := f.submit(t, "other")
		c, err := f.db.RequestCancel(context.Background(), queued.ID, time.Now())
		if err != nil || c.Status != job.Cancelled {
			t.Fatalf("RequestCancel = %+v, %v", c, err)
		}
		f.runner.Cancel(busy.ID) // frees the worker, which must not run the cancelled job
		f.waitFinal(t, busy.ID)
		f.stop()
		if ran.Load() {
			t.Error("the cancelled job ran")
		}
	})
}

func TestShutdownGivesJobsBack(t *testing.T) {
	b := newBlock(true)
	f := newFixture(t, fastOptions(), map[string]jobs.Handler{"fit": b.handle})
	f.start(t)
	j := f.submit(t, "fit")
	b.waitStarted(t)
	f.waitFor(t, j.ID, "reporting progress", func(j job.Job) bool { return j.Message != "" })
	f.stop() // returns once the handler has returned and the job is back
	select {
	case cause := <-b.ended:
		if cause == nil {
			t.Error("the handler's context ended without a cause")
		}
	default:
		t.Fatal("Run returned before the handler did")
	}
	got, err := f.db.GetJob(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != job.Queued || got.Attempts != 0 || got.Progress != 0 || got.Message != "" || !got.StartedAt.IsZero() {
		t.Errorf("after shutdown: %+v; want queued afresh, with no attempt counted", got)
	}

	// The next server runs it.
	f2 := newFixtureOn(t, f.db, fastOptions(), map[string]jobs.Handler{"fit": func(context.Context, job.Job, func(float64, string)) (any, error) {
		return "again", nil
	}})
	f2.start(t)
	f2.runner.Wake()
	if got := f2.waitFinal(t, j.ID); got.Status != job.Done || string(got.Output) != `"again"` || got.Attempts != 1 {
		t.Errorf("after restart: %+v", got)
	}
}

func TestProgressThrottled(t *testing.T) {
	const every, runFor = 50 * time.Millisecond, 400 * time.Millisecond
	var calls int
	opts := fastOptions()
	opts.ProgressEvery = every
	f := newFixture(t, opts, map[string]jobs.Handler{"fit": func(_ context.Context, _ job.Job, progress func(float64, string)) (any, error) {
		start := time.Now()
		for time.Since(start) < runFor {
			calls++
			progress(float64(calls)/1e9, fmt.Sprintf("step %d", calls))
		}
		progress(0.99, "last step")
		return nil, nil
	}})
	f.start(t)
	j := f.submit(t, "fit")
	got := f.waitFinal(t, j.ID)
	writes := f.store.Writes(j.ID)
	t.Logf("%d progress calls, %d writes", calls, writes)
	// One write per tick while the handler runs, and the final flush.
	if max := int(runFor/every) + 2; writes > max {
		t.Errorf("%d progress writes in %v, want at most %d", writes, runFor, max)
	}
	if writes < 3 {
		t.Errorf("%d progress writes, want some while the job ran", writes)
	}
	if got.Message != "last step" {
		t.Errorf("message %q, want the last one reported", got.Message)
	}
}

func TestAbandonedJobs(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Jobs that a crashed process was running: one in its first run, one
	// in its last allowed run.
	crash := time.Now().Add(-time.Hour)
	mk := func(kind string, runs int) job.Job {
		j, err := db.CreateJob(ctx, job.Job{Kind: kind, CreatedAt: crash})
		if err != nil {
			t.Fatal(err)
		}
		for run := 1; run <= runs; run++ {
			if _, ok, err := db.ClaimJob(ctx, []string{kind}, crash); !ok || err != nil {
				t.Fatal(ok, err)
			}
			if run < runs {
				if _, _, err := db.RequeueRunning(ctx, crash.Add(time.Millisecond), crash); err != nil {
					t.Fatal(err)
				}
			}
		}
		return j
	}
	last := mk("optimise", job.MaxAttempts) // first: its requeues would take the other
	once := mk("fit", 1)
	done := func(context.Context, job.Job, func(float64, string)) (any, error) { return true, nil }
	f := newFixtureOn(t, db, fastOptions(), map[string]jobs.Handler{"fit": done, "optimise": done})
	f.start(t)
	if got := f.waitFinal(t, once.ID); got.Status != job.Done || got.Attempts != 2 {
		t.Errorf("abandoned job: %+v; want done at its second attempt", got)
	}
	if got := f.waitFinal(t, last.ID); got.Status != job.Failed || got.Error != job.Interrupted {
		t.Errorf("job abandoned %d times: %+v; want failed", job.MaxAttempts, got)
	}
	if !strings.Contains(f.log.String(), "jobs abandoned by a stopped process") {
		t.Errorf("the log does not say jobs were abandoned:\n%s", f.log.String())
	}
}

func TestWakeAndKinds(t *testing.T) {
	opts := fastOptions()
	opts.Poll = time.Hour // only Wake starts a job
	f := newFixture(t, opts, map[string]jobs.Handler{"fit": func(context.Context, job.Job, func(float64, string)) (any, error) { return 1, nil }})
	f.start(t)
	time.Sleep(30 * time.Millisecond) // the worker is idle, waiting
	other := f.submit(t, "report")    // no handler for it
	fit := f.submit(t, "fit")
	start := time.Now()
	f.waitFinal(t, fit.ID)
	if d := time.Since(start); d > time.Second {
		t.Errorf("the job started %v after Wake", d)
	}
	if got, _ := f.db.GetJob(context.Background(), other.ID); got.Status != job.Queued {
		t.Errorf("a job of a kind without a handler is %s, want queued", got.Status)
	}
	if got := f.runner.Kinds(); len(got) != 1 || got[0] != "fit" || !f.runner.Handles("fit") || f.runner.Handles("report") {
		t.Errorf("Kinds = %v", got)
	}
}

func TestWorkers(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			var running, most atomic.Int32
			h := func(context.Context, job.Job, func(float64, string)) (any, error) {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(40 * time.Millisecond)
				running.Add(-1)
				return nil, nil
			}
			opts := fastOptions()
			opts.Workers = workers
			f := newFixture(t, opts, map[string]jobs.Handler{"fit": h})
			var ids []string
			for range 6 {
				ids = append(ids, f.submit(t, "fit").ID)
			}
			f.start(t)
			for _, id := range ids {
				f.waitFinal(t, id)
			}
			if got := int(most.Load()); got != workers {
				t.Errorf("at most %d jobs ran at once, want %d", got, workers)
			}
		})
	}
}

func TestRegisterRejectsMistakes(t *testing.T) {
	r := jobs.New(nil, jobs.Options{})
	ok := func(context.Context, job.Job, func(float64, string)) (any, error) { return nil, nil }
	r.Register("fit", ok)
	tests := []struct {
		name string
		kind string
		h    jobs.Handler
	}{
		{"twice", "fit", ok},
		{"bad kind", "Fit Model", ok},
		{"no handler", "optimise", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			r.Register(tt.kind, tt.h)
		})
	}
}
