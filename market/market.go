// Package market simulates a market of people with individual part-worths
// choosing among a set of phones: Tailor's own variants and competitors'
// phones, each defined by its attribute levels and its price. It predicts
// shares of preference overall and by segment, compares scenarios and traces
// price-sensitivity curves. The package is pure: it computes, it does no I/O
// beyond the writers handed to Print.
//
// # Utility
//
// Person i's utility of product j is the sum of the person's part-worths of
// the product's levels plus the person's price sensitivity times the price:
//
//	u[i][j] = sum_a Worth[a][Levels[a]] + Price * price/10000
//
// where price is in minor currency units, so Person.Price is the utility of
// 100 major units (100 euros). An attribute a product leaves unspecified
// (level -1) contributes nothing, which with zero-centred (effects-coded)
// part-worths means "an average level". When Options.None is set each person
// may also buy none of the phones, with utility Person.None.
//
// # Rules
//
// Logit (share of preference): person i's probability of product j is
// exp(s·u[i][j]) / sum_k exp(s·u[i][k]), with s = Options.Scale (default 1).
// A larger scale makes the shares steeper, a smaller one flatter. Logit
// shares have the IIA property: for each person, the ratio of two products'
// probabilities does not depend on which other products are offered, so a
// near copy of a product draws share from every other product in proportion,
// rather than mostly from the product it copies.
//
// First choice: each person buys the product of highest utility; products
// tied for the highest split the person evenly. Free of IIA, but steep and
// sensitive to small differences.
//
// Randomised first choice (after Orme and Huber, Sawtooth Software): for
// each person and each of Options.Draws draws, a mean-zero Gumbel error of
// scale Options.AttributeError is added to every attribute level's
// part-worth, the same error for every product that has the level, and a
// mean-zero Gumbel error of scale Options.ErrorScale is added to every
// product's utility (and to the none option's); the person then buys the
// product of highest perturbed utility, and the choices are averaged over
// the draws. The attribute error is what corrects for product similarity:
// products that share levels share errors, so they compete with each other
// more than with different products. Price and the none utility get no
// attribute error. With product error alone, randomised first choice is
// logit computed by simulation (with Scale = 1/ErrorScale); with both
// errors near zero it is first choice. When both are zero, ErrorScale is 1.
//
// Draws are reproducible: every person's errors come from streams seeded by
// Options.Seed, the person's index and the product's name (or the level's),
// so results do not depend on Options.Workers, and scenarios that share a
// product share its errors (common random numbers), which keeps the noise
// out of scenario comparisons and makes price curves monotone.
//
// # Aggregation
//
// Shares are means of the people's probabilities weighted by Person.Weight
// (a weight of 0 counts as 1), overall and within each segment. Outcome keeps
// each person's probabilities for tools, such as a lineup optimiser, that
// need more than the means.
package market

import (
	"math"
	"slices"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/suggest"
)

// Attribute is a product attribute and its levels, in the order the
// part-worths use.
type Attribute struct {
	Name   string
	Levels []string
}

// Person is one member of the simulated market, typically a respondent's
// individual part-worths from a hierarchical Bayes fit.
type Person struct {
	// Weight is the person's sampling or importance weight. Zero counts as
	// 1, so unweighted markets need not set it; leave a person out of
	// People to exclude them. Negative weights are invalid.
	Weight float64
	// Segment indexes Market.Segments; it must be 0 when there are none.
	Segment int
	// Worth[a][l] is the utility of level l of attribute a.
	Worth [][]float64
	// Price is the utility of paying 100 major currency units (10,000
	// minor units); negative for people who prefer to pay less.
	Price float64
	// None is the utility of buying none of the phones.
	None float64
}

// Market is the people and the attributes their part-worths refer to.
type Market struct {
	Attributes []Attribute
	// Segments names the segments people belong to; may be empty.
	Segments []string
	People   []Person
}

// Product is a phone on offer: one of Tailor's variants or a competitor's.
type Product struct {
	// Name identifies the product; names are unique within a scenario
	// and match products across scenarios.
	Name string
	// Levels holds the product's level of each attribute, in
	// Market.Attributes order; -1 leaves an attribute unspecified, which
	// contributes nothing to utility.
	Levels []int
	// Price is in minor currency units (cents).
	Price int64
	// Own marks Tailor's own products.
	Own bool
}

// Validate reports the first inconsistency in m, or nil. Errors have code
// invalid.
func (m *Market) Validate() error {
	if m == nil || len(m.People) == 0 {
		return errs.Errorf(errs.Invalid, "the market has no people")
	}
	for a, at := range m.Attributes {
		if at.Name == "" {
			return errs.Errorf(errs.Invalid, "attribute %d has no name", a+1)
		}
		if len(at.Levels) == 0 {
			return errs.Errorf(errs.Invalid, "attribute %s has no levels", at.Name)
		}
		if slices.ContainsFunc(m.Attributes[:a], func(b Attribute) bool { return b.Name == at.Name }) {
			return errs.Errorf(errs.Invalid, "attribute %s appears twice", at.Name)
		}
	}
	for i := range m.People {
		p := &m.People[i]
		switch {
		case p.Weight < 0 || math.IsNaN(p.Weight) || math.IsInf(p.Weight, 0):
			return errs.Errorf(errs.Invalid, "person %d: weight %v is not a non-negative number", i+1, p.Weight)
		case len(m.Segments) == 0 && p.Segment != 0:
			return errs.Errorf(errs.Invalid, "person %d: segment %d, but the market has no segments", i+1, p.Segment)
		case len(m.Segments) > 0 && (p.Segment < 0 || p.Segment >= len(m.Segments)):
			return errs.Errorf(errs.Invalid, "person %d: segment %d is not one of the %d segments", i+1, p.Segment, len(m.Segments))
		case len(p.Worth) != len(m.Attributes):
			return errs.Errorf(errs.Invalid, "person %d: part-worths for %d attributes, the market has %d", i+1, len(p.Worth), len(m.Attributes))
		case !finite(p.Price) || !finite(p.None):
			return errs.Errorf(errs.Invalid, "person %d: price or none utility is not a finite number", i+1)
		}
		for a, w := range p.Worth {
			if len(w) != len(m.Attributes[a].Levels) {
				return errs.Errorf(errs.Invalid, "person %d: %d part-worths for attribute %s, which has %d levels",
					i+1, len(w), m.Attributes[a].Name, len(m.Attributes[a].Levels))
			}
			for l, x := range w {
				if !finite(x) {
					return errs.Errorf(errs.Invalid, "person %d: part-worth of %s=%s is not a finite number",
						i+1, m.Attributes[a].Name, m.Attributes[a].Levels[l])
				}
			}
		}
	}
	return nil
}

// checkProducts reports the first product that does not fit m, or a
// repeated name.
func checkProducts(m *Market, products []Product) error {
	if len(products) == 0 {
		return errs.Errorf(errs.Invalid, "no products to simulate")
	}
	seen := make(map[string]bool, len(products))
	for j, p := range products {
		if p.Name == "" {
			return errs.Errorf(errs.Invalid, "product %d has no name", j+1)
		}
		if p.Name == NoneName {
			return errs.Errorf(errs.Invalid, "product %d: the name %q is reserved for the no-purchase option", j+1, NoneName)
		}
		if seen[p.Name] {
			return errs.Errorf(errs.Invalid, "product %s appears twice", p.Name)
		}
		seen[p.Name] = true
		if len(p.Levels) != len(m.Attributes) {
			return errs.Errorf(errs.Invalid, "product %s: %d levels for %d attributes", p.Name, len(p.Levels), len(m.Attributes))
		}
		for a, l := range p.Levels {
			if l < -1 || l >= len(m.Attributes[a].Levels) {
				return errs.Errorf(errs.Invalid, "product %s: level %d of attribute %s is out of range", p.Name, l, m.Attributes[a].Name)
			}
		}
		if p.Price < 0 {
			return errs.Errorf(errs.Invalid, "product %s: negative price %d", p.Name, p.Price)
		}
	}
	return nil
}

// ProductByName returns the product called name with the given levels,
// named attribute to level, and price in minor units. Attributes not in
// levels are left unspecified. Errors have code invalid and name the
// closest attribute or the levels there are.
func ProductByName(m *Market, name string, levels map[string]string, price int64) (Product, error) {
	p := Product{Name: name, Levels: make([]int, len(m.Attributes)), Price: price}
	for a := range p.Levels {
		p.Levels[a] = -1
	}
	names := make([]string, len(m.Attributes))
	for a, at := range m.Attributes {
		names[a] = at.Name
	}
	// Sorted keys, so the error for several bad entries is always the same.
	keys := make([]string, 0, len(levels))
	for k := range levels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, attr := range keys {
		level := levels[attr]
		a := slices.Index(names, attr)
		if a < 0 {
			return Product{}, errs.Errorf(errs.Invalid, "product %s: unknown attribute %q%s", name, attr, suggest.DidYouMean(attr, names))
		}
		l := slices.Index(m.Attributes[a].Levels, level)
		if l < 0 {
			return Product{}, errs.Errorf(errs.Invalid, "product %s: attribute %s has no level %q%s; its levels are %s",
				name, attr, level, suggest.DidYouMean(level, m.Attributes[a].Levels), strings.Join(m.Attributes[a].Levels, ", "))
		}
		p.Levels[a] = l
	}
	if price < 0 {
		return Product{}, errs.Errorf(errs.Invalid, "product %s: negative price %d", name, price)
	}
	return p, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Utilities returns every person's utility of every product, row-major:
// element i*len(products)+j is person i's utility of product j. A lineup
// optimiser can compute it once for all candidate products and pass
// sub-matrices to LogitShares or its own rule.
func Utilities(m *Market, products []Product) ([]float64, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := checkProducts(m, products); err != nil {
		return nil, err
	}
	u := make([]float64, len(m.People)*len(products))
	for i := range m.People {
		utilities(u[i*len(products):(i+1)*len(products)], &m.People[i], products)
	}
	return u, nil
}

// utilities writes person p's utility of each product into dst.
func utilities(dst []float64, p *Person, products []Product) {
	for j := range products {
		pr := &products[j]
		u := p.Price * float64(pr.Price) / 10000
		for a, l := range pr.Levels {
			if l >= 0 {
				u += p.Worth[a][l]
			}
		}
		dst[j] = u
	}
}
