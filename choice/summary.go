package choice

import (
	"math"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
)

// Summary is a fit with the figures derived from it: what tailor fit --json
// prints, and what a model fit in the product stores. docs/choice-models.md
// documents the JSON.
type Summary struct {
	Result *Result `json:"result"`
	// WTP is the willingness to pay for every coefficient but price (see
	// WillingnessToPay); empty when no price coefficient was named.
	WTP []WTP `json:"willingness_to_pay,omitempty"`
	// Importances are the attributes' importances: for hierarchical Bayes
	// the mean of the individual importances (MeanImportances), otherwise
	// those of the point estimates.
	Importances []Importance `json:"importances,omitempty"`
	// HitRate is the share of holdout choices the model predicts (see
	// Result.HitRate), and HoldoutCases the number of holdout choices;
	// HitRate is nil without holdout data.
	HitRate      *float64 `json:"holdout_hit_rate,omitempty"`
	HoldoutCases int      `json:"holdout_cases,omitempty"`
}

// SummaryOptions say which figures Summarize derives.
type SummaryOptions struct {
	// Price names the price coefficient that willingness to pay is
	// measured by, and PriceScale is as for WillingnessToPay; no
	// willingness to pay when Price is "".
	Price      string
	PriceScale float64
	// Ranges gives the spread of variables that are not "attribute:level"
	// dummies, so that they get an importance (see Importances).
	Ranges map[string]float64
	// Holdout holds choices left out of the estimation, to measure the
	// hit rate on; nil for none.
	Holdout *Data
}

// Summarize derives the figures of a Summary from r. Errors, with code
// invalid, come from WillingnessToPay and Result.HitRate.
func Summarize(r *Result, o SummaryOptions) (*Summary, error) {
	s := &Summary{Result: r}
	if r.HB != nil && len(r.HB.Individual) > 0 {
		s.Importances = MeanImportances(r.estimated(), r.HB.Individual, o.Ranges)
	} else {
		// A mixed logit's spreads are not part-worths.
		var names []string
		var values []float64
		for _, e := range r.Params {
			if !strings.HasPrefix(e.Name, "sd.") && !strings.HasPrefix(e.Name, "chol.") {
				names, values = append(names, e.Name), append(values, e.Value)
			}
		}
		s.Importances = Importances(names, values, o.Ranges)
	}
	if o.Price != "" {
		w, err := WillingnessToPay(r, o.Price, o.PriceScale)
		if err != nil {
			return nil, err
		}
		s.WTP = w
	}
	if o.Holdout != nil {
		hr, err := r.HitRate(o.Holdout)
		if err != nil {
			return nil, err
		}
		s.HitRate, s.HoldoutCases = &hr, o.Holdout.Cases()
	}
	return s, nil
}

// estimated returns the names of the estimated (not fixed) coefficients,
// in Params order: the order of HBResult.Individual's rows.
func (r *Result) estimated() []string {
	var names []string
	for _, e := range r.Params {
		if !e.Fixed {
			names = append(names, e.Name)
		}
	}
	return names
}

// HitRate returns the weighted share of d's cases whose chosen alternative
// has the highest utility under r, as used to check a model on holdout
// tasks it was not fitted to (ties count as for the package's HitRate). For
// hierarchical Bayes each decision maker is predicted with their own
// posterior mean part-worths, matched by name (d.PanelIDs against
// HB.IDs); decision makers the fit did not see are predicted with the
// population mean. Other results predict with their point estimates (for
// mixed logit, the means of the random coefficients). d's coefficients are
// found in r by name. Errors have code invalid: a coefficient of d that r
// does not have, or a hierarchical Bayes result without individual
// part-worths.
func (r *Result) HitRate(d *Data) (float64, error) {
	value := make(map[string]float64, len(r.Params))
	for _, e := range r.Params {
		value[e.Name] = e.Value
	}
	mean := make([]float64, d.K())
	for k, name := range d.Params {
		v, ok := value[name]
		if !ok {
			return 0, errs.Errorf(errs.Invalid, "the estimates have no coefficient %q to predict with", name)
		}
		mean[k] = v
	}
	if r.HB == nil {
		return hitRate(d, func(int) []float64 { return mean }), nil
	}
	names := r.estimated()
	if len(r.HB.Individual) == 0 || len(r.HB.IDs) != len(r.HB.Individual) {
		return 0, errs.Errorf(errs.Invalid, "the hierarchical Bayes result has no named individual part-worths to predict with")
	}
	col := make(map[string]int, len(names))
	for i, n := range names {
		col[n] = i
	}
	person := make(map[string][]float64, len(r.HB.IDs))
	for i, id := range r.HB.IDs {
		beta := append([]float64(nil), mean...)
		for k, name := range d.Params {
			if j, ok := col[name]; ok {
				beta[k] = r.HB.Individual[i][j]
			}
		}
		person[id] = beta
	}
	return hitRate(d, func(c int) []float64 {
		p := d.PanelOf(c)
		if p < len(d.PanelIDs) {
			if beta, ok := person[d.PanelIDs[p]]; ok {
				return beta
			}
		}
		return mean
	}), nil
}

// hitRate is HitRate with each case's own coefficients.
func hitRate(d *Data, beta func(c int) []float64) float64 {
	hits, total := 0.0, 0.0
	for c := range d.Cases() {
		b := beta(c)
		checkBeta(d, b)
		r0, r1 := d.Start[c], d.Start[c+1]
		vc := utility(d, b, int(d.Chosen[c]))
		best, ties := true, 0
		for r := r0; r < r1; r++ {
			v := utility(d, b, r)
			if v > vc {
				best = false
				break
			}
			if v == vc {
				ties++
			}
		}
		w := d.CaseWeight(c)
		total += w
		if best {
			hits += w / float64(ties)
		}
	}
	if total == 0 {
		return math.NaN()
	}
	return hits / total
}
