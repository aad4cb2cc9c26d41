// Command tailor is the Tailor platform: the server with its web UI and JSON
// API, the demo, the product model tools and the configurator.
//
// Run "tailor help" for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ex exitError
		if !errors.As(err, &ex) {
			fmt.Fprintf(os.Stderr, "tailor: %v\n", err)
		}
		os.Exit(1)
	}
}

// exitError ends the program with status 1 after the command has already
// reported the problem itself (as model check does with diagnostics).
type exitError struct{ msg string }

func (e exitError) Error() string { return e.msg }

const usage = `Tailor designs, learns, decides, sells and builds customer-designed phones.

Usage:
  tailor demo [--addr HOST:PORT] [--customers N] [--seed N]
  tailor serve [--addr HOST:PORT] [--db postgres://...|FILE] [--data-dir DIR]
  tailor user add --email EMAIL --name NAME --role customer|analyst|planner|admin [--db ...]
  tailor configure [FILE] [--select attr=level ...] [--complete GOAL] [--json]
  tailor model check [FILE]
  tailor model count [FILE] [--select attr=level ...]
  tailor model export [FILE] --format xcsp|dimacs [-o OUT]
  tailor model fmt [FILE]
  tailor model generate --preset medium|big|lines
  tailor fit --data FILE --spec FILE [--layout long|wide] [--method mnl|mxl|hb] [--draws N] [--json]
  tailor simulate --survey SURVEY.json --fit FIT.json --products PHONES.csv [--rule logit|first-choice|rfc] [--json]
  tailor population [FILE] --survey SURVEY.json [--people N] [--answers answers.csv] [--spec answers.spec]
  tailor survey design [FILE] --attributes a,b,... [--prices P,...|--price-range MIN:MAX:STEPS] [--json]
  tailor lineup --matrix FILE --k N [--rule first-choice|logit] [--method auto|exact|greedy|swap|anneal] [--json]
  tailor help

FILE is a model in the model language (docs/model-language.md) or, if it
ends in .xml, an XCSP 2.1 instance; "-" reads standard input. Without FILE,
the built-in smartphone model is used.

GOAL is cheapest, defaults, min:PROPERTY or max:PROPERTY.

fit estimates a choice model from a data file and a utility specification
(docs/choice-models.md); survey design designs a choice-based conjoint
survey from the model (docs/surveys.md); population has simulated
respondents with known tastes answer it; simulate predicts shares of
preference from a fit (docs/market-simulator.md); lineup chooses the K
variants to offer from a matrix of customers' utilities (docs/lineup.md).
Each takes --help.

demo and serve take --help for every flag; each flag has an environment
variable (TAILOR_ADDR, TAILOR_DB, ...). user add reads the password from
TAILOR_PASSWORD or the first line of standard input. See docs/operations.md.
`

// run is the whole program, with its environment passed in so that tests
// can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError{"no command"}
	}
	env := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "configure":
		return env.configure(args[1:])
	case "serve":
		return env.serve(args[1:])
	case "demo":
		return env.demo(args[1:])
	case "fit":
		return env.fit(args[1:])
	case "population":
		return env.populationCmd(args[1:])
	case "simulate":
		return env.simulate(args[1:])
	case "lineup":
		return env.lineupCmd(args[1:])
	case "survey":
		if len(args) < 2 || args[1] != "design" {
			return fmt.Errorf("unknown survey command; want \"tailor survey design\"")
		}
		return env.surveyDesign(args[2:])
	case "user":
		if len(args) < 2 || args[1] != "add" {
			return fmt.Errorf("unknown user command; want \"tailor user add\"")
		}
		return env.userAdd(args[2:])
	case "model":
		if len(args) < 2 {
			fmt.Fprint(stderr, usage)
			return exitError{"no model command"}
		}
		switch args[1] {
		case "check":
			return env.modelCheck(args[2:])
		case "count":
			return env.modelCount(args[2:])
		case "export":
			return env.modelExport(args[2:])
		case "fmt":
			return env.modelFmt(args[2:])
		case "generate":
			return env.modelGenerate(args[2:])
		}
		return fmt.Errorf("unknown model command %q (want check, count, export, fmt or generate)", args[1])
	}
	return fmt.Errorf("unknown command %q; run \"tailor help\"", args[0])
}

type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// listFlag collects a repeatable flag; commas also separate values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}
