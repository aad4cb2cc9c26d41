package configurator

import (
	"fmt"
	"sort"

	"github.com/tailor-c2b/tailor/model"
)

// RollUp is the sum of every numeric property over a configuration's levels
// and its bill of materials.
type RollUp struct {
	// Totals holds, per number or money property, the roll-up over the
	// chosen levels: their sum, or the largest or smallest value where the
	// property says so. A level that does not set a property adds 0 to a sum
	// and is skipped by max and min.
	Totals map[string]model.Decimal
	// Parts lists each part number once with the total quantity, sorted by
	// part number.
	Parts []model.Part
}

// Roll sums the properties of the chosen levels of a (possibly partial)
// configuration: attributes with level -1 are skipped.
func Roll(m *model.Model, config []int) RollUp {
	r := RollUp{Totals: map[string]model.Decimal{}}
	for _, p := range m.Properties {
		if p.Kind != model.Text {
			r.Totals[p.Name] = 0
		}
	}
	qty := map[string]int{}
	seen := map[string]bool{}
	for a, l := range config {
		if l < 0 {
			continue
		}
		lv := &m.Attributes[a].Levels[l]
		for name, v := range lv.Numbers {
			p := m.Property(name)
			switch {
			case p == nil || p.Rollup == model.Sum:
				r.Totals[name] += v
			case !seen[name]:
				r.Totals[name] = v
			case p.Rollup == model.Max:
				r.Totals[name] = max(r.Totals[name], v)
			default:
				r.Totals[name] = min(r.Totals[name], v)
			}
			seen[name] = true
		}
		for _, p := range lv.Parts {
			qty[p.Number] += p.Qty
		}
	}
	for n, q := range qty {
		r.Parts = append(r.Parts, model.Part{Number: n, Qty: q})
	}
	sort.Slice(r.Parts, func(i, j int) bool { return r.Parts[i].Number < r.Parts[j].Number })
	return r
}

// Violation names a rule or table that a configuration breaks.
type Violation struct {
	Kind  string    `json:"kind"` // "rule" or "table"
	Name  string    `json:"name"`
	Label string    `json:"label,omitempty"`
	Line  int       `json:"line,omitempty"`
	Pos   model.Pos `json:"-"`
}

// Validate checks a complete configuration against every rule and table of
// the model and returns the ones it violates, in model order. It returns an
// error if the configuration is not complete or names a level that does not
// exist.
func Validate(m *model.Model, config []int) ([]Violation, error) {
	if len(config) != len(m.Attributes) {
		return nil, fmt.Errorf("configuration has %d attributes, model %s has %d", len(config), m.Name, len(m.Attributes))
	}
	for a, l := range config {
		if l < 0 {
			return nil, fmt.Errorf("attribute %s has no level: a configuration to validate must be complete", m.Attributes[a].Name)
		}
		if l >= len(m.Attributes[a].Levels) {
			return nil, fmt.Errorf("attribute %s has no level %d", m.Attributes[a].Name, l)
		}
	}
	var out []Violation
	for i := range m.Rules {
		r := &m.Rules[i]
		if !r.Holds(m, config) {
			out = append(out, Violation{Kind: "rule", Name: r.Name, Label: r.Label, Line: r.Pos.Line, Pos: r.Pos})
		}
	}
	for i := range m.Tables {
		t := &m.Tables[i]
		if !t.Holds(config) {
			out = append(out, Violation{Kind: "table", Name: t.Name, Label: t.Label, Line: t.Pos.Line, Pos: t.Pos})
		}
	}
	return out, nil
}
