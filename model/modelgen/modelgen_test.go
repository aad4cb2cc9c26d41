package modelgen_test

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modelgen"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a := model.Format(modelgen.Generate(modelgen.Big))
	b := model.Format(modelgen.Generate(modelgen.Big))
	if !bytes.Equal(a, b) {
		t.Fatal("two generations of the same preset differ")
	}
	other := modelgen.Big
	other.Seed = 99
	if bytes.Equal(a, model.Format(modelgen.Generate(other))) {
		t.Fatal("another seed gave the same model")
	}
}

// TestPresetsHaveTheStructureOfIndustrialModels checks the figures the
// benchmarks rely on: sizes, domains, a tree-width around 10 for the big
// preset and around 10^22 valid configurations.
func TestPresetsHaveTheStructureOfIndustrialModels(t *testing.T) {
	tests := []struct {
		p                  modelgen.Params
		minWidth, maxWidth int
		minLog10, maxLog10 int
	}{
		{modelgen.Medium, 5, 12, 15, 30},
		{modelgen.Big, 9, 13, 20, 24},
		{modelgen.Lines, 10, 20, 6, 9},
	}
	for _, tt := range tests {
		t.Run(tt.p.Name, func(t *testing.T) {
			m := modelgen.Generate(tt.p)
			if got := len(m.Attributes); got != tt.p.Attributes {
				t.Errorf("attributes = %d, want %d", got, tt.p.Attributes)
			}
			if got := len(m.Tables); got != tt.p.Tables {
				t.Errorf("tables = %d, want %d", got, tt.p.Tables)
			}
			lo, hi := 1<<30, 0
			for _, a := range m.Attributes {
				lo, hi = min(lo, len(a.Levels)), max(hi, len(a.Levels))
			}
			if lo != tt.p.MinDomain || hi != tt.p.MaxDomain {
				t.Errorf("domains %d..%d, want %d..%d", lo, hi, tt.p.MinDomain, tt.p.MaxDomain)
			}
			// The generated text is a valid model.
			if _, diags := model.Parse("gen.tailor", model.Format(m)); diags.HasErrors() {
				t.Fatalf("generated model does not parse: %v", diags.Err())
			}
			e, err := configurator.Compile(m, configurator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// The constraint graph's width, before arc consistency fixes
			// any variable.
			p := e.Problem()
			size := func(v int) float64 { return float64(p.Vars[v].Size) }
			width := csp.Width(p.PrimalGraph(), csp.MinFillOrder(p.PrimalGraph(), size))
			if width < tt.minWidth || width > tt.maxWidth {
				t.Errorf("tree-width %d, want %d..%d", width, tt.minWidth, tt.maxWidth)
			}
			n := e.Count(e.NewSelection())
			lo10 := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(tt.minLog10)), nil)
			hi10 := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(tt.maxLog10)), nil)
			if n.Cmp(lo10) < 0 || n.Cmp(hi10) > 0 {
				t.Errorf("%v valid configurations, want 10^%d..10^%d", n, tt.minLog10, tt.maxLog10)
			}
		})
	}
}
