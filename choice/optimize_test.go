package choice

import (
	"context"
	"errors"
	"math"
	"testing"
)

// rosenbrock is the extended Rosenbrock function, minimum 0 at (1,...,1).
func rosenbrock(x, g []float64) float64 {
	f := 0.0
	clear(g)
	for i := 0; i+1 < len(x); i++ {
		a, b := x[i+1]-x[i]*x[i], 1-x[i]
		f += 100*a*a + b*b
		g[i] += -400*a*x[i] - 2*b
		g[i+1] += 200 * a
	}
	return f
}

// quadratic returns 1/2 (x-c)'A(x-c) for a diagonal A with condition
// number 1e4 plus a rank-one coupling, minimum 0 at c.
func quadratic(x, g []float64) float64 {
	n := len(x)
	var s float64
	for i := range n {
		s += x[i] - float64(i)
	}
	f := 0.5 * s * s
	for i := range n {
		a := math.Pow(1e4, float64(i)/float64(n-1))
		e := x[i] - float64(i)
		f += 0.5 * a * e * e
		g[i] = a*e + s
	}
	return f
}

func TestMinimize(t *testing.T) {
	tests := []struct {
		name string
		f    objective
		x0   []float64
		want []float64
	}{
		{"rosenbrock 2", rosenbrock, []float64{-1.2, 1}, []float64{1, 1}},
		{"rosenbrock 10", rosenbrock, []float64{-1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1}, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"quadratic 8", quadratic, make([]float64, 8), []float64{0, 1, 2, 3, 4, 5, 6, 7}},
		{
			// x - log x per coordinate: +Inf outside x > 0, where a long
			// first step lands; the line search must come back.
			"barrier", func(x, g []float64) float64 {
				f := 0.0
				for i, v := range x {
					if v <= 0 {
						return math.Inf(1)
					}
					f += 3*v - math.Log(v)
					g[i] = 3 - 1/v
				}
				return f
			}, []float64{0.01, 5}, []float64{1. / 3, 1. / 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var iters []int
			res, err := minimize(context.Background(), tt.f, tt.x0, minimizeOptions{
				MaxIter: 500, GradTol: 1e-8,
				Progress: func(iter int, f float64) { iters = append(iters, iter) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Converged {
				t.Fatalf("not converged after %d iterations: %s", res.Iter, res.Message)
			}
			for i := range tt.want {
				if math.Abs(res.X[i]-tt.want[i]) > 1e-6 {
					t.Errorf("x[%d] = %v, want %v", i, res.X[i], tt.want[i])
				}
			}
			if len(iters) != res.Iter+1 || iters[0] != 0 || iters[len(iters)-1] != res.Iter {
				t.Errorf("progress saw iterations %v for %d iterations", iters, res.Iter)
			}
			t.Logf("%d iterations, %d evaluations", res.Iter, res.Evals)
		})
	}
}

func TestMinimizeIterationCap(t *testing.T) {
	res, err := minimize(context.Background(), rosenbrock, []float64{-1.2, 1}, minimizeOptions{MaxIter: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Converged || res.Iter != 3 || res.Message == "" {
		t.Errorf("got converged %v after %d iterations (%q), want not converged after 3", res.Converged, res.Iter, res.Message)
	}
}

func TestMinimizeAlreadyOptimal(t *testing.T) {
	res, err := minimize(context.Background(), quadratic, []float64{0, 1, 2}, minimizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged || res.Iter != 0 || res.Evals != 1 {
		t.Errorf("at the optimum: converged %v, %d iterations, %d evaluations; want true, 0, 1", res.Converged, res.Iter, res.Evals)
	}
}

func TestMinimizeCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	evals := 0
	f := func(x, g []float64) float64 {
		evals++
		if evals == 5 {
			cancel()
		}
		return rosenbrock(x, g)
	}
	_, err := minimize(ctx, f, []float64{-1.2, 1}, minimizeOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got error %v, want context.Canceled", err)
	}
	if evals != 5 {
		t.Errorf("%d evaluations, want 5: none after cancelling", evals)
	}
}

func TestMinimizeBadStart(t *testing.T) {
	f := func(x, g []float64) float64 { return math.NaN() }
	if _, err := minimize(context.Background(), f, []float64{1}, minimizeOptions{}); err == nil {
		t.Error("no error for a NaN at the start")
	}
}
