package choice

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mathext"
)

// DrawType names a way of drawing the points at which simulated maximum
// likelihood evaluates the mixing distributions.
type DrawType int

// The draw types.
const (
	// Halton draws are a randomised Halton sequence: dimension k uses the
	// k-th prime as its base, the first HaltonSkip elements are dropped,
	// decision maker i takes the r consecutive elements
	// HaltonSkip+i*r .. HaltonSkip+i*r+r-1 (Train 2009, section 9.3.3),
	// and each dimension is then shifted by its own uniform number drawn
	// from the seed, modulo 1 (a Cranley–Patterson rotation). The shift
	// keeps the sequence's even coverage and makes runs with different
	// seeds independent replications.
	Halton DrawType = iota
	// MLHS is modified Latin hypercube sampling (Hess, Train and Polak
	// 2006): for each decision maker and dimension, the r points
	// (j+xi)/r, j = 0..r-1, with one uniform xi per decision maker and
	// dimension, in an order shuffled independently for each dimension.
	// Every stratum [j/r, (j+1)/r) holds exactly one draw.
	MLHS
	// Pseudo draws are independent pseudo-random uniforms (PCG).
	Pseudo
)

// HaltonSkip is the number of leading elements of each Halton sequence
// that Halton draws drop (element 0 is 0, element m is the radical
// inverse of m). The first elements of sequences in different primes are
// strongly correlated; 100 is the number mlogit's and xlogit's Halton
// draws drop too.
const HaltonSkip = 100

var drawTypeNames = []string{"halton", "mlhs", "pseudo"}

func (t DrawType) String() string {
	if t >= 0 && int(t) < len(drawTypeNames) {
		return drawTypeNames[t]
	}
	return fmt.Sprintf("DrawType(%d)", int(t))
}

// ParseDrawType returns the draw type named s ("halton", "mlhs" or
// "pseudo").
func ParseDrawType(s string) (DrawType, bool) {
	for i, n := range drawTypeNames {
		if n == s {
			return DrawType(i), true
		}
	}
	return 0, false
}

// UniformDraws returns r uniform draws in (0,1) in each of dims
// dimensions for each of n decision makers: draw j of decision maker i in
// dimension k is at index (i*r+j)*dims+k. The draws depend only on t, n,
// r, dims and seed; a decision maker's draws do not depend on n.
func UniformDraws(t DrawType, n, r, dims int, seed uint64) ([]float64, error) {
	return uniformDraws(t, n, r, dims, seed, false)
}

// uniformDraws returns the draws of UniformDraws, laid out as it does or,
// with dimMajor, with draw j of decision maker i in dimension k at index
// (i*dims+k)*r+j.
func uniformDraws(t DrawType, n, r, dims int, seed uint64, dimMajor bool) ([]float64, error) {
	if n < 0 || r < 1 || dims < 0 {
		return nil, fmt.Errorf("draws: %d decision makers, %d draws, %d dimensions", n, r, dims)
	}
	u := make([]float64, n*r*dims)
	// Draw j of decision maker i in dimension k is at first(i,k)+j*step.
	first := func(i, k int) int { return i*r*dims + k }
	step := dims
	if dimMajor {
		first = func(i, k int) int { return (i*dims + k) * r }
		step = 1
	}
	at := func(i, j, k int) int { return first(i, k) + j*step }
	rng := rand.New(rand.NewPCG(seed, uint64(t)+0x5bd1e995))
	switch t {
	case Halton:
		for k, p := range firstPrimes(dims) {
			shift := openUniform(rng)
			seq := newHaltonSeq(p, HaltonSkip)
			for i := range n {
				pos := first(i, k)
				for range r {
					u[pos] = wrapUnit(seq.next() + shift)
					pos += step
				}
			}
		}
	case MLHS:
		perm := make([]int, r)
		for i := range n {
			for k := range dims {
				xi := openUniform(rng)
				for j := range perm {
					perm[j] = j
				}
				for j := r - 1; j > 0; j-- {
					m := rng.IntN(j + 1)
					perm[j], perm[m] = perm[m], perm[j]
				}
				for j, s := range perm {
					u[at(i, j, k)] = (float64(s) + xi) / float64(r)
				}
			}
		}
	case Pseudo:
		for i := range n {
			for j := range r {
				for k := range dims {
					u[at(i, j, k)] = openUniform(rng)
				}
			}
		}
	default:
		return nil, fmt.Errorf("draws: unknown draw type %d", int(t))
	}
	return u, nil
}

// StandardDraw maps a uniform draw u in (0,1) to a standard draw of dist:
// the standard normal quantile for Normal and Lognormal, 2u-1 for Uniform
// (uniform on [-1,1]), and the quantile of the symmetric triangular
// distribution on [-1,1] for Triangular.
func (dist Distribution) StandardDraw(u float64) float64 {
	switch dist {
	case Uniform:
		return 2*u - 1
	case Triangular:
		if u < 0.5 {
			return math.Sqrt(2*u) - 1
		}
		return 1 - math.Sqrt(2*(1-u))
	default:
		return mathext.NormalQuantile(u)
	}
}

// haltonElement returns element m of the Halton sequence in prime base p:
// the radical inverse of m, its base-p digits mirrored about the point.
func haltonElement(p, m int) float64 {
	v, f := 0.0, 1/float64(p)
	for m > 0 {
		v += f * float64(m%p)
		m /= p
		f /= float64(p)
	}
	return v
}

// haltonSeq yields consecutive elements of a Halton sequence. Element m
// is written m = hi*block + lo with block a power of the base: the
// radical inverse of lo (its lowest digits) comes from a table, that of hi
// shifted right by those digits changes only once per block.
type haltonSeq struct {
	p       int
	low     []float64 // radical inverses of 0..block-1
	scale   float64   // 1/block
	hi, lo  int
	hiValue float64 // radical inverse of hi, times scale
}

func newHaltonSeq(p, m int) *haltonSeq {
	block := p
	for block < 256 {
		block *= p
	}
	s := &haltonSeq{p: p, low: make([]float64, block), scale: 1 / float64(block), hi: m / block, lo: m % block}
	for i := range s.low {
		s.low[i] = haltonElement(p, i)
	}
	s.hiValue = haltonElement(p, s.hi) * s.scale
	return s
}

func (s *haltonSeq) next() float64 {
	v := s.low[s.lo] + s.hiValue
	if s.lo++; s.lo == len(s.low) {
		s.lo = 0
		s.hi++
		s.hiValue = haltonElement(s.p, s.hi) * s.scale
	}
	return v
}

// firstPrimes returns the first n primes.
func firstPrimes(n int) []int {
	ps := make([]int, 0, n)
	for c := 2; len(ps) < n; c++ {
		prime := true
		for _, p := range ps {
			if p*p > c {
				break
			}
			if c%p == 0 {
				prime = false
				break
			}
		}
		if prime {
			ps = append(ps, c)
		}
	}
	return ps
}

// openUniform returns a uniform number in (0,1): rand's Float64 may return
// 0, where the normal quantile is infinite.
func openUniform(rng *rand.Rand) float64 {
	for {
		if u := rng.Float64(); u > 0 {
			return u
		}
	}
}

// wrapUnit reduces x in (0,2) modulo 1 into (0,1), keeping clear of the
// ends, where the normal quantile is infinite.
func wrapUnit(x float64) float64 {
	if x >= 1 {
		x--
	}
	const eps = 1e-15
	return min(max(x, eps), 1-eps)
}
