package market

import "slices"

// Comparison holds two scenarios' outcomes and the change in each
// alternative's share from the base to the variant.
type Comparison struct {
	Base, Variant *Outcome `json:"-"`
	// Segments names the market's segments, the order of
	// Change.Segments.
	Segments []string `json:"segments,omitempty"`
	// Changes lists the products of the base scenario in order, then
	// those only in the variant, then the none option if simulated.
	Changes []Change `json:"changes"`
	// Own is the change in the total share of Tailor's products.
	Own ShareChange `json:"own"`
}

// Change is one alternative's share in each scenario, matched by name. A
// product missing from a scenario has share 0 there.
type Change struct {
	Name      string        `json:"name"`
	Own       bool          `json:"own"`
	InBase    bool          `json:"in_base"`
	InVariant bool          `json:"in_variant"`
	Overall   ShareChange   `json:"overall"`
	Segments  []ShareChange `json:"segments,omitempty"`
}

// ShareChange is a share in the base and the variant scenario, and
// Variant-Base.
type ShareChange struct {
	Base    float64 `json:"base"`
	Variant float64 `json:"variant"`
	Delta   float64 `json:"delta"`
}

func change(base, variant float64) ShareChange {
	return ShareChange{Base: base, Variant: variant, Delta: variant - base}
}

// Compare simulates both scenarios with the same options and reports the
// change in every product's share, matching products by name. Under
// randomised first choice, a product in both scenarios gets the same errors
// in both, so its change reflects the scenarios, not the draws. Errors have
// code invalid.
func Compare(m *Market, base, variant []Product, opts Options) (*Comparison, error) {
	b, err := Shares(m, base, opts)
	if err != nil {
		return nil, err
	}
	v, err := Shares(m, variant, opts)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Base: b, Variant: v, Segments: slices.Clone(m.Segments), Own: change(b.OwnShare, v.OwnShare)}
	names := slices.Clone(b.Products)
	for _, n := range v.Products {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	// The none option goes last.
	if i := slices.Index(names, NoneName); i >= 0 {
		names = append(slices.Delete(names, i, i+1), NoneName)
	}
	for _, n := range names {
		bi, vi := slices.Index(b.Products, n), slices.Index(v.Products, n)
		ch := Change{Name: n, InBase: bi >= 0, InVariant: vi >= 0}
		var bs, vs float64
		if bi >= 0 {
			bs, ch.Own = b.Shares[bi], b.Own[bi]
		}
		if vi >= 0 {
			vs, ch.Own = v.Shares[vi], ch.Own || v.Own[vi]
		}
		ch.Overall = change(bs, vs)
		for g := range m.Segments {
			var bs, vs float64
			if bi >= 0 {
				bs = b.Segments[g].Shares[bi]
			}
			if vi >= 0 {
				vs = v.Segments[g].Shares[vi]
			}
			ch.Segments = append(ch.Segments, change(bs, vs))
		}
		c.Changes = append(c.Changes, ch)
	}
	return c, nil
}
