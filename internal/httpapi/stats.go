package httpapi

import (
	"net/http"
	"strings"

	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
)

// Stats is what customers design with a model version: the body of GET
// /api/v1/models/{id}/stats.
type Stats struct {
	Designs  int            `json:"designs"`
	Levels   []LevelCount   `json:"levels"`
	Combos   []Combo        `json:"combos"`
	Daily    []DayCount     `json:"daily"`
	Segments []SegmentCount `json:"segments"`
}

// LevelCount is how many designs chose a level.
type LevelCount struct {
	Attribute string `json:"attribute"`
	Level     string `json:"level"`
	Count     int    `json:"count"`
}

// Combo is a combination of levels and how many designs chose it.
type Combo struct {
	Levels map[string]string `json:"levels" doc:"Attribute name to level name."`
	Count  int               `json:"count"`
}

// DayCount is how many designs were made on a UTC day.
type DayCount struct {
	Day   string `json:"day" doc:"YYYY-MM-DD, UTC."`
	Count int    `json:"count"`
}

// SegmentCount is how many designs customers of one segment made.
type SegmentCount struct {
	Region  string `json:"region" doc:"Empty for customers who did not say."`
	AgeBand string `json:"age_band" doc:"Empty for customers who did not say."`
	Count   int    `json:"count"`
}

func (a *api) stats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := design.Filter{ModelID: r.PathValue("id"), Region: q.Get("region"), AgeBand: q.Get("age_band")}
	var err error
	if f.From, err = day(q, "from"); err != nil {
		a.fail(w, r, err)
		return
	}
	to, err := day(q, "to")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !to.IsZero() {
		// The filter's bound is exclusive; the parameter names the last day.
		f.To = to.AddDate(0, 0, 1)
		if !f.From.IsZero() && !f.To.After(f.From) {
			a.fail(w, r, errs.Errorf(errs.Invalid, "The day to (%s) is before the day from (%s).", q.Get("to"), q.Get("from")))
			return
		}
	}
	var combo []string
	if s := q.Get("combo"); s != "" {
		for name := range strings.SplitSeq(s, ",") {
			combo = append(combo, strings.TrimSpace(name))
		}
	}
	st, err := a.svc.Stats(r.Context(), f, combo)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, statsView(st))
}

func statsView(st design.Stats) Stats {
	v := Stats{Designs: st.Designs, Levels: make([]LevelCount, 0, len(st.Levels)), Combos: make([]Combo, 0, len(st.Combos)),
		Daily: make([]DayCount, 0, len(st.Daily)), Segments: make([]SegmentCount, 0, len(st.Segments))}
	for _, l := range st.Levels {
		v.Levels = append(v.Levels, LevelCount{Attribute: l.Attribute, Level: l.Level, Count: l.Count})
	}
	for _, c := range st.Combos {
		v.Combos = append(v.Combos, Combo{Levels: c.Levels, Count: c.Count})
	}
	for _, d := range st.Daily {
		v.Daily = append(v.Daily, DayCount{Day: d.Day, Count: d.Count})
	}
	for _, s := range st.Segments {
		v.Segments = append(v.Segments, SegmentCount{Region: s.Region, AgeBand: s.AgeBand, Count: s.Count})
	}
	return v
}
