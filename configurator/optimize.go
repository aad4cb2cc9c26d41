package configurator

import (
	"fmt"
	"math"
	"sort"

	"github.com/tailor-c2b/tailor/model"
)

// cost is a lexicographic objective: first a, then b, smaller is better.
type cost struct{ a, b int64 }

func (c cost) less(d cost) bool { return c.a < d.a || c.a == d.a && c.b < d.b }

func (c cost) plus(d cost) cost { return cost{c.a + d.a, c.b + d.b} }

var infinite = cost{math.MaxInt64, math.MaxInt64}

// minSum finds a valid configuration among the alive tuples of s (after up)
// that minimises the sum of varCost over the variables: a min-sum pass up
// the join tree, then a traceback down. It returns the value of every
// variable.
func (e *Engine) minSum(s *scratch, varCost func(v int, x int32) cost) ([]int32, cost) {
	owned := e.owned
	if s.val == nil {
		s.val = make([][]cost, len(e.clusters))
		s.arg = make([][]int32, len(e.clusters))
		for i, c := range e.clusters {
			s.val[i] = make([]cost, c.n)
			s.arg[i] = make([]int32, c.nkeys)
		}
		s.best = make([]cost, len(s.present))
	}
	val, arg := s.val, s.arg // arg: per child, the best child tuple per key
	for _, ci := range e.post {
		c := e.clusters[ci]
		w := len(c.vars)
		vc := val[ci]
		for t := range vc {
			vc[t] = cost{}
			if !s.full[ci] && !s.alive[ci][t] {
				vc[t] = infinite
				continue
			}
			row := c.data[t*w : t*w+w]
			for _, j := range owned[ci] {
				vc[t] = vc[t].plus(varCost(c.vars[j], row[j]))
			}
		}
		for _, chi := range c.children {
			ch := e.clusters[chi]
			best := s.best[:ch.nkeys]
			bestT := arg[chi]
			for k := range best {
				best[k], bestT[k] = infinite, -1
			}
			for t, k := range ch.key {
				if x := val[chi][t]; x.less(best[k]) {
					best[k], bestT[k] = x, int32(t)
				}
			}
			for t := range vc {
				if vc[t] == infinite {
					continue
				}
				if b := best[ch.parentKey[t]]; b == infinite {
					vc[t] = infinite
				} else {
					vc[t] = vc[t].plus(b)
				}
			}
		}
	}
	total := val[e.root][0]
	if total == infinite {
		return nil, total
	}
	assign := make([]int32, len(e.p.Vars))
	chosen := make([]int32, len(e.clusters))
	for i := len(e.post) - 1; i >= 0; i-- {
		ci := e.post[i]
		c := e.clusters[ci]
		if c.parent >= 0 {
			chosen[ci] = arg[ci][c.parentKey[chosen[c.parent]]]
		}
		row := c.row(int(chosen[ci]))
		for j, v := range c.vars {
			assign[v] = row[j]
		}
	}
	return assign, total
}

// Goal says what a completion optimises.
type Goal int

const (
	// Cheapest minimises the sum of the model's cost property.
	Cheapest Goal = iota
	// Defaults keeps as many default levels as possible.
	Defaults
	// Minimize minimises the sum of a numeric property.
	Minimize
	// Maximize maximises the sum of a numeric property.
	Maximize
)

// Objective is a completion goal, with the property for Minimize and
// Maximize (Cheapest uses the property "cost").
type Objective struct {
	Goal     Goal
	Property string
}

// ParseObjective reads "cheapest", "defaults", "min:PROP" or "max:PROP".
func ParseObjective(s string) (Objective, error) {
	switch {
	case s == "cheapest":
		return Objective{Goal: Cheapest, Property: "cost"}, nil
	case s == "defaults":
		return Objective{Goal: Defaults}, nil
	case len(s) > 4 && s[:4] == "min:":
		return Objective{Goal: Minimize, Property: s[4:]}, nil
	case len(s) > 4 && s[:4] == "max:":
		return Objective{Goal: Maximize, Property: s[4:]}, nil
	}
	return Objective{}, fmt.Errorf("unknown completion goal %q: want cheapest, defaults, min:PROPERTY or max:PROPERTY", s)
}

// Complete returns a valid complete configuration that agrees with the
// selection and is best for the objective; among equally good ones it keeps
// the most default levels (for Defaults, the cheapest). ok is false when
// the selection is inconsistent.
func (e *Engine) Complete(sel Selection, obj Objective) (config []int, ok bool, err error) {
	prop := obj.Property
	if obj.Goal == Cheapest && prop == "" {
		prop = "cost"
	}
	if obj.Goal != Defaults {
		if p := e.m.Property(prop); p == nil || p.Kind == model.Text {
			return nil, false, fmt.Errorf("no numeric property %q in model %s", prop, e.m.Name)
		}
	} else {
		prop = "cost"
	}
	if p := e.m.Property(prop); obj.Goal != Defaults && obj.Goal != Cheapest && p.Rollup != model.Sum {
		return e.completeExtreme(sel, prop, obj.Goal == Maximize, p.Rollup == model.Max)
	}
	sign := int64(1)
	if obj.Goal == Maximize {
		sign = -1
	}
	nAttr := len(e.m.Attributes)
	varCost := func(v int, x int32) cost {
		if v >= nAttr {
			return cost{}
		}
		a := &e.m.Attributes[v]
		value := sign * int64(a.Levels[x].Numbers[prop])
		nonDefault := int64(0)
		if a.Default >= 0 && int(x) != a.Default {
			nonDefault = 1
		}
		if obj.Goal == Defaults {
			return cost{nonDefault, value}
		}
		return cost{value, nonDefault}
	}
	s := e.getScratch()
	defer e.putScratch(s)
	if !e.up(sel, s) {
		return nil, false, nil
	}
	assign, _ := e.minSum(s, varCost)
	config = make([]int, nAttr)
	for a := range config {
		config[a] = int(assign[a])
	}
	return config, true, nil
}

// completeExtreme optimises a property whose roll-up is the largest (max)
// or smallest (!max) level value, rather than a sum. Lowering the largest
// value (or raising the smallest) is a bottleneck problem: the best
// threshold is found by bisection, each step a min-sum pass counting the
// levels beyond it. Raising the largest value (or lowering the smallest)
// needs one level as good as any possible one. Defaults break ties.
func (e *Engine) completeExtreme(sel Selection, prop string, maximize, rollupMax bool) ([]int, bool, error) {
	m := e.m
	nAttr := len(m.Attributes)
	s := e.getScratch()
	defer e.putScratch(s)
	if !e.up(sel, s) {
		return nil, false, nil
	}
	nonDefault := func(a int, x int32) int64 {
		if d := m.Attributes[a].Default; d >= 0 && int(x) != d {
			return 1
		}
		return 0
	}
	finish := func(assign []int32) []int {
		config := make([]int, nAttr)
		for a := range config {
			config[a] = int(assign[a])
		}
		return config
	}
	value := func(a int, x int32) model.Decimal { return m.Attributes[a].Levels[x].Numbers[prop] }
	// A level that does not set the property is skipped by the roll-up.
	set := func(a int, x int32) bool {
		_, ok := m.Attributes[a].Levels[x].Numbers[prop]
		return ok
	}
	if maximize == rollupMax {
		// One level as high (or low) as possible: the best possible level.
		e.down(s)
		bestA, bestL := -1, -1
		for a := range m.Attributes {
			d := e.domainOf(a, s)
			for l, ok := range d {
				if !ok || !set(a, int32(l)) {
					continue
				}
				v := value(a, int32(l))
				if bestA < 0 || (maximize && v > value(bestA, int32(bestL))) || (!maximize && v < value(bestA, int32(bestL))) {
					bestA, bestL = a, l
				}
			}
		}
		forced := append(Selection(nil), sel...)
		if bestA >= 0 {
			forced[bestA] = bestL
		}
		if !e.up(forced, s) {
			return nil, false, fmt.Errorf("internal: a possible level is inconsistent")
		}
		assign, _ := e.minSum(s, func(v int, x int32) cost {
			if v >= nAttr {
				return cost{}
			}
			return cost{nonDefault(v, x), 0}
		})
		return finish(assign), true, nil
	}
	// Bottleneck: the tightest threshold every level can keep within.
	var thresholds []model.Decimal
	seen := map[model.Decimal]bool{}
	for a := range m.Attributes {
		for l := range m.Attributes[a].Levels {
			if v := value(a, int32(l)); !seen[v] {
				seen[v] = true
				thresholds = append(thresholds, v)
			}
		}
	}
	sort.Slice(thresholds, func(i, j int) bool { return thresholds[i] < thresholds[j] })
	if maximize { // raise the smallest: thresholds from high to low
		for i, j := 0, len(thresholds)-1; i < j; i, j = i+1, j-1 {
			thresholds[i], thresholds[j] = thresholds[j], thresholds[i]
		}
	}
	beyond := func(v, t model.Decimal) bool {
		if maximize {
			return v < t
		}
		return v > t
	}
	pass := func(t model.Decimal) ([]int32, cost) {
		return e.minSum(s, func(v int, x int32) cost {
			if v >= nAttr {
				return cost{}
			}
			c := cost{0, nonDefault(v, x)}
			if set(v, x) && beyond(value(v, x), t) {
				c.a = 1
			}
			return c
		})
	}
	i := sort.Search(len(thresholds), func(i int) bool {
		_, c := pass(thresholds[i])
		return c.a == 0
	})
	assign, _ := pass(thresholds[min(i, len(thresholds)-1)])
	return finish(assign), true, nil
}
