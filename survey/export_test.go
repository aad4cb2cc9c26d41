package survey

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/population"
)

// TestExportFitsLikeData: the answers file read with the written
// specification by package choice is the data Data makes, case for case
// and column for column, for the designed and for the holdout tasks, with
// and without a price and a none option.
func TestExportFitsLikeData(t *testing.T) {
	e := mustEngine(t, "small.tailor", []byte(small))
	noPrice := smallSpec()
	noPrice.Price, noPrice.None, noPrice.Holdouts = Price{}, false, 1
	for name, spec := range map[string]Spec{"price and none": smallSpec(), "neither": noPrice} {
		t.Run(name, func(t *testing.T) {
			s := design(t, e, spec)
			people := population.Draw(e.Model(), []population.Segment{{Share: 1, PricePer100: -1, Spread: 1}}, 30, rand.New(rand.NewPCG(1, 2)))
			answers, err := Simulate(s, people, 3, 2)
			if err != nil {
				t.Fatal(err)
			}
			// Out of order and incomplete, as a server might hold them.
			rand.New(rand.NewPCG(4, 5)).Shuffle(len(answers), func(i, j int) { answers[i], answers[j] = answers[j], answers[i] })
			answers = answers[:len(answers)-7]

			var csvBuf bytes.Buffer
			if err := s.WriteAnswers(&csvBuf, answers); err != nil {
				t.Fatal(err)
			}
			table, err := choice.ReadTable(bytes.NewReader(csvBuf.Bytes()), "answers.csv")
			if err != nil {
				t.Fatal(err)
			}
			for _, holdout := range []bool{false, true} {
				want, err := s.Data(answers, holdout)
				if err != nil {
					t.Fatal(err)
				}
				var specBuf bytes.Buffer
				if err := s.WriteSpec(&specBuf, "Test", holdout); err != nil {
					t.Fatal(err)
				}
				sp, err := choice.ParseSpec("survey.spec", specBuf.Bytes())
				if err != nil {
					t.Fatalf("%v\n%s", err, specBuf.String())
				}
				got, err := choice.Compile(sp, table, choice.LayoutUnset)
				if err != nil {
					t.Fatalf("%v\n%s", err, specBuf.String())
				}
				if diff := cmp.Diff(s.SpecParams(), got.Params); diff != "" {
					t.Errorf("holdout %v: parameters (-want +got):\n%s", holdout, diff)
				}
				got.Params = want.Params
				// The compiler keeps an offset of zeros; Data leaves it nil.
				if slices.ContainsFunc(got.Offset, func(x float64) bool { return x != 0 }) {
					t.Errorf("holdout %v: the specification has a fixed part", holdout)
				}
				got.Offset = nil
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("holdout %v: compiled answers file differs from Data (-want +got):\n%s\n%s", holdout, diff, specBuf.String())
				}
			}
		})
	}
}

func TestAnswerColumnAvoidsReservedNames(t *testing.T) {
	for name, want := range map[string]string{"size": "size", "task": "attr_task", "price": "attr_price", "none": "attr_none", "in": "attr_in", "5g": "attr_5g"} {
		if got := AnswerColumn(Attribute{Name: name}); got != want {
			t.Errorf("AnswerColumn(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestWriteAnswersLayout(t *testing.T) {
	s := handSurvey()
	var b bytes.Buffer
	err := s.WriteAnswers(&b, []Answer{
		{Respondent: "r2", Version: 1, Task: 0, Choice: 2},
		{Respondent: "r1", Version: 0, Task: 1, Choice: 0},
		{Respondent: "r2", Version: 1, Task: 2, Choice: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"respondent,version,task,holdout,concept,chosen,colour,size,price_minor",
		"r2,1,0,0,1,0,green,s,20000",
		"r2,1,0,0,2,0,red,l,50000",
		"r2,1,0,0,3,1,,,0",
		"r2,1,2,1,1,0,red,s,50000",
		"r2,1,2,1,2,1,green,l,20000",
		"r2,1,2,1,3,0,,,0",
		"r1,0,1,0,1,1,red,l,50000",
		"r1,0,1,0,2,0,blue,s,20000",
		"r1,0,1,0,3,0,,,0",
		"",
	}, "\n")
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("answers file (-want +got):\n%s", diff)
	}
	for _, bad := range []Answer{
		{Respondent: "r1", Version: 2, Task: 0, Choice: 0},
		{Respondent: "r1", Version: 0, Task: 3, Choice: 0},
		{Respondent: "r1", Version: 0, Task: 0, Choice: 3},
		{Respondent: "", Version: 0, Task: 0, Choice: 0},
	} {
		if err := s.WriteAnswers(&b, []Answer{bad}); err == nil {
			t.Errorf("WriteAnswers(%+v) succeeded", bad)
		}
	}
}
