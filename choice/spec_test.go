package choice

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/shareddata"
)

func mustTable(tb testing.TB, src string) *Table {
	tb.Helper()
	t, err := ReadTable(strings.NewReader(src), "data.csv")
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func mustCompile(tb testing.TB, spec, data string) *Data {
	tb.Helper()
	s, err := ParseSpec("test.spec", []byte(spec))
	if err != nil {
		tb.Fatal(err)
	}
	d, err := Compile(s, mustTable(tb, data), LayoutUnset)
	if err != nil {
		tb.Fatal(err)
	}
	if err := d.Check(); err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestReadTable(t *testing.T) {
	tests := []struct {
		name, src string
		want      *Table
		wantErr   string
	}{
		{name: "comma", src: "a,b\n1,x\n2.5,y\n", want: &Table{Columns: []string{"a", "b"},
			Num: [][]float64{{1, 2.5}, {math.NaN(), math.NaN()}}, Text: [][]string{nil, {"x", "y"}}, Line: []int{2, 3}}},
		{name: "tab and quotes", src: "\"a\"\t\"b\"\n1\t2\n\n3\t4\n", want: &Table{Columns: []string{"a", "b"},
			Num: [][]float64{{1, 3}, {2, 4}}, Text: [][]string{nil, nil}, Line: []int{2, 4}}},
		{name: "semicolon, text after numbers", src: "a;b\n1;2\nNA;3\n", want: &Table{Columns: []string{"a", "b"},
			Num: [][]float64{{1, math.NaN()}, {2, 3}}, Text: [][]string{{"1", "NA"}, nil}, Line: []int{2, 3}}},
		{name: "empty", src: "", wantErr: "data.csv: empty file"},
		{name: "no rows", src: "a,b\n", wantErr: "data.csv: no data rows"},
		{name: "ragged", src: "a,b\n1,2\n3\n", wantErr: "data.csv:3: 1 fields, but the header names 2 columns"},
		{name: "duplicate column", src: "a,a\n1,2\n", wantErr: `data.csv:1: columns 1 and 2 are both named "a"`},
		{name: "bad quote", src: "a,b\n1,\"2\n", wantErr: "data.csv:2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTable(strings.NewReader(tt.src), "data.csv")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if errs.Code(err) != errs.Invalid && !strings.Contains(tt.wantErr, "read") {
					t.Errorf("code = %s, want invalid", errs.Code(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateNaNs(), cmpopts.IgnoreUnexported(Table{}), cmpopts.IgnoreFields(Table{}, "Name")); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"", "test.spec:1:1: no utility lines"},
		{"utilty car: b", `test.spec:1:1: unknown keyword "utilty" (did you mean utility?)`},
		{"utility car b", `test.spec:1:13: expected ":", found "b"`},
		{"utility car: b +", "test.spec:1:17: expected a value, found end of line"},
		{"utility car: (b", `test.spec:1:16: expected ")", found end of line`},
		{"utility car: b * x\nfix b = x", `test.spec:2:9: fix b: expected a number, found "x"`},
		{"utility car: b\nrandom b ~ gamma", `test.spec:2:12: random b: expected a distribution`},
		{"utility car: b\nrandom b ~ normal\nrandom b ~ normal", "test.spec:3:8: random b given twice (first at line 2)"},
		{"utility car: b $ x", `test.spec:1:16: unexpected character '$'`},
		{"utility car: x = 1", "test.spec:1:16: use == to compare"},
		{"utility car: foo(x)", `test.spec:1:14: unknown function "foo"`},
		{"utility car: log(x, y)", "test.spec:1:14: log takes 1 argument(s), not 2"},
		{"layout tall\nutility car: b", "test.spec:1:8: layout: want long or wide"},
		{"utility car: \"x", "test.spec:1:14: string not closed"},
		{"utility car: b\nalternatives car", "test.spec:2:1: alternatives: list at least two"},
		{"utility car: b\ncase id\ncase id2", "test.spec:3:1: case column given twice (first at line 2)"},
		{"exclude x in {1, y}\nutility car: b", `test.spec:1:18: expected a number or a quoted string in the set, found "y"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ParseSpec("test.spec", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %q", err, tt.want)
			}
			if errs.Code(err) != errs.Invalid {
				t.Errorf("code = %q, want invalid", errs.Code(err))
			}
		})
	}
}

func TestParseSpecListsEveryProblem(t *testing.T) {
	_, err := ParseSpec("s", []byte("utility a: b +\nbogus\nutility b: c"))
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("want two problems on two lines, got %v", err)
	}
}

// TestLinearize checks the coefficient each parameter gets from a variety
// of utility expressions, by compiling them on a one-case table.
func TestLinearize(t *testing.T) {
	const data = "case,alt,ch,x,y,g\n1,1,1,2,3,0\n1,2,0,5,7,1\n"
	tests := []struct {
		utility string
		params  []string
		rows    [][]float64 // per alternative row
		offset  []float64
	}{
		{"b * x", []string{"b"}, [][]float64{{2}, {5}}, []float64{0, 0}},
		{"x * b / 100", []string{"b"}, [][]float64{{0.02}, {0.05}}, []float64{0, 0}},
		{"(b1 + b2) * x", []string{"b1", "b2"}, [][]float64{{2, 2}, {5, 5}}, []float64{0, 0}},
		{"-(b * x) + x", []string{"b"}, [][]float64{{-2}, {-5}}, []float64{2, 5}},
		{"b * x * y - b * y", []string{"b"}, [][]float64{{3}, {28}}, []float64{0, 0}},
		{"b * (g == 0) + c * x * (y > 4)", []string{"b", "c"}, [][]float64{{1, 0}, {0, 5}}, []float64{0, 0}},
		{"b * log(x) + 2 * y", []string{"b"}, [][]float64{{math.Log(2)}, {math.Log(5)}}, []float64{6, 14}},
		{"b * x ^ 2 + b2 * max(x, y) - b3 * (x in {2, 9})", []string{"b", "b2", "b3"}, [][]float64{{4, 3, -1}, {25, 7, 0}}, []float64{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.utility, func(t *testing.T) {
			d := mustCompile(t, "layout long\ncase case\nalternative alt\nchosen ch\nutility *: "+tt.utility, data)
			if diff := cmp.Diff(tt.params, d.Params); diff != "" {
				t.Fatalf("params (-want +got)\n%s", diff)
			}
			for r := range 2 {
				if diff := cmp.Diff(tt.rows[r], d.Row(r), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
					t.Errorf("row %d (-want +got)\n%s", r, diff)
				}
			}
			if diff := cmp.Diff(tt.offset, d.Offset); diff != "" {
				t.Errorf("offset (-want +got)\n%s", diff)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	const long = "layout long\ncase case\nalternative alt\nchosen ch\n"
	tests := []struct{ name, spec, data, want string }{
		{"product of parameters", long + "utility *: b * c", "case,alt,ch\n1,1,1\n1,2,0\n",
			"test.spec:5:14: b * c: a product of parameters is not linear in parameters"},
		{"misspelled column", long + "utility *: b * pricee", "case,alt,ch,price\n1,1,1,2\n1,2,0,3\n",
			"(did you mean price?)"},
		{"parameter inside a function", long + "utility *: log(b)", "case,alt,ch\n1,1,1\n1,2,0\n",
			"test.spec:5:16: b is not a column, and a parameter cannot appear here"},
		{"bad cell", long + "utility *: b * x", "case,alt,ch,x\n1,1,1,2\n1,2,0,abc\n",
			`data.csv:3: column x: "abc" is not a number (in the utility of 2)`},
		{"empty cell", long + "utility *: b * x", "case,alt,ch,x\n1,1,1,2\n1,2,0,\n",
			`data.csv:3: column x: empty cell`},
		{"two chosen", long + "utility *: b * x", "case,alt,ch,x\n1,1,1,2\n1,2,1,3\n",
			"data.csv:3: case 1 has two chosen alternatives (lines 2 and 3)"},
		{"none chosen", long + "utility *: b * x", "case,alt,ch,x\n7,1,0,2\n7,2,0,3\n",
			"data.csv:2: case 7 has no chosen alternative"},
		{"chosen not 0/1", long + "utility *: b * x", "case,alt,ch,x\n7,1,2,2\n7,2,0,3\n",
			`data.csv:2: column ch: "2": the chosen column holds 1 for the chosen row and 0 for the others`},
		{"chosen unavailable", long + "avail *: av\nutility *: b * x", "case,alt,ch,x,av\n7,1,1,2,0\n7,2,0,3,1\n",
			"data.csv:2: case 7: the chosen alternative 1 is not available"},
		{"unknown alternative code", long + "alternatives a=1 b=2\nutility *: b * x", "case,alt,ch,x\n7,1,1,2\n7,3,0,3\n",
			`data.csv:3: column alt: "3" is not the code of an alternative (a=1, b=2)`},
		{"wide unknown code", "choice c\nalternatives x=1 y=2\nutility x: b * p\nutility y: 0", "c,p\n1,2\n0,3\n",
			`data.csv:3: column c: "0" is not the code of an alternative (x=1, y=2)`},
		{"wide chosen unavailable", "choice c\nalternatives x=1 y=2\navail y: ya\nutility x: b * p\nutility y: 0", "c,p,ya\n2,2,0\n",
			"data.csv:2: the chosen alternative y is not available"},
		{"missing column role", "layout long\nutility *: b", "a\n1\n", "the long layout needs a case column"},
		{"unknown column role", "choice CHOISE\nutility a: b\nutility z: 0", "CHOICE\n1\n", `choice: no column "CHOISE" in data.csv (did you mean CHOICE?)`},
		{"fix unknown parameter", "choice c\nutility a: b\nutility z: 0\nfix bb = 0", "c\na\n", "test.spec:4:5: fix bb: no utility uses bb (did you mean b?)"},
		{"random fixed", "choice c\nutility a: b\nutility z: 0\nfix b = 1\nrandom b ~ normal", "c\na\n", "random b: b is fixed (line 4)"},
		{"utility for unknown alternative", "choice c\nalternatives a z\nutility a: b\nutility zz: 0", "c\na\n", "utility for zz: no such alternative (did you mean z?)"},
		{"wide alternative without utility", "choice c\nalternatives a z\nutility a: b", "c\na\n", "alternative z has no utility line"},
		{"everything excluded", "choice c\nexclude c == \"a\" or c == \"z\"\nutility a: b\nutility z: 0", "c\na\nz\n", "no cases left after the exclusions"},
		{"text in a set of numbers", "choice c\nexclude c in {1}\nutility a: b\nutility z: 0", "c\na\n", "column c holds text: quote the values in the set"},
		{"unknown column in exclude", "choice c\nexclude cc == 1\nutility a: b\nutility z: 0", "c\na\n", `unknown column "cc" (did you mean c?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSpec("test.spec", []byte(tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Compile(s, mustTable(t, tt.data), LayoutUnset)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %q", err, tt.want)
			}
			if errs.Code(err) != errs.Invalid {
				t.Errorf("code = %q, want invalid", errs.Code(err))
			}
		})
	}
}

// TestCompileWide checks a wide file with text codes, availability,
// exclusions, fixed and random parameters, weights and panels that are
// not contiguous in the file.
func TestCompileWide(t *testing.T) {
	const spec = `
layout wide
choice mode
panel person
weight w
alternatives bus car=auto walk
exclude purpose not in {1, 3}
avail walk: dist < 2
utility bus:  asc_bus + b_time * bus_t + b_cost * bus_c / 100
utility car:  b_time * car_t + b_cost * car_c / 100 + asc_car
utility walk: b_time * dist * 12
utility *:    b_inc * income * (region == "north")
fix asc_car = 0.5
random b_time ~ lognormal
start b_cost = -1
`
	const data = `mode,person,w,purpose,dist,bus_t,bus_c,car_t,car_c,income,region
bus,p1,1,1,3,10,200,5,400,2,north
auto,p2,2,1,1,20,100,8,300,1,south
walk,p1,1,3,1.5,30,100,9,300,2,north
bus,p3,1,2,1,10,100,5,300,1,north
`
	d := mustCompile(t, spec, data)
	want := &Data{
		Params:       []string{"asc_bus", "b_time", "b_cost", "b_inc"},
		Fixed:        []FixedParam{{"asc_car", 0.5}},
		Alternatives: []string{"bus", "car", "walk"},
		// Cases: p1 (line 2), p1 (line 4), p2 (line 3); line 5 excluded.
		Start: []int{0, 2, 5, 8},
		X: []float64{
			1, 10, 2, 2, // p1 line 2: bus
			0, 5, 4, 2, //  car (walk unavailable: dist 3)
			1, 30, 1, 2, // p1 line 4: bus
			0, 9, 3, 2, //  car
			0, 18, 0, 2, // walk: 1.5*12
			1, 20, 1, 0, // p2 line 3: bus
			0, 8, 3, 0, //  car
			0, 12, 0, 0, // walk
		},
		Offset:      []float64{0, 0.5, 0, 0.5, 0, 0, 0.5, 0},
		Alt:         []int32{0, 1, 0, 1, 2, 0, 1, 2},
		Chosen:      []int32{0, 4, 6},
		Panel:       []int32{0, 0, 1},
		Panels:      2,
		PanelIDs:    []string{"p1", "p2"},
		Weight:      []float64{1, 1, 2},
		Random:      []Random{{Param: 1, Dist: Lognormal}},
		StartValues: []float64{0, 0, -1, 0},
	}
	if diff := cmp.Diff(want, d, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestCompileLong checks the long layout: rows of a case need not be
// adjacent, missing rows are unavailable alternatives, and alternatives
// are named by the alternative column's values.
func TestCompileLong(t *testing.T) {
	const spec = `
case id
alternative alt
chosen y
panel resp
utility 2: asc2
utility *: b * price
`
	const data = `id,alt,y,price,resp
1,1,0,3,r1
2,2,1,1,r2
1,2,1,4,r1
2,3,0,2,r2
1,3,0,5,r1
`
	d := mustCompile(t, spec, data)
	want := &Data{
		Params:       []string{"asc2", "b"},
		Alternatives: []string{"1", "2", "3"},
		Start:        []int{0, 3, 5},
		X:            []float64{0, 3, 1, 4, 0, 5, 1, 1, 0, 2},
		Offset:       []float64{0, 0, 0, 0, 0},
		Alt:          []int32{0, 1, 2, 1, 2},
		Chosen:       []int32{1, 3},
		Panel:        []int32{0, 1},
		Panels:       2,
		PanelIDs:     []string{"r1", "r2"},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestCompileLayoutMismatch: the layout given with the data must agree with
// the specification's.
func TestCompileLayoutMismatch(t *testing.T) {
	s, err := ParseSpec("s", []byte("layout wide\nchoice c\nutility a: b\nutility z: 0"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(s, mustTable(t, "c\na\n"), Long)
	if err == nil || !strings.Contains(err.Error(), "the specification says layout wide, but the data was given as long") {
		t.Fatalf("err = %v", err)
	}
}

// LoadExample compiles the example specification testdata/NAME.spec on
// file of the reference data set, or skips when the data is absent.
func loadExample(tb testing.TB, name, dataset, file string) *Data {
	tb.Helper()
	src, err := os.ReadFile("testdata/" + name + ".spec")
	if err != nil {
		tb.Fatal(err)
	}
	return loadSpec(tb, string(src), dataset, file)
}

// loadSpec compiles specification src on file of the reference data set,
// or skips when the data is absent.
func loadSpec(tb testing.TB, src, dataset, file string) *Data {
	tb.Helper()
	path := shareddata.File(tb, dataset, file)
	s, err := ParseSpec("test.spec", []byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	tab, err := ReadTable(f, file)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := Compile(s, tab, LayoutUnset)
	if err != nil {
		tb.Fatal(err)
	}
	if err := d.Check(); err != nil {
		tb.Fatal(err)
	}
	return d
}

func loadSwissmetro(tb testing.TB) *Data {
	return loadExample(tb, "swissmetro", "swissmetro", "swissmetro.dat")
}

// TestExamples compiles every example specification on its data set and
// checks the sizes the data sets' documentation gives.
func TestExamples(t *testing.T) {
	tests := []struct {
		spec, dataset, file string
		cases, rows, panels int
		params              []string
		random              int
	}{
		// Biogeme: 6,768 observations from 752 respondents after the
		// standard exclusions.
		{"swissmetro", "swissmetro", "swissmetro.dat", 6768, 19143, 752,
			[]string{"asc_train", "b_time", "b_cost", "asc_car"}, 0},
		{"heating", "mlogit_heating", "heating_wide.csv", 900, 4500, 900,
			[]string{"asc_gc", "b_ic", "b_oc", "asc_gr", "asc_ec", "asc_er"}, 0},
		{"electricity", "mlogit_electricity", "electricity_long.csv", 4308, 17232, 361,
			[]string{"b_pf", "b_cl", "b_loc", "b_wk", "b_tod", "b_seas"}, 6},
		{"camera", "bayesm_camera", "camera_long_from_rdata.csv", 332 * 16, 26560, 332,
			[]string{"b_canon", "b_sony", "b_nikon", "b_panasonic", "b_pixels", "b_zoom", "b_video", "b_swivel", "b_wifi", "b_price"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			d := loadExample(t, tt.spec, tt.dataset, tt.file)
			if d.Cases() != tt.cases || d.Rows() != tt.rows || d.NumPanels() != tt.panels {
				t.Errorf("cases %d rows %d panels %d, want %d %d %d", d.Cases(), d.Rows(), d.NumPanels(), tt.cases, tt.rows, tt.panels)
			}
			if diff := cmp.Diff(tt.params, d.Params); diff != "" {
				t.Errorf("params (-want +got)\n%s", diff)
			}
			if len(d.Random) != tt.random {
				t.Errorf("%d random coefficients, want %d", len(d.Random), tt.random)
			}
		})
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, name := range []string{"swissmetro", "heating", "electricity", "camera"} {
		src, err := os.ReadFile("testdata/" + name + ".spec")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Add("layout long\ncase c\nalternative a\nchosen y\nutility *: b * x + c2 * (x in {1, 2})\nrandom b ~ normal\ncorrelated")
	f.Add("choice y\nutility 1: b * log(x) - 3e-2 * x ^ 2\nutility 2: 0\nexclude not (x >= 1 and x != 2)")
	const data = "y,x,c,a\n1,1,1,1\n2,2,1,2\n"
	tab := mustTable(f, data)
	f.Fuzz(func(t *testing.T, src string) {
		s, err := ParseSpec("f", []byte(src))
		if err != nil {
			if errs.Code(err) != errs.Invalid {
				t.Fatalf("parse error without code invalid: %v", err)
			}
			return
		}
		d, err := Compile(s, tab, LayoutUnset)
		if err != nil {
			if errs.Code(err) != errs.Invalid {
				t.Fatalf("compile error without code invalid: %v", err)
			}
			return
		}
		if err := d.Check(); err != nil {
			t.Fatalf("compiled data inconsistent: %v\nspec:\n%s", err, src)
		}
	})
}

func FuzzReadTable(f *testing.F) {
	f.Add("a,b\n1,2\n")
	f.Add("\"x\"\t\"y\"\n1\tNA\n\n3\t\"q\"\n")
	f.Add("a;b\n1;2;3\n")
	f.Fuzz(func(t *testing.T, src string) {
		tab, err := ReadTable(strings.NewReader(src), "f")
		if err != nil {
			return
		}
		for c := range tab.Columns {
			if len(tab.Num[c]) != tab.Rows() || tab.Text[c] != nil && len(tab.Text[c]) != tab.Rows() {
				t.Fatalf("column %d has the wrong length", c)
			}
		}
	})
}
