// Package lineup chooses which few variants to offer: the product-line
// problem. Given customers (types, or draws of a preference model) with
// weights, candidate variants with margins, and every customer's utility of
// every candidate and of not buying from us, it picks exactly K candidates
// that maximise expected earnings, own variants cannibalising each other
// included.
//
// Solve offers exact branch and bound, which proves its answer optimal, and
// heuristics for instances too large for it (greedy construction, swaps,
// simulated annealing); every answer carries an upper bound on the optimum
// and the gap to it. The problem comes in matrix form (Problem); ReadMatrix
// and WriteMatrix keep it in a CSV file, and ReadJSON reads it as JSON.
// docs/lineup.md describes the problem, the methods and the formats.
package lineup

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
)

// Rule is how a customer chooses among the offered variants and the
// no-purchase option.
type Rule int

// The choice rules.
const (
	// FirstChoice: the highest utility wins; the no-purchase option wins
	// when no offered variant beats it (ties: the no-purchase option wins
	// over variants; among variants the lower index wins).
	FirstChoice Rule = iota
	// Logit: exp(Scale*u) shares, with the no-purchase option among them.
	Logit
)

// String returns the rule's name as ParseRule reads it.
func (r Rule) String() string {
	switch r {
	case FirstChoice:
		return "first-choice"
	case Logit:
		return "logit"
	}
	return fmt.Sprintf("rule(%d)", int(r))
}

// ParseRule reads a rule name: first-choice (or fc) or logit.
func ParseRule(s string) (Rule, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "first-choice", "firstchoice", "first_choice", "fc":
		return FirstChoice, nil
	case "logit":
		return Logit, nil
	}
	return 0, errs.Errorf(errs.Invalid, "unknown choice rule %q (want first-choice or logit)", s)
}

// MarshalText implements encoding.TextMarshaler, so that JSON holds the
// rule's name.
func (r Rule) MarshalText() ([]byte, error) {
	if r != FirstChoice && r != Logit {
		return nil, fmt.Errorf("lineup: unknown rule %d", int(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Rule) UnmarshalText(b []byte) error {
	v, err := ParseRule(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Problem is a product-line problem in matrix form: customers (types) with
// weights, candidate variants with margins, and every customer's utility of
// every candidate and of not buying from us (their best outside option: a
// competitor or nothing).
type Problem struct {
	Customers  int       `json:"customers"`
	Candidates int       `json:"candidates"`
	Weight     []float64 `json:"weight,omitempty"` // per customer (nil: all 1)
	Utility    []float64 `json:"utility"`          // Customers×Candidates, row-major: Utility[i*Candidates+j]
	None       []float64 `json:"none"`             // per customer: utility of the outside option
	// Margin is per candidate what one unit sold earns (profit: price minus
	// cost; revenue: price; units: 1).
	Margin []float64 `json:"margin"`
	Rule   Rule      `json:"rule"`
	Scale  float64   `json:"scale,omitempty"` // logit: utilities are multiplied by Scale (0 means 1)
	K      int       `json:"k"`               // number of variants to choose (exactly K)
	Must   []int     `json:"must,omitempty"`  // candidates that must be chosen
	Forbid []int     `json:"forbid,omitempty"`
	// Groups each must have at least one chosen candidate (e.g. one per
	// operating system).
	Groups [][]int  `json:"groups,omitempty"`
	Labels []string `json:"labels,omitempty"` // optional candidate names, for output

	// Side constraints on the chosen set as a whole, for lineups of real
	// phones (see side.go; product mode sets them, all are optional). Every
	// one of them holds for any part of a set it holds for.

	// Phone numbers the candidates that are one phone at different
	// prices: at most one candidate of a phone is chosen.
	Phone []int `json:"phone,omitempty"`
	// Ladder, with Price and Cost per candidate: of two chosen
	// candidates, the one that costs more to build sells for more.
	Ladder bool      `json:"ladder,omitempty"`
	Price  []float64 `json:"price,omitempty"`
	Cost   []float64 `json:"cost,omitempty"`
	// Parts lists per candidate the parts it is built from, as small
	// non-negative numbers; MaxParts > 0 bounds how many distinct parts
	// the chosen candidates use together.
	Parts    [][]int `json:"parts,omitempty"`
	MaxParts int     `json:"max_parts,omitempty"`
}

// u returns customer i's utility of candidate j.
func (p *Problem) u(i, j int) float64 { return p.Utility[i*p.Candidates+j] }

// weight returns customer i's weight.
func (p *Problem) weight(i int) float64 {
	if p.Weight == nil {
		return 1
	}
	return p.Weight[i]
}

// scale returns the logit scale, 1 for 0.
func (p *Problem) scale() float64 {
	if p.Scale == 0 {
		return 1
	}
	return p.Scale
}

// Label returns candidate j's name: its label, or its 1-based number.
func (p *Problem) Label(j int) string {
	if j < len(p.Labels) && p.Labels[j] != "" {
		return p.Labels[j]
	}
	return fmt.Sprintf("#%d", j+1)
}

// Objective returns the expected earnings of offering the chosen candidates
// (any order, no duplicates, every one in range; p must be valid): the sum
// over customers of Weight times the sum over chosen j of P(customer buys
// j) times Margin[j].
func (p *Problem) Objective(chosen []int) float64 {
	total := 0.0
	switch p.Rule {
	case Logit:
		s := p.scale()
		for i := range p.Customers {
			// A stable softmax: shift by the largest scaled utility.
			hi := s * p.None[i]
			for _, j := range chosen {
				hi = max(hi, s*p.u(i, j))
			}
			den := math.Exp(s*p.None[i] - hi)
			num := 0.0
			for _, j := range chosen {
				e := math.Exp(s*p.u(i, j) - hi)
				den += e
				num += e * p.Margin[j]
			}
			total += p.weight(i) * num / den
		}
	default:
		for i := range p.Customers {
			if b := p.firstChoice(i, chosen); b >= 0 {
				total += p.weight(i) * p.Margin[b]
			}
		}
	}
	return total
}

// firstChoice returns what customer i buys from chosen under the first
// choice rule, -1 for nothing.
func (p *Problem) firstChoice(i int, chosen []int) int {
	b, ub := -1, p.None[i]
	for _, j := range chosen {
		if u := p.u(i, j); beats(u, j, ub, b) {
			b, ub = j, u
		}
	}
	return b
}

// beats reports whether a candidate j with utility u is preferred to the
// option b with utility ub under the first-choice rule, where b < 0 is the
// no-purchase option: a strictly higher utility wins; the no-purchase
// option wins ties, and between tied candidates the lower index wins.
func beats(u float64, j int, ub float64, b int) bool {
	return u > ub || u == ub && j < b
}

// Shares returns, for the chosen candidates in the order given, the
// weighted number of customers who buy each (under p's rule), and the
// weighted number who buy none of them.
func (p *Problem) Shares(chosen []int) (bought []float64, none float64) {
	bought = make([]float64, len(chosen))
	for i := range p.Customers {
		w := p.weight(i)
		switch p.Rule {
		case Logit:
			s := p.scale()
			hi := s * p.None[i]
			for _, j := range chosen {
				hi = max(hi, s*p.u(i, j))
			}
			den := math.Exp(s*p.None[i] - hi)
			for _, j := range chosen {
				den += math.Exp(s*p.u(i, j) - hi)
			}
			none += w * math.Exp(s*p.None[i]-hi) / den
			for c, j := range chosen {
				bought[c] += w * math.Exp(s*p.u(i, j)-hi) / den
			}
		default:
			b := p.firstChoice(i, chosen)
			if b < 0 {
				none += w
				continue
			}
			bought[slices.Index(chosen, b)] += w
		}
	}
	return bought, none
}

// Validate reports the first problem with p (sizes, K range, feasibility of
// Must/Forbid/Groups) as errs.Invalid.
func (p *Problem) Validate() error {
	if err := p.validateMatrix(); err != nil {
		return err
	}
	if p.Rule != FirstChoice && p.Rule != Logit {
		return errs.Errorf(errs.Invalid, "unknown choice rule %d", int(p.Rule))
	}
	if math.IsNaN(p.Scale) || math.IsInf(p.Scale, 0) || p.Scale < 0 {
		return errs.Errorf(errs.Invalid, "the logit scale must be a finite number, not negative; got %g", p.Scale)
	}
	if p.K < 1 || p.K > p.Candidates {
		return errs.Errorf(errs.Invalid, "K must be between 1 and the number of candidates (%d); got %d", p.Candidates, p.K)
	}
	inRange := func(what string, j int) error {
		if j < 0 || j >= p.Candidates {
			return errs.Errorf(errs.Invalid, "%s: candidate index %d is out of range (0 to %d)", what, j, p.Candidates-1)
		}
		return nil
	}
	must := make([]bool, p.Candidates)
	forbid := make([]bool, p.Candidates)
	nMust := 0
	for _, j := range p.Must {
		if err := inRange("must", j); err != nil {
			return err
		}
		if !must[j] {
			must[j] = true
			nMust++
		}
	}
	for _, j := range p.Forbid {
		if err := inRange("forbid", j); err != nil {
			return err
		}
		if must[j] {
			return errs.Errorf(errs.Invalid, "candidate %s is both required and forbidden", p.Label(j))
		}
		forbid[j] = true
	}
	if nMust > p.K {
		return errs.Errorf(errs.Invalid, "%d candidates must be chosen, more than K = %d", nMust, p.K)
	}
	allowed := 0
	for j := range p.Candidates {
		if !forbid[j] {
			allowed++
		}
	}
	if allowed < p.K {
		return errs.Errorf(errs.Invalid, "only %d candidates are not forbidden, fewer than K = %d", allowed, p.K)
	}
	for g, grp := range p.Groups {
		ok := false
		for _, j := range grp {
			if err := inRange(fmt.Sprintf("group %d", g+1), j); err != nil {
				return err
			}
			ok = ok || !forbid[j]
		}
		if !ok {
			return errs.Errorf(errs.Invalid, "group %d has no candidate that is not forbidden", g+1)
		}
	}
	if err := p.validateSide(); err != nil {
		return err
	}
	if len(p.Groups) > 0 {
		sp := newSpace(p, 1)
		chosen := make([]bool, p.Candidates)
		copy(chosen, must)
		switch sp.canComplete(chosen, p.K-nMust) {
		case no:
			return errs.Errorf(errs.Invalid, "no choice of K = %d candidates meets the required ones, the forbidden ones and every group", p.K)
		case unknown:
			return errs.Errorf(errs.Invalid, "the groups are too entangled to decide whether K = %d candidates can meet every one of them", p.K)
		}
	}
	return nil
}

// validateMatrix checks the matrix part of p: sizes and numbers.
func (p *Problem) validateMatrix() error {
	if p.Customers < 1 || p.Candidates < 1 {
		return errs.Errorf(errs.Invalid, "a problem needs at least one customer and one candidate; got %d and %d", p.Customers, p.Candidates)
	}
	if p.Customers > math.MaxInt32 || p.Candidates > math.MaxInt32 || p.Customers*p.Candidates/p.Candidates != p.Customers {
		return errs.Errorf(errs.Invalid, "%d customers by %d candidates is too large", p.Customers, p.Candidates)
	}
	if len(p.Utility) != p.Customers*p.Candidates {
		return errs.Errorf(errs.Invalid, "the utility matrix has %d entries; %d customers by %d candidates need %d",
			len(p.Utility), p.Customers, p.Candidates, p.Customers*p.Candidates)
	}
	if len(p.None) != p.Customers {
		return errs.Errorf(errs.Invalid, "%d no-purchase utilities for %d customers", len(p.None), p.Customers)
	}
	if len(p.Margin) != p.Candidates {
		return errs.Errorf(errs.Invalid, "%d margins for %d candidates", len(p.Margin), p.Candidates)
	}
	if p.Weight != nil && len(p.Weight) != p.Customers {
		return errs.Errorf(errs.Invalid, "%d weights for %d customers", len(p.Weight), p.Customers)
	}
	if p.Labels != nil && len(p.Labels) != p.Candidates {
		return errs.Errorf(errs.Invalid, "%d labels for %d candidates", len(p.Labels), p.Candidates)
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	for i, w := range p.Weight {
		if !finite(w) || w < 0 {
			return errs.Errorf(errs.Invalid, "customer %d: the weight must be a finite number, not negative; got %g", i+1, w)
		}
	}
	for i, u := range p.None {
		if !finite(u) {
			return errs.Errorf(errs.Invalid, "customer %d: the no-purchase utility is %g", i+1, u)
		}
	}
	for j, m := range p.Margin {
		if !finite(m) {
			return errs.Errorf(errs.Invalid, "candidate %s: the margin is %g", p.Label(j), m)
		}
	}
	for k, u := range p.Utility {
		if !finite(u) {
			return errs.Errorf(errs.Invalid, "customer %d, candidate %s: the utility is %g", k/p.Candidates+1, p.Label(k%p.Candidates), u)
		}
	}
	return nil
}
