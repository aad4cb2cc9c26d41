package choice

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// Method names an estimator.
type Method string

// The estimators.
const (
	MNL Method = "mnl" // multinomial logit, maximum likelihood
	MXL Method = "mxl" // mixed logit, simulated maximum likelihood
	HB  Method = "hb"  // hierarchical Bayes multinomial logit
)

// Result is what every estimator returns. For hierarchical Bayes, Value is
// the posterior mean of the population mean, SE its posterior standard
// deviation, and Lower and Upper bound its 95% credible interval; the
// likelihood figures are at the posterior means of the individual
// part-worths.
type Result struct {
	Method    Method     `json:"method"`
	Params    []Estimate `json:"parameters"`
	Cases     int        `json:"cases"`
	Panels    int        `json:"panels"`
	LLStart   float64    `json:"ll_start"` // at the starting values
	LLNull    float64    `json:"ll_null"`  // every available alternative equally likely
	LL        float64    `json:"ll"`       // at the estimates
	RhoSq     float64    `json:"rho_squared"`
	RhoSqBar  float64    `json:"rho_squared_bar"`
	AIC       float64    `json:"aic"`
	BIC       float64    `json:"bic"`
	Iter      int        `json:"iterations"`
	Converged bool       `json:"converged"`
	Message   string     `json:"message,omitempty"`
	Seconds   float64    `json:"seconds"`

	// Mixed logit: the draws, and the random coefficients with their
	// mixing distributions (see EstimateMXL for the parameterisation).
	Draws      int           `json:"draws,omitempty"`
	DrawType   string        `json:"draw_type,omitempty"`
	Random     []RandomParam `json:"random,omitempty"`
	Correlated bool          `json:"correlated,omitempty"`

	// Covariance of the estimates (classical and robust, in Params order
	// over the estimated ones); nil when not computed.
	Cov       [][]float64 `json:"covariance,omitempty"`
	RobustCov [][]float64 `json:"robust_covariance,omitempty"`

	// HB holds what only hierarchical Bayes produces.
	HB *HBResult `json:"hb,omitempty"`
}

// Estimate is one coefficient's estimate.
type Estimate struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	SE       float64 `json:"se"`        // NaN when not available
	T        float64 `json:"t"`         // Value/SE
	RobustSE float64 `json:"robust_se"` // sandwich; NaN when not available
	RobustT  float64 `json:"robust_t"`
	Fixed    bool    `json:"fixed,omitempty"`
	Lower    float64 `json:"lower,omitempty"` // HB: 2.5% posterior quantile
	Upper    float64 `json:"upper,omitempty"` // HB: 97.5% posterior quantile
}

// RandomParam names a random coefficient and its mixing distribution.
type RandomParam struct {
	Name string `json:"name"`
	Dist string `json:"distribution"` // normal, lognormal, triangular or uniform
}

// HBResult is the part of a hierarchical Bayes result that other
// estimators do not have.
type HBResult struct {
	Iterations int `json:"iterations"`
	BurnIn     int `json:"burn_in"`
	Thin       int `json:"thin"`
	Kept       int `json:"kept"`
	// SigmaMean is the posterior mean of the covariance of the
	// individual part-worths; SDMean the posterior mean of the square
	// roots of its diagonal.
	SigmaMean [][]float64 `json:"sigma_mean"`
	SDMean    []float64   `json:"sd_mean"`
	// Individual holds each decision maker's posterior mean part-worths,
	// in Data.Params order; IDs names them.
	Individual [][]float64 `json:"individual"`
	IDs        []string    `json:"ids,omitempty"`
	// MeanLL is the mean log-likelihood over kept draws.
	MeanLL float64 `json:"mean_ll"`
	// Geweke holds the Geweke z-score of each population mean's chain
	// (first 10% against last 50% of kept draws); |z| > 2 suggests the
	// chain has not settled. ESS is the effective sample size of each.
	Geweke []float64 `json:"geweke"`
	ESS    []float64 `json:"ess"`
	// Acceptance is the Metropolis acceptance rate of the individual
	// draws.
	Acceptance float64 `json:"acceptance"`
	// LLTrace is the log-likelihood at every kept draw.
	LLTrace []float64 `json:"ll_trace,omitempty"`
}

// Param returns the estimate named name.
func (r *Result) Param(name string) (Estimate, bool) {
	for _, e := range r.Params {
		if e.Name == name {
			return e, true
		}
	}
	return Estimate{}, false
}

// finish fills the fit statistics from LL, LLNull and the number of
// estimated coefficients.
func (r *Result) finish() {
	k := 0
	for _, e := range r.Params {
		if !e.Fixed {
			k++
		}
	}
	r.RhoSq = 1 - r.LL/r.LLNull
	r.RhoSqBar = 1 - (r.LL-float64(k))/r.LLNull
	r.AIC = 2*float64(k) - 2*r.LL
	r.BIC = float64(k)*math.Log(float64(r.Cases)) - 2*r.LL
}

// nullLL returns the log-likelihood with every available alternative
// equally likely.
func nullLL(d *Data) float64 {
	ll := 0.0
	for c := range d.Cases() {
		ll -= d.CaseWeight(c) * math.Log(float64(d.Start[c+1]-d.Start[c]))
	}
	return ll
}

var methodTitles = map[Method]string{
	MNL: "Multinomial logit (maximum likelihood)",
	MXL: "Mixed logit (simulated maximum likelihood)",
	HB:  "Hierarchical Bayes multinomial logit",
}

// Print writes r as a table in the manner of the reference packages.
func (r *Result) Print(w io.Writer) error {
	var b strings.Builder
	title := methodTitles[r.Method]
	if title == "" {
		title = string(r.Method)
	}
	fmt.Fprintf(&b, "%s\n", title)
	fmt.Fprintf(&b, "%s cases", thousands(r.Cases))
	if r.Panels != r.Cases && r.Panels > 0 {
		fmt.Fprintf(&b, ", %s decision makers", thousands(r.Panels))
	}
	if r.Draws > 0 {
		fmt.Fprintf(&b, ", %s %s draws", thousands(r.Draws), r.DrawType)
	}
	if h := r.HB; h != nil {
		fmt.Fprintf(&b, ", %s iterations (burn-in %s, thin %d, %s kept), acceptance %.2f",
			thousands(h.Iterations), thousands(h.BurnIn), h.Thin, thousands(h.Kept), h.Acceptance)
	}
	b.WriteString("\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	if r.HB != nil {
		fmt.Fprintln(tw, "\tPost.mean\tPost.sd\t2.5%\t97.5%\tSD(indiv.)\tGeweke z\t")
		for i, e := range r.Params {
			sd, z := math.NaN(), math.NaN()
			if i < len(r.HB.SDMean) {
				sd = r.HB.SDMean[i]
			}
			if i < len(r.HB.Geweke) {
				z = r.HB.Geweke[i]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", e.Name, num(e.Value), num(e.SE), num(e.Lower), num(e.Upper), num(sd), fixed(z, 2))
		}
	} else {
		fmt.Fprintln(tw, "\tEstimate\tStd.err\tt-value\tRob.s.e.\tRob.t\t")
		for _, e := range r.Params {
			if e.Fixed {
				fmt.Fprintf(tw, "%s\t%s\t(fixed)\t\t\t\t\n", e.Name, num(e.Value))
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", e.Name, num(e.Value), num(e.SE), fixed(e.T, 2), num(e.RobustSE), fixed(e.RobustT, 2))
		}
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	if r.Method != HB {
		fmt.Fprintf(tw, "Log-likelihood at start:\t%.3f\n", r.LLStart)
	}
	fmt.Fprintf(tw, "Null log-likelihood:\t%.3f\n", r.LLNull)
	label := "Final log-likelihood:"
	if r.Method == HB {
		label = "Log-likelihood at posterior means:"
	}
	fmt.Fprintf(tw, "%s\t%.3f\n", label, r.LL)
	if r.HB != nil {
		fmt.Fprintf(tw, "Mean log-likelihood over draws:\t%.3f\n", r.HB.MeanLL)
	}
	fmt.Fprintf(tw, "Rho-squared:\t%.4f\n", r.RhoSq)
	fmt.Fprintf(tw, "Adjusted rho-squared:\t%.4f\n", r.RhoSqBar)
	fmt.Fprintf(tw, "AIC:\t%.2f\n", r.AIC)
	fmt.Fprintf(tw, "BIC:\t%.2f\n", r.BIC)
	if r.Method != HB {
		status := "converged"
		if !r.Converged {
			status = "NOT converged"
		}
		if r.Message != "" {
			status += " (" + r.Message + ")"
		}
		fmt.Fprintf(tw, "Iterations:\t%d, %s\n", r.Iter, status)
	}
	fmt.Fprintf(tw, "Time:\t%.2f s\n", r.Seconds)
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

func num(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.6g", x)
}

func fixed(x float64, prec int) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, x)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// MarshalJSON writes e with NaN and infinite figures as null.
func (e Estimate) MarshalJSON() ([]byte, error) {
	type plain struct {
		Name     string   `json:"name"`
		Value    *float64 `json:"value"`
		SE       *float64 `json:"se"`
		T        *float64 `json:"t"`
		RobustSE *float64 `json:"robust_se"`
		RobustT  *float64 `json:"robust_t"`
		Fixed    bool     `json:"fixed,omitempty"`
		Lower    *float64 `json:"lower,omitempty"`
		Upper    *float64 `json:"upper,omitempty"`
	}
	p := plain{Name: e.Name, Value: finite(e.Value), SE: finite(e.SE), T: finite(e.T),
		RobustSE: finite(e.RobustSE), RobustT: finite(e.RobustT), Fixed: e.Fixed}
	if e.Lower != 0 || e.Upper != 0 {
		p.Lower, p.Upper = finite(e.Lower), finite(e.Upper)
	}
	return json.Marshal(p)
}

// UnmarshalJSON reads what MarshalJSON writes; null becomes NaN.
func (e *Estimate) UnmarshalJSON(b []byte) error {
	var p struct {
		Name     string   `json:"name"`
		Value    *float64 `json:"value"`
		SE       *float64 `json:"se"`
		T        *float64 `json:"t"`
		RobustSE *float64 `json:"robust_se"`
		RobustT  *float64 `json:"robust_t"`
		Fixed    bool     `json:"fixed"`
		Lower    *float64 `json:"lower"`
		Upper    *float64 `json:"upper"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	get := func(f *float64) float64 {
		if f == nil {
			return math.NaN()
		}
		return *f
	}
	*e = Estimate{Name: p.Name, Value: get(p.Value), SE: get(p.SE), T: get(p.T), RobustSE: get(p.RobustSE),
		RobustT: get(p.RobustT), Fixed: p.Fixed}
	if p.Lower != nil || p.Upper != nil {
		e.Lower, e.Upper = get(p.Lower), get(p.Upper)
	}
	return nil
}

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
