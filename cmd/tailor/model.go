package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modelgen"
	"github.com/tailor-c2b/tailor/models"
)

// parseArgs parses flags that may come before or after the positional
// arguments, which it returns.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%s: %w", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseFileArgs parses a command's flags and its one optional FILE argument.
func parseFileArgs(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	return fileArg(fs.Name(), pos)
}

// fileArg returns the one optional FILE argument.
func fileArg(cmd string, pos []string) (string, error) {
	switch len(pos) {
	case 0:
		return "", nil
	case 1:
		return pos[0], nil
	}
	return "", fmt.Errorf("%s takes one model file, got %d arguments: %s", cmd, len(pos), strings.Join(pos, " "))
}

// loadModel reads and parses a model file ("" for the built-in phone model,
// "-" for standard input). It returns the diagnostics; err is set when the
// file cannot be read or the model has errors.
func (env *env) loadModel(file string) (*model.Model, model.Diagnostics, error) {
	var src []byte
	var err error
	name := file
	switch file {
	case "":
		src, name = models.Phone, models.PhoneFile
	case "-":
		src, err = io.ReadAll(env.stdin)
		name = "<stdin>"
	default:
		src, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read model: %w", err)
	}
	if strings.HasSuffix(strings.ToLower(file), ".xml") {
		m, err := readXML(bytes.NewReader(src), name)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		return m, nil, nil
	}
	m, diags := model.Parse(name, src)
	if diags.HasErrors() {
		return m, diags, fmt.Errorf("%s has errors", name)
	}
	return m, diags, nil
}

// compile loads and compiles a model, printing its diagnostics on error.
func (env *env) compile(file string) (*configurator.Engine, error) {
	m, diags, err := env.loadModel(file)
	if err != nil {
		for _, d := range diags {
			fmt.Fprintln(env.stderr, d)
		}
		if diags.HasErrors() {
			return nil, exitError{err.Error()}
		}
		return nil, err
	}
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", displayName(file), err)
	}
	return e, nil
}

// compileSelecting compiles a model and reads the --select choices against it.
func (env *env) compileSelecting(file string, choices []string) (*configurator.Engine, configurator.Selection, error) {
	e, err := env.compile(file)
	if err != nil {
		return nil, nil, err
	}
	s, err := e.ParseSelection(choices)
	if err != nil {
		return nil, nil, err
	}
	return e, s, nil
}

func (env *env) modelCheck(args []string) error {
	fs := flag.NewFlagSet("model check", flag.ContinueOnError)
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	m, diags, err := env.loadModel(file)
	for _, d := range diags {
		fmt.Fprintln(env.stderr, d)
	}
	if err != nil {
		if diags.HasErrors() {
			return exitError{err.Error()}
		}
		return err
	}
	start := time.Now()
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	compiled := time.Since(start)
	for _, d := range configurator.Lint(e) {
		fmt.Fprintln(env.stderr, d)
	}
	st := e.Stats()
	fmt.Fprintf(env.stdout, "%s %s: %d attributes, %d rules, %d tables; %s valid configurations\n",
		m.Name, m.Version, len(m.Attributes), len(m.Rules), len(m.Tables), e.Count(e.NewSelection()))
	fmt.Fprintf(env.stdout, "compiled in %v: %d clusters of width %d, %d tuples\n",
		compiled.Round(time.Microsecond), st.Clusters, st.Width, st.Tuples)
	return nil
}

func (env *env) modelCount(args []string) error {
	fs := flag.NewFlagSet("model count", flag.ContinueOnError)
	var sel listFlag
	fs.Var(&sel, "select", "attr=level to fix (repeatable)")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	e, s, err := env.compileSelecting(file, sel)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, e.Count(s))
	return nil
}

func (env *env) modelFmt(args []string) error {
	fs := flag.NewFlagSet("model fmt", flag.ContinueOnError)
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	m, diags, err := env.loadModel(file)
	if err != nil {
		for _, d := range diags {
			fmt.Fprintln(env.stderr, d)
		}
		if diags.HasErrors() {
			return exitError{err.Error()}
		}
		return err
	}
	_, err = env.stdout.Write(model.Format(m))
	return err
}

func (env *env) modelGenerate(args []string) error {
	fs := flag.NewFlagSet("model generate", flag.ContinueOnError)
	preset := fs.String("preset", "big", "medium, big or lines")
	seed := fs.Uint64("seed", 0, "random seed (0: the preset's)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("model generate takes no arguments, got %s", strings.Join(pos, " "))
	}
	p, err := modelgen.Preset(*preset)
	if err != nil {
		return err
	}
	if *seed != 0 {
		p.Seed = *seed
	}
	_, err = env.stdout.Write(model.Format(modelgen.Generate(p)))
	return err
}

// displayName names a model file argument for messages.
func displayName(file string) string {
	switch file {
	case "":
		return models.PhoneFile + " (built in)"
	case "-":
		return "<stdin>"
	}
	return file
}
