// Package modelgen generates large product models with the structure of real
// industrial configuration models, for benchmarks and tests: attributes
// grouped into modules arranged in a tree, most tables binary and linking
// attributes within a module or a module to its parent, a few wider tables
// inside modules, and domains from 2 up to a few hundred levels. The
// constraint graph then has a small tree-width (around 10 to 12 for the
// presets), as industrial models do. Generation is deterministic for a seed.
package modelgen

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/tailor-c2b/tailor/model"
)

// Params describe a generated model.
type Params struct {
	Name       string
	Attributes int
	Tables     int
	MinDomain  int
	MaxDomain  int
	ModuleSize int // average attributes per module
	// Wide is the share of tables (0..1) that span 3 to 5 attributes of one
	// module; the rest are binary.
	Wide float64
	// Links is the share (0..1) of attributes tied by a binary table to an
	// attribute of the parent module rather than to one of their own module.
	Links float64
	// Looseness (0..1) is the share of compatible pairs in a binary table;
	// it tunes the number of valid configurations.
	Looseness float64
	// Lines, when positive, switches to product-line tables: every table
	// lists the combinations that Lines hidden product lines (complete
	// configurations) take on its attributes, as tables of real models
	// often record which option combinations each model line offers.
	// Tables then span 2 to 10 nearby attributes; Looseness, Wide, Links
	// and ModuleSize are not used.
	Lines int
	Seed  uint64
}

// Medium has the size of the public "medium" configuration benchmark: 150
// attributes with 2 to 20 levels and 175 tables.
var Medium = Params{Name: "generated-medium", Attributes: 150, Tables: 175, MinDomain: 2, MaxDomain: 20,
	ModuleSize: 16, Wide: 0.8, Links: 0.5, Looseness: 0.4, Seed: 1}

// Big has the size of the public "big" configuration benchmark: 270
// attributes with 2 to 324 levels, 330 tables, around 10^22 valid
// configurations.
var Big = Params{Name: "generated-big", Attributes: 270, Tables: 330, MinDomain: 2, MaxDomain: 324,
	ModuleSize: 13, Wide: 0.5, Links: 0.5, Looseness: 0.25, Seed: 2}

// Lines has the size of the public Renault Megane configuration benchmark
// (99 attributes with 2 to 42 levels, 113 tables of arity 2 to 10) with
// product-line tables drawn from 50 hidden lines.
var Lines = Params{Name: "generated-lines", Attributes: 99, Tables: 113, MinDomain: 2, MaxDomain: 42,
	Lines: 50, Seed: 1}

// Preset returns a named parameter set: "medium", "big" or "lines".
func Preset(name string) (Params, error) {
	switch name {
	case "medium":
		return Medium, nil
	case "big":
		return Big, nil
	case "lines":
		return Lines, nil
	}
	return Params{}, fmt.Errorf("unknown preset %q: want medium, big or lines", name)
}

// Generate builds a model. Every generated model has at least one valid
// configuration: a hidden seed configuration satisfies every table.
func Generate(p Params) *model.Model {
	r := rand.New(rand.NewPCG(p.Seed, uint64(p.Attributes)*1_000_003+uint64(p.Tables)))
	if p.Lines > 0 {
		return productLines(p, r)
	}
	m := &model.Model{Name: p.Name, Version: fmt.Sprintf("seed-%d", p.Seed), Currency: "EUR"}
	m.Properties = []model.Property{{Name: "cost", Kind: model.Money, Label: "Cost"}}

	// Domains: mostly small, a few large ones up to MaxDomain.
	n := p.Attributes
	dom := make([]int, n)
	for i := range dom {
		switch {
		case i == n/3:
			dom[i] = p.MaxDomain
		case r.Float64() < 0.04:
			dom[i] = p.MinDomain + r.IntN(p.MaxDomain-p.MinDomain+1)
		default:
			d := p.MinDomain
			for d < p.MaxDomain && d < 12 && r.Float64() < 0.55 {
				d++
			}
			dom[i] = d
		}
	}

	// Modules: consecutive runs of attributes; each module's parent is an
	// earlier module, most often a recent one.
	var modules [][]int
	for i := 0; i < n; {
		size := max(2, p.ModuleSize/2+r.IntN(p.ModuleSize+1))
		var mod []int
		for j := i; j < n && j < i+size; j++ {
			mod = append(mod, j)
		}
		modules = append(modules, mod)
		i += size
	}
	parent := make([]int, len(modules))
	for k := range modules {
		parent[k] = -1
		if k > 0 {
			// A shallow hierarchy: most modules hang off the first few.
			parent[k] = r.IntN(min(k, 3))
		}
	}

	seed := make([]int, n)
	for i := range seed {
		seed[i] = r.IntN(dom[i])
	}
	for k, mod := range modules {
		g := model.Group{Name: fmt.Sprintf("m%d", k), Label: fmt.Sprintf("Module %d", k)}
		m.Groups = append(m.Groups, g)
		for _, i := range mod {
			a := model.Attribute{Name: fmt.Sprintf("x%d", i), Label: fmt.Sprintf("Option %d", i), Group: g.Name, Default: -1}
			for l := 0; l < dom[i]; l++ {
				a.Levels = append(a.Levels, model.Level{
					Name:    fmt.Sprintf("v%d", l),
					Label:   fmt.Sprintf("Variant %d", l),
					Numbers: map[string]model.Decimal{"cost": model.Int(int64(r.IntN(5000)))},
				})
			}
			m.Attributes = append(m.Attributes, a)
		}
	}

	// Tables: a spanning tree of binary links (each attribute to an earlier
	// one in its module; each module's first attribute to its parent
	// module), then extra binary links and wide tables inside modules.
	type scope []int
	var scopes []scope
	for k, mod := range modules {
		for j, i := range mod {
			switch {
			case parent[k] >= 0 && (j == 0 || r.Float64() < p.Links):
				pm := modules[parent[k]]
				scopes = append(scopes, scope{pm[r.IntN(len(pm))], i})
			case j > 0:
				scopes = append(scopes, scope{mod[r.IntN(j)], i})
			}
		}
	}
	for len(scopes) < p.Tables {
		k := r.IntN(len(modules))
		mod := modules[k]
		if r.Float64() < p.Wide && len(mod) >= 3 {
			w := min(len(mod), 3+r.IntN(3))
			perm := r.Perm(len(mod))[:w]
			s := make(scope, w)
			for j, x := range perm {
				s[j] = mod[x]
			}
			sort.Ints(s)
			scopes = append(scopes, s)
			continue
		}
		if r.Float64() < 0.5 && parent[k] >= 0 {
			pm := modules[parent[k]]
			scopes = append(scopes, scope{pm[r.IntN(len(pm))], mod[r.IntN(len(mod))]})
			continue
		}
		if len(mod) < 2 {
			continue
		}
		perm := r.Perm(len(mod))
		scopes = append(scopes, scope{mod[perm[0]], mod[perm[1]]})
	}

	for ti, s := range scopes {
		t := model.Table{Name: fmt.Sprintf("t%d", ti)}
		for _, i := range s {
			t.Attrs = append(t.Attrs, m.Attributes[i].Name)
			t.A = append(t.A, i)
		}
		if len(s) == 2 {
			t.Rows = binaryRows(r, m, s[0], s[1], seed, p.Looseness)
		} else {
			t.Rows = wideRows(r, m, s, seed)
		}
		m.Tables = append(m.Tables, t)
	}
	m.Reindex()
	return m
}

func cell(m *model.Model, a, l int) model.Cell {
	return model.Cell{Levels: []string{m.Attributes[a].Levels[l].Name}, L: []int{l}}
}

// binaryRows lists, for each level of x, the compatible levels of y: a
// random share of them, always including the seed pair, and a wildcard when
// all are compatible.
func binaryRows(r *rand.Rand, m *model.Model, x, y int, seed []int, loose float64) []model.Row {
	dx, dy := len(m.Attributes[x].Levels), len(m.Attributes[y].Levels)
	var rows []model.Row
	for lx := 0; lx < dx; lx++ {
		var ys []int
		for ly := 0; ly < dy; ly++ {
			if r.Float64() < loose || (lx == seed[x] && ly == seed[y]) {
				ys = append(ys, ly)
			}
		}
		if dy > 24 && len(ys) > 6 {
			// Large domains are tied tightly, as in real models, where a
			// choice among hundreds of variants fixes most of its neighbours.
			r.Shuffle(len(ys), func(i, j int) { ys[i], ys[j] = ys[j], ys[i] })
			ys = ys[:1+r.IntN(6)]
			if lx == seed[x] {
				ys = append(ys, seed[y])
			}
			sort.Ints(ys)
		}
		if len(ys) == 0 {
			continue
		}
		if len(ys) == dy {
			rows = append(rows, model.Row{Cells: []model.Cell{cell(m, x, lx), {Any: true}}})
			continue
		}
		c := model.Cell{}
		prev := -1
		for _, ly := range ys {
			if ly == prev {
				continue
			}
			prev = ly
			c.Levels = append(c.Levels, m.Attributes[y].Levels[ly].Name)
			c.L = append(c.L, ly)
		}
		rows = append(rows, model.Row{Cells: []model.Cell{cell(m, x, lx), c}})
	}
	return rows
}

// wideRows lists allowed combinations of three or more attributes: the seed
// combination and random ones with some wildcards.
func wideRows(r *rand.Rand, m *model.Model, s []int, seed []int) []model.Row {
	seedRow := model.Row{}
	for _, i := range s {
		seedRow.Cells = append(seedRow.Cells, cell(m, i, seed[i]))
	}
	rows := []model.Row{seedRow}
	for k := 4 + r.IntN(12); k > 0; k-- {
		row := model.Row{}
		for j, i := range s {
			if j > 0 && r.Float64() < 0.3 {
				row.Cells = append(row.Cells, model.Cell{Any: true})
				continue
			}
			row.Cells = append(row.Cells, cell(m, i, r.IntN(len(m.Attributes[i].Levels))))
		}
		rows = append(rows, row)
	}
	return rows
}

// productLines builds a model whose tables are projections of hidden product
// lines onto scopes of nearby attributes.
func productLines(p Params, r *rand.Rand) *model.Model {
	m := &model.Model{Name: p.Name, Version: fmt.Sprintf("seed-%d", p.Seed), Currency: "EUR"}
	m.Properties = []model.Property{{Name: "cost", Kind: model.Money, Label: "Cost"}}
	n := p.Attributes
	dom := make([]int, n)
	for i := range dom {
		dom[i] = p.MinDomain + r.IntN(min(6, p.MaxDomain-p.MinDomain+1))
		if i == n/2 {
			dom[i] = p.MaxDomain
		} else if r.IntN(10) == 0 {
			dom[i] = min(p.MaxDomain, 10+r.IntN(33))
		}
		a := model.Attribute{Name: fmt.Sprintf("x%d", i), Label: fmt.Sprintf("Option %d", i), Default: -1}
		for l := 0; l < dom[i]; l++ {
			a.Levels = append(a.Levels, model.Level{
				Name:    fmt.Sprintf("v%d", l),
				Label:   fmt.Sprintf("Variant %d", l),
				Numbers: map[string]model.Decimal{"cost": model.Int(int64(r.IntN(5000)))},
			})
		}
		m.Attributes = append(m.Attributes, a)
	}
	lines := make([][]int, p.Lines)
	for s := range lines {
		lines[s] = make([]int, n)
		for i := range lines[s] {
			lines[s][i] = r.IntN(dom[i])
		}
	}
	for t := 0; t < p.Tables; t++ {
		k := 2 + r.IntN(3)
		if r.IntN(6) == 0 {
			k = 5 + r.IntN(6)
		}
		base := r.IntN(n)
		inScope := map[int]bool{}
		for len(inScope) < k {
			inScope[(base+r.IntN(15))%n] = true
		}
		var scope []int
		for v := range inScope {
			scope = append(scope, v)
		}
		sort.Ints(scope)
		tb := model.Table{Name: fmt.Sprintf("t%d", t)}
		for _, v := range scope {
			tb.Attrs = append(tb.Attrs, m.Attributes[v].Name)
			tb.A = append(tb.A, v)
		}
		seen := map[string]bool{}
		for _, line := range lines {
			key := fmt.Sprint(projection(line, scope))
			if seen[key] {
				continue
			}
			seen[key] = true
			row := model.Row{}
			for _, v := range scope {
				row.Cells = append(row.Cells, cell(m, v, line[v]))
			}
			tb.Rows = append(tb.Rows, row)
		}
		m.Tables = append(m.Tables, tb)
	}
	m.Reindex()
	return m
}

func projection(line, scope []int) []int {
	out := make([]int, len(scope))
	for i, v := range scope {
		out[i] = line[v]
	}
	return out
}
