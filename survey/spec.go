package survey

import (
	"fmt"
	"slices"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/model"
	suggestpkg "github.com/tailor-c2b/tailor/suggest"
)

// Bounds on a survey's shape. They keep a design job and a respondent's
// session to a sensible size.
const (
	MaxVersions    = 1000
	MaxTasks       = 50
	MaxConcepts    = 10
	MaxHoldouts    = 20
	MaxPriceLevels = 20
)

// Spec is what the analyst chooses: which attributes to show, the prices,
// and the shape of the survey. Every field is described for analysts in
// docs/surveys.md.
type Spec struct {
	// Attributes names the model attributes each concept shows, in the
	// order a respondent reads them.
	Attributes []string `json:"attributes"`
	// Price is the price attribute; its zero value shows no price.
	Price Price `json:"price"`
	// Versions is the number of different questionnaires; respondents
	// are spread over them.
	Versions int `json:"versions"`
	// Tasks is the number of designed choice tasks per respondent.
	Tasks int `json:"tasks"`
	// Concepts is the number of phones shown in each task.
	Concepts int `json:"concepts"`
	// None adds a "none of these" option to every task.
	None bool `json:"none"`
	// Holdouts is the number of fixed tasks, the same in every version,
	// shown after the designed ones; they are kept out of estimation and
	// used to check a fitted model's predictions.
	Holdouts int `json:"holdouts"`
	// Seed makes the design reproducible: the same spec, model and seed
	// give the same survey.
	Seed uint64 `json:"seed"`
}

// Price is the price attribute of a survey, in minor currency units: either
// explicit Levels, or Steps evenly spaced levels from Min to Max inclusive.
// The prices are the analyst's, shown as they are; they need not agree with
// the model's level prices.
type Price struct {
	Levels []int64 `json:"levels,omitempty"`
	Min    int64   `json:"min,omitempty"`
	Max    int64   `json:"max,omitempty"`
	Steps  int     `json:"steps,omitempty"`
}

// IsZero reports whether p asks for no price.
func (p Price) IsZero() bool {
	return len(p.Levels) == 0 && p.Min == 0 && p.Max == 0 && p.Steps == 0
}

// Resolve returns the price levels in ascending order, or an errs.Invalid
// error saying what is wrong with p. The zero Price resolves to nil.
func (p Price) Resolve() ([]int64, error) {
	switch {
	case p.IsZero():
		return nil, nil
	case len(p.Levels) > 0 && (p.Min != 0 || p.Max != 0 || p.Steps != 0):
		return nil, errs.Errorf(errs.Invalid, "Give the price either as levels or as a range (min, max and steps), not both.")
	case len(p.Levels) > 0:
		if len(p.Levels) < 2 {
			return nil, errs.Errorf(errs.Invalid, "The price needs at least two levels; for a fixed price, leave the price out.")
		}
		if len(p.Levels) > MaxPriceLevels {
			return nil, errs.Errorf(errs.Invalid, "The price has %d levels; at most %d are allowed.", len(p.Levels), MaxPriceLevels)
		}
		levels := slices.Clone(p.Levels)
		slices.Sort(levels)
		for i, x := range levels {
			if x < 0 {
				return nil, errs.Errorf(errs.Invalid, "Price level %d is negative.", x)
			}
			if i > 0 && x == levels[i-1] {
				return nil, errs.Errorf(errs.Invalid, "Price level %d is listed twice.", x)
			}
		}
		return levels, nil
	}
	switch {
	case p.Steps < 2:
		return nil, errs.Errorf(errs.Invalid, "A price range needs at least 2 steps (the number of price levels), not %d.", p.Steps)
	case p.Steps > MaxPriceLevels:
		return nil, errs.Errorf(errs.Invalid, "A price range has at most %d steps, not %d.", MaxPriceLevels, p.Steps)
	case p.Min < 0:
		return nil, errs.Errorf(errs.Invalid, "The lowest price, %d, is negative.", p.Min)
	case p.Max <= p.Min:
		return nil, errs.Errorf(errs.Invalid, "The highest price (%d) must be above the lowest (%d).", p.Max, p.Min)
	case p.Max-p.Min < int64(p.Steps-1):
		return nil, errs.Errorf(errs.Invalid, "The price range %d to %d is too narrow for %d different levels.", p.Min, p.Max, p.Steps)
	}
	n := int64(p.Steps - 1)
	levels := make([]int64, p.Steps)
	for i := range levels {
		// Rounded to the nearest minor unit, exactly, without overflow
		// for any sensible price.
		levels[i] = p.Min + ((p.Max-p.Min)*int64(i)+n/2)/n
	}
	return levels, nil
}

// Validate checks the spec against the model m and returns an errs.Invalid
// error with a message an analyst can act on. It cannot know which
// combinations the model's rules allow; Design checks that too.
func (s Spec) Validate(m *model.Model) error {
	if len(s.Attributes) == 0 {
		return errs.Errorf(errs.Invalid, "Choose at least one attribute to show.")
	}
	seen := map[string]bool{}
	profiles := 1.0
	for _, name := range s.Attributes {
		a := m.Attr(name)
		if a < 0 {
			return errs.Errorf(errs.Invalid, "The model has no attribute %q%s.", name, suggest(name, m))
		}
		if seen[name] {
			return errs.Errorf(errs.Invalid, "Attribute %q is listed twice.", name)
		}
		seen[name] = true
		if n := len(m.Attributes[a].Levels); n < 2 {
			return errs.Errorf(errs.Invalid, "Attribute %q has only one level; a survey can only compare attributes with two or more.", name)
		}
		profiles *= float64(len(m.Attributes[a].Levels))
	}
	prices, err := s.Price.Resolve()
	if err != nil {
		return err
	}
	if len(prices) > 0 {
		profiles *= float64(len(prices))
	}
	for _, c := range []struct {
		what     string
		n, lo, h int
	}{
		{"versions", s.Versions, 1, MaxVersions},
		{"tasks per respondent", s.Tasks, 1, MaxTasks},
		{"concepts per task", s.Concepts, 2, MaxConcepts},
		{"holdout tasks", s.Holdouts, 0, MaxHoldouts},
	} {
		if c.n < c.lo || c.n > c.h {
			return errs.Errorf(errs.Invalid, "The number of %s must be between %d and %d, not %d.", c.what, c.lo, c.h, c.n)
		}
	}
	if profiles < float64(s.Concepts) {
		return errs.Errorf(errs.Invalid, "These attributes and prices make only %.0f different concepts; a task needs %d.", profiles, s.Concepts)
	}
	return nil
}

// suggest returns ` (did you mean "x"?)` for the attribute of m whose name
// or label is closest to name, if any is close.
func suggest(name string, m *model.Model) string {
	var cands, owner []string
	for _, a := range m.Attributes {
		cands = append(cands, a.Name, a.Label)
		owner = append(owner, a.Name, a.Name)
	}
	c := suggestpkg.Closest(name, cands)
	for i := range cands {
		if c != "" && cands[i] == c {
			return fmt.Sprintf(" (did you mean %q?)", owner[i])
		}
	}
	return ""
}
