package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/lineup"
)

// lineupMatrix: three phones, four customers with weights 1, 2, 1 and 5.
// Offering A and B: c1 and c2 buy A (margin 100), c3 buys B (80), c4 buys
// nothing (its outside option beats everything): 300 + 80 = 380. A and C:
// c1 and c2 buy A, c3 buys C (it prefers C to A): 300 + 50 = 350. B and
// C: c1 buys B, c2 buys C, c3 buys B: 80 + 100 + 80 = 260. The optimum is
// {A, B}, worth 380.
const lineupMatrix = `customer,weight,none,A,B,C
margin,,,100,80,50
c1,1,0,3,2,1
c2,2,0,3,1,2
c3,1,0,1,3,2
c4,5,9,1,1,1
`

func TestLineupCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.csv")
	if err := os.WriteFile(path, []byte(lineupMatrix), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"auto", "exact", "greedy", "swap", "anneal"} {
		t.Run(method, func(t *testing.T) {
			out := mustRun(t, "", "lineup", "--matrix", path, "--k", "2", "--method", method, "--json")
			var got struct {
				lineup.Solution
				Labels     []string  `json:"labels"`
				Buyers     []float64 `json:"buyers"`
				NoPurchase float64   `json:"no_purchase"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if diff := cmp.Diff([]string{"A", "B"}, got.Labels); diff != "" {
				t.Errorf("labels (-want +got)\n%s", diff)
			}
			if got.Objective != 380 || got.Bound < 380 {
				t.Errorf("objective %v, bound %v; want 380 and at least 380", got.Objective, got.Bound)
			}
			if diff := cmp.Diff([]float64{3, 1}, got.Buyers); diff != "" || got.NoPurchase != 5 {
				t.Errorf("buyers (-want +got)\n%s\nno purchase %v, want 5", diff, got.NoPurchase)
			}
			if (method == "exact" || method == "auto") && !got.Proven {
				t.Errorf("%s did not prove its answer", method)
			}
		})
	}
	t.Run("text", func(t *testing.T) {
		out := mustRun(t, "", "lineup", "--matrix", path, "--k", "2", "--method", "exact")
		for _, want := range []string{"2 of 3 candidates for 4 customers, first-choice rule", "proven optimal", "objective  380", "A                   100           3         300", "no purchase" + strings.Repeat(" ", 23) + "5"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("json input and logit", func(t *testing.T) {
		p, err := lineup.ReadMatrix(strings.NewReader(lineupMatrix), "m.csv")
		if err != nil {
			t.Fatal(err)
		}
		p.K, p.Rule, p.Must = 1, lineup.Logit, []int{2}
		b, _ := json.Marshal(p)
		jpath := filepath.Join(dir, "p.json")
		if err := os.WriteFile(jpath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out := mustRun(t, "", "lineup", "--matrix", jpath, "--json")
		var got lineup.Solution
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Chosen, []int{2}) || got.Objective != p.Objective([]int{2}) {
			t.Errorf("chose %v worth %v; want the required C alone, worth %v", got.Chosen, got.Objective, p.Objective([]int{2}))
		}
		// --k overrides the file's K.
		out = mustRun(t, "", "lineup", "--matrix", jpath, "--k", "2", "--json")
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Chosen) != 2 || !slices.Contains(got.Chosen, 2) {
			t.Errorf("chose %v; want two including C", got.Chosen)
		}
	})
	t.Run("errors", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.csv")
		if err := os.WriteFile(bad, []byte("customer,weight,none,A\nmargin,,,1\nc1,1,0,x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"lineup", "--k", "1"}, "give --matrix FILE"},
			{[]string{"lineup", "--matrix", path}, "--k is required"},
			{[]string{"lineup", "--matrix", path, "--k", "4"}, "K must be between 1 and the number of candidates (3)"},
			{[]string{"lineup", "--matrix", path, "--k", "1", "--rule", "best"}, `unknown choice rule "best"`},
			{[]string{"lineup", "--matrix", path, "--k", "1", "--method", "magic"}, `unknown method "magic"`},
			{[]string{"lineup", "--matrix", bad, "--k", "1"}, bad + `:3:8: customer "c1", candidate "A": "x" is not a number`},
		} {
			_, _, err := runTailor(t, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("tailor %s: %v, want %q", strings.Join(tt.args, " "), err, tt.want)
			}
		}
	})
}
