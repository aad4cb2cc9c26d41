package design

import "time"

// Filter selects the designs an analysis counts: those of one model version,
// optionally of one segment and made in [From, To).
type Filter struct {
	ModelID string
	Region  string // "" for every region
	AgeBand string // "" for every age band
	From    time.Time
	To      time.Time // zero for no upper bound
}

// Stats is what customers design under a filter.
type Stats struct {
	Designs  int            // designs counted
	Levels   []LevelCount   // how often each level is chosen, by attribute then count
	Combos   []Combo        // the most common combinations of the attributes asked for
	Daily    []DayCount     // designs per day (UTC), oldest first
	Segments []SegmentCount // designs per region and age band
}

// LevelCount is how many designs chose a level.
type LevelCount struct {
	Attribute string
	Level     string
	Count     int
}

// Combo is a combination of levels (attribute -> level) and how many designs chose it.
type Combo struct {
	Levels map[string]string
	Count  int
}

// DayCount is how many designs were made on a UTC day, "2006-01-02".
type DayCount struct {
	Day   string
	Count int
}

// SegmentCount is how many designs customers of one segment made; "" stands
// for customers who did not say.
type SegmentCount struct {
	Region  string
	AgeBand string
	Count   int
}
