package population

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
)

func phone(t *testing.T) *configurator.Engine {
	t.Helper()
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPhoneSegmentsNameRealLevels(t *testing.T) {
	m := phone(t).Model()
	for _, s := range PhoneSegments {
		for attr, levels := range s.Likes {
			a := m.Attr(attr)
			if a < 0 {
				t.Errorf("segment %s: no attribute %q", s.Name, attr)
				continue
			}
			for l := range levels {
				if m.Level(a, l) < 0 {
					t.Errorf("segment %s: attribute %s has no level %q", s.Name, attr, l)
				}
			}
		}
	}
}

func TestDesignsAreValidAndReproducible(t *testing.T) {
	e := phone(t)
	people := Draw(e.Model(), PhoneSegments, 300, rand.New(rand.NewPCG(1, 2)))
	one := Designs(e, people, 7, 1)
	two := Designs(e, people, 7, 3)
	if diff := cmp.Diff(one, two); diff != "" {
		t.Fatalf("designs depend on the number of workers (-1 +3):\n%s", diff)
	}
	partial := 0
	for i, sel := range one {
		if !e.Consistent(sel) {
			t.Fatalf("person %d made an invalid design %v", i, sel)
		}
		chosen := 0
		for _, l := range sel {
			if l >= 0 {
				chosen++
			}
		}
		switch {
		case people[i].Complete && chosen != len(sel):
			t.Fatalf("person %d completes but chose %d of %d", i, chosen, len(sel))
		case !people[i].Complete:
			partial++
			if chosen != people[i].Stop {
				t.Fatalf("person %d stops after %d but chose %d", i, people[i].Stop, chosen)
			}
		}
	}
	if partial == 0 || partial == len(one) {
		t.Errorf("%d of %d designs partial; want some of each", partial, len(one))
	}
}

// On a model without rules, each choice is a plain logit: the observed
// shares must match the probabilities computed by hand.
func TestChoicesFollowTheLogit(t *testing.T) {
	m, diags := model.Parse("t.tailor", []byte(`model "T" version "1"
attribute colour "Colour" { level red "Red" level green "Green" level blue "Blue" }`))
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	worth := []float64{1, 0, -1}
	p := Person{Worth: [][]float64{worth}, Complete: true}
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 20000
	counts := make([]int, 3)
	for range n {
		counts[p.Design(e, rng)[0]]++
	}
	denom := math.Exp(1) + 1 + math.Exp(-1)
	for l, w := range worth {
		want := math.Exp(w) / denom
		got := float64(counts[l]) / n
		// Four standard errors of a binomial share.
		if tol := 4 * math.Sqrt(want*(1-want)/n); math.Abs(got-want) > tol {
			t.Errorf("level %d: share %.4f, want %.4f ± %.4f", l, got, want, tol)
		}
	}
}

func TestSegmentsDifferInWhatTheyChoose(t *testing.T) {
	e := phone(t)
	m := e.Model()
	people := Draw(m, PhoneSegments, 1500, rand.New(rand.NewPCG(5, 6)))
	designs := Designs(e, people, 9, 2)
	size := m.Attr("size")
	compact := m.Level(size, "compact")
	share := map[string][2]int{}
	for i, sel := range designs {
		name := PhoneSegments[people[i].Segment].Name
		c := share[name]
		if sel[size] >= 0 {
			c[1]++
			if sel[size] == compact {
				c[0]++
			}
		}
		share[name] = c
	}
	lovers, gamers := share["Compact lovers"], share["Gamers"]
	if float64(lovers[0])/float64(lovers[1]) < 2*float64(gamers[0])/float64(gamers[1]) {
		t.Errorf("compact share: compact lovers %v, gamers %v; want lovers far ahead", lovers, gamers)
	}
}

// Worth is Taste with the person's own price sensitivity folded in; price
// sensitivity keeps the segment's sign and mean, and the none utility
// centres on the price of the segment's budget.
func TestTastePriceAndNone(t *testing.T) {
	m := phone(t).Model()
	seg := PhoneSegments[3] // value seekers: the most price-sensitive
	seg.Share = 1
	const n = 4000
	people := Draw(m, []Segment{seg}, n, rand.New(rand.NewPCG(7, 8)))
	var price, none float64
	for i, p := range people {
		for a, at := range m.Attributes {
			for l, lv := range at.Levels {
				want := p.Taste[a][l] + p.Price*lv.Numbers["price"].Float()/10000
				if math.Abs(p.Worth[a][l]-want) > 1e-12 {
					t.Fatalf("person %d: worth of %s=%s is %v; taste plus price gives %v", i, at.Name, lv.Name, p.Worth[a][l], want)
				}
			}
		}
		if p.Price >= 0 {
			t.Fatalf("person %d: price sensitivity %v; the segment's is negative", i, p.Price)
		}
		price += p.Price / n
		none += (p.None - p.Price*seg.Budget/100) / n
	}
	// The lognormal factor has mean 1 and a standard deviation of about
	// PriceSpread.
	if tol := 4 * seg.PriceSpread * math.Abs(seg.PricePer100) / math.Sqrt(n); math.Abs(price-seg.PricePer100) > tol {
		t.Errorf("mean price sensitivity %.4f; want %.4f ± %.4f", price, seg.PricePer100, tol)
	}
	if tol := 4 * seg.Spread / math.Sqrt(n); math.Abs(none) > tol {
		t.Errorf("none utility departs from the budget's price by %.4f on average; want 0 ± %.4f", none, tol)
	}
}

func TestSegmentDefaults(t *testing.T) {
	m := phone(t).Model()
	seg := Segment{Name: "Plain", Share: 1, PricePer100: -0.5, Complete: 1}
	for i, p := range Draw(m, []Segment{seg}, 50, rand.New(rand.NewPCG(1, 1))) {
		if p.Price != seg.PricePer100 {
			t.Fatalf("person %d: price sensitivity %v without spread; want %v", i, p.Price, seg.PricePer100)
		}
		if want := seg.PricePer100 * DefaultBudget / 100; p.None != want {
			t.Fatalf("person %d: none utility %v; want %v from the default budget", i, p.None, want)
		}
	}
}
