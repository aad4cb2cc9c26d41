package market

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	m := randomMarket(rng, 300, 3, 3, 2, true)
	ps := randomProducts(rng, m, 4, false) // A, B own; C, D competitors
	base := ps[:3]
	cheaperC := ps[2]
	cheaperC.Price -= 10000
	variant := []Product{ps[0], cheaperC, ps[3]} // B withdrawn, C cheaper, D launched

	for _, opts := range []Options{
		{None: true},
		{Rule: FirstChoice},
		{Rule: RandomizedFirstChoice, None: true, Draws: 50, AttributeError: 0.5, ErrorScale: 0.5},
	} {
		t.Run(opts.Rule.String(), func(t *testing.T) {
			got, err := Compare(m, base, variant, opts)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Shares(m, base, opts)
			if err != nil {
				t.Fatal(err)
			}
			v, err := Shares(m, variant, opts)
			if err != nil {
				t.Fatal(err)
			}
			share := func(o *Outcome, name string, seg int) float64 {
				j := slices.Index(o.Products, name)
				switch {
				case j < 0:
					return 0
				case seg < 0:
					return o.Shares[j]
				}
				return o.Segments[seg].Shares[j]
			}
			names := []string{ps[0].Name, ps[1].Name, ps[2].Name, ps[3].Name}
			if opts.None {
				names = append(names, NoneName)
			}
			var want []Change
			for _, n := range names {
				ch := Change{Name: n, Own: n == ps[0].Name || n == ps[1].Name,
					InBase: slices.Contains(b.Products, n), InVariant: slices.Contains(v.Products, n)}
				ch.Overall = ShareChange{Base: share(b, n, -1), Variant: share(v, n, -1)}
				ch.Overall.Delta = ch.Overall.Variant - ch.Overall.Base
				for g := range m.Segments {
					sc := ShareChange{Base: share(b, n, g), Variant: share(v, n, g)}
					sc.Delta = sc.Variant - sc.Base
					ch.Segments = append(ch.Segments, sc)
				}
				want = append(want, ch)
			}
			if diff := cmp.Diff(want, got.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if want := (ShareChange{Base: b.OwnShare, Variant: v.OwnShare, Delta: v.OwnShare - b.OwnShare}); got.Own != want {
				t.Errorf("own change %+v, want %+v", got.Own, want)
			}
			if got.Changes[1].InVariant || got.Changes[1].Overall.Variant != 0 || got.Changes[3].InBase || got.Changes[3].Overall.Base != 0 {
				t.Errorf("withdrawn and launched products: %+v, %+v", got.Changes[1], got.Changes[3])
			}
		})
	}
}

// TestCompareCommonRandomNumbers: under randomised first choice a product
// that nobody could want changes nobody's draws, so adding it leaves
// every other share exactly as it was.
func TestCompareCommonRandomNumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	m := randomMarket(rng, 200, 3, 3, 0, false)
	base := randomProducts(rng, m, 3, false)
	dud := Product{Name: "dud", Levels: []int{0, 0, 0}, Price: 1e9}
	c, err := Compare(m, base, append(slices.Clone(base), dud), Options{Rule: RandomizedFirstChoice, None: true, Draws: 50, AttributeError: 0.3, ErrorScale: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range c.Changes {
		if ch.Overall.Delta != 0 {
			t.Errorf("%s: share changed by %v", ch.Name, ch.Overall.Delta)
		}
	}
}

func TestPriceCurve(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	m := randomMarket(rng, 300, 3, 3, 2, true)
	products := randomProducts(rng, m, 4, false)
	products[0].Price = 50000
	var prices []int64
	for p := int64(0); p <= 150000; p += 10000 {
		prices = append(prices, p)
	}
	for _, opts := range []Options{
		{None: true},
		{Scale: 2},
		{Rule: FirstChoice, None: true},
		{Rule: RandomizedFirstChoice, None: true, Draws: 50, AttributeError: 0.5, ErrorScale: 0.5},
	} {
		t.Run(opts.Rule.String(), func(t *testing.T) {
			c, err := PriceCurve(m, products, 0, prices, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Points) != len(prices) || c.Product != products[0].Name || c.Base != 50000 {
				t.Fatalf("curve for %s at base %d with %d points", c.Product, c.Base, len(c.Points))
			}
			for k, pt := range c.Points {
				// Every point is what Shares says at that price.
				at := slices.Clone(products)
				at[0].Price = pt.Price
				o, err := Shares(m, at, opts)
				if err != nil {
					t.Fatal(err)
				}
				want := PricePoint{Price: prices[k], Share: o.Shares[0], Units: 1000 * o.Shares[0],
					Revenue: 1000 * o.Shares[0] * float64(prices[k]) / 100, OwnShare: o.OwnShare}
				want.Index = 100 * (want.Revenue / c.BaseRevenue)
				for _, s := range o.Segments {
					want.Segments = append(want.Segments, s.Shares[0])
				}
				if diff := cmp.Diff(want, pt, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
					t.Errorf("point at %d (-want +got):\n%s", pt.Price, diff)
				}
				if pt.Price == c.Base && pt.Index != 100 {
					t.Errorf("revenue index %v at the base price", pt.Index)
				}
				if k == 0 {
					continue
				}
				prev := c.Points[k-1]
				if pt.Share > prev.Share {
					t.Errorf("share rises from %v at %d to %v at %d", prev.Share, prev.Price, pt.Share, pt.Price)
				}
				for g := range pt.Segments {
					if pt.Segments[g] > prev.Segments[g] {
						t.Errorf("segment %d: share rises from %v at %d to %v at %d", g, prev.Segments[g], prev.Price, pt.Segments[g], pt.Price)
					}
				}
			}
			if first, last := c.Points[0].Share, c.Points[len(c.Points)-1].Share; !(last < first) {
				t.Errorf("share %v at the lowest price, %v at the highest: the curve is flat", first, last)
			}
		})
	}
	for _, tt := range []struct {
		name   string
		which  int
		prices []int64
	}{{"no such product", 4, prices}, {"no prices", 0, nil}, {"negative price", 0, []int64{-1}}} {
		if _, err := PriceCurve(m, products, tt.which, tt.prices, Options{}); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
