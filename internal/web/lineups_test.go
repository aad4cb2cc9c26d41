package web

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/market"
)

// mustRunLineup runs a queued lineup as the runner would and records its
// end.
func (fx *fixture) mustRunLineup(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	claimed, ok, err := fx.db.ClaimJob(ctx, []string{service.LineupKind}, time.Now())
	if err != nil || !ok || claimed.ID != id {
		t.Fatalf("ClaimJob = %+v, %v, %v", claimed, ok, err)
	}
	out, err := fx.svc.RunLineup(ctx, claimed, func(float64, string) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.db.FinishJob(ctx, id, claimed.Attempts, job.Done, b, "", time.Now()); err != nil {
		t.Fatal(err)
	}
}

// submitLineupForm posts the lineup form and returns the new job's id.
func submitLineupForm(t *testing.T, c *http.Client, base, fitID string, form url.Values) string {
	t.Helper()
	res, body := post(t, c, base+"/fits/"+fitID+"/lineups", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("submit a lineup: status %d to %q, want 303 to its job\n%s", res.StatusCode, loc, body)
	}
	return strings.TrimPrefix(loc, "/jobs/")
}

func TestLineupPages(t *testing.T) {
	fx := newFixture(t)
	ana := fx.mustUser(t, "Ana", account.Analyst, "", "")
	other := fx.mustUser(t, "Otto", account.Analyst, "", "")
	carla := fx.mustUser(t, "Carla", account.Customer, "", "")
	c := fx.client(t, &ana)
	st := fx.mustSurvey(t, ana, true)
	fx.mustAnswers(t, st, 60)
	fit, err := fx.svc.SubmitFit(ana.ctx, service.FitInput{SurveyID: st.ID, Method: choice.HB, Iterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	lineups := fx.srv.URL + "/fits/" + fit.ID + "/lineups"
	// Not done: the form leads to the fit's job.
	if res, _ := get(t, c, lineups); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/jobs/"+fit.ID {
		t.Errorf("lineups of a queued fit: %d to %q, want 303 to the fit's job", res.StatusCode, res.Header.Get("Location"))
	}
	fx.mustRunFit(t, fit)
	if _, body := get(t, c, fx.srv.URL+"/fits/"+fit.ID); !strings.Contains(body, `<a class="button" href="/fits/`+fit.ID+`/lineups" id="fit-lineups">Choose a lineup</a>`) {
		t.Error("the fit's results do not lead to the lineups")
	}

	// The form, with the defaults and the survey's prices.
	res, body := get(t, c, lineups)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("lineups page: status %d", res.StatusCode)
	}
	for _, want := range []string{`<form method="post" action="/fits/` + fit.ID + `/lineups"`, `id="lineup-k" value="4"`, `id="lineup-prices" value="499, 1249"`,
		`<option value="profit" selected>`, `<option value="logit" selected>`, `id="lineup-each-os"`, `id="lineup-ladder"`, `No lineup of this fit yet.`,
		`size=max, colour=`, `os=android @ 1249`} {
		if !strings.Contains(body, want) {
			t.Errorf("the lineups page lacks %s", want)
		}
	}
	for _, tt := range []struct {
		name string
		c    *http.Client
		code int
	}{{"another analyst", fx.client(t, &other), 404}, {"a customer", fx.client(t, &carla), 403}} {
		if res, _ := get(t, tt.c, lineups); res.StatusCode != tt.code {
			t.Errorf("the lineups page as %s: %d, want %d", tt.name, res.StatusCode, tt.code)
		}
		if res, _ := post(t, tt.c, lineups, url.Values{"k": {"2"}}); res.StatusCode != tt.code {
			t.Errorf("submit a lineup as %s: %d, want %d", tt.name, res.StatusCode, tt.code)
		}
	}

	// Mistakes show the form again with the message and the values.
	for _, tt := range []struct {
		form url.Values
		msg  string
		kept string
	}{
		{url.Values{"k": {"0"}, "prices": {"499, 899"}}, "Choose 1 to 12 variants, not 0.", `id="lineup-prices" value="499, 899"`},
		{url.Values{"k": {"two"}}, "The number of variants must be a whole number", `id="lineup-k" value="two"`},
		{url.Values{"k": {"2"}, "prices": {"499, cheap"}}, "Prices: &#34;cheap&#34; is not an amount", `value="499, cheap"`},
		{url.Values{"k": {"2"}, "min_margin_rate": {"120"}}, "percentage of the price from 0 to below 100", `id="lineup-min-rate" value="120"`},
		{url.Values{"k": {"2"}, "must": {"size=max 999"}}, "Required variant on line 1", `>size=max 999</textarea>`},
		{url.Values{"k": {"2"}, "ladder": {"1"}, "each_os": {"1"}, "seconds": {"9999"}}, "1 to 600 seconds", `id="lineup-ladder" checked`},
	} {
		res, body := post(t, c, lineups, tt.form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.msg) || !strings.Contains(body, tt.kept) {
			t.Errorf("form %v: status %d; want 400 with %q and %q", tt.form, res.StatusCode, tt.msg, tt.kept)
		}
	}

	// A lineup of two, one per operating system, with a price ladder.
	a := submitLineupForm(t, c, fx.srv.URL, fit.ID, url.Values{"k": {"2"}, "goal": {"profit"}, "rule": {"first-choice"}, "prices": {"499, 899, 1249"},
		"each_os": {"1"}, "ladder": {"1"}, "min_margin": {"100"}, "min_margin_rate": {"20"}, "seconds": {"3"}})
	l, err := fx.svc.Lineup(ana.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	want := service.LineupInput{FitID: fit.ID, Goal: lineup.Profit, K: 2, Rule: market.FirstChoice, Method: lineup.Auto, Seconds: 3,
		Prices: []int64{49900, 89900, 124900}, EachOf: "os", Ladder: true, MinMargin: 10000, MinMarginRate: 0.2, Seed: 1}
	if diff := cmp.Diff(want, l.Input); diff != "" {
		t.Errorf("the submitted lineup (-want +got):\n%s", diff)
	}
	_, body = get(t, c, fx.srv.URL+"/jobs/"+a)
	for _, w := range []string{`<p id="job-results" hidden><a class="button" href="/lineups/` + a + `"`,
		`Lineup: 2 variants · profit · first choice · one per operating system · price ladder · margin ≥ €100.00 · margin ≥ 20% · 3 prices; in the market of <a href="/fits/` + fit.ID + `/lineups">the model fit of Phones &lt;2026&gt;</a>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the lineup's job page lacks %s", w)
		}
	}
	if res, _ := get(t, c, fx.srv.URL+"/lineups/"+a); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/jobs/"+a {
		t.Errorf("a queued lineup's page: %d to %q, want 303 to its job", res.StatusCode, res.Header.Get("Location"))
	}
	fx.mustRunLineup(t, a)

	// The lineup's page: the variants pictured, the figures, the chart.
	res, body = get(t, c, fx.srv.URL+"/lineups/"+a)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the lineup's page: status %d", res.StatusCode)
	}
	if n := strings.Count(body, `<article class="card variant-card"`); n != 2 {
		t.Errorf("%d variant cards, want 2", n)
	}
	if n := regexp.MustCompile(`<div class="card-picture"><svg xmlns="http://www.w3.org/2000/svg"`).FindAllStringIndex(body, -1); len(n) != 2 {
		t.Errorf("%d variant pictures, want 2", len(n))
	}
	for _, w := range []string{`data-figure="share"`, `data-figure="profit"`, `data-figure="gap"`, `<dt>Operating system</dt><dd>Android 15</dd>`, `<dt>Operating system</dt><dd>AliOS</dd>`,
		`data-chart="cannibal"`, `data-from="2"`, `data-from="1"`, `id="lineup-cannibal-table"`, `<form method="post" action="/lineups/` + a + `/campaigns"`,
		`Create campaign drafts`, `<summary>Full configuration</summary>`, `href="/api/v1/jobs/` + a + `" download="lineup-` + a + `.json"`} {
		if !strings.Contains(body, w) {
			t.Errorf("the lineup's page lacks %s", w)
		}
	}
	if regexp.MustCompile(`<[^>]+ style=`).MatchString(body) || strings.Contains(body, "<style") {
		t.Error("the lineup's page has inline style, which the CSP forbids")
	}
	for _, tt := range []struct {
		name string
		c    *http.Client
		code int
	}{{"another analyst", fx.client(t, &other), 404}, {"a customer", fx.client(t, &carla), 403}} {
		if res, _ := get(t, tt.c, fx.srv.URL+"/lineups/"+a); res.StatusCode != tt.code {
			t.Errorf("the lineup's page as %s: %d, want %d", tt.name, res.StatusCode, tt.code)
		}
	}

	// A second lineup, and the list with check boxes to compare them.
	b := submitLineupForm(t, c, fx.srv.URL, fit.ID, url.Values{"k": {"3"}, "goal": {"units"}, "rule": {"logit"}, "seconds": {"3"}})
	// b runs before the next is queued: two jobs queued in the same
	// millisecond may be claimed in either order.
	fx.mustRunLineup(t, b)
	queued := submitLineupForm(t, c, fx.srv.URL, fit.ID, url.Values{"k": {"1"}})
	_, body = get(t, c, lineups)
	for _, w := range []string{`<input type="checkbox" name="ids" value="` + a + `"`, `<input type="checkbox" name="ids" value="` + b + `"`,
		`<tr data-lineup="` + queued + `" data-status="queued">`, `id="compare-submit"`, `<a href="/lineups/` + a + `">Lineup</a>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the list of lineups lacks %s", w)
		}
	}
	if strings.Contains(body, `value="`+queued+`" id="compare-`) {
		t.Error("a queued lineup can be ticked to compare")
	}
	res, body = get(t, c, lineups+"/compare?ids="+a+"&ids="+b)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("compare: status %d", res.StatusCode)
	}
	if n := strings.Count(body, `<tr data-lineup="`); n != 2 {
		t.Errorf("the comparison has %d rows, want 2", n)
	}
	for _, w := range []string{`data-chart="cannibal-a"`, `data-chart="cannibal-b"`, `data-figure="parts"`, `data-figure="gap"`, `3 variants · units · logit`} {
		if !strings.Contains(body, w) {
			t.Errorf("the comparison lacks %s", w)
		}
	}
	if _, body2 := get(t, c, lineups+"/compare?ids="+b+","+a); strings.Index(body2, `data-lineup="`+b+`"`) > strings.Index(body2, `data-lineup="`+a+`"`) {
		t.Error("comma-separated ids: the comparison does not keep their order")
	}
	for _, tt := range []struct {
		q    string
		code int
	}{{"ids=" + a, 400}, {"ids=" + a + "," + queued, 409}, {"ids=" + a + ",nope", 404}, {"ids=" + a + "," + fit.ID, 404}} {
		if res, _ := get(t, c, lineups+"/compare?"+tt.q); res.StatusCode != tt.code {
			t.Errorf("compare %s: %d, want %d", tt.q, res.StatusCode, tt.code)
		}
	}

	// Campaign drafts of the first lineup, once.
	drafts := fx.srv.URL + "/lineups/" + a + "/campaigns"
	if res, _ := post(t, fx.client(t, &carla), drafts, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a customer drafts campaigns: %d, want 403", res.StatusCode)
	}
	if res, _ := post(t, c, fx.srv.URL+"/lineups/"+queued+"/campaigns", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("drafts of a queued lineup: %d, want 409", res.StatusCode)
	}
	for range 2 {
		res, _ := post(t, c, drafts, nil)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/campaigns?lineup="+a {
			t.Fatalf("draft campaigns: %d to %q, want 303 to the lineup's campaigns", res.StatusCode, loc)
		}
	}
	res, body = get(t, c, fx.srv.URL+"/campaigns?lineup="+a)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("campaigns: status %d", res.StatusCode)
	}
	if n := strings.Count(body, `<article class="card campaign-card"`); n != 2 {
		t.Errorf("%d campaign cards after drafting twice, want 2", n)
	}
	for _, w := range []string{`data-status="draft"`, `<a href="/lineups/` + a + `">variant #1 of its lineup</a>`, `<a href="/lineups/` + a + `">variant #2 of its lineup</a>`,
		`<div class="card-picture"><svg`, `<a href="/campaigns"`} {
		if !strings.Contains(body, w) {
			t.Errorf("the campaigns page lacks %s", w)
		}
	}
	if _, body := get(t, fx.client(t, &other), fx.srv.URL+"/campaigns"); strings.Count(body, `class="card campaign-card"`) != 2 {
		t.Error("another analyst does not see the drafts")
	}
	if res, _ := get(t, fx.client(t, &carla), fx.srv.URL+"/campaigns"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a customer's campaigns page: %d, want 403", res.StatusCode)
	}
	if _, body := get(t, c, fx.srv.URL+"/lineups/"+a); !strings.Contains(body, "See the campaign drafts") || !strings.Contains(body, `id="lineup-drafted"`) {
		t.Error("the lineup's page does not say its drafts are made")
	}
	if _, body := get(t, c, fx.srv.URL+"/campaigns?cursor=junk"); !strings.Contains(body, "cursor") {
		t.Error("a bad cursor is not reported")
	}

	// A lineup chosen by searching over levels (too many phones to list)
	// says so rather than counting candidates.
	if _, err := fx.svc.CancelJob(ana.ctx, queued); err != nil {
		t.Fatal(err)
	}
	la, err := fx.svc.Lineup(ana.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	out := *la.Output
	out.Method, out.Phones, out.Candidates = lineup.Levels, 0, 0
	searched, err := fx.db.CreateJob(context.Background(), job.Job{Kind: service.LineupKind, Subject: "fit:" + fit.ID, Input: la.Job.Input, CreatedBy: ana.ID})
	if err != nil {
		t.Fatal(err)
	}
	claimed, ok, err := fx.db.ClaimJob(context.Background(), []string{service.LineupKind}, time.Now())
	if err != nil || !ok || claimed.ID != searched.ID {
		t.Fatalf("ClaimJob = %+v, %v, %v", claimed, ok, err)
	}
	b2, _ := json.Marshal(out)
	if err := fx.db.FinishJob(context.Background(), searched.ID, claimed.Attempts, job.Done, b2, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, c, fx.srv.URL+"/lineups/"+searched.ID)
	if !strings.Contains(body, "Searched over the levels of Tailor Phone 2026.1.0's valid phones (too many to list) at €499, €899, €1,249") || strings.Contains(body, "0 candidates") {
		i := strings.Index(body, `id="lineup-settings"`)
		t.Errorf("the page of a lineup searched over levels does not say so:\n%s", body[i:min(len(body), i+600)])
	}
}

func TestParseRequired(t *testing.T) {
	got, err := parseRequired("size=max, os=android @ 999\n\n storage=1tb,size=compact@1249.50 ", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	want := []lineup.Fixed{{Levels: map[string]string{"size": "max", "os": "android"}, Price: 99900},
		{Levels: map[string]string{"storage": "1tb", "size": "compact"}, Price: 124950}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	for _, bad := range []string{"size=max", "size=max @ lots", "size @ 999", "size=max, =x @ 1"} {
		if _, err := parseRequired(bad, "EUR"); errs.Code(err) != errs.Invalid {
			t.Errorf("parseRequired(%q): %v, want invalid", bad, err)
		}
	}
}

func TestParseCompetitors(t *testing.T) {
	got, err := parseCompetitors("Rival X: size=max, storage=512gb @ 899\n\n Budget:size=compact@349.50 ", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	want := []service.Competitor{{Name: "Rival X", Levels: map[string]string{"size": "max", "storage": "512gb"}, Price: 89900},
		{Name: "Budget", Levels: map[string]string{"size": "compact"}, Price: 34950}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	for _, bad := range []string{"size=max @ 899", ": size=max @ 899", "Rival: size=max", "Rival: size=max @ lots"} {
		if _, err := parseCompetitors(bad, "EUR"); errs.Code(err) != errs.Invalid {
			t.Errorf("parseCompetitors(%q): %v, want invalid", bad, err)
		}
	}
}

// TestCannibalChart: each bar is as long as its variant's units, split
// into what it takes from each other variant and what it adds, on one
// scale; the legend wraps.
func TestCannibalChart(t *testing.T) {
	bars := []variantBar{
		{Label: "#1", Units: 100, From: []float64{0, 30, 10}, New: 60},
		{Label: "#2", Units: 50, From: []float64{20, 0, 0}, New: 30},
		{Label: "#3", Units: 25, From: []float64{5, 0, 0}, New: 20},
	}
	svg := string(cannibalChart("c", "Title", "Desc", bars))
	widths := map[string]float64{}
	re := regexp.MustCompile(`<g data-variant="(\d)"[^>]*>(.*?)</g>`)
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		for _, w := range regexp.MustCompile(`width="([0-9.]+)"`).FindAllStringSubmatch(m[2], -1) {
			x, _ := strconv.ParseFloat(w[1], 64)
			widths[m[1]] += x
		}
	}
	if len(widths) != 3 || math.Abs(widths["1"]/widths["2"]-2) > 0.01 || math.Abs(widths["1"]/widths["3"]-4) > 0.01 {
		t.Errorf("bar lengths %v: want them in the ratio of the units, 100:50:25", widths)
	}
	for _, w := range []string{`data-from="2" data-units="30"`, `data-from="3" data-units="10"`, `data-new-units="true" data-units="60"`,
		`#1 takes 30 units from #2`, `from #3`, `new buyers`, `<title id="c-t">Title</title>`} {
		if !strings.Contains(svg, w) {
			t.Errorf("the chart lacks %s", w)
		}
	}
	if strings.Contains(svg, `data-from="1" data-units="0"`) {
		t.Error("the chart draws a variant taking from itself or nothing")
	}
	// Twelve variants: the legend takes more than one line.
	var many []variantBar
	for v := range 12 {
		many = append(many, variantBar{Label: "#" + strconv.Itoa(v+1), Units: 10, New: 10, From: make([]float64, 12)})
	}
	svg = string(cannibalChart("m", "T", "D", many))
	h := regexp.MustCompile(`viewBox="0 0 560 ([0-9.]+)"`).FindStringSubmatch(svg)
	if h == nil {
		t.Fatal("no viewBox")
	}
	if height, _ := strconv.ParseFloat(h[1], 64); height < 4+28*12+6+2*24 {
		t.Errorf("height %v: the legend of 13 items does not wrap", height)
	}
	for _, m := range regexp.MustCompile(`<rect x="([0-9.]+)" y="[0-9.]+" width="12"`).FindAllStringSubmatch(svg, -1) {
		if x, _ := strconv.ParseFloat(m[1], 64); x+12 > 560 {
			t.Errorf("a legend swatch at x %v is off the chart", x)
		}
	}
}
