package survey

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/tailor-c2b/tailor/population"
)

// Simulate has simulated people answer the survey, every task including the
// holdouts. Person i is respondent "r<i+1>" and takes version i mod
// Versions. In each task they choose by logit: the utility of a concept is
// the sum of their Taste for the shown levels plus Price times the shown
// price in minor units over 10000, that of "none" their None, and each gets
// an independent Gumbel error; the largest wins. Person i draws from a
// generator seeded with (seed, i), so the answers do not depend on workers.
// The people must come from the survey's model.
func Simulate(s *Survey, people []population.Person, seed uint64, workers int) ([]Answer, error) {
	if len(s.Versions) == 0 {
		return nil, fmt.Errorf("simulate survey: the survey has no versions")
	}
	for i, p := range people {
		for _, a := range s.Attributes {
			if a.Index >= len(p.Taste) || len(p.Taste[a.Index]) != len(a.Levels) {
				return nil, fmt.Errorf("simulate survey: person %d has no tastes for attribute %s of model %s", i, a.Name, s.Model)
			}
		}
	}
	per := s.TasksPerRespondent()
	out := make([]Answer, len(people)*per)
	next := make(chan int, len(people))
	for i := range people {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for i := range next {
				rng := rand.New(rand.NewPCG(seed, uint64(i)))
				s.respond(people[i], fmt.Sprintf("r%d", i+1), i%len(s.Versions), rng, out[i*per:(i+1)*per])
			}
		})
	}
	wg.Wait()
	return out, nil
}

// respond fills out with p's answers to every task of version v.
func (s *Survey) respond(p population.Person, id string, v int, rng *rand.Rand, out []Answer) {
	for t := range out {
		task, _ := s.Task(v, t)
		best, choice := math.Inf(-1), 0
		for j, c := range task.Concepts {
			if u := s.Utility(p, c) + gumbel(rng); u > best {
				best, choice = u, j
			}
		}
		if s.Spec.None {
			if u := p.None + gumbel(rng); u > best {
				choice = len(task.Concepts)
			}
		}
		out[t] = Answer{Respondent: id, Version: v, Task: t, Choice: choice}
	}
}

// Utility returns person p's systematic utility of concept c: the sum of
// their tastes for its levels and their price sensitivity times its price
// per 100 major units.
func (s *Survey) Utility(p population.Person, c Concept) float64 {
	u := 0.0
	for i, a := range s.Attributes {
		u += p.Taste[a.Index][c.Levels[i]]
	}
	if price, ok := s.Price(c); ok {
		u += p.Price * float64(price) / 10000
	}
	return u
}

// gumbel draws a standard Gumbel variate.
func gumbel(rng *rand.Rand) float64 {
	// In (0,1), never 0 or 1.
	u := (float64(rng.Uint64()>>11) + 0.5) / (1 << 53)
	return -math.Log(-math.Log(u))
}
