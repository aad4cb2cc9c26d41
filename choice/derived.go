package choice

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
)

// WTP is a willingness to pay: how much of the price unit a coefficient's
// attribute is worth, -beta/beta_price, with its delta-method standard
// error when the estimates' covariance is known.
type WTP struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	SE    float64 `json:"se"` // NaN when unknown
}

// WillingnessToPay returns the willingness to pay for every estimated
// coefficient other than price, in units of 1/scale of the price variable
// (scale 100 when price was entered in hundreds). For hierarchical Bayes
// results it is the ratio of population means (a summary; the individual
// ratios are in IndividualWTP).
func WillingnessToPay(r *Result, price string, scale float64) ([]WTP, error) {
	if scale == 0 {
		scale = 1
	}
	pi := slices.IndexFunc(r.Params, func(e Estimate) bool { return e.Name == price })
	if pi < 0 {
		return nil, errs.Errorf(errs.Invalid, "no parameter %q to measure willingness to pay by", price)
	}
	bp := r.Params[pi].Value
	if bp == 0 {
		return nil, errs.Errorf(errs.Invalid, "the price coefficient %s is 0: willingness to pay is not defined", price)
	}
	// Indexes into the covariance, which covers the estimated parameters in
	// order.
	covIndex := map[string]int{}
	k := 0
	for _, e := range r.Params {
		if !e.Fixed {
			covIndex[e.Name] = k
			k++
		}
	}
	var out []WTP
	for _, e := range r.Params {
		if e.Fixed || e.Name == price || strings.HasPrefix(e.Name, "sd.") || strings.HasPrefix(e.Name, "chol.") {
			continue
		}
		w := WTP{Name: e.Name, Value: -e.Value / bp * scale, SE: math.NaN()}
		if len(r.Cov) == k {
			i, j := covIndex[e.Name], covIndex[price]
			// Gradient of -b/bp: (-1/bp, b/bp^2).
			gi, gj := -1/bp, e.Value/(bp*bp)
			v := gi*gi*r.Cov[i][i] + 2*gi*gj*r.Cov[i][j] + gj*gj*r.Cov[j][j]
			w.SE = math.Sqrt(v) * math.Abs(scale)
		}
		out = append(out, w)
	}
	return out, nil
}

// Importance is an attribute's share of the total range of part-worths.
type Importance struct {
	Attribute string  `json:"attribute"`
	Share     float64 `json:"share"` // 0..1; shares sum to 1
	Range     float64 `json:"range"` // highest minus lowest part-worth
}

// Importances groups part-worths named "attribute:level" (the coding
// Tailor's surveys use; the reference level is 0) and returns each
// attribute's importance, in order of first appearance. A coefficient
// without a colon (price, none) forms no group unless ranges gives its
// span: ranges maps such a name to the spread of its variable (for a linear
// price, the highest minus the lowest price shown, in the variable's units).
func Importances(names []string, values []float64, ranges map[string]float64) []Importance {
	type group struct{ lo, hi float64 }
	var order []string
	groups := map[string]*group{}
	for i, n := range names {
		attr, _, ok := strings.Cut(n, ":")
		var lo, hi float64
		switch {
		case ok:
			lo, hi = math.Min(0, values[i]), math.Max(0, values[i])
		case ranges[n] != 0:
			span := math.Abs(values[i] * ranges[n])
			lo, hi = 0, span
			attr = n
		default:
			continue
		}
		g := groups[attr]
		if g == nil {
			g = &group{}
			groups[attr] = g
			order = append(order, attr)
		}
		g.lo, g.hi = math.Min(g.lo, lo), math.Max(g.hi, hi)
	}
	total := 0.0
	for _, g := range groups {
		total += g.hi - g.lo
	}
	out := make([]Importance, 0, len(order))
	for _, a := range order {
		g := groups[a]
		imp := Importance{Attribute: a, Range: g.hi - g.lo}
		if total > 0 {
			imp.Share = imp.Range / total
		}
		out = append(out, imp)
	}
	return out
}

// MeanImportances averages individual importances, the way conjoint
// practice reports hierarchical Bayes results (the importance of the mean
// part-worths understates attributes on which people disagree).
func MeanImportances(names []string, individual [][]float64, ranges map[string]float64) []Importance {
	if len(individual) == 0 {
		return nil
	}
	var sum []Importance
	for _, v := range individual {
		imp := Importances(names, v, ranges)
		if sum == nil {
			sum = imp
			continue
		}
		for i := range sum {
			sum[i].Share += imp[i].Share
			sum[i].Range += imp[i].Range
		}
	}
	n := float64(len(individual))
	for i := range sum {
		sum[i].Share /= n
		sum[i].Range /= n
	}
	return sum
}

// String formats an importance as "attribute 23.4%".
func (im Importance) String() string { return fmt.Sprintf("%s %.1f%%", im.Attribute, 100*im.Share) }

// MarshalJSON writes w with an unknown standard error (NaN) as null.
func (w WTP) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name  string   `json:"name"`
		Value *float64 `json:"value"`
		SE    *float64 `json:"se"`
	}{w.Name, finite(w.Value), finite(w.SE)})
}

// UnmarshalJSON reads what MarshalJSON writes; null becomes NaN.
func (w *WTP) UnmarshalJSON(b []byte) error {
	var p struct {
		Name  string   `json:"name"`
		Value *float64 `json:"value"`
		SE    *float64 `json:"se"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*w = WTP{Name: p.Name, Value: math.NaN(), SE: math.NaN()}
	if p.Value != nil {
		w.Value = *p.Value
	}
	if p.SE != nil {
		w.SE = *p.SE
	}
	return nil
}
