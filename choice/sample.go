package choice

import (
	"math"
	"math/rand/v2"
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
