package model

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// roundTrip formats m, parses the result and fails unless it parses without
// diagnostics to a model equal to m, whose text formats the same again.
func roundTrip(tb testing.TB, m *Model) {
	tb.Helper()
	text := Format(m)
	got, ds := Parse("formatted.tailor", text)
	if len(ds) > 0 {
		tb.Fatalf("Parse(Format(m)): unexpected diagnostics:\n%v\ntext:\n%s", ds.Err(), text)
	}
	if diff := cmp.Diff(m, got, modelOpts...); diff != "" {
		tb.Fatalf("Parse(Format(m)) mismatch (-want +got):\n%s\ntext:\n%s", diff, text)
	}
	if again := Format(got); string(again) != string(text) {
		tb.Fatalf("Format is not stable:\n%s\nthen:\n%s", text, again)
	}
}

func TestRoundTripFiles(t *testing.T) {
	srcs := map[string][]byte{"docs/model-language.md": docExample(t)}
	files, _ := filepath.Glob("testdata/*.tailor")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = src
	}
	for name, src := range srcs {
		t.Run(name, func(t *testing.T) {
			m, ds := Parse(name, src)
			if ds.HasErrors() {
				t.Skip("has errors")
			}
			roundTrip(t, m)
		})
	}
}

func TestRoundTripRandom(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 1))
		m := randomModel(r)
		if ds := Check(m); len(ds) > 0 {
			t.Fatalf("seed %d: generated model has errors:\n%v\n%s", seed, ds.Err(), Format(m))
		}
		roundTrip(t, m)
	}
}

// gen builds random valid models in the shape Parse produces: flattened
// and/or chains, labels filled in, generated names written out.
type gen struct {
	r     *rand.Rand
	m     *Model
	nums  []string // number and money properties
	texts []string // text properties
}

func randomModel(r *rand.Rand) *Model {
	g := &gen{r: r, m: &Model{Name: g0label(r), Version: "1.0"}}
	m := g.m
	if r.IntN(2) == 0 {
		m.Version = ""
	}
	kinds := []PropertyKind{Number, Money, Text}
	for i := range 1 + r.IntN(4) {
		p := Property{Name: fmt.Sprintf("p%d", i), Kind: kinds[r.IntN(3)], Label: g0label(r)}
		if p.Kind == Number && r.IntN(2) == 0 {
			p.Unit = "mm"
		}
		if p.Kind == Money {
			m.Currency = "EUR"
		}
		if p.Kind == Text {
			g.texts = append(g.texts, p.Name)
		} else {
			g.nums = append(g.nums, p.Name)
		}
		m.Properties = append(m.Properties, p)
	}
	levelNames := []string{"none", "x3", "5g", "128gb", "_a", "table", "rule", "level", "default"}
	group := ""
	for i := range 1 + r.IntN(5) {
		if r.IntN(3) == 0 {
			group = fmt.Sprintf("g%d", i)
			m.Groups = append(m.Groups, Group{Name: group, Label: g0label(r)})
		} else if r.IntN(2) == 0 {
			group = ""
		}
		a := Attribute{Name: fmt.Sprintf("a%d", i), Label: g0label(r), Group: group, Default: r.IntN(3) - 1}
		n := 2 + r.IntN(3)
		for j, k := range r.Perm(len(levelNames))[:n] {
			l := Level{Name: levelNames[k], Label: g0label(r)}
			if j == 0 && r.IntN(2) == 0 {
				l.Label = ""
			}
			for _, p := range m.Properties {
				if r.IntN(2) == 0 {
					continue
				}
				switch p.Kind {
				case Text:
					l.Texts = map[string]string{p.Name: g0label(r)}
				case Money:
					l.Numbers = setNum(l.Numbers, p.Name, Int(int64(r.IntN(2000)-1000)))
				default:
					l.Numbers = setNum(l.Numbers, p.Name, Decimal(r.Int64N(int64(MaxDecimal)))-MaxDecimal/2)
				}
			}
			for range r.IntN(3) {
				l.Parts = append(l.Parts, Part{Number: g0label(r) + "x", Qty: 1 + r.IntN(3)})
			}
			a.Levels = append(a.Levels, l)
		}
		if a.Default >= n {
			a.Default = -1
		}
		m.Attributes = append(m.Attributes, a)
	}
	if r.IntN(3) == 0 {
		m.Groups = append(m.Groups, Group{Name: "empty", Label: "Empty"})
	}
	for i := range r.IntN(6) {
		rule := Rule{Name: fmt.Sprintf("r%d", i), Kind: RuleKind(r.IntN(4))}
		if r.IntN(2) == 0 {
			rule.Label = g0label(r)
		}
		if rule.Kind != Constraint {
			rule.If = g.expr(3)
		}
		rule.Then = g.expr(3)
		m.Rules = append(m.Rules, rule)
	}
	for i := range r.IntN(3) {
		t := Table{Name: fmt.Sprintf("t%d", i), Forbid: r.IntN(2) == 0}
		for _, k := range r.Perm(len(m.Attributes))[:1+r.IntN(len(m.Attributes))] {
			t.Attrs = append(t.Attrs, m.Attributes[k].Name)
		}
		for range r.IntN(4) {
			var row Row
			for _, name := range t.Attrs {
				var c Cell
				if r.IntN(4) == 0 {
					c.Any = true
				} else {
					c.Levels = g.levels(m.Attributes[m.Attr(name)])
				}
				row.Cells = append(row.Cells, c)
			}
			t.Rows = append(t.Rows, row)
		}
		m.Tables = append(m.Tables, t)
	}
	m.Reindex()
	return m
}

func setNum(m map[string]Decimal, k string, v Decimal) map[string]Decimal {
	if m == nil {
		m = map[string]Decimal{}
	}
	m[k] = v
	return m
}

// g0label returns a label with characters that need escaping or are not
// ASCII.
func g0label(r *rand.Rand) string {
	parts := []string{"Body", " size", `"q"`, `\`, "ü", "6.5 in", "#", "{", "日本"}
	s := ""
	for range r.IntN(4) {
		s += parts[r.IntN(len(parts))]
	}
	return s
}

func (g *gen) levels(a Attribute) []string {
	var out []string
	for range 1 + g.r.IntN(3) {
		out = append(out, a.Levels[g.r.IntN(len(a.Levels))].Name)
	}
	return out
}

func (g *gen) expr(depth int) Expr {
	r := g.r
	k := r.IntN(7)
	if depth == 0 {
		k = 4 + r.IntN(3)
	}
	switch k {
	case 0, 1:
		var xs []Expr
		for len(xs) < 2 {
			x := g.expr(depth - 1)
			if _, ok := x.(*Or); ok && k == 0 {
				continue
			}
			if _, ok := x.(*And); ok && k == 1 {
				continue
			}
			xs = append(xs, x)
		}
		if k == 0 {
			return &Or{Xs: xs}
		}
		return &And{Xs: xs}
	case 2:
		return &Not{X: g.expr(depth - 1)}
	case 3:
		return &Compare{Op: CmpOp(r.IntN(6)), L: g.num(depth - 1), R: g.num(depth - 1)}
	case 4:
		return &Bool{V: r.IntN(2) == 0}
	case 5:
		return &Compare{Op: CmpOp(r.IntN(6)), L: g.num(0), R: g.num(0)}
	}
	a := g.m.Attributes[r.IntN(len(g.m.Attributes))]
	return &Test{Attr: a.Name, Levels: g.levels(a), Negate: r.IntN(2) == 0}
}

func (g *gen) num(depth int) Num {
	r := g.r
	k := r.IntN(8)
	if depth <= 0 {
		k = r.IntN(3)
	}
	switch k {
	case 0:
		return &Const{V: Decimal(r.Int64N(2*int64(MaxDecimal))) - MaxDecimal}
	case 1, 2:
		if len(g.nums) == 0 {
			return &Const{V: Int(int64(r.IntN(10)))}
		}
		p := g.nums[r.IntN(len(g.nums))]
		if k == 2 {
			return &SumProp{Prop: p}
		}
		return &PropRef{Attr: g.m.Attributes[r.IntN(len(g.m.Attributes))].Name, Prop: p}
	case 3, 4:
		return &Arith{Op: "+-"[k-3], L: g.num(depth - 1), R: g.num(depth - 1)}
	case 5:
		c := Num(&Const{V: Int(int64(r.IntN(7) - 3))})
		x := g.num(depth - 1)
		if r.IntN(2) == 0 {
			return &Arith{Op: '*', L: c, R: x}
		}
		return &Arith{Op: '*', L: x, R: c}
	case 6:
		fn := []string{"min", "max", "abs"}[r.IntN(3)]
		c := &Call{Fn: fn}
		for range 1 + r.IntN(3) {
			c.Args = append(c.Args, g.num(depth-1))
			if fn == "abs" {
				break
			}
		}
		return c
	}
	c := &Count{}
	for range 1 + r.IntN(3) {
		c.Xs = append(c.Xs, g.expr(depth-1))
	}
	return c
}
