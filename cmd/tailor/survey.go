package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/tailor-c2b/tailor/survey"
)

// surveyDesign designs a choice-based conjoint survey from a product model
// and prints its report, or the survey as JSON.
func (env *env) surveyDesign(args []string) error {
	fs := flag.NewFlagSet("survey design", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	var attrs listFlag
	fs.Var(&attrs, "attributes", "the model attributes each concept shows (repeatable, or comma-separated)")
	prices := fs.String("prices", "", "price levels in major currency units, comma-separated (e.g. 499,699,899)")
	priceRange := fs.String("price-range", "", "evenly spaced price levels MIN:MAX:STEPS in major units (e.g. 399:1199:5)")
	versions := fs.Int("versions", 20, "different questionnaires; respondents are spread over them")
	tasks := fs.Int("tasks", 12, "designed choice tasks per respondent")
	concepts := fs.Int("concepts", 3, "phones shown in each task")
	none := fs.Bool("none", true, `add a "none of these" option to every task`)
	holdouts := fs.Int("holdouts", 2, "fixed tasks shown to everyone after the designed ones, kept for validation")
	seed := fs.Uint64("seed", 1, "random seed: the same model, settings and seed give the same survey")
	asJSON := fs.Bool("json", false, "print the designed survey as JSON instead of the report")
	out := fs.String("o", "", "also write the survey as JSON to `FILE` (for tailor population)")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	spec := survey.Spec{Attributes: attrs, Versions: *versions, Tasks: *tasks, Concepts: *concepts, None: *none,
		Holdouts: *holdouts, Seed: *seed}
	switch {
	case *prices != "" && *priceRange != "":
		return fmt.Errorf("survey design: give --prices or --price-range, not both")
	case *prices != "":
		for _, p := range strings.Split(*prices, ",") {
			v, err := majorToMinor(p)
			if err != nil {
				return fmt.Errorf("survey design: --prices: %w", err)
			}
			spec.Price.Levels = append(spec.Price.Levels, v)
		}
	case *priceRange != "":
		parts := strings.Split(*priceRange, ":")
		if len(parts) != 3 {
			return fmt.Errorf("survey design: --price-range %q: want MIN:MAX:STEPS", *priceRange)
		}
		if spec.Price.Min, err = majorToMinor(parts[0]); err != nil {
			return fmt.Errorf("survey design: --price-range: %w", err)
		}
		if spec.Price.Max, err = majorToMinor(parts[1]); err != nil {
			return fmt.Errorf("survey design: --price-range: %w", err)
		}
		if spec.Price.Steps, err = strconv.Atoi(strings.TrimSpace(parts[2])); err != nil {
			return fmt.Errorf("survey design: --price-range: steps %q is not a whole number", parts[2])
		}
	}
	e, err := env.compile(file)
	if err != nil {
		return err
	}
	if err := spec.Validate(e.Model()); err != nil {
		return err
	}
	s, err := survey.Design(e, spec)
	if err != nil {
		return err
	}
	if *out != "" {
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return s.WriteReport(env.stdout)
}

// majorToMinor reads a price in major currency units ("499" or "499.99")
// as minor units.
func majorToMinor(s string) (int64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 1e12 {
		return 0, fmt.Errorf("%q is not a price", s)
	}
	return int64(math.Round(v * 100)), nil
}
