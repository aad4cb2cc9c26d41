package lineup_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/lineup/lineupgen"
)

// TestMatrixRoundTrip writes random problems and reads them back.
func TestMatrixRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for range 200 {
		p := lineupgen.Small(r, lineup.FirstChoice)
		if r.IntN(2) == 0 {
			p.Labels = nil
		}
		var b bytes.Buffer
		if err := lineup.WriteMatrix(&b, p); err != nil {
			t.Fatal(err)
		}
		got, err := lineup.ReadMatrix(&b, "m.csv")
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		want := *p
		want.K, want.Rule, want.Scale = 0, lineup.FirstChoice, 0
		want.Must, want.Forbid = sortedSet(p.Must), sortedSet(p.Forbid)
		if want.Labels == nil {
			for j := range p.Candidates {
				want.Labels = append(want.Labels, p.Label(j))
			}
		}
		if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("(-want +got)\n%s\n%s", diff, b.String())
		}
	}
}

// sortedSet returns the distinct members of s in order.
func sortedSet(s []int) []int {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
