package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/internal/httpapi"
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/internal/server"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/internal/web"
	"github.com/tailor-c2b/tailor/models"
)

// Browser test timing. The scenario as a whole must finish within
// scenarioTimeout; a single wait gives up after waitTimeout, so that a
// failure names the step that hung rather than the deadline.
const (
	scenarioTimeout = 90 * time.Second
	waitTimeout     = 20 * time.Second
)

// TestBrowserJourney drives headless Chromium through what people do with
// Tailor: a customer signs up, designs a phone, meets a clash and repairs it,
// saves and finds the design again after signing in anew; an analyst then
// sees it counted on the insights page, designs a choice survey and opens it;
// the customer answers it task by task on a phone screen, and an
// administrator sees the model. On the way it checks that a reload shows the design as the script left it
// and that the configurator fits a phone screen. It writes a full-page screenshot of each page to the folder named by
// TAILOR_SCREENSHOTS (e2e/screenshots by default). Any uncaught exception or
// console error on a page fails the test.
func TestBrowserJourney(t *testing.T) {
	chromium := findChromium(t)
	app := startApp(t)
	b := startBrowser(t, chromium, app.url)

	customer := account.SignUp{Name: "Robin Customer", Email: "robin@example.com", Password: "correct horse battery"}
	analyst := account.SignUp{Name: "Ana Lyst", Email: "ana@example.com", Password: "staple battery horse"}
	admin := account.SignUp{Name: "Ada Admin", Email: "ada@example.com", Password: "battery staple correct"}
	if _, err := app.svc.CreateUser(t.Context(), analyst, account.Analyst, true); err != nil {
		t.Fatalf("create analyst: %v", err)
	}
	if _, err := app.svc.CreateUser(t.Context(), admin, account.Admin, true); err != nil {
		t.Fatalf("create admin: %v", err)
	}
	const designName = "Blue aluminium daily"
	var designID string

	// A step that stops (t.Fatal) stops the scenario, since the steps
	// after it start where it ends; one that only reports errors does not.
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		finished := false
		t.Run(name, func(t *testing.T) {
			defer b.checkConsole(t)
			f(t)
			finished = true
		})
		if !finished {
			t.Fatalf("step %q stopped; the steps after it depend on it", name)
		}
	}

	step("sign up", func(t *testing.T) {
		b.navigate(t, "/signup")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("signup-button")), "the sign-up form")
		b.screenshot(t, "signup")
		b.do(t, "fill in the sign-up form",
			chromedp.SendKeys(chromedp.ID("name"), customer.Name),
			chromedp.SendKeys(chromedp.ID("email"), customer.Email),
			chromedp.SendKeys(chromedp.ID("password"), customer.Password),
		)
		b.submit(t, "signup-button")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("configurator")), "the configurator after signing up")
		if got := b.eval(t, `location.pathname`); got != "/configure" {
			t.Errorf("signing up led to %s, want /configure", got)
		}
		if got := b.eval(t, `document.querySelector("footer.foot").textContent`); !strings.Contains(got, customer.Name) {
			t.Errorf("footer %q does not name the signed-in customer %q", got, customer.Name)
		}
	})

	step("design a phone", func(t *testing.T) {
		startPrice := b.price(t)
		startPicture := b.eval(t, `document.getElementById("picture").getAttribute("src")`)

		b.choose(t, "size", "max")
		b.waitTrue(t, "the picture showing the max body",
			`(() => { const p = document.getElementById("picture");
				return p.getAttribute("src").includes("size=max") && p.complete && p.naturalWidth > 0; })()`)
		if got := b.eval(t, `document.getElementById("picture").getAttribute("src")`); got == startPicture {
			t.Errorf("picture still %s after choosing the max body", got)
		}
		if got := b.price(t); got <= startPrice {
			t.Errorf("price %d after choosing the max body, want more than %d", got, startPrice)
		}

		maxPrice := b.price(t)
		b.choose(t, "colour", "blue")
		b.waitTrue(t, "the picture in blue", `document.getElementById("picture").getAttribute("src").includes("colour=blue")`)
		b.choose(t, "wireless", "qi15")
		if got, want := b.price(t), maxPrice+2500; got != want {
			t.Errorf("price %d after adding 15 W Qi charging, want %d (max body plus the €25.00 the model adds)", got, want)
		}
		if got := b.eval(t, `document.querySelector("#attr-wireless [data-chosen]").textContent`); got != "15 W Qi" {
			t.Errorf("wireless charging shows %q as chosen, want %q", got, "15 W Qi")
		}
	})

	step("repair a clash", func(t *testing.T) {
		// Wireless charging does not work through aluminium (rule
		// wireless_metal), so the aluminium back is excluded now.
		aluminium := levelSelector("back", "aluminium")
		b.waitTrue(t, "the aluminium back excluded", stateIs("back", "aluminium", "excluded"))
		b.do(t, "open the reason", chromedp.Click(chromedp.CSS(aluminium)))
		b.wait(t, chromedp.WaitVisible(chromedp.ID("reason")), "the reason popover")
		reason := b.eval(t, `document.getElementById("reason-text").textContent`)
		for _, want := range []string{"Wireless charging: 15 W Qi", "Wireless charging does not work through an aluminium back"} {
			if !strings.Contains(reason, want) {
				t.Errorf("reason %q does not mention %q", reason, want)
			}
		}
		b.wait(t, chromedp.WaitVisible(chromedp.ID("repair")), "the repair button")
		if got, want := b.eval(t, `document.getElementById("repair").textContent`), "Change Wireless charging to No wireless charging"; got != want {
			t.Errorf("repair button says %q, want %q", got, want)
		}
		b.screenshot(t, "reason")

		b.do(t, "apply the repair", chromedp.Click(chromedp.ID("repair")))
		b.wait(t, chromedp.WaitNotVisible(chromedp.ID("reason")), "the reason popover to close")
		b.waitTrue(t, "the aluminium back selected", stateIs("back", "aluminium", "selected"))
		b.idle(t)
		want := map[string]string{
			"back=aluminium": "selected",
			"back=glass":     "possible",
			"wireless=none":  "selected",
			"wireless=qi15":  "excluded",
			"wireless=mag50": "excluded",
			"size=max":       "selected",
			"colour=blue":    "selected",
		}
		got := map[string]string{}
		for key := range want {
			attr, level, _ := strings.Cut(key, "=")
			got[key] = b.eval(t, `document.querySelector('`+levelSelector(attr, level)+`').dataset.state`)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("level states after the repair (-want +got):\n%s", diff)
		}
		if got := b.eval(t, `new URL(location.href).searchParams.get("wireless")`); got != "none" {
			t.Errorf("address keeps wireless=%q after the repair, want none", got)
		}
	})

	step("save the design", func(t *testing.T) {
		b.do(t, "name the design",
			chromedp.SendKeys(chromedp.ID("save-name"), designName),
			chromedp.SetValue(chromedp.ID("save-visibility"), "public"),
			chromedp.Click(chromedp.ID("save-button")),
		)
		b.waitTrue(t, "the design saved", `document.getElementById("save-status").textContent === "Saved."`)
		b.wait(t, chromedp.WaitVisible(chromedp.ID("share-link")), "the share link")
		if link := b.eval(t, `document.getElementById("share-link").href`); !strings.HasPrefix(link, app.url+"/s/") {
			t.Errorf("share link %q, want one under %s/s/", link, app.url)
		}
		designID = b.eval(t, `new URL(location.href).searchParams.get("design") || ""`)
		if designID == "" {
			t.Fatalf("the address %s does not name the saved design", b.eval(t, `location.href`))
		}
		if got := b.eval(t, `document.getElementById("save-button").textContent`); got != "Save changes" {
			t.Errorf("save button says %q after saving, want %q", got, "Save changes")
		}
		b.screenshot(t, "configure-desktop")

		// The same design on a phone, where the options fold into groups.
		// The page the server renders must read as the script left it.
		before := b.summary(t)
		b.do(t, "switch to a phone screen",
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
			chromedp.Reload(),
		)
		b.wait(t, chromedp.WaitVisible(chromedp.ID("picture")), "the configurator on a phone")
		if diff := cmp.Diff(before, b.summary(t)); diff != "" {
			t.Errorf("the configurator reads differently after a reload (-before +after):\n%s", diff)
		}
		b.waitTrue(t, "the picture on a phone", `document.getElementById("picture").complete`)
		if got := b.eval(t, `String(document.documentElement.clientWidth)`); got != "390" {
			t.Errorf("page is %s px wide on a phone, want 390", got)
		}
		if got := b.eval(t, `String(document.documentElement.scrollWidth)`); got != "390" {
			t.Errorf("page scrolls to %s px sideways on a 390 px phone screen", got)
		}
		if got := b.overlaps(t); len(got) > 0 {
			t.Errorf("on a phone, the clear link covers a level of %v", got)
		}
		b.screenshot(t, "configure-phone")
		b.do(t, "switch back to a desktop screen", chromedp.EmulateViewport(1280, 900))
	})

	step("sign out and in again, find the design", func(t *testing.T) {
		b.signOut(t)
		b.signIn(t, customer)
		b.navigate(t, "/designs")
		card := `article[data-design-id="` + designID + `"]`
		b.wait(t, chromedp.WaitVisible(chromedp.CSS(card)), "the saved design on My designs")
		if got := b.eval(t, `document.querySelector('`+card+` .card-title').textContent.trim()`); got != designName {
			t.Errorf("design card is named %q, want %q", got, designName)
		}
		b.screenshot(t, "designs")

		b.navigate(t, "/gallery")
		b.wait(t, chromedp.WaitVisible(chromedp.CSS(`#gallery `+card)), "the public design in the gallery")
		b.screenshot(t, "gallery")
	})

	step("analyst sees the design counted", func(t *testing.T) {
		b.signOut(t)
		b.signIn(t, analyst)
		b.navigate(t, "/insights")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("designs-count")), "the designs count")
		n, err := strconv.Atoi(b.eval(t, `document.querySelector("#designs-count strong").textContent`))
		if err != nil || n < 1 {
			t.Errorf("insights count %d designs (%v), want at least 1", n, err)
		}
		want := fmt.Sprintf("%d designs match", n)
		if n == 1 {
			want = "1 design matches"
		}
		if got := b.eval(t, `document.getElementById("designs-count").textContent.trim()`); got != want {
			t.Errorf("insights say %q, want %q", got, want)
		}
		bar := `figure.chart-box[data-attr="back"] g[data-label="Aluminium unibody back"]`
		got, err := strconv.Atoi(b.eval(t, `(document.querySelector('`+bar+`') || {dataset: {value: "none"}}).dataset.value`))
		if err != nil || got < 1 {
			t.Errorf("the Back chart counts %d designs with an aluminium back (%v), want at least 1", got, err)
		}
		b.screenshot(t, "insights")
	})

	var surveyID string
	step("analyst designs and opens a survey", func(t *testing.T) {
		b.navigate(t, "/surveys/new")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("survey-form")), "the survey form")
		b.do(t, "fill in the survey form",
			chromedp.SendKeys(chromedp.ID("survey-name"), "Size, colour and storage"),
			chromedp.Click(chromedp.CSS(`input[name="attribute"][value="size"]`)),
			chromedp.Click(chromedp.CSS(`input[name="attribute"][value="colour"]`)),
			chromedp.Click(chromedp.CSS(`input[name="attribute"][value="storage"]`)),
			chromedp.SendKeys(chromedp.ID("price-levels"), "499, 699, 899"),
			chromedp.SetValue(chromedp.ID("survey-versions"), "2"),
			chromedp.SetValue(chromedp.ID("survey-tasks"), "4"),
			chromedp.SetValue(chromedp.ID("survey-concepts"), "3"),
			chromedp.SetValue(chromedp.ID("survey-holdouts"), "1"),
		)
		b.submit(t, "survey-create")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("survey-open")), "the new survey's page")
		surveyID = strings.TrimPrefix(b.eval(t, `location.pathname`), "/surveys/")
		if got := b.eval(t, `document.querySelectorAll("#survey-preview .preview-task").length.toString()`); got != "5" {
			t.Errorf("the preview shows %s tasks, want 4 and a holdout", got)
		}
		b.screenshot(t, "survey-design")
		b.submit(t, "survey-open")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("survey-close")), "the open survey's close button")
		if got := b.eval(t, `document.getElementById("survey-status").textContent`); got != "open" {
			t.Errorf("survey status %q after opening, want open", got)
		}
	})

	step("customer answers the survey on a phone", func(t *testing.T) {
		b.signOut(t)
		b.signIn(t, customer)
		b.wait(t, chromedp.WaitVisible(chromedp.ID("nav-survey")), "the menu's survey link")
		link := b.eval(t, `new URL(document.getElementById("nav-survey").href).pathname`)
		if want := "/surveys/" + surveyID + "/take"; link != want {
			t.Fatalf("the menu leads to %s, want %s", link, want)
		}
		b.navigate(t, link)
		b.submit(t, "survey-start")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("survey-progress")), "the first task")
		// On a wide screen the phones stand side by side.
		if got := b.eval(t, `String(new Set([...document.querySelectorAll(".concept")].map(c => Math.round(c.getBoundingClientRect().top))).size)`); got != "1" {
			t.Errorf("on a desktop screen the phones stand in %s rows, want 1", got)
		}
		b.screenshot(t, "survey-desktop")

		b.do(t, "switch to a phone screen",
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
			chromedp.Reload(),
		)
		for task := 1; task <= 5; task++ {
			b.wait(t, chromedp.WaitVisible(chromedp.ID("survey-progress")), fmt.Sprintf("task %d", task))
			if got, want := b.eval(t, `document.querySelector("#survey-progress span").textContent`), fmt.Sprintf("Task %d of 5", task); got != want {
				t.Errorf("progress says %q, want %q", got, want)
			}
			if got := b.eval(t, `String(document.documentElement.scrollWidth)`); got != "390" {
				t.Errorf("task %d scrolls to %s px sideways on a 390 px phone screen", task, got)
			}
			// Stacked: one phone per row, each at the same left edge.
			if got := b.eval(t, `(() => { const r = [...document.querySelectorAll(".concept")].map(c => c.getBoundingClientRect());
				return String(r.length === 3 && r.every((x, i) => x.left === r[0].left && (i === 0 || x.top >= r[i-1].bottom))); })()`); got != "true" {
				t.Errorf("task %d: the phones are not stacked on a phone screen", task)
			}
			for _, want := range []string{"Body size", "Colour", "Storage", "€"} {
				if got := b.eval(t, `document.getElementById("survey-answer").textContent`); !strings.Contains(got, want) {
					t.Errorf("task %d does not show %q", task, want)
				}
			}
			if task == 1 {
				b.screenshot(t, "survey-phone")
			}
			choice := `button[data-choice="` + strconv.Itoa(task%4) + `"]` // the fourth choice is none
			if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(choice)))); err != nil {
				t.Fatalf("answer task %d: %v", task, err)
			}
		}
		b.wait(t, chromedp.WaitVisible(chromedp.ID("survey-thanks")), "the thank-you page")
		b.screenshot(t, "survey-thanks")
		if got := b.eval(t, `String(!!document.getElementById("nav-survey"))`); got != "false" {
			t.Error("the menu still leads to the finished survey")
		}
		b.do(t, "switch back to a desktop screen", chromedp.EmulateViewport(1280, 900))
	})

	step("analyst sees the answers", func(t *testing.T) {
		b.signOut(t)
		b.signIn(t, analyst)
		b.navigate(t, "/surveys/"+surveyID)
		b.wait(t, chromedp.WaitVisible(chromedp.ID("survey-counts")), "the survey's counts")
		for what, want := range map[string]string{"respondents": "1", "completed": "1", "answers": "5"} {
			if got := b.eval(t, `document.querySelector('[data-count="`+what+`"]').textContent`); got != want {
				t.Errorf("%s: %s, want %s", what, got, want)
			}
		}
	})

	step("administrator sees the model", func(t *testing.T) {
		b.signOut(t)
		b.signIn(t, admin)
		b.navigate(t, "/admin/models")
		b.wait(t, chromedp.WaitVisible(chromedp.CSS(`#model-versions tr[data-model-id]`)), "the model list")
		if got := b.eval(t, `document.querySelector("#model-versions tr[data-model-id]").textContent`); !strings.Contains(got, "published") {
			t.Errorf("model row %q does not say it is published", strings.Join(strings.Fields(got), " "))
		}
		b.screenshot(t, "admin-models")
	})
}

// findChromium returns the path of a Chromium binary, or skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium or chromium-browser on PATH: browser tests skipped (apt-get install chromium)")
	return ""
}

// appServer is the server under test, running in this process.
type appServer struct {
	url string
	svc *service.Service
}

// startApp serves Tailor over a fresh SQLite file, wired as tailor serve
// wires it. The server's warnings and errors are logged with the test's
// output when the test fails.
func startApp(t *testing.T) *appServer {
	t.Helper()
	return startAppWithJobs(t, nil)
}

// startAppWithJobs is startApp with a job runner that runs the handlers
// (none when nil), and model fits and lineups as tailor serve registers
// them (unless handlers has its own), started with the server and stopped
// with it.
func startAppWithJobs(t *testing.T, handlers map[string]jobs.Handler) *appServer {
	t.Helper()
	ctx := context.Background()
	var logs strings.Builder
	w := &syncWriter{w: &logs}
	lg := slog.New(server.ContextHandler{Handler: slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn})})
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "tailor.db"))
	if err != nil {
		t.Fatal(err)
	}
	runner := jobs.New(db, jobs.Options{Log: lg})
	for kind, h := range handlers {
		runner.Register(kind, h)
	}
	svc := service.New(db, service.Config{Log: lg, Jobs: runner})
	if _, ok := handlers[service.FitKind]; !ok {
		runner.Register(service.FitKind, svc.RunFit)
	}
	if _, ok := handlers[service.LineupKind]; !ok {
		runner.Register(service.LineupKind, svc.RunLineup)
	}
	if _, err := svc.EnsureModel(ctx, models.PhoneFile, models.Phone); err != nil {
		db.Close()
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{
		API:   httpapi.New(svc, httpapi.Options{Log: lg}),
		Web:   web.New(svc, web.Options{Log: lg}),
		Ready: svc,
		Log:   lg,
	}))
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		runner.Run(jobsCtx)
	}()
	t.Cleanup(func() {
		srv.Close()
		stopJobs()
		<-jobsDone
		db.Close()
		w.mu.Lock()
		defer w.mu.Unlock()
		if t.Failed() && logs.Len() > 0 {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &appServer{url: srv.URL, svc: svc}
}

// browser is one tab of a headless Chromium, with what the pages wrote to
// the console.
type browser struct {
	ctx   context.Context // the tab, bounded by scenarioTimeout
	base  string          // the server's URL
	shots string          // the screenshot folder

	mu      sync.Mutex
	console []string // exceptions and errors not yet reported
}

// startBrowser starts Chromium with a fresh profile and nothing that talks
// to the internet, and opens a tab on base.
func startBrowser(t *testing.T, chromium, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // tests may run as root, where the sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("hide-scrollbars", true),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), scenarioTimeout+30*time.Second)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit, before its profile is removed
		cancelRoot()
	})

	b := &browser{base: base, shots: screenshotDir(t)}
	// Listen starts the browser; the tab's life is bound to tab, not to
	// the scenario's deadline.
	err := chromedp.Listen(tab, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg = "exception: " + d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			msg += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
		case *log.EventEntryAdded:
			if ev.Entry.Level != log.EntryLevelError {
				return
			}
			msg = "browser log (" + string(ev.Entry.Source) + "): " + ev.Entry.Text + " " + ev.Entry.URL
		default:
			return
		}
		b.mu.Lock()
		b.console = append(b.console, msg)
		b.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(tab, scenarioTimeout)
	t.Cleanup(cancel)
	b.ctx = ctx
	return b
}

// screenshotDir returns the folder for screenshots, TAILOR_SCREENSHOTS or
// e2e/screenshots, and creates it.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TAILOR_SCREENSHOTS")
	if dir == "" {
		dir = "screenshots" // go test runs in the package's folder, e2e/
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots go to %s", abs)
	return abs
}

// checkConsole fails the test with the exceptions and console errors the
// pages reported since the last check.
func (b *browser) checkConsole(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	msgs := b.console
	b.console = nil
	b.mu.Unlock()
	if len(msgs) > 0 {
		t.Errorf("the page reported %d errors:\n%s", len(msgs), strings.Join(msgs, "\n"))
	}
}

// do runs actions and fails the test, naming what they do, if one fails.
func (b *browser) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wait runs a wait action for at most waitTimeout.
func (b *browser) wait(t *testing.T, a chromedp.Action[chromedp.Void], what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, a); err != nil {
		t.Fatalf("wait for %s: %v", what, err)
	}
}

// waitTrue waits until a JavaScript expression is true.
func (b *browser) waitTrue(t *testing.T, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(waitTimeout))); err != nil {
		t.Fatalf("wait for %s: %v\n(%s)", what, err, expr)
	}
}

// eval returns the value of a JavaScript expression as a string.
func (b *browser) eval(t *testing.T, expr string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// navigate opens a page of the server and waits until it has loaded.
func (b *browser) navigate(t *testing.T, path string) {
	t.Helper()
	res, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	if res.Status != 200 {
		t.Fatalf("open %s: status %d", path, res.Status)
	}
}

// submit clicks a form's button and waits for the page it leads to.
func (b *browser) submit(t *testing.T, buttonID string) {
	t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.ID(buttonID))))
	if err != nil {
		t.Fatalf("submit with #%s: %v", buttonID, err)
	}
}

// signIn signs in on /login and waits for the configurator it leads to.
func (b *browser) signIn(t *testing.T, u account.SignUp) {
	t.Helper()
	b.navigate(t, "/login")
	b.do(t, "fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("email"), u.Email),
		chromedp.SendKeys(chromedp.ID("password"), u.Password),
	)
	b.submit(t, "login-button")
	b.wait(t, chromedp.WaitVisible(chromedp.ID("configurator")), "the configurator after signing in as "+u.Email)
	if got := b.eval(t, `document.querySelector("footer.foot").textContent`); !strings.Contains(got, u.Name) {
		t.Fatalf("after signing in as %s the footer says %q", u.Email, strings.TrimSpace(got))
	}
}

// signOut presses Sign out and checks that the page offers to sign in.
func (b *browser) signOut(t *testing.T) {
	t.Helper()
	b.wait(t, chromedp.WaitVisible(chromedp.ID("logout")), "the sign-out button")
	b.submit(t, "logout")
	b.wait(t, chromedp.WaitVisible(chromedp.CSS(`nav.nav a[href="/login"]`)), "the sign-in link after signing out")
}

// levelSelector is the CSS selector of a level's button.
func levelSelector(attr, level string) string {
	return `button.level[data-attr="` + attr + `"][data-level="` + level + `"]`
}

// stateIs is a JavaScript expression that is true when a level's button
// is in the given state.
func stateIs(attr, level, state string) string {
	return `(document.querySelector('` + levelSelector(attr, level) + `') || {dataset: {}}).dataset.state === "` + state + `"`
}

// choose clicks a level and waits until the page shows it chosen and has
// its answer from the server.
func (b *browser) choose(t *testing.T, attr, level string) {
	t.Helper()
	b.do(t, "choose "+attr+"="+level, chromedp.Click(chromedp.CSS(levelSelector(attr, level))))
	b.waitTrue(t, attr+"="+level+" selected", stateIs(attr, level, "selected"))
	b.idle(t)
}

// idle waits until the configurator has no request in flight.
func (b *browser) idle(t *testing.T) {
	t.Helper()
	b.waitTrue(t, "the configurator to settle", `!document.getElementById("configurator").hasAttribute("aria-busy")`)
}

// summary returns what the configurator says about the design: price,
// delivery, count, specs and the chosen level of each attribute.
func (b *browser) summary(t *testing.T) map[string]string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]string](`(() => {
		const out = {};
		for (const id of ["price", "delivery", "count"]) out[id] = document.getElementById(id).textContent.trim();
		for (const d of document.querySelectorAll("#specs [data-spec]")) out["spec " + d.dataset.spec] = d.querySelector("dd").textContent.trim();
		for (const f of document.querySelectorAll("fieldset.attr")) out["chosen " + f.dataset.attr] = f.querySelector("[data-chosen]").textContent.trim();
		return out;
	})()`))
	if err != nil {
		t.Fatalf("read the configurator's summary: %v", err)
	}
	return v
}

// overlaps returns the attributes whose clear link covers one of their
// level buttons.
func (b *browser) overlaps(t *testing.T) []string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		for (const f of document.querySelectorAll("fieldset.attr")) {
			const c = f.querySelector("[data-clear]").getBoundingClientRect();
			if (c.width === 0) continue; // hidden, or in a folded group
			for (const l of f.querySelectorAll("button.level")) {
				const r = l.getBoundingClientRect();
				if (r.left < c.right && c.left < r.right && r.top < c.bottom && c.top < r.bottom) {
					out.push(f.dataset.attr + "=" + l.dataset.level);
				}
			}
		}
		return out;
	})()`))
	if err != nil {
		t.Fatalf("measure the clear links: %v", err)
	}
	return v
}

// price returns the configurator's price in cents.
func (b *browser) price(t *testing.T) int64 {
	t.Helper()
	text := b.eval(t, `document.getElementById("price").textContent`)
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, text)
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || !strings.HasPrefix(text, "€") {
		t.Fatalf("price %q is not an amount in euro", text)
	}
	return n
}

// screenshot writes a full-page PNG of the current page as name.png. It
// scrolls to the top first: a full-page capture draws sticky elements where
// the scroll position puts them.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	// The mouse goes to a corner first, so that no button under it takes
	// the hover when the page scrolls.
	b.do(t, "scroll to the top",
		chromedp.MouseEvent(chromedp.MouseMoved, 1, 1),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`),
	)
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
