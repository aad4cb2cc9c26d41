package survey

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
	"gonum.org/v1/gonum/mat"
)

// extendsToValid is an oracle independent of the configurator: whether some
// complete configuration that agrees with sel satisfies the model, by
// enumerating all of them (small models only).
func extendsToValid(m *model.Model, sel configurator.Selection) bool {
	config := make([]int, len(m.Attributes))
	var walk func(a int) bool
	walk = func(a int) bool {
		if a == len(config) {
			return m.Valid(config)
		}
		if sel[a] >= 0 {
			config[a] = sel[a]
			return walk(a + 1)
		}
		for l := range m.Attributes[a].Levels {
			config[a] = l
			if walk(a + 1) {
				return true
			}
		}
		return false
	}
	return walk(0)
}

func TestEveryConceptIsValid(t *testing.T) {
	smallEngine := mustEngine(t, "small.tailor", []byte(small))
	tests := []struct {
		name string
		e    *configurator.Engine
		spec Spec
		// brute checks with the model oracle as well as the engine.
		brute bool
	}{
		{"phone", phone(t), phoneSpec(), false},
		{"phone, tightly bound attributes", phone(t), Spec{
			Attributes: []string{"panel", "refresh", "resolution", "size", "biometrics", "tele"},
			Versions:   6, Tasks: 10, Concepts: 5, Holdouts: 1, Seed: 3,
		}, false},
		{"small with rules", smallEngine, smallSpec(), true},
		{"small, more concepts than some attributes have levels", smallEngine, Spec{
			Attributes: []string{"body", "cam", "col"}, Versions: 5, Tasks: 8, Concepts: 5, Seed: 2,
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := design(t, tt.e, tt.spec)
			m := tt.e.Model()
			if got, want := len(s.Versions), tt.spec.Versions; got != want {
				t.Fatalf("%d versions; want %d", got, want)
			}
			for v, tasks := range s.Versions {
				if len(tasks) != tt.spec.Tasks {
					t.Fatalf("version %d has %d tasks; want %d", v, len(tasks), tt.spec.Tasks)
				}
			}
			if len(s.Holdouts) != tt.spec.Holdouts {
				t.Fatalf("%d holdouts; want %d", len(s.Holdouts), tt.spec.Holdouts)
			}
			for _, task := range allTasks(s) {
				if len(task.Concepts) != tt.spec.Concepts {
					t.Fatalf("task with %d concepts; want %d", len(task.Concepts), tt.spec.Concepts)
				}
				for _, c := range task.Concepts {
					sel := s.Selection(tt.e, c)
					if !tt.e.Consistent(sel) {
						t.Fatalf("concept %v is not a valid phone", c)
					}
					if tt.brute && !extendsToValid(m, sel) {
						t.Fatalf("concept %v breaks the model's rules", c)
					}
					if (c.Price >= 0) != (len(s.Prices) > 0) || c.Price >= len(s.Prices) {
						t.Fatalf("concept %v: price index out of range", c)
					}
				}
			}
		})
	}
}

// On the small model, every combination the rules allow is shown, and the
// ones they forbid never are.
func TestSmallModelShowsAllowedCombinationsOnly(t *testing.T) {
	e := mustEngine(t, "small.tailor", []byte(small))
	s := mustDesign(t, e, smallSpec())
	seen := map[[3]int]bool{}
	for _, task := range allTasks(s) {
		for _, c := range task.Concepts {
			seen[[3]int(c.Levels)] = true
		}
	}
	m := e.Model()
	for body := range 3 {
		for cam := range 4 {
			for col := range 3 {
				k := [3]int{body, cam, col}
				sel := e.NewSelection()
				sel[0], sel[1], sel[2] = body, cam, col
				if allowed := extendsToValid(m, sel); allowed != seen[k] {
					t.Errorf("combination %v: allowed %v, shown %v", k, allowed, seen[k])
				}
			}
		}
	}
}

func TestLevelBalance(t *testing.T) {
	tests := []struct {
		name string
		e    *configurator.Engine
		spec Spec
		// least balance (smallest count over largest) per attribute.
		least map[string]float64
	}{
		{"phone", phone(t), phoneSpec(), map[string]float64{
			"size": 0.99, "chipset": 0.95, "main": 0.9, "storage": 0.95, "battery": 0.99, "colour": 0.99, "refresh": 0.9, "price": 0.99}},
		// The rules make cam = w and col = green rarer: they exclude
		// body = a, which balance would otherwise show as often.
		{"small", mustEngine(t, "small.tailor", []byte(small)), smallSpec(), map[string]float64{
			"body": 0.9, "cam": 0.9, "col": 0.9, "price": 0.99}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := design(t, tt.e, tt.spec)
			stats := s.Stats()
			if len(stats) != len(tt.least) {
				t.Fatalf("stats for %d attributes; want %d", len(stats), len(tt.least))
			}
			total := tt.spec.Versions * tt.spec.Tasks * tt.spec.Concepts
			for _, st := range stats {
				sum := 0
				for _, n := range st.Counts {
					sum += n
				}
				if sum != total {
					t.Errorf("%s: counts sum to %d; want %d", st.Name, sum, total)
				}
				if st.Balance < tt.least[st.Name] {
					t.Errorf("%s: balance %.3f below %.3f; counts %v", st.Name, st.Balance, tt.least[st.Name], st.Counts)
				}
			}
		})
	}
}

// With no rules in the way, a level repeats within a task only when the
// attribute has fewer levels than the task has concepts, and then no level
// shows more often than it must.
func TestMinimalOverlap(t *testing.T) {
	e := mustEngine(t, "free.tailor", []byte(`model "Free" version "1"
attribute two "Two" { level a "A" level b "B" }
attribute four "Four" { level a "A" level b "B" level c "C" level d "D" }
attribute six "Six" { level a "A" level b "B" level c "C" level d "D" level e "E" level f "F" }
`))
	spec := Spec{Attributes: []string{"two", "four", "six"}, Price: Price{Min: 10000, Max: 30000, Steps: 3},
		Versions: 10, Tasks: 8, Concepts: 4, None: true, Holdouts: 1, Seed: 5}
	s := mustDesign(t, e, spec)
	for _, task := range allTasks(s) {
		for i, a := range s.Attributes {
			n := make([]int, len(a.Levels))
			for _, c := range task.Concepts {
				n[c.Levels[i]]++
			}
			if most, allowed := slices.Max(n), (spec.Concepts+len(a.Levels)-1)/len(a.Levels); most > allowed {
				t.Fatalf("attribute %s: a level shows %d times in a task of %d concepts; at most %d needed", a.Name, most, spec.Concepts, allowed)
			}
		}
	}
	for _, st := range s.Stats() {
		want := map[string]float64{"two": 1, "four": 0, "six": 0, "price": 1}[st.Name]
		if st.Overlap != want || st.MinOverlap != want {
			t.Errorf("%s: overlap %v (least %v); want %v", st.Name, st.Overlap, st.MinOverlap, want)
		}
		if slices.Max(st.Counts)-slices.Min(st.Counts) > 1 {
			t.Errorf("%s: counts %v; want them within 1 of each other", st.Name, st.Counts)
		}
	}
}

func TestNoIdenticalDominatedOrRepeatedTasks(t *testing.T) {
	for _, tt := range []struct {
		name string
		e    *configurator.Engine
		spec Spec
	}{
		{"phone", phone(t), phoneSpec()},
		{"small", mustEngine(t, "small.tailor", []byte(small)), smallSpec()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := design(t, tt.e, tt.spec)
			check := func(tasks []Task, what string) {
				for ti, task := range tasks {
					for i, a := range task.Concepts {
						for _, b := range task.Concepts[i+1:] {
							if slices.Equal(a.Levels, b.Levels) {
								t.Fatalf("%s task %d: concepts %v and %v differ at most by price", what, ti, a, b)
							}
						}
					}
					for _, other := range tasks[:ti] {
						if sameConcepts(task, other) {
							t.Fatalf("%s: task %d repeats an earlier task", what, ti)
						}
					}
				}
			}
			for v, tasks := range s.Versions {
				check(tasks, fmt.Sprintf("version %d", v))
			}
			check(s.Holdouts, "holdouts")
		})
	}
}

func sameConcepts(a, b Task) bool {
	for _, c := range a.Concepts {
		if !slices.ContainsFunc(b.Concepts, func(d Concept) bool { return slices.Equal(c.Levels, d.Levels) && c.Price == d.Price }) {
			return false
		}
	}
	return true
}

func TestDesignIsReproducible(t *testing.T) {
	e := mustEngine(t, "small.tailor", []byte(small))
	one := mustDesign(t, e, smallSpec())
	two := mustDesign(t, e, smallSpec())
	if diff := cmp.Diff(one, two); diff != "" {
		t.Fatalf("same seed, different surveys (-first +second):\n%s", diff)
	}
	spec := smallSpec()
	spec.Seed++
	// reflect.DeepEqual: cmp.Equal takes seconds to tell these apart.
	if other := mustDesign(t, e, spec); reflect.DeepEqual(one.Versions, other.Versions) {
		t.Fatal("another seed gave the same design")
	}
}

func TestHoldoutsAreFixed(t *testing.T) {
	e := mustEngine(t, "small.tailor", []byte(small))
	s := mustDesign(t, e, smallSpec())
	for v := range s.Versions {
		for h := range s.Holdouts {
			got, err := s.Task(v, s.Spec.Tasks+h)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(s.Holdouts[h], got); diff != "" {
				t.Fatalf("version %d holdout %d (-want +got):\n%s", v, h, diff)
			}
		}
	}
	if _, err := s.Task(0, s.TasksPerRespondent()); err == nil {
		t.Error("no error for a task past the holdouts")
	}
	if _, err := s.Task(len(s.Versions), 0); err == nil {
		t.Error("no error for a version past the last")
	}
}

func TestDesignIsMoreEfficientThanRandom(t *testing.T) {
	for _, tt := range []struct {
		name string
		e    *configurator.Engine
		spec Spec
	}{
		{"phone", phone(t), phoneSpec()},
		{"small", mustEngine(t, "small.tailor", []byte(small)), smallSpec()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := design(t, tt.e, tt.spec)
			ef := s.Efficiency
			if ef.DError != s.DError() {
				t.Errorf("reported D-error %v; the design's is %v", ef.DError, s.DError())
			}
			if math.IsInf(ef.DError, 0) || !(ef.Relative > 1) || ef.Relative != ef.RandomDError/ef.DError {
				t.Errorf("efficiency %+v; want a finite D-error below the random designs'", ef)
			}
			t.Logf("%+v", ef)
		})
	}
}

// Property: the rank-two shortcut of the swap phase agrees with computing
// the determinant and the inverse afresh.
func TestSwapRatioMatchesDirectComputation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for trial := range 100 {
		k := 2 + rng.IntN(6)
		j := float64(2 + rng.IntN(4))
		// M = A A' + I is positive definite.
		a := make([]float64, k*k)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		m := make([]float64, k*k)
		for p := range k {
			for q := range k {
				for r := range k {
					m[p*k+q] += a[p*k+r] * a[q*k+r]
				}
			}
			m[p*k+p]++
		}
		g, dl := make([]float64, k), make([]float64, k)
		for p := range k {
			g[p], dl[p] = rng.NormFloat64(), 0.3*rng.NormFloat64()
		}
		mNew := slices.Clone(m)
		for p := range k {
			for q := range k {
				mNew[p*k+q] += (g[p]*dl[q] + dl[p]*g[q] + 2*dl[p]*dl[q]) / j
			}
		}
		ld, _ := logDet(slices.Clone(m), k)
		ldNew, ok := logDet(slices.Clone(mNew), k)
		if !ok {
			continue
		}
		inv := mustInverse(t, m, k)
		bg, bd := make([]float64, k), make([]float64, k)
		symMulVec(inv, g, bg)
		symMulVec(inv, dl, bd)
		ratio, upd := swapRatio(g, dl, bg, bd, j)
		if want := math.Exp(ldNew - ld); math.Abs(ratio-want) > 1e-8*want {
			t.Fatalf("trial %d: ratio %.12g; determinants give %.12g", trial, ratio, want)
		}
		want := mustInverse(t, mNew, k)
		for p := range k {
			for q := range k {
				got := inv[p*k+q] - (upd[0]*bg[p]*bg[q] + upd[1]*bg[p]*bd[q] + upd[2]*bd[p]*bg[q] + upd[3]*bd[p]*bd[q])
				if math.Abs(got-want[p*k+q]) > 1e-8*(1+math.Abs(want[p*k+q])) {
					t.Fatalf("trial %d: updated inverse [%d,%d] = %.12g; want %.12g", trial, p, q, got, want[p*k+q])
				}
			}
		}
	}
}

func mustInverse(t *testing.T, m []float64, k int) []float64 {
	t.Helper()
	var inv mat.Dense
	if err := inv.Inverse(mat.NewDense(k, k, slices.Clone(m))); err != nil {
		t.Fatal(err)
	}
	return inv.RawMatrix().Data
}
