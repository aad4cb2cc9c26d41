// Package jobs runs background jobs (package job) in the server process:
// workers claim queued jobs from storage, run the handler registered for
// each job's kind, record its progress as it goes and its output or error
// at the end.
//
// Kinds of work (model fits, lineup optimisations) register a Handler; the
// runner knows nothing of them. A job is cancelled when its user asks (the
// handler's context ends), and given back to the queue, to start again
// later, when the server stops. Jobs left running by a process that
// crashed go back to the queue once their heartbeats are old enough that
// no live process can be running them.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/job"
)

// Handler does the work of one kind of job. It reports its progress with
// progress (frac from 0 to 1 and a short note for the user); progress is
// cheap and may be called as often as the work likes, since the runner
// writes at most a few reports a second. The handler must return soon after
// ctx ends: its job was cancelled or the server is stopping.
//
// The output is stored as JSON. An error's errs.Message is what the user
// sees ("Internal error." for errors without a code); the full error goes to
// the log.
type Handler func(ctx context.Context, j job.Job, progress func(frac float64, msg string)) (output any, err error)

// Store is the storage the runner needs; internal/sqldb implements it. A
// run is named by the job's id and attempt number (job.Job.Attempts after
// the claim); see the methods of sqldb.DB for the details.
type Store interface {
	// ClaimJob makes the oldest queued job of the kinds running and
	// returns it, with Attempts grown by one; ok is false when there is
	// none. Two callers never claim the same job.
	ClaimJob(ctx context.Context, kinds []string, now time.Time) (j job.Job, ok bool, err error)
	// UpdateJobProgress records a run's progress and heartbeat; stop
	// reports that the run should end (cancel asked, or the run is no
	// longer current).
	UpdateJobProgress(ctx context.Context, id string, attempt int, progress float64, message string, now time.Time) (stop bool, err error)
	// FinishJob ends a run as done (with output), failed or cancelled;
	// errs.Conflict when the run is no longer current.
	FinishJob(ctx context.Context, id string, attempt int, status job.Status, output json.RawMessage, errMsg string, now time.Time) error
	// ReleaseJob gives a run back: the job is queued again, or cancelled
	// when a cancel was asked for; errs.Conflict when the run is no
	// longer current.
	ReleaseJob(ctx context.Context, id string, attempt int, now time.Time) (job.Status, error)
	// RequeueRunning requeues (or fails, after job.MaxAttempts runs) the
	// running jobs whose heartbeat is older than staleBefore.
	RequeueRunning(ctx context.Context, staleBefore, now time.Time) (requeued, ended int, err error)
}

// Options configure a Runner. Zero values take the defaults.
type Options struct {
	// Workers is how many jobs run at once; 1 by default, since a model
	// fit keeps the machine's cores busy by itself.
	Workers int
	// Poll is how often idle workers look for queued jobs that no Wake
	// announced (those submitted by another process); 2 s by default.
	Poll time.Duration
	// ProgressEvery is the least time between two progress writes of one
	// job; 250 ms by default.
	ProgressEvery time.Duration
	// Heartbeat is how often a running job's liveness is written when its
	// handler reports nothing new; 10 s by default. A job whose last
	// write is StaleAfter heartbeats old is taken to be abandoned by a
	// crashed process and is requeued.
	Heartbeat time.Duration
	// StaleAfter is how many heartbeats a running job may miss before it
	// is requeued; 6 by default.
	StaleAfter int
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Log receives what happens to jobs; discarded when nil.
	Log *slog.Logger
}

// Runner runs background jobs. It is safe for concurrent use.
type Runner struct {
	store   Store
	opts    Options
	log     *slog.Logger
	wake    chan struct{}
	started atomic.Bool

	mu       sync.Mutex
	handlers map[string]Handler
	running  map[string]context.CancelCauseFunc // by job id
}

// internalError is what the user of a job that failed by a bug reads, as
// errs.Message says of errors without a code.
const internalError = "Internal error."

// errStopped ends a run whose job was cancelled, or taken from this
// process; errShutdown ends the runs when the runner stops.
var (
	errStopped  = errors.New("job cancelled")
	errShutdown = errors.New("runner stopping")
)

// New returns a runner over store. Register handlers, then call Run.
func New(store Store, opts Options) *Runner {
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 250 * time.Millisecond
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 10 * time.Second
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = 6
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Runner{
		store: store, opts: opts, log: opts.Log,
		wake:     make(chan struct{}, 1),
		handlers: map[string]Handler{},
		running:  map[string]context.CancelCauseFunc{},
	}
}

// Register makes h run the jobs of kind. It panics when kind is not a
// valid job kind (job.ValidKind), h is nil or kind already has a handler:
// registration is wiring, and a mistake there is a bug.
func (r *Runner) Register(kind string, h Handler) {
	if !job.ValidKind(kind) {
		panic(fmt.Sprintf("jobs: invalid job kind %q", kind))
	}
	if h == nil {
		panic("jobs: nil handler for " + kind)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.handlers[kind]; ok {
		panic("jobs: two handlers for " + kind)
	}
	r.handlers[kind] = h
	r.poke()
}

// Handles reports whether a handler is registered for kind.
func (r *Runner) Handles(kind string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.handlers[kind]
	return ok
}

// Kinds lists the registered kinds in name order.
func (r *Runner) Kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// Wake tells an idle worker that a job was queued, so that it starts now
// rather than at its next poll. It never blocks.
func (r *Runner) Wake() { r.poke() }

func (r *Runner) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Cancel stops the job with the id now if it runs in this runner. The
// cancel must already be recorded in storage (which a runner of another
// process sees at the job's next progress write or heartbeat); Cancel only
// saves the wait.
func (r *Runner) Cancel(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cancel, ok := r.running[id]; ok {
		cancel(errStopped)
	}
}

// Run runs jobs until ctx ends: it requeues jobs abandoned by crashed
// processes (at once and every heartbeat), and its workers claim and run
// queued jobs. When ctx ends, the handlers' contexts end too; Run waits for
// them to return, gives their jobs back to the queue and returns. Run may
// be called once.
func (r *Runner) Run(ctx context.Context) {
	if r.started.Swap(true) {
		panic("jobs: Run called twice")
	}
	r.log.Info("job runner started", "workers", r.opts.Workers, "kinds", r.Kinds())
	r.sweep(ctx)
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Go(func() { r.work(ctx) })
	}
	wg.Go(func() {
		t := time.NewTicker(r.opts.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.sweep(ctx)
			}
		}
	})
	wg.Wait()
	r.log.Info("job runner ended")
}

// sweep requeues the running jobs whose heartbeats stopped.
func (r *Runner) sweep(ctx context.Context) {
	now := r.opts.Now()
	stale := now.Add(-time.Duration(r.opts.StaleAfter) * r.opts.Heartbeat)
	requeued, ended, err := r.store.RequeueRunning(ctx, stale, now)
	switch {
	case err != nil && ctx.Err() == nil:
		r.log.Error("requeue abandoned jobs", "err", err)
	case requeued+ended > 0:
		r.log.Warn("jobs abandoned by a stopped process", "requeued", requeued, "ended", ended)
		if requeued > 0 {
			r.poke()
		}
	}
}

// work claims and runs jobs until ctx ends.
func (r *Runner) work(ctx context.Context) {
	idle := time.NewTimer(0)
	defer idle.Stop()
	for ctx.Err() == nil {
		j, ok, err := r.store.ClaimJob(ctx, r.Kinds(), r.opts.Now())
		if err != nil && ctx.Err() == nil {
			r.log.Error("claim job", "err", err)
		}
		if !ok {
			idle.Reset(r.opts.Poll)
			select {
			case <-ctx.Done():
			case <-r.wake:
			case <-idle.C:
			}
			continue
		}
		// More jobs may be queued: let another idle worker look.
		r.poke()
		r.run(ctx, j)
	}
}

// run runs one claimed job to its end, or until ctx ends.
func (r *Runner) run(ctx context.Context, j job.Job) {
	log := r.log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	r.mu.Lock()
	h := r.handlers[j.Kind]
	// The run's context keeps ctx's values but ends on its own: on a
	// cancel, or with errShutdown when ctx ends.
	runCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	r.running[j.ID] = cancel
	r.mu.Unlock()
	stopOnShutdown := context.AfterFunc(ctx, func() { cancel(errShutdown) })
	defer func() {
		stopOnShutdown()
		r.mu.Lock()
		delete(r.running, j.ID)
		r.mu.Unlock()
		cancel(nil)
	}()

	log.Info("job started")
	start := time.Now()
	rep := &reporter{r: r, j: j, log: log, stop: func() { cancel(errStopped) },
		done: make(chan struct{}), exited: make(chan struct{}), lastSent: time.Now()}
	go rep.loop()
	output, panicked, err := call(runCtx, h, j, rep.set)
	rep.close()

	// Recording the end must not fail because the server is stopping.
	store, cancelStore := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancelStore()
	cause := context.Cause(runCtx)
	took := slog.Duration("took", time.Since(start))
	if err == nil && panicked == nil {
		out, merr := json.Marshal(output)
		if merr != nil {
			log.Error("job output is not JSON", "err", merr)
			r.finish(store, log, j, job.Failed, nil, internalError)
			return
		}
		if output == nil {
			out = nil
		}
		rep.flush(store)
		if r.finish(store, log, j, job.Done, out, "") {
			log.Info("job done", took)
		}
		return
	}
	switch {
	case panicked != nil:
		log.Error("job panicked", "panic", panicked.value, "stack", string(panicked.stack))
		rep.flush(store)
		r.finish(store, log, j, job.Failed, nil, internalError)
	case errors.Is(cause, errShutdown):
		status, err := r.store.ReleaseJob(store, j.ID, j.Attempts, r.opts.Now())
		switch {
		case errs.Code(err) == errs.Conflict:
			log.Info("job taken over by another process before shutdown")
		case err != nil:
			log.Error("give job back at shutdown", "err", err)
		default:
			log.Info("job given back at shutdown", "status", status, took)
		}
	case errors.Is(cause, errStopped):
		if r.finish(store, log, j, job.Cancelled, nil, "") {
			log.Info("job cancelled", took)
		}
	default:
		if errs.Code(err) == errs.Internal {
			log.Error("job failed", "err", err, took)
		} else {
			log.Info("job failed", "err", err, took)
		}
		rep.flush(store)
		r.finish(store, log, j, job.Failed, nil, errs.Message(err))
	}
}

// finish records a run's end and reports whether it did; a run that is no
// longer current (its job was requeued, or cancelled while it was queued
// again) leaves the job as it is.
func (r *Runner) finish(ctx context.Context, log *slog.Logger, j job.Job, status job.Status, out json.RawMessage, msg string) bool {
	err := r.store.FinishJob(ctx, j.ID, j.Attempts, status, out, msg, r.opts.Now())
	switch {
	case errs.Code(err) == errs.Conflict:
		log.Warn("job run ended after its job was taken from it", "status", status)
		return false
	case err != nil:
		log.Error("record job end", "status", status, "err", err)
		return false
	}
	return true
}

// panicValue is what a handler panicked with, and where.
type panicValue struct {
	value any
	stack []byte
}

// call runs h and turns a panic into a return.
func call(ctx context.Context, h Handler, j job.Job, progress func(float64, string)) (output any, p *panicValue, err error) {
	defer func() {
		if v := recover(); v != nil {
			p = &panicValue{value: v, stack: debug.Stack()}
		}
	}()
	output, err = h(ctx, j, progress)
	return output, nil, err
}

// reporter writes a running job's progress at most every ProgressEvery,
// and its heartbeat every Heartbeat when there is no news; the handler only
// sets the latest values, without waiting for the database.
type reporter struct {
	r      *Runner
	j      job.Job
	log    *slog.Logger
	stop   func() // ends the run when storage says to stop
	done   chan struct{}
	exited chan struct{}

	mu       sync.Mutex
	frac     float64
	msg      string
	dirty    bool
	lastSent time.Time
}

// set is the progress function a handler calls.
func (rp *reporter) set(frac float64, msg string) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if !math.IsNaN(frac) {
		rp.frac = min(max(frac, 0), 1)
	}
	rp.msg = msg
	rp.dirty = true
}

func (rp *reporter) loop() {
	defer close(rp.exited)
	t := time.NewTicker(rp.r.opts.ProgressEvery)
	defer t.Stop()
	for {
		select {
		case <-rp.done:
			return
		case <-t.C:
			rp.mu.Lock()
			due := rp.dirty || time.Since(rp.lastSent) >= rp.r.opts.Heartbeat
			rp.mu.Unlock()
			if due {
				rp.write(context.Background())
			}
		}
	}
}

// write sends the latest progress and stops the run when storage says so.
func (rp *reporter) write(ctx context.Context) {
	rp.mu.Lock()
	frac, msg := rp.frac, job.Shorten(rp.msg)
	rp.dirty = false
	rp.lastSent = time.Now()
	rp.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	stop, err := rp.r.store.UpdateJobProgress(ctx, rp.j.ID, rp.j.Attempts, frac, msg, rp.r.opts.Now())
	if err != nil {
		// The next write retries; a run whose writes keep failing is
		// requeued by another process once its heartbeat is stale, and
		// then stopped here by the first write that succeeds.
		rp.log.Warn("record job progress", "err", err)
		return
	}
	if stop {
		rp.stop()
	}
}

// close stops the loop and waits for a write in flight.
func (rp *reporter) close() {
	close(rp.done)
	<-rp.exited
}

// flush writes progress the loop has not sent yet, so that a job ends with
// the handler's last note.
func (rp *reporter) flush(ctx context.Context) {
	rp.mu.Lock()
	dirty := rp.dirty
	rp.mu.Unlock()
	if dirty {
		rp.write(ctx)
	}
}
