package survey

import (
	"fmt"
	"testing"
)

// BenchmarkDesignPhone designs a typical phone survey; it reports the
// relative efficiency against random designs.
func BenchmarkDesignPhone(b *testing.B) {
	e := phone(b)
	for _, versions := range []int{20, 300} {
		b.Run(fmt.Sprintf("versions=%d", versions), func(b *testing.B) {
			spec := phoneSpec()
			spec.Versions = versions
			var s *Survey
			for b.Loop() {
				s = mustDesign(b, e, spec)
			}
			b.ReportMetric(s.Efficiency.Relative, "relative-efficiency")
			b.ReportMetric(s.Efficiency.DError, "d-error")
		})
	}
}
