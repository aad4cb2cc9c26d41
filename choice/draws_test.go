package choice

import (
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestHaltonElement(t *testing.T) {
	tests := []struct {
		base int
		want []float64 // elements 0, 1, 2, ...
	}{
		{2, []float64{0, 1. / 2, 1. / 4, 3. / 4, 1. / 8, 5. / 8, 3. / 8, 7. / 8, 1. / 16, 9. / 16}},
		{3, []float64{0, 1. / 3, 2. / 3, 1. / 9, 4. / 9, 7. / 9, 2. / 9, 5. / 9, 8. / 9, 1. / 27}},
		{5, []float64{0, 1. / 5, 2. / 5, 3. / 5, 4. / 5, 1. / 25, 6. / 25, 11. / 25, 16. / 25, 21. / 25, 2. / 25}},
	}
	for _, tt := range tests {
		var got []float64
		for m := range tt.want {
			got = append(got, haltonElement(tt.base, m))
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-15)); diff != "" {
			t.Errorf("base %d (-want +got):\n%s", tt.base, diff)
		}
	}
}

func TestFirstPrimes(t *testing.T) {
	want := []int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37}
	if diff := cmp.Diff(want, firstPrimes(12)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestHaltonDraws checks that Halton draws are the Halton sequence from
// element HaltonSkip on, handed out in consecutive blocks, each dimension
// rotated by one shift: every draw minus the sequence element it stands
// for is the same number modulo 1 within a dimension.
func TestHaltonDraws(t *testing.T) {
	const n, r, dims = 7, 11, 4
	u, err := UniformDraws(Halton, n, r, dims, 42)
	if err != nil {
		t.Fatal(err)
	}
	primes := []int{2, 3, 5, 7}
	for k, p := range primes {
		shift := math.Mod(u[k]-haltonElement(p, HaltonSkip)+1, 1)
		for i := range n {
			for j := range r {
				got := u[(i*r+j)*dims+k]
				want := math.Mod(haltonElement(p, HaltonSkip+i*r+j)+shift, 1)
				if math.Abs(got-want) > 1e-12 {
					t.Fatalf("dimension %d, person %d, draw %d: got %v, want %v", k, i, j, got, want)
				}
			}
		}
	}
	// Different seeds rotate differently; the same seed repeats.
	v, _ := UniformDraws(Halton, n, r, dims, 43)
	if slices.Equal(u, v) {
		t.Error("seeds 42 and 43 gave the same draws")
	}
	w, _ := UniformDraws(Halton, n, r, dims, 42)
	if !slices.Equal(u, w) {
		t.Error("seed 42 twice gave different draws")
	}
}

// TestMLHSStratified checks the defining property of modified Latin
// hypercube sampling: for every decision maker and dimension, each of the
// r strata [j/r, (j+1)/r) holds exactly one draw, at the same offset.
func TestMLHSStratified(t *testing.T) {
	const n, r, dims = 25, 37, 3
	u, err := UniformDraws(MLHS, n, r, dims, 7)
	if err != nil {
		t.Fatal(err)
	}
	ordered := 0
	for i := range n {
		for k := range dims {
			count := make([]int, r)
			offset := math.NaN()
			inOrder := true
			for j := range r {
				x := u[(i*r+j)*dims+k]
				if !(x > 0 && x < 1) {
					t.Fatalf("person %d, dimension %d: draw %v outside (0,1)", i, k, x)
				}
				s := int(x * r)
				count[s]++
				if off := x*r - float64(s); math.IsNaN(offset) {
					offset = off
				} else if math.Abs(off-offset) > 1e-9 {
					t.Fatalf("person %d, dimension %d: offsets %v and %v differ", i, k, offset, off)
				}
				if s != j {
					inOrder = false
				}
			}
			for s, c := range count {
				if c != 1 {
					t.Fatalf("person %d, dimension %d: stratum %d holds %d draws", i, k, s, c)
				}
			}
			if inOrder {
				ordered++
			}
		}
	}
	if ordered > 0 {
		t.Errorf("%d of %d person-dimensions were not shuffled", ordered, n*dims)
	}
}

// TestUniformDrawsMoments checks every draw type for range and for the
// mean and variance of the uniform distribution, and that a decision
// maker's draws do not depend on how many there are.
func TestUniformDrawsMoments(t *testing.T) {
	for _, dt := range []DrawType{Halton, MLHS, Pseudo} {
		t.Run(dt.String(), func(t *testing.T) {
			const n, r, dims = 200, 100, 5
			u, err := UniformDraws(dt, n, r, dims, 1)
			if err != nil {
				t.Fatal(err)
			}
			for k := range dims {
				var s, s2 float64
				for i := range n * r {
					x := u[i*dims+k]
					if !(x > 0 && x < 1) {
						t.Fatalf("draw %v outside (0,1)", x)
					}
					s += x
					s2 += x * x
				}
				mean := s / (n * r)
				variance := s2/(n*r) - mean*mean
				if math.Abs(mean-0.5) > 0.01 || math.Abs(variance-1./12) > 0.005 {
					t.Errorf("dimension %d: mean %v, variance %v; want 0.5, 0.0833", k, mean, variance)
				}
			}
			fewer, _ := UniformDraws(dt, 3, r, dims, 1)
			if !slices.Equal(fewer, u[:len(fewer)]) {
				t.Error("the first 3 decision makers' draws change with the number of decision makers")
			}
		})
	}
}

func TestStandardDraw(t *testing.T) {
	tests := []struct {
		dist Distribution
		u    float64
		want float64
	}{
		{Normal, 0.5, 0},
		{Normal, 0.975, 1.959963984540054},
		{Normal, 0.025, -1.959963984540054},
		{Lognormal, 0.8413447460685429, 1},
		{Uniform, 0.25, -0.5},
		{Uniform, 0.5, 0},
		{Triangular, 0.5, 0},
		{Triangular, 0.125, -0.5}, // F(-0.5) = (1-0.5)^2/2
		{Triangular, 0.875, 0.5},
		{Triangular, 0.02, -0.8}, // F(-0.8) = 0.2^2/2
	}
	for _, tt := range tests {
		if got := tt.dist.StandardDraw(tt.u); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%v.StandardDraw(%v) = %v, want %v", tt.dist, tt.u, got, tt.want)
		}
	}
}

func TestParseDrawType(t *testing.T) {
	for _, dt := range []DrawType{Halton, MLHS, Pseudo} {
		got, ok := ParseDrawType(dt.String())
		if !ok || got != dt {
			t.Errorf("ParseDrawType(%q) = %v, %v", dt.String(), got, ok)
		}
	}
	if _, ok := ParseDrawType("sobol"); ok {
		t.Error("ParseDrawType(sobol) succeeded")
	}
	if _, err := UniformDraws(DrawType(9), 1, 1, 1, 0); err == nil {
		t.Error("UniformDraws with an unknown type succeeded")
	}
}

// TestHaltonSeq checks the table-driven sequence against the radical
// inverse computed digit by digit, across several block boundaries.
func TestHaltonSeq(t *testing.T) {
	for _, p := range []int{2, 3, 5, 7, 29} {
		for _, start := range []int{0, 100, 255, 1000} {
			seq := newHaltonSeq(p, start)
			for m := start; m < start+3000; m++ {
				if got, want := seq.next(), haltonElement(p, m); math.Abs(got-want) > 1e-15 {
					t.Fatalf("base %d, element %d: got %v, want %v", p, m, got, want)
				}
			}
		}
	}
}
