package survey

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tailor-c2b/tailor/errs"
)

func TestParseStatus(t *testing.T) {
	for _, st := range Statuses {
		if got, err := ParseStatus(string(st)); err != nil || got != st {
			t.Errorf("ParseStatus(%q) = %q, %v", st, got, err)
		}
	}
	if _, err := ParseStatus("running"); errs.Code(err) != errs.Invalid {
		t.Errorf("ParseStatus(running): %v, want invalid", err)
	}
}

func TestValidateName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"Phones 2026", true},
		{"  ", false},
		{strings.Repeat("é", MaxNameLength), true},
		{strings.Repeat("é", MaxNameLength+1), false},
	} {
		if err := ValidateName(tt.name); (err == nil) != tt.ok || err != nil && errs.Code(err) != errs.Invalid {
			t.Errorf("ValidateName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestCheckAnswer(t *testing.T) {
	s := handSurvey() // 2 designed tasks + 1 holdout, 2 concepts + none
	for _, tt := range []struct {
		task, choice int
		want         string // part of the error message; "" for none
	}{
		{0, 0, ""}, {2, 1, ""}, {1, 2, ""}, // 2 is none
		{3, 0, "Task 3 does not exist; respondents answer tasks 0 to 2."},
		{-1, 0, "Task -1 does not exist"},
		{0, 3, "Choice 3 does not exist; a task shows concepts 0 to 1, or 2 for none of these."},
		{0, -1, "Choice -1 does not exist"},
	} {
		err := s.CheckAnswer(tt.task, tt.choice)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckAnswer(%d, %d) = %v", tt.task, tt.choice, err)
		case tt.want != "" && (errs.Code(err) != errs.Invalid || !strings.Contains(errs.Message(err), tt.want)):
			t.Errorf("CheckAnswer(%d, %d) = %v, want invalid with %q", tt.task, tt.choice, err, tt.want)
		}
	}
	s.Spec.None = false
	if err := s.CheckAnswer(0, 2); err == nil || strings.Contains(err.Error(), "none") {
		t.Errorf("without none, choice 2 = %v; want an error that offers no none", err)
	}
}

func TestShow(t *testing.T) {
	s := handSurvey()
	s.Currency = "EUR"
	s.Attributes[0].Label, s.Attributes[0].Levels[2].Label = "Colour", "Sage green"
	got, err := s.Show(1, 2) // the holdout, the same in every version
	if err != nil {
		t.Fatal(err)
	}
	want := Shown{None: true, Currency: "EUR", Concepts: []ShownConcept{
		{Levels: []ShownLevel{{"colour", "Colour", "red", ""}, {"size", "", "s", ""}}, Price: 50000, HasPrice: true},
		{Levels: []ShownLevel{{"colour", "Colour", "green", "Sage green"}, {"size", "", "l", ""}}, Price: 20000, HasPrice: true},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Show(1, 2) (-want +got):\n%s", diff)
	}
	if _, err := s.Show(2, 0); errs.Code(err) != errs.Invalid {
		t.Errorf("Show of a missing version: %v, want invalid", err)
	}
}

func TestRespondentProgress(t *testing.T) {
	r := Respondent{Seq: 0, Tasks: 3, Answered: 2}
	if r.Done() || r.Label() != "r1" {
		t.Errorf("respondent %+v: done %v, label %q", r, r.Done(), r.Label())
	}
	r.Answered = 3
	if !r.Done() {
		t.Error("a respondent who answered every task is not done")
	}
	for _, tt := range []struct {
		in   Invitation
		want bool
	}{
		{Invitation{Survey: Stored{Status: Open}}, true},
		{Invitation{Survey: Stored{Status: Open}, Started: true, Respondent: Respondent{Tasks: 3, Answered: 1}}, true},
		{Invitation{Survey: Stored{Status: Open}, Started: true, Respondent: r}, false},
		{Invitation{Survey: Stored{Status: Closed}}, false},
	} {
		if got := tt.in.Pending(); got != tt.want {
			t.Errorf("%+v pending = %v, want %v", tt.in, got, tt.want)
		}
	}
}
