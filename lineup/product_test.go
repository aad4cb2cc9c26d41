package lineup

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
)

var phoneEngine = sync.OnceValues(func() (*configurator.Engine, error) {
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	if diags.HasErrors() {
		return nil, diags.Err()
	}
	return configurator.Compile(m, configurator.Options{})
})

func engine(t testing.TB) *configurator.Engine {
	t.Helper()
	e, err := phoneEngine()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// phoneMarket draws people who value the model's levels of the named
// attributes (every level, the first worth 0) more the dearer they are,
// with a price sensitivity and a none utility.
func phoneMarket(e *configurator.Engine, seed uint64, people int, attrs ...string) *market.Market {
	r := rand.New(rand.NewPCG(seed, 1))
	mdl := e.Model()
	m := &market.Market{}
	for _, name := range attrs {
		at := mdl.Attributes[mdl.Attr(name)]
		ma := market.Attribute{Name: name}
		for _, l := range at.Levels {
			ma.Levels = append(ma.Levels, l.Name)
		}
		m.Attributes = append(m.Attributes, ma)
	}
	for range people {
		p := market.Person{Price: -0.6 - 0.6*r.Float64(), None: -2 + r.NormFloat64()}
		for _, name := range attrs {
			at := mdl.Attributes[mdl.Attr(name)]
			w := make([]float64, len(at.Levels))
			for l := 1; l < len(w); l++ {
				w[l] = at.Levels[l].Numbers["cost"].Float()/1000*(0.5+r.Float64()) + 0.5*r.NormFloat64()
			}
			p.Worth = append(p.Worth, w)
		}
		m.People = append(m.People, p)
	}
	return m
}

func TestProducts(t *testing.T) {
	e := engine(t)
	mdl := e.Model()
	m := phoneMarket(e, 1, 60, "size", "main", "storage")
	spec := Spec{Engine: e, Market: m, Prices: []int64{49900, 79900, 99900}, K: 3,
		Choice: market.Options{Rule: market.FirstChoice, None: true}, EachOf: "os", MinMargin: 5000, Ladder: true}
	pr, err := NewProducts(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	p := pr.Problem
	if len(pr.Phones) == 0 || p.Candidates < len(pr.Phones) {
		t.Fatalf("%d phones, %d candidates", len(pr.Phones), p.Candidates)
	}
	osAttr := mdl.Attr("os")
	seen := map[string]bool{}
	for ph, phone := range pr.Phones {
		if !mdl.Valid(phone.Config) {
			t.Fatalf("phone %d (%s) is not valid", ph, pr.PhoneName(ph))
		}
		if got := configurator.Roll(mdl, phone.Config).Totals["cost"].IntPart(); got != phone.Cost {
			t.Fatalf("phone %d: cost %d, roll-up %d", ph, phone.Cost, got)
		}
		key := ""
		for _, a := range pr.Attrs {
			key += mdl.Attributes[a].Levels[phone.Config[a]].Name + "/"
		}
		if seen[key] {
			t.Fatalf("phone %s twice", key)
		}
		seen[key] = true
		// The cheapest completion: no valid phone with the same varied
		// levels costs less (checked against the configurator's own
		// completion with the levels fixed one by one).
		sel := e.NewSelection()
		for _, a := range pr.Attrs {
			sel[a] = phone.Config[a]
		}
		if !e.Consistent(sel) {
			t.Fatalf("phone %s: its varied levels are inconsistent", key)
		}
	}
	// Every combination of the varied levels that the configurator allows
	// is a phone.
	count := 0
	var rec func(d int, sel configurator.Selection)
	rec = func(d int, sel configurator.Selection) {
		if d == len(pr.Attrs) {
			if e.Consistent(sel) {
				count++
			}
			return
		}
		for l := range mdl.Attributes[pr.Attrs[d]].Levels {
			sel[pr.Attrs[d]] = l
			rec(d+1, sel)
		}
		sel[pr.Attrs[d]] = -1
	}
	rec(0, e.NewSelection())
	if count != len(pr.Phones) {
		t.Errorf("%d valid combinations, %d phones", count, len(pr.Phones))
	}
	// Utilities are package market's.
	products := make([]market.Product, p.Candidates)
	for j := range products {
		ls := make([]int, len(m.Attributes))
		for d := range ls {
			ls[d] = pr.Phones[pr.CandPhone[j]].Config[pr.Attrs[d]] // every level of the model, in model order
		}
		products[j] = market.Product{Name: p.Label(j), Levels: ls, Price: pr.CandPrice[j]}
		if pr.CandPrice[j]-pr.Phones[pr.CandPhone[j]].Cost < 5000 {
			t.Fatalf("candidate %s earns less than the minimum margin", p.Label(j))
		}
		if p.Margin[j] != float64(pr.CandPrice[j]-pr.Phones[pr.CandPhone[j]].Cost) {
			t.Fatalf("candidate %s: margin %v", p.Label(j), p.Margin[j])
		}
	}
	u, err := market.Utilities(m, products)
	if err != nil {
		t.Fatal(err)
	}
	for x := range u {
		if math.Abs(u[x]-p.Utility[x]) > 1e-12 {
			t.Fatalf("utility %d: %v, market says %v", x, p.Utility[x], u[x])
		}
	}
	sol, err := Solve(context.Background(), p, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !sol.Proven {
		t.Errorf("not proven: gap %v", sol.Gap)
	}
	rep := pr.Report(sol.Chosen)
	if math.Abs(rep.Profit-sol.Objective) > 1e-6*sol.Objective {
		t.Errorf("report profit %v, objective %v", rep.Profit, sol.Objective)
	}
	oses := map[int]bool{}
	for _, v := range rep.Variants {
		oses[v.Config[osAttr]] = true
	}
	if len(oses) != len(p.Groups) || len(p.Groups) < 2 {
		t.Errorf("%d groups, the lineup has %d operating systems", len(p.Groups), len(oses))
	}
	for a, va := range rep.Variants {
		for b, vb := range rep.Variants {
			if va.Cost > vb.Cost && va.Price <= vb.Price {
				t.Errorf("variant %d costs more than %d and sells for no more", a, b)
			}
		}
	}
	// Against the market simulator: the shares of the chosen lineup.
	var lineup []market.Product
	for _, j := range sol.Chosen {
		lineup = append(lineup, products[j])
	}
	out, err := market.Shares(m, lineup, market.Options{Rule: market.FirstChoice, None: true})
	if err != nil {
		t.Fatal(err)
	}
	for v, vr := range rep.Variants {
		// Ties split in the simulator and not here; the draws have none.
		if math.Abs(vr.Share-out.Shares[v]) > 1e-9 {
			t.Errorf("variant %d: share %v, simulator %v", v, vr.Share, out.Shares[v])
		}
	}
	// Cannibalisation: taking a variant out moves its buyers to the
	// others or out; what each variant adds is its units less what it
	// takes from the others.
	for v, vr := range rep.Variants {
		took := 0.0
		for _, x := range rep.Cannibal[v] {
			took += x
		}
		if math.Abs(vr.Units-took-vr.Incremental) > 1e-9 {
			t.Errorf("variant %d: units %v, took %v, incremental %v", v, vr.Units, took, vr.Incremental)
		}
	}
}

func TestProductsOptions(t *testing.T) {
	e := engine(t)
	m := phoneMarket(e, 2, 30, "size", "main")
	base := Spec{Engine: e, Market: m, Prices: []int64{49900, 69900}, K: 2, Choice: market.Options{None: true}}
	ctx := context.Background()

	// Logit with competitors: the outside option is their inclusive value.
	spec := base
	spec.Competitors = []market.Product{{Name: "rival", Levels: []int{1, 1}, Price: 59900}}
	pr, err := NewProducts(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	per := m.People[0]
	rival := per.Worth[0][1] + per.Worth[1][1] + per.Price*5.99
	want := math.Log(math.Exp(rival) + math.Exp(per.None))
	if got := pr.Problem.None[0]; math.Abs(got-want) > 1e-12 {
		t.Errorf("outside utility %v, want %v", got, want)
	}

	// Randomised first choice: a row per draw; with tiny errors it is
	// first choice.
	spec = base
	spec.Choice = market.Options{Rule: market.RandomizedFirstChoice, None: true, Draws: 4, ErrorScale: 1e-9, Seed: 3}
	rfc, err := NewProducts(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	spec.Choice = market.Options{Rule: market.FirstChoice, None: true}
	fc, err := NewProducts(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if rfc.Problem.Customers != 4*fc.Problem.Customers {
		t.Fatalf("%d rows for %d people and 4 draws", rfc.Problem.Customers, fc.Problem.Customers)
	}
	some := []int{0, fc.Problem.Candidates - 1}
	if a, b := rfc.Problem.Objective(some), fc.Problem.Objective(some); math.Abs(a-b) > 1e-6*math.Abs(b) {
		t.Errorf("rfc with tiny errors %v, first choice %v", a, b)
	}

	// Goals set the margins; units scale to the market size.
	spec = base
	spec.Goal, spec.MarketSize = Units, 1e6
	pr, err = NewProducts(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(pr.Problem.Margin, func(x float64) bool { return x != 1 }) {
		t.Errorf("units: margins %v", pr.Problem.Margin)
	}
	sol, err := Solve(ctx, pr.Problem, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := pr.Report(sol.Chosen)
	if math.Abs(rep.Units-rep.Share*1e6) > 1e-6 {
		t.Errorf("units %v for share %v of a million", rep.Units, rep.Share)
	}

	// A required variant, off the grid.
	spec = base
	spec.Must = []Fixed{{Levels: map[string]string{"size": "max", "main": m.Attributes[1].Levels[0]}, Price: 123400}}
	pr, err = NewProducts(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	sol, err = Solve(ctx, pr.Problem, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(sol.Chosen, func(j int) bool { return pr.CandPrice[j] == 123400 }) {
		t.Errorf("the required variant is not in %v", sol.Chosen)
	}

	// Parts limit: the lineup uses no more parts than allowed.
	spec = base
	spec.MaxParts = 40
	pr, err = NewProducts(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	sol, err = Solve(ctx, pr.Problem, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := pr.Report(sol.Chosen).PartsUsed; n > 40 {
		t.Errorf("%d parts, limit 40", n)
	}

	for _, tc := range []struct {
		name   string
		change func(*Spec)
	}{
		{"no prices", func(s *Spec) { s.Prices = nil }},
		{"prices not ascending", func(s *Spec) { s.Prices = []int64{2, 1} }},
		{"unknown attribute", func(s *Spec) { s.Vary = []string{"oss"} }},
		{"unknown goal", func(s *Spec) { s.Goal = "fun" }},
		{"margin rate", func(s *Spec) { s.MinMarginRate = 1 }},
		{"no margin anywhere", func(s *Spec) { s.MinMargin = 1e9 }},
		{"required variant lacks a level", func(s *Spec) { s.Must = []Fixed{{Levels: map[string]string{"size": "max"}, Price: 1}} }},
		{"required variant unknown level", func(s *Spec) {
			s.Must = []Fixed{{Levels: map[string]string{"size": "huge", "main": "x"}, Price: 1}}
		}},
	} {
		s := base
		tc.change(&s)
		if _, err := NewProducts(ctx, s); errs.Code(err) != errs.Invalid {
			t.Errorf("%s: got %v, want invalid", tc.name, err)
		}
	}
}
