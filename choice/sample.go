package choice

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
)

// Population returns coefficients for a simulated market of decision
// makers: for hierarchical Bayes, every respondent's posterior mean part-
// worths (n is ignored); for mixed logit, n people drawn from the
// estimated mixing distributions with the seed; for multinomial logit, one
// representative person at the estimates. Every row holds a value for
// each name, in names' order: the model's coefficients, fixed ones
// included (mixed logit's sd.* and chol.* spreads are not coefficients and
// are left out).
func (r *Result) Population(n int, seed uint64) (names []string, people [][]float64, err error) {
	var values []float64
	for _, e := range r.Params {
		if strings.HasPrefix(e.Name, "sd.") || strings.HasPrefix(e.Name, "chol.") {
			continue
		}
		names = append(names, e.Name)
		values = append(values, e.Value)
	}
	switch {
	case r.HB != nil:
		// Individual holds the estimated coefficients in order; fixed
		// ones, which follow them in Params, are the same for everyone.
		est := 0
		for _, e := range r.Params {
			if !e.Fixed {
				est++
			}
		}
		for _, ind := range r.HB.Individual {
			if len(ind) != est {
				return nil, nil, errs.Errorf(errs.Invalid, "the result's individual part-worths have %d values for %d coefficients", len(ind), est)
			}
			row := append([]float64(nil), ind...)
			for _, e := range r.Params {
				if e.Fixed {
					row = append(row, e.Value)
				}
			}
			people = append(people, row)
		}
		return names, people, nil
	case len(r.Random) == 0:
		return names, [][]float64{values}, nil
	}
	if n <= 0 {
		return nil, nil, errs.Errorf(errs.Invalid, "say how many people to draw from the mixed logit's distributions")
	}
	col := map[string]int{}
	for i, name := range names {
		col[name] = i
	}
	est := map[string]float64{}
	for _, e := range r.Params {
		est[e.Name] = e.Value
	}
	// L is the lower-triangular factor among correlated normal and
	// lognormal coefficients, in Random order; uncorrelated ones have
	// only their diagonal.
	k := len(r.Random)
	L := make([][]float64, k)
	for i, ri := range r.Random {
		L[i] = make([]float64, k)
		L[i][i] = math.Abs(est["sd."+ri.Name])
		for j := 0; j < i; j++ {
			L[i][j] = est["chol."+ri.Name+"."+r.Random[j].Name]
		}
		if _, ok := col[ri.Name]; !ok {
			return nil, nil, errs.Errorf(errs.Invalid, "random coefficient %s has no estimate", ri.Name)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x706f70))
	z := make([]float64, k)
	people = make([][]float64, n)
	for p := range people {
		row := append([]float64(nil), values...)
		for i, ri := range r.Random {
			switch ri.Dist {
			case "uniform":
				z[i] = 2*rng.Float64() - 1
			case "triangular":
				u := rng.Float64()
				if u < 0.5 {
					z[i] = math.Sqrt(2*u) - 1
				} else {
					z[i] = 1 - math.Sqrt(2*(1-u))
				}
			default:
				z[i] = rng.NormFloat64()
			}
		}
		for i, ri := range r.Random {
			v := 0.0
			for j := 0; j <= i; j++ {
				v += L[i][j] * z[j]
			}
			b := est[ri.Name] + v
			if ri.Dist == "lognormal" {
				b = math.Exp(b)
			}
			row[col[ri.Name]] = b
		}
		people[p] = row
	}
	return names, people, nil
}

// Predict returns the weighted share of d's cases whose chosen alternative
// has the highest utility under r: the hit rate on holdout tasks, which d
// holds coded like the data r was fitted to (same parameter names; fixed
// parameters may be estimated in neither). A hierarchical Bayes result
// predicts each decision maker's cases with their own posterior mean
// part-worths, matched by panel id; other results use the estimates
// (mixed logit's means). A tie counts as a fraction.
func (r *Result) Predict(d *Data) (float64, error) {
	est := map[string]float64{}
	for _, e := range r.Params {
		est[e.Name] = e.Value
	}
	beta := make([]float64, d.K())
	pos := make([]int, d.K()) // index among r's estimated coefficients
	estIndex := map[string]int{}
	k := 0
	for _, e := range r.Params {
		if !e.Fixed {
			estIndex[e.Name] = k
			k++
		}
	}
	for j, name := range d.Params {
		v, ok := est[name]
		if !ok {
			return 0, errs.Errorf(errs.Invalid, "the holdout data has a coefficient %q the fit does not", name)
		}
		beta[j] = v
		pos[j] = -1
		if i, ok := estIndex[name]; ok {
			pos[j] = i
		}
	}
	if r.HB == nil || len(r.HB.Individual) == 0 {
		return HitRate(d, beta), nil
	}
	if len(r.HB.IDs) != len(r.HB.Individual) || d.PanelIDs == nil {
		return 0, errs.Errorf(errs.Invalid, "individual predictions need decision makers named in both the fit and the holdout data (a panel column)")
	}
	who := make(map[string]int, len(r.HB.IDs))
	for i, id := range r.HB.IDs {
		who[id] = i
	}
	hits, total := 0.0, 0.0
	sub := &Data{Params: d.Params, Start: []int{0}}
	for p := range d.NumPanels() {
		i, ok := who[d.PanelIDs[p]]
		if !ok {
			return 0, errs.Errorf(errs.Invalid, "decision maker %s of the holdout data was not in the fit", d.PanelIDs[p])
		}
		b := slices.Clone(beta)
		for j := range b {
			if pos[j] >= 0 {
				b[j] = r.HB.Individual[i][pos[j]]
			}
		}
		// The person's cases, as a data set of their own.
		c0 := sort.Search(d.Cases(), func(c int) bool { return int(d.Panel[c]) >= p })
		c1 := sort.Search(d.Cases(), func(c int) bool { return int(d.Panel[c]) > p })
		r0, r1 := d.Start[c0], d.Start[c1]
		k := d.K()
		sub.X = d.X[r0*k : r1*k]
		sub.Alt = d.Alt[r0:r1]
		sub.Offset = nil
		if d.Offset != nil {
			sub.Offset = d.Offset[r0:r1]
		}
		sub.Start = sub.Start[:0]
		sub.Chosen = sub.Chosen[:0]
		sub.Weight = nil
		for c := c0; c < c1; c++ {
			sub.Start = append(sub.Start, d.Start[c]-r0)
			sub.Chosen = append(sub.Chosen, d.Chosen[c]-int32(r0))
			w := d.CaseWeight(c)
			sub.Weight = append(sub.Weight, w)
			total += w
		}
		sub.Start = append(sub.Start, r1-r0)
		if c1 > c0 {
			hits += HitRate(sub, b) * sumOf(sub.Weight)
		}
	}
	if total == 0 {
		return math.NaN(), nil
	}
	return hits / total, nil
}

func sumOf(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}
