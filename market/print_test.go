package market

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// printMarket is a small phone market in two segments that the golden
// files describe.
func printMarket(t *testing.T) (*Market, []Product) {
	t.Helper()
	m := &Market{
		Attributes: []Attribute{
			{Name: "size", Levels: []string{"compact", "standard", "max"}},
			{Name: "camera", Levels: []string{"basic", "pro"}},
		},
		Segments: []string{"Photographers", "Compact lovers"},
	}
	for i := range 12 {
		seg := i % 2
		p := Person{Segment: seg, Price: -0.3 - 0.05*float64(i%3), None: -1 + 0.2*float64(i%4)}
		if seg == 0 {
			p.Worth = [][]float64{{-0.5, 0.2, 0.3 + 0.1*float64(i%3)}, {-1.2, 1.2}}
		} else {
			p.Worth = [][]float64{{1.5 - 0.1*float64(i%3), 0, -1.5}, {-0.2, 0.2}}
		}
		m.People = append(m.People, p)
	}
	var products []Product
	for _, spec := range []struct {
		name   string
		levels map[string]string
		price  int64
		own    bool
	}{
		{"Tailor Mini", map[string]string{"size": "compact", "camera": "basic"}, 59900, true},
		{"Tailor Pro", map[string]string{"size": "max", "camera": "pro"}, 99900, true},
		{"Rival S", map[string]string{"size": "standard", "camera": "pro"}, 84900, false},
	} {
		p, err := ProductByName(m, spec.name, spec.levels, spec.price)
		if err != nil {
			t.Fatal(err)
		}
		p.Own = spec.own
		products = append(products, p)
	}
	return m, products
}

func TestPrint(t *testing.T) {
	m, products := printMarket(t)
	var b strings.Builder

	o, err := Shares(m, products, Options{None: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Print(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "shares.golden", b.String())

	b.Reset()
	rival := products[2]
	rival.Name, rival.Price = "Rival S2", 79900
	c, err := Compare(m, products, []Product{products[0], products[1], rival},
		Options{Rule: RandomizedFirstChoice, None: true, Draws: 200, AttributeError: 0.3, ErrorScale: 0.3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Print(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.golden", b.String())

	b.Reset()
	curve, err := PriceCurve(m, products, 1, []int64{79900, 89900, 99900, 109900, 119900}, Options{None: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := curve.Print(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "curve.golden", b.String())
}
