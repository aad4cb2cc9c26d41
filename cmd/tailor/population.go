package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"

	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// populationCmd draws simulated respondents with known tastes from the
// phone segments and has them answer a designed survey: the data for
// trying the estimators, and for checking that they recover the truth.
func (env *env) populationCmd(args []string) error {
	fs := flag.NewFlagSet("population", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	surveyFile := fs.String("survey", "", "the designed survey `FILE` (from tailor survey design -o)")
	people := fs.Int("people", 1000, "how many simulated respondents")
	seed := fs.Uint64("seed", 1, "random seed for the people and their answers")
	answers := fs.String("answers", "answers.csv", "write the answers (long layout) to `FILE`")
	specOut := fs.String("spec", "answers.spec", "write the specification that reads the answers to `FILE`")
	holdoutSpec := fs.String("holdout-spec", "", "also write the specification of the holdout tasks to `FILE`")
	truth := fs.String("truth", "", "also write the people's true tastes as JSON to `FILE`")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	if *surveyFile == "" {
		return fmt.Errorf("population: --survey is required (design one with tailor survey design -o survey.json)")
	}
	if *people < 1 || *people > 1_000_000 {
		return fmt.Errorf("population: --people %d: want 1 to 1,000,000", *people)
	}
	var s survey.Survey
	if err := readJSONFile(*surveyFile, &s); err != nil {
		return err
	}
	e, err := env.compile(file)
	if err != nil {
		return err
	}
	if m := e.Model(); m.Name != s.Model {
		return fmt.Errorf("population: the survey was designed on model %q, not %q", s.Model, m.Name)
	}
	ps := population.Draw(e.Model(), population.PhoneSegments, *people, rand.New(rand.NewPCG(*seed, 1)))
	as, err := survey.Simulate(&s, ps, *seed, runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	write := func(path string, fn func(f *os.File) error) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write(*answers, func(f *os.File) error { return s.WriteAnswers(f, as) }); err != nil {
		return err
	}
	if err := write(*specOut, func(f *os.File) error { return s.WriteSpec(f, "simulated", false) }); err != nil {
		return err
	}
	if *holdoutSpec != "" {
		if err := write(*holdoutSpec, func(f *os.File) error { return s.WriteSpec(f, "simulated", true) }); err != nil {
			return err
		}
	}
	if *truth != "" {
		m := s.TrueMarket(ps, population.PhoneSegments)
		if err := write(*truth, func(f *os.File) error {
			enc := json.NewEncoder(f)
			enc.SetIndent("", "  ")
			return enc.Encode(m)
		}); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stdout, "%d simulated respondents answered %d tasks each: %d answers in %s; fit them with\n  tailor fit --data %s --spec %s\n",
		len(ps), s.TasksPerRespondent(), len(as), *answers, *answers, *specOut)
	return nil
}
