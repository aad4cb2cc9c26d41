package survey

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tailor-c2b/tailor/choice"
)

func TestDataCodesByHand(t *testing.T) {
	s := handSurvey()
	// Out of order, as a server might collect them.
	answers := []Answer{
		{Respondent: "r1", Version: 0, Task: 1, Choice: 2},
		{Respondent: "r2", Version: 1, Task: 0, Choice: 0},
		{Respondent: "r1", Version: 0, Task: 2, Choice: 0},
		{Respondent: "r1", Version: 0, Task: 0, Choice: 1},
	}
	params := []string{"colour:blue", "colour:green", "size:l", "price", "none"}
	alts := []string{"concept1", "concept2", "none"}
	none := []float64{0, 0, 0, 0, 1}
	cat := func(rows ...[]float64) []float64 {
		var out []float64
		for _, r := range rows {
			out = append(out, r...)
		}
		return out
	}
	// Prices 200 and 500 are coded against their centre, 350, per 100.
	tests := []struct {
		holdout bool
		want    *choice.Data
	}{
		{false, &choice.Data{
			Params: params, Alternatives: alts,
			Start: []int{0, 3, 6, 9},
			X: cat(
				[]float64{1, 0, 0, -1.5, 0}, []float64{0, 1, 1, 1.5, 0}, none, // r1 task 0: blue s 200, green l 500
				[]float64{0, 0, 1, 1.5, 0}, []float64{1, 0, 0, -1.5, 0}, none, // r1 task 1: red l 500, blue s 200
				[]float64{0, 1, 0, -1.5, 0}, []float64{0, 0, 1, 1.5, 0}, none, // r2 task 0: green s 200, red l 500
			),
			Alt:      []int32{0, 1, 2, 0, 1, 2, 0, 1, 2},
			Chosen:   []int32{1, 5, 6},
			Panel:    []int32{0, 0, 1},
			Panels:   2,
			PanelIDs: []string{"r1", "r2"},
		}},
		{true, &choice.Data{
			Params: params, Alternatives: alts,
			Start:    []int{0, 3},
			X:        cat([]float64{0, 0, 0, 1.5, 0}, []float64{0, 1, 1, -1.5, 0}, none), // red s 500, green l 200
			Alt:      []int32{0, 1, 2},
			Chosen:   []int32{0},
			Panel:    []int32{0},
			Panels:   1,
			PanelIDs: []string{"r1"},
		}},
	}
	for _, tt := range tests {
		got, err := s.Data(answers, tt.holdout)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("holdout %v (-want +got):\n%s", tt.holdout, diff)
		}
	}
}

func TestDataWithoutPriceOrNone(t *testing.T) {
	s := handSurvey()
	s.Spec.None, s.Prices = false, nil
	got, err := s.Data([]Answer{{Respondent: "a", Version: 1, Task: 1, Choice: 1}}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := &choice.Data{
		Params: []string{"colour:blue", "colour:green", "size:l"}, Alternatives: []string{"concept1", "concept2"},
		Start: []int{0, 2}, X: []float64{1, 0, 1, 0, 0, 0}, Alt: []int32{0, 1}, Chosen: []int32{1},
		Panel: []int32{0}, Panels: 1, PanelIDs: []string{"a"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDataErrors(t *testing.T) {
	tests := []struct {
		name    string
		none    bool
		answers []Answer
		holdout bool
		wantErr string
	}{
		{"no respondent", true, []Answer{{Version: 0, Task: 0}}, false, "Answer 1 names no respondent"},
		{"version", true, []Answer{{Respondent: "a", Version: 2}}, false, `Answer 1 (respondent "a"): version 2 does not exist; the survey has versions 0 to 1`},
		{"negative version", true, []Answer{{Respondent: "a", Version: -1}}, false, "version -1 does not exist"},
		{"task", true, []Answer{{Respondent: "a", Task: 3}}, false, "task 3 does not exist; respondents answer tasks 0 to 2"},
		{"choice past none", true, []Answer{{Respondent: "a", Choice: 3}}, false, "choice 3 does not exist; a task shows concepts 0 to 1, or 2 for none of these"},
		{"none without none", false, []Answer{{Respondent: "a", Choice: 2}}, false, "choice 2 does not exist; a task shows concepts 0 to 1."},
		{"negative choice", true, []Answer{{Respondent: "a", Choice: -1}}, false, "choice -1 does not exist"},
		{"two versions", true, []Answer{{Respondent: "a"}, {Respondent: "a", Version: 1, Task: 1}}, false,
			`Answer 2 (respondent "a"): answers version 1 but earlier answered version 0`},
		{"twice", true, []Answer{{Respondent: "a", Task: 1}, {Respondent: "a", Task: 1}}, false, "answers task 1 a second time"},
		{"no answers", true, nil, false, "no answers to designed tasks"},
		{"no holdout answers", true, []Answer{{Respondent: "a"}}, true, "no answers to holdout tasks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := handSurvey()
			s.Spec.None = tt.none
			_, err := s.Data(tt.answers, tt.holdout)
			checkErr(t, err, tt.wantErr)
		})
	}
}

// Data on a designed survey holds exactly the designed concepts, coded so
// that the utility of a row is the sum of its dummies' coefficients.
func TestDataRoundTrip(t *testing.T) {
	e := mustEngine(t, "small.tailor", []byte(small))
	s := design(t, e, smallSpec())
	var answers []Answer
	for v := range s.Versions {
		for task := range s.TasksPerRespondent() {
			answers = append(answers, Answer{Respondent: string(rune('a' + v)), Version: v, Task: task, Choice: (v + task) % (s.Spec.Concepts + 1)})
		}
	}
	for _, holdout := range []bool{false, true} {
		d, err := s.Data(answers, holdout)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Check(); err != nil {
			t.Fatal(err)
		}
		params := s.Params()
		c := 0
		for _, a := range answers {
			if (a.Task >= s.Spec.Tasks) != holdout {
				continue
			}
			task, _ := s.Task(a.Version, a.Task)
			for j, con := range task.Concepts {
				row := d.Row(d.Start[c] + j)
				// Decode the row back to levels and price.
				for i, at := range s.Attributes {
					level := 0
					for l := 1; l < len(at.Levels); l++ {
						if row[index(params, at.Name+":"+at.Levels[l].Name)] == 1 {
							level = l
						}
					}
					if level != con.Levels[i] {
						t.Fatalf("case %d row %d: %s level %d; designed %d", c, j, at.Name, level, con.Levels[i])
					}
				}
				if p, _ := s.Price(con); row[index(params, "price")] != float64(p-s.PriceCentre())/10000 {
					t.Fatalf("case %d row %d: price %v; designed %d", c, j, row[index(params, "price")], p)
				}
				if row[index(params, "none")] != 0 {
					t.Fatalf("case %d row %d: none column set on a concept", c, j)
				}
			}
			if got, want := int(d.Chosen[c])-d.Start[c], a.Choice; got != want {
				t.Fatalf("case %d: chosen %d; answered %d", c, got, want)
			}
			c++
		}
		if c != d.Cases() {
			t.Fatalf("%d cases; want %d", d.Cases(), c)
		}
	}
}

func index(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	panic("no parameter " + name)
}
