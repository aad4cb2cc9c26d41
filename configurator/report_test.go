package configurator_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modeltest"
)

// reportModel has four valid configurations: small-normal-black,
// small-normal-red, large-normal-black and large-big-black.
const reportModel = `model "Report" version "1.2"
currency EUR

property cost money "Unit cost"
property weight number unit "g" "Weight"
property lead_time number unit "days" rollup max "Lead time"

group body "Body" {
  attribute size "Body size" {
    level small "Small" default { cost 100  weight 50  lead_time 10  parts "FRM-S" }
    level large "Large" { cost 150  weight 70  lead_time 20  parts "FRM-L" }
  }
  attribute battery "Battery" {
    level normal "Normal" default { cost 10  weight 20  lead_time 5  parts "BAT-N", "BMS" x2 }
    level big    "Big" { cost 30  weight 35  lead_time 30  parts "BAT-B", "BMS" }
  }
}
attribute colour "Colour" {
  level black "Black" default
  level red   "Red" { cost 5  parts "PNT-R" }
}

rule big_large "A big battery needs the large body":
  battery = big requires size = large
rule red_small "Red only comes on the small body":
  colour = red requires size = small
`

func TestParseSelection(t *testing.T) {
	e := compileSource(t, "report.tailor", reportModel)
	tests := []struct {
		name    string
		choices []string
		want    map[string]string // attribute -> level
		wantErr string
	}{
		{name: "nothing", choices: nil, want: map[string]string{}},
		{name: "two attributes", choices: []string{"size=large", "colour=black"},
			want: map[string]string{"size": "large", "colour": "black"}},
		{name: "spaces around names", choices: []string{" size = large "},
			want: map[string]string{"size": "large"}},
		{name: "same choice twice", choices: []string{"size=large", "size=large"},
			want: map[string]string{"size": "large"}},
		{name: "no equals sign", choices: []string{"size"},
			wantErr: `malformed selection "size": want attribute=level`},
		{name: "no attribute", choices: []string{"=large"},
			wantErr: `malformed selection "=large": want attribute=level`},
		{name: "no level", choices: []string{"size= "},
			wantErr: `malformed selection "size= ": want attribute=level`},
		{name: "misspelt attribute", choices: []string{"colr=red"},
			wantErr: `unknown attribute "colr" (did you mean "colour"?)`},
		{name: "attribute with a typo in the middle", choices: []string{"batery=big"},
			wantErr: `unknown attribute "batery" (did you mean "battery"?)`},
		{name: "attribute like no other", choices: []string{"wireless=qi15"},
			wantErr: `unknown attribute "wireless"`},
		{name: "names are case-sensitive", choices: []string{"Size=large"},
			wantErr: `unknown attribute "Size" (did you mean "size"?)`},
		{name: "unknown level lists the levels", choices: []string{"battery=huge"},
			wantErr: `attribute battery has no level "huge"; its levels are normal, big`},
		{name: "first error wins", choices: []string{"size=large", "colour=blue", "x"},
			wantErr: `attribute colour has no level "blue"; its levels are black, red`},
		{name: "two levels of one attribute", choices: []string{"size=small", "colour=red", "size=large"},
			wantErr: `attribute size selected twice (small and large)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := e.ParseSelection(tt.choices)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := e.Model()
			got := map[string]string{}
			for a, l := range sel {
				if l >= 0 {
					got[m.Attributes[a].Name] = m.Attributes[a].Levels[l].Name
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("selection (-want +got):\n%s", diff)
			}
		})
	}
}

// states returns "attr=level:state" for every level of a report, with "+"
// after the state when the level carries an explanation.
func states(r *configurator.Report) []string {
	var out []string
	for _, a := range r.Attributes {
		for _, l := range a.Levels {
			s := a.Name + "=" + l.Name + ":" + l.State
			if l.Explanation != nil {
				s += "+"
			}
			out = append(out, s)
		}
	}
	return out
}

func mustSelect(tb testing.TB, e *configurator.Engine, choices ...string) configurator.Selection {
	tb.Helper()
	sel, err := e.ParseSelection(choices)
	if err != nil {
		tb.Fatal(err)
	}
	return sel
}

func TestReportStates(t *testing.T) {
	e := compileSource(t, "report.tailor", reportModel)
	tests := []struct {
		name       string
		choices    []string
		consistent bool
		count      string
		want       []string
	}{
		{
			name: "nothing selected", consistent: true, count: "4",
			want: []string{
				"size=small:possible", "size=large:possible",
				"battery=normal:possible", "battery=big:possible",
				"colour=black:possible", "colour=red:possible",
			},
		},
		{
			// The other body size stays possible: choosing it instead of
			// small keeps a valid configuration.
			name: "small body", choices: []string{"size=small"}, consistent: true, count: "2",
			want: []string{
				"size=small:selected", "size=large:possible",
				"battery=normal:possible", "battery=big:excluded+",
				"colour=black:possible", "colour=red:possible",
			},
		},
		{
			// With red chosen, a large body would break red_small: the
			// switch is excluded, with an explanation.
			name: "small red", choices: []string{"size=small", "colour=red"}, consistent: true, count: "1",
			want: []string{
				"size=small:selected", "size=large:excluded+",
				"battery=normal:possible", "battery=big:excluded+",
				"colour=black:possible", "colour=red:selected",
			},
		},
		{
			name: "big battery", choices: []string{"battery=big"}, consistent: true, count: "1",
			want: []string{
				"size=small:excluded+", "size=large:possible",
				"battery=normal:possible", "battery=big:selected",
				"colour=black:possible", "colour=red:excluded+",
			},
		},
		{
			// Every attribute chosen: the other levels are possible when
			// switching to them alone keeps a valid configuration.
			name: "complete", choices: []string{"size=large", "battery=normal", "colour=black"}, consistent: true, count: "1",
			want: []string{
				"size=small:possible", "size=large:selected",
				"battery=normal:selected", "battery=big:possible",
				"colour=black:selected", "colour=red:excluded+",
			},
		},
		{
			// An inconsistent selection: a level of a selected attribute
			// is possible when choosing it resolves the conflict, and
			// explained otherwise; levels of the other attributes are
			// excluded until the conflict is resolved.
			name: "conflict", choices: []string{"size=small", "battery=big"}, consistent: false, count: "0",
			want: []string{
				"size=small:selected", "size=large:possible",
				"battery=normal:possible", "battery=big:selected",
				"colour=black:excluded", "colour=red:excluded",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := mustSelect(t, e, tt.choices...)
			r, err := e.Report(sel, configurator.ReportOptions{Explain: true})
			if err != nil {
				t.Fatal(err)
			}
			if r.Consistent != tt.consistent || r.Count != tt.count {
				t.Errorf("consistent = %v, count = %s; want %v, %s", r.Consistent, r.Count, tt.consistent, tt.count)
			}
			if diff := cmp.Diff(tt.want, states(r)); diff != "" {
				t.Errorf("level states (-want +got):\n%s", diff)
			}
			if (r.Conflict == nil) != tt.consistent {
				t.Errorf("conflict = %+v with consistent = %v", r.Conflict, tt.consistent)
			}
			// A level is possible exactly when switching to it alone is
			// consistent.
			m := e.Model()
			for a, as := range r.Attributes {
				if as.Name != m.Attributes[a].Name {
					t.Fatalf("attribute %d is %s, want %s", a, as.Name, m.Attributes[a].Name)
				}
				wantSelected := ""
				if sel[a] >= 0 {
					wantSelected = m.Attributes[a].Levels[sel[a]].Name
				}
				if as.Selected != wantSelected {
					t.Errorf("%s: selected = %q, want %q", as.Name, as.Selected, wantSelected)
				}
				for l, ls := range as.Levels {
					if ls.State == configurator.StateSelected {
						continue
					}
					trial := append(configurator.Selection(nil), sel...)
					trial[a] = l
					if got, want := ls.State == configurator.StatePossible, e.Consistent(trial); got != want {
						t.Errorf("%s=%s: state %s, but switching to it is consistent: %v", as.Name, ls.Name, ls.State, want)
					}
				}
			}
		})
	}
}

func TestReportExplanation(t *testing.T) {
	e := compileSource(t, "report.tailor", reportModel)
	bigLarge := configurator.RuleRef{Kind: "rule", Name: "big_large", Label: "A big battery needs the large body", Line: 23}
	redSmall := configurator.RuleRef{Kind: "rule", Name: "red_small", Label: "Red only comes on the small body", Line: 25}
	tests := []struct {
		name    string
		choices []string
		attr    string
		level   string
		want    *configurator.ExplanationView
	}{
		{
			name: "one choice, one rule", choices: []string{"size=small"}, attr: "battery", level: "big",
			want: &configurator.ExplanationView{
				Because:       []configurator.Choice{{Attribute: "size", Level: "small"}},
				Rules:         []configurator.RuleRef{bigLarge},
				RulesComplete: true,
				Repairable:    true,
				Repair:        []configurator.ChangeView{{Attribute: "size", From: "small", To: "large"}},
			},
		},
		{
			name: "switching a selected attribute", choices: []string{"size=small", "colour=red"}, attr: "size", level: "large",
			want: &configurator.ExplanationView{
				Because:       []configurator.Choice{{Attribute: "colour", Level: "red"}},
				Rules:         []configurator.RuleRef{redSmall},
				RulesComplete: true,
				Repairable:    true,
				Repair:        []configurator.ChangeView{{Attribute: "colour", From: "red", To: "black"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Report(mustSelect(t, e, tt.choices...), configurator.ReportOptions{Explain: true})
			if err != nil {
				t.Fatal(err)
			}
			got := levelState(t, r, tt.attr, tt.level)
			if got.State != configurator.StateExcluded {
				t.Fatalf("%s=%s: state %s, want excluded", tt.attr, tt.level, got.State)
			}
			if diff := cmp.Diff(tt.want, got.Explanation); diff != "" {
				t.Errorf("explanation (-want +got):\n%s", diff)
			}
			// Without Explain, the same state and no explanation.
			r, err = e.Report(mustSelect(t, e, tt.choices...), configurator.ReportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := levelState(t, r, tt.attr, tt.level); got.State != configurator.StateExcluded || got.Explanation != nil {
				t.Errorf("without Explain: state %s, explanation %+v; want excluded, none", got.State, got.Explanation)
			}
		})
	}
}

// TestReportExplanationOneOfTwoReasons: red alone excludes the big battery
// (red needs the small body, big the large one), and so does the small body
// alone. Either is a minimal reason, each with its own rules; the repair has
// to change both choices.
func TestReportExplanationOneOfTwoReasons(t *testing.T) {
	e := compileSource(t, "report.tailor", reportModel)
	r, err := e.Report(mustSelect(t, e, "size=small", "colour=red"), configurator.ReportOptions{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	bigLarge := configurator.RuleRef{Kind: "rule", Name: "big_large", Label: "A big battery needs the large body", Line: 23}
	redSmall := configurator.RuleRef{Kind: "rule", Name: "red_small", Label: "Red only comes on the small body", Line: 25}
	repair := []configurator.ChangeView{{Attribute: "size", From: "small", To: "large"}, {Attribute: "colour", From: "red", To: "black"}}
	bySize := &configurator.ExplanationView{
		Because:       []configurator.Choice{{Attribute: "size", Level: "small"}},
		Rules:         []configurator.RuleRef{bigLarge},
		RulesComplete: true, Repairable: true, Repair: repair,
	}
	byColour := &configurator.ExplanationView{
		Because:       []configurator.Choice{{Attribute: "colour", Level: "red"}},
		Rules:         []configurator.RuleRef{bigLarge, redSmall},
		RulesComplete: true, Repairable: true, Repair: repair,
	}
	got := levelState(t, r, "battery", "big")
	if got.State != configurator.StateExcluded {
		t.Fatalf("battery=big: state %s, want excluded", got.State)
	}
	if cmp.Diff(bySize, got.Explanation) != "" && cmp.Diff(byColour, got.Explanation) != "" {
		t.Errorf("explanation (-by size +got):\n%s\nor (-by colour +got):\n%s",
			cmp.Diff(bySize, got.Explanation), cmp.Diff(byColour, got.Explanation))
	}
}

// TestReportDeadLevel: a level no configuration uses is explained with no
// reason among the choices and no repair.
func TestReportDeadLevel(t *testing.T) {
	e := compileSource(t, "dead.tailor", `model "Dead" version "1"

attribute size {
  level small
  level large
}
attribute battery {
  level normal
  level huge
}

rule huge_large: battery = huge requires size = large
rule no_large: size != large
`)
	r, err := e.Report(e.NewSelection(), configurator.ReportOptions{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	want := configurator.LevelState{Name: "huge", Label: "huge", State: configurator.StateExcluded,
		Explanation: &configurator.ExplanationView{
			Because: []configurator.Choice{},
			Rules: []configurator.RuleRef{
				{Kind: "rule", Name: "huge_large", Line: 12},
				{Kind: "rule", Name: "no_large", Line: 13},
			},
			RulesComplete: true,
			Repairable:    false,
			Repair:        []configurator.ChangeView{},
		}}
	if diff := cmp.Diff(want, levelState(t, r, "battery", "huge")); diff != "" {
		t.Errorf("dead level (-want +got):\n%s", diff)
	}
}

func levelState(tb testing.TB, r *configurator.Report, attr, level string) configurator.LevelState {
	tb.Helper()
	for _, a := range r.Attributes {
		for _, l := range a.Levels {
			if a.Name == attr && l.Name == level {
				return l
			}
		}
	}
	tb.Fatalf("no level %s=%s in the report", attr, level)
	return configurator.LevelState{}
}

func TestReportConflict(t *testing.T) {
	e := compileSource(t, "report.tailor", reportModel)
	cheapest := configurator.Objective{Goal: configurator.Cheapest, Property: "cost"}
	r, err := e.Report(mustSelect(t, e, "size=small", "battery=big", "colour=black"),
		configurator.ReportOptions{Explain: true, Complete: &cheapest, Goal: "cheapest"})
	if err != nil {
		t.Fatal(err)
	}
	want := &configurator.Conflict{
		Choices: []configurator.Choice{{Attribute: "size", Level: "small"}, {Attribute: "battery", Level: "big"}},
		Rules:   []configurator.RuleRef{{Kind: "rule", Name: "big_large", Label: "A big battery needs the large body", Line: 23}},
	}
	if diff := cmp.Diff(want, r.Conflict); diff != "" {
		t.Errorf("conflict (-want +got):\n%s", diff)
	}
	// A complete selection is validated rule by rule.
	wantViolations := []configurator.Violation{{Kind: "rule", Name: "big_large", Label: "A big battery needs the large body", Line: 23,
		Pos: model.Pos{File: "report.tailor", Line: 23, Col: 1}}}
	if diff := cmp.Diff(wantViolations, r.Violations); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if r.Consistent || r.Count != "0" || r.Completion != nil {
		t.Errorf("consistent = %v, count = %s, completion = %+v; want false, 0, none", r.Consistent, r.Count, r.Completion)
	}
}

func TestReportSummary(t *testing.T) {
	e := compileSource(t, "report.tailor", reportModel)
	r, err := e.Report(mustSelect(t, e, "colour=red", "battery=normal"), configurator.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (configurator.ModelInfo{Name: "Report", Version: "1.2", Currency: "EUR"}); r.Model != want {
		t.Errorf("model = %+v, want %+v", r.Model, want)
	}
	// In model order, not in the order chosen.
	wantSel := []configurator.Choice{{Attribute: "battery", Level: "normal"}, {Attribute: "colour", Level: "red"}}
	if diff := cmp.Diff(wantSel, r.Selection); diff != "" {
		t.Errorf("selection (-want +got):\n%s", diff)
	}
	if r.Violations != nil {
		t.Errorf("violations = %v for a partial selection, want none", r.Violations)
	}
	// The roll-up of the chosen levels only; lead_time rolls up by max.
	wantRoll := configurator.RollUpView{
		Totals: map[string]model.Decimal{"cost": model.Int(15), "weight": model.Int(20), "lead_time": model.Int(5)},
		Parts:  []configurator.PartView{{Number: "BAT-N", Qty: 1}, {Number: "BMS", Qty: 2}, {Number: "PNT-R", Qty: 1}},
	}
	if diff := cmp.Diff(wantRoll, r.RollUp); diff != "" {
		t.Errorf("roll-up (-want +got):\n%s", diff)
	}
	var groups []string
	for _, a := range r.Attributes {
		groups = append(groups, a.Name+":"+a.Group+":"+a.Label)
	}
	if diff := cmp.Diff([]string{"size:body:Body size", "battery:body:Battery", "colour::Colour"}, groups); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
}

func TestReportCompletion(t *testing.T) {
	e := compileSource(t, "report.tailor", reportModel)
	tests := []struct {
		goal    string
		choices []string
		want    []string // attr=level in model order
		cost    int64
		lead    int64
	}{
		{"cheapest", nil, []string{"size=small", "battery=normal", "colour=black"}, 110, 10},
		{"cheapest", []string{"battery=big"}, []string{"size=large", "battery=big", "colour=black"}, 180, 30},
		{"max:cost", nil, []string{"size=large", "battery=big", "colour=black"}, 180, 30},
		// Red costs more but keeps its selection; the rest is cheapest.
		{"min:cost", []string{"colour=red"}, []string{"size=small", "battery=normal", "colour=red"}, 115, 10},
		{"defaults", []string{"size=large"}, []string{"size=large", "battery=normal", "colour=black"}, 160, 20},
		{"min:weight", nil, []string{"size=small", "battery=normal", "colour=black"}, 110, 10},
	}
	for _, tt := range tests {
		t.Run(tt.goal+" "+strings.Join(tt.choices, ","), func(t *testing.T) {
			obj, err := configurator.ParseObjective(tt.goal)
			if err != nil {
				t.Fatal(err)
			}
			r, err := e.Report(mustSelect(t, e, tt.choices...), configurator.ReportOptions{Complete: &obj, Goal: tt.goal})
			if err != nil {
				t.Fatal(err)
			}
			if r.Completion == nil {
				t.Fatal("no completion")
			}
			if r.Completion.Goal != tt.goal {
				t.Errorf("goal = %q, want %q", r.Completion.Goal, tt.goal)
			}
			var got []string
			for _, c := range r.Completion.Configuration {
				got = append(got, c.Attribute+"="+c.Level)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("configuration (-want +got):\n%s", diff)
			}
			totals := r.Completion.RollUp.Totals
			if totals["cost"] != model.Int(tt.cost) || totals["lead_time"] != model.Int(tt.lead) {
				t.Errorf("cost %v, lead time %v; want %d, %d", totals["cost"], totals["lead_time"], tt.cost, tt.lead)
			}
		})
	}
}

func TestReportCompletionErrors(t *testing.T) {
	e := compileSource(t, "report.tailor", reportModel)
	for _, tt := range []struct{ goal, want string }{
		{"fastest", `unknown completion goal "fastest": want cheapest, defaults, min:PROPERTY or max:PROPERTY`},
		{"max:", `unknown completion goal "max:": want cheapest, defaults, min:PROPERTY or max:PROPERTY`},
	} {
		if _, err := configurator.ParseObjective(tt.goal); err == nil || err.Error() != tt.want {
			t.Errorf("ParseObjective(%q) error = %v, want %q", tt.goal, err, tt.want)
		}
	}
	obj, err := configurator.ParseObjective("min:speed")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Report(e.NewSelection(), configurator.ReportOptions{Complete: &obj, Goal: "min:speed"})
	if want := `no numeric property "speed" in model Report`; err == nil || err.Error() != want {
		t.Errorf("Report with min:speed: error = %v, want %q", err, want)
	}
}

// Without explanations the report decides each level's state by one
// propagation per chosen attribute; it must agree with the brute-force
// answer: a level is possible when switching its attribute to it, the other
// choices kept, leaves a valid configuration.
func TestReportStatesWithoutExplanationsMatchBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for i := range 150 {
		m := modeltest.Random(r)
		e, err := configurator.Compile(m, configurator.Options{})
		if err != nil {
			t.Fatal(err)
		}
		valid := modeltest.ValidConfigs(m)
		sel := e.NewSelection()
		for a := range sel {
			if r.IntN(2) == 0 {
				sel[a] = r.IntN(len(m.Attributes[a].Levels))
			}
		}
		rep, err := e.Report(sel, configurator.ReportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		consistent := false
		for _, c := range valid {
			consistent = consistent || extends(c, sel)
		}
		for a, st := range rep.Attributes {
			for l, ls := range st.Levels {
				want := configurator.StateExcluded
				if sel[a] == l {
					want = configurator.StateSelected
				} else if consistent || sel[a] >= 0 {
					trial := append(configurator.Selection(nil), sel...)
					trial[a] = l
					for _, c := range valid {
						if extends(c, trial) {
							want = configurator.StatePossible
							break
						}
					}
				}
				if ls.State != want {
					t.Fatalf("model %d, selection %v: %s=%s is %s, want %s", i, sel, st.Name, ls.Name, ls.State, want)
				}
			}
		}
	}
}

// extends reports whether the full configuration c agrees with every choice of sel.
func extends(c []int, sel configurator.Selection) bool {
	for a, l := range sel {
		if l >= 0 && c[a] != l {
			return false
		}
	}
	return true
}
