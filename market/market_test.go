package market

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/errs"
)

// randomMarket returns a market of n people over attrs attributes of levels
// levels each, spread over segs segments (none when 0), with random
// weights when weighted.
func randomMarket(rng *rand.Rand, n, attrs, levels, segs int, weighted bool) *Market {
	m := &Market{}
	for a := range attrs {
		at := Attribute{Name: string(rune('a' + a))}
		for l := range levels {
			at.Levels = append(at.Levels, string(rune('a'+a))+string(rune('0'+l)))
		}
		m.Attributes = append(m.Attributes, at)
	}
	for g := range segs {
		m.Segments = append(m.Segments, "segment "+string(rune('A'+g)))
	}
	for range n {
		p := Person{Price: -0.2 - rng.Float64(), None: rng.NormFloat64()}
		if weighted {
			p.Weight = 0.2 + 2*rng.Float64()
		}
		if segs > 0 {
			p.Segment = rng.IntN(segs)
		}
		for range attrs {
			w := make([]float64, levels)
			for l := range w {
				w[l] = 1.5 * rng.NormFloat64()
			}
			p.Worth = append(p.Worth, w)
		}
		m.People = append(m.People, p)
	}
	return m
}

// randomProducts returns n products over m's attributes; with unspecified,
// some levels are left unspecified. The first half are Tailor's.
func randomProducts(rng *rand.Rand, m *Market, n int, unspecified bool) []Product {
	var ps []Product
	for j := range n {
		p := Product{Name: "phone " + string(rune('A'+j)), Price: 20000 + rng.Int64N(80000), Own: j < (n+1)/2}
		for _, at := range m.Attributes {
			l := rng.IntN(len(at.Levels))
			if unspecified && rng.IntN(4) == 0 {
				l = -1
			}
			p.Levels = append(p.Levels, l)
		}
		ps = append(ps, p)
	}
	return ps
}

func TestUtilities(t *testing.T) {
	m := &Market{
		Attributes: []Attribute{{Name: "size", Levels: []string{"compact", "max"}}, {Name: "colour", Levels: []string{"black", "white", "blue"}}},
		People: []Person{
			{Worth: [][]float64{{0.5, -0.5}, {1, 0, -1}}, Price: -0.3},
			{Worth: [][]float64{{-1, 1}, {0.2, 0.4, -0.6}}, Price: -1},
		},
	}
	products := []Product{
		{Name: "compact white", Levels: []int{0, 1}, Price: 59900},
		{Name: "max, any colour", Levels: []int{1, -1}, Price: 10000},
	}
	got, err := Utilities(m, products)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{
		0.5 + 0 - 0.3*5.99, -0.5 - 0.3,
		-1 + 0.4 - 1*5.99, 1 - 1,
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
		t.Errorf("Utilities (-want +got):\n%s", diff)
	}
}

func TestProductByName(t *testing.T) {
	m := &Market{Attributes: []Attribute{
		{Name: "size", Levels: []string{"compact", "max"}},
		{Name: "colour", Levels: []string{"black", "white"}},
		{Name: "storage", Levels: []string{"128gb", "256gb", "512gb"}},
	}}
	tests := []struct {
		name    string
		levels  map[string]string
		price   int64
		want    Product
		wantErr string
	}{
		{name: "all", levels: map[string]string{"size": "max", "colour": "white", "storage": "512gb"}, price: 99900,
			want: Product{Name: "all", Levels: []int{1, 1, 2}, Price: 99900}},
		{name: "some", levels: map[string]string{"storage": "128gb"}, price: 0,
			want: Product{Name: "some", Levels: []int{-1, -1, 0}}},
		{name: "typo in attribute", levels: map[string]string{"colur": "white"},
			wantErr: `invalid: product typo in attribute: unknown attribute "colur" (did you mean "colour"?)`},
		{name: "unknown attribute", levels: map[string]string{"zzzzzzzzz": "white"},
			wantErr: `invalid: product unknown attribute: unknown attribute "zzzzzzzzz"`},
		{name: "typo in level", levels: map[string]string{"storage": "265gb"},
			wantErr: `invalid: product typo in level: attribute storage has no level "265gb" (did you mean "256gb"?); its levels are 128gb, 256gb, 512gb`},
		{name: "unknown level", levels: map[string]string{"size": "enormous"},
			wantErr: `invalid: product unknown level: attribute size has no level "enormous"; its levels are compact, max`},
		{name: "negative price", price: -1, wantErr: `invalid: product negative price: negative price -1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ProductByName(m, tt.name, tt.levels, tt.price)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %s", err, tt.wantErr)
				}
				if errs.Code(err) != errs.Invalid {
					t.Errorf("code %s, want invalid", errs.Code(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ProductByName (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidInput(t *testing.T) {
	good := func() (*Market, []Product) {
		m := &Market{
			Attributes: []Attribute{{Name: "size", Levels: []string{"compact", "max"}}},
			Segments:   []string{"young", "old"},
			People:     []Person{{Segment: 1, Worth: [][]float64{{0, 1}}, Price: -1}},
		}
		return m, []Product{{Name: "A", Levels: []int{0}, Price: 100}, {Name: "B", Levels: []int{1}, Price: 200}}
	}
	tests := []struct {
		name    string
		change  func(m *Market, ps []Product) []Product
		opts    Options
		wantErr string
	}{
		{name: "no people", change: func(m *Market, ps []Product) []Product { m.People = nil; return ps },
			wantErr: "the market has no people"},
		{name: "negative weight", change: func(m *Market, ps []Product) []Product { m.People[0].Weight = -1; return ps },
			wantErr: "person 1: weight -1 is not a non-negative number"},
		{name: "segment out of range", change: func(m *Market, ps []Product) []Product { m.People[0].Segment = 2; return ps },
			wantErr: "person 1: segment 2 is not one of the 2 segments"},
		{name: "segment without segments", change: func(m *Market, ps []Product) []Product { m.Segments = nil; return ps },
			wantErr: "person 1: segment 1, but the market has no segments"},
		{name: "part-worths for too few levels", change: func(m *Market, ps []Product) []Product { m.People[0].Worth[0] = []float64{1}; return ps },
			wantErr: "person 1: 1 part-worths for attribute size, which has 2 levels"},
		{name: "part-worths for too many attributes", change: func(m *Market, ps []Product) []Product {
			m.People[0].Worth = append(m.People[0].Worth, []float64{1})
			return ps
		}, wantErr: "person 1: part-worths for 2 attributes, the market has 1"},
		{name: "NaN part-worth", change: func(m *Market, ps []Product) []Product { m.People[0].Worth[0][1] = math.NaN(); return ps },
			wantErr: "person 1: part-worth of size=max is not a finite number"},
		{name: "repeated attribute", change: func(m *Market, ps []Product) []Product {
			m.Attributes = append(m.Attributes, m.Attributes[0])
			return ps
		}, wantErr: "attribute size appears twice"},
		{name: "no products", change: func(m *Market, ps []Product) []Product { return nil },
			wantErr: "no products to simulate"},
		{name: "repeated product", change: func(m *Market, ps []Product) []Product { ps[1].Name = "A"; return ps },
			wantErr: "product A appears twice"},
		{name: "unnamed product", change: func(m *Market, ps []Product) []Product { ps[1].Name = ""; return ps },
			wantErr: "product 2 has no name"},
		{name: "product named None", change: func(m *Market, ps []Product) []Product { ps[1].Name = "None"; return ps },
			wantErr: `product 2: the name "None" is reserved for the no-purchase option`},
		{name: "too few levels", change: func(m *Market, ps []Product) []Product { ps[0].Levels = nil; return ps },
			wantErr: "product A: 0 levels for 1 attributes"},
		{name: "level out of range", change: func(m *Market, ps []Product) []Product { ps[0].Levels[0] = 2; return ps },
			wantErr: "product A: level 2 of attribute size is out of range"},
		{name: "negative price", change: func(m *Market, ps []Product) []Product { ps[0].Price = -5; return ps },
			wantErr: "product A: negative price -5"},
		{name: "negative scale", opts: Options{Scale: -1}, wantErr: "scale -1 is not a non-negative number"},
		{name: "negative draws", opts: Options{Rule: RandomizedFirstChoice, Draws: -1}, wantErr: "negative number of draws -1"},
		{name: "negative error", opts: Options{Rule: RandomizedFirstChoice, AttributeError: -1}, wantErr: "error scales must be non-negative numbers"},
		{name: "unknown rule", opts: Options{Rule: 7}, wantErr: "unknown simulation rule 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ps := good()
			if tt.change != nil {
				ps = tt.change(m, ps)
			}
			_, err := Shares(m, ps, tt.opts)
			if err == nil || errs.Message(err) != tt.wantErr || errs.Code(err) != errs.Invalid {
				t.Errorf("error %v, want invalid: %s", err, tt.wantErr)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		m, ps := good()
		if _, err := Shares(m, ps, Options{}); err != nil {
			t.Errorf("unexpected error %v", err)
		}
	})
}

func TestParseRule(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Rule
	}{{"logit", Logit}, {"first-choice", FirstChoice}, {"FC", FirstChoice}, {"rfc", RandomizedFirstChoice}, {"randomized-first-choice", RandomizedFirstChoice}} {
		got, err := ParseRule(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRule(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if back, err := ParseRule(got.String()); err != nil || back != got {
			t.Errorf("ParseRule(%v.String()) = %v, %v", got, back, err)
		}
	}
	if _, err := ParseRule("probit"); err == nil {
		t.Error("ParseRule(probit) succeeded")
	}

	opts := Options{Rule: RandomizedFirstChoice, Draws: 50, AttributeError: 0.5, Workers: 4}
	b, err := json.Marshal(opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"rule":"randomized-first-choice","scale":0,"none":false,"draws":50,"attribute_error":0.5}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back Options
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	opts.Workers = 0
	if back != opts {
		t.Errorf("JSON round trip gives %+v, want %+v", back, opts)
	}
}
