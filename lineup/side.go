package lineup

import (
	"math"
	"math/bits"
	"slices"

	"github.com/tailor-c2b/tailor/errs"
)

// Side constraints: one price per phone, the price ladder and the parts
// limit. Each holds for every part of a set it holds for, so the methods
// keep them by never adding a candidate that breaks one: greedy skips it,
// swaps and annealing's moves are refused, and branch and bound does not
// fix it in. The bounds ignore them, so they stay valid upper bounds,
// though looser than the constrained optimum.

// side is the side constraints prepared for checking.
type side struct {
	phone  []int
	ladder bool
	price  []float64
	cost   []float64
	parts  [][]int
	max    int // MaxParts, 0 for none
	words  int // of a parts bitset
}

// newSide returns p's side constraints, nil when it has none.
func newSide(p *Problem) *side {
	if p.Phone == nil && !p.Ladder && p.MaxParts <= 0 {
		return nil
	}
	sd := &side{phone: p.Phone, ladder: p.Ladder, price: p.Price, cost: p.Cost}
	if p.MaxParts > 0 {
		sd.parts, sd.max = p.Parts, p.MaxParts
		top := 0
		for _, ps := range p.Parts {
			for _, x := range ps {
				top = max(top, x)
			}
		}
		sd.words = top/64 + 1
	}
	return sd
}

// pair reports whether candidates a and b may be chosen together.
func (sd *side) pair(a, b int) bool {
	if sd.phone != nil && sd.phone[a] == sd.phone[b] {
		return false
	}
	if sd.ladder {
		ca, cb := sd.cost[a], sd.cost[b]
		pa, pb := sd.price[a], sd.price[b]
		if ca > cb && pa <= pb || cb > ca && pb <= pa {
			return false
		}
	}
	return true
}

// fits reports whether the set s, less s[skip] when skip >= 0, plus
// candidate a keeps the side constraints, given that s less s[skip] keeps
// them.
func (sd *side) fits(s []int, skip, a int) bool {
	for q, j := range s {
		if q != skip && !sd.pair(j, a) {
			return false
		}
	}
	if sd.max <= 0 {
		return true
	}
	var buf [16]uint64
	set := buf[:]
	if sd.words > len(buf) {
		set = make([]uint64, sd.words)
	} else {
		set = set[:sd.words]
	}
	n := 0
	add := func(j int) {
		for _, x := range sd.parts[j] {
			w, b := x/64, uint64(1)<<(x%64)
			if set[w]&b == 0 {
				set[w] |= b
				n++
			}
		}
	}
	for q, j := range s {
		if q != skip {
			add(j)
		}
	}
	add(a)
	return n <= sd.max
}

// feasible reports whether the whole set s keeps the side constraints.
func (sd *side) feasible(s []int) bool {
	for q := range s {
		if !sd.fits(s[:q], -1, s[q]) {
			return false
		}
	}
	return true
}

// PartsUsed returns how many distinct parts the candidates in chosen use
// together (0 when p has no Parts).
func (p *Problem) PartsUsed(chosen []int) int {
	if p.Parts == nil {
		return 0
	}
	top := 0
	for _, j := range chosen {
		for _, x := range p.Parts[j] {
			top = max(top, x)
		}
	}
	set := make([]uint64, top/64+1)
	for _, j := range chosen {
		for _, x := range p.Parts[j] {
			set[x/64] |= 1 << (x % 64)
		}
	}
	n := 0
	for _, w := range set {
		n += bits.OnesCount64(w)
	}
	return n
}

// validateSide checks the side constraints' sizes and numbers, and that
// the required candidates keep them.
func (p *Problem) validateSide() error {
	if p.Phone != nil && len(p.Phone) != p.Candidates {
		return errs.Errorf(errs.Invalid, "%d phone numbers for %d candidates", len(p.Phone), p.Candidates)
	}
	if p.Ladder {
		if len(p.Price) != p.Candidates || len(p.Cost) != p.Candidates {
			return errs.Errorf(errs.Invalid, "the price ladder needs a price and a cost for each of the %d candidates; got %d and %d",
				p.Candidates, len(p.Price), len(p.Cost))
		}
		for j := range p.Candidates {
			if math.IsNaN(p.Price[j]) || math.IsInf(p.Price[j], 0) || math.IsNaN(p.Cost[j]) || math.IsInf(p.Cost[j], 0) {
				return errs.Errorf(errs.Invalid, "candidate %s: the price and cost must be finite numbers", p.Label(j))
			}
		}
	}
	if p.MaxParts < 0 {
		return errs.Errorf(errs.Invalid, "the parts limit must not be negative; got %d", p.MaxParts)
	}
	if p.MaxParts > 0 {
		if len(p.Parts) != p.Candidates {
			return errs.Errorf(errs.Invalid, "a parts limit needs the parts of each of the %d candidates; got %d lists", p.Candidates, len(p.Parts))
		}
		for j, ps := range p.Parts {
			for _, x := range ps {
				if x < 0 || x > 1<<20 {
					return errs.Errorf(errs.Invalid, "candidate %s: part number %d is out of range (0 to %d)", p.Label(j), x, 1<<20)
				}
			}
		}
	}
	sd := newSide(p)
	if sd == nil {
		return nil
	}
	var must []int
	for _, j := range p.Must {
		if !slices.Contains(must, j) {
			must = append(must, j)
		}
	}
	if !sd.feasible(must) {
		return errs.Errorf(errs.Invalid, "the required candidates break the side constraints (one price per phone, the price ladder or the parts limit)")
	}
	return nil
}
