package dimacs

import (
	"bufio"
	"bytes"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modeltest"
)

// cnf is a parsed DIMACS file.
type cnf struct {
	nbool   int
	clauses [][]int
	show    []int
	names   map[int]string // boolean -> "attr=level"
}

// parse reads DIMACS CNF as Write writes it, checking the header against
// the clauses.
func parse(tb testing.TB, data []byte) *cnf {
	tb.Helper()
	f := &cnf{names: map[int]string{}}
	declared := -1
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "c var "):
			// c var 17 = display=oled
			n, err := strconv.Atoi(fields[2])
			if err != nil || fields[3] != "=" {
				tb.Fatalf("bad comment %q", line)
			}
			f.names[n] = fields[4]
		case strings.HasPrefix(line, "c p show "):
			for _, s := range fields[3 : len(fields)-1] {
				n, _ := strconv.Atoi(s)
				f.show = append(f.show, n)
			}
			if fields[len(fields)-1] != "0" {
				tb.Fatalf("show line %q does not end with 0", line)
			}
		case strings.HasPrefix(line, "c"):
		case strings.HasPrefix(line, "p cnf "):
			if declared >= 0 {
				tb.Fatalf("two headers")
			}
			f.nbool, _ = strconv.Atoi(fields[2])
			declared, _ = strconv.Atoi(fields[3])
		default:
			if declared < 0 {
				tb.Fatalf("clause %q before the header", line)
			}
			var c []int
			for i, s := range fields {
				n, err := strconv.Atoi(s)
				if err != nil || n < -f.nbool || n > f.nbool || (n == 0) != (i == len(fields)-1) {
					tb.Fatalf("bad clause %q", line)
				}
				if n != 0 {
					c = append(c, n)
				}
			}
			f.clauses = append(f.clauses, c)
		}
	}
	if declared != len(f.clauses) {
		tb.Fatalf("header declares %d clauses, file has %d", declared, len(f.clauses))
	}
	return f
}

// models enumerates every assignment of the booleans (at most 20 of them)
// and calls fn with each model of the formula, as a bit mask (bit i-1 for
// boolean i).
func (f *cnf) models(fn func(x uint32)) {
	type masks struct{ pos, neg uint32 }
	cs := make([]masks, len(f.clauses))
	for i, c := range f.clauses {
		for _, l := range c {
			if l > 0 {
				cs[i].pos |= 1 << (l - 1)
			} else {
				cs[i].neg |= 1 << (-l - 1)
			}
		}
	}
next:
	for x := uint32(0); x < 1<<f.nbool; x++ {
		for _, c := range cs {
			if x&c.pos == 0 && ^x&c.neg == 0 {
				continue next
			}
		}
		fn(x)
	}
}

func mustWrite(tb testing.TB, p *csp.Problem) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, p); err != nil {
		tb.Fatalf("write: %v", err)
	}
	return buf.Bytes()
}

func lowerRandom(tb testing.TB, r *rand.Rand, m *model.Model) (*model.Model, *csp.Problem) {
	tb.Helper()
	return modeltest.LowerRandom(tb, r, m)
}

// TestModelsAreConfigurations counts, by enumerating every assignment of
// the booleans, the models of the CNF of small random models, and checks
// that they are the valid configurations, one each: as many as the
// configurator counts, as many once projected on the shown booleans, and
// each valid once decoded through the "c var" comments.
func TestModelsAreConfigurations(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	tested, aux := 0, 0
	for iter := 0; tested < 150; iter++ {
		m, p := lowerRandom(t, r, randomModel(r))
		nbool := 0
		for _, v := range p.Vars {
			nbool += v.Size
		}
		if nbool > 18 {
			continue
		}
		tested++
		if len(p.Vars) > len(m.Attributes) {
			aux++
		}
		e, err := configurator.Compile(m, configurator.Options{})
		if err != nil {
			t.Fatalf("compile: %v", err)
		}
		want := e.Count(e.NewSelection())
		data := mustWrite(t, p)
		f := parse(t, data)
		if f.nbool != nbool {
			t.Fatalf("model %d: %d booleans, want %d", iter, f.nbool, nbool)
		}
		var showMask uint32
		for _, b := range f.show {
			showMask |= 1 << (b - 1)
			if _, ok := f.names[b]; !ok {
				t.Fatalf("model %d: shown boolean %d has no name", iter, b)
			}
		}
		attrBools := 0
		for _, a := range m.Attributes {
			attrBools += len(a.Levels)
		}
		if len(f.show) != attrBools {
			t.Fatalf("model %d: %d shown booleans, want %d (the attributes')", iter, len(f.show), attrBools)
		}
		total := 0
		projected := map[uint32]bool{}
		f.models(func(x uint32) {
			total++
			projected[x&showMask] = true
			config := make([]int, len(m.Attributes))
			for i := range config {
				config[i] = -1
			}
			for _, b := range f.show {
				if x&(1<<(b-1)) == 0 {
					continue
				}
				attr, level, _ := strings.Cut(f.names[b], "=")
				a := m.Attr(attr)
				if config[a] >= 0 {
					t.Fatalf("model %d: attribute %s has two levels in %b", iter, attr, x)
				}
				config[a] = m.Level(a, level)
			}
			for a, l := range config {
				if l < 0 {
					t.Fatalf("model %d: attribute %d has no level in %b", iter, a, x)
				}
			}
			if !m.Valid(config) {
				t.Fatalf("model %d: CNF model %b is configuration %v, which is not valid\n%s", iter, x, config, data)
			}
		})
		if big.NewInt(int64(total)).Cmp(want) != 0 || big.NewInt(int64(len(projected))).Cmp(want) != 0 {
			t.Fatalf("model %d: %d models, %d projected, configurator counts %v\n%s", iter, total, len(projected), want, data)
		}
	}
	if aux < 20 {
		t.Fatalf("only %d tested models had auxiliary variables", aux)
	}
}

// TestRandomRelations checks both encodings of relations of every arity on
// random problems, against a count by enumeration of the CSP's assignments.
func TestRandomRelations(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for iter := 0; iter < 300; iter++ {
		p := &csp.Problem{}
		nbool := 0
		for nbool < 12 || r.IntN(3) != 0 {
			size := 1 + r.IntN(3)
			if nbool+size > 18 {
				break
			}
			p.Vars = append(p.Vars, csp.Var{Name: fmt.Sprintf("x%d", len(p.Vars)), Size: size, Attr: len(p.Vars)})
			nbool += size
		}
		for k := r.IntN(4); k > 0; k-- {
			rel := &csp.Relation{}
			for n := r.IntN(5); n > 0; n-- {
				rel.Scope = append(rel.Scope, r.IntN(len(p.Vars))) // repeats allowed
			}
			if len(rel.Scope) == 0 {
				if r.IntN(2) == 0 {
					rel.Tuples = []int32{0} // allows the empty tuple
				}
				p.Relations = append(p.Relations, rel)
				continue
			}
			dense := r.Float64()
			forEach(p, rel.Scope, func(tu []int32) {
				if r.Float64() < dense {
					rel.Tuples = append(rel.Tuples, tu...)
				}
			})
			p.Relations = append(p.Relations, rel)
		}
		want := 0
		forEach(p, allVars(p), func(assign []int32) {
			for _, rel := range p.Relations {
				if !allows(rel, assign) {
					return
				}
			}
			want++
		})
		f := parse(t, mustWrite(t, p))
		got := 0
		f.models(func(uint32) { got++ })
		if got != want {
			t.Fatalf("problem %d: %d models, want %d\n%s", iter, got, want, mustWrite(t, p))
		}
	}
}

func allVars(p *csp.Problem) []int {
	vs := make([]int, len(p.Vars))
	for i := range vs {
		vs[i] = i
	}
	return vs
}

// forEach calls fn with every combination of values of the scope.
func forEach(p *csp.Problem, scope []int, fn func([]int32)) {
	t := make([]int32, len(scope))
	var rec func(j int)
	rec = func(j int) {
		if j == len(scope) {
			fn(t)
			return
		}
		for x := 0; x < p.Vars[scope[j]].Size; x++ {
			t[j] = int32(x)
			rec(j + 1)
		}
	}
	rec(0)
}

// allows reports whether a relation, possibly with repeated variables in
// its scope, allows a complete assignment.
func allows(rel *csp.Relation, assign []int32) bool {
	if len(rel.Scope) == 0 {
		return rel.Len() > 0
	}
next:
	for t := 0; t < rel.Len(); t++ {
		for j, v := range rel.Scope {
			if rel.Tuple(t)[j] != assign[v] {
				continue next
			}
		}
		return true
	}
	return false
}

func TestWriteHeader(t *testing.T) {
	m := &model.Model{Name: "phone", Version: "3", Attributes: []model.Attribute{
		{Name: "display", Levels: []model.Level{{Name: "lcd"}, {Name: "oled"}}},
		{Name: "size", Levels: []model.Level{{Name: "s"}, {Name: "l"}}},
	}}
	p := &csp.Problem{Model: m, Vars: []csp.Var{
		{Name: "display", Size: 2, Attr: 0},
		{Name: "size", Size: 2, Attr: 1},
		{Name: "fit_sum1", Size: 1, Attr: -1},
	}, Relations: []*csp.Relation{{Scope: []int{0, 1}, Tuples: []int32{0, 0, 1, 1}}}}
	got := string(mustWrite(t, p))
	want := `c Tailor model "phone" version "3": direct encoding, one model per valid configuration
c var 1 = display=lcd
c var 2 = display=oled
c var 3 = size=s
c var 4 = size=l
c var 5 = fit_sum1=0 (auxiliary)
p cnf 5 9
c p show 1 2 3 4 0
1 2 0
-1 -2 0
3 4 0
-3 -4 0
5 0
-1 3 0
-2 4 0
1 -3 0
2 -4 0
`
	if got != want {
		t.Fatalf("output\n%s\nwant\n%s", got, want)
	}
}

func TestWriteErrors(t *testing.T) {
	wide := &csp.Problem{}
	var scope []int
	for i := 0; i < 8; i++ {
		wide.Vars = append(wide.Vars, csp.Var{Name: fmt.Sprintf("x%d", i), Size: 10, Attr: i})
		scope = append(scope, i)
	}
	wide.Relations = []*csp.Relation{{Scope: scope, Tuples: make([]int32, 8)}}
	tests := []struct {
		name string
		p    *csp.Problem
		want string
	}{
		{"too many clauses", wide, "needs 10000000 clauses, more than 5000000"},
		{"empty domain", &csp.Problem{Vars: []csp.Var{{Name: "a"}}}, "empty domain"},
		{"value out of domain", &csp.Problem{Vars: []csp.Var{{Name: "a", Size: 2}},
			Relations: []*csp.Relation{{Scope: []int{0}, Tuples: []int32{2}}}}, "out of the domain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestUnsatisfiableWithoutVariables(t *testing.T) {
	f := parse(t, mustWrite(t, &csp.Problem{Relations: []*csp.Relation{{}}}))
	n := 0
	f.models(func(uint32) { n++ })
	if n != 0 {
		t.Fatalf("%d models, want 0", n)
	}
	f = parse(t, mustWrite(t, &csp.Problem{}))
	n = 0
	f.models(func(uint32) { n++ })
	if n != 1 {
		t.Fatalf("%d models of the empty problem, want 1", n)
	}
}
