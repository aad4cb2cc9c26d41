package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/job"
)

// TestBrowserJobPage drives the job page in headless Chromium: its script
// must follow a running job's progress without reloading the page, show
// the result when the job is done, and the cancel button must stop a job.
func TestBrowserJobPage(t *testing.T) {
	chromium := findChromium(t)
	next := make(chan struct{})
	app := startAppWithJobs(t, map[string]jobs.Handler{
		// A fit in four steps, each when the test says.
		"demo-fit": func(ctx context.Context, _ job.Job, progress func(float64, string)) (any, error) {
			for i := range 4 {
				progress(float64(i)/4, fmt.Sprintf("iteration %d, LL %.2f", i+1, -6000+200*float64(i)))
				select {
				case <-next:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			return map[string]any{"ll": -5331.25, "iterations": 4}, nil
		},
		"wait": func(ctx context.Context, _ job.Job, progress func(float64, string)) (any, error) {
			progress(0.1, "waiting")
			<-ctx.Done()
			return nil, ctx.Err()
		},
	})
	b := startBrowser(t, chromium, app.url)
	analyst := account.SignUp{Name: "Ana Lyst", Email: "ana@example.com", Password: "staple battery horse"}
	u, err := app.svc.CreateUser(t.Context(), analyst, account.Analyst, true)
	if err != nil {
		t.Fatal(err)
	}
	as := account.NewContext(t.Context(), u)
	b.signIn(t, analyst)
	defer b.checkConsole(t)

	fit, err := app.svc.SubmitJob(as, "demo-fit", map[string]string{"model": "mnl"})
	if err != nil {
		t.Fatal(err)
	}
	b.navigate(t, "/jobs/"+fit.ID)
	text := func(id string) string { return `document.getElementById("` + id + `").textContent` }
	b.waitTrue(t, "the first iteration", text("job-status")+` === "Running" && `+text("job-message")+` === "iteration 1, LL -6000.00"`)
	// A mark on the window shows that the page updates in place.
	b.do(t, "mark the page", chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))
	next <- struct{}{}
	next <- struct{}{}
	b.waitTrue(t, "the third iteration", text("job-message")+` === "iteration 3, LL -5600.00" && `+
		`document.getElementById("job-progress").value === 0.5 && `+text("job-percent")+` === "50%"`)
	b.screenshot(t, "job-running")
	next <- struct{}{}
	next <- struct{}{}
	b.waitTrue(t, "the result", text("job-status")+` === "Done" && !document.getElementById("job-result").hidden && `+
		text("job-output")+`.includes('"ll": -5331.25') && document.getElementById("job-cancel").hidden && `+text("job-percent")+` === "100%"`)
	if b.eval(t, `String(window.notReloaded)`) != "true" {
		t.Error("the page reloaded to show progress")
	}
	b.do(t, "open the result", chromedp.Click(chromedp.CSS("#job-result summary")))
	b.screenshot(t, "job-done")

	wait, err := app.svc.SubmitJob(as, "wait", nil)
	if err != nil {
		t.Fatal(err)
	}
	b.navigate(t, "/jobs/"+wait.ID)
	b.waitTrue(t, "the waiting job to run", text("job-message")+` === "waiting"`)
	b.do(t, "accept the confirmation", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	b.submit(t, "job-cancel-button")
	b.waitTrue(t, "the job cancelled", text("job-status")+` === "Cancelled" && document.getElementById("job-cancel").hidden`)
	if got, _ := app.svc.Job(as, wait.ID); got.Status != job.Cancelled {
		t.Errorf("after the cancel button the job is %s", got.Status)
	}
}
