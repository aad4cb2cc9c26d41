package market

import (
	"slices"

	"github.com/tailor-c2b/tailor/errs"
)

// Curve is a product's price-sensitivity curve: its share, volume and
// revenue at a range of prices, the other products held fixed.
type Curve struct {
	Product string `json:"product"`
	Own     bool   `json:"own"`
	// Options are the options used, with defaults filled in; People
	// counts the people.
	Options Options `json:"options"`
	People  int     `json:"people"`
	// Base is the product's price in the scenario given, the price at
	// which the revenue index is 100; BaseRevenue is the revenue there.
	Base        int64   `json:"base_price"`
	BaseShare   float64 `json:"base_share"`
	BaseRevenue float64 `json:"base_revenue"`
	// Segments names the market's segments, the order of
	// PricePoint.Segments.
	Segments []string     `json:"segments,omitempty"`
	Points   []PricePoint `json:"points"`
}

// PricePoint is the product's position at one price.
type PricePoint struct {
	// Price is in minor currency units.
	Price int64 `json:"price"`
	// Share is the product's share of preference.
	Share float64 `json:"share"`
	// Units is the number of units bought per 1,000 people (weighted):
	// 1000·Share. Without the none option everyone buys a phone, so units
	// are an upper bound.
	Units float64 `json:"units_per_1000"`
	// Revenue is Units times the price, in major currency units per 1,000
	// people; Index is 100·Revenue/Curve.BaseRevenue (0 when that is 0).
	Revenue float64 `json:"revenue_per_1000"`
	Index   float64 `json:"revenue_index"`
	// OwnShare is the total share of Tailor's products, which shows what
	// the product takes from, or gives to, its siblings.
	OwnShare float64 `json:"own_share"`
	// Segments holds the product's share within each segment.
	Segments []float64 `json:"segments,omitempty"`
}

// PriceCurve simulates the products with products[which] at each of
// prices in turn (minor units), the other products unchanged. With a
// negative price sensitivity the product's share does not rise with its
// price under any rule (randomised first choice uses the same draws at
// every price). Errors have code invalid.
func PriceCurve(m *Market, products []Product, which int, prices []int64, opts Options) (*Curve, error) {
	if which < 0 || which >= len(products) {
		return nil, errs.Errorf(errs.Invalid, "product %d is not one of the %d products", which, len(products))
	}
	if len(prices) == 0 {
		return nil, errs.Errorf(errs.Invalid, "no prices for the price curve")
	}
	for _, p := range prices {
		if p < 0 {
			return nil, errs.Errorf(errs.Invalid, "negative price %d", p)
		}
	}
	products = slices.Clone(products)
	s, err := newSim(m, products, opts)
	if err != nil {
		return nil, err
	}
	target := products[which]
	c := &Curve{Product: target.Name, Own: target.Own, Base: target.Price, Options: s.opts, People: len(m.People), Segments: slices.Clone(m.Segments)}
	point := func(price int64) PricePoint {
		products[which].Price = price
		nProd := len(products)
		for i := range m.People {
			utilities(s.util[i*nProd+which:i*nProd+which+1], &m.People[i], products[which:which+1])
		}
		o := s.run()
		pt := PricePoint{Price: price, Share: o.Shares[which], OwnShare: o.OwnShare}
		pt.Units = 1000 * pt.Share
		pt.Revenue = pt.Units * float64(price) / 100
		for _, seg := range o.Segments {
			pt.Segments = append(pt.Segments, seg.Shares[which])
		}
		return pt
	}
	base := point(target.Price)
	c.BaseShare, c.BaseRevenue = base.Share, base.Revenue
	for _, p := range prices {
		pt := base
		if p != target.Price {
			pt = point(p)
		}
		if c.BaseRevenue > 0 {
			pt.Index = 100 * (pt.Revenue / c.BaseRevenue)
		}
		c.Points = append(c.Points, pt)
	}
	return c, nil
}
