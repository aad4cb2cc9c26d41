package survey

import (
	"github.com/tailor-c2b/tailor/choice"
)

// PriceRange returns the spread of the survey's prices in the coding's
// unit (100 major currency units): the highest price shown minus the
// lowest, over 10000 minor units; 0 when the survey shows no price.
func (s *Survey) PriceRange() float64 {
	if len(s.Prices) == 0 {
		return 0
	}
	return float64(s.Prices[len(s.Prices)-1]-s.Prices[0]) / 10000
}

// Summarize derives, from a fit to this survey's answers, the figures an
// analyst reads (choice.Summarize): willingness to pay for every level in
// major currency units (-100·b/b_price, since price is coded per 100 major
// units), attribute importances in which the price counts over the range
// of prices shown, and, when holdout is not nil, the hit rate on the
// holdout tasks (holdout is Data(answers, true)). The none constant gets
// no willingness to pay: it is not a feature of a phone. Without prices
// there is no willingness to pay. Errors as choice.Summarize.
func (s *Survey) Summarize(r *choice.Result, holdout *choice.Data) (*choice.Summary, error) {
	o := choice.SummaryOptions{Holdout: holdout}
	if pr := s.PriceRange(); pr > 0 {
		o.Ranges = map[string]float64{"price": pr}
		if e, ok := r.Param("price"); ok && e.Value != 0 {
			o.Price, o.PriceScale = "price", 100
		}
	}
	sum, err := choice.Summarize(r, o)
	if err != nil {
		return nil, err
	}
	wtp := sum.WTP[:0]
	for _, w := range sum.WTP {
		if w.Name != "none" {
			wtp = append(wtp, w)
		}
	}
	sum.WTP = wtp
	return sum, nil
}

// RandomCoefficients returns the random coefficients a mixed logit of this
// survey's coding (d from Data) gives the people: every part-worth and the
// none constant normal, the price the same for everyone. A fixed price
// coefficient keeps willingness to pay a ratio of means with a finite
// spread, the usual choice since Revelt and Train (1998).
func RandomCoefficients(d *choice.Data) []choice.Random {
	var out []choice.Random
	for k, name := range d.Params {
		if name != "price" {
			out = append(out, choice.Random{Param: k, Dist: choice.Normal})
		}
	}
	return out
}
