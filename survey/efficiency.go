package survey

import (
	"math"
	"slices"
)

// taskInfo adds to info (k×k, row-major) the information matrix of task t
// for a multinomial logit with all coefficients zero, where every one of the
// J rows (concepts and the none row) is chosen with probability 1/J:
//
//	I_t = (1/J) sum_j x_j x_j' - xbar xbar'
//
// scaled by w. rows is scratch of at least (J+1)*k values.
func (s *Survey) taskInfo(t Task, info []float64, w float64, rows []float64) {
	k := s.numParams()
	j := len(t.Concepts)
	if s.Spec.None {
		j++
	}
	mean := rows[j*k : j*k+k]
	clear(mean)
	for c := range j {
		x := rows[c*k : c*k+k]
		if c < len(t.Concepts) {
			s.code(t.Concepts[c], x)
		} else {
			s.codeNone(x)
		}
		for p, v := range x {
			mean[p] += v / float64(j)
		}
	}
	for c := range j {
		x := rows[c*k : c*k+k]
		for p := range x {
			x[p] -= mean[p]
		}
		for p, vp := range x {
			if vp == 0 {
				continue
			}
			row := info[p*k : p*k+k]
			f := w * vp / float64(j)
			for q, vq := range x {
				row[q] += f * vq
			}
		}
	}
}

// information returns the information matrix per version of the given
// tasks: the sum of their task information divided by versions.
func (s *Survey) information(versions [][]Task) []float64 {
	k := s.numParams()
	info := make([]float64, k*k)
	rows := make([]float64, (s.Spec.Concepts+2)*k)
	for _, tasks := range versions {
		for _, t := range tasks {
			s.taskInfo(t, info, 1/float64(len(versions)), rows)
		}
	}
	return info
}

// DError returns the D-error of the designed tasks (holdouts excluded):
// det(I)^(-1/K) for I the information matrix per version of a multinomial
// logit with all coefficients zero, coded as Data codes answers, and K its
// number of parameters. It is +Inf when some parameter cannot be estimated
// from the design. Smaller is better.
func (s *Survey) DError() float64 {
	return dError(s.information(s.Versions), s.numParams())
}

func dError(info []float64, k int) float64 {
	ld, ok := logDet(slices.Clone(info), k)
	if !ok {
		return math.Inf(1)
	}
	return math.Exp(-ld / float64(k))
}

// logDet returns the log-determinant of the symmetric k×k matrix a by
// Cholesky decomposition, overwriting a; ok is false unless a is positive
// definite (to a relative tolerance).
func logDet(a []float64, k int) (float64, bool) {
	scale := 0.0
	for i := range k {
		scale = math.Max(scale, a[i*k+i])
	}
	tol := 1e-10 * math.Max(scale, 1e-300)
	ld := 0.0
	for j := range k {
		d := a[j*k+j]
		for p := range j {
			d -= a[j*k+p] * a[j*k+p]
		}
		if !(d > tol) {
			return math.Inf(-1), false
		}
		d = math.Sqrt(d)
		a[j*k+j] = d
		ld += 2 * math.Log(d)
		for i := j + 1; i < k; i++ {
			v := a[i*k+j]
			for p := range j {
				v -= a[i*k+p] * a[j*k+p]
			}
			a[i*k+j] = v / d
		}
	}
	return ld, true
}

// AttributeStats describes how one attribute (or the price) appears in the
// designed tasks.
type AttributeStats struct {
	Name   string   `json:"name"`
	Levels []string `json:"levels"`
	// Counts is how often each level is shown over all designed tasks.
	Counts []int `json:"counts"`
	// Balance is the smallest count over the largest: 1 is perfect
	// balance; rules that tie this attribute to another may keep it lower.
	Balance float64 `json:"balance"`
	// Overlap is the share of designed tasks in which some level of the
	// attribute appears in two or more concepts. It cannot be below
	// MinOverlap, which is 1 when the attribute has fewer levels than a
	// task has concepts and 0 otherwise.
	Overlap    float64 `json:"overlap"`
	MinOverlap float64 `json:"min_overlap"`
}

// Stats returns level balance and overlap for every shown attribute, and
// for the price last when the survey shows one.
func (s *Survey) Stats() []AttributeStats {
	var out []AttributeStats
	tasks := 0
	for _, v := range s.Versions {
		tasks += len(v)
	}
	one := func(name string, levels []string, level func(Concept) int) {
		st := AttributeStats{Name: name, Levels: levels, Counts: make([]int, len(levels))}
		if len(levels) < s.Spec.Concepts {
			st.MinOverlap = 1
		}
		overlapping := 0
		seen := make([]bool, len(levels))
		for _, v := range s.Versions {
			for _, t := range v {
				clear(seen)
				repeat := false
				for _, c := range t.Concepts {
					l := level(c)
					st.Counts[l]++
					repeat = repeat || seen[l]
					seen[l] = true
				}
				if repeat {
					overlapping++
				}
			}
		}
		if tasks > 0 {
			st.Overlap = float64(overlapping) / float64(tasks)
		}
		if hi := slices.Max(st.Counts); hi > 0 {
			st.Balance = float64(slices.Min(st.Counts)) / float64(hi)
		}
		out = append(out, st)
	}
	for i, a := range s.Attributes {
		names := make([]string, len(a.Levels))
		for l, lv := range a.Levels {
			names[l] = lv.Name
		}
		one(a.Name, names, func(c Concept) int { return c.Levels[i] })
	}
	if len(s.Prices) > 0 {
		names := make([]string, len(s.Prices))
		for i, p := range s.Prices {
			names[i] = formatMinor(p)
		}
		one("price", names, func(c Concept) int { return c.Price })
	}
	return out
}
