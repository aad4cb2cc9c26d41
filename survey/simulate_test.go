package survey

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/population"
)

// testSegment is one segment with known tastes for the small model.
var testSegment = population.Segment{
	Name: "Test", Share: 1, PricePer100: -0.8, PriceSpread: 0.05, Spread: 0.1, Budget: 350, Complete: 1,
	Likes: map[string]map[string]float64{
		"body": {"b": 0.5, "c": 1.0},
		"cam":  {"y": 0.5, "z": 1.0, "w": 1.5},
		"col":  {"blue": 0.4, "green": -0.4},
	},
}

// surveyed has 600 people of testSegment answer 12 designed tasks and 2
// holdouts of the small model.
func surveyed(t *testing.T, workers int) (*Survey, []population.Person, []Answer) {
	t.Helper()
	e := mustEngine(t, "small.tailor", []byte(small))
	spec := smallSpec()
	spec.Tasks = 12
	s := design(t, e, spec)
	people := population.Draw(e.Model(), []population.Segment{testSegment}, 600, rand.New(rand.NewPCG(21, 22)))
	answers, err := Simulate(s, people, 5, workers)
	if err != nil {
		t.Fatal(err)
	}
	return s, people, answers
}

func TestSimulateIsReproducibleAndComplete(t *testing.T) {
	s, people, one := surveyed(t, 1)
	_, _, three := surveyed(t, 3)
	if diff := cmp.Diff(one, three); diff != "" {
		t.Fatalf("answers depend on the number of workers (-1 +3):\n%s", diff)
	}
	if got, want := len(one), len(people)*s.TasksPerRespondent(); got != want {
		t.Fatalf("%d answers; want %d", got, want)
	}
	for i, a := range one {
		person, task := i/s.TasksPerRespondent(), i%s.TasksPerRespondent()
		want := Answer{Respondent: fmt.Sprintf("r%d", person+1), Version: person % s.Spec.Versions, Task: task, Choice: a.Choice}
		if a != want {
			t.Fatalf("answer %d is %+v; want %+v", i, a, want)
		}
	}
	if _, err := s.Data(one, false); err != nil {
		t.Fatal(err)
	}
}

// The simulated choices follow the logit: grouped by the probability the
// respondent's known utilities give a concept, the share chosen matches the
// group's mean probability within binomial noise; and the alternative with
// the highest utility is chosen as often as the logit says.
func TestSimulatedChoicesFollowTheLogit(t *testing.T) {
	s, people, answers := surveyed(t, 2)
	const bins = 10
	var n, chosen, prob [bins]float64
	bestWant, bestVar, bestGot := 0.0, 0.0, 0.0
	noneWant, noneGot := 0.0, 0.0
	for i, a := range answers {
		p := people[i/s.TasksPerRespondent()]
		task, _ := s.Task(a.Version, a.Task)
		var u []float64
		for _, c := range task.Concepts {
			u = append(u, s.Utility(p, c))
		}
		u = append(u, p.None)
		probs := softmax(u)
		best := 0
		for j, pj := range probs {
			b := min(int(pj*bins), bins-1)
			n[b]++
			prob[b] += pj
			if a.Choice == j {
				chosen[b]++
			}
			if u[j] > u[best] {
				best = j
			}
		}
		bestWant += probs[best]
		bestVar += probs[best] * (1 - probs[best])
		if a.Choice == best {
			bestGot++
		}
		noneWant += probs[len(probs)-1]
		if a.Choice == len(task.Concepts) {
			noneGot++
		}
	}
	for b := range bins {
		if n[b] < 30 {
			continue
		}
		want, got := prob[b]/n[b], chosen[b]/n[b]
		if tol := 4*math.Sqrt(want*(1-want)/n[b]) + 0.005; math.Abs(got-want) > tol {
			t.Errorf("probability %.1f-%.1f: chosen %.4f of %v; logit says %.4f ± %.4f", float64(b)/bins, float64(b+1)/bins, got, n[b], want, tol)
		}
	}
	if math.Abs(bestGot-bestWant) > 4*math.Sqrt(bestVar) {
		t.Errorf("highest-utility alternative chosen %v times; logit says %.1f ± %.1f", bestGot, bestWant, 4*math.Sqrt(bestVar))
	}
	if total := float64(len(answers)); bestGot < 1.5*total/float64(s.Spec.Concepts+1) {
		t.Errorf("highest-utility alternative chosen in %v of %v tasks: hardly more than by chance", bestGot, total)
	}
	if noneGot < 0.02*float64(len(answers)) || noneGot > 0.5*float64(len(answers)) {
		t.Errorf("none chosen %v times of %d (logit says %.0f); want a sensible share", noneGot, len(answers), noneWant)
	}
}

// Recovery: a pooled multinomial logit fitted on the coded answers finds
// the segment's part-worths, price sensitivity and none utility. The
// estimator here is a plain Newton method for this test only.
func TestPooledLogitRecoversTheSegment(t *testing.T) {
	s, _, answers := surveyed(t, 2)
	d, err := s.Data(answers, false)
	if err != nil {
		t.Fatal(err)
	}
	beta, se := fitMNLForTest(t, d)
	truth := map[string]float64{
		"price": testSegment.PricePer100,
		// None against a concept of first levels (whose tastes are 0) at
		// the centre price.
		"none": testSegment.PricePer100 * (testSegment.Budget - float64(s.PriceCentre())/100) / 100,
	}
	for _, a := range s.Attributes {
		for _, l := range a.Levels[1:] {
			truth[a.Name+":"+l.Name] = testSegment.Likes[a.Name][l.Name] - testSegment.Likes[a.Name][a.Levels[0].Name]
		}
	}
	for k, name := range d.Params {
		want := truth[name]
		// Four standard errors, and 5% for the slight attenuation that
		// taste heterogeneity causes in a pooled logit.
		if tol := 4*se[k] + 0.05*math.Abs(want); math.Abs(beta[k]-want) > tol {
			t.Errorf("%s: estimate %.3f (s.e. %.3f); truth %.3f ± %.3f", name, beta[k], se[k], want, tol)
		}
	}
}

// fitMNLForTest maximises the multinomial logit likelihood of d by Newton's
// method from zero and returns the estimates and their standard errors.
func fitMNLForTest(t *testing.T, d *choice.Data) (beta, se []float64) {
	t.Helper()
	k := d.K()
	beta = make([]float64, k)
	hess := mat.NewSymDense(k, nil)
	grad := mat.NewVecDense(k, nil)
	for iter := 0; ; iter++ {
		if iter == 50 {
			t.Fatal("Newton's method did not converge")
		}
		hess.Zero()
		grad.Zero()
		for c := range d.Cases() {
			var u []float64
			for r := d.Start[c]; r < d.Start[c+1]; r++ {
				u = append(u, mat.Dot(mat.NewVecDense(k, d.Row(r)), mat.NewVecDense(k, beta)))
			}
			p := softmax(u)
			mean := make([]float64, k)
			for j, r := 0, d.Start[c]; r < d.Start[c+1]; j, r = j+1, r+1 {
				for q, x := range d.Row(r) {
					mean[q] += p[j] * x
				}
			}
			for q, x := range d.Row(int(d.Chosen[c])) {
				grad.SetVec(q, grad.AtVec(q)+x-mean[q])
			}
			for j, r := 0, d.Start[c]; r < d.Start[c+1]; j, r = j+1, r+1 {
				x := d.Row(r)
				for a := range k {
					for b := a; b < k; b++ {
						hess.SetSym(a, b, hess.At(a, b)+p[j]*(x[a]-mean[a])*(x[b]-mean[b]))
					}
				}
			}
		}
		var chol mat.Cholesky
		if !chol.Factorize(hess) {
			t.Fatal("information matrix is not positive definite")
		}
		var step mat.VecDense
		if err := chol.SolveVecTo(&step, grad); err != nil {
			t.Fatal(err)
		}
		for q := range beta {
			beta[q] += step.AtVec(q)
		}
		if mat.Norm(&step, math.Inf(1)) < 1e-8 {
			var cov mat.SymDense
			if err := chol.InverseTo(&cov); err != nil {
				t.Fatal(err)
			}
			se = make([]float64, k)
			for q := range se {
				se[q] = math.Sqrt(cov.At(q, q))
			}
			return beta, se
		}
	}
}

func softmax(u []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range u {
		m = math.Max(m, v)
	}
	p := make([]float64, len(u))
	sum := 0.0
	for i, v := range u {
		p[i] = math.Exp(v - m)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}
