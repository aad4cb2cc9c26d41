package survey

import (
	"context"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tailor-c2b/tailor/choice"
)

// TestSummarize fits a logit to simulated answers and checks the figures
// derived from it against the estimates by hand, and the hit rate on the
// holdouts against the truth's.
func TestSummarize(t *testing.T) {
	s, people, answers := surveyed(t, 2)
	d, err := s.Data(answers, false)
	if err != nil {
		t.Fatal(err)
	}
	holdout, err := s.Data(answers, true)
	if err != nil {
		t.Fatal(err)
	}
	r, err := choice.EstimateMNL(context.Background(), d, choice.MNLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := s.Summarize(r, holdout)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.PriceRange(), 4.0; got != want {
		t.Errorf("price range %v, want %v (600 - 200 euros, per 100)", got, want)
	}
	price, _ := r.Param("price")
	var wantWTP []string
	for _, e := range r.Params {
		if e.Name == "price" || e.Name == "none" {
			continue
		}
		wantWTP = append(wantWTP, e.Name)
	}
	var gotWTP []string
	for _, w := range sum.WTP {
		gotWTP = append(gotWTP, w.Name)
		e, _ := r.Param(w.Name)
		if want := -100 * e.Value / price.Value; math.Abs(w.Value-want) > 1e-9*math.Abs(want) {
			t.Errorf("willingness to pay for %s: %.2f euros, want %.2f", w.Name, w.Value, want)
		}
		if !(w.SE > 0) {
			t.Errorf("willingness to pay for %s has no standard error", w.Name)
		}
	}
	if diff := cmp.Diff(wantWTP, gotWTP); diff != "" {
		t.Errorf("willingness to pay for (-want +got):\n%s", diff)
	}
	// Importances: each attribute's range of part-worths, and the price's
	// coefficient times the price range, over their sum.
	ranges := map[string]float64{"price": math.Abs(price.Value) * 4}
	for _, a := range s.Attributes {
		lo, hi := 0.0, 0.0
		for _, l := range a.Levels[1:] {
			e, _ := r.Param(a.Name + ":" + l.Name)
			lo, hi = math.Min(lo, e.Value), math.Max(hi, e.Value)
		}
		ranges[a.Name] = hi - lo
	}
	total := 0.0
	for _, v := range ranges {
		total += v
	}
	var want []choice.Importance
	for _, a := range []string{"body", "cam", "col", "price"} {
		want = append(want, choice.Importance{Attribute: a, Share: ranges[a] / total, Range: ranges[a]})
	}
	if diff := cmp.Diff(want, sum.Importances, cmpopts.EquateApprox(1e-9, 0)); diff != "" {
		t.Errorf("importances (-want +got):\n%s", diff)
	}
	// The holdouts: 600 people, 2 tasks each. A fitted model predicts
	// nearly as well as the true tastes do, and far better than chance
	// (1 in 4).
	if sum.HitRate == nil || sum.HoldoutCases != 1200 {
		t.Fatalf("hit rate %v on %d cases, want one on 1200", sum.HitRate, sum.HoldoutCases)
	}
	truth := 0
	for i, p := range people {
		for t := s.Spec.Tasks; t < s.TasksPerRespondent(); t++ {
			a := answers[i*s.TasksPerRespondent()+t]
			task, _ := s.Task(a.Version, t)
			best, choice := p.None, len(task.Concepts)
			for j, c := range task.Concepts {
				if u := s.Utility(p, c); u > best {
					best, choice = u, j
				}
			}
			if choice == a.Choice {
				truth++
			}
		}
	}
	truthRate := float64(truth) / 1200
	t.Logf("holdout hit rate %.3f; the true tastes reach %.3f", *sum.HitRate, truthRate)
	if hr := *sum.HitRate; hr < truthRate-0.05 || hr < 0.4 {
		t.Errorf("holdout hit rate %.3f; the true tastes reach %.3f", hr, truthRate)
	}
}

func TestRandomCoefficients(t *testing.T) {
	d := &choice.Data{Params: []string{"size:max", "price", "none"}}
	want := []choice.Random{{Param: 0, Dist: choice.Normal}, {Param: 2, Dist: choice.Normal}}
	if diff := cmp.Diff(want, RandomCoefficients(d)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}
