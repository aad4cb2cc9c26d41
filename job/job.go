// Package job holds Tailor's background jobs: work such as a model fit or a
// lineup optimisation that an analyst starts and that runs in the server
// process, reporting its progress, while the analyst waits or comes back
// later. It is pure: storage lives in internal/sqldb and the runner in
// internal/jobs.
package job

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/errs"
)

// Status is where a job is in its life: queued, then running, then one of
// the three final statuses. A running job may go back to queued when the
// server stops while running it.
type Status string

// Statuses.
const (
	Queued    Status = "queued"
	Running   Status = "running"
	Done      Status = "done"
	Failed    Status = "failed"
	Cancelled Status = "cancelled"
)

// Statuses lists every status in life order.
var Statuses = []Status{Queued, Running, Done, Failed, Cancelled}

// ParseStatus returns the status named s, or an errs.Invalid error.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case Queued, Running, Done, Failed, Cancelled:
		return st, nil
	}
	return "", errs.Errorf(errs.Invalid, "Unknown job status %q; want queued, running, done, failed or cancelled.", s)
}

// Final reports whether s is an end: done, failed or cancelled.
func (s Status) Final() bool { return s == Done || s == Failed || s == Cancelled }

// Job is one piece of background work and what became of it.
type Job struct {
	ID   string
	Kind string // what the job does, e.g. "fit"; a runner handler is registered under it
	// Subject names what the job works on, such as "survey:<id>" for a
	// fit of a survey's answers, so that lists can select a subject's
	// jobs; "" for none.
	Subject string
	Status  Status
	// Progress is the fraction done, 0 to 1, as the handler last reported it.
	Progress float64
	// Message is the latest progress note, such as "iteration 12, LL -5331.25".
	Message string
	Input   json.RawMessage // what the job was asked to do, as submitted
	Output  json.RawMessage // the result of a done job; nil otherwise
	// Error says why a job failed, in words safe to show its user.
	Error string
	// CancelRequested is set when someone asked to cancel the job while it
	// was running; its runner stops it at once, or at its next progress
	// write or heartbeat when it runs in another process.
	CancelRequested bool
	CreatedBy       string // the id of the user who submitted it; "" for the system
	CreatedAt       time.Time
	StartedAt       time.Time // when the current or last run started; zero while queued
	FinishedAt      time.Time // zero until the job is done, failed or cancelled
	// Attempts counts the runs that started and did not end by an orderly
	// shutdown: a run that a crash interrupted counts, so that a job that
	// brings the server down is not retried for ever (see MaxAttempts).
	Attempts int
}

// MaxAttempts is how many runs a job gets. A job left running by a crashed
// process after this many runs fails instead of going back to the queue.
const MaxAttempts = 3

// Interrupted is the Error of a job failed because its runs were
// interrupted MaxAttempts times.
const Interrupted = "The job was interrupted too often; it may need more memory or time than the server has."

// MaxMessage is the longest progress message or error kept, in characters.
const MaxMessage = 500

// Shorten returns s cut to MaxMessage characters, ending in "…" when cut,
// so that a handler's chatty note cannot bloat the database or the page.
func Shorten(s string) string {
	if utf8.RuneCountInString(s) <= MaxMessage {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == MaxMessage-1 {
			break
		}
		b.WriteRune(r)
		n++
	}
	b.WriteString("…")
	return b.String()
}

// ValidKind reports whether kind is a usable job kind: 1 to 40 lower-case
// letters, digits and hyphens, starting with a letter, so that it can stand
// in a URL path as it is.
func ValidKind(kind string) bool {
	if kind == "" || len(kind) > 40 || kind[0] < 'a' || kind[0] > 'z' {
		return false
	}
	for _, c := range kind {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Filter selects the jobs a list shows; empty fields select all.
type Filter struct {
	Kind      string
	CreatedBy string
	Subject   string
}

// MaxSubject is the longest subject, in bytes.
const MaxSubject = 200

// Page asks for one page of a list: at most Limit jobs after the opaque
// Cursor a previous page returned ("" for the first page).
type Page struct {
	Limit  int
	Cursor string
}

// Page size limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Clamp returns p with Limit in 1..MaxLimit, DefaultLimit when unset.
func (p Page) Clamp() Page {
	switch {
	case p.Limit <= 0:
		p.Limit = DefaultLimit
	case p.Limit > MaxLimit:
		p.Limit = MaxLimit
	}
	return p
}
