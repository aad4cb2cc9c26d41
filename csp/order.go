package csp

// MinFillOrder returns a min-fill elimination order of the problem's primal
// graph (variables linked when a relation spans both), ties broken by the
// product of the domain sizes, given by size, of the resulting cluster.
func (p *Problem) MinFillOrder(size func(v int) float64) []int {
	n := len(p.Vars)
	adj := p.PrimalGraph()
	done := make([]bool, n)
	order := make([]int, 0, n)
	nbrs := make([]int, 0, 64)
	for len(order) < n {
		best, bestFill, bestWeight := -1, 0, 0.0
		for v := 0; v < n; v++ {
			if done[v] {
				continue
			}
			nbrs = nbrs[:0]
			for u := range adj[v] {
				nbrs = append(nbrs, u)
			}
			fill := 0
			for i, a := range nbrs {
				for _, b := range nbrs[i+1:] {
					if !adj[a][b] {
						fill++
					}
				}
				if best >= 0 && fill > bestFill {
					break
				}
			}
			w := size(v)
			for _, u := range nbrs {
				w *= size(u)
			}
			if best < 0 || fill < bestFill || (fill == bestFill && w < bestWeight) {
				best, bestFill, bestWeight = v, fill, w
			}
		}
		v := best
		for a := range adj[v] {
			for b := range adj[v] {
				if a != b {
					adj[a][b] = true
				}
			}
			delete(adj[a], v)
		}
		done[v] = true
		order = append(order, v)
	}
	return order
}

// PrimalGraph returns the neighbours of each variable: the variables it
// shares a relation with.
func (p *Problem) PrimalGraph() []map[int]bool {
	adj := make([]map[int]bool, len(p.Vars))
	for v := range adj {
		adj[v] = map[int]bool{}
	}
	for _, r := range p.Relations {
		for _, a := range r.Scope {
			for _, b := range r.Scope {
				if a != b {
					adj[a][b] = true
				}
			}
		}
	}
	return adj
}
