package survey

import (
	"math"
	"math/rand/v2"
	"testing"
)

// det is the determinant of a square matrix by Laplace expansion along the
// first row: slow and obviously right.
func det(a [][]float64) float64 {
	n := len(a)
	if n == 1 {
		return a[0][0]
	}
	d := 0.0
	for j := range n {
		minor := make([][]float64, 0, n-1)
		for _, row := range a[1:] {
			r := append(append([]float64{}, row[:j]...), row[j+1:]...)
			minor = append(minor, r)
		}
		sign := 1.0
		if j%2 == 1 {
			sign = -1
		}
		d += sign * a[0][j] * det(minor)
	}
	return d
}

// bruteInformation is the MNL information matrix at zero coefficients per
// version, written from its definition: for each task with rows x_j chosen
// with probability p_j = 1/J, X'(diag(p) - pp')X, summed and divided by
// the number of versions. rows(t) gives a task's coded rows.
func bruteInformation(versions int, tasks [][][]float64) [][]float64 {
	k := len(tasks[0][0])
	info := make([][]float64, k)
	for i := range info {
		info[i] = make([]float64, k)
	}
	for _, x := range tasks {
		j := float64(len(x))
		for a := range k {
			for b := range k {
				// sum_j p x_ja x_jb - (sum_j p x_ja)(sum_j p x_jb)
				s, ma, mb := 0.0, 0.0, 0.0
				for _, row := range x {
					s += row[a] * row[b] / j
					ma += row[a] / j
					mb += row[b] / j
				}
				info[a][b] += (s - ma*mb) / float64(versions)
			}
		}
	}
	return info
}

// handSurvey is a tiny survey built by hand: colour (red, blue, green),
// size (s, l), two prices, two concepts and none, two versions of two tasks
// and a holdout.
func handSurvey() *Survey {
	c := func(col, size, price int) Concept { return Concept{Levels: []int{col, size}, Price: price} }
	return &Survey{
		Spec: Spec{Attributes: []string{"colour", "size"}, Versions: 2, Tasks: 2, Concepts: 2, None: true, Holdouts: 1},
		Attributes: []Attribute{
			{Name: "colour", Index: 0, Levels: []Level{{Name: "red"}, {Name: "blue"}, {Name: "green"}}},
			{Name: "size", Index: 1, Levels: []Level{{Name: "s"}, {Name: "l"}}},
		},
		Prices: []int64{20000, 50000},
		Versions: [][]Task{
			{{Concepts: []Concept{c(1, 0, 0), c(2, 1, 1)}}, {Concepts: []Concept{c(0, 1, 1), c(1, 0, 0)}}},
			{{Concepts: []Concept{c(2, 0, 0), c(0, 1, 1)}}, {Concepts: []Concept{c(1, 1, 0), c(0, 0, 1)}}},
		},
		Holdouts: []Task{{Concepts: []Concept{c(0, 0, 1), c(2, 1, 0)}}},
	}
}

func TestDErrorAgainstBruteForce(t *testing.T) {
	s := handSurvey()
	// Coded by hand: colour:blue colour:green size:l price none.
	none := []float64{0, 0, 0, 0, 1}
	tasks := [][][]float64{
		{{1, 0, 0, 2, 0}, {0, 1, 1, 5, 0}, none},
		{{0, 0, 1, 5, 0}, {1, 0, 0, 2, 0}, none},
		{{0, 1, 0, 2, 0}, {0, 0, 1, 5, 0}, none},
		{{1, 0, 1, 2, 0}, {0, 0, 0, 5, 0}, none},
	}
	want := math.Pow(det(bruteInformation(2, tasks)), -1.0/5)
	if got := s.DError(); math.Abs(got-want) > 1e-12*want {
		t.Errorf("D-error %.15g; brute force %.15g", got, want)
	}

	// A design that never shows green cannot estimate colour:green.
	for _, v := range s.Versions {
		for _, task := range v {
			for i := range task.Concepts {
				if task.Concepts[i].Levels[0] == 2 {
					task.Concepts[i].Levels[0] = 0
				}
			}
		}
	}
	if got := s.DError(); !math.IsInf(got, 1) {
		t.Errorf("D-error %v with a level never shown; want +Inf", got)
	}
}

// Property: on random small surveys of random shape, with and without price
// and none, the D-error matches the brute-force determinant.
func TestDErrorMatchesBruteForceOnRandomDesigns(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	compared := 0
	for trial := range 200 {
		nattr := 1 + rng.IntN(2)
		s := &Survey{Spec: Spec{Versions: 1 + rng.IntN(3), Tasks: 1 + rng.IntN(4), Concepts: 2 + rng.IntN(2), None: rng.IntN(2) == 0}}
		for a := range nattr {
			at := Attribute{Index: a}
			for range 2 + rng.IntN(2) {
				at.Levels = append(at.Levels, Level{})
			}
			s.Attributes = append(s.Attributes, at)
		}
		if rng.IntN(2) == 0 {
			s.Prices = []int64{10000, 25000, 40000}
		}
		var rows [][][]float64
		for range s.Spec.Versions {
			var tasks []Task
			for range s.Spec.Tasks {
				var task Task
				var x [][]float64
				for range s.Spec.Concepts {
					c := Concept{Price: -1}
					var row []float64
					for _, a := range s.Attributes {
						l := rng.IntN(len(a.Levels))
						c.Levels = append(c.Levels, l)
						for m := 1; m < len(a.Levels); m++ {
							row = append(row, b2f(l == m))
						}
					}
					if s.Prices != nil {
						c.Price = rng.IntN(3)
						row = append(row, float64(s.Prices[c.Price])/10000)
					}
					if s.Spec.None {
						row = append(row, 0)
					}
					task.Concepts = append(task.Concepts, c)
					x = append(x, row)
				}
				if s.Spec.None {
					row := make([]float64, len(x[0]))
					row[len(row)-1] = 1
					x = append(x, row)
				}
				tasks = append(tasks, task)
				rows = append(rows, x)
			}
			s.Versions = append(s.Versions, tasks)
		}
		k := len(s.Params())
		d := det(bruteInformation(s.Spec.Versions, rows))
		got := s.DError()
		if d < 1e-9 {
			continue // singular or nearly: too close to call
		}
		compared++
		if want := math.Pow(d, -1/float64(k)); math.Abs(got-want) > 1e-9*want {
			t.Fatalf("trial %d: D-error %.12g; brute force %.12g", trial, got, want)
		}
	}
	if compared < 50 {
		t.Fatalf("only %d of 200 random designs were far from singular", compared)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
