// Package choice estimates discrete-choice models: multinomial logit by
// maximum likelihood, mixed logit by simulated maximum likelihood, and
// hierarchical Bayes multinomial logit by Gibbs sampling. It reads the two
// standard data layouts (long and wide), compiles a small utility
// specification language against them, and reports estimates the way the
// reference packages print them. The package is pure: no I/O beyond the
// readers it is handed.
package choice

import (
	"fmt"
)

// Data is a choice data set compiled against a utility specification. For
// every case (one choice situation) it holds the rows of the alternatives
// that were available, one column per estimated coefficient, and which row
// was chosen. Utility is linear in the coefficients:
//
//	V[r] = Offset[r] + sum_k X[r*K+k] * beta[k]
//
// Estimators read only Data; readers and the specification compiler build
// it. All slices are indexed densely; nothing is shared with the caller
// after construction.
type Data struct {
	// Params names the estimated coefficients, one per column of X.
	Params []string
	// Fixed lists coefficients held at a value; their terms are folded
	// into Offset and they are not columns of X.
	Fixed []FixedParam
	// Alternatives names the alternatives; Alt refers to them by index.
	Alternatives []string

	// Start[c]..Start[c+1] are case c's rows; len(Start) = cases+1.
	Start []int
	// X holds the explanatory values, row-major, len = rows*len(Params).
	X []float64
	// Offset is the fixed part of each row's utility; nil means zero.
	Offset []float64
	// Alt is each row's alternative.
	Alt []int32
	// Chosen is each case's chosen row, as an absolute row index.
	Chosen []int32
	// Panel is each case's decision maker, 0..Panels-1; nil means every
	// case is its own decision maker. Cases of one panel are contiguous.
	Panel  []int32
	Panels int
	// PanelIDs names each panel as the data file did (for individual
	// results); may be nil.
	PanelIDs []string
	// Weight is each case's weight; nil means 1.
	Weight []float64

	// Random lists the coefficients that vary across decision makers, for
	// mixed logit (and the ones hierarchical Bayes treats as random: all
	// of them, when Random is empty).
	Random []Random
	// Correlated asks mixed logit to estimate a full covariance (a
	// Cholesky factor) among the normal random coefficients.
	Correlated bool
	// Start holds starting values per coefficient; nil means zero.
	StartValues []float64
}

// FixedParam is a coefficient held at a value.
type FixedParam struct {
	Name  string
	Value float64
}

// Random is a coefficient that varies across decision makers.
type Random struct {
	Param int // index into Data.Params
	Dist  Distribution
}

// Distribution is the mixing distribution of a random coefficient.
type Distribution int

// The mixing distributions. With z a standard draw (normal for Normal and
// Lognormal, uniform on [-1,1] for Uniform, triangular on [-1,1] for
// Triangular), a coefficient with mean parameter b and spread parameter s
// is b+s*z, except Lognormal, which is exp(b+s*z).
const (
	Normal Distribution = iota
	Lognormal
	Triangular
	Uniform
)

var distNames = []string{"normal", "lognormal", "triangular", "uniform"}

func (d Distribution) String() string {
	if int(d) < len(distNames) {
		return distNames[d]
	}
	return fmt.Sprintf("Distribution(%d)", int(d))
}

// ParseDistribution returns the distribution named s.
func ParseDistribution(s string) (Distribution, bool) {
	for i, n := range distNames {
		if n == s {
			return Distribution(i), true
		}
	}
	return 0, false
}

// K returns the number of estimated coefficients.
func (d *Data) K() int { return len(d.Params) }

// Cases returns the number of choice situations.
func (d *Data) Cases() int { return len(d.Start) - 1 }

// Rows returns the number of alternative rows over all cases.
func (d *Data) Rows() int { return d.Start[len(d.Start)-1] }

// Row returns row r's explanatory values.
func (d *Data) Row(r int) []float64 { k := len(d.Params); return d.X[r*k : r*k+k] }

// PanelOf returns case c's decision maker.
func (d *Data) PanelOf(c int) int {
	if d.Panel == nil {
		return c
	}
	return int(d.Panel[c])
}

// NumPanels returns the number of decision makers.
func (d *Data) NumPanels() int {
	if d.Panel == nil {
		return d.Cases()
	}
	return d.Panels
}

// CaseWeight returns case c's weight.
func (d *Data) CaseWeight(c int) float64 {
	if d.Weight == nil {
		return 1
	}
	return d.Weight[c]
}

// Check reports the first structural inconsistency in d, or nil.
func (d *Data) Check() error {
	k := len(d.Params)
	if len(d.Start) < 2 || d.Start[0] != 0 {
		return fmt.Errorf("choice data: no cases")
	}
	rows := d.Rows()
	if len(d.X) != rows*k {
		return fmt.Errorf("choice data: %d values for %d rows of %d coefficients", len(d.X), rows, k)
	}
	if d.Offset != nil && len(d.Offset) != rows {
		return fmt.Errorf("choice data: %d offsets for %d rows", len(d.Offset), rows)
	}
	if len(d.Alt) != rows {
		return fmt.Errorf("choice data: %d alternative indexes for %d rows", len(d.Alt), rows)
	}
	cases := d.Cases()
	if len(d.Chosen) != cases {
		return fmt.Errorf("choice data: %d chosen rows for %d cases", len(d.Chosen), cases)
	}
	for c := range cases {
		if d.Start[c+1] <= d.Start[c] {
			return fmt.Errorf("choice data: case %d has no alternatives", c)
		}
		if ch := int(d.Chosen[c]); ch < d.Start[c] || ch >= d.Start[c+1] {
			return fmt.Errorf("choice data: case %d: chosen row %d is not one of its rows", c, ch)
		}
	}
	if d.Panel != nil {
		if len(d.Panel) != cases {
			return fmt.Errorf("choice data: %d panel indexes for %d cases", len(d.Panel), cases)
		}
		for c := range cases {
			p := int(d.Panel[c])
			if p < 0 || p >= d.Panels {
				return fmt.Errorf("choice data: case %d: panel %d out of range", c, p)
			}
			if c > 0 && p != int(d.Panel[c-1]) && p != int(d.Panel[c-1])+1 {
				return fmt.Errorf("choice data: case %d: panels must be contiguous and numbered in order", c)
			}
		}
	}
	if d.Weight != nil && len(d.Weight) != cases {
		return fmt.Errorf("choice data: %d weights for %d cases", len(d.Weight), cases)
	}
	for _, r := range d.Random {
		if r.Param < 0 || r.Param >= k {
			return fmt.Errorf("choice data: random coefficient %d out of range", r.Param)
		}
	}
	if d.StartValues != nil && len(d.StartValues) != k {
		return fmt.Errorf("choice data: %d starting values for %d coefficients", len(d.StartValues), k)
	}
	return nil
}
