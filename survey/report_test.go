package survey

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestReportGolden(t *testing.T) {
	s := handSurvey()
	s.Model, s.Version = "Hand", "1"
	s.Efficiency = Efficiency{DError: 0.5, RandomDError: 0.6, Relative: 1.2}
	var b strings.Builder
	if err := s.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestSurveyJSONRoundTrip(t *testing.T) {
	e := mustEngine(t, "small.tailor", []byte(small))
	for _, ef := range []Efficiency{
		{DError: 0.5, RandomDError: 0.6, Relative: 1.2},
		{DError: math.Inf(1), RandomDError: math.Inf(1), Relative: 0},
	} {
		s := design(t, e, smallSpec())
		c := *s
		c.Efficiency = ef
		b, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		var got Survey
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&c, &got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}
