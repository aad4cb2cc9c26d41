package xcsp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modeltest"
)

func lowerRandom(tb testing.TB, r *rand.Rand, m *model.Model) (*model.Model, *csp.Problem) {
	tb.Helper()
	return modeltest.LowerRandom(tb, r, m)
}

func mustCount(tb testing.TB, m *model.Model) *big.Int {
	tb.Helper()
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		tb.Fatalf("compile: %v", err)
	}
	return e.Count(e.NewSelection())
}

func mustWrite(tb testing.TB, p *csp.Problem) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, p); err != nil {
		tb.Fatalf("write: %v", err)
	}
	return buf.Bytes()
}

// TestRoundTripPreservesCount writes random lowered models, reads them back
// and compares the number of configurations and the levels that some
// valid configuration uses.
func TestRoundTripPreservesCount(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	aux := 0
	for iter := 0; iter < 300; iter++ {
		m, p := lowerRandom(t, r, randomModel(r))
		if len(p.Vars) > len(m.Attributes) {
			aux++
		}
		data := mustWrite(t, p)
		got, err := Read(bytes.NewReader(data), "random.xml")
		if err != nil {
			t.Fatalf("model %d: read: %v\n%s", iter, err, data)
		}
		if len(got.Attributes) != len(p.Vars) {
			t.Fatalf("model %d: %d attributes, want %d", iter, len(got.Attributes), len(p.Vars))
		}
		for a, at := range m.Attributes {
			if got.Attributes[a].Name != at.Name || len(got.Attributes[a].Levels) != len(at.Levels) {
				t.Fatalf("model %d: attribute %d is %s with %d levels, want %s with %d", iter, a,
					got.Attributes[a].Name, len(got.Attributes[a].Levels), at.Name, len(at.Levels))
			}
		}
		want := mustCount(t, m)
		e, err := configurator.Compile(got, configurator.Options{})
		if err != nil {
			t.Fatalf("model %d: compile what was read: %v\n%s", iter, err, data)
		}
		if n := e.Count(e.NewSelection()); n.Cmp(want) != 0 {
			t.Fatalf("model %d: count after round trip = %v, want %v\n%s", iter, n, want, data)
		}
		we, _ := configurator.Compile(m, configurator.Options{})
		wantDom, wantOK := we.Propagate(we.NewSelection())
		gotDom, gotOK := e.Propagate(e.NewSelection())
		if gotOK != wantOK {
			t.Fatalf("model %d: consistent = %v, want %v", iter, gotOK, wantOK)
		}
		for a := range m.Attributes {
			if !wantOK {
				break
			}
			for l := range wantDom[a] {
				if gotDom[a][l] != wantDom[a][l] {
					t.Fatalf("model %d: attribute %d level %d possible = %v, want %v", iter, a, l, gotDom[a][l], wantDom[a][l])
				}
			}
		}
	}
	if aux < 30 {
		t.Fatalf("only %d models had auxiliary variables", aux)
	}
}

// specialProblems are problems whose XCSP form needs care: no variables,
// an unsatisfiable relation over no variables, and names that are not
// identifiers or clash with generated names.
func specialProblems() []struct {
	name string
	p    *csp.Problem
	want int64
} {
	two := []csp.Var{{Name: "a", Size: 2, Attr: 0}, {Name: "b", Size: 3, Attr: 1}}
	return []struct {
		name string
		p    *csp.Problem
		want int64
	}{
		{"no variables", &csp.Problem{}, 1},
		{"no variables, unsatisfiable", &csp.Problem{Relations: []*csp.Relation{{}}}, 0},
		{"unsatisfiable empty relation", &csp.Problem{Vars: two, Relations: []*csp.Relation{{}}}, 0},
		{"satisfied empty relation", &csp.Problem{Vars: two, Relations: []*csp.Relation{{Tuples: []int32{0}}}}, 6},
		{"awkward names", &csp.Problem{
			Vars: []csp.Var{{Name: "5g", Size: 2}, {Name: "V0", Size: 2}, {Name: "x<y", Size: 2}, {Name: "a", Size: 2}, {Name: "a", Size: 2}},
			Relations: []*csp.Relation{
				{Scope: []int{0, 1}, Tuples: []int32{0, 1, 1, 0}},
				{Scope: []int{2, 3, 4}, Tuples: []int32{0, 0, 0, 1, 1, 1}},
			},
			Origins: []csp.Origin{{Name: "a b\"<&>"}},
		}, 4},
	}
}

func TestWriteSpecialProblems(t *testing.T) {
	for _, tc := range specialProblems() {
		t.Run(tc.name, func(t *testing.T) {
			data := mustWrite(t, tc.p)
			m, err := Read(bytes.NewReader(data), "special.xml")
			if err != nil {
				t.Fatalf("read: %v\n%s", err, data)
			}
			if got := mustCount(t, m); got.Cmp(big.NewInt(tc.want)) != 0 {
				t.Fatalf("count = %v, want %d\n%s", got, tc.want, data)
			}
		})
	}
}

func TestWriteRejectsBadProblems(t *testing.T) {
	tests := []struct {
		name string
		p    *csp.Problem
		want string
	}{
		{"empty domain", &csp.Problem{Vars: []csp.Var{{Name: "a", Size: 0}}}, "empty domain"},
		{"value out of domain", &csp.Problem{Vars: []csp.Var{{Name: "a", Size: 2}},
			Relations: []*csp.Relation{{Scope: []int{0}, Tuples: []int32{2}}}}, "out of the domain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Write(&bytes.Buffer{}, tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestReadSmall reads a hand-written instance whose 68 solutions were
// counted by enumeration (and by toulbar2).
func TestReadSmall(t *testing.T) {
	f, err := os.Open("testdata/small.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Read(f, "testdata/small.xml")
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if got := mustCount(t, m); got.Cmp(big.NewInt(68)) != 0 {
		t.Fatalf("count = %v, want 68", got)
	}
	if m.Name != "small" {
		t.Errorf("model name = %q, want small", m.Name)
	}
	var names []string
	for _, a := range m.Attributes {
		names = append(names, a.Name)
	}
	if got, want := strings.Join(names, " "), "X Y Z W my_var"; got != want {
		t.Errorf("attributes = %q, want %q", got, want)
	}
	if a := m.Attributes[4]; a.Label != "my-var" || a.Default != -1 {
		t.Errorf("attribute my_var: label %q default %d, want my-var and -1", a.Label, a.Default)
	}
	var levels []string
	for _, l := range m.Attributes[0].Levels {
		levels = append(levels, l.Name+"="+l.Label)
	}
	if got, want := strings.Join(levels, " "), "m1=-1 v0=0 v1=1"; got != want {
		t.Errorf("levels of X = %q, want %q", got, want)
	}
	if got := len(m.Tables); got != 4 {
		t.Fatalf("%d tables, want 4", got)
	}
	c0, c1 := m.Tables[0], m.Tables[1]
	if c0.Name != "C0" || c0.Forbid || len(c0.Rows) != 4 {
		t.Errorf("table C0: name %q forbid %v rows %d, want C0, false, 4 (the tuple 7 7 is outside the domain)", c0.Name, c0.Forbid, len(c0.Rows))
	}
	if !c1.Forbid || c1.Rows[1].Cells[1].Levels[0] != "v5" || c1.Rows[1].Cells[1].L[0] != 2 {
		t.Errorf("table C1: forbid %v, second row %+v; want a forbid table with level v5 (index 2)", c1.Forbid, c1.Rows[1].Cells)
	}
	if c1.Pos.Line != 26 || c1.Pos.Col != 5 || c1.Pos.File != "testdata/small.xml" {
		t.Errorf("table C1 at %v, want testdata/small.xml:26:5", c1.Pos)
	}
}

func TestReadNames(t *testing.T) {
	in := `<instance><presentation name="n"/>
<domains><domain name="D">0 -12</domain></domains>
<variables>
<variable name="and" domain="D"/><variable name="a.b" domain="D"/><variable name="a_b" domain="D"/>
<variable name="42" domain="D"/><variable name="é" domain="D"/>
</variables></instance>`
	m, err := Read(strings.NewReader(in), "names.xml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range m.Attributes {
		names = append(names, a.Name)
	}
	if got, want := strings.Join(names, " "), "and_ a_b a_b_2 x42 __"; got != want {
		t.Errorf("attributes = %q, want %q", got, want)
	}
	if got := m.Attributes[0].Levels[1].Name; got != "m12" {
		t.Errorf("level of -12 = %q, want m12", got)
	}
	if got := m.Attr("a_b_2"); got != 2 {
		t.Errorf("Attr(a_b_2) = %d, want 2 (Read must reindex)", got)
	}
}

func TestReadErrors(t *testing.T) {
	const head = `<instance><presentation name="e" format="XCSP 2.1" type="CSP"/>
<domains><domain name="D">0..2</domain></domains>
<variables><variable name="X" domain="D"/><variable name="Y" domain="D"/></variables>
`
	tests := []struct {
		name, in string
		want     []string
	}{
		{"malformed", head + `<relations><relation name="R" arity="1" semantics="supports">0</relations>`, []string{"e.xml:", "malformed XML"}},
		{"not xml", "hello", []string{"no <instance>"}},
		{"empty", "", []string{"no <instance>"}},
		{"other root", "<foo/>", []string{"root element is <foo>"}},
		{"xcsp3", `<instance format="XCSP3" type="CSP"/>`, []string{"XCSP3", "only XCSP 2.0 and 2.1"}},
		{"wcsp", `<instance><presentation type="WCSP"/></instance>`, []string{"only CSP"}},
		{"soft", head + `<relations><relation name="R" arity="1" semantics="soft" defaultCost="1">0: 0</relation></relations></instance>`,
			[]string{"e.xml:4:", `relation "R"`, "soft relations"}},
		{"predicate", head + `<predicates><predicate name="P"><parameters>int a int b</parameters><expression><functional>lt(a,b)</functional></expression></predicate></predicates>
<constraints><constraint name="LessXY" arity="2" scope="X Y" reference="P"><parameters>X Y</parameters></constraint></constraints></instance>`,
			[]string{"e.xml:5:", `constraint "LessXY"`, `predicate "P"`, "intension constraints are not supported"}},
		{"global", head + `<constraints><constraint name="G" arity="2" scope="X Y" reference="global:allDifferent"/></constraints></instance>`,
			[]string{`constraint "G"`, "global constraint allDifferent"}},
		{"unknown variable", head + `<relations><relation name="R" arity="2" semantics="supports">0 0</relation></relations>
<constraints><constraint name="C" arity="2" scope="X Q" reference="R"/></constraints></instance>`, []string{"e.xml:5:", `constraint "C"`, `unknown variable "Q"`}},
		{"unknown relation", head + `<constraints><constraint name="C" arity="2" scope="X Y" reference="R9"/></constraints></instance>`, []string{`unknown relation "R9"`}},
		{"arity mismatch", head + `<relations><relation name="R" arity="1" semantics="supports">0</relation></relations>
<constraints><constraint name="C" arity="2" scope="X Y" reference="R"/></constraints></instance>`, []string{`constraint "C"`, "arity 1"}},
		{"constraint arity", head + `<relations><relation name="R" arity="2" semantics="supports">0 0</relation></relations>
<constraints><constraint name="C" arity="3" scope="X Y" reference="R"/></constraints></instance>`, []string{`constraint "C"`, `arity "3"`}},
		{"empty scope", head + `<relations><relation name="R" arity="1" semantics="supports">0</relation></relations>
<constraints><constraint name="C" scope="" reference="R"/></constraints></instance>`, []string{`constraint "C"`, "empty scope"}},
		{"short tuple", head + `<relations><relation name="R" arity="2" semantics="supports">0 0|1</relation></relations></instance>`, []string{`relation "R"`, "tuple 2 has 1 values, want 2"}},
		{"bad tuple value", head + `<relations><relation name="R" arity="1" semantics="conflicts">0|x</relation></relations></instance>`, []string{`relation "R"`, `bad value "x"`}},
		{"bad semantics", head + `<relations><relation name="R" arity="1">0</relation></relations></instance>`, []string{`relation "R"`, "semantics"}},
		{"bad arity", head + `<relations><relation name="R" arity="zero" semantics="supports">0</relation></relations></instance>`, []string{`relation "R"`, "arity"}},
		{"bad domain value", `<instance><domains><domain name="D">0 1 two</domain></domains></instance>`, []string{"e.xml:1:", `domain "D"`, `bad value "two"`}},
		{"bad range", `<instance><domains><domain name="D">3..1</domain></domains></instance>`, []string{`domain "D"`, `bad range "3..1"`}},
		{"huge range", `<instance><domains><domain name="D">-9223372036854775808..9223372036854775807</domain></domains></instance>`, []string{`domain "D"`, "more than"}},
		{"empty domain", `<instance><domains><domain name="D"> </domain></domains></instance>`, []string{`domain "D"`, "no values"}},
		{"repeated value", `<instance><domains><domain name="D">0..3 2</domain></domains></instance>`, []string{`domain "D"`, "value 2 listed twice"}},
		{"unknown domain", `<instance><variables><variable name="X" domain="E"/></variables></instance>`, []string{`variable "X"`, `unknown domain "E"`}},
		{"duplicate variable", head[:len(head)-len("</variables>\n")] + `<variable name="X" domain="D"/></variables></instance>`, []string{`variable "X"`, "defined twice"}},
		{"nameless variable", `<instance><variables><variable domain="E"/></variables></instance>`, []string{"variable without a name"}},
		{"too many levels", `<instance><domains><domain name="D">0..65535</domain></domains><variables>` +
			manyVariables(17, "D") + `</variables></instance>`, []string{"more than 1048576 values in all"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Read(strings.NewReader(tc.in), "e.xml")
			if err == nil {
				t.Fatalf("Read returned a model with %d attributes and no error", len(m.Attributes))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// manyVariables lists n variables over domain d.
func manyVariables(n int, d string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<variable name="V%d" domain="%s"/>`, i, d)
	}
	return b.String()
}

func TestReadLatin1(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<instance><presentation name=\"caf\xe9\"/>" +
		"<domains><domain name=\"D\">0..1</domain></domains><variables><variable name=\"X\" domain=\"D\"/></variables></instance>"
	m, err := Read(strings.NewReader(in), "latin1.xml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "café" {
		t.Errorf("name = %q, want café", m.Name)
	}
}

func FuzzRead(f *testing.F) {
	small, err := os.ReadFile("testdata/small.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Add([]byte(`<instance><domains><domain name="D">0..2</domain></domains><variables><variable name="X" domain="D"/><variable name="Y" domain="D"/></variables>` +
		`<relations><relation name="R" arity="2" semantics="conflicts">0 0|1 1</relation></relations>` +
		`<constraints><constraint name="C" scope="X X" reference="R"/><constraint name="C" scope="Y X" reference="R"/></constraints></instance>`))
	f.Add([]byte(`<instance/>`))
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 5; i++ {
		_, p := lowerRandom(f, r, randomModel(r))
		f.Add(mustWrite(f, p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Read(bytes.NewReader(data), "fuzz.xml")
		if err != nil {
			return
		}
		for _, a := range m.Attributes {
			if len(a.Levels) == 0 {
				t.Fatalf("attribute %s has no levels", a.Name)
			}
		}
		e, err := configurator.Compile(m, configurator.Options{MaxTuples: 1 << 20})
		if err != nil {
			return
		}
		e.Count(e.NewSelection())
	})
}

// TestToulbar2CountsWhatWeWrite runs toulbar2 on random lowered models and
// compares its counts with the configurator's.
func TestToulbar2CountsWhatWeWrite(t *testing.T) {
	if _, err := exec.LookPath("toulbar2"); err != nil {
		t.Skip("toulbar2 is not installed (Debian: apt-get install toulbar2); skipping the comparison with it")
	}
	dir := t.TempDir()
	count := func(t *testing.T, data []byte) *big.Int {
		t.Helper()
		file := filepath.Join(dir, "model.xml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, err := Toulbar2Count(ctx, file)
		if err != nil {
			t.Fatalf("toulbar2: %v\n%s", err, data)
		}
		return n
	}
	t.Run("random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for iter := 0; iter < 60; iter++ {
			m, p := lowerRandom(t, r, randomModel(r))
			want := mustCount(t, m)
			data := mustWrite(t, p)
			if got := count(t, data); got.Cmp(want) != 0 {
				t.Fatalf("model %d: toulbar2 counts %v, configurator %v\n%s", iter, got, want, data)
			}
		}
	})
	for _, tc := range specialProblems() {
		t.Run(tc.name, func(t *testing.T) {
			data := mustWrite(t, tc.p)
			if got := count(t, data); got.Cmp(big.NewInt(tc.want)) != 0 {
				t.Fatalf("toulbar2 counts %v, want %d\n%s", got, tc.want, data)
			}
		})
	}
	t.Run("small.xml", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, err := Toulbar2Count(ctx, "testdata/small.xml")
		if err != nil || n.Int64() != 68 {
			t.Fatalf("toulbar2 on testdata/small.xml: %v, %v; want 68", n, err)
		}
	})
}

func TestParseToulbar2Count(t *testing.T) {
	tests := []struct {
		name, out string
		want      string // "" for no count
		err       error  // a sentinel, or nil
		fails     bool   // an error that is not a sentinel
	}{
		{"exact", "Tree decomposition time: 0.000 seconds.\nNumber of solutions    : =  278744\nNumber of #goods       :    4126\n", "278744", nil, false},
		{"lower bound", "Number of solutions    : >=  12\n", "12", ErrLowerBound, false},
		{"approximate", "Number of solutions    : ~= 1000\n", "1000", ErrApproximate, false},
		{"beyond 2^53", "Number of solutions    : =  717897987691852578422784\n", "717897987691852578422784", ErrApproximate, false},
		{"float", "Number of solutions    : ~= 1.5e+21\n", "1500000000000000000000", ErrApproximate, false},
		{"no solution", "loading xml file:u.xml\nNo solution found by initial propagation!\nend.\n", "0", nil, false},
		{"nothing", "loading xml file:z.xml\n", "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseToulbar2Count(tc.out)
			switch {
			case tc.fails:
				if err == nil || n != nil {
					t.Fatalf("got %v, %v; want no count and an error", n, err)
				}
				return
			case tc.err != nil && !errors.Is(err, tc.err):
				t.Fatalf("error %v, want %v", err, tc.err)
			case tc.err == nil && err != nil:
				t.Fatalf("error %v, want none", err)
			}
			if n == nil || n.String() != tc.want {
				t.Fatalf("count %v, want %s", n, tc.want)
			}
		})
	}
}
