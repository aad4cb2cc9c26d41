package survey

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tailor-c2b/tailor/errs"
)

func TestPriceResolve(t *testing.T) {
	tests := []struct {
		name    string
		price   Price
		want    []int64
		wantErr string
	}{
		{"none", Price{}, nil, ""},
		{"levels sorted", Price{Levels: []int64{59900, 39900, 79900}}, []int64{39900, 59900, 79900}, ""},
		{"range", Price{Min: 39900, Max: 119900, Steps: 5}, []int64{39900, 59900, 79900, 99900, 119900}, ""},
		{"range rounds", Price{Min: 0, Max: 100, Steps: 4}, []int64{0, 33, 67, 100}, ""},
		{"both", Price{Levels: []int64{1, 2}, Steps: 2}, nil, "either as levels or as a range"},
		{"one level", Price{Levels: []int64{100}}, nil, "at least two levels"},
		{"negative level", Price{Levels: []int64{-1, 100}}, nil, "negative"},
		{"duplicate level", Price{Levels: []int64{100, 200, 100}}, nil, "listed twice"},
		{"too many levels", Price{Levels: make([]int64, MaxPriceLevels+1)}, nil, "at most"},
		{"one step", Price{Min: 100, Max: 200, Steps: 1}, nil, "at least 2 steps"},
		{"no steps", Price{Min: 100, Max: 200}, nil, "at least 2 steps"},
		{"max below min", Price{Min: 300, Max: 200, Steps: 3}, nil, "must be above the lowest"},
		{"negative min", Price{Min: -300, Max: 200, Steps: 3}, nil, "negative"},
		{"too narrow", Price{Min: 100, Max: 102, Steps: 4}, nil, "too narrow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.price.Resolve()
			checkErr(t, err, tt.wantErr)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("levels (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpecValidate(t *testing.T) {
	m := phone(t).Model()
	tests := []struct {
		name    string
		change  func(*Spec)
		wantErr string
	}{
		{"good", func(*Spec) {}, ""},
		{"no price", func(s *Spec) { s.Price = Price{} }, ""},
		{"no attributes", func(s *Spec) { s.Attributes = nil }, "at least one attribute"},
		{"unknown attribute", func(s *Spec) { s.Attributes = []string{"size", "colr"} }, `no attribute "colr" (did you mean "colour"?)`},
		{"label instead of name", func(s *Spec) { s.Attributes = []string{"Body size"} }, `(did you mean "size"?)`},
		{"far from anything", func(s *Spec) { s.Attributes = []string{"zzzzzzzzzzzz"} }, `no attribute "zzzzzzzzzzzz".`},
		{"twice", func(s *Spec) { s.Attributes = []string{"size", "colour", "size"} }, `"size" is listed twice`},
		{"bad price", func(s *Spec) { s.Price = Price{Levels: []int64{5}} }, "at least two levels"},
		{"no versions", func(s *Spec) { s.Versions = 0 }, "versions must be between 1 and"},
		{"too many tasks", func(s *Spec) { s.Tasks = MaxTasks + 1 }, "tasks per respondent must be between"},
		{"one concept", func(s *Spec) { s.Concepts = 1 }, "concepts per task must be between 2 and"},
		{"negative holdouts", func(s *Spec) { s.Holdouts = -1 }, "holdout tasks must be between 0 and"},
		{"more concepts than combinations", func(s *Spec) {
			s.Attributes, s.Price, s.Concepts = []string{"resolution", "cooling"}, Price{}, 5
		}, "only 4 different concepts; a task needs 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := phoneSpec()
			tt.change(&s)
			checkErr(t, s.Validate(m), tt.wantErr)
		})
	}
}

// The model-only bound in Validate cannot see rules; Design counts the
// combinations the rules allow.
func TestDesignRejectsWhatTheRulesForbid(t *testing.T) {
	e := mustEngine(t, "t.tailor", []byte(`model "T" version "1"
attribute a "A" { level x "X" level y "Y" }
attribute b "B" { level p "P" level q "Q" }
attribute c "C" { level u "U" level v "V" level dead "Dead" }
rule: a = x requires b = p
rule: a = y requires b = q
rule: c = dead excludes c = dead
`))
	tests := []struct {
		name    string
		spec    Spec
		wantErr string
	}{
		{"two combinations for three concepts", Spec{Attributes: []string{"a", "b"}, Versions: 1, Tasks: 1, Concepts: 3},
			"rules allow only 2 different concepts"},
		{"price makes room", Spec{Attributes: []string{"a", "b"}, Price: Price{Levels: []int64{1, 2}}, Versions: 1, Tasks: 2, Concepts: 3}, ""},
		{"dead level", Spec{Attributes: []string{"a", "c"}, Versions: 1, Tasks: 1, Concepts: 2},
			`Level "dead" of attribute "c" is in no valid phone`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Design(e, tt.spec)
			checkErr(t, err, tt.wantErr)
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error; want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q; want one containing %q", err, want)
	case want != "" && errs.Code(err) != errs.Invalid:
		t.Fatalf("error code %q; want %q", errs.Code(err), errs.Invalid)
	}
}
