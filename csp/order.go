package csp

// MinFillOrder returns a min-fill elimination order of a graph given by each
// vertex's neighbours (such as a problem's primal graph), ties broken by the
// product of the domain sizes, given by size, of the resulting cluster. It
// consumes the graph.
func MinFillOrder(nbr []map[int]bool, size func(v int) float64) []int {
	n := len(nbr)
	words := (n + 63) / 64
	adj := make([]uint64, n*words) // adjacency bitmap, row per variable
	has := func(a, b int) bool { return adj[a*words+b/64]&(1<<(b%64)) != 0 }
	link := func(a, b int) {
		adj[a*words+b/64] |= 1 << (b % 64)
		nbr[a][b] = true
	}
	for a := range nbr {
		for b := range nbr[a] {
			link(a, b)
		}
	}
	sz := make([]float64, n)
	for v := range sz {
		sz[v] = size(v)
	}
	fill := make([]int, n)
	weight := make([]float64, n)
	score := func(v int) {
		f := 0
		w := sz[v]
		ns := make([]int, 0, len(nbr[v]))
		for u := range nbr[v] {
			ns = append(ns, u)
			w *= sz[u]
		}
		for i, a := range ns {
			row := adj[a*words : (a+1)*words]
			for _, b := range ns[i+1:] {
				if row[b/64]&(1<<(b%64)) == 0 {
					f++
				}
			}
		}
		fill[v], weight[v] = f, w
	}
	for v := 0; v < n; v++ {
		score(v)
	}
	done := make([]bool, n)
	order := make([]int, 0, n)
	stale := make([]bool, n)
	for len(order) < n {
		best := -1
		for v := 0; v < n; v++ {
			if done[v] {
				continue
			}
			if best < 0 || fill[v] < fill[best] || (fill[v] == fill[best] && weight[v] < weight[best]) {
				best = v
			}
		}
		v := best
		// Connect v's neighbours, remove v, and rescore the variables
		// whose neighbourhoods changed: v's neighbours and theirs.
		for a := range nbr[v] {
			for b := range nbr[v] {
				if a != b && !has(a, b) {
					link(a, b)
				}
			}
		}
		for a := range nbr[v] {
			delete(nbr[a], v)
			adj[a*words+v/64] &^= 1 << (v % 64)
		}
		done[v] = true
		order = append(order, v)
		for a := range nbr[v] {
			stale[a] = true
			for b := range nbr[a] {
				stale[b] = true
			}
		}
		for u := range stale {
			if stale[u] {
				stale[u] = false
				if !done[u] {
					score(u)
				}
			}
		}
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

// Width returns the width of an elimination order on a graph: the most
// neighbours a vertex has when it is eliminated, its neighbours then being
// linked to each other. For a min-fill order it is an upper bound of the
// graph's tree-width. It consumes the graph.
func Width(nbr []map[int]bool, order []int) int {
	w := 0
	for _, v := range order {
		w = max(w, len(nbr[v]))
		for a := range nbr[v] {
			for b := range nbr[v] {
				if a != b {
					nbr[a][b] = true
				}
			}
			delete(nbr[a], v)
		}
	}
	return w
}
