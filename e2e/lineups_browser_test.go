package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
)

// TestBrowserLineup drives the lineup optimiser in headless Chromium: from
// a done fit's results the analyst chooses a lineup, follows its job, sees
// the variants pictured, chooses a second lineup and compares the two,
// reads a lineup on a phone screen, and drafts a pre-sale campaign of each
// variant, which the campaigns page shows.
func TestBrowserLineup(t *testing.T) {
	chromium := findChromium(t)
	app := startApp(t)
	analyst := account.SignUp{Name: "Ana Lyst", Email: "ana@example.com", Password: "staple battery horse"}
	u, err := app.svc.CreateUser(t.Context(), analyst, account.Analyst, true)
	if err != nil {
		t.Fatal(err)
	}
	as := account.NewContext(t.Context(), u)
	st := answeredSurvey(t, app.svc, as, 200)
	// The fit itself is TestBrowserFit's business: here it runs through
	// the service, and the browser starts from its results.
	fit, err := app.svc.SubmitFit(as, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 400})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		j, err := app.svc.Job(as, fit.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == job.Done {
			break
		}
		if j.Status.Final() || time.Now().After(deadline) {
			t.Fatalf("the fit is %s (%s)", j.Status, j.Error)
		}
	}
	b := startBrowser(t, chromium, app.url)
	b.signIn(t, analyst)
	defer b.checkConsole(t)
	text := func(id string) string { return `document.getElementById("` + id + `").textContent` }

	// chooseLineup fills in the form and follows the job to the lineup's
	// page; it returns the lineup's id.
	chooseLineup := func(t *testing.T, what string, fill ...chromedp.Action[chromedp.Void]) string {
		t.Helper()
		b.wait(t, chromedp.WaitVisible(chromedp.ID("lineup-form")), "the lineup form")
		b.do(t, "fill in the lineup form: "+what, fill...)
		b.submit(t, "lineup-submit")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("job-progress")), "the lineup's job page")
		id := strings.TrimPrefix(b.eval(t, `location.pathname`), "/jobs/")
		if got := b.eval(t, text("job-lineup")); !strings.HasPrefix(got, "Lineup: "+what) {
			t.Errorf("the job page says %q, want the lineup's settings %q", got, what)
		}
		b.waitTrue(t, "the lineup done", text("job-status")+` === "Done" && !document.getElementById("job-results").hidden`)
		b.submit(t, "job-results-link")
		b.wait(t, chromedp.WaitVisible(chromedp.ID("lineup-variants")), "the lineup's page")
		if got, want := b.eval(t, `location.pathname`), "/lineups/"+id; got != want {
			t.Errorf("the lineup is at %s, want %s", got, want)
		}
		return id
	}

	b.navigate(t, "/fits/"+fit.ID)
	b.submit(t, "fit-lineups")
	if got := b.eval(t, `document.getElementById("lineup-prices").value`); got != "399, 599, 799, 999" {
		t.Errorf("the form's prices are %q, want the survey's", got)
	}
	first := chooseLineup(t, "3 variants · profit · logit · one per operating system · price ladder",
		chromedp.SetValue(chromedp.ID("lineup-k"), "3"),
		chromedp.Click(chromedp.ID("lineup-each-os")),
		chromedp.Click(chromedp.ID("lineup-ladder")),
		chromedp.Click(chromedp.CSS(".lineup-advanced summary")),
		chromedp.SetValue(chromedp.ID("lineup-seconds"), "3"),
	)
	for what, expr := range map[string]string{
		"three variants, each pictured":    `document.querySelectorAll('#lineup-variants .variant-card .card-picture svg').length === 3`,
		"both operating systems":           `[...new Set([...document.querySelectorAll('#lineup-variants [data-attr="os"] dd')].map(d => d.textContent))].sort().join() === "AliOS,Android 15"`,
		"a price in euros on each":         `[...document.querySelectorAll('#lineup-variants [data-price]')].every(p => p.textContent.startsWith("€"))`,
		"the figures":                      `["share", "units", "revenue", "profit", "gap"].every(k => document.querySelector('[data-figure="' + k + '"] strong').textContent !== "")`,
		"the cannibalisation chart":        `document.querySelectorAll('#lineup-cannibal g[data-variant]').length === 3 && document.querySelectorAll('#lineup-cannibal rect[data-from]').length > 0`,
		"prices in the order of the costs": `(() => { const v = [...document.querySelectorAll('#lineup-variants .variant-card')].map(c => [parseFloat(c.querySelector('[data-cost]').textContent.replace(/[^0-9.]/g, "")), parseFloat(c.querySelector('[data-price]').textContent.replace(/[^0-9.]/g, ""))]); return v.every(a => v.every(b => !(a[0] > b[0]) || a[1] > b[1])) })()`,
	} {
		if b.eval(t, `String(`+expr+`)`) != "true" {
			t.Errorf("the lineup's page lacks %s", what)
		}
	}
	b.screenshot(t, "lineup")

	// A lineup on a phone: the cards stack, nothing scrolls sideways.
	b.do(t, "switch to a phone screen",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Reload(),
	)
	b.wait(t, chromedp.WaitVisible(chromedp.ID("lineup-variants")), "the lineup on a phone")
	if got := b.eval(t, `String(document.documentElement.scrollWidth)`); got != "390" {
		wide := b.eval(t, `[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > 391).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id).join(" ")`)
		t.Errorf("the lineup's page scrolls to %s px sideways on a 390 px phone screen (%s)", got, wide)
	}
	if got := b.eval(t, `String(new Set([...document.querySelectorAll('#lineup-variants .variant-card')].map(c => c.getBoundingClientRect().left)).size)`); got != "1" {
		t.Errorf("on a phone the variant cards stand in %s columns, want 1", got)
	}
	b.screenshot(t, "lineup-phone")
	b.do(t, "switch back to a desktop screen", chromedp.EmulateViewport(1280, 900), chromedp.Reload())
	b.wait(t, chromedp.WaitVisible(chromedp.ID("lineup-variants")), "the lineup on a desktop")

	// A second lineup, for units under first choice.
	b.submit(t, "lineup-back")
	second := chooseLineup(t, "2 variants · units · first choice",
		chromedp.SetValue(chromedp.ID("lineup-k"), "2"),
		chromedp.SetValue(chromedp.ID("lineup-goal"), "units"),
		chromedp.SetValue(chromedp.ID("lineup-rule"), "first-choice"),
		chromedp.Click(chromedp.CSS(".lineup-advanced summary")),
		chromedp.SetValue(chromedp.ID("lineup-seconds"), "3"),
	)

	// Compare the two.
	b.submit(t, "lineup-back")
	b.wait(t, chromedp.WaitVisible(chromedp.ID("lineup-runs")), "the fit's lineups")
	b.screenshot(t, "lineups")
	b.do(t, "tick both lineups",
		chromedp.Click(chromedp.ID("compare-"+first)),
		chromedp.Click(chromedp.ID("compare-"+second)),
	)
	b.submit(t, "compare-submit")
	b.wait(t, chromedp.WaitVisible(chromedp.ID("compare-table")), "the comparison")
	if got := b.eval(t, `[...document.querySelectorAll("#compare-table tbody tr")].map(r => r.dataset.lineup).join()`); got != first+","+second && got != second+","+first {
		t.Errorf("the comparison shows lineups %q, want the two", got)
	}
	for what, expr := range map[string]string{
		"a chart per lineup":             `document.querySelectorAll('#compare-charts svg[data-chart^="cannibal-"]').length === 2`,
		"share, profit and gap for each": `[...document.querySelectorAll("#compare-table tbody tr")].every(r => ["share", "units", "revenue", "profit", "parts", "gap"].every(k => r.querySelector('[data-figure="' + k + '"]').textContent.trim() !== ""))`,
	} {
		if b.eval(t, `String(`+expr+`)`) != "true" {
			t.Errorf("the comparison lacks %s", what)
		}
	}
	b.screenshot(t, "lineup-compare")

	// Campaign drafts of the first lineup's variants.
	b.navigate(t, "/lineups/"+first)
	if got := b.eval(t, text("campaign-drafts")); got != "Create campaign drafts" {
		t.Errorf("the drafts button says %q", got)
	}
	b.submit(t, "campaign-drafts")
	b.wait(t, chromedp.WaitVisible(chromedp.ID("campaign-cards")), "the campaigns")
	if got := b.eval(t, `String([...document.querySelectorAll('#campaign-cards .campaign-card[data-status="draft"]')].filter(c => c.querySelector(".card-picture svg")).length)`); got != "3" {
		t.Errorf("%s pictured drafts, want 3", got)
	}
	if got := b.eval(t, `document.querySelector('#campaign-cards .campaign-card a[href^="/lineups/"]').getAttribute("href")`); got != "/lineups/"+first {
		t.Errorf("a draft leads to %s, want its lineup", got)
	}
	b.screenshot(t, "campaigns")
	// Asking again from the lineup's page makes no more.
	b.navigate(t, "/lineups/"+first)
	b.submit(t, "campaign-drafts")
	b.navigate(t, "/campaigns")
	if got := b.eval(t, `String(document.querySelectorAll("#campaign-cards .campaign-card").length)`); got != "3" {
		t.Errorf("the campaigns page shows %s drafts after asking twice, want 3", got)
	}
}
