// Package survey designs choice-based conjoint (CBC) surveys from a product
// model, simulates respondents answering them, and codes the answers for the
// estimators of package choice.
//
// # Design
//
// A survey shows each respondent a number of tasks; a task shows a few
// concepts (phones described by the attributes the analyst chose, plus a
// price) and asks which one they would buy, optionally with a "none of
// these" option. Respondents are spread over several versions, each with
// its own tasks, so that together they see many combinations.
//
// Design builds the versions one after another, in the spirit of Sawtooth
// Software's balanced overlap and complete enumeration methods. Each concept
// is chosen attribute by attribute, in a random attribute order, by a
// depth-first search that tries the levels in order of
//
//  1. overlap: how many concepts of the task already show the level;
//  2. level balance: how often the level has been shown so far;
//  3. two-way balance: how often it has been shown together with the
//     levels already chosen for this concept;
//  4. a random tie-break.
//
// A branch is pruned as soon as the levels chosen so far cannot be completed
// to a valid phone (configurator.Engine.Consistent on the selection holding
// just the shown attributes), so every concept is a phone the configurator
// allows, and the level counts come out as even as the rules permit. The
// search also refuses a concept identical to another in its task, or one
// that differs from another only by price (the cheaper would dominate),
// and a task identical to an earlier one of its version. After a version is
// built, a swap phase exchanges one attribute's levels between two concepts
// of a task (which keeps level counts and overlap) whenever both concepts
// stay valid and the swap lowers the version's D-error (evaluated by a
// rank-two update of the inverse information matrix, so a swap costs a few
// vector products). Holdout tasks are built the same way, once, and
// appended to every version.
//
// # Efficiency
//
// The D-error is det(I)^(-1/K) for the information matrix I of a
// multinomial logit with all coefficients zero, averaged per version, over
// the K coded parameters below. Design reports it against the mean D-error
// of random designs of the same shape, whose concepts are drawn uniformly
// from the valid ones; their ratio is the relative efficiency.
//
// # Coding
//
// Data codes answers with one row per concept, and a none row when the
// survey has a none option. Each shown attribute is dummy coded with its
// first level (in model order) as the reference: a parameter "attr:level"
// for each other level. The price enters linearly per 100 major currency
// units, centred on the middle of the shown prices (parameter "price",
// x = (price - PriceCentre()) in minor units / 10000), and "none" is an
// alternative-specific constant on the none row, whose other columns are
// zero: the utility of buying nothing against a phone at the middle price.
// Centring changes no prediction (it moves utility between price and none),
// but it makes price and none nearly independent, which hierarchical Bayes
// needs to settle in a few thousand iterations rather than tens of
// thousands.
package survey

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/tailor-c2b/tailor/configurator"
)

// Survey is a designed survey: the shown attributes, the price levels, and
// the tasks of every version and the holdout tasks.
type Survey struct {
	Spec     Spec   `json:"spec"`
	Model    string `json:"model"`
	Version  string `json:"model_version"`
	Currency string `json:"currency,omitempty"`
	// Attributes are the shown attributes, in Spec order.
	Attributes []Attribute `json:"attributes"`
	// Prices are the price levels in minor units, ascending; nil when the
	// survey shows no price.
	Prices []int64 `json:"prices,omitempty"`
	// Versions[v][t] is task t of version v; Holdouts follow them in every
	// version, as tasks Spec.Tasks onwards.
	Versions [][]Task `json:"versions"`
	Holdouts []Task   `json:"holdouts,omitempty"`
	// Efficiency compares the design with random ones.
	Efficiency Efficiency `json:"efficiency"`
}

// Attribute is one shown attribute.
type Attribute struct {
	Name   string  `json:"name"`
	Label  string  `json:"label"`
	Index  int     `json:"index"` // in the model's attributes
	Levels []Level `json:"levels"`
}

// Level is a level of a shown attribute, as the model names it.
type Level struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

// Task is one choice task: the concepts shown side by side.
type Task struct {
	Concepts []Concept `json:"concepts"`
}

// Concept is one phone shown in a task.
type Concept struct {
	// Levels holds a level index (into the model attribute's levels) per
	// shown attribute, in Survey.Attributes order.
	Levels []int `json:"levels"`
	// Price indexes Survey.Prices; -1 when the survey shows no price.
	Price int `json:"price"`
}

// Efficiency is the D-error of a design against random designs of the same
// shape. Relative = RandomDError/DError: above 1, the design estimates the
// parameters more precisely than a random one would.
type Efficiency struct {
	DError       float64
	RandomDError float64
	Relative     float64
}

// MarshalJSON writes e with infinite figures (a design that cannot
// estimate every parameter) as null.
func (e Efficiency) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]*float64{
		"d_error": finite(e.DError), "random_d_error": finite(e.RandomDError), "relative": finite(e.Relative),
	})
}

// UnmarshalJSON reads what MarshalJSON writes; null is +Inf for the
// D-errors and 0 for Relative.
func (e *Efficiency) UnmarshalJSON(b []byte) error {
	var p struct {
		DError       *float64 `json:"d_error"`
		RandomDError *float64 `json:"random_d_error"`
		Relative     *float64 `json:"relative"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	get := func(f *float64, null float64) float64 {
		if f == nil {
			return null
		}
		return *f
	}
	*e = Efficiency{DError: get(p.DError, math.Inf(1)), RandomDError: get(p.RandomDError, math.Inf(1)), Relative: get(p.Relative, 0)}
	return nil
}

func finite(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

// TasksPerRespondent returns the number of tasks a respondent answers,
// holdouts included.
func (s *Survey) TasksPerRespondent() int { return s.Spec.Tasks + len(s.Holdouts) }

// Task returns task t of version v, counting the designed tasks first and
// then the holdouts.
func (s *Survey) Task(v, t int) (Task, error) {
	switch {
	case v < 0 || v >= len(s.Versions):
		return Task{}, fmt.Errorf("version %d does not exist; the survey has versions 0 to %d", v, len(s.Versions)-1)
	case t < 0 || t >= s.TasksPerRespondent():
		return Task{}, fmt.Errorf("task %d does not exist; respondents answer tasks 0 to %d", t, s.TasksPerRespondent()-1)
	case t < s.Spec.Tasks:
		return s.Versions[v][t], nil
	}
	return s.Holdouts[t-s.Spec.Tasks], nil
}

// Price returns concept c's price in minor units; ok is false when the
// survey shows no price.
func (s *Survey) Price(c Concept) (price int64, ok bool) {
	if c.Price < 0 || len(s.Prices) == 0 {
		return 0, false
	}
	return s.Prices[c.Price], true
}

// Selection returns concept c as a configurator selection of e's model:
// the shown attributes set, every other attribute unset.
func (s *Survey) Selection(e *configurator.Engine, c Concept) configurator.Selection {
	sel := e.NewSelection()
	for i, a := range s.Attributes {
		sel[a.Index] = c.Levels[i]
	}
	return sel
}

// Params returns the names of the coded parameters, in the column order of
// Data: "attr:level" for every shown attribute's levels but the first,
// then "price" and "none" when the survey has them.
func (s *Survey) Params() []string {
	var names []string
	for _, a := range s.Attributes {
		for _, l := range a.Levels[1:] {
			names = append(names, a.Name+":"+l.Name)
		}
	}
	if len(s.Prices) > 0 {
		names = append(names, "price")
	}
	if s.Spec.None {
		names = append(names, "none")
	}
	return names
}

// numParams returns len(s.Params()) without building the names.
func (s *Survey) numParams() int {
	k := 0
	for _, a := range s.Attributes {
		k += len(a.Levels) - 1
	}
	if len(s.Prices) > 0 {
		k++
	}
	if s.Spec.None {
		k++
	}
	return k
}

// code writes concept c's coded row into x (len(s.Params())), which it
// overwrites entirely.
func (s *Survey) code(c Concept, x []float64) {
	clear(x)
	k := 0
	for i, a := range s.Attributes {
		if l := c.Levels[i]; l > 0 {
			x[k+l-1] = 1
		}
		k += len(a.Levels) - 1
	}
	if p, ok := s.Price(c); ok {
		x[k] = float64(p-s.PriceCentre()) / 10000
	}
}

// PriceCentre returns the price the coding centres on, in minor units: the
// middle of the lowest and highest shown prices (0 without prices).
func (s *Survey) PriceCentre() int64 {
	if len(s.Prices) == 0 {
		return 0
	}
	return (s.Prices[0] + s.Prices[len(s.Prices)-1]) / 2
}

// codeNone writes the none row into x.
func (s *Survey) codeNone(x []float64) {
	clear(x)
	x[len(x)-1] = 1
}
