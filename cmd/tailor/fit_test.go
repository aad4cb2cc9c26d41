package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/survey"
)

// writeChoiceData writes a long-layout data set of n cases with three
// alternatives, simulated from known coefficients, and a specification
// for it; it returns their paths.
func writeChoiceData(t *testing.T, n int, truth [2]float64) (data, spec string) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	var b strings.Builder
	b.WriteString("case,person,alt,chosen,price,quality\n")
	for c := range n {
		var u [3]float64
		var rows [3][2]float64
		best := 0
		for a := range 3 {
			rows[a] = [2]float64{float64(1 + rng.IntN(9)), float64(rng.IntN(2))}
			u[a] = truth[0]*rows[a][0] + truth[1]*rows[a][1] - math.Log(-math.Log(rng.Float64()))
			if u[a] > u[best] {
				best = a
			}
		}
		for a := range 3 {
			fmt.Fprintf(&b, "%d,%d,%d,%d,%g,%g\n", c+1, c/8+1, a+1, b2i(a == best), rows[a][0], rows[a][1])
		}
	}
	data = filepath.Join(dir, "data.csv")
	spec = filepath.Join(dir, "model.spec")
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	const src = "layout long\ncase case\nalternative alt\nchosen chosen\npanel person\nutility *: b_price * price + b_quality * quality\n"
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return data, spec
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestFit estimates every method on simulated data through the command
// line and checks the estimates against the truth.
func TestFit(t *testing.T) {
	truth := [2]float64{-0.4, 1.0}
	data, spec := writeChoiceData(t, 1200, truth)
	for _, method := range []string{"mnl", "mxl", "hb"} {
		t.Run(method, func(t *testing.T) {
			args := []string{"fit", "--data", data, "--spec", spec, "--method", method, "--json", "--wtp", "b_price"}
			switch method {
			case "mxl":
				if err := os.WriteFile(spec+".mxl", []byte(mustReadFile(t, spec)+"random b_quality ~ normal\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				args[4] = spec + ".mxl"
				args = append(args, "--draws", "50")
			case "hb":
				args = append(args, "--iterations", "600")
			}
			stdout, stderr, err := runTailor(t, "", args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if !strings.Contains(stderr, "1200 cases, 150 decision makers") {
				t.Errorf("stderr does not describe the data:\n%s", stderr)
			}
			var out choice.Summary
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatal(err)
			}
			for i, name := range []string{"b_price", "b_quality"} {
				e, ok := out.Result.Param(name)
				if !ok {
					t.Fatalf("no estimate of %s", name)
				}
				// HB's population means of an individual-level model
				// are not the pooled truth's scale exactly; allow more.
				tol := 4 * e.SE
				if method == "hb" {
					tol = 0.35 * math.Abs(truth[i])
				}
				if math.Abs(e.Value-truth[i]) > tol {
					t.Errorf("%s = %.3f (s.e. %.3f), truth %.1f", name, e.Value, e.SE, truth[i])
				}
			}
			if len(out.WTP) != 1 || out.WTP[0].Name != "b_quality" || math.Abs(out.WTP[0].Value-2.5) > 1 {
				t.Errorf("willingness to pay %+v, want b_quality near 2.5", out.WTP)
			}
		})
	}
}

func mustReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFitTable(t *testing.T) {
	data, spec := writeChoiceData(t, 300, [2]float64{-0.4, 1.0})
	stdout := mustRun(t, "", "fit", "--data", data, "--spec", spec, "--quiet")
	for _, want := range []string{"Multinomial logit (maximum likelihood)", "300 cases, 38 decision makers", "b_price", "b_quality",
		"Final log-likelihood:", "Iterations:", "converged"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestFitErrors(t *testing.T) {
	data, spec := writeChoiceData(t, 20, [2]float64{-0.4, 1.0})
	bad := filepath.Join(t.TempDir(), "bad.spec")
	if err := os.WriteFile(bad, []byte("layout long\ncase case\nalternative alt\nchosen chosen\nutility *: b_price * pricee\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"fit", "--spec", spec}, "--data and --spec are required"},
		{[]string{"fit", "--data", data, "--spec", bad}, "bad.spec:5:20: b_price * pricee: a product of parameters is not linear in parameters; if one of them is meant to be a column, it is not in the data (did you mean price?)"},
		{[]string{"fit", "--data", data, "--spec", spec, "--layout", "wide"}, "the specification says layout long, but the data was given as wide"},
		{[]string{"fit", "--data", data, "--spec", spec, "--method", "probit"}, `--method "probit": want mnl, mxl or hb`},
		{[]string{"fit", "--data", data, "--spec", spec, "--method", "mxl"}, "mixed logit needs random parameters"},
		{[]string{"fit", "--data", data, "--spec", spec, "--wtp", "b_cost"}, `no parameter "b_cost"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, _, err := runTailor(t, "", append(tt.args, "--quiet")...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSurveyDesign(t *testing.T) {
	out := filepath.Join(t.TempDir(), "survey.json")
	stdout := mustRun(t, "", "survey", "design", "--attributes", "main,storage,colour", "--prices", "499,699,899",
		"--versions", "4", "--tasks", "6", "--concepts", "3", "-o", out)
	if !strings.Contains(stdout, "4 versions x 6 tasks x 3 concepts + none, 2 holdout tasks") || !strings.Contains(stdout, "relative efficiency") {
		t.Errorf("report:\n%s", stdout)
	}
	var s survey.Survey
	if err := json.Unmarshal([]byte(mustReadFile(t, out)), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Versions) != 4 || len(s.Prices) != 3 || s.Prices[0] != 49900 {
		t.Errorf("versions %d, prices %v", len(s.Versions), s.Prices)
	}
	_, _, err := runTailor(t, "", "survey", "design", "--attributes", "colr")
	if err == nil || !strings.Contains(err.Error(), `did you mean "colour"`) {
		t.Errorf("err = %v, want a suggestion for colr", err)
	}
}
