package market

import (
	"math/rand/v2"
	"testing"
)

// benchMarket is 10,000 people in 5 segments over 8 attributes of 4
// levels, and 20 products, half of them Tailor's.
func benchMarket() (*Market, []Product) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := randomMarket(rng, 10000, 8, 4, 5, true)
	return m, randomProducts(rng, m, 20, true)
}

func benchmarkShares(b *testing.B, opts Options) {
	m, products := benchMarket()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Shares(m, products, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(m.People)), "ns/person")
}

// BenchmarkSharesLogit: 10,000 people × 20 products and none, logit.
func BenchmarkSharesLogit(b *testing.B) { benchmarkShares(b, Options{None: true}) }

// BenchmarkSharesFirstChoice: 10,000 people × 20 products and none.
func BenchmarkSharesFirstChoice(b *testing.B) {
	benchmarkShares(b, Options{Rule: FirstChoice, None: true})
}

// BenchmarkSharesRFC: 10,000 people × 20 products and none, randomised
// first choice with 100 draws of product and attribute error.
func BenchmarkSharesRFC(b *testing.B) {
	benchmarkShares(b, Options{Rule: RandomizedFirstChoice, None: true, Draws: 100, ErrorScale: 0.5, AttributeError: 0.5})
}

// BenchmarkSharesRFCProductError: as BenchmarkSharesRFC with product
// error only.
func BenchmarkSharesRFCProductError(b *testing.B) {
	benchmarkShares(b, Options{Rule: RandomizedFirstChoice, None: true, Draws: 100})
}
