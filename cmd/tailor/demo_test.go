package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/survey"
)

// TestDemoSurvey: the demo seeds an open survey of demoSurveySpec that
// every simulated customer has answered to the end, and that waits for
// the demo customer, and queues a fit of the answers and a lineup in its
// market that the job runner then does.
func TestDemoSurvey(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The demo's lineup with a short time limit: its search would take
	// the whole default limit to prove nothing better exists.
	saved := demoLineup
	demoLineup.Seconds = 2
	t.Cleanup(func() { demoLineup = saved })
	svc, runner := newApp(db, serveOptions{jobWorkers: 1}, slog.New(slog.DiscardHandler))
	env := &env{ctx: ctx, stdout: io.Discard, stderr: io.Discard}
	const customers = 60
	if err := env.seedDemo(svc, customers, 1, 5, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	analyst := demoUser(t, db, account.Analyst)
	list, err := svc.Surveys(account.NewContext(ctx, analyst))
	if err != nil || len(list) != 1 {
		t.Fatalf("surveys = %+v, %v; want one", list, err)
	}
	s := list[0]
	per := demoSurveySpec.Tasks + demoSurveySpec.Holdouts
	if s.Status != survey.Open || s.Versions != demoSurveySpec.Versions || s.Respondents != customers || s.Completed != customers || s.Answers != customers*per {
		t.Errorf("demo survey %+v: want open, %d versions, %d respondents who answered %d tasks each", s, demoSurveySpec.Versions, customers, per)
	}
	data, err := svc.SurveyData(account.NewContext(ctx, analyst), s.ID, false)
	if err != nil || data.Cases() != customers*demoSurveySpec.Tasks || data.Panels != customers {
		t.Errorf("coded answers: %v, want %d cases of %d respondents", err, customers*demoSurveySpec.Tasks, customers)
	}
	// The fit waits for the runner, which the server starts.
	as := account.NewContext(ctx, analyst)
	fits, _, err := svc.SurveyFits(as, s.ID, job.Page{})
	if err != nil || len(fits) != 1 || fits[0].Input.Method != choice.HB || fits[0].Job.Status != job.Queued || fits[0].Job.CreatedBy != analyst.ID {
		t.Fatalf("fits of the demo survey %+v, %v: want a queued HB fit by the analyst", fits, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { defer close(ran); runner.Run(runCtx) }()
	defer func() { stop(); <-ran }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		f, err := svc.Fit(as, fits[0].Job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Job.Status.Final() {
			if f.Job.Status != job.Done || f.Output == nil || len(f.Output.Result.HB.Individual) != customers || f.Output.HitRate == nil {
				t.Fatalf("the demo fit ended %s (%s): want done with every respondent's part-worths and a hit rate", f.Job.Status, f.Job.Error)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo fit is still %s after 2 minutes", f.Job.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The lineup waited for the fit and then chose four variants, at
	// least one per operating system, priced in the order of their costs.
	ls, _, err := svc.FitLineups(as, fits[0].Job.ID, job.Page{})
	if err != nil || len(ls) != 1 || ls[0].Input.K != 4 || ls[0].Input.EachOf != "os" || !ls[0].Input.Ladder {
		t.Fatalf("lineups of the demo fit %+v, %v: want the demo's one", ls, err)
	}
	for {
		l, err := svc.Lineup(as, ls[0].Job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if l.Job.Status.Final() {
			if l.Job.Status != job.Done || l.Output == nil || len(l.Output.Report.Variants) != 4 {
				t.Fatalf("the demo lineup ended %s (%s): want done with four variants", l.Job.Status, l.Job.Error)
			}
			os := map[string]bool{}
			for _, a := range l.Output.Report.Variants {
				os[a.Levels["os"]] = true
				for _, b := range l.Output.Report.Variants {
					if a.Cost > b.Cost && a.Price <= b.Price {
						t.Errorf("the demo lineup breaks the ladder: cost %d at %d, cost %d at %d", a.Cost, a.Price, b.Cost, b.Price)
					}
				}
			}
			if !os["android"] || !os["alios"] {
				t.Errorf("the demo lineup's operating systems %v: want both", os)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo lineup is still %s after 2 minutes", l.Job.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	customer := demoUser(t, db, account.Customer)
	if in, ok, err := svc.PendingSurvey(account.NewContext(ctx, customer)); err != nil || !ok || in.Survey.ID != s.ID || in.Started {
		t.Errorf("the demo customer's pending survey = %+v, %v, %v; want the demo survey, not started", in, ok, err)
	}
}

func demoUser(t *testing.T, db *sqldb.DB, role account.Role) account.User {
	t.Helper()
	for _, a := range demoAccounts {
		if a.role == role {
			u, _, err := db.UserByEmail(context.Background(), a.email)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
	}
	t.Fatalf("no demo account for %s", role)
	return account.User{}
}
