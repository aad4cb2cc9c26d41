// Package population simulates customers: people drawn from segments with
// their own tastes (part-worths for every level of a product model, from a
// hierarchical normal model: a segment mean plus individual deviations), their
// own price sensitivity and a utility for buying nothing. They design phones
// in the configurator by picking one attribute at a time with a logit choice
// among the levels still possible, and answer choice surveys (package
// survey). The demo fills its gallery and analyst charts with them; recovery
// tests use the known truth.
package population

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
)

// Segment is a group of customers with similar tastes.
type Segment struct {
	Name  string
	Share float64 // relative size; shares need not sum to 1
	// Likes holds mean part-worths, attribute -> level -> utility; levels not
	// named have mean 0.
	Likes map[string]map[string]float64
	// PricePer100 is the mean utility of paying 100 major currency units
	// more (negative: people prefer to pay less).
	PricePer100 float64
	// PriceSpread is the individual spread of price sensitivity: the
	// standard deviation of its logarithm. A member's sensitivity is
	// PricePer100 times a lognormal factor with mean 1, so it keeps the
	// segment's sign. Zero gives every member PricePer100.
	PriceSpread float64
	// Spread is the standard deviation of individual part-worths around the
	// segment mean; the none utility varies by as much.
	Spread float64
	// Budget, in major currency units, sets how attractive buying none of
	// the phones on offer is: at that price a member of average taste is
	// indifferent between a phone of neutral taste and none. A member's
	// none utility is their own price sensitivity times Budget/100, plus
	// individual spread. Zero means DefaultBudget.
	Budget float64
	// Complete is the probability that a member finishes a design; others
	// stop after a random number of attributes, leaving a partial design.
	Complete float64
	// Regions and AgeBands are the segment's distributions of those
	// answers, value -> weight; "" is a valid value (did not say).
	Regions  map[string]float64
	AgeBands map[string]float64
}

// DefaultBudget is the Budget of a segment that does not set one.
const DefaultBudget = 500

// Person is one simulated customer.
type Person struct {
	Segment int
	Region  string
	AgeBand string
	// Taste[a][l] is the person's part-worth for level l of attribute a,
	// without price: what a survey that shows its own prices measures.
	Taste [][]float64
	// Price is the person's utility of paying 100 major currency units
	// more.
	Price float64
	// None is the person's utility of buying none of the phones offered,
	// on the same scale as Taste and Price.
	None float64
	// Worth[a][l] is the person's utility for level l of attribute a with
	// the level's price folded in: Taste[a][l] + Price*price/10000, price
	// in minor units (the model's "price" property; none, no folding).
	// The configurator simulation (Design) chooses by it.
	Worth    [][]float64
	Complete bool
	Stop     int // with Complete false: how many attributes they choose
}

// Draw returns n people for model m from the segments, reproducibly for a
// given rng.
func Draw(m *model.Model, segs []Segment, n int, rng *rand.Rand) []Person {
	shares := make([]float64, len(segs))
	for i, s := range segs {
		shares[i] = s.Share
	}
	price := m.Property("price")
	people := make([]Person, n)
	for i := range people {
		si := pick(shares, rng)
		s := segs[si]
		p := Person{Segment: si, Region: pickKey(s.Regions, rng), AgeBand: pickKey(s.AgeBands, rng)}
		p.Taste = make([][]float64, len(m.Attributes))
		for a, at := range m.Attributes {
			p.Taste[a] = make([]float64, len(at.Levels))
			for l, lv := range at.Levels {
				p.Taste[a][l] = s.Likes[at.Name][lv.Name] + s.Spread*rng.NormFloat64()
			}
		}
		p.Price = s.PricePer100
		if s.PriceSpread > 0 {
			p.Price *= math.Exp(s.PriceSpread*rng.NormFloat64() - s.PriceSpread*s.PriceSpread/2)
		}
		budget := s.Budget
		if budget == 0 {
			budget = DefaultBudget
		}
		p.None = p.Price*budget/100 + s.Spread*rng.NormFloat64()
		p.Worth = make([][]float64, len(m.Attributes))
		for a, at := range m.Attributes {
			p.Worth[a] = slices.Clone(p.Taste[a])
			if price != nil {
				for l, lv := range at.Levels {
					p.Worth[a][l] += p.Price * lv.Numbers["price"].Float() / 10000
				}
			}
		}
		p.Complete = rng.Float64() < s.Complete
		if !p.Complete {
			p.Stop = 1 + rng.IntN(max(1, len(m.Attributes)-1))
		}
		people[i] = p
	}
	return people
}

// Design returns the selection p makes in the configurator: attributes in a
// random order, each a logit choice among the levels the engine still
// allows, so every design is valid. A person who does not complete stops
// after p.Stop choices.
func (p Person) Design(e *configurator.Engine, rng *rand.Rand) configurator.Selection {
	sel := e.NewSelection()
	order := rng.Perm(len(sel))
	if !p.Complete {
		order = order[:p.Stop]
	}
	weights := make([]float64, 0, 16)
	for _, a := range order {
		possible, ok := e.Propagate(sel)
		if !ok {
			break // cannot happen: every choice is among possible levels
		}
		weights = weights[:0]
		best := math.Inf(-1)
		for l, ok := range possible[a] {
			if ok {
				best = math.Max(best, p.Worth[a][l])
			}
		}
		for l, ok := range possible[a] {
			w := 0.0
			if ok {
				w = math.Exp(p.Worth[a][l] - best)
			}
			weights = append(weights, w)
		}
		sel[a] = pick(weights, rng)
	}
	return sel
}

// Designs returns each person's design, computed on all workers goroutines.
// Person i draws from a generator seeded with (seed, i), so the result does
// not depend on workers.
func Designs(e *configurator.Engine, people []Person, seed uint64, workers int) []configurator.Selection {
	out := make([]configurator.Selection, len(people))
	var wg sync.WaitGroup
	next := make(chan int, len(people))
	for i := range people {
		next <- i
	}
	close(next)
	for range max(1, workers) {
		wg.Go(func() {
			for i := range next {
				rng := rand.New(rand.NewPCG(seed, uint64(i)))
				out[i] = people[i].Design(e, rng)
			}
		})
	}
	wg.Wait()
	return out
}

// pick returns an index drawn with the given non-negative weights.
func pick(weights []float64, rng *rand.Rand) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	for i := len(weights) - 1; i >= 0; i-- {
		if weights[i] > 0 {
			return i
		}
	}
	return 0
}

// pickKey draws a key of a weighted map, in a deterministic key order.
func pickKey(m map[string]float64, rng *rand.Rand) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	ws := make([]float64, len(keys))
	for i, k := range keys {
		ws[i] = m[k]
	}
	return keys[pick(ws, rng)]
}
