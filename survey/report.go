package survey

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// WriteReport writes a summary of the design for an analyst: its shape,
// its efficiency against random designs, and level balance and overlap per
// attribute (docs/surveys.md explains how to read it).
func (s *Survey) WriteReport(w io.Writer) error {
	var b strings.Builder
	sp := s.Spec
	fmt.Fprintf(&b, "Survey of %s %s: %d versions x %d tasks x %d concepts", s.Model, s.Version, sp.Versions, sp.Tasks, sp.Concepts)
	if sp.None {
		b.WriteString(" + none")
	}
	if len(s.Holdouts) > 0 {
		fmt.Fprintf(&b, ", %d holdout task", len(s.Holdouts))
		if len(s.Holdouts) > 1 {
			b.WriteString("s")
		}
	}
	fmt.Fprintf(&b, ", seed %d\n", sp.Seed)
	fmt.Fprintf(&b, "%d parameters: %s\n\n", len(s.Params()), strings.Join(s.Params(), " "))
	ef := s.Efficiency
	fmt.Fprintf(&b, "D-error %s; random designs of this shape %s; relative efficiency %s\n\n",
		figure(ef.DError), figure(ef.RandomDError), figure(ef.Relative))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "attribute\tbalance\toverlap\tlevel counts")
	for _, st := range s.Stats() {
		var counts []string
		for i, l := range st.Levels {
			counts = append(counts, fmt.Sprintf("%s %d", l, st.Counts[i]))
		}
		over := fmt.Sprintf("%.0f%%", 100*st.Overlap)
		if st.MinOverlap > 0 {
			over += " (unavoidable)"
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%s\t%s\n", st.Name, st.Balance, over, strings.Join(counts, ", "))
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

func figure(x float64) string {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.4g", x)
}

// formatMinor writes an amount in minor units as major units with two
// decimals, e.g. 59900 as "599.00".
func formatMinor(x int64) string {
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	return fmt.Sprintf("%s%d.%02d", sign, x/100, x%100)
}
