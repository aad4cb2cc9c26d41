package configurator

import (
	"sort"

	"github.com/tailor-c2b/tailor/csp"
)

// Explanation says why a level cannot be chosen under a selection, and how
// to make it possible.
type Explanation struct {
	Attr, Level int
	// Excluded is false when the level is possible, possibly by changing
	// the attribute's own selection; the other fields are then empty.
	Excluded bool
	// Because lists attributes whose selected levels together exclude the
	// level: a minimal set, so that dropping any one of those selections
	// makes the level possible again. It is empty when the model alone
	// excludes the level (a dead level).
	Because []int
	// Rules lists the rules and tables (indices into Problem().Origins)
	// that, together with those selections, exclude the level: a minimal
	// set. RulesComplete is false if the search for them ran out of budget,
	// in which case Rules holds every rule involving the attributes.
	Rules         []int
	RulesComplete bool
	// Repair is the smallest set of changes to the other selections after
	// which the level is possible; Possible is false if no change helps (a
	// dead level).
	Repair   []Change
	Possible bool
}

// Change replaces the selected level From of an attribute by To.
type Change struct {
	Attr     int
	From, To int
}

// Explain explains why level l of attribute a is excluded under the
// selection, with the rules responsible and a minimal repair.
func (e *Engine) Explain(sel Selection, a, l int) Explanation {
	x := Explanation{Attr: a, Level: l}
	s := e.getScratch()
	defer e.putScratch(s)
	trial := append(Selection(nil), sel...)
	trial[a] = l
	if e.up(trial, s) {
		return x
	}
	x.Excluded = true
	// A minimal set of the customer's choices that excludes the level.
	var others []int
	for b, v := range sel {
		if v >= 0 && b != a {
			others = append(others, b)
		}
	}
	x.Because, _ = quickXplain(others, e.clashes(sel, a, l, s))
	sort.Ints(x.Because)
	reasons := e.NewSelection()
	reasons[a] = l
	for _, b := range x.Because {
		reasons[b] = sel[b]
	}
	x.Rules, x.RulesComplete = e.responsibleRules(reasons)
	x.Repair, x.Possible = e.repair(sel, a, l, s)
	return x
}

// repair finds the fewest changes to the selection (other than attribute a)
// that make level l of a possible: a min-sum pass counting the selections a
// configuration with a = l disagrees with, defaults breaking ties.
func (e *Engine) repair(sel Selection, a, l int, s *scratch) ([]Change, bool) {
	only := e.NewSelection()
	only[a] = l
	if !e.up(only, s) {
		return nil, false
	}
	nAttr := len(e.m.Attributes)
	assign, _ := e.minSum(s, func(v int, x int32) cost {
		if v >= nAttr {
			return cost{}
		}
		c := cost{}
		if sel[v] >= 0 && v != a && int(x) != sel[v] {
			c.a = 1
		}
		if d := e.m.Attributes[v].Default; d >= 0 && int(x) != d {
			c.b = 1
		}
		return c
	})
	var out []Change
	for b, v := range sel {
		if v >= 0 && b != a && int(assign[b]) != v {
			out = append(out, Change{Attr: b, From: v, To: int(assign[b])})
		}
	}
	return out, true
}

// clashes returns the test QuickXplain runs on subsets of the choices: whether
// the choices of sel at those attributes, with level l of attribute a if a
// is not -1, admit no valid configuration.
func (e *Engine) clashes(sel Selection, a, l int, s *scratch) func([]int) (bool, bool) {
	only := e.NewSelection()
	return func(subset []int) (bool, bool) {
		for b := range only {
			only[b] = -1
		}
		if a >= 0 {
			only[a] = l
		}
		for _, b := range subset {
			only[b] = sel[b]
		}
		return !e.up(only, s), true
	}
}

// Conflict returns a minimal set of selected attributes whose selections
// cannot hold together, or nil if the selection is consistent.
func (e *Engine) Conflict(sel Selection) []int {
	s := e.getScratch()
	defer e.putScratch(s)
	if e.up(sel, s) {
		return nil
	}
	var chosen []int
	for b, v := range sel {
		if v >= 0 {
			chosen = append(chosen, b)
		}
	}
	out, _ := quickXplain(chosen, e.clashes(sel, -1, -1, s))
	sort.Ints(out)
	return out
}

// ruleBudget bounds the search nodes spent finding the rules behind one
// explanation.
const ruleBudget = 20_000

// responsibleRules finds a minimal set of rules and tables that, with the
// selection (known to be inconsistent), admit no configuration, by
// QuickXplain over the model's rules with a small search for each test.
func (e *Engine) responsibleRules(sel Selection) ([]int, bool) {
	p := e.p
	byOrigin := e.byOrigin
	candidates := append([]int(nil), e.origins...) // qx appends into subslices
	sv := newSolver(p, sel, ruleBudget)
	unsat := func(origins []int) (bool, bool) {
		var rels []*csp.Relation
		for _, o := range origins {
			rels = append(rels, byOrigin[o]...)
		}
		return sv.unsat(rels)
	}
	// Rules near the conflicting choices are the likely culprits: order the
	// candidates by distance from the selected attributes in the graph of
	// rules and attributes. Most exclusions come from one rule over the
	// selected attributes: try those alone first. Otherwise grow a prefix
	// until it conflicts, and look for the minimal set inside it.
	candidates, near := e.byDistance(sel, candidates)
	for _, o := range candidates[:near] {
		if u, ok := unsat([]int{o}); ok && u {
			return []int{o}, true
		}
	}
	for size := 2; ; size *= 2 {
		if size >= len(candidates) {
			break
		}
		if u, ok := unsat(candidates[:size]); ok && u {
			candidates = candidates[:size]
			break
		}
	}
	if len(candidates) == 0 {
		return nil, true
	}
	out, complete := quickXplain(candidates, unsat)
	if !complete {
		// Fall back to every rule that touches a selected attribute.
		out = out[:0]
		for o, rels := range byOrigin {
			for _, r := range rels {
				touches := false
				for _, v := range r.Scope {
					if v < len(sel) && sel[v] >= 0 {
						touches = true
					}
				}
				if touches {
					out = append(out, o)
					break
				}
			}
		}
	}
	sort.Ints(out)
	return out, complete
}

// byDistance orders origins by their distance from the selected attributes,
// counting steps through shared variables; near is the number of origins
// over a selected attribute.
func (e *Engine) byDistance(sel Selection, origins []int) (out []int, near int) {
	const far = 1 << 30
	dist := make([]int, len(e.p.Vars))
	var queue []int
	for v := range dist {
		dist[v] = far
		if v < len(sel) && sel[v] >= 0 {
			dist[v] = 0
			queue = append(queue, v)
		}
	}
	byVar := make([][]int, len(e.p.Vars))
	for o, rels := range e.byOrigin {
		for _, r := range rels {
			for _, v := range r.Scope {
				byVar[v] = append(byVar[v], o)
			}
		}
	}
	odist := make([]int, len(e.p.Origins))
	for o := range odist {
		odist[o] = far
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, o := range byVar[v] {
			if odist[o] <= dist[v] {
				continue
			}
			odist[o] = dist[v]
			for _, r := range e.byOrigin[o] {
				for _, u := range r.Scope {
					if dist[u] == far {
						dist[u] = dist[v] + 1
						queue = append(queue, u)
					}
				}
			}
		}
	}
	out = append([]int(nil), origins...)
	sort.SliceStable(out, func(i, j int) bool { return odist[out[i]] < odist[out[j]] })
	for near < len(out) && odist[out[near]] == 0 {
		near++
	}
	return out, near
}

// quickXplain returns a minimal subset of cands for which unsat holds,
// given that it holds for cands (Junker's QuickXplain: O(k log(n/k)) tests
// for a subset of k out of n). complete is false if a test ran out of
// budget.
func quickXplain(cands []int, unsat func([]int) (u, ok bool)) (out []int, complete bool) {
	if u, ok := unsat(nil); !ok || u {
		return nil, ok
	}
	complete = true
	var qx func(background, delta, cands []int) []int
	qx = func(background, delta, cands []int) []int {
		if !complete {
			return nil
		}
		if len(delta) > 0 {
			u, ok := unsat(background)
			if !ok {
				complete = false
				return nil
			}
			if u {
				return nil
			}
		}
		if len(cands) == 1 {
			return []int{cands[0]}
		}
		k := len(cands) / 2
		c1, c2 := cands[:k], cands[k:]
		d2 := qx(append(append([]int(nil), background...), c1...), c1, c2)
		d1 := qx(append(append([]int(nil), background...), d2...), d2, c1)
		return append(d1, d2...)
	}
	return qx(nil, nil, cands), complete
}
