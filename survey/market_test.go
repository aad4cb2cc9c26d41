package survey

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/population"
)

// TestTrueMarketUtilities: a product made of a concept's levels and price
// has, in the true market, the utility Simulate uses for that concept.
func TestTrueMarketUtilities(t *testing.T) {
	e := phone(t)
	s := mustDesign(t, e, phoneSpec())
	people := population.Draw(e.Model(), population.PhoneSegments, 40, rand.New(rand.NewPCG(3, 3)))
	m := s.TrueMarket(people, population.PhoneSegments)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	task := s.Versions[0][0]
	var products []market.Product
	for i, c := range task.Concepts {
		price, _ := s.Price(c)
		products = append(products, market.Product{Name: string(rune('A' + i)), Levels: c.Levels, Price: price})
	}
	u, err := market.Utilities(m, products)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range people {
		if m.People[i].None != p.None || m.Segments[m.People[i].Segment] != population.PhoneSegments[p.Segment].Name {
			t.Fatalf("person %d: none or segment differ", i)
		}
		for j, c := range task.Concepts {
			if got, want := u[i*len(products)+j], s.Utility(p, c); math.Abs(got-want) > 1e-12 {
				t.Errorf("person %d concept %d: market utility %g, survey utility %g", i, j, got, want)
			}
		}
	}
}

// TestMarketFromEstimates maps coefficients named by the survey's coding
// onto the simulator's attributes, with reference levels at 0.
func TestMarketFromEstimates(t *testing.T) {
	e := phone(t)
	s := mustDesign(t, e, phoneSpec())
	names := append(s.Params(), "sd.extra")
	row := make([]float64, len(names))
	for i := range row {
		row[i] = float64(i + 1)
	}
	m, err := s.Market(names, [][]float64{row})
	if err != nil {
		t.Fatal(err)
	}
	p := m.People[0]
	k := 0
	for a, at := range s.Attributes {
		if p.Worth[a][0] != 0 {
			t.Errorf("%s: reference level worth %g, want 0", at.Name, p.Worth[a][0])
		}
		for l := 1; l < len(at.Levels); l++ {
			k++
			if p.Worth[a][l] != float64(k) {
				t.Errorf("%s:%s = %g, want %d", at.Name, at.Levels[l].Name, p.Worth[a][l], k)
			}
		}
	}
	// The coding's none is against a phone at the centre price; the
	// market's is absolute.
	if wantNone := float64(k+2) + float64(k+1)*float64(s.PriceCentre())/10000; p.Price != float64(k+1) || p.None != wantNone {
		t.Errorf("price %g none %g, want %d and %g", p.Price, p.None, k+1, wantNone)
	}
	if _, err := s.Market(names[1:], [][]float64{row[1:]}); err == nil || !strings.Contains(err.Error(), "no coefficient") {
		t.Errorf("err = %v, want a missing coefficient", err)
	}
}

func TestResponses(t *testing.T) {
	s := handSurvey()
	per := s.TasksPerRespondent()
	var answers []Answer
	for p := range 2 {
		for task := range per {
			answers = append(answers, Answer{Respondent: "x", Version: p % len(s.Versions), Task: task, Choice: (p + task) % 2})
		}
	}
	rs, err := s.Responses(answers, func(i int) string { return []string{"u1", "u2"}[i] })
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[1].UserID != "u2" || rs[1].Version != 1%len(s.Versions) || len(rs[0].Choices) != per || rs[1].Choices[0] != 1 {
		t.Errorf("responses %+v", rs)
	}
	if _, err := s.Responses(answers[1:], func(int) string { return "" }); err == nil {
		t.Error("want an error for a partial set of answers")
	}
}
