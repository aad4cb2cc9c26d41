package market

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tailor-c2b/tailor/errs"
)

// Rule is how people's utilities turn into choices.
type Rule int

// The simulation rules; the package comment describes each.
const (
	Logit Rule = iota
	FirstChoice
	RandomizedFirstChoice
)

var ruleNames = []string{"logit", "first-choice", "randomized-first-choice"}

func (r Rule) String() string {
	if r >= 0 && int(r) < len(ruleNames) {
		return ruleNames[r]
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// MarshalText writes the rule's name, so that JSON carries it as a string.
func (r Rule) MarshalText() ([]byte, error) {
	if r < Logit || r > RandomizedFirstChoice {
		return nil, fmt.Errorf("unknown simulation rule %d", int(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText reads any name ParseRule accepts.
func (r *Rule) UnmarshalText(b []byte) error {
	rule, err := ParseRule(string(b))
	if err != nil {
		return err
	}
	*r = rule
	return nil
}

// ParseRule returns the rule named s: "logit" (or "share-of-preference"),
// "first-choice" (or "fc"), "randomized-first-choice" (or "rfc").
func ParseRule(s string) (Rule, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "logit", "share-of-preference", "sop":
		return Logit, nil
	case "first-choice", "fc":
		return FirstChoice, nil
	case "randomized-first-choice", "randomised-first-choice", "rfc":
		return RandomizedFirstChoice, nil
	}
	return 0, errs.Errorf(errs.Invalid, "unknown simulation rule %q: want logit, first-choice or rfc", s)
}

// Options configure a simulation. The zero value is logit with scale 1,
// without the none option, on all processors.
type Options struct {
	Rule Rule `json:"rule"`
	// Scale multiplies utilities under Logit (the exponent of the share
	// of preference model); zero means 1. The other rules ignore it.
	Scale float64 `json:"scale"`
	// None adds the no-purchase option.
	None bool `json:"none"`
	// Draws is the number of randomised-first-choice draws per person;
	// zero means 100.
	Draws int `json:"draws,omitempty"`
	// ErrorScale is the scale of the Gumbel error randomised first choice
	// adds to each product's utility, AttributeError that of the error it
	// adds to each attribute level's part-worth. When both are zero,
	// ErrorScale is 1.
	ErrorScale     float64 `json:"error_scale,omitempty"`
	AttributeError float64 `json:"attribute_error,omitempty"`
	// Seed seeds the randomised-first-choice draws.
	Seed uint64 `json:"seed,omitempty"`
	// Workers is the number of goroutines; zero means GOMAXPROCS. The
	// result does not depend on it.
	Workers int `json:"-"`
}

// resolve returns opts with defaults filled in, or an error for values out
// of range.
func (opts Options) resolve() (Options, error) {
	if opts.Rule < Logit || opts.Rule > RandomizedFirstChoice {
		return opts, errs.Errorf(errs.Invalid, "unknown simulation rule %d", int(opts.Rule))
	}
	if opts.Scale < 0 || !finite(opts.Scale) {
		return opts, errs.Errorf(errs.Invalid, "scale %v is not a non-negative number", opts.Scale)
	}
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	if opts.Draws < 0 {
		return opts, errs.Errorf(errs.Invalid, "negative number of draws %d", opts.Draws)
	}
	if opts.Draws == 0 {
		opts.Draws = 100
	}
	if opts.ErrorScale < 0 || !finite(opts.ErrorScale) || opts.AttributeError < 0 || !finite(opts.AttributeError) {
		return opts, errs.Errorf(errs.Invalid, "error scales must be non-negative numbers")
	}
	if opts.Rule == RandomizedFirstChoice && opts.ErrorScale == 0 && opts.AttributeError == 0 {
		opts.ErrorScale = 1
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	return opts, nil
}

// NoneName names the no-purchase option in outcomes.
const NoneName = "None"

// Outcome is the result of a simulation: shares of preference overall and
// by segment, and each person's probabilities.
type Outcome struct {
	// Options are the options used, with defaults filled in.
	Options Options `json:"options"`
	// Products names the alternatives: the products in the order given,
	// then NoneName when Options.None is set. Own marks Tailor's.
	Products []string `json:"products"`
	Own      []bool   `json:"own"`
	// Shares holds each alternative's share of preference, summing to 1;
	// StdErr its standard error over people (the spread of the people's
	// probabilities; it does not include the simulation error of
	// randomised first choice, which is in the probabilities).
	Shares []float64 `json:"shares"`
	StdErr []float64 `json:"std_err"`
	// OwnShare is the total share of Tailor's products.
	OwnShare float64 `json:"own_share"`
	// People counts the people; Weight is their total weight.
	People int     `json:"people"`
	Weight float64 `json:"weight"`
	// Segments holds the shares within each of Market.Segments, in order.
	Segments []SegmentShares `json:"segments,omitempty"`
	// Probs holds each person's probability of each alternative,
	// row-major: element i*len(Products)+j; see Person.
	Probs []float64 `json:"-"`
}

// SegmentShares are the shares within one segment; with no people in the
// segment, the shares are zero.
type SegmentShares struct {
	Name     string    `json:"name"`
	People   int       `json:"people"`
	Weight   float64   `json:"weight"`
	Shares   []float64 `json:"shares"`
	OwnShare float64   `json:"own_share"`
}

// Person returns person i's probability of each alternative. The slice
// aliases o.Probs.
func (o *Outcome) Person(i int) []float64 {
	n := len(o.Products)
	return o.Probs[i*n : (i+1)*n : (i+1)*n]
}

// Share returns the share of the alternative called name.
func (o *Outcome) Share(name string) (float64, bool) {
	for j, n := range o.Products {
		if n == name {
			return o.Shares[j], true
		}
	}
	return 0, false
}

// Shares simulates the market's choice among products. Errors have code
// invalid.
func Shares(m *Market, products []Product, opts Options) (*Outcome, error) {
	s, err := newSim(m, products, opts)
	if err != nil {
		return nil, err
	}
	return s.run(), nil
}

// sim is a market and a scenario ready to simulate. util holds every
// person's utility of every product; PriceCurve changes one column of it
// between runs.
type sim struct {
	m        *Market
	products []Product
	opts     Options
	util     []float64 // people × products

	// Randomised first choice: the key of each alternative's error stream
	// (products, then none), the attribute levels some product uses, and
	// for each product the indexes of its levels among them.
	altKeys    []uint64
	levelKeys  []uint64
	prodLevels [][]int32
}

func newSim(m *Market, products []Product, opts Options) (*sim, error) {
	opts, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	util, err := Utilities(m, products)
	if err != nil {
		return nil, err
	}
	s := &sim{m: m, products: products, opts: opts, util: util}
	if opts.Rule == RandomizedFirstChoice {
		s.prepareDraws()
	}
	return s, nil
}

func (s *sim) prepareDraws() {
	for _, p := range s.products {
		s.altKeys = append(s.altKeys, hashKey("product", p.Name))
	}
	s.altKeys = append(s.altKeys, hashKey("none", ""))
	index := map[[2]int]int32{}
	for _, p := range s.products {
		var idx []int32
		for a, l := range p.Levels {
			if l < 0 {
				continue
			}
			k, ok := index[[2]int{a, l}]
			if !ok {
				k = int32(len(s.levelKeys))
				index[[2]int{a, l}] = k
				at := s.m.Attributes[a]
				s.levelKeys = append(s.levelKeys, hashKey("level", at.Name+"\x00"+at.Levels[l]))
			}
			idx = append(idx, k)
		}
		s.prodLevels = append(s.prodLevels, idx)
	}
}

func hashKey(kind, name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return h.Sum64()
}

// mix is the splitmix64 finaliser: it spreads nearby seeds far apart.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// alternatives returns the number of alternatives, none included.
func (s *sim) alternatives() int {
	if s.opts.None {
		return len(s.products) + 1
	}
	return len(s.products)
}

// run computes every person's probabilities in parallel, then the shares
// in person order, so the result does not depend on the number of workers.
func (s *sim) run() *Outcome {
	people := len(s.m.People)
	nAlt := s.alternatives()
	probs := make([]float64, people*nAlt)
	const chunk = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(s.opts.Workers, (people+chunk-1)/chunk) {
		wg.Go(func() {
			w := s.newWorker()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= people {
					return
				}
				for i := lo; i < min(lo+chunk, people); i++ {
					w.person(i, probs[i*nAlt:(i+1)*nAlt])
				}
			}
		})
	}
	wg.Wait()
	return s.outcome(probs)
}

// outcome aggregates the people's probabilities into shares.
func (s *sim) outcome(probs []float64) *Outcome {
	m := s.m
	nAlt := s.alternatives()
	o := &Outcome{Options: s.opts, People: len(m.People), Probs: probs}
	for _, p := range s.products {
		o.Products = append(o.Products, p.Name)
		o.Own = append(o.Own, p.Own)
	}
	if s.opts.None {
		o.Products = append(o.Products, NoneName)
		o.Own = append(o.Own, false)
	}
	nSeg := len(m.Segments)
	segSum := make([]float64, nSeg*nAlt)
	segW := make([]float64, nSeg)
	segN := make([]int, nSeg)
	sum := make([]float64, nAlt)
	for i := range m.People {
		w := weight(&m.People[i])
		row := probs[i*nAlt : (i+1)*nAlt]
		o.Weight += w
		for j, p := range row {
			sum[j] += w * p
		}
		if nSeg > 0 {
			g := m.People[i].Segment
			segW[g] += w
			segN[g]++
			for j, p := range row {
				segSum[g*nAlt+j] += w * p
			}
		}
	}
	o.Shares = make([]float64, nAlt)
	for j := range sum {
		o.Shares[j] = sum[j] / o.Weight
	}
	// Standard error of a weighted mean: sqrt(sum w²(p-s)²) / sum w.
	o.StdErr = make([]float64, nAlt)
	for i := range m.People {
		w := weight(&m.People[i])
		for j, p := range probs[i*nAlt : (i+1)*nAlt] {
			d := w * (p - o.Shares[j])
			o.StdErr[j] += d * d
		}
	}
	for j := range o.StdErr {
		o.StdErr[j] = math.Sqrt(o.StdErr[j]) / o.Weight
	}
	o.OwnShare = s.ownShare(o.Shares)
	for g, name := range m.Segments {
		seg := SegmentShares{Name: name, People: segN[g], Weight: segW[g], Shares: make([]float64, nAlt)}
		if segW[g] > 0 {
			for j := range seg.Shares {
				seg.Shares[j] = segSum[g*nAlt+j] / segW[g]
			}
		}
		seg.OwnShare = s.ownShare(seg.Shares)
		o.Segments = append(o.Segments, seg)
	}
	return o
}

func (s *sim) ownShare(shares []float64) float64 {
	own := 0.0
	for j, p := range s.products {
		if p.Own {
			own += shares[j]
		}
	}
	return own
}

func weight(p *Person) float64 {
	if p.Weight == 0 {
		return 1
	}
	return p.Weight
}

// worker holds one goroutine's scratch space and error streams.
type worker struct {
	s     *sim
	v     []float64 // utilities of the alternatives
	count []float64 // randomised first choice: draws won
	lerr  []float64 // randomised first choice: this draw's level errors
	alt   []*rand.PCG
	altR  []*rand.Rand
	lev   []*rand.PCG
	levR  []*rand.Rand
}

func (s *sim) newWorker() *worker {
	nAlt := s.alternatives()
	w := &worker{s: s, v: make([]float64, nAlt)}
	if s.opts.Rule == RandomizedFirstChoice {
		w.count = make([]float64, nAlt)
		w.lerr = make([]float64, len(s.levelKeys))
		for range nAlt {
			src := &rand.PCG{}
			w.alt = append(w.alt, src)
			w.altR = append(w.altR, rand.New(src))
		}
		for range s.levelKeys {
			src := &rand.PCG{}
			w.lev = append(w.lev, src)
			w.levR = append(w.levR, rand.New(src))
		}
	}
	return w
}

// person writes person i's probability of each alternative into dst.
func (w *worker) person(i int, dst []float64) {
	s := w.s
	nProd := len(s.products)
	copy(w.v, s.util[i*nProd:(i+1)*nProd])
	if s.opts.None {
		w.v[nProd] = s.m.People[i].None
	}
	switch s.opts.Rule {
	case Logit:
		logitRow(dst, w.v, s.opts.Scale)
	case FirstChoice:
		firstChoice(dst, w.v)
	case RandomizedFirstChoice:
		w.randomized(i, dst)
	}
}

// eulerGamma is the mean of the standard Gumbel distribution; subtracting
// it makes the errors mean-zero, so products that specify fewer attributes
// (and so collect fewer level errors) are not at a disadvantage.
const eulerGamma = 0.57721566490153286060651209008240243

// randomized is randomised first choice for person i.
func (w *worker) randomized(i int, dst []float64) {
	s := w.s
	nProd := len(s.products)
	pe, ae := s.opts.ErrorScale, s.opts.AttributeError
	person := mix(uint64(i))
	for j, src := range w.alt {
		src.Seed(mix(s.opts.Seed^s.altKeys[j]), person)
	}
	for l, src := range w.lev {
		src.Seed(mix(s.opts.Seed^s.levelKeys[l]), person)
	}
	clear(w.count)
	n := len(w.v)
	for range s.opts.Draws {
		if ae > 0 {
			for l, r := range w.levR {
				w.lerr[l] = ae * (-math.Log(r.ExpFloat64()) - eulerGamma)
			}
		}
		best, ties, bestJ := math.Inf(-1), 0, 0
		for j := range n {
			u := w.v[j]
			if j < nProd && ae > 0 {
				for _, l := range s.prodLevels[j] {
					u += w.lerr[l]
				}
			}
			if pe > 0 {
				u += pe * (-math.Log(w.altR[j].ExpFloat64()) - eulerGamma)
			}
			switch {
			case u > best:
				best, ties, bestJ = u, 1, j
			case u == best:
				ties++
			}
			dst[j] = u // scratch: this draw's utilities
		}
		if ties == 1 {
			w.count[bestJ]++
			continue
		}
		share := 1 / float64(ties)
		for j := range n {
			if dst[j] == best {
				w.count[j] += share
			}
		}
	}
	for j := range n {
		dst[j] = w.count[j] / float64(s.opts.Draws)
	}
}

// logitRow writes exp(scale·v[j]) / sum_k exp(scale·v[k]) into dst,
// subtracting the largest utility first so that nothing overflows.
func logitRow(dst, v []float64, scale float64) {
	top := math.Inf(-1)
	for _, x := range v {
		top = max(top, x)
	}
	sum := 0.0
	for j, x := range v {
		e := math.Exp(scale * (x - top))
		dst[j] = e
		sum += e
	}
	for j := range dst {
		dst[j] /= sum
	}
}

// firstChoice writes 1 for the alternative of highest utility into dst, or
// splits 1 evenly among those tied for highest.
func firstChoice(dst, v []float64) {
	top := math.Inf(-1)
	for _, x := range v {
		top = max(top, x)
	}
	ties := 0
	for _, x := range v {
		if x == top {
			ties++
		}
	}
	for j, x := range v {
		if x == top {
			dst[j] = 1 / float64(ties)
		} else {
			dst[j] = 0
		}
	}
}

// LogitShares returns the mean over people of their logit probabilities
// (scale 1) of each product: utilities[i][j] is person i's utility of
// product j. Every row must have the length of the first; LogitShares
// panics otherwise. Shares uses the same computation for each person.
func LogitShares(utilities [][]float64) []float64 {
	if len(utilities) == 0 {
		return nil
	}
	n := len(utilities[0])
	mean := make([]float64, n)
	p := make([]float64, n)
	for i, u := range utilities {
		if len(u) != n {
			panic(fmt.Sprintf("market.LogitShares: row %d has %d utilities, row 0 has %d", i, len(u), n))
		}
		logitRow(p, u, 1)
		for j := range p {
			mean[j] += p[j]
		}
	}
	for j := range mean {
		mean[j] /= float64(len(utilities))
	}
	return mean
}
