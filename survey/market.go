package survey

import (
	"fmt"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/population"
)

// MarketAttributes returns the survey's shown attributes as the market
// simulator describes products: by level name.
func (s *Survey) MarketAttributes() []market.Attribute {
	out := make([]market.Attribute, len(s.Attributes))
	for i, a := range s.Attributes {
		levels := make([]string, len(a.Levels))
		for j, l := range a.Levels {
			levels[j] = l.Name
		}
		out[i] = market.Attribute{Name: a.Name, Levels: levels}
	}
	return out
}

// Market builds a simulated market from coefficients estimated on this
// survey's coding (see the package comment): names are the estimates'
// names and people holds one row of values per person, in names' order (a
// single row for a pooled model; hierarchical Bayes' individual means for
// a market of respondents). Reference levels are worth 0. Every
// coefficient of the coding must be present; others (such as a mixed
// logit's sd.* spreads) are ignored. Names may also be those of the
// specification WriteSpec writes (SpecParams), as tailor fit reports them.
func (s *Survey) Market(names []string, people [][]float64) (*market.Market, error) {
	alias := map[string]string{}
	for i, p := range s.SpecParams() {
		alias[p] = s.Params()[i]
	}
	index := make(map[string]int, len(names))
	for i, n := range names {
		if a, ok := alias[n]; ok {
			n = a
		}
		index[n] = i
	}
	for _, p := range s.Params() {
		if _, ok := index[p]; !ok {
			return nil, errs.Errorf(errs.Invalid, "the estimates have no coefficient %q: were they fitted to this survey?", p)
		}
	}
	m := &market.Market{Attributes: s.MarketAttributes(), People: make([]market.Person, len(people))}
	for i, row := range people {
		if len(row) != len(names) {
			return nil, fmt.Errorf("person %d has %d values for %d coefficients", i, len(row), len(names))
		}
		p := market.Person{Worth: make([][]float64, len(s.Attributes))}
		for a, at := range s.Attributes {
			p.Worth[a] = make([]float64, len(at.Levels))
			for l, lv := range at.Levels[1:] {
				p.Worth[a][l+1] = row[index[at.Name+":"+lv.Name]]
			}
		}
		if j, ok := index["price"]; ok && len(s.Prices) > 0 {
			p.Price = row[j]
		}
		if j, ok := index["none"]; ok && s.Spec.None {
			// The coding measures none against a phone at the centre
			// price; the simulator prices phones absolutely.
			p.None = row[j] + p.Price*float64(s.PriceCentre())/10000
		}
		m.People[i] = p
	}
	return m, nil
}

// TrueMarket builds a simulated market from simulated people's true
// tastes, on the survey's attributes: what a perfectly estimated model
// would give. Segment names come from segs.
func (s *Survey) TrueMarket(people []population.Person, segs []population.Segment) *market.Market {
	m := &market.Market{Attributes: s.MarketAttributes(), People: make([]market.Person, len(people))}
	for _, sg := range segs {
		m.Segments = append(m.Segments, sg.Name)
	}
	for i, pp := range people {
		p := market.Person{Segment: pp.Segment, Price: pp.Price, None: pp.None, Worth: make([][]float64, len(s.Attributes))}
		for a, at := range s.Attributes {
			p.Worth[a] = make([]float64, len(at.Levels))
			for l := range at.Levels {
				p.Worth[a][l] = pp.Taste[at.Index][l]
			}
		}
		m.People[i] = p
	}
	return m
}
