package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/survey"
)

// simulate predicts shares of preference for a set of phones from a model
// fitted to a survey's answers.
func (env *env) simulate(args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	surveyFile := fs.String("survey", "", "the designed survey `FILE` (JSON from tailor survey design -o, or from the product)")
	fitFile := fs.String("fit", "", "the estimates `FILE` (JSON from tailor fit --json on the survey's answers)")
	productsFile := fs.String("products", "", "the phones `FILE`: CSV with columns name, price (major units), one column per attribute holding a level name, and optionally own (1 for Tailor's)")
	rule := fs.String("rule", "logit", "logit, first-choice or rfc (randomised first choice)")
	none := fs.Bool("none", true, `include the "buy none" option (when the survey had one)`)
	people := fs.Int("people", 2000, "mixed logit: people drawn from the estimated distributions")
	draws := fs.Int("draws", 100, "rfc: draws per person")
	seed := fs.Uint64("seed", 1, "random seed")
	compare := fs.String("compare", "", "also simulate the phones in `FILE` (same columns) as a second scenario and show the changes")
	curve := fs.String("price-curve", "", "also vary one phone's price: `NAME:MIN:MAX:STEPS` in major units")
	asJSON := fs.Bool("json", false, "print the outcome as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *surveyFile == "" || *fitFile == "" || *productsFile == "" {
		return fmt.Errorf("simulate: --survey, --fit and --products are required")
	}
	var s survey.Survey
	if err := readJSONFile(*surveyFile, &s); err != nil {
		return err
	}
	var fit choice.Summary
	if err := readJSONFile(*fitFile, &fit); err != nil {
		return err
	}
	if fit.Result == nil {
		return fmt.Errorf("simulate: %s holds no estimates (expected the output of tailor fit --json)", *fitFile)
	}
	names, rows, err := fit.Result.Population(*people, *seed)
	if err != nil {
		return err
	}
	m, err := s.Market(names, rows)
	if err != nil {
		return err
	}
	products, err := readProducts(*productsFile, m)
	if err != nil {
		return err
	}
	r, err := market.ParseRule(*rule)
	if err != nil {
		return err
	}
	opts := market.Options{Rule: r, None: *none && s.Spec.None, Draws: *draws, Seed: *seed}
	out, err := market.Shares(m, products, opts)
	if err != nil {
		return err
	}
	var cmp *market.Comparison
	if *compare != "" {
		variant, err := readProducts(*compare, m)
		if err != nil {
			return err
		}
		if cmp, err = market.Compare(m, products, variant, opts); err != nil {
			return err
		}
	}
	var pc *market.Curve
	if *curve != "" {
		parts := strings.Split(*curve, ":")
		if len(parts) != 4 {
			return fmt.Errorf("simulate: --price-curve %q: want NAME:MIN:MAX:STEPS", *curve)
		}
		which := -1
		for i, p := range products {
			if p.Name == parts[0] {
				which = i
			}
		}
		if which < 0 {
			return fmt.Errorf("simulate: --price-curve: no phone named %q in %s", parts[0], *productsFile)
		}
		lo, err1 := majorToMinor(parts[1])
		hi, err2 := majorToMinor(parts[2])
		steps, err3 := strconv.Atoi(parts[3])
		if err1 != nil || err2 != nil || err3 != nil || steps < 2 || hi < lo {
			return fmt.Errorf("simulate: --price-curve %q: want NAME:MIN:MAX:STEPS with MIN <= MAX and at least 2 steps", *curve)
		}
		prices := make([]int64, steps)
		for i := range prices {
			prices[i] = lo + (hi-lo)*int64(i)/int64(steps-1)
		}
		if pc, err = market.PriceCurve(m, products, which, prices, opts); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Shares  *market.Outcome    `json:"shares"`
			Compare *market.Comparison `json:"comparison,omitempty"`
			Curve   *market.Curve      `json:"price_curve,omitempty"`
		}{out, cmp, pc})
	}
	fmt.Fprintf(env.stdout, "%d simulated people from a %s fit\n\n", len(m.People), fit.Result.Method)
	if err := out.Print(env.stdout); err != nil {
		return err
	}
	if cmp != nil {
		fmt.Fprintln(env.stdout)
		if err := cmp.Print(env.stdout); err != nil {
			return err
		}
	}
	if pc != nil {
		fmt.Fprintln(env.stdout)
		return pc.Print(env.stdout)
	}
	return nil
}

func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readProducts reads the phones to simulate: a CSV with name and price
// columns, one column per attribute (a level name, or empty for
// unspecified) and an optional own column.
func readProducts(path string, m *market.Market) ([]market.Product, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tab, err := choice.ReadTable(f, path)
	if err != nil {
		return nil, err
	}
	nameCol, ok1 := tab.Column("name")
	priceCol, ok2 := tab.Column("price")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%s: the header must name the columns name and price, then attributes", path)
	}
	ownCol, hasOwn := tab.Column("own")
	var products []market.Product
	for i := range tab.Rows() {
		levels := map[string]string{}
		for c, col := range tab.Columns {
			if c == nameCol || c == priceCol || hasOwn && c == ownCol {
				continue
			}
			if v := tab.Cell(c, i); v != "" {
				levels[col] = v
			}
		}
		price, err := majorToMinor(tab.Cell(priceCol, i))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: price: %w", path, tab.Line[i], err)
		}
		p, err := market.ProductByName(m, tab.Cell(nameCol, i), levels, price)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, tab.Line[i], err)
		}
		p.Own = hasOwn && tab.Num[ownCol][i] == 1
		products = append(products, p)
	}
	return products, nil
}
