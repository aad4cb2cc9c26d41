// Package configurator compiles a product model and answers, for any partial
// selection of levels, which levels remain possible, why the others are not,
// how to repair a conflict, the best completion, the exact number of valid
// configurations, and the roll-up of a configuration's properties.
//
// A model compiles to a join tree: the constraint graph is decomposed into
// clusters of variables (a tree decomposition found by min-fill
// elimination), each cluster holds the explicit list of its locally valid
// tuples, and the tuples are made pairwise consistent along the tree. In a
// consistent join tree every remaining tuple extends to a complete valid
// configuration, so a query is answered by two passes of semi-joins over
// the tuples (up and down the tree) in time linear in their number, with no
// search and no backtracking. See docs/configurator.md.
package configurator

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
)

// Options bound the work of compilation.
type Options struct {
	// MaxTuples bounds the total number of tuples over all clusters; a model
	// that needs more fails to compile with an error. Zero means 50 million.
	MaxTuples int
	// EnumLimit is passed to csp.LowerLimit; zero means csp.EnumLimit.
	EnumLimit int64
}

// Engine is a compiled model. It is immutable and safe for concurrent use.
type Engine struct {
	m        *model.Model
	p        *csp.Problem
	clusters []*cluster
	post     []int // cluster indices, children before parents; the root last
	root     int
	home     []int    // per variable: the smallest cluster containing it
	homeCol  []int    // per variable: its column in the home cluster
	domains  [][]bool // per attribute: levels in some valid configuration
	width    int      // largest cluster size minus one
	owned    [][]int  // per cluster: columns of the variables it is home to
	byOrigin [][]*csp.Relation
	origins  []int // origins with at least one relation
	tuples   int
	scratch  chan *scratch
}

type cluster struct {
	vars     []int
	colOf    map[int]int
	n        int     // number of tuples
	data     []int32 // n rows of len(vars) values
	parent   int     // -1 for the root
	children []int
	// For the edge to the parent: the key of each tuple's projection onto
	// the separator, the same key for each parent tuple, and the number of
	// distinct keys.
	key       []int32
	parentKey []int32
	nkeys     int
	// attrCols lists the columns holding attributes, for selections, and
	// postings, for each of them, the tuples holding each level.
	attrCols []attrCol
	postings [][][]int32
}

type attrCol struct{ attr, col int }

func (c *cluster) row(i int) []int32 {
	w := len(c.vars)
	return c.data[i*w : (i+1)*w]
}

// Compile lowers and compiles a checked model.
func Compile(m *model.Model, opts Options) (*Engine, error) {
	if opts.EnumLimit == 0 {
		opts.EnumLimit = csp.EnumLimit
	}
	p, err := csp.LowerLimit(m, opts.EnumLimit)
	if err != nil {
		return nil, fmt.Errorf("lower model: %w", err)
	}
	return CompileProblem(p, opts)
}

// CompileProblem compiles an already lowered problem.
func CompileProblem(p *csp.Problem, opts Options) (*Engine, error) {
	if opts.MaxTuples == 0 {
		opts.MaxTuples = 50_000_000
	}
	e := &Engine{m: p.Model, p: p, scratch: make(chan *scratch, 8)}
	alive, ok := arcConsistency(p)
	size := make([]int, len(p.Vars))
	for v := range size {
		for _, ok := range alive[v] {
			if ok {
				size[v]++
			}
		}
	}
	// A variable left with one value is fixed: it ties nothing together,
	// so it stays out of the graph that the decomposition follows and gets
	// a cluster of its own. The relations over it are enforced on the
	// other variables by their projections (restricted to living values).
	graph := func() []map[int]bool {
		g := p.PrimalGraph()
		for v := range g {
			for u := range g[v] {
				if size[v] <= 1 || size[u] <= 1 {
					delete(g[v], u)
				}
			}
		}
		return g
	}
	order := csp.MinFillOrder(graph(), func(v int) float64 { return float64(max(size[v], 1)) })
	e.buildTree(graph(), p, order)
	if ok {
		if err := e.fillClusters(p, alive, opts.MaxTuples); err != nil {
			return nil, err
		}
	}
	e.reduce()
	e.index()
	return e, nil
}

// arcConsistency removes values without support in some relation until a
// fixpoint. It reports false if some variable has no value left, or an empty
// relation makes the problem unsatisfiable.
func arcConsistency(p *csp.Problem) ([][]bool, bool) {
	alive := make([][]bool, len(p.Vars))
	for v := range p.Vars {
		alive[v] = make([]bool, p.Vars[v].Size)
		for i := range alive[v] {
			alive[v][i] = true
		}
	}
	for _, r := range p.Relations {
		if len(r.Scope) == 0 {
			return alive, false
		}
	}
	for changed := true; changed; {
		changed = false
		for _, r := range p.Relations {
			sup := make([][]bool, len(r.Scope))
			for i, v := range r.Scope {
				sup[i] = make([]bool, p.Vars[v].Size)
			}
			n := r.Len()
		tuples:
			for t := 0; t < n; t++ {
				tu := r.Tuple(t)
				for i, v := range r.Scope {
					if !alive[v][tu[i]] {
						continue tuples
					}
				}
				for i := range r.Scope {
					sup[i][tu[i]] = true
				}
			}
			for i, v := range r.Scope {
				any := false
				for x := range alive[v] {
					if alive[v][x] && !sup[i][x] {
						alive[v][x] = false
						changed = true
					}
					any = any || alive[v][x]
				}
				if !any {
					return alive, false
				}
			}
		}
	}
	return alive, true
}

// buildTree turns an elimination order into a join tree: the cluster of v is
// v with its neighbours at elimination, and its parent is the cluster of the
// neighbour eliminated next. Components hang under an empty root.
func (e *Engine) buildTree(adj []map[int]bool, p *csp.Problem, order []int) {
	n := len(p.Vars)
	pos := make([]int, n)
	for i, v := range order {
		pos[v] = i
	}
	clusterOf := make([]int, n)
	for _, v := range order {
		vars := []int{v}
		for u := range adj[v] {
			vars = append(vars, u)
		}
		sort.Ints(vars)
		for _, a := range vars {
			for _, b := range vars {
				if a != b && a != v && b != v {
					adj[a][b] = true
				}
			}
			delete(adj[a], v)
		}
		clusterOf[v] = len(e.clusters)
		e.clusters = append(e.clusters, &cluster{vars: vars, parent: -1})
	}
	e.clusters = append(e.clusters, &cluster{parent: -1}) // the root: no variables
	e.root = len(e.clusters) - 1
	for i, v := range order {
		c := e.clusters[i]
		next := -1
		for _, u := range c.vars {
			if u != v && (next < 0 || pos[u] < pos[next]) {
				next = u
			}
		}
		if next < 0 {
			c.parent = e.root
		} else {
			c.parent = clusterOf[next]
		}
	}
	// Absorb clusters whose variables all appear in their parent's (kept
	// as is) or whose parent's variables all appear in theirs: the latter
	// is common along chains and halves the work of a query.
	for i := range order {
		c := e.clusters[i]
		par := c.parent
		if par == e.root || !subset(e.clusters[par].vars, c.vars) {
			continue
		}
		// c absorbs its parent: the parent's cluster takes c's variables.
		e.clusters[par].vars = c.vars
		c.vars = nil
	}
	// Drop emptied clusters, relinking their children to their parent.
	alias := make([]int, len(e.clusters))
	for i := range e.clusters {
		alias[i] = i
	}
	var resolve func(i int) int
	resolve = func(i int) int {
		if i == e.root || len(e.clusters[i].vars) > 0 {
			return i
		}
		return resolve(e.clusters[i].parent)
	}
	var kept []*cluster
	newIndex := make([]int, len(e.clusters))
	for i, c := range e.clusters {
		if i == e.root || len(c.vars) > 0 {
			newIndex[i] = len(kept)
			kept = append(kept, c)
		}
	}
	for i, c := range e.clusters {
		if i != e.root && len(c.vars) > 0 {
			c.parent = newIndex[resolve(c.parent)]
		}
	}
	e.root = newIndex[e.root]
	e.clusters = kept
	for i, c := range e.clusters {
		if c.parent >= 0 {
			e.clusters[c.parent].children = append(e.clusters[c.parent].children, i)
		}
		c.colOf = make(map[int]int, len(c.vars))
		for j, v := range c.vars {
			c.colOf[v] = j
			if a := p.Vars[v].Attr; a >= 0 {
				c.attrCols = append(c.attrCols, attrCol{attr: a, col: j})
			}
		}
		e.width = max(e.width, len(c.vars)-1)
	}
	// Post-order: children before parents.
	var walk func(i int)
	walk = func(i int) {
		for _, ch := range e.clusters[i].children {
			walk(ch)
		}
		e.post = append(e.post, i)
	}
	walk(e.root)
}

// subset reports whether every element of a is in b (both sorted).
func subset(a, b []int) bool {
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			return false
		}
	}
	return true
}

// fillClusters enumerates each cluster's locally valid tuples, children
// first, keeping only tuples whose separator projection some tuple of every
// child shares (the upward semi-join, done during construction).
func (e *Engine) fillClusters(p *csp.Problem, alive [][]bool, maxTuples int) error {
	byVar := make([][]*csp.Relation, len(p.Vars))
	for _, r := range p.Relations {
		for _, v := range r.Scope {
			byVar[v] = append(byVar[v], r)
		}
	}
	total := 0
	for _, ci := range e.post {
		c := e.clusters[ci]
		if ci == e.root {
			c.n = 1
			for _, ch := range c.children {
				if e.clusters[ch].n == 0 {
					c.n = 0
				}
			}
			continue
		}
		if err := e.fillCluster(p, c, byVar, alive, maxTuples-total); err != nil {
			return err
		}
		total += c.n
	}
	return nil
}

type check struct {
	rel  *csp.Relation
	cols []int // column of each scope variable in the cluster
	// For a child separator or a projection instead of a relation:
	set  *tupleSet
	proj []int32 // the distinct projections, row after row
}

// projectionCheck is the check of a relation's projection onto some of its
// scope positions, whose cluster columns are cols, over the tuples whose
// values all live: for a relation whose other variables are fixed, it is
// exactly the relation restricted to them.
func projectionCheck(p *csp.Problem, r *csp.Relation, cols, pos []int, alive [][]bool) check {
	sizes := make([]int, len(pos))
	for i, o := range pos {
		sizes[i] = p.Vars[r.Scope[o]].Size
	}
	set := newTupleSet(sizes)
	var proj []int32
tuples:
	for t := 0; t < r.Len(); t++ {
		tu := r.Tuple(t)
		for i, v := range r.Scope {
			if !alive[v][tu[i]] {
				continue tuples
			}
		}
		if set.add(tu, pos) {
			for _, i := range pos {
				proj = append(proj, tu[i])
			}
		}
	}
	return check{cols: cols, set: set, proj: proj}
}

// tuples returns the check's allowed tuples, row after row, in cols order.
func (ch *check) tuples() []int32 {
	if ch.rel != nil {
		return ch.rel.Tuples
	}
	return ch.proj
}

func (e *Engine) fillCluster(p *csp.Problem, c *cluster, byVar [][]*csp.Relation, alive [][]bool, budget int) error {
	w := len(c.vars)
	// Relations inside the cluster.
	var checks []check
	seen := map[*csp.Relation]bool{}
	for _, v := range c.vars {
		for _, r := range byVar[v] {
			if seen[r] {
				continue
			}
			seen[r] = true
			var cols, pos []int // cluster columns and scope positions inside
			for i, u := range r.Scope {
				if j, ok := c.colOf[u]; ok {
					cols = append(cols, j)
					pos = append(pos, i)
				}
			}
			switch {
			case len(cols) == len(r.Scope):
				checks = append(checks, check{rel: r, cols: cols})
			case len(cols) >= 2:
				// A relation reaching outside the cluster still bounds
				// the cluster's tuples by its projection: a valid
				// configuration agrees with it on the shared variables.
				// The check prunes tuples that the downward pass would
				// remove anyway, before they are enumerated.
				checks = append(checks, projectionCheck(p, r, cols, pos, alive))
			}
		}
	}
	// Child separators: the projections of the children's tuples.
	for _, chi := range c.children {
		ch := e.clusters[chi]
		var cols, chCols []int
		for j, v := range ch.vars {
			if k, ok := c.colOf[v]; ok {
				cols = append(cols, k)
				chCols = append(chCols, j)
			}
		}
		set := newTupleSet(e.sizes(ch, chCols))
		var proj []int32
		for t := 0; t < ch.n; t++ {
			if set.add(ch.row(t), chCols) {
				for _, j := range chCols {
					proj = append(proj, ch.row(t)[j])
				}
			}
		}
		checks = append(checks, check{cols: cols, set: set, proj: proj})
	}
	// Order the columns: most constrained first, then most connected to
	// those already placed, smaller domains first on ties.
	domain := make([][]int32, w)
	for j, v := range c.vars {
		for x, ok := range alive[v] {
			if ok {
				domain[j] = append(domain[j], int32(x))
			}
		}
	}
	placed := make([]bool, w)
	seq := make([]int, 0, w)
	for len(seq) < w {
		best, bestScore := -1, -1
		for j := 0; j < w; j++ {
			if placed[j] {
				continue
			}
			score := 0
			for _, ch := range checks {
				for _, k := range ch.cols {
					if k == j {
						score += 1
						for _, k2 := range ch.cols {
							if placed[k2] {
								score += 4
							}
						}
					}
				}
			}
			score = score*1000 - len(domain[j])
			if best < 0 || score > bestScore {
				best, bestScore = j, score
			}
		}
		placed[best] = true
		seq = append(seq, best)
	}
	depthOf := make([]int, w)
	for d, j := range seq {
		depthOf[j] = d
	}
	at := make([][]check, w) // checks that become decidable at each depth
	for _, ch := range checks {
		d := 0
		for _, k := range ch.cols {
			d = max(d, depthOf[k])
		}
		at[d] = append(at[d], ch)
	}
	// Each check also prunes partial rows: once some of its variables are
	// assigned, their values must agree with one of its tuples (a prefix).
	// And at each depth a generator lists the values the check allows for
	// the column given the earlier ones, in place of a scan of the whole
	// domain; of the checks over a column, the one listing the fewest
	// values on average generates it. Without prefixes a wide table would
	// be checked only when all its variables are assigned, after
	// enumerating their product; without generators a partial sum would
	// scan thousands of values to find the one that fits.
	prefixes := make([][]prefix, w)
	// The average number of values a generator lists is the number of
	// distinct prefixes one longer than its key over the number of its keys,
	// which the prefix sets give; only the best generator per depth is built.
	type candidate struct {
		tuples    []int32
		arity     int
		pos, cols []int
		average   float64
	}
	best := make([]*candidate, w)
	for _, ch := range checks {
		arity := len(ch.cols)
		order := make([]int, arity) // scope positions by depth
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return depthOf[ch.cols[order[a]]] < depthOf[ch.cols[order[b]]] })
		tu := ch.tuples()
		first, prev := 1, 1.0 // prev: distinct prefixes of length p-1
		if ch.rel != nil {
			first = 2 // arc consistency already made every value supported
			prev = float64(len(alive[c.vars[ch.cols[order[0]]]]))
		}
		for p := first; p <= arity; p++ {
			pos := order[:p]
			keyCols := make([]int, p)
			for i, o := range pos {
				keyCols[i] = ch.cols[o]
			}
			d := depthOf[keyCols[p-1]]
			cur := float64(len(tu) / arity)
			if p < arity {
				set := newTupleSet(e.sizes(c, keyCols))
				for t := 0; t < len(tu); t += arity {
					set.add(tu[t:t+arity], pos)
				}
				prefixes[d] = append(prefixes[d], prefix{cols: keyCols, set: set})
				cur = float64(set.len())
			}
			avg := cur / max(prev, 1)
			if b := best[d]; b == nil || avg < b.average {
				best[d] = &candidate{tuples: tu, arity: arity, pos: pos, cols: keyCols, average: avg}
			}
			prev = cur
		}
	}
	gens := make([]*generator, w)
	for d, b := range best {
		if b != nil {
			gens[d] = newGenerator(b.tuples, b.arity, b.pos, b.cols, e.sizes(c, b.cols), alive[c.vars[b.cols[len(b.cols)-1]]])
		}
	}
	row := make([]int32, w)
	vals := make([]int32, 0, 16)
	var out []int32
	n := 0
	var rec func(d int) error
	rec = func(d int) error {
		if d == w {
			out = append(out, row...)
			n++
			if n > budget {
				return fmt.Errorf("model too large to compile: more than %d tuples (a cluster of %d variables)", budget, w)
			}
			return nil
		}
		j := seq[d]
		candidates := domain[j]
		if g := gens[d]; g != nil {
			candidates = g.values(row)
		}
	values:
		for _, x := range candidates {
			row[j] = x
			for _, pr := range prefixes[d] {
				if !pr.set.has(row, pr.cols) {
					continue values
				}
			}
			for _, ch := range at[d] {
				if ch.rel != nil {
					vals = vals[:0]
					for _, k := range ch.cols {
						vals = append(vals, row[k])
					}
					if !ch.rel.Allows(vals) {
						continue values
					}
				} else if !ch.set.has(row, ch.cols) {
					continue values
				}
			}
			if err := rec(d + 1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := rec(0); err != nil {
		return err
	}
	c.data, c.n = out, n
	return nil
}

// prefix holds the projections of a check's tuples onto its variables
// assigned up to some depth.
type prefix struct {
	cols []int // cluster columns, in depth order
	set  *tupleSet
}

// generator indexes a check's tuples by the values of its variables
// assigned before a depth, to list the values they allow for the variable
// assigned at that depth.
type generator struct {
	key   []int // cluster columns of the earlier variables
	index *tupleIndex
}

// newGenerator indexes tuples (arity values each) by the scope positions
// pos[:len(pos)-1]; the generated value is at pos[len(pos)-1], cols gives
// each position's cluster column and sizes its domain size.
func newGenerator(tuples []int32, arity int, pos, cols, sizes []int, alive []bool) *generator {
	last := pos[len(pos)-1]
	g := &generator{key: cols[:len(cols)-1], index: newTupleIndex(sizes[:len(sizes)-1])}
	seen := newTupleSet(sizes)
	for t := 0; t < len(tuples); t += arity {
		tu := tuples[t : t+arity]
		if v := tu[last]; alive[v] && seen.add(tu, pos) {
			g.index.add(tu, pos[:len(pos)-1], v)
		}
	}
	return g
}

func (g *generator) values(row []int32) []int32 {
	return g.index.get(row, g.key)
}

// sizes returns the domain sizes of the variables at cols of cluster c.
func (e *Engine) sizes(c *cluster, cols []int) []int {
	out := make([]int, len(cols))
	for i, j := range cols {
		out[i] = e.p.Vars[c.vars[j]].Size
	}
	return out
}

// projectKey encodes the values of row at cols as a map key.
func projectKey(buf []byte, row []int32, cols []int) []byte {
	buf = buf[:0]
	for _, k := range cols {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(row[k]))
	}
	return buf
}

// reduce removes tuples that do not extend to a full solution: a downward
// semi-join pass, parents before children, completes the upward pass done
// during construction. An empty root empties every cluster.
func (e *Engine) reduce() {
	rootC := e.clusters[e.root]
	if rootC.n == 0 {
		for _, c := range e.clusters {
			c.n, c.data = 0, nil
		}
		return
	}
	for i := len(e.post) - 1; i >= 0; i-- {
		c := e.clusters[e.post[i]]
		if c.parent < 0 || c.parent == e.root {
			continue
		}
		par := e.clusters[c.parent]
		cols, pcols := e.separator(c)
		set := make(map[string]bool, par.n)
		buf := make([]byte, 0, 64)
		for t := 0; t < par.n; t++ {
			set[string(projectKey(buf, par.row(t), pcols))] = true
		}
		w := len(c.vars)
		kept := 0
		for t := 0; t < c.n; t++ {
			r := c.row(t)
			if set[string(projectKey(buf, r, cols))] {
				copy(c.data[kept*w:], r)
				kept++
			}
		}
		c.n = kept
		c.data = c.data[: kept*w : kept*w]
	}
}

// separator returns the columns of the variables c shares with its parent,
// in c and in the parent.
func (e *Engine) separator(c *cluster) (cols, pcols []int) {
	par := e.clusters[c.parent]
	for j, v := range c.vars {
		if k, ok := par.colOf[v]; ok {
			cols = append(cols, j)
			pcols = append(pcols, k)
		}
	}
	return cols, pcols
}

// index numbers the separator projections along each edge, finds each
// variable's home cluster and the levels possible with no selection.
func (e *Engine) index() {
	buf := make([]byte, 0, 64)
	for _, c := range e.clusters {
		e.tuples += c.n
		if c.parent < 0 {
			continue
		}
		par := e.clusters[c.parent]
		cols, pcols := e.separator(c)
		ids := map[string]int32{}
		c.key = make([]int32, c.n)
		for t := 0; t < c.n; t++ {
			k := string(projectKey(buf, c.row(t), cols))
			id, ok := ids[k]
			if !ok {
				id = int32(len(ids))
				ids[k] = id
			}
			c.key[t] = id
		}
		c.nkeys = max(len(ids), 1)
		c.parentKey = make([]int32, par.n)
		for t := 0; t < par.n; t++ {
			c.parentKey[t] = ids[string(projectKey(buf, par.row(t), pcols))]
		}
	}
	e.home = make([]int, len(e.p.Vars))
	e.homeCol = make([]int, len(e.p.Vars))
	for v := range e.home {
		e.home[v] = -1
	}
	for i, c := range e.clusters {
		for j, v := range c.vars {
			if h := e.home[v]; h < 0 || c.n < e.clusters[h].n {
				e.home[v], e.homeCol[v] = i, j
			}
		}
	}
	for _, c := range e.clusters {
		c.postings = make([][][]int32, len(c.attrCols))
		for i, ac := range c.attrCols {
			c.postings[i] = make([][]int32, e.p.Vars[ac.attr].Size)
			for t := 0; t < c.n; t++ {
				x := c.row(t)[ac.col]
				c.postings[i][x] = append(c.postings[i][x], int32(t))
			}
		}
	}
	e.owned = make([][]int, len(e.clusters))
	for v, h := range e.home {
		e.owned[h] = append(e.owned[h], e.homeCol[v])
	}
	e.byOrigin = make([][]*csp.Relation, len(e.p.Origins))
	for _, r := range e.p.Relations {
		e.byOrigin[r.Origin] = append(e.byOrigin[r.Origin], r)
	}
	for o, rels := range e.byOrigin {
		if len(rels) > 0 {
			e.origins = append(e.origins, o)
		}
	}
	e.domains = make([][]bool, len(e.m.Attributes))
	for a := range e.domains {
		e.domains[a] = make([]bool, e.p.Vars[a].Size)
		if h := e.home[a]; h >= 0 {
			c := e.clusters[h]
			for t := 0; t < c.n; t++ {
				e.domains[a][c.row(t)[e.homeCol[a]]] = true
			}
		} else if e.clusters[e.root].n > 0 {
			// An attribute in no relation: every level is possible.
			for l := range e.domains[a] {
				e.domains[a][l] = true
			}
		}
	}
}

// Model returns the compiled model.
func (e *Engine) Model() *model.Model { return e.m }

// Problem returns the lowered constraint problem.
func (e *Engine) Problem() *csp.Problem { return e.p }

// Stats describes the compiled form.
type Stats struct {
	Variables int // attributes plus auxiliary variables
	Relations int
	Clusters  int
	Width     int // the tree-width of the decomposition found
	Tuples    int // total tuples over all clusters
}

// Stats returns figures about the compiled form.
func (e *Engine) Stats() Stats {
	return Stats{Variables: len(e.p.Vars), Relations: len(e.p.Relations), Clusters: len(e.clusters), Width: e.width, Tuples: e.tuples}
}
