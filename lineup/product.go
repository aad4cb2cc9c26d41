package lineup

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/suggest"
)

// Product mode: the lineup problem of a product model and a market.
//
// The candidates are every valid phone the market can tell apart (every
// combination of levels of the market's attributes, and of the attributes
// Spec.Vary adds, that the configurator allows) at every price of the
// grid. Each phone is the cheapest valid configuration with those levels
// (configurator.Engine.Complete), its cost the roll-up of the model's cost
// property and its parts the part numbers of its bill of materials. A
// person's utility of a candidate is their part-worths of its levels plus
// their price sensitivity times its price, as package market computes it;
// their outside option is not buying, or the best competitor's phone.

// Goal is what a lineup is chosen to maximise.
type Goal string

// The goals.
const (
	Profit  Goal = "profit"  // price minus cost, per unit sold
	Revenue Goal = "revenue" // price per unit sold
	Units   Goal = "units"   // units sold (the same choice as share of the market)
)

// ParseGoal reads a goal name; "share" reads as Units.
func ParseGoal(s string) (Goal, error) {
	switch g := Goal(strings.ToLower(strings.TrimSpace(s))); g {
	case Profit, Revenue, Units:
		return g, nil
	case "share":
		return Units, nil
	case "":
		return Profit, nil
	}
	return "", errs.Errorf(errs.Invalid, "unknown goal %q (want profit, revenue, units or share)", s)
}

// MaxPhones bounds the valid phones product mode enumerates.
const MaxPhones = 1_000_000

// MaxCells bounds customers times candidates in product mode (8 GB of
// utilities).
const MaxCells = 1_100_000_000

// Spec describes a lineup to choose in product mode.
type Spec struct {
	Engine *configurator.Engine
	// Market holds the people's part-worths; its attributes and levels
	// are named as in the model.
	Market *market.Market
	// Prices is the price grid in minor units, ascending.
	Prices []int64
	// Vary names more model attributes whose levels tell variants apart
	// although no one values them (for example "os", to have one variant
	// per operating system).
	Vary []string
	// Competitors are other makers' phones, in the market's attribute
	// order: a person buys one instead when they like it best.
	Competitors []market.Product
	Goal        Goal
	// Choice is the choice rule (logit with its scale, first choice, or
	// randomised first choice with its draws and errors) and whether
	// people may buy nothing (None; without it and without competitors
	// everyone buys one of the variants).
	Choice market.Options
	K      int
	// Constraints.
	MinMargin     int64   // price minus cost at least this, in minor units
	MinMarginRate float64 // (price minus cost)/price at least this
	Ladder        bool    // a variant that costs more sells for more
	MaxParts      int     // distinct part numbers across the lineup (0: no limit)
	EachOf        string  // an attribute: at least one variant per level of it
	Must          []Fixed // variants the lineup must hold
	// MarketSize is the number of buyers the people stand for, for units
	// (0: as many as the people's weights).
	MarketSize float64
	// Progress, when set, hears how far the build is (0 to 1).
	Progress func(frac float64)
}

// Fixed is a variant the lineup must hold: levels by attribute name (every
// varied attribute) and a price in minor units.
type Fixed struct {
	Levels map[string]string `json:"levels"`
	Price  int64             `json:"price"`
}

// Phone is a valid phone of the model that the market tells apart.
type Phone struct {
	Config []int    `json:"config"` // a level per model attribute: the cheapest valid configuration
	Cost   int64    `json:"cost"`   // minor units
	Parts  []string `json:"parts"`  // part numbers of its bill of materials
}

// Products is a product-mode problem: the phones, the candidates (a phone
// at a price) and the matrix problem over them.
type Products struct {
	Spec    Spec
	Attrs   []int // the varied model attributes: the market's, then Vary's
	Phones  []Phone
	Problem *Problem
	// CandPhone and CandPrice give each candidate's phone and price.
	CandPhone []int
	CandPrice []int64
	// People is the number of people; with randomised first choice the
	// problem's customers are people times draws.
	People int
	draws  int
	scale  float64 // MarketSize over the people's total weight
}

// NewProducts builds the product-mode problem of spec. It returns
// errs.Invalid for a bad spec and ctx's error when ctx ends first.
func NewProducts(ctx context.Context, spec Spec) (*Products, error) {
	pr, levels, marketLevel, err := prepare(spec)
	if err != nil {
		return nil, err
	}
	if err := pr.enumerate(ctx, levels); err != nil {
		return nil, err
	}
	if len(pr.Phones) == 0 {
		return nil, errs.Errorf(errs.Invalid, "model %s allows no phone with the market's levels", spec.Engine.Model().Name)
	}
	if err := pr.candidates(); err != nil {
		return nil, err
	}
	if err := pr.build(ctx, marketLevel); err != nil {
		return nil, err
	}
	return pr, nil
}

// prepare checks spec and resolves the varied attributes: the product
// problem without phones, the model levels to try per varied attribute,
// and per market attribute the market level of each model level (-1 for
// levels the market does not know).
func prepare(spec Spec) (pr *Products, levels, marketLevel [][]int, err error) {
	e, m := spec.Engine, spec.Market
	if e == nil || m == nil {
		return nil, nil, nil, errs.Errorf(errs.Invalid, "product mode needs a product model and a market")
	}
	if err := m.Validate(); err != nil {
		return nil, nil, nil, err
	}
	if spec.Goal == "" {
		spec.Goal = Profit
	}
	if _, err := ParseGoal(string(spec.Goal)); err != nil {
		return nil, nil, nil, err
	}
	if len(spec.Prices) == 0 {
		return nil, nil, nil, errs.Errorf(errs.Invalid, "product mode needs a price grid")
	}
	for x, p := range spec.Prices {
		if p <= 0 || x > 0 && p <= spec.Prices[x-1] {
			return nil, nil, nil, errs.Errorf(errs.Invalid, "the price grid must be positive and ascending; got %v", spec.Prices)
		}
	}
	if spec.MinMarginRate < 0 || spec.MinMarginRate >= 1 || math.IsNaN(spec.MinMarginRate) {
		return nil, nil, nil, errs.Errorf(errs.Invalid, "the minimum margin rate must be at least 0 and below 1; got %g", spec.MinMarginRate)
	}
	if spec.MarketSize < 0 || math.IsNaN(spec.MarketSize) || math.IsInf(spec.MarketSize, 0) {
		return nil, nil, nil, errs.Errorf(errs.Invalid, "the market size must be a number, not negative; got %g", spec.MarketSize)
	}
	mdl := e.Model()
	pr = &Products{Spec: spec, People: len(m.People)}
	// The varied attributes and, per market attribute, its levels' model
	// indexes.
	modelNames := make([]string, len(mdl.Attributes))
	for a, at := range mdl.Attributes {
		modelNames[a] = at.Name
	}
	attrOf := func(name string) (int, error) {
		a := mdl.Attr(name)
		if a < 0 {
			return -1, errs.Errorf(errs.Invalid, "model %s has no attribute %q%s", mdl.Name, name, suggest.DidYouMean(name, modelNames))
		}
		return a, nil
	}
	for _, at := range m.Attributes {
		a, err := attrOf(at.Name)
		if err != nil {
			return nil, nil, nil, err
		}
		pr.Attrs = append(pr.Attrs, a)
		ls := make([]int, len(at.Levels))
		ml := make([]int, len(mdl.Attributes[a].Levels))
		for x := range ml {
			ml[x] = -1
		}
		for l, name := range at.Levels {
			x := mdl.Level(a, name)
			if x < 0 {
				return nil, nil, nil, errs.Errorf(errs.Invalid, "attribute %s of model %s has no level %q", at.Name, mdl.Name, name)
			}
			ls[l], ml[x] = x, l
		}
		levels = append(levels, ls)
		marketLevel = append(marketLevel, ml)
	}
	vary := slices.Clone(spec.Vary)
	if spec.EachOf != "" && !slices.Contains(vary, spec.EachOf) && !slices.ContainsFunc(m.Attributes, func(a market.Attribute) bool { return a.Name == spec.EachOf }) {
		vary = append(vary, spec.EachOf)
	}
	for _, name := range vary {
		a, err := attrOf(name)
		if err != nil {
			return nil, nil, nil, err
		}
		if slices.Contains(pr.Attrs, a) {
			continue
		}
		pr.Attrs = append(pr.Attrs, a)
		ls := make([]int, len(mdl.Attributes[a].Levels))
		for x := range ls {
			ls[x] = x
		}
		levels = append(levels, ls)
	}
	return pr, levels, marketLevel, nil
}

// enumerate lists the valid phones: every combination of the varied
// attributes' levels that the configurator allows, depth first with the
// dead branches pruned, each completed at the least cost.
func (pr *Products) enumerate(ctx context.Context, levels [][]int) error {
	e := pr.Spec.Engine
	mdl := e.Model()
	sel := e.NewSelection()
	var combos [][]int
	var rec func(d int) error
	rec = func(d int) error {
		if d == len(pr.Attrs) {
			if len(combos) == MaxPhones {
				return errs.Errorf(errs.Invalid, "the varied attributes allow more than %d phones; vary fewer attributes", MaxPhones)
			}
			combos = append(combos, slices.Clone(sel))
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		a := pr.Attrs[d]
		for _, x := range levels[d] {
			sel[a] = x
			if e.Consistent(sel) {
				if err := rec(d + 1); err != nil {
					return err
				}
			}
		}
		sel[a] = -1
		return nil
	}
	if err := rec(0); err != nil {
		return err
	}
	pr.Phones = make([]Phone, len(combos))
	obj := configurator.Objective{Goal: configurator.Cheapest, Property: "cost"}
	hasCost := mdl.Property("cost") != nil
	var firstErr error
	var mu sync.Mutex
	var done int
	parallel(len(combos), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			if ctx.Err() != nil {
				return
			}
			config := combos[c]
			if hasCost {
				full, ok, err := e.Complete(configurator.Selection(combos[c]), obj)
				if err != nil || !ok {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("completing phone %d: ok %v, %v", c, ok, err)
					}
					mu.Unlock()
					return
				}
				config = full
			}
			roll := configurator.Roll(mdl, config)
			ph := Phone{Config: config, Cost: roll.Totals["cost"].IntPart()}
			for _, part := range roll.Parts {
				ph.Parts = append(ph.Parts, part.Number)
			}
			pr.Phones[c] = ph
			if c%256 == 0 {
				mu.Lock()
				done += 256
				pr.progress(0.5 * float64(done) / float64(len(combos)))
				mu.Unlock()
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	if !hasCost {
		return errs.Errorf(errs.Invalid, "model %s has no cost property, so product mode cannot tell margins", mdl.Name)
	}
	return firstErr
}

// progress reports to Spec.Progress.
func (pr *Products) progress(frac float64) {
	if pr.Spec.Progress != nil {
		pr.Spec.Progress(min(max(frac, 0), 1))
	}
}

// candidates lists every phone at every price of the grid that meets the
// minimum margins, and the required variants.
func (pr *Products) candidates() error {
	s := pr.Spec
	for ph := range pr.Phones {
		cost := pr.Phones[ph].Cost
		for _, price := range s.Prices {
			if pr.marginOK(price, cost) {
				pr.CandPhone = append(pr.CandPhone, ph)
				pr.CandPrice = append(pr.CandPrice, price)
			}
		}
	}
	var must []int
	for x, f := range s.Must {
		j, err := pr.fixed(f)
		if err != nil {
			return errs.Errorf(errs.Invalid, "required variant %d: %s", x+1, errs.Message(err))
		}
		must = append(must, j)
	}
	if len(pr.CandPhone) == 0 {
		return errs.Errorf(errs.Invalid, "no phone meets the minimum margin at any price of the grid")
	}
	if pr.Problem == nil {
		pr.Problem = &Problem{}
	}
	pr.Problem.Must = must
	return nil
}

func (pr *Products) marginOK(price, cost int64) bool {
	s := pr.Spec
	return price-cost >= s.MinMargin && float64(price-cost) >= s.MinMarginRate*float64(price)
}

// fixed returns the candidate of a required variant, adding it when its
// price is off the grid.
func (pr *Products) fixed(f Fixed) (int, error) {
	mdl := pr.Spec.Engine.Model()
	want := make([]int, len(pr.Attrs))
	for d, a := range pr.Attrs {
		at := &mdl.Attributes[a]
		name, ok := f.Levels[at.Name]
		if !ok {
			return 0, errs.Errorf(errs.Invalid, "say its level of %s", at.Name)
		}
		want[d] = mdl.Level(a, name)
		if want[d] < 0 {
			return 0, errs.Errorf(errs.Invalid, "attribute %s has no level %q", at.Name, name)
		}
	}
	for name := range f.Levels {
		a := mdl.Attr(name)
		if a < 0 || !slices.Contains(pr.Attrs, a) {
			return 0, errs.Errorf(errs.Invalid, "%q is not a varied attribute", name)
		}
	}
	ph := slices.IndexFunc(pr.Phones, func(p Phone) bool {
		for d, a := range pr.Attrs {
			if p.Config[a] != want[d] {
				return false
			}
		}
		return true
	})
	if ph < 0 {
		return 0, errs.Errorf(errs.Invalid, "the configurator does not allow that phone")
	}
	if f.Price <= 0 {
		return 0, errs.Errorf(errs.Invalid, "its price must be positive")
	}
	for j := range pr.CandPhone {
		if pr.CandPhone[j] == ph && pr.CandPrice[j] == f.Price {
			return j, nil
		}
	}
	pr.CandPhone = append(pr.CandPhone, ph)
	pr.CandPrice = append(pr.CandPrice, f.Price)
	return len(pr.CandPhone) - 1, nil
}

// outsideFloor is the outside utility of people who cannot buy anything
// but our variants: low enough never to be chosen.
const outsideFloor = -1e6

// build fills in the matrix problem.
func (pr *Products) build(ctx context.Context, marketLevel [][]int) error {
	s, m := pr.Spec, pr.Spec.Market
	opts := s.Choice
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	if opts.Rule == market.RandomizedFirstChoice {
		if opts.Draws == 0 {
			opts.Draws = 10
		}
		if opts.ErrorScale == 0 && opts.AttributeError == 0 {
			opts.ErrorScale = 1
		}
	}
	if opts.Scale < 0 || opts.Draws < 0 || opts.ErrorScale < 0 || opts.AttributeError < 0 {
		return errs.Errorf(errs.Invalid, "the choice rule's scale, draws and errors must not be negative")
	}
	pr.draws = 1
	rule := FirstChoice
	switch opts.Rule {
	case market.Logit:
		rule = Logit
	case market.RandomizedFirstChoice:
		pr.draws = opts.Draws
	}
	n := len(pr.CandPhone)
	nc := len(m.People) * pr.draws
	if float64(n)*float64(nc) > MaxCells {
		return errs.Errorf(errs.Invalid, "%d candidates for %d customers is more than product mode holds (%d cells): narrow the price grid or the varied attributes, or use fewer draws",
			n, nc, MaxCells)
	}
	for _, c := range s.Competitors {
		if len(c.Levels) != len(m.Attributes) {
			return errs.Errorf(errs.Invalid, "competitor %s has %d levels for %d attributes", c.Name, len(c.Levels), len(m.Attributes))
		}
	}
	p := pr.Problem
	p.Customers, p.Candidates, p.K, p.Rule, p.Scale = nc, n, s.K, rule, opts.Scale
	p.Weight = make([]float64, nc)
	p.None = make([]float64, nc)
	p.Utility = make([]float64, nc*n)
	p.Margin = make([]float64, n)
	p.Price = make([]float64, n)
	p.Cost = make([]float64, n)
	p.Phone = slices.Clone(pr.CandPhone)
	p.Ladder = s.Ladder
	p.MaxParts = s.MaxParts
	p.Labels = make([]string, n)
	total := 0.0
	for i := range m.People {
		total += personWeight(&m.People[i])
	}
	pr.scale = 1
	if s.MarketSize > 0 && total > 0 {
		pr.scale = s.MarketSize / total
	}
	for j := range n {
		price, cost := pr.CandPrice[j], pr.Phones[pr.CandPhone[j]].Cost
		p.Price[j], p.Cost[j] = float64(price), float64(cost)
		switch s.Goal {
		case Revenue:
			p.Margin[j] = float64(price)
		case Units:
			p.Margin[j] = 1
		default:
			p.Margin[j] = float64(price - cost)
		}
		p.Labels[j] = pr.Label(j)
	}
	if s.MaxParts > 0 {
		ids := map[string]int{}
		phoneParts := make([][]int, len(pr.Phones))
		for ph, phone := range pr.Phones {
			for _, part := range phone.Parts {
				id, ok := ids[part]
				if !ok {
					id = len(ids)
					ids[part] = id
				}
				phoneParts[ph] = append(phoneParts[ph], id)
			}
		}
		p.Parts = make([][]int, n)
		for j := range n {
			p.Parts[j] = phoneParts[pr.CandPhone[j]]
		}
	}
	if s.EachOf != "" {
		a := s.Engine.Model().Attr(s.EachOf)
		byLevel := map[int][]int{}
		for j := range n {
			l := pr.Phones[pr.CandPhone[j]].Config[a]
			byLevel[l] = append(byLevel[l], j)
		}
		ls := make([]int, 0, len(byLevel))
		for l := range byLevel {
			ls = append(ls, l)
		}
		slices.Sort(ls)
		for _, l := range ls {
			p.Groups = append(p.Groups, byLevel[l])
		}
	}
	// Each phone's levels in the market's terms: -1 for levels the
	// market does not know (varied attributes beyond it).
	phoneLevels := make([][]int, len(pr.Phones))
	for ph, phone := range pr.Phones {
		ls := make([]int, len(m.Attributes))
		for d := range m.Attributes {
			ls[d] = marketLevel[d][phone.Config[pr.Attrs[d]]]
		}
		phoneLevels[ph] = ls
	}
	var done int
	var mu sync.Mutex
	parallel(len(m.People), func(lo, hi int) {
		base := make([]float64, len(pr.Phones))
		for i := lo; i < hi; i++ {
			if ctx.Err() != nil {
				return
			}
			pr.person(i, opts, phoneLevels, base)
			if (i-lo)%64 == 63 {
				mu.Lock()
				done += 64
				pr.progress(0.5 + 0.5*float64(done)/float64(len(m.People)))
				mu.Unlock()
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.Validate()
}

// person fills in person i's rows: one, or one per draw.
func (pr *Products) person(i int, opts market.Options, phoneLevels [][]int, base []float64) {
	m, p := pr.Spec.Market, pr.Problem
	per := &m.People[i]
	w := personWeight(per) / float64(pr.draws)
	for ph, ls := range phoneLevels {
		u := 0.0
		for d, l := range ls {
			if l >= 0 {
				u += per.Worth[d][l]
			}
		}
		base[ph] = u
	}
	n := p.Candidates
	priceU := func(price int64) float64 { return per.Price * float64(price) / 10000 }
	comp := make([]float64, len(pr.Spec.Competitors))
	for c, cp := range pr.Spec.Competitors {
		u := priceU(cp.Price)
		for d, l := range cp.Levels {
			if l >= 0 {
				u += per.Worth[d][l]
			}
		}
		comp[c] = u
	}
	if pr.draws == 1 {
		row := p.Utility[i*n : (i+1)*n]
		for j := range n {
			row[j] = base[pr.CandPhone[j]] + priceU(pr.CandPrice[j])
		}
		p.Weight[i] = w
		p.None[i] = pr.outside(per.None, comp, opts)
		return
	}
	// Randomised first choice: a row per draw, with a Gumbel error on
	// every level's part-worth (shared by the phones that have it) and
	// on every candidate's, competitor's and not buying's utility.
	rng := rand.New(rand.NewPCG(opts.Seed, uint64(i)))
	gumbel := func(scale float64) float64 {
		if scale == 0 {
			return 0
		}
		return scale * (-math.Log(rng.ExpFloat64()) - eulerGamma)
	}
	lerr := make([][]float64, len(m.Attributes))
	for d, at := range m.Attributes {
		lerr[d] = make([]float64, len(at.Levels))
	}
	drawn := make([]float64, len(base))
	compDrawn := make([]float64, len(comp))
	for r := range pr.draws {
		for d := range lerr {
			for l := range lerr[d] {
				lerr[d][l] = gumbel(opts.AttributeError)
			}
		}
		for ph, ls := range phoneLevels {
			u := base[ph]
			for d, l := range ls {
				if l >= 0 {
					u += lerr[d][l]
				}
			}
			drawn[ph] = u
		}
		for c, cp := range pr.Spec.Competitors {
			u := comp[c] + gumbel(opts.ErrorScale)
			for d, l := range cp.Levels {
				if l >= 0 {
					u += lerr[d][l]
				}
			}
			compDrawn[c] = u
		}
		row := i*pr.draws + r
		us := p.Utility[row*n : (row+1)*n]
		for j := range n {
			us[j] = drawn[pr.CandPhone[j]] + priceU(pr.CandPrice[j]) + gumbel(opts.ErrorScale)
		}
		p.Weight[row] = w
		none := outsideFloor
		if opts.None {
			none = per.None + gumbel(opts.ErrorScale)
		}
		for _, u := range compDrawn {
			none = max(none, u)
		}
		p.None[row] = none
	}
}

// eulerGamma is the mean of the standard Gumbel distribution.
const eulerGamma = 0.57721566490153286060651209008240243

// outside returns the utility of a person's outside option: not buying
// (when allowed) and the competitors together: the best of them under
// first choice, their logit inclusive value under logit.
func (pr *Products) outside(none float64, comp []float64, opts market.Options) float64 {
	us := slices.Clone(comp)
	if opts.None {
		us = append(us, none)
	}
	if len(us) == 0 {
		return outsideFloor
	}
	top := slices.Max(us)
	if opts.Rule != market.Logit {
		return top
	}
	sum := 0.0
	for _, u := range us {
		sum += math.Exp(opts.Scale * (u - top))
	}
	return top + math.Log(sum)/opts.Scale
}

func personWeight(p *market.Person) float64 {
	if p.Weight == 0 {
		return 1
	}
	return p.Weight
}

// Label names candidate j: its varied levels and its price.
func (pr *Products) Label(j int) string {
	return pr.PhoneName(pr.CandPhone[j]) + " @ " + money(pr.CandPrice[j])
}

// PhoneName names a phone by its varied levels' labels.
func (pr *Products) PhoneName(ph int) string {
	mdl := pr.Spec.Engine.Model()
	parts := make([]string, len(pr.Attrs))
	for d, a := range pr.Attrs {
		lv := mdl.Attributes[a].Levels[pr.Phones[ph].Config[a]]
		parts[d] = lv.Label
		if parts[d] == "" {
			parts[d] = lv.Name
		}
	}
	return strings.Join(parts, " · ")
}

// money writes minor units as major units with two decimals.
func money(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}

// parallel runs f over [0,n) in one contiguous range per processor.
func parallel(n int, f func(lo, hi int)) {
	sp := &space{workers: runtime.GOMAXPROCS(0)}
	sp.parallel(n, func(_, lo, hi int) { f(lo, hi) })
}
