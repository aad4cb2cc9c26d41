package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/survey"
)

// Analysts fit models to a survey's answers from the survey's page; a fit
// runs as a background job (its page shows the progress) and, once done,
// has a results page, /fits/{id}, and a market simulator,
// /fits/{id}/simulate. Both are plain pages and forms: no script needed.

// methodTitles names the estimators for analysts.
var methodTitles = map[choice.Method]string{
	choice.HB:  "Hierarchical Bayes",
	choice.MNL: "Multinomial logit",
	choice.MXL: "Mixed logit",
}

func methodTitle(m choice.Method) string {
	if t, ok := methodTitles[m]; ok {
		return t
	}
	return string(m)
}

// fitForm is the survey page's form that starts a fit, as entered.
type fitForm struct {
	Method            string
	Iterations, Draws string
	Methods           []option
	Error             string
}

func newFitForm(method, iterations, draws, msg string) fitForm {
	if method == "" {
		method = string(choice.HB)
	}
	ff := fitForm{Method: method, Iterations: iterations, Draws: draws, Error: msg}
	for _, m := range []choice.Method{choice.HB, choice.MNL, choice.MXL} {
		ff.Methods = append(ff.Methods, option{Value: string(m), Label: methodTitle(m), Selected: string(m) == method})
	}
	return ff
}

// fitRow is a fit in the survey page's list.
type fitRow struct {
	ID, Method, Settings string
	Status               job.Status
	StatusLabel, Percent string
	CreatedAt            time.Time
	Link                 string // the results when done, else the job's page
}

func fitRowOf(f service.Fit) fitRow {
	in := f.Input
	settings := fmt.Sprintf("%s iterations", thousandsOf(in.Iterations))
	switch in.Method {
	case choice.MXL:
		settings = fmt.Sprintf("%s draws, at most %s iterations", thousandsOf(in.Draws), thousandsOf(in.Iterations))
	case choice.MNL:
		settings = fmt.Sprintf("at most %s iterations", thousandsOf(in.Iterations))
	}
	row := fitRow{ID: f.Job.ID, Method: methodTitle(in.Method), Settings: settings, Status: f.Job.Status,
		StatusLabel: jobStatusLabel(f.Job), Percent: fmt.Sprintf("%.0f%%", 100*f.Job.Progress), CreatedAt: f.Job.CreatedAt,
		Link: "/jobs/" + f.Job.ID}
	if f.Job.Status == job.Done {
		row.Link = "/fits/" + f.Job.ID
	}
	return row
}

// submitFit starts a fit from the survey page's form and shows its job.
func (s *server) submitFit(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.error(w, r, errs.Errorf(errs.Invalid, "The form could not be read."))
		return
	}
	id := r.PathValue("id")
	f := r.PostForm
	method, iterations, draws := f.Get("method"), strings.TrimSpace(f.Get("iterations")), strings.TrimSpace(f.Get("draws"))
	fail := func(err error) {
		if statusOf(err) == http.StatusInternalServerError || errs.Code(err) == errs.NotFound {
			s.error(w, r, err)
			return
		}
		s.renderSurvey(w, r, statusOf(err), id, newFitForm(method, iterations, draws, errs.Message(err)))
	}
	in := service.FitInput{SurveyID: id, Method: choice.Method(method)}
	var err error
	if in.Iterations, err = formInt(iterations, "number of iterations"); err != nil {
		fail(err)
		return
	}
	// Draws belong to mixed logit; the form leaves them for the others.
	if in.Method == choice.MXL {
		if in.Draws, err = formInt(draws, "number of draws"); err != nil {
			fail(err)
			return
		}
	}
	j, err := s.svc.SubmitFit(r.Context(), in)
	if err != nil {
		fail(err)
		return
	}
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}

// formInt reads an optional whole number; "" is 0.
func formInt(text, label string) (int, error) {
	if text == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		return 0, errs.Errorf(errs.Invalid, "The %s must be a whole number, not %q.", label, text)
	}
	return n, nil
}

// fitPage is the data of a fit's results page.
type fitPage struct {
	ID, SurveyID, SurveyName string
	Method                   string
	Figures                  []figureView
	Warnings                 []string
	PartWorths               []chartView
	Others                   []otherCoef
	Importances              template.HTML
	WTP                      []wtpRow
	Currency                 string
	Estimates                string
	JSONName                 string
	Interval                 string // how the intervals are made
}

// figureView is one of the summary figures.
type figureView struct {
	Key, Value, Label string
}

// otherCoef is a coefficient that is not a level's part-worth: price and
// none.
type otherCoef struct {
	Label, Value, Interval, Meaning string
}

// wtpRow is a level's willingness to pay.
type wtpRow struct {
	Attribute, Level string
	Value, SE        string
	Negative         bool
}

func (s *server) fitResults(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	ctx := r.Context()
	fit, err := s.svc.Fit(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if fit.Output == nil || fit.Output.Result == nil {
		// Not done: its job's page shows how far it has come.
		http.Redirect(w, r, "/jobs/"+fit.Job.ID, http.StatusSeeOther)
		return
	}
	st, err := s.svc.Survey(ctx, fit.Output.SurveyID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out, res, d := fit.Output, fit.Output.Result, st.Design
	page := fitPage{ID: fit.Job.ID, SurveyID: st.ID, SurveyName: st.Name, Method: methodTitle(res.Method), Currency: d.Currency,
		JSONName: "fit-" + fit.Job.ID + ".json"}
	page.Figures = fitFigures(out)
	page.Warnings = fitWarnings(res, func(name string) string { return coefLabel(d, name) })

	// Part-worths per attribute, the reference level at 0, on one scale.
	interval := func(e choice.Estimate) (lo, hi float64) {
		switch {
		case res.HB != nil:
			return e.Lower, e.Upper
		case !math.IsNaN(e.SE):
			return e.Value - 1.96*e.SE, e.Value + 1.96*e.SE
		}
		return e.Value, e.Value
	}
	page.Interval = "95% intervals: ±1.96 standard errors."
	if res.HB != nil {
		page.Interval = "95% intervals: the 2.5% and 97.5% posterior quantiles of the population mean."
	}
	lo, hi := 0.0, 0.0
	rows := make([][]intervalRow, len(d.Attributes))
	for i, a := range d.Attributes {
		rows[i] = []intervalRow{{Label: a.Levels[0].Label, Reference: true}}
		for _, l := range a.Levels[1:] {
			e, ok := res.Param(a.Name + ":" + l.Name)
			if !ok {
				continue
			}
			l0, h0 := interval(e)
			rows[i] = append(rows[i], intervalRow{Label: l.Label, Value: e.Value, Lo: l0, Hi: h0})
			lo, hi = math.Min(lo, math.Min(l0, e.Value)), math.Max(hi, math.Max(h0, e.Value))
		}
	}
	pad := 0.05 * (hi - lo)
	for i, a := range d.Attributes {
		desc := fmt.Sprintf("Utility of each level of %s against %s, with 95%% intervals.", a.Label, a.Levels[0].Label)
		page.PartWorths = append(page.PartWorths, chartView{Attribute: a.Name, Label: a.Label,
			Chart: intervalChart("pw-"+a.Name, "Part-worths: "+a.Label, desc, rows[i], lo-pad, hi+pad)})
	}
	for _, name := range []string{"price", "none"} {
		e, ok := res.Param(name)
		if !ok {
			continue
		}
		l0, h0 := interval(e)
		oc := otherCoef{Value: fmt.Sprintf("%.4g", e.Value)}
		if h0 > l0 {
			oc.Interval = fmt.Sprintf("%.4g to %.4g", l0, h0)
		}
		if name == "price" {
			oc.Label = "Price"
			oc.Meaning = fmt.Sprintf("the utility of paying %s more", formatMajor(100, d.Currency))
		} else {
			oc.Label = "None of these"
			oc.Meaning = "the utility of buying none, against a phone of every first level"
			if len(d.Prices) > 0 {
				oc.Meaning += " at " + formatMajor(float64(d.PriceCentre())/100, d.Currency) + ", the middle of the prices shown"
			}
		}
		page.Others = append(page.Others, oc)
	}

	var bars []shareBar
	for _, im := range out.Importances {
		label := im.Attribute
		if label == "price" {
			label = "Price"
		}
		for _, a := range d.Attributes {
			if a.Name == im.Attribute {
				label = a.Label
			}
		}
		bars = append(bars, shareBar{Label: label, Share: im.Share})
	}
	impDesc := "Each attribute's share of the total range of part-worths; the price's over the range of prices shown."
	if res.HB != nil {
		impDesc = "The mean over respondents of each attribute's share of their range of part-worths; the price's over the range of prices shown."
	}
	page.Importances = shareChart("importances", "Attribute importance", impDesc, bars)

	for _, wp := range out.WTP {
		attr, level, _ := strings.Cut(wp.Name, ":")
		row := wtpRow{Attribute: attr, Level: level, Value: formatMajor(wp.Value, d.Currency), SE: "-", Negative: wp.Value < 0}
		if !math.IsNaN(wp.SE) {
			row.SE = formatMajor(wp.SE, d.Currency)
		}
		for _, a := range d.Attributes {
			if a.Name != attr {
				continue
			}
			row.Attribute = a.Label
			for _, l := range a.Levels {
				if l.Name == level {
					row.Level = l.Label
				}
			}
		}
		page.WTP = append(page.WTP, row)
	}
	var b bytes.Buffer
	if err := res.Print(&b); err != nil {
		s.error(w, r, err)
		return
	}
	page.Estimates = b.String()
	s.render(w, r, http.StatusOK, "fit", page.Method+" fit · "+st.Name, "surveys", page)
}

// fitFigures are the results page's summary figures.
func fitFigures(out *service.FitOutput) []figureView {
	res := out.Result
	fs := []figureView{
		{"method", strings.ToUpper(string(res.Method)), "method"},
		{"cases", thousandsOf(res.Cases), "choices"},
		{"respondents", thousandsOf(res.Panels), "respondents"},
		{"ll", fmt.Sprintf("%.1f", res.LL), "log-likelihood"},
		{"ll-null", fmt.Sprintf("%.1f", res.LLNull), "null log-likelihood"},
		{"rho2", fmt.Sprintf("%.3f", res.RhoSq), "rho²"},
	}
	if out.HitRate != nil {
		fs = append(fs, figureView{"hit-rate", fmt.Sprintf("%.1f%%", 100**out.HitRate),
			fmt.Sprintf("holdout hit rate (%s choices)", thousandsOf(out.HoldoutCases))})
	}
	switch {
	case res.HB != nil:
		settled := 0
		for _, z := range res.HB.Geweke {
			if math.Abs(z) <= gewekeLimit {
				settled++
			}
		}
		fs = append(fs,
			figureView{"iterations", thousandsOf(res.HB.Iterations), fmt.Sprintf("iterations (burn-in %s)", thousandsOf(res.HB.BurnIn))},
			figureView{"acceptance", fmt.Sprintf("%.2f", res.HB.Acceptance), "acceptance rate"},
			figureView{"geweke", fmt.Sprintf("%d of %d", settled, len(res.HB.Geweke)), "chains settled (Geweke |z| ≤ 3)"})
	case res.Draws > 0:
		fs = append(fs, figureView{"draws", thousandsOf(res.Draws), res.DrawType + " draws"},
			figureView{"iterations", strconv.Itoa(res.Iter), convergedLabel(res)})
	default:
		fs = append(fs, figureView{"iterations", strconv.Itoa(res.Iter), convergedLabel(res)})
	}
	return append(fs, figureView{"time", fmt.Sprintf("%.1f s", res.Seconds), "to fit"})
}

func convergedLabel(r *choice.Result) string {
	if r.Converged {
		return "iterations, converged"
	}
	return "iterations, NOT converged"
}

// coefLabel names a coefficient of a survey's coding for analysts:
// "Storage 512 GB" for storage:512gb, "Price", "None of these".
func coefLabel(d *survey.Survey, name string) string {
	switch name {
	case "price":
		return "Price"
	case "none":
		return "None of these"
	}
	attr, level, _ := strings.Cut(name, ":")
	for _, a := range d.Attributes {
		if a.Name != attr {
			continue
		}
		for _, l := range a.Levels {
			if l.Name == level {
				return a.Label + ": " + l.Label
			}
		}
	}
	return name
}

// gewekeLimit is the Geweke |z| beyond which a chain has not settled, the
// estimator's own criterion (choice.EstimateHB's Converged).
const gewekeLimit = 3

// fitWarnings says what an analyst should know before trusting a fit;
// label names its coefficients.
func fitWarnings(r *choice.Result, label func(string) string) []string {
	var ws []string
	if r.HB != nil {
		var names []string
		for i, z := range r.HB.Geweke {
			if math.Abs(z) > gewekeLimit && i < len(r.Params) {
				names = append(names, label(r.Params[i].Name))
			}
		}
		if len(names) > 0 {
			ws = append(ws, fmt.Sprintf("The chains of %s have not settled (Geweke |z| > 3): their estimates may still drift. Fit again with more iterations.", strings.Join(names, "; ")))
		}
		if a := r.HB.Acceptance; a < 0.1 || a > 0.6 {
			ws = append(ws, fmt.Sprintf("The Metropolis acceptance rate is %.2f, far from the usual 0.2 to 0.4.", a))
		}
		return ws
	}
	if !r.Converged {
		msg := "The estimation did not converge"
		if r.Message != "" {
			msg += " (" + r.Message + ")"
		}
		ws = append(ws, msg+": the estimates are where it stopped. Fit again with more iterations.")
	}
	return ws
}

// formatMajor writes an amount in major currency units, rounded to whole
// units: "€1,249", "-€35".
func formatMajor(x float64, currency string) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	n := int64(math.Round(x))
	neg := n < 0
	if neg {
		n = -n
	}
	s := currencyOf(currency).Symbol + thousandsOf64(n)
	if neg {
		return "-" + s
	}
	return s
}

func thousandsOf(n int) string { return thousandsOf64(int64(n)) }

func thousandsOf64(n int64) string {
	if n < 0 {
		return "-" + thousandsOf64(-n)
	}
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// simulatorRows is how many phones the simulator's form offers.
const simulatorRows = 6

// curvePoints is the number of prices on the price curve.
const curvePoints = 9

// simPage is the data of the market simulator.
type simPage struct {
	ID, SurveyID, SurveyName, Method string
	Currency                         string
	Phones                           []simPhone
	Rules                            []option
	None, OfferNone                  bool
	People                           int
	Error                            string

	// The outcome, when there is one.
	Ran      bool
	Shares   template.HTML
	Rows     []simShare
	OwnShare string
	Curve    template.HTML
	CurveFor string
	Points   []simPoint
	// Shares by segment (the respondents' regions, for a hierarchical
	// Bayes fit): the column heads and one row per segment.
	SegHead []string
	SegRows []simSegment
}

// simSegment is one segment's row of shares.
type simSegment struct {
	Name   string
	People int
	Shares []string
	Own    string
}

// simPhone is one row of the simulator's form.
type simPhone struct {
	Index, Number int
	Name, Price   string
	Own           bool
	Levels        []simLevel
}

// simLevel is one attribute's select in a row.
type simLevel struct {
	Attribute, Label string
	Options          []option
}

type simShare struct {
	Name, Share, SE string
	Own, None       bool
}

type simPoint struct {
	Price, Share, Revenue string
}

func (s *server) simulate(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	fm, err := s.svc.FitMarket(ctx, id)
	if errs.Code(err) == errs.Conflict {
		// Not done: its job's page shows how far it has come.
		http.Redirect(w, r, "/jobs/"+id, http.StatusSeeOther)
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := fm.Survey
	page := simPage{ID: id, SurveyID: fm.SurveyID, SurveyName: fm.SurveyName, Method: methodTitle(fm.Method),
		Currency: d.Currency, OfferNone: d.Spec.None, People: len(fm.Market.People)}
	q := r.URL.Query()
	var rule market.Rule
	if len(q) == 0 {
		page.Phones, page.None = defaultPhones(d), d.Spec.None
	} else {
		page.Phones, page.None = phonesFromQuery(d, q), d.Spec.None && q.Get("none") != ""
		if rule, err = market.ParseRule(q.Get("rule")); err != nil {
			rule = market.Logit
		}
	}
	for _, ro := range []struct {
		r     market.Rule
		label string
	}{{market.Logit, "Share of preference (logit)"}, {market.FirstChoice, "First choice"}, {market.RandomizedFirstChoice, "Randomised first choice"}} {
		page.Rules = append(page.Rules, option{Value: ruleValue(ro.r), Label: ro.label, Selected: ro.r == rule})
	}
	sc, err := scenarioOf(page.Phones, d.Currency, len(d.Prices) > 0)
	if err == nil {
		sc.Rule, sc.None = rule, page.None
		var out *market.Outcome
		var curve *market.Curve
		out, curve, err = s.svc.SimulateFit(ctx, id, sc, curvePrices(d))
		if err == nil {
			page.showOutcome(out, curve, d.Currency)
		}
	}
	status := http.StatusOK
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.error(w, r, err)
			return
		}
		status, page.Error = statusOf(err), errs.Message(err)
	}
	s.render(w, r, status, "simulate", "Simulator · "+page.SurveyName, "surveys", page)
}

func ruleValue(r market.Rule) string {
	if r == market.RandomizedFirstChoice {
		return "rfc"
	}
	return r.String()
}

// showOutcome fills the page's results.
func (p *simPage) showOutcome(out *market.Outcome, curve *market.Curve, currency string) {
	p.Ran = true
	var bars []shareBar
	for j, name := range out.Products {
		none := name == market.NoneName && j == len(out.Products)-1 && out.Options.None
		label := name
		if none {
			label = "None of these"
		}
		bars = append(bars, shareBar{Label: label, Share: out.Shares[j], Own: out.Own[j]})
		p.Rows = append(p.Rows, simShare{Name: label, Share: fmt.Sprintf("%.1f%%", 100*out.Shares[j]),
			SE: fmt.Sprintf("%.1f", 100*out.StdErr[j]), Own: out.Own[j], None: none})
	}
	p.Shares = shareChart("shares", "Shares of preference", fmt.Sprintf("The share of the %d simulated people who would choose each phone.", out.People), bars)
	p.OwnShare = fmt.Sprintf("%.1f%%", 100*out.OwnShare)
	if len(out.Segments) > 0 {
		for _, r := range p.Rows {
			p.SegHead = append(p.SegHead, r.Name)
		}
		for _, sg := range out.Segments {
			row := simSegment{Name: regionLabel(sg.Name), People: sg.People, Own: fmt.Sprintf("%.1f%%", 100*sg.OwnShare)}
			for _, sh := range sg.Shares {
				row.Shares = append(row.Shares, fmt.Sprintf("%.1f%%", 100*sh))
			}
			p.SegRows = append(p.SegRows, row)
		}
	}
	if curve == nil {
		return
	}
	p.CurveFor = curve.Product
	var pts []linePoint
	for _, pt := range curve.Points {
		label := formatMajor(float64(pt.Price)/100, currency)
		pts = append(pts, linePoint{X: float64(pt.Price) / 100, Y: pt.Share, XLabel: label})
		p.Points = append(p.Points, simPoint{Price: label, Share: fmt.Sprintf("%.1f%%", 100*pt.Share), Revenue: fmt.Sprintf("%.0f", pt.Index)})
	}
	p.Curve = lineChart("price-curve", "Price curve: "+curve.Product,
		fmt.Sprintf("The share of %s at each price over the survey's range, the other phones unchanged.", curve.Product), pts)
}

// defaultPhones prefills the simulator with three phones from the
// survey's levels: Tailor's own in the middle of every attribute at the
// middle price, a budget rival of first levels at the lowest price and a
// flagship rival of last levels at the highest.
func defaultPhones(d *survey.Survey) []simPhone {
	pick := func(n int, which string) int {
		switch which {
		case "low":
			return 0
		case "high":
			return n - 1
		}
		return n / 2
	}
	price := func(which string) string {
		if len(d.Prices) == 0 {
			return ""
		}
		return majorText(d.Prices[pick(len(d.Prices), which)], d.Currency)
	}
	var phones []simPhone
	for i, ph := range []struct{ name, which string }{{"Tailor Phone", "mid"}, {"Budget rival", "low"}, {"Flagship rival", "high"}} {
		levels := map[string]string{}
		for _, a := range d.Attributes {
			levels[a.Name] = a.Levels[pick(len(a.Levels), ph.which)].Name
		}
		phones = append(phones, simPhone{Name: ph.name, Price: price(ph.which), Own: i == 0, Levels: levelSelects(d, levels)})
	}
	return fillPhones(d, phones)
}

// phonesFromQuery reads the form's rows back.
func phonesFromQuery(d *survey.Survey, q map[string][]string) []simPhone {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	var phones []simPhone
	for i := range simulatorRows {
		p := fmt.Sprintf("p%d-", i)
		levels := map[string]string{}
		for _, a := range d.Attributes {
			levels[a.Name] = get(p + "a-" + a.Name)
		}
		phones = append(phones, simPhone{Name: get(p + "name"), Price: get(p + "price"), Own: get(p+"own") != "", Levels: levelSelects(d, levels)})
	}
	return fillPhones(d, phones)
}

// fillPhones numbers the rows and adds empty ones up to simulatorRows.
func fillPhones(d *survey.Survey, phones []simPhone) []simPhone {
	for len(phones) < simulatorRows {
		phones = append(phones, simPhone{Levels: levelSelects(d, nil)})
	}
	for i := range phones {
		phones[i].Index, phones[i].Number = i, i+1
	}
	return phones
}

// levelSelects offers every attribute's levels, with chosen selected; ""
// leaves an attribute out of the phone's utility.
func levelSelects(d *survey.Survey, chosen map[string]string) []simLevel {
	out := make([]simLevel, len(d.Attributes))
	for i, a := range d.Attributes {
		sl := simLevel{Attribute: a.Name, Label: a.Label, Options: []option{{Value: "", Label: "(any)", Selected: chosen[a.Name] == ""}}}
		for _, l := range a.Levels {
			sl.Options = append(sl.Options, option{Value: l.Name, Label: l.Label, Selected: chosen[a.Name] == l.Name})
		}
		out[i] = sl
	}
	return out
}

// scenarioOf turns the named rows into a scenario; prices are in major
// units, and needed only when the survey showed prices (withPrice).
func scenarioOf(phones []simPhone, currency string, withPrice bool) (service.Scenario, error) {
	var sc service.Scenario
	for _, p := range phones {
		if p.Name == "" {
			continue
		}
		var price int64
		switch {
		case p.Price == "" && withPrice:
			return sc, errs.Errorf(errs.Invalid, "Give %s a price.", p.Name)
		case p.Price != "":
			var err error
			if price, err = parseMoney(p.Price, currency); err != nil {
				return sc, errs.Errorf(errs.Invalid, "%s: %s", p.Name, errs.Message(err))
			}
		}
		levels := map[string]string{}
		for _, l := range p.Levels {
			for _, o := range l.Options {
				if o.Selected && o.Value != "" {
					levels[l.Attribute] = o.Value
				}
			}
		}
		sc.Products = append(sc.Products, service.ScenarioProduct{Name: p.Name, Levels: levels, Price: price, Own: p.Own})
	}
	if len(sc.Products) == 0 {
		return sc, errs.Errorf(errs.Invalid, "Name at least one phone to simulate.")
	}
	return sc, nil
}

// curvePrices spreads curvePoints prices, in whole major units, over the
// survey's price range; none without prices.
func curvePrices(d *survey.Survey) []int64 {
	if len(d.Prices) < 2 {
		return nil
	}
	unit := int64(1)
	for range currencyOf(d.Currency).Decimals {
		unit *= 10
	}
	lo, hi := d.Prices[0], d.Prices[len(d.Prices)-1]
	out := make([]int64, curvePoints)
	for i := range out {
		p := lo + (hi-lo)*int64(i)/int64(curvePoints-1)
		out[i] = (p + unit/2) / unit * unit
	}
	return out
}

// majorText writes minor units as the form's plain amount in major units:
// 59900 cents as "599", 59950 as "599.50".
func majorText(minor int64, currency string) string {
	dec := currencyOf(currency).Decimals
	unit := int64(1)
	for range dec {
		unit *= 10
	}
	if minor%unit == 0 {
		return strconv.FormatInt(minor/unit, 10)
	}
	return fmt.Sprintf("%d.%0*d", minor/unit, dec, minor%unit)
}
