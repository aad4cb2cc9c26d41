package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/campaign"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/model"
)

// From a done fit's results, analysts choose lineups: /fits/{id}/lineups
// holds the form, which queues a lineup job, and lists the fit's lineups,
// with check boxes to compare some side by side
// (/fits/{id}/lineups/compare?ids=a,b). A done lineup has a page,
// /lineups/{id}, with its variants pictured and a button that drafts a
// pre-sale campaign of each; /campaigns lists the drafts. All plain pages
// and forms: no script needed.

// maxCompare bounds the lineups compared at once.
const maxCompare = 6

// lineupFormData is the lineup form as entered.
type lineupFormData struct {
	Goal, K, Rule, Method, Seconds, Prices      string
	EachOS, Ladder, HasOS                       bool
	MinMargin, MinMarginRate, MaxParts          string
	Must, Competitors, MarketSize, Seed         string
	Goals, Rules, Methods                       []option
	Error                                       string
	Currency, Symbol, PricesHint, MustHint      string
	CompetitorHint                              string
	DefaultSeconds, MaxK, MaxSeconds, MaxPrices int
}

// lineupsPage is the data of a fit's lineups page.
type lineupsPage struct {
	FitID, SurveyID, SurveyName, Method string
	People                              int
	Attributes                          string
	Form                                lineupFormData
	Runs                                []lineupRow
	AnyDone                             bool
}

// lineupRow is a lineup in the fit's list.
type lineupRow struct {
	ID                   string
	Status               job.Status
	StatusLabel, Percent string
	CreatedAt            time.Time
	Settings             string
	Done                 bool
	Share, Units         string
	Revenue, Profit, Gap string
	Link                 string
}

var goalTitles = map[lineup.Goal]string{lineup.Profit: "Profit", lineup.Revenue: "Revenue", lineup.Units: "Units sold (share)"}

var ruleTitles = map[market.Rule]string{
	market.Logit:                 "Share of preference (logit)",
	market.FirstChoice:           "First choice",
	market.RandomizedFirstChoice: "Randomised first choice",
}

// ruleWords names a rule in a sentence.
func ruleWords(r market.Rule) string {
	switch r {
	case market.FirstChoice:
		return "first choice"
	case market.RandomizedFirstChoice:
		return "randomised first choice"
	}
	return "logit"
}

// newLineupForm returns the form with the defaults: four variants for
// profit under logit, at the survey's prices.
func newLineupForm(fm service.FitMarket, hasOS bool) lineupFormData {
	d := fm.Survey
	var prices []string
	for _, p := range d.Prices {
		prices = append(prices, majorText(p, d.Currency))
	}
	lf := lineupFormData{Goal: string(lineup.Profit), K: "4", Rule: "logit", Method: string(lineup.Auto),
		Seconds: strconv.Itoa(service.DefaultLineupSeconds), Prices: strings.Join(prices, ", "), HasOS: hasOS}
	return lf.withChoices(fm)
}

// withChoices fills in the selects' options and the hints.
func (lf lineupFormData) withChoices(fm service.FitMarket) lineupFormData {
	lf.Goals, lf.Rules, lf.Methods = nil, nil, nil
	for _, g := range []lineup.Goal{lineup.Profit, lineup.Revenue, lineup.Units} {
		lf.Goals = append(lf.Goals, option{Value: string(g), Label: goalTitles[g], Selected: string(g) == lf.Goal})
	}
	for _, r := range []market.Rule{market.Logit, market.FirstChoice, market.RandomizedFirstChoice} {
		lf.Rules = append(lf.Rules, option{Value: ruleValue(r), Label: ruleTitles[r], Selected: ruleValue(r) == lf.Rule})
	}
	for _, m := range []struct {
		m     lineup.Method
		label string
	}{{lineup.Auto, "Auto: annealing, then branch and bound"}, {lineup.Exact, "Exact: branch and bound"}, {lineup.Anneal, "Annealing"}, {lineup.Swap, "Swap"}, {lineup.Greedy, "Greedy"}} {
		lf.Methods = append(lf.Methods, option{Value: string(m.m), Label: m.label, Selected: string(m.m) == lf.Method})
	}
	d := fm.Survey
	lf.Currency, lf.Symbol = d.Currency, strings.TrimSpace(currencyOf(d.Currency).Symbol)
	lf.DefaultSeconds, lf.MaxK, lf.MaxSeconds, lf.MaxPrices = service.DefaultLineupSeconds, service.MaxLineupK, service.MaxLineupSeconds, service.MaxLineupPrices
	var parts []string
	for _, a := range d.Attributes {
		parts = append(parts, a.Name+"="+a.Levels[len(a.Levels)-1].Name)
	}
	if lf.HasOS {
		parts = append(parts, "os=android")
	}
	price := "999"
	if len(d.Prices) > 0 {
		price = majorText(d.Prices[len(d.Prices)-1], d.Currency)
	}
	lf.MustHint = strings.Join(parts, ", ") + " @ " + price
	if len(d.Attributes) > 0 {
		a := d.Attributes[0]
		lf.CompetitorHint = "Rival: " + a.Name + "=" + a.Levels[len(a.Levels)-1].Name + " @ " + price
	}
	return lf
}

// lineupForm is the form a fit's lineups page reads: the values as
// entered, to show again with a mistake.
func lineupFormOf(r *http.Request, fm service.FitMarket, hasOS bool) lineupFormData {
	f := r.PostForm
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	lf := lineupFormData{Goal: get("goal"), K: get("k"), Rule: get("rule"), Method: get("method"), Seconds: get("seconds"),
		Prices: get("prices"), EachOS: hasOS && get("each_os") != "", Ladder: get("ladder") != "", HasOS: hasOS,
		MinMargin: get("min_margin"), MinMarginRate: get("min_margin_rate"), MaxParts: get("max_parts"),
		Must: strings.TrimSpace(f.Get("must")), Competitors: strings.TrimSpace(f.Get("competitors")),
		MarketSize: get("market_size"), Seed: get("seed")}
	return lf.withChoices(fm)
}

// input turns the form into a lineup's input; prices are in major units.
func (lf lineupFormData) input() (service.LineupInput, error) {
	var in service.LineupInput
	var err error
	if in.K, err = formInt(lf.K, "number of variants"); err != nil {
		return in, err
	}
	in.Goal, in.Method = lineup.Goal(lf.Goal), lineup.Method(lf.Method)
	if lf.Rule != "" {
		if in.Rule, err = market.ParseRule(lf.Rule); err != nil {
			return in, errs.Errorf(errs.Invalid, "Unknown choice rule %q.", lf.Rule)
		}
	}
	if in.Seconds, err = formInt(lf.Seconds, "time limit"); err != nil {
		return in, err
	}
	if lf.Prices != "" {
		for _, p := range strings.FieldsFunc(lf.Prices, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			v, err := parseMoney(p, lf.Currency)
			if err != nil {
				return in, errs.Errorf(errs.Invalid, "Prices: %s", errs.Message(err))
			}
			in.Prices = append(in.Prices, v)
		}
	}
	if lf.EachOS {
		in.EachOf = "os"
	}
	in.Ladder = lf.Ladder
	if lf.MinMargin != "" {
		if in.MinMargin, err = parseMoney(lf.MinMargin, lf.Currency); err != nil {
			return in, errs.Errorf(errs.Invalid, "Minimum margin: %s", errs.Message(err))
		}
	}
	if lf.MinMarginRate != "" {
		pct, err := strconv.ParseFloat(strings.TrimSuffix(lf.MinMarginRate, "%"), 64)
		if err != nil || pct < 0 || pct >= 100 {
			return in, errs.Errorf(errs.Invalid, "The minimum margin rate is a percentage of the price from 0 to below 100, not %q.", lf.MinMarginRate)
		}
		in.MinMarginRate = pct / 100
	}
	if in.MaxParts, err = formInt(lf.MaxParts, "limit on distinct parts"); err != nil {
		return in, err
	}
	if in.Must, err = parseRequired(lf.Must, lf.Currency); err != nil {
		return in, err
	}
	if in.Competitors, err = parseCompetitors(lf.Competitors, lf.Currency); err != nil {
		return in, err
	}
	if lf.MarketSize != "" {
		n, err := strconv.ParseFloat(strings.ReplaceAll(lf.MarketSize, ",", ""), 64)
		if err != nil {
			return in, errs.Errorf(errs.Invalid, "The market size must be a number of buyers, not %q.", lf.MarketSize)
		}
		in.MarketSize = n
	}
	if lf.Seed != "" {
		if in.Seed, err = strconv.ParseUint(lf.Seed, 10, 64); err != nil {
			return in, errs.Errorf(errs.Invalid, "The seed must be a whole number, not %q.", lf.Seed)
		}
	}
	return in, nil
}

// parseCompetitors reads competitors' phones, one per line:
// "Rival X: size=max, main=m1in @ 899", the price in major units;
// attributes left out do not count in the phone's utility.
func parseCompetitors(text, currency string) ([]service.Competitor, error) {
	var out []service.Competitor
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, errs.Errorf(errs.Invalid, "Competitor on line %d: write its name, a colon, its levels, then @ and its price, as in Rival: size=max, storage=512gb @ 899.", n+1)
		}
		fs, err := parseRequired(rest, currency)
		if err != nil {
			return nil, errs.Errorf(errs.Invalid, "Competitor %s: %s", strings.TrimSpace(name), strings.TrimPrefix(errs.Message(err), "Required variant on line 1: "))
		}
		out = append(out, service.Competitor{Name: strings.TrimSpace(name), Levels: fs[0].Levels, Price: fs[0].Price})
	}
	return out, nil
}

// parseRequired reads required variants, one per line:
// "size=max, storage=512gb, os=android @ 999", the price in major units.
func parseRequired(text, currency string) ([]lineup.Fixed, error) {
	var out []lineup.Fixed
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		levels, price, ok := strings.Cut(line, "@")
		if !ok {
			return nil, errs.Errorf(errs.Invalid, "Required variant on line %d: write its levels, then @ and its price, as in size=max, os=android @ 999.", n+1)
		}
		p, err := parseMoney(strings.TrimSpace(price), currency)
		if err != nil {
			return nil, errs.Errorf(errs.Invalid, "Required variant on line %d: %s", n+1, errs.Message(err))
		}
		f := lineup.Fixed{Levels: map[string]string{}, Price: p}
		for _, kv := range strings.Split(levels, ",") {
			a, l, ok := strings.Cut(strings.TrimSpace(kv), "=")
			if !ok || strings.TrimSpace(a) == "" || strings.TrimSpace(l) == "" {
				return nil, errs.Errorf(errs.Invalid, "Required variant on line %d: %q is not attribute=level.", n+1, strings.TrimSpace(kv))
			}
			f.Levels[strings.TrimSpace(a)] = strings.TrimSpace(l)
		}
		out = append(out, f)
	}
	return out, nil
}

// lineupMarket returns a done fit's market and whether its model has an
// operating system to spread the variants over. A fit not done sends the
// browser to its job's page (ok false).
func (s *server) lineupMarket(w http.ResponseWriter, r *http.Request, fitID string) (service.FitMarket, bool, bool) {
	ctx := r.Context()
	fm, err := s.svc.FitMarket(ctx, fitID)
	if errs.Code(err) == errs.Conflict {
		http.Redirect(w, r, "/jobs/"+fitID, http.StatusSeeOther)
		return fm, false, false
	}
	if err != nil {
		s.error(w, r, err)
		return fm, false, false
	}
	hasOS := false
	if st, err := s.svc.Survey(ctx, fm.SurveyID); err == nil {
		if e, _, err := s.svc.Engine(ctx, st.ModelID); err == nil {
			hasOS = e.Model().Attr("os") >= 0
		}
	}
	return fm, hasOS, true
}

func (s *server) lineups(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	id := r.PathValue("id")
	fm, hasOS, ok := s.lineupMarket(w, r, id)
	if !ok {
		return
	}
	s.renderLineups(w, r, http.StatusOK, fm, id, newLineupForm(fm, hasOS))
}

func (s *server) renderLineups(w http.ResponseWriter, r *http.Request, status int, fm service.FitMarket, fitID string, form lineupFormData) {
	ls, _, err := s.svc.FitLineups(r.Context(), fitID, job.Page{Limit: job.MaxLimit})
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := lineupsPage{FitID: fitID, SurveyID: fm.SurveyID, SurveyName: fm.SurveyName, Method: methodTitle(fm.Method),
		People: len(fm.Market.People), Form: form}
	var attrs []string
	for _, a := range fm.Survey.Attributes {
		attrs = append(attrs, a.Label)
	}
	page.Attributes = strings.Join(attrs, ", ")
	for _, l := range ls {
		row := lineupRow{ID: l.Job.ID, Status: l.Job.Status, StatusLabel: jobStatusLabel(l.Job), Percent: fmt.Sprintf("%.0f%%", 100*l.Job.Progress),
			CreatedAt: l.Job.CreatedAt, Settings: lineupSettings(l.Input, fm.Survey.Currency), Link: "/jobs/" + l.Job.ID}
		if out := l.Output; out != nil && out.Report != nil {
			row.Done, row.Link = true, "/lineups/"+l.Job.ID
			row.Share, row.Units = pct1(out.Report.Share), units(out.Report.Units)
			row.Revenue, row.Profit = formatMajor(out.Report.Revenue/100, out.Currency), formatMajor(out.Report.Profit/100, out.Currency)
			row.Gap = gapText(out)
			page.AnyDone = true
		}
		page.Runs = append(page.Runs, row)
	}
	s.render(w, r, status, "lineups", "Lineups · "+fm.SurveyName, "surveys", page)
}

func (s *server) submitLineup(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.error(w, r, errs.Errorf(errs.Invalid, "The form could not be read."))
		return
	}
	id := r.PathValue("id")
	fm, hasOS, ok := s.lineupMarket(w, r, id)
	if !ok {
		return
	}
	form := lineupFormOf(r, fm, hasOS)
	in, err := form.input()
	var j job.Job
	if err == nil {
		j, err = s.svc.SubmitLineup(r.Context(), id, in)
	}
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError || errs.Code(err) == errs.NotFound {
			s.error(w, r, err)
			return
		}
		form.Error = errs.Message(err)
		s.renderLineups(w, r, statusOf(err), fm, id, form)
		return
	}
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}

// lineupSettings sums up what a lineup was asked: "4 variants · profit ·
// logit · one per os · price ladder".
func lineupSettings(in service.LineupInput, currency string) string {
	parts := []string{plural(in.K, "variant", "variants"), string(in.Goal), ruleWords(in.Rule)}
	if in.EachOf == "os" {
		parts = append(parts, "one per operating system")
	} else if in.EachOf != "" {
		parts = append(parts, "one per "+in.EachOf)
	}
	if in.Ladder {
		parts = append(parts, "price ladder")
	}
	if in.MinMargin > 0 {
		parts = append(parts, "margin ≥ "+formatMoney(in.MinMargin, currency))
	}
	if in.MinMarginRate > 0 {
		parts = append(parts, fmt.Sprintf("margin ≥ %g%%", 100*in.MinMarginRate))
	}
	if in.MaxParts > 0 {
		parts = append(parts, fmt.Sprintf("≤ %d parts", in.MaxParts))
	}
	if n := len(in.Must); n > 0 {
		parts = append(parts, plural(n, "required variant", "required variants"))
	}
	if n := len(in.Competitors); n > 0 {
		parts = append(parts, plural(n, "competitor", "competitors"))
	}
	if len(in.Prices) > 0 {
		parts = append(parts, plural(len(in.Prices), "price", "prices"))
	}
	return strings.Join(parts, " · ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousandsOf(n) + " " + many
}

func pct1(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

func units(x float64) string { return thousandsOf64(int64(math.Round(x))) }

// gapText says how close a lineup is to the best possible.
func gapText(out *service.LineupOutput) string {
	switch {
	case out.Proven:
		return "proven optimal"
	case out.Gap == nil:
		return "no bound"
	}
	return fmt.Sprintf("gap %.1f%%", 100**out.Gap)
}

// lineupPage is the data of a lineup's page.
type lineupPage struct {
	ID, FitID, SurveyID, SurveyName, FitMethod string
	Settings, Model, Rule                      string
	Figures                                    []figureView
	Variants                                   []variantCard
	Chart                                      template.HTML
	CannibalHead                               []string
	CannibalRows                               []cannibalRow
	People, Phones, Candidates, Prices         string
	Listed                                     bool // the phones were listed, not searched over levels
	JSONName                                   string
	Drafts                                     int
}

// variantCard is one variant of a lineup.
type variantCard struct {
	Number                        int
	Name                          string
	Picture                       template.HTML
	Levels, Config                []variantLevel
	Price, Cost, Margin, Rate     string
	Units, Share, Revenue, Profit string
	Incremental                   string
}

// variantLevel is an attribute's level, in words.
type variantLevel struct {
	Attribute, Label, Level string
}

// cannibalRow is a variant's row of the cannibalisation table: the units
// it takes from each other variant ("-" on the diagonal) and the units it
// adds.
type cannibalRow struct {
	Name  string
	From  []string
	New   string
	Units string
}

func (s *server) lineupResults(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	ctx := r.Context()
	l, err := s.svc.Lineup(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := l.Output
	if out == nil || out.Report == nil {
		// Not done: its job's page shows how far it has come.
		http.Redirect(w, r, "/jobs/"+l.Job.ID, http.StatusSeeOther)
		return
	}
	mdl, err := s.modelOf(ctx, out.ModelID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rep := out.Report
	page := lineupPage{ID: l.Job.ID, FitID: out.Input.FitID, SurveyID: out.SurveyID, SurveyName: out.SurveyName,
		FitMethod: methodTitle(out.FitMethod), Settings: lineupSettings(out.Input, out.Currency), Model: out.Model,
		Rule: ruleWords(out.Input.Rule), People: thousandsOf(out.People), Phones: thousandsOf(out.Phones),
		Candidates: thousandsOf(out.Candidates), Prices: pricesText(out.Input.Prices, out.Currency), Listed: out.Method != lineup.Levels,
		JSONName: "lineup-" + l.Job.ID + ".json"}
	page.Figures = lineupFigures(out)
	for v, vr := range rep.Variants {
		page.Variants = append(page.Variants, variantCardOf(mdl, v, vr, out.Currency))
	}
	page.Chart = cannibalChart("cannibal", "Where each variant's buyers come from", cannibalDesc, variantBars(rep))
	for v := range rep.Variants {
		page.CannibalHead = append(page.CannibalHead, fmt.Sprintf("#%d", v+1))
	}
	for v, row := range rep.Cannibal {
		cr := cannibalRow{Name: fmt.Sprintf("#%d", v+1), New: units(rep.Variants[v].Incremental), Units: units(rep.Variants[v].Units)}
		for w, x := range row {
			if w == v {
				cr.From = append(cr.From, "-")
			} else {
				cr.From = append(cr.From, units(x))
			}
		}
		page.CannibalRows = append(page.CannibalRows, cr)
	}
	if cs, _, err := s.svc.Campaigns(ctx, campaign.Filter{LineupID: l.Job.ID}, campaign.Page{Limit: campaign.MaxLimit}); err == nil {
		page.Drafts = len(cs)
	}
	s.render(w, r, http.StatusOK, "lineup", fmt.Sprintf("Lineup of %d · %s", len(rep.Variants), out.SurveyName), "surveys", page)
}

const cannibalDesc = "For each variant, a bar as long as its units: the part it takes from each other variant of the lineup (they would sell that much more without it), and the part that is new to the lineup, from people who would otherwise buy nothing or a competitor's phone."

// modelOf returns the product model of a version the caller may see.
func (s *server) modelOf(ctx context.Context, id string) (*model.Model, error) {
	e, _, err := s.svc.Engine(ctx, id)
	if err != nil {
		return nil, err
	}
	return e.Model(), nil
}

// lineupFigures are a lineup page's summary figures.
func lineupFigures(out *service.LineupOutput) []figureView {
	rep := out.Report
	fs := []figureView{
		{"share", pct1(rep.Share), "share of the market"},
		{"units", units(rep.Units), "units"},
		{"revenue", formatMajor(rep.Revenue/100, out.Currency), "revenue"},
		{"profit", formatMajor(rep.Profit/100, out.Currency), "profit"},
		{"gap", gapText(out), "against the bound"},
		{"parts", thousandsOf(rep.PartsUsed), "distinct parts"},
		{"method", string(out.Method), fmt.Sprintf("method, %.1f s", out.Seconds)},
	}
	if out.Proven {
		fs[4].Label = "the best lineup there is"
	}
	return fs
}

// variantCardOf describes variant v of a lineup.
func variantCardOf(mdl *model.Model, v int, vr lineup.VariantReport, currency string) variantCard {
	vc := variantCard{Number: v + 1, Name: vr.Name, Price: formatMoney(vr.Price, currency), Cost: formatMoney(vr.Cost, currency),
		Margin: formatMoney(vr.Price-vr.Cost, currency), Units: units(vr.Units), Share: pct1(vr.Share),
		Revenue: formatMajor(vr.Revenue/100, currency), Profit: formatMajor(vr.Profit/100, currency), Incremental: units(vr.Incremental)}
	if vr.Price > 0 {
		vc.Rate = fmt.Sprintf("%.0f%%", 100*float64(vr.Price-vr.Cost)/float64(vr.Price))
	}
	sel := map[string]string{}
	for a, l := range vr.Config {
		if a >= len(mdl.Attributes) || l < 0 || l >= len(mdl.Attributes[a].Levels) {
			continue
		}
		at := &mdl.Attributes[a]
		lv := at.Levels[l]
		sel[at.Name] = lv.Name
		view := variantLevel{Attribute: at.Name, Label: labelOr(at.Label, at.Name), Level: labelOr(lv.Label, lv.Name)}
		vc.Config = append(vc.Config, view)
		if _, ok := vr.Levels[at.Name]; ok {
			vc.Levels = append(vc.Levels, view)
		}
	}
	vc.Picture = inlinePicture(mdl, sel)
	return vc
}

func labelOr(label, name string) string {
	if label != "" {
		return label
	}
	return name
}

// pricesText writes a price grid in major units: "€399, €699, €999".
func pricesText(prices []int64, currency string) string {
	var out []string
	for _, p := range prices {
		out = append(out, formatMajor(float64(p)/100, currency))
	}
	return strings.Join(out, ", ")
}

// variantBars are the bars of a lineup's cannibalisation chart.
func variantBars(rep *lineup.Report) []variantBar {
	bars := make([]variantBar, len(rep.Variants))
	for v, vr := range rep.Variants {
		bars[v] = variantBar{Label: fmt.Sprintf("#%d", v+1), Title: vr.Name, Units: vr.Units, New: vr.Incremental}
		if v < len(rep.Cannibal) {
			bars[v].From = rep.Cannibal[v]
		}
	}
	return bars
}

// compareView is the data of the comparison of lineups.
type compareView struct {
	FitID, SurveyName string
	Rows              []compareRow
	Charts            []compareChart
}

type compareRow struct {
	Letter, ID, Settings           string
	Share, Units, Revenue, Profit  string
	Parts, Gap, Created, Objective string
}

type compareChart struct {
	Letter, ID, Settings string
	Chart                template.HTML
}

func (s *server) compareLineups(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	ctx := r.Context()
	fitID := r.PathValue("id")
	var ids []string
	for _, v := range r.URL.Query()["ids"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) < 2 || len(ids) > maxCompare {
		s.error(w, r, errs.Errorf(errs.Invalid, "Tick 2 to %d done lineups to compare, not %d.", maxCompare, len(ids)))
		return
	}
	page := compareView{FitID: fitID}
	for i, id := range ids {
		l, err := s.svc.Lineup(ctx, id)
		if err != nil {
			s.error(w, r, err)
			return
		}
		if l.Input.FitID != fitID {
			s.error(w, r, errs.Errorf(errs.NotFound, "Lineup %s is not of this fit.", id))
			return
		}
		out := l.Output
		if out == nil || out.Report == nil {
			s.error(w, r, errs.Errorf(errs.Conflict, "Lineup %s is %s; compare lineups that are done.", id, l.Job.Status))
			return
		}
		page.SurveyName = out.SurveyName
		letter := string(rune('A' + i))
		rep := out.Report
		settings := lineupSettings(out.Input, out.Currency)
		page.Rows = append(page.Rows, compareRow{Letter: letter, ID: id, Settings: settings, Share: pct1(rep.Share), Units: units(rep.Units),
			Revenue: formatMajor(rep.Revenue/100, out.Currency), Profit: formatMajor(rep.Profit/100, out.Currency),
			Parts: thousandsOf(rep.PartsUsed), Gap: gapText(out), Created: l.Job.CreatedAt.UTC().Format("2 Jan 15:04")})
		page.Charts = append(page.Charts, compareChart{Letter: letter, ID: id, Settings: settings,
			Chart: cannibalChart("cannibal-"+strings.ToLower(letter), "Lineup "+letter+": where each variant's buyers come from", cannibalDesc, variantBars(rep))})
	}
	s.render(w, r, http.StatusOK, "compare", "Compare lineups · "+page.SurveyName, "surveys", page)
}

func (s *server) draftCampaigns(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	id := r.PathValue("id")
	if _, _, err := s.svc.CreateCampaignDrafts(r.Context(), id); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/campaigns?lineup="+url.QueryEscape(id), http.StatusSeeOther)
}

// campaignsPage is the data of the campaigns page.
type campaignsPage struct {
	Cards    []campaignCard
	LineupID string
	First    bool
	Next     string
}

type campaignCard struct {
	ID, Name                  string
	Picture                   template.HTML
	Price, Cost, Margin, Rate string
	Status                    campaign.Status
	LineupID                  string
	Variant                   int
	CreatedAt                 time.Time
}

func (s *server) campaigns(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageSurveys) {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	f := campaign.Filter{LineupID: q.Get("lineup")}
	cs, next, err := s.svc.Campaigns(ctx, f, campaign.Page{Cursor: q.Get("cursor")})
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := campaignsPage{LineupID: f.LineupID, First: q.Get("cursor") == ""}
	if next != "" {
		v := url.Values{"cursor": {next}}
		if f.LineupID != "" {
			v.Set("lineup", f.LineupID)
		}
		page.Next = "/campaigns?" + v.Encode()
	}
	mdls := map[string]*model.Model{}
	for _, c := range cs {
		m, ok := mdls[c.ModelID]
		if !ok {
			if m, err = s.modelOf(ctx, c.ModelID); err != nil {
				s.error(w, r, err)
				return
			}
			mdls[c.ModelID] = m
		}
		card := campaignCard{ID: c.ID, Name: c.Name, Picture: inlinePicture(m, c.Config), Price: formatMoney(c.Price, c.Currency),
			Cost: formatMoney(c.Cost, c.Currency), Margin: formatMoney(c.Margin(), c.Currency), Status: c.Status,
			LineupID: c.LineupID, Variant: c.Variant + 1, CreatedAt: c.CreatedAt}
		card.Rate = fmt.Sprintf("%.0f%%", 100*float64(c.Margin())/float64(c.Price))
		page.Cards = append(page.Cards, card)
	}
	s.render(w, r, http.StatusOK, "campaigns", "Campaigns", "campaigns", page)
}
