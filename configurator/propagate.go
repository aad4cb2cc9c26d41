package configurator

// Selection holds the customer's choices: a level index per attribute, or -1
// where the customer has not chosen.
type Selection []int

// NewSelection returns a selection with nothing chosen.
func (e *Engine) NewSelection() Selection {
	s := make(Selection, len(e.m.Attributes))
	for i := range s {
		s[i] = -1
	}
	return s
}

// scratch is the per-query working memory, reused between queries.
type scratch struct {
	alive   [][]bool // per cluster, valid where !full
	count   []int    // per cluster: tuples alive
	full    []bool   // per cluster: every tuple alive (alive not filled in)
	present []bool
	// For min-sum passes, allocated on first use.
	val  [][]cost  // per cluster: best cost below each tuple
	arg  [][]int32 // per cluster: its best tuple per key of the edge to its parent
	best []cost
}

func (e *Engine) getScratch() *scratch {
	select {
	case s := <-e.scratch:
		return s
	default:
	}
	s := &scratch{
		alive: make([][]bool, len(e.clusters)),
		count: make([]int, len(e.clusters)),
		full:  make([]bool, len(e.clusters)),
	}
	maxKeys := 1
	for i, c := range e.clusters {
		s.alive[i] = make([]bool, c.n)
		maxKeys = max(maxKeys, c.nkeys)
	}
	s.present = make([]bool, maxKeys)
	return s
}

func (e *Engine) putScratch(s *scratch) {
	select {
	case e.scratch <- s:
	default:
	}
}

// materialize turns a full cluster's implicit all-alive state into an
// explicit one, before some tuples are removed.
func (s *scratch) materialize(i int) {
	if s.full[i] {
		a := s.alive[i]
		for t := range a {
			a[t] = true
		}
		s.full[i] = false
	}
}

// up restricts every cluster to the tuples that agree with the selection and
// are supported by their children: the upward semi-join pass. It reports
// whether the selection is consistent (extends to a valid configuration).
func (e *Engine) up(sel Selection, s *scratch) bool {
	for _, ci := range e.post {
		c := e.clusters[ci]
		s.full[ci], s.count[ci] = true, c.n
		if ci == e.root {
			for _, ch := range c.children {
				if s.count[ch] == 0 {
					s.count[ci] = 0
				}
			}
			if c.n == 0 {
				s.count[ci] = 0
			}
			return s.count[ci] > 0
		}
		w := len(c.vars)
		// The selected level with the fewest tuples gives the candidates.
		var shortest []int32
		selected := false
		for i, ac := range c.attrCols {
			if x := sel[ac.attr]; x >= 0 {
				if p := c.postings[i][x]; !selected || len(p) < len(shortest) {
					shortest = p
				}
				selected = true
			}
		}
		if selected {
			alive := s.alive[ci]
			clear(alive)
			n := 0
			for _, t := range shortest {
				row := c.data[int(t)*w : int(t)*w+w]
				ok := true
				for _, ac := range c.attrCols {
					if x := sel[ac.attr]; x >= 0 && int(row[ac.col]) != x {
						ok = false
						break
					}
				}
				if ok {
					alive[t] = true
					n++
				}
			}
			s.full[ci], s.count[ci] = false, n
		}
		for _, chi := range c.children {
			if s.full[chi] {
				continue // a full child supports every tuple of a consistent tree
			}
			e.semijoinUp(e.clusters[chi], chi, ci, s)
		}
		if s.count[ci] == 0 {
			return false
		}
	}
	return true
}

// semijoinUp removes the tuples of parent pi whose separator projection no
// alive tuple of child chi shares.
func (e *Engine) semijoinUp(ch *cluster, chi, pi int, s *scratch) {
	present := s.present[:ch.nkeys]
	clear(present)
	ca := s.alive[chi]
	for t, k := range ch.key {
		if ca[t] {
			present[k] = true
		}
	}
	s.materialize(pi)
	pa := s.alive[pi]
	n := 0
	for t, k := range ch.parentKey {
		if pa[t] {
			if present[k] {
				n++
			} else {
				pa[t] = false
			}
		}
	}
	s.count[pi] = n
}

// down completes the full reducer: parents before children, each cluster
// keeps the tuples whose separator projection an alive parent tuple shares.
// After up and down, every alive tuple extends to a valid configuration
// consistent with the selection.
func (e *Engine) down(s *scratch) {
	for i := len(e.post) - 1; i >= 0; i-- {
		ci := e.post[i]
		c := e.clusters[ci]
		if c.parent < 0 || c.parent == e.root || s.full[c.parent] {
			continue
		}
		present := s.present[:c.nkeys]
		clear(present)
		pa := s.alive[c.parent]
		for t, k := range c.parentKey {
			if pa[t] {
				present[k] = true
			}
		}
		if s.full[ci] {
			// Skip the write when the parent supports every key.
			all := true
			for _, ok := range present {
				if !ok {
					all = false
					break
				}
			}
			if all {
				continue
			}
		}
		s.materialize(ci)
		ca := s.alive[ci]
		n := 0
		for t, k := range c.key {
			if ca[t] {
				if present[k] {
					n++
				} else {
					ca[t] = false
				}
			}
		}
		s.count[ci] = n
	}
}

// Consistent reports whether the selection extends to at least one valid
// configuration.
func (e *Engine) Consistent(sel Selection) bool {
	s := e.getScratch()
	defer e.putScratch(s)
	return e.up(sel, s)
}

// Propagate returns, for every attribute, the levels that extend the
// selection to at least one valid configuration: possible[a][l] is true if
// some valid configuration agrees with the selection and gives attribute a
// level l. A selected attribute keeps only its selected level. If the
// selection itself is inconsistent, ok is false and possible is nil; Conflict
// tells which choices clash.
func (e *Engine) Propagate(sel Selection) (possible [][]bool, ok bool) {
	s := e.getScratch()
	defer e.putScratch(s)
	if !e.up(sel, s) {
		return nil, false
	}
	e.down(s)
	possible = make([][]bool, len(e.m.Attributes))
	for a := range possible {
		possible[a] = e.domainOf(a, s)
	}
	return possible, true
}

// domainOf reads attribute a's possible levels from its home cluster.
func (e *Engine) domainOf(a int, s *scratch) []bool {
	d := make([]bool, len(e.domains[a]))
	h := e.home[a]
	if s.full[h] {
		copy(d, e.domains[a])
		return d
	}
	c := e.clusters[h]
	w, col := len(c.vars), e.homeCol[a]
	alive := s.alive[h]
	for t := 0; t < c.n; t++ {
		if alive[t] {
			d[c.data[t*w+col]] = true
		}
	}
	return d
}
