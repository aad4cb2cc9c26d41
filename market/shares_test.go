package market

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// bruteUtility is the utility formula written out once more, with no
// shared code.
func bruteUtility(m *Market, i int, p Product) float64 {
	person := m.People[i]
	u := person.Price * float64(p.Price) / 10000
	for a, l := range p.Levels {
		if l >= 0 {
			u += person.Worth[a][l]
		}
	}
	return u
}

// bruteProbs returns each person's probabilities under logit (scale) or,
// when scale is 0, first choice, the obvious way.
func bruteProbs(m *Market, products []Product, none bool, scale float64) [][]float64 {
	var probs [][]float64
	for i := range m.People {
		var v []float64
		for _, p := range products {
			v = append(v, bruteUtility(m, i, p))
		}
		if none {
			v = append(v, m.People[i].None)
		}
		row := make([]float64, len(v))
		if scale > 0 {
			sum := 0.0
			for _, x := range v {
				sum += math.Exp(scale * x)
			}
			for j, x := range v {
				row[j] = math.Exp(scale*x) / sum
			}
		} else {
			var best []int
			for j, x := range v {
				switch {
				case len(best) == 0 || x > v[best[0]]:
					best = []int{j}
				case x == v[best[0]]:
					best = append(best, j)
				}
			}
			for _, j := range best {
				row[j] = 1 / float64(len(best))
			}
		}
		probs = append(probs, row)
	}
	return probs
}

// bruteShares returns the weighted mean of probs over the people in
// segment seg (all people when seg < 0).
func bruteShares(m *Market, probs [][]float64, seg int) []float64 {
	shares := make([]float64, len(probs[0]))
	total := 0.0
	for i, row := range probs {
		if seg >= 0 && m.People[i].Segment != seg {
			continue
		}
		w := m.People[i].Weight
		if w == 0 {
			w = 1
		}
		total += w
		for j, p := range row {
			shares[j] += w * p
		}
	}
	for j := range shares {
		shares[j] /= total
	}
	return shares
}

func rows(o *Outcome) [][]float64 {
	var r [][]float64
	for i := range o.People {
		r = append(r, o.Person(i))
	}
	return r
}

var approx = cmpopts.EquateApprox(0, 1e-12)

// TestAgainstBruteForce checks logit and first choice shares, segment
// shares and people's probabilities against the definitions on small
// random markets.
func TestAgainstBruteForce(t *testing.T) {
	tests := []struct {
		name                    string
		people, attrs, products int
		segs                    int
		weighted, none, unspec  bool
		scale                   float64
	}{
		{name: "plain", people: 30, attrs: 3, products: 4},
		{name: "none", people: 30, attrs: 3, products: 4, none: true},
		{name: "weighted segments", people: 50, attrs: 4, products: 5, segs: 3, weighted: true, none: true},
		{name: "unspecified levels", people: 40, attrs: 5, products: 6, segs: 2, unspec: true},
		{name: "scale 0.5", people: 30, attrs: 3, products: 3, scale: 0.5, none: true},
		{name: "scale 3", people: 30, attrs: 3, products: 3, scale: 3, segs: 2, weighted: true},
		{name: "one product", people: 10, attrs: 2, products: 1, none: true},
		{name: "many people, many workers", people: 1000, attrs: 3, products: 5, segs: 4, weighted: true, none: true},
	}
	for k, tt := range tests {
		rng := rand.New(rand.NewPCG(uint64(k), 1))
		m := randomMarket(rng, tt.people, tt.attrs, 3, tt.segs, tt.weighted)
		products := randomProducts(rng, m, tt.products, tt.unspec)
		for _, rule := range []Rule{Logit, FirstChoice} {
			t.Run(tt.name+"/"+rule.String(), func(t *testing.T) {
				scale := tt.scale
				if scale == 0 {
					scale = 1
				}
				if rule == FirstChoice {
					scale = 0
				}
				probs := bruteProbs(m, products, tt.none, scale)
				got, err := Shares(m, products, Options{Rule: rule, Scale: tt.scale, None: tt.none, Workers: 3})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(probs, rows(got), approx); diff != "" {
					t.Errorf("people's probabilities (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(bruteShares(m, probs, -1), got.Shares, approx); diff != "" {
					t.Errorf("shares (-want +got):\n%s", diff)
				}
				if len(got.Segments) != tt.segs {
					t.Fatalf("%d segments, want %d", len(got.Segments), tt.segs)
				}
				for g, seg := range got.Segments {
					if diff := cmp.Diff(bruteShares(m, probs, g), seg.Shares, approx); diff != "" {
						t.Errorf("segment %d shares (-want +got):\n%s", g, diff)
					}
				}
				own := 0.0
				for j, p := range products {
					if p.Own {
						own += got.Shares[j]
					}
				}
				if math.Abs(own-got.OwnShare) > 1e-12 {
					t.Errorf("own share %v, want %v", got.OwnShare, own)
				}
			})
		}
	}
}

// TestSharesSumToOne: every person's probabilities, the overall shares and
// each segment's shares sum to 1 under every rule, with and without none.
func TestSharesSumToOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	m := randomMarket(rng, 200, 4, 3, 3, true)
	products := randomProducts(rng, m, 6, true)
	for _, rule := range []Rule{Logit, FirstChoice, RandomizedFirstChoice} {
		for _, none := range []bool{false, true} {
			o, err := Shares(m, products, Options{Rule: rule, None: none, Draws: 50, AttributeError: 0.5})
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, p []float64) {
				t.Helper()
				sum := 0.0
				for _, x := range p {
					if x < 0 || x > 1 {
						t.Errorf("%v none=%v: %s has a probability %v", rule, none, what, x)
					}
					sum += x
				}
				if math.Abs(sum-1) > 1e-12 {
					t.Errorf("%v none=%v: %s sums to %v", rule, none, what, sum)
				}
			}
			if want := len(products) + map[bool]int{false: 0, true: 1}[none]; len(o.Shares) != want {
				t.Fatalf("%d shares, want %d", len(o.Shares), want)
			}
			check("the overall shares", o.Shares)
			for _, s := range o.Segments {
				check("segment "+s.Name, s.Shares)
			}
			for i := range o.People {
				check("a person", o.Person(i))
			}
		}
	}
}

// TestLogitIIA: under logit, adding a product leaves each person's ratio
// of the probabilities of two other products unchanged, even when the new
// product is a near copy of one of them.
func TestLogitIIA(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	m := randomMarket(rng, 100, 3, 3, 0, false)
	products := randomProducts(rng, m, 2, false)
	copyOfA := products[0]
	copyOfA.Name = "copy of A"
	copyOfA.Price += 1000
	for _, extra := range []Product{randomProducts(rng, m, 3, false)[2], copyOfA} {
		t.Run(extra.Name, func(t *testing.T) {
			two, err := Shares(m, products, Options{None: true})
			if err != nil {
				t.Fatal(err)
			}
			three, err := Shares(m, append(products[:2:2], extra), Options{None: true})
			if err != nil {
				t.Fatal(err)
			}
			for i := range m.People {
				before := two.Person(i)
				after := three.Person(i)
				if after[2] <= 0 {
					t.Fatalf("person %d: new product has probability %v", i, after[2])
				}
				// A:B and A:None.
				for _, k := range [][2]int{{0, 1}, {0, 2}} {
					rb := before[k[0]] / before[k[1]]
					ra := after[k[0]] / after[k[1]+map[bool]int{false: 0, true: 1}[k[1] == 2]]
					if math.Abs(rb-ra) > 1e-9*rb {
						t.Errorf("person %d: ratio %v before, %v after adding %s", i, rb, ra, extra.Name)
					}
				}
			}
		})
	}
}

// TestFirstChoiceTies: people tied between products split evenly.
func TestFirstChoiceTies(t *testing.T) {
	m := &Market{
		Attributes: []Attribute{{Name: "colour", Levels: []string{"black", "white", "blue"}}},
		People: []Person{
			{Worth: [][]float64{{1, 1, 0}}, None: 0},    // black and white tie
			{Worth: [][]float64{{0, 0, 0}}, None: 0},    // all four tie, none included
			{Worth: [][]float64{{2, 1, 0}}, None: 0},    // black
			{Worth: [][]float64{{-1, -2, -3}}, None: 0}, // none
		},
	}
	products := []Product{{Name: "black", Levels: []int{0}}, {Name: "white", Levels: []int{1}}, {Name: "blue", Levels: []int{2}}}
	o, err := Shares(m, products, Options{Rule: FirstChoice, None: true})
	if err != nil {
		t.Fatal(err)
	}
	wantPeople := [][]float64{{0.5, 0.5, 0, 0}, {0.25, 0.25, 0.25, 0.25}, {1, 0, 0, 0}, {0, 0, 0, 1}}
	if diff := cmp.Diff(wantPeople, rows(o)); diff != "" {
		t.Errorf("people (-want +got):\n%s", diff)
	}
	want := []float64{(0.5 + 0.25 + 1) / 4, (0.5 + 0.25) / 4, 0.25 / 4, 1.25 / 4}
	if diff := cmp.Diff(want, o.Shares, approx); diff != "" {
		t.Errorf("shares (-want +got):\n%s", diff)
	}
}

// TestSegmentShares checks weighting on a market small enough to work out
// by hand.
func TestSegmentShares(t *testing.T) {
	m := &Market{
		Attributes: []Attribute{{Name: "size", Levels: []string{"compact", "max"}}},
		Segments:   []string{"small hands", "big hands", "nobody"},
		People: []Person{
			{Segment: 0, Weight: 1, Worth: [][]float64{{1, 0}}},
			{Segment: 0, Weight: 3, Worth: [][]float64{{0, 1}}},
			{Segment: 1, Weight: 0, Worth: [][]float64{{0, 1}}}, // counts as 1
			{Segment: 1, Weight: 2, Worth: [][]float64{{1, 0}}},
		},
	}
	products := []Product{{Name: "compact", Levels: []int{0}, Own: true}, {Name: "max", Levels: []int{1}}}
	o, err := Shares(m, products, Options{Rule: FirstChoice})
	if err != nil {
		t.Fatal(err)
	}
	want := &Outcome{
		Options:  Options{Rule: FirstChoice, Scale: 1, Draws: 100, Workers: o.Options.Workers},
		Products: []string{"compact", "max"},
		Own:      []bool{true, false},
		Shares:   []float64{3.0 / 7, 4.0 / 7},
		OwnShare: 3.0 / 7,
		People:   4,
		Weight:   7,
		Segments: []SegmentShares{
			{Name: "small hands", People: 2, Weight: 4, Shares: []float64{0.25, 0.75}, OwnShare: 0.25},
			{Name: "big hands", People: 2, Weight: 3, Shares: []float64{2.0 / 3, 1.0 / 3}, OwnShare: 2.0 / 3},
			{Name: "nobody", Shares: []float64{0, 0}},
		},
	}
	// Standard error of a weighted mean: sqrt(sum w²(p-s)²)/sum w.
	se := math.Sqrt(1*1*(1-3.0/7)*(1-3.0/7)+3*3*(3.0/7)*(3.0/7)+1*(3.0/7)*(3.0/7)+2*2*(1-3.0/7)*(1-3.0/7)) / 7
	want.StdErr = []float64{se, se}
	if diff := cmp.Diff(want, o, approx, cmpopts.IgnoreFields(Outcome{}, "Probs")); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
}

// meanAbsDiff is the mean absolute difference between two outcomes'
// people's probabilities.
func meanAbsDiff(a, b *Outcome) float64 {
	d := 0.0
	for k := range a.Probs {
		d += math.Abs(a.Probs[k] - b.Probs[k])
	}
	return d / float64(len(a.Probs))
}

// TestRandomizedFirstChoiceLimits: with a vanishing error randomised first
// choice is first choice; with product error of scale s alone it
// converges to logit with scale 1/s, smoother as s grows.
func TestRandomizedFirstChoiceLimits(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	m := randomMarket(rng, 200, 3, 3, 2, true)
	products := randomProducts(rng, m, 4, false)

	fc, err := Shares(m, products, Options{Rule: FirstChoice, None: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tiny := range []Options{{ErrorScale: 1e-9}, {AttributeError: 1e-9}, {ErrorScale: 1e-9, AttributeError: 1e-9}} {
		tiny.Rule, tiny.None, tiny.Draws = RandomizedFirstChoice, true, 20
		rfc, err := Shares(m, products, tiny)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(fc.Probs, rfc.Probs); diff != "" {
			t.Errorf("tiny error %+v: people's probabilities differ from first choice (-fc +rfc):\n%s", tiny, diff)
		}
	}

	// With D draws a person's simulated probability has standard
	// deviation at most 0.5/sqrt(D); the mean absolute difference over
	// people and alternatives is about 0.8 times the mean standard
	// deviation, well below the bound used here.
	const draws = 2000
	lastFromFC := 0.0
	for _, s := range []float64{0.25, 1, 4} {
		rfc, err := Shares(m, products, Options{Rule: RandomizedFirstChoice, None: true, Draws: draws, ErrorScale: s})
		if err != nil {
			t.Fatal(err)
		}
		logit, err := Shares(m, products, Options{Scale: 1 / s, None: true})
		if err != nil {
			t.Fatal(err)
		}
		if d := meanAbsDiff(rfc, logit); d > 0.5/math.Sqrt(draws) {
			t.Errorf("error scale %v: people's probabilities differ from logit with scale %v by %v on average", s, 1/s, d)
		}
		if diff := cmp.Diff(logit.Shares, rfc.Shares, cmpopts.EquateApprox(0, 0.01)); diff != "" {
			t.Errorf("error scale %v: shares differ from logit (-logit +rfc):\n%s", s, diff)
		}
		fromFC := meanAbsDiff(rfc, fc)
		if fromFC <= lastFromFC {
			t.Errorf("error scale %v: distance from first choice %v, not above %v at the smaller scale", s, fromFC, lastFromFC)
		}
		lastFromFC = fromFC
	}
}

// TestRandomizedFirstChoiceSimilarity: with attribute error alone, an exact
// copy of a product takes share only from the product it copies; logit
// takes it from everyone.
func TestRandomizedFirstChoiceSimilarity(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	m := randomMarket(rng, 300, 4, 3, 0, false)
	products := randomProducts(rng, m, 3, false)
	products[1].Levels = []int{2, 2, 2, 2} // differs from A's levels
	products[0].Levels = []int{0, 1, 0, 1}
	clone := products[0]
	clone.Name = "clone of A"
	withClone := append(products[:3:3], clone)

	for _, tt := range []struct {
		name     string
		opts     Options
		wantSame bool
	}{
		{name: "rfc, attribute error", opts: Options{Rule: RandomizedFirstChoice, AttributeError: 1, Draws: 200}, wantSame: true},
		{name: "logit", opts: Options{}, wantSame: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := Shares(m, products, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			after, err := Shares(m, withClone, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for j := 1; j < 3; j++ {
				same := math.Abs(before.Shares[j]-after.Shares[j]) < 1e-12
				if same != tt.wantSame {
					t.Errorf("%s: share %v before the clone, %v after", products[j].Name, before.Shares[j], after.Shares[j])
				}
			}
			if tt.wantSame {
				// The copy and the original tie in every draw and
				// split what the original had.
				if d := math.Abs(after.Shares[0] + after.Shares[3] - before.Shares[0]); d > 1e-12 {
					t.Errorf("A and its clone have %v, A alone had %v", after.Shares[0]+after.Shares[3], before.Shares[0])
				}
			}
		})
	}
}

// TestRandomizedFirstChoiceReproducible: the same seed gives the same
// result whatever the number of workers; another seed gives another.
func TestRandomizedFirstChoiceReproducible(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	m := randomMarket(rng, 500, 4, 3, 3, true)
	products := randomProducts(rng, m, 5, true)
	opts := Options{Rule: RandomizedFirstChoice, None: true, Draws: 30, ErrorScale: 0.5, AttributeError: 0.5, Seed: 42}
	run := func(workers int, seed uint64) *Outcome {
		o := opts
		o.Workers, o.Seed = workers, seed
		got, err := Shares(m, products, o)
		if err != nil {
			t.Fatal(err)
		}
		got.Options.Workers = 0
		return got
	}
	one := run(1, 42)
	for _, workers := range []int{1, 2, 3, 8} {
		if diff := cmp.Diff(one, run(workers, 42)); diff != "" {
			t.Errorf("%d workers differ from 1 (-1 +%d):\n%s", workers, workers, diff)
		}
	}
	if other := run(2, 43); cmp.Equal(one.Probs, other.Probs) {
		t.Error("seeds 42 and 43 give the same draws")
	}
}

// TestLogitSharesHelper checks LogitShares against the definition,
// including utilities large enough to overflow a naive exp.
func TestLogitSharesHelper(t *testing.T) {
	utils := [][]float64{{0, 1, 2}, {800, 800, 799}, {-1000, -1001, -1000}}
	e := math.Exp
	want := []float64{
		(1/(1+e(1)+e(2)) + 1/(2+e(-1)) + 1/(2+e(-1))) / 3,
		(e(1)/(1+e(1)+e(2)) + 1/(2+e(-1)) + e(-1)/(2+e(-1))) / 3,
		(e(2)/(1+e(1)+e(2)) + e(-1)/(2+e(-1)) + 1/(2+e(-1))) / 3,
	}
	if diff := cmp.Diff(want, LogitShares(utils), approx); diff != "" {
		t.Errorf("LogitShares (-want +got):\n%s", diff)
	}
}
