package survey

import (
	"fmt"
	"testing"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
)

// small is a model whose rules exclude combinations of the shown
// attributes, one of them (cam = z with col = red) only through the hidden
// attribute extra.
const small = `model "Small" version "1"
currency EUR
attribute body "Body" { level a "A" level b "B" level c "C" }
attribute cam "Camera" { level x "X" level y "Y" level z "Z" level w "W" }
attribute col "Colour" { level red "Red" level blue "Blue" level green "Green" }
attribute extra "Extra" { level off "Off" level on "On" }
attribute spare "Spare" { level one "One" level two "Two" }
rule: cam = w requires body in {b, c}
rule: col = green excludes body = a
rule: cam = z requires extra = on
rule: extra = on excludes col = red
`

// mustEngine parses and compiles a model.
func mustEngine(tb testing.TB, file string, src []byte) *configurator.Engine {
	tb.Helper()
	m, diags := model.Parse(file, src)
	if diags.HasErrors() {
		tb.Fatal(diags.Err())
	}
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

var phoneEngine *configurator.Engine

// phone returns the default phone model's engine, compiled once.
func phone(tb testing.TB) *configurator.Engine {
	tb.Helper()
	if phoneEngine == nil {
		phoneEngine = mustEngine(tb, models.PhoneFile, models.Phone)
	}
	return phoneEngine
}

// mustDesign designs a survey or fails.
func mustDesign(tb testing.TB, e *configurator.Engine, spec Spec) *Survey {
	tb.Helper()
	s, err := Design(e, spec)
	if err != nil {
		tb.Fatalf("design %+v: %v", spec, err)
	}
	return s
}

// designs remembers surveys designed for the tests, which do not change
// them, by engine and spec; the phone takes a second or so to design.
var designs = map[*configurator.Engine]map[string]*Survey{}

// design returns the survey for spec, designed once per engine and spec.
func design(tb testing.TB, e *configurator.Engine, spec Spec) *Survey {
	tb.Helper()
	key := fmt.Sprintf("%+v", spec)
	if s := designs[e][key]; s != nil {
		return s
	}
	s := mustDesign(tb, e, spec)
	if designs[e] == nil {
		designs[e] = map[string]*Survey{}
	}
	designs[e][key] = s
	return s
}

// phoneSpec is a typical survey of the phone model.
func phoneSpec() Spec {
	return Spec{
		Attributes: []string{"size", "chipset", "main", "storage", "battery", "colour", "refresh"},
		Price:      Price{Min: 39900, Max: 119900, Steps: 5},
		Versions:   12, Tasks: 12, Concepts: 4, None: true, Holdouts: 2, Seed: 1,
	}
}

// smallSpec is a survey of the small model.
func smallSpec() Spec {
	return Spec{
		Attributes: []string{"body", "cam", "col"},
		Price:      Price{Levels: []int64{20000, 40000, 60000}},
		Versions:   20, Tasks: 10, Concepts: 3, None: true, Holdouts: 2, Seed: 7,
	}
}

// allTasks returns every task of every version, holdouts included.
func allTasks(s *Survey) []Task {
	var out []Task
	for _, v := range s.Versions {
		out = append(out, v...)
	}
	return append(out, s.Holdouts...)
}
