package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/job"
)

// fitRunner stands for the job runner: it accepts fits and lineups and
// runs none, so that tests move jobs along through storage.
type fitRunner struct{}

func (fitRunner) Handles(kind string) bool { return kind == "fit" || kind == "lineup" }
func (fitRunner) Wake()                    {}
func (fitRunner) Cancel(string)            {}

func TestJobPage(t *testing.T) {
	fx := newFixture(t)
	ana := fx.mustUser(t, "Ana", account.Analyst, "", "")
	other := fx.mustUser(t, "Otto", account.Analyst, "", "")
	carla := fx.mustUser(t, "Carla", account.Customer, "", "")
	ctx := context.Background()
	j, err := fx.svc.SubmitJob(ana.ctx, "fit", map[string]string{"model": "mnl"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/jobs/" + j.ID
	c := fx.client(t, &ana)

	// Who sees it.
	for _, tt := range []struct {
		name   string
		c      *http.Client
		status int
	}{
		{"another analyst", fx.client(t, &other), 404},
		{"a customer", fx.client(t, &carla), 403},
	} {
		if res, _ := get(t, tt.c, fx.srv.URL+path); res.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, res.StatusCode, tt.status)
		}
	}
	if res, _ := get(t, fx.client(t, nil), fx.srv.URL+path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next="+url.QueryEscape(path) {
		t.Errorf("nobody: %d to %q, want sent to sign in", res.StatusCode, res.Header.Get("Location"))
	}

	// The page as the job moves along.
	steps := []struct {
		name      string
		move      func()
		want, not []string
	}{
		{"queued", func() {}, []string{
			`<dd id="job-status">Waiting to start</dd>`, `<progress id="job-progress" max="1" value="0"`, `<span id="job-percent">0%</span>`,
			`id="job-cancel"`, `data-job="` + j.ID + `"`, `data-status="queued"`, `<details id="job-result" class="job-result" hidden>`,
			`<p id="job-error" class="alert" role="alert" hidden>`,
		}, nil},
		{"running", func() {
			if _, _, err := fx.db.ClaimJob(ctx, []string{"fit"}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := fx.db.UpdateJobProgress(ctx, j.ID, 1, 0.4, "iteration 12, LL -5331.25", time.Now()); err != nil {
				t.Fatal(err)
			}
		}, []string{
			`<dd id="job-status">Running</dd>`, `value="0.4"`, `<span id="job-percent">40%</span>`,
			`iteration 12, LL -5331.25</p>`, `data-status="running"`,
		}, []string{`<dd id="job-started">not yet</dd>`}},
		{"done", func() {
			if err := fx.db.FinishJob(ctx, j.ID, 1, job.Done, json.RawMessage(`{"ll":-5331.25,"names":["a<b"]}`), "", time.Now()); err != nil {
				t.Fatal(err)
			}
		}, []string{
			`<dd id="job-status">Done</dd>`, `<span id="job-percent">100%</span>`, `<details id="job-result" class="job-result">`,
			"<pre id=\"job-output\">{\n  &#34;ll&#34;: -5331.25,\n  &#34;names&#34;: [\n    &#34;a&lt;b&#34;\n  ]\n}</pre>",
			`<form method="post" action="/jobs/` + j.ID + `/cancel" id="job-cancel" class="job-actions" data-confirm="Cancel this job? Its work so far is lost." hidden>`,
		}, []string{`<dd id="job-finished">not yet</dd>`}},
	}
	for _, st := range steps {
		st.move()
		res, body := get(t, c, fx.srv.URL+path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", st.name, res.StatusCode)
		}
		for _, w := range st.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the page lacks %s", st.name, w)
			}
		}
		for _, w := range st.not {
			if strings.Contains(body, w) {
				t.Errorf("%s: the page has %s", st.name, w)
			}
		}
		// The strict CSP allows no inline script: every script has a source.
		for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
			if !strings.Contains(tag, ` src="/static/`) {
				t.Errorf("%s: inline script %s", st.name, tag)
			}
		}
		if !strings.Contains(body, `<script src="/static/job.js?v=`) {
			t.Errorf("%s: the page does not load job.js", st.name)
		}
	}

	// A failed job says why.
	failed, err := fx.svc.SubmitJob(ana.ctx, "fit", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := fx.db.ClaimJob(ctx, []string{"fit"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := fx.db.FinishJob(ctx, failed.ID, 1, job.Failed, nil, "The design matrix is singular.", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, c, fx.srv.URL+"/jobs/"+failed.ID); !strings.Contains(body, `<p id="job-error" class="alert" role="alert">The design matrix is singular.</p>`) {
		t.Error("the failed job's page does not show its error")
	}
}

func TestCancelJobForm(t *testing.T) {
	fx := newFixture(t)
	ana := fx.mustUser(t, "Ana", account.Analyst, "", "")
	other := fx.mustUser(t, "Otto", account.Analyst, "", "")
	j, err := fx.svc.SubmitJob(ana.ctx, "fit", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := post(t, fx.client(t, &other), fx.srv.URL+"/jobs/"+j.ID+"/cancel", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another analyst cancels: status %d, want 404", res.StatusCode)
	}
	res, _ := post(t, fx.client(t, &ana), fx.srv.URL+"/jobs/"+j.ID+"/cancel", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/jobs/"+j.ID {
		t.Fatalf("cancel: %d to %q, want 303 back to the job", res.StatusCode, res.Header.Get("Location"))
	}
	if got, _ := fx.svc.Job(ana.ctx, j.ID); got.Status != job.Cancelled {
		t.Errorf("after cancelling: %s, want cancelled", got.Status)
	}
	if res, body := post(t, fx.client(t, &ana), fx.srv.URL+"/jobs/"+j.ID+"/cancel", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("cancel again: %d %s", res.StatusCode, body)
	}
}
