package configurator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/suggest"
)

// Report is everything a configurator front end shows for a selection: the
// state of every level with the reason for each exclusion, the number of
// valid configurations left, the roll-up and, on request, a completion. Its
// JSON form is documented in docs/configurator.md and kept stable.
type Report struct {
	Model      ModelInfo        `json:"model"`
	Selection  []Choice         `json:"selection"`
	Consistent bool             `json:"consistent"`
	Conflict   *Conflict        `json:"conflict,omitempty"`
	Count      string           `json:"count"`
	Attributes []AttributeState `json:"attributes"`
	RollUp     RollUpView       `json:"rollup"`
	Violations []Violation      `json:"violations,omitempty"`
	Completion *Completion      `json:"completion,omitempty"`
}

// ModelInfo identifies the model a report is about.
type ModelInfo struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Currency string `json:"currency,omitempty"`
}

// Choice is one attribute set to one level, by name.
type Choice struct {
	Attribute string `json:"attribute"`
	Level     string `json:"level"`
}

// Conflict explains an inconsistent selection: a minimal set of choices that
// cannot hold together and the rules behind it.
type Conflict struct {
	Choices []Choice  `json:"choices"`
	Rules   []RuleRef `json:"rules"`
}

// AttributeState is an attribute with the state of each of its levels.
type AttributeState struct {
	Name     string       `json:"name"`
	Label    string       `json:"label"`
	Group    string       `json:"group,omitempty"`
	Selected string       `json:"selected,omitempty"`
	Levels   []LevelState `json:"levels"`
}

// Level states.
const (
	StateSelected = "selected" // the customer chose it
	StatePossible = "possible" // choosing it (in place of the attribute's own choice) keeps a valid configuration
	StateExcluded = "excluded" // choosing it needs other choices changed, or is impossible
)

// LevelState is one level's state, with an explanation when excluded.
type LevelState struct {
	Name        string           `json:"name"`
	Label       string           `json:"label"`
	State       string           `json:"state"`
	Explanation *ExplanationView `json:"explanation,omitempty"`
}

// ExplanationView is an Explanation by name.
type ExplanationView struct {
	Because       []Choice     `json:"because"`
	Rules         []RuleRef    `json:"rules"`
	RulesComplete bool         `json:"rules_complete"`
	Repairable    bool         `json:"repairable"`
	Repair        []ChangeView `json:"repair"`
}

// RuleRef names a rule or table of the model.
type RuleRef struct {
	Kind  string `json:"kind"` // "rule" or "table"
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
	Line  int    `json:"line,omitempty"`
}

// ChangeView is a Change by name.
type ChangeView struct {
	Attribute string `json:"attribute"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// RollUpView is a RollUp for display.
type RollUpView struct {
	Totals map[string]model.Decimal `json:"totals"`
	Parts  []PartView               `json:"parts"`
}

// PartView is one bill-of-materials line.
type PartView struct {
	Number string `json:"number"`
	Qty    int    `json:"qty"`
}

// Completion is a best valid completion of the selection.
type Completion struct {
	Goal          string     `json:"goal"`
	Configuration []Choice   `json:"configuration"`
	RollUp        RollUpView `json:"rollup"`
}

// ReportOptions say how much a report computes.
type ReportOptions struct {
	// Explain attaches an explanation to every excluded level.
	Explain bool
	// Complete, when not nil, adds a completion for that objective.
	Complete *Objective
	// Goal is the objective's name as the user wrote it, for display.
	Goal string
}

// ParseSelection reads "attr=level" choices by name. It returns an error
// naming the first unknown attribute or level, with a suggestion.
func (e *Engine) ParseSelection(choices []string) (Selection, error) {
	sel := e.NewSelection()
	m := e.m
	for _, c := range choices {
		name, level, ok := strings.Cut(c, "=")
		name, level = strings.TrimSpace(name), strings.TrimSpace(level)
		if !ok || name == "" || level == "" {
			return nil, fmt.Errorf("malformed selection %q: want attribute=level", c)
		}
		a := m.Attr(name)
		if a < 0 {
			names := make([]string, len(m.Attributes))
			for i, at := range m.Attributes {
				names[i] = at.Name
			}
			return nil, fmt.Errorf("unknown attribute %q%s", name, suggest.DidYouMean(name, names))
		}
		l := m.Level(a, level)
		if l < 0 {
			var names []string
			for _, lv := range m.Attributes[a].Levels {
				names = append(names, lv.Name)
			}
			return nil, fmt.Errorf("attribute %s has no level %q; its levels are %s", name, level, strings.Join(names, ", "))
		}
		if sel[a] >= 0 && sel[a] != l {
			return nil, fmt.Errorf("attribute %s selected twice (%s and %s)", name, m.Attributes[a].Levels[sel[a]].Name, level)
		}
		sel[a] = l
	}
	return sel, nil
}

// Report builds the report for a selection.
func (e *Engine) Report(sel Selection, opts ReportOptions) (*Report, error) {
	m := e.m
	r := &Report{Model: ModelInfo{Name: m.Name, Version: m.Version, Currency: m.Currency}}
	for a, l := range sel {
		if l >= 0 {
			r.Selection = append(r.Selection, e.choice(a, l))
		}
	}
	r.Selection = nonNil(r.Selection)
	r.Count = e.Count(sel).String()
	possible, ok := e.Propagate(sel)
	r.Consistent = ok
	if !ok {
		c := &Conflict{}
		conflict := e.Conflict(sel)
		only := e.NewSelection()
		for _, a := range conflict {
			c.Choices = append(c.Choices, e.choice(a, sel[a]))
			only[a] = sel[a]
		}
		rules, _ := e.responsibleRules(only)
		c.Rules = e.ruleRefs(rules)
		r.Conflict = c
	}
	for a := range m.Attributes {
		at := &m.Attributes[a]
		st := AttributeState{Name: at.Name, Label: at.Label, Group: at.Group}
		// For a chosen attribute, which other levels could replace the
		// choice, the other choices kept: one propagation without it
		// answers for every level at once.
		var switchable []bool
		if sel[a] >= 0 && !opts.Explain {
			without := append(Selection(nil), sel...)
			without[a] = -1
			if p, ok := e.Propagate(without); ok {
				switchable = p[a]
			} else {
				switchable = make([]bool, len(at.Levels))
			}
		}
		if sel[a] >= 0 {
			st.Selected = at.Levels[sel[a]].Name
		}
		for l := range at.Levels {
			ls := LevelState{Name: at.Levels[l].Name, Label: at.Levels[l].Label}
			switch {
			case sel[a] == l:
				ls.State = StateSelected
			case ok && sel[a] < 0 && possible[a][l]:
				ls.State = StatePossible
			case !ok && sel[a] < 0:
				// Nothing is possible until the conflict is resolved; the
				// conflict explains, and the selected attributes show
				// which switches resolve it.
				ls.State = StateExcluded
			case !opts.Explain:
				ls.State = StateExcluded
				if switchable != nil && switchable[l] {
					ls.State = StatePossible
				}
			default:
				x := e.Explain(sel, a, l)
				if !x.Excluded {
					ls.State = StatePossible
					break
				}
				ls.State = StateExcluded
				if opts.Explain {
					ls.Explanation = e.ExplainView(sel, x)
				}
			}
			st.Levels = append(st.Levels, ls)
		}
		r.Attributes = append(r.Attributes, st)
	}
	config := make([]int, len(sel))
	copy(config, sel)
	r.RollUp = rollUpView(Roll(m, config))
	complete := true
	for _, l := range sel {
		complete = complete && l >= 0
	}
	if complete {
		v, err := Validate(m, config)
		if err != nil {
			return nil, err
		}
		r.Violations = v
	}
	if opts.Complete != nil && ok {
		c, found, err := e.Complete(sel, *opts.Complete)
		if err != nil {
			return nil, err
		}
		if found {
			r.Completion = e.CompletionView(opts.Goal, c)
		}
	}
	return r, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (e *Engine) choice(a, l int) Choice {
	at := &e.m.Attributes[a]
	return Choice{Attribute: at.Name, Level: at.Levels[l].Name}
}

func (e *Engine) ruleRefs(origins []int) []RuleRef {
	out := []RuleRef{}
	for _, o := range origins {
		or := e.p.Origins[o]
		kind := "rule"
		if or.Kind == csp.FromTable {
			kind = "table"
		}
		out = append(out, RuleRef{Kind: kind, Name: or.Name, Label: or.Label, Line: or.Pos.Line})
	}
	return out
}

// ExplainView is an explanation by name, as reports show it.
func (e *Engine) ExplainView(sel Selection, x Explanation) *ExplanationView {
	v := &ExplanationView{Because: []Choice{}, RulesComplete: x.RulesComplete, Repairable: x.Possible, Repair: []ChangeView{}}
	for _, b := range x.Because {
		v.Because = append(v.Because, e.choice(b, sel[b]))
	}
	v.Rules = nonNil(e.ruleRefs(x.Rules))
	for _, c := range x.Repair {
		at := &e.m.Attributes[c.Attr]
		v.Repair = append(v.Repair, ChangeView{Attribute: at.Name, From: at.Levels[c.From].Name, To: at.Levels[c.To].Name})
	}
	return v
}

// CompletionView is a completed configuration by name, with its roll-up,
// as reports show it.
func (e *Engine) CompletionView(goal string, config []int) *Completion {
	c := &Completion{Goal: goal, Configuration: make([]Choice, 0, len(config)), RollUp: rollUpView(Roll(e.m, config))}
	for a, l := range config {
		c.Configuration = append(c.Configuration, e.choice(a, l))
	}
	return c
}

func rollUpView(r RollUp) RollUpView {
	v := RollUpView{Totals: r.Totals, Parts: []PartView{}}
	for _, p := range r.Parts {
		v.Parts = append(v.Parts, PartView{Number: p.Number, Qty: p.Qty})
	}
	sort.Slice(v.Parts, func(i, j int) bool { return v.Parts[i].Number < v.Parts[j].Number })
	return v
}
