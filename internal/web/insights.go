package web

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
)

// insightsPage is the data of the insights page.
type insightsPage struct {
	Models            []option
	Regions, AgeBands []option
	From, To          string
	Attributes        []comboOption
	Error             string

	Designs   int
	LevelBars []chartView
	Daily     template.HTML
	Segments  template.HTML
	ComboCols []string
	Combos    []comboRow
}

type comboOption struct {
	Name, Label string
	Checked     bool
}

type chartView struct {
	Attribute, Label string
	Chart            template.HTML
}

type comboRow struct {
	Levels []string
	Count  int
	Share  string
}

const dateForm = "2006-01-02"

func (s *server) insights(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ViewStats) {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	vs, err := s.svc.Models(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var published []catalog.Version
	for _, v := range vs {
		if v.Published() {
			published = append(published, v)
		}
	}
	if len(published) == 0 {
		s.error(w, r, errs.Errorf(errs.NotFound, "No product model is published yet."))
		return
	}
	modelID := q.Get("model")
	if modelID == "" {
		modelID = published[0].ID
	}
	page := insightsPage{
		Regions: options(account.Regions, q.Get("region")), AgeBands: options(account.AgeBands, q.Get("age_band")),
		From: q.Get("from"), To: q.Get("to"),
	}
	for _, v := range vs {
		page.Models = append(page.Models, option{Value: v.ID, Label: v.Name + " " + v.Version, Selected: v.ID == modelID})
	}
	e, _, err := s.svc.Engine(ctx, modelID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	m := e.Model()
	f := design.Filter{ModelID: modelID, Region: q.Get("region"), AgeBand: q.Get("age_band")}
	if page.From != "" {
		if f.From, err = time.Parse(dateForm, page.From); err != nil {
			page.Error = "The start date must be a date such as 2026-03-01."
		}
	}
	if page.To != "" {
		t, err := time.Parse(dateForm, page.To)
		if err != nil {
			page.Error = "The end date must be a date such as 2026-03-31."
		}
		f.To = t.AddDate(0, 0, 1) // the form's end date is inclusive
	}
	combo := q["combo"]
	if len(combo) == 0 {
		for _, a := range m.Attributes[:min(3, len(m.Attributes))] {
			combo = append(combo, a.Name)
		}
	}
	checked := map[string]bool{}
	for _, c := range combo {
		checked[c] = true
	}
	for _, a := range m.Attributes {
		page.Attributes = append(page.Attributes, comboOption{Name: a.Name, Label: a.Label, Checked: checked[a.Name]})
	}
	if page.Error != "" {
		s.render(w, r, http.StatusBadRequest, "insights", "Insights", "insights", page)
		return
	}
	st, err := s.svc.Stats(ctx, f, combo)
	if err != nil {
		if status := statusOf(err); status == http.StatusBadRequest {
			page.Error = errs.Message(err)
			s.render(w, r, status, "insights", "Insights", "insights", page)
			return
		}
		s.error(w, r, err)
		return
	}
	page.Designs = st.Designs
	labels := newLabeler(m)

	// Level shares, per attribute, over every level of the model so that a
	// level nobody chose shows as zero rather than missing.
	counts := map[string]map[string]int{}
	for _, lc := range st.Levels {
		if counts[lc.Attribute] == nil {
			counts[lc.Attribute] = map[string]int{}
		}
		counts[lc.Attribute][lc.Level] += lc.Count
	}
	for _, a := range m.Attributes {
		var bars []bar
		total := 0
		// Short labels unless two levels would read the same ("50 MP"
		// for every main camera); then the full labels.
		short := map[string]bool{}
		distinct := true
		for _, lv := range a.Levels {
			distinct = distinct && !short[shortLabel(lv.Label)]
			short[shortLabel(lv.Label)] = true
		}
		for _, lv := range a.Levels {
			n := counts[a.Name][lv.Name]
			total += n
			label := lv.Label
			if distinct {
				label = shortLabel(label)
			}
			bars = append(bars, bar{Label: label, Value: n})
		}
		desc := fmt.Sprintf("How many of the %d designs chose each level of %s.", total, a.Label)
		page.LevelBars = append(page.LevelBars, chartView{
			Attribute: a.Name, Label: a.Label,
			Chart: hbarChart("chart-"+a.Name, a.Label, desc, bars, total),
		})
	}
	var days []bar
	for _, d := range st.Daily {
		days = append(days, bar{Label: d.Day, Value: d.Count})
	}
	page.Daily = columnChart("chart-daily", "Designs per day", fmt.Sprintf("Designs saved per day (UTC), %d days.", len(days)), days)
	var segs []bar
	for _, sg := range st.Segments {
		region, age := regionLabel(sg.Region), sg.AgeBand
		if region == "" {
			region = "Region not given"
		}
		if age == "" {
			age = "age not given"
		}
		segs = append(segs, bar{Label: region + " · " + age, Value: sg.Count})
	}
	page.Segments = hbarChart("chart-segments", "Designs per segment", "Designs per customer region and age band.", segs, st.Designs)
	for _, c := range combo {
		page.ComboCols = append(page.ComboCols, labels.attr(c))
	}
	for _, c := range st.Combos {
		row := comboRow{Count: c.Count}
		for _, a := range combo {
			row.Levels = append(row.Levels, labels.level(a, c.Levels[a]))
		}
		if st.Designs > 0 {
			row.Share = fmt.Sprintf("%.1f%%", 100*float64(c.Count)/float64(st.Designs))
		}
		page.Combos = append(page.Combos, row)
	}
	s.render(w, r, http.StatusOK, "insights", "Insights", "insights", page)
}
