package model

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// modelOpts compare models ignoring positions, the name indexes, and the
// difference between nil and empty.
var modelOpts = []cmp.Option{
	cmp.Comparer(func(a, b Pos) bool { return true }),
	cmpopts.IgnoreUnexported(Model{}),
	cmpopts.EquateEmpty(),
}

// mustParse parses src and fails the test on any diagnostic.
func mustParse(tb testing.TB, src string) *Model {
	tb.Helper()
	m, ds := Parse("test.tailor", []byte(src))
	if len(ds) > 0 {
		tb.Fatalf("Parse: unexpected diagnostics:\n%v\nsource:\n%s", ds.Err(), src)
	}
	return m
}

const head = "model \"M\"\n"

const abc = head + `
property p number
property q money
currency EUR
attribute a { level x { p 1 } level y { p 2.5 } }
attribute b { level u level v level w }
`

func test(attr string, a int, neg bool, levels []string, l ...int) *Test {
	return &Test{Attr: attr, A: a, Negate: neg, Levels: levels, L: l}
}

func num(s string) *Const {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return &Const{V: d}
}

func TestParseModel(t *testing.T) {
	src := head + `version "2.1"
currency EUR
property cost money "Unit cost"
property weight number unit "g"
property vendor text
group body "Body" {
  attribute size "Size" {
    level s "Small" { cost 100; weight -1.5 }
    level m default { vendor "A \"B\" \\ C"  parts "X-1" x2, "Y" }
  }
}
attribute 5g { level 128gb }
`
	got := mustParse(t, src)
	want := &Model{
		Name: "M", Version: "2.1", Currency: "EUR",
		Properties: []Property{
			{Name: "cost", Kind: Money, Label: "Unit cost"},
			{Name: "weight", Kind: Number, Unit: "g", Label: "weight"},
			{Name: "vendor", Kind: Text, Label: "vendor"},
		},
		Groups: []Group{{Name: "body", Label: "Body"}},
		Attributes: []Attribute{
			{Name: "size", Label: "Size", Group: "body", Default: 1, Levels: []Level{
				{Name: "s", Label: "Small", Numbers: map[string]Decimal{"cost": Int(100), "weight": -1_500_000}},
				{Name: "m", Label: "m", Texts: map[string]string{"vendor": `A "B" \ C`},
					Parts: []Part{{Number: "X-1", Qty: 2}, {Number: "Y", Qty: 1}}},
			}},
			{Name: "5g", Label: "5g", Default: -1, Levels: []Level{{Name: "128gb", Label: "128gb"}}},
		},
	}
	if diff := cmp.Diff(want, got, modelOpts...); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	if got.Attr("5g") != 1 || got.Property("vendor") == nil {
		t.Errorf("indexes not built: Attr(5g) = %d, Property(vendor) = %v", got.Attr("5g"), got.Property("vendor"))
	}
	if p := got.Attributes[0].Levels[0].Pos; p != (Pos{File: "test.tailor", Line: 9, Col: 11}) {
		t.Errorf("level position = %v, want test.tailor:9:11", p)
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		name string
		rule string
		want Rule
	}{{
		name: "precedence",
		rule: "rule r \"L\": a = x or b != u and not b in {v, w} requires a not in {y}",
		want: Rule{Name: "r", Label: "L", Kind: Requires,
			If: &Or{Xs: []Expr{
				test("a", 0, false, []string{"x"}, 0),
				&And{Xs: []Expr{
					test("b", 1, true, []string{"u"}, 0),
					&Not{X: test("b", 1, false, []string{"v", "w"}, 1, 2)},
				}},
			}},
			Then: test("a", 0, true, []string{"y"}, 1)},
	}, {
		name: "flattened chains and parentheses",
		rule: "rule: (a = x or (b = u or b = v)) or true excludes (a = x and b = u) and false",
		want: Rule{Name: "rule_8", Kind: Excludes,
			If: &Or{Xs: []Expr{
				test("a", 0, false, []string{"x"}, 0),
				test("b", 1, false, []string{"u"}, 0),
				test("b", 1, false, []string{"v"}, 1),
				&Bool{V: true},
			}},
			Then: &And{Xs: []Expr{
				test("a", 0, false, []string{"x"}, 0),
				test("b", 1, false, []string{"u"}, 0),
				&Bool{V: false},
			}}},
	}, {
		name: "implies",
		rule: "rule: a = y implies b = w",
		want: Rule{Name: "rule_8", Kind: Implies,
			If:   test("a", 0, false, []string{"y"}, 1),
			Then: test("b", 1, false, []string{"w"}, 2)},
	}, {
		name: "arithmetic",
		rule: "constraint c: a.p + 2 * a.q - -3 <= max(a.p, 1.5)",
		want: Rule{Name: "c", Kind: Constraint,
			Then: &Compare{Op: LE,
				L: &Arith{Op: '-',
					L: &Arith{Op: '+',
						L: &PropRef{Attr: "a", Prop: "p"},
						R: &Arith{Op: '*', L: num("2"), R: &PropRef{Attr: "a", Prop: "q"}}},
					R: num("-3")},
				R: &Call{Fn: "max", Args: []Num{&PropRef{Attr: "a", Prop: "p"}, num("1.5")}}}},
	}, {
		name: "numeric parentheses and unary minus",
		rule: "rule: (a.p + 1) * 2 > -a.p and count(a = x, true) != sum(p) - abs(-1)",
		want: Rule{Name: "rule_8", Kind: Constraint,
			Then: &And{Xs: []Expr{
				&Compare{Op: GT,
					L: &Arith{Op: '*', L: &Arith{Op: '+', L: &PropRef{Attr: "a", Prop: "p"}, R: num("1")}, R: num("2")},
					R: &Arith{Op: '*', L: num("-1"), R: &PropRef{Attr: "a", Prop: "p"}}},
				&Compare{Op: NE,
					L: &Count{Xs: []Expr{test("a", 0, false, []string{"x"}, 0), &Bool{V: true}}},
					R: &Arith{Op: '-', L: &SumProp{Prop: "p"}, R: &Call{Fn: "abs", Args: []Num{num("-1")}}}},
			}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, abc+tt.rule+"\n")
			if len(m.Rules) != 1 {
				t.Fatalf("got %d rules, want 1", len(m.Rules))
			}
			if diff := cmp.Diff(tt.want, m.Rules[0], modelOpts...); diff != "" {
				t.Errorf("rule mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTable(t *testing.T) {
	m := mustParse(t, abc+`
table (a, b) forbid {
  x {u, v}
  * w
}
table t "T" (b, a) {}
`)
	want := []Table{{
		Name: "table_9", Attrs: []string{"a", "b"}, A: []int{0, 1}, Forbid: true,
		Rows: []Row{
			{Cells: []Cell{{Levels: []string{"x"}, L: []int{0}}, {Levels: []string{"u", "v"}, L: []int{0, 1}}}},
			{Cells: []Cell{{Any: true}, {Levels: []string{"w"}, L: []int{2}}}},
		},
	}, {Name: "t", Label: "T", Attrs: []string{"b", "a"}, A: []int{1, 0}}}
	if diff := cmp.Diff(want, m.Tables, modelOpts...); diff != "" {
		t.Errorf("tables mismatch (-want +got):\n%s", diff)
	}
	// The first row forbids (x, v); no row matches (y, u).
	if m.Tables[0].Holds([]int{0, 1}) || !m.Tables[0].Holds([]int{1, 0}) {
		t.Errorf("Valid: (x, v) should be forbidden and (y, u) allowed")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"empty file", "", []string{`1:1: missing model header: a model starts with model "NAME" version "VERSION"`}},
		{"missing colon", abc + `rule tele "x" a = x`, []string{`8:15: expected ":" after rule label, found "a"`}},
		{"unknown attribute", abc + "rule: sise = x", []string{`8:7: unknown attribute "sise"`}},
		{"unknown level", abc + "rule: b in {u, huge}", []string{`8:16: unknown level "huge" of attribute "b"`}},
		{"table cells", abc + "table (a, b) {\n x u v\n y\n}", []string{
			`9:2: table row has 3 cells, want 2`, `10:2: table row has 1 cell, want 2`}},
		{"product", abc + "rule: a.p * a.q > 1", []string{`8:11: product of two non-constant expressions; one side of * must be a constant`}},
		{"money needs currency", head + "property c money\nattribute a { level x { c 1 } }", []string{
			`2:10: money property "c" needs a currency declaration (currency CODE)`}},
		{"money integer", abc + "attribute c { level z { q 1.5 } }", []string{
			`8:27: money property "q" must be a whole number of minor units, not 1.5`}},
		{"text value", abc + "property t text\nattribute c { level z { t 1 p \"no\" } }", []string{
			`9:27: property "t" is text; want a string`, `9:31: property "p" is number; want a number`}},
		{"undeclared property", abc + "attribute c { level z { r 1 } }\nrule: c.r > sum(r)", []string{
			`8:25: unknown property "r"`, `9:7: unknown property "r"`, `9:13: unknown property "r"`}},
		{"two defaults", abc + "attribute c { level z default level zz default }", []string{
			`8:40: attribute "c" has two default levels`}},
		{"no levels", abc + "attribute c {}", []string{`8:11: attribute "c" has no levels`}},
		{"duplicates", abc + "attribute a { level x level x }\nrule t: true\ntable t (a) {}", []string{
			`8:11: duplicate attribute "a" (first at 6:11)`,
			`8:29: duplicate level "x" of attribute "a" (first at 8:21)`,
			`10:1: duplicate rule or table name "t" (first at 9:1)`}},
		{"reserved", abc + "attribute in { level x }", []string{`8:11: "in" is a reserved word and cannot be a name`}},
		{"header not first", "property p number\n" + head, []string{`2:1: the model header must come first`}},
		{"two operators", abc + "rule: a = x requires b = u implies a = y", []string{
			`8:28: requires, excludes and implies appear at most once in a rule`}},
		{"numeric equals", abc + "rule: a.p = 1", []string{`8:11: use "==" to compare numbers`}},
		{"missing condition", abc + "rule: a = x requires\nrule: b = u", []string{`9:1: expected condition, found "rule"`}},
		{"all errors", head + "attribute a { level x { p } }\nrule: b = u\nrule x: a = z", []string{
			`2:27: expected value of property "p" (a number or a string), found "}"`, `3:7: unknown attribute "b"`, `4:13: unknown level "z" of attribute "a"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Parse("", []byte(tt.src))
			var got []string
			for _, d := range ds {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// docExample returns the first ```-fenced block of the language
// specification.
func docExample(tb testing.TB) []byte {
	tb.Helper()
	doc, err := os.ReadFile("../docs/model-language.md")
	if err != nil {
		tb.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		tb.Fatal("no fenced block in docs/model-language.md")
	}
	return m[1]
}

func TestDocExample(t *testing.T) {
	m := mustParse(t, string(docExample(t)))
	if got, want := len(m.Attributes), 6; got != want {
		t.Errorf("got %d attributes, want %d", got, want)
	}
	var names []string
	for _, r := range m.Rules {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff("tele_body rule_47 rule_48 fit cool", strings.Join(names, " ")); diff != "" {
		t.Errorf("rule names mismatch (-want +got):\n%s", diff)
	}
}
