package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/dimacs"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/xcsp"
)

// readXML reads an XCSP 2.1 instance as a model.
func readXML(r io.Reader, name string) (*model.Model, error) {
	return xcsp.Read(r, name)
}

func (env *env) modelExport(args []string) error {
	fs := flag.NewFlagSet("model export", flag.ContinueOnError)
	format := fs.String("format", "", "xcsp or dimacs")
	out := fs.String("o", "", "output file (default standard output)")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	var write func(io.Writer, *csp.Problem) error
	switch *format {
	case "xcsp":
		write = xcsp.Write
	case "dimacs":
		write = dimacs.Write
	case "":
		return fmt.Errorf("model export needs --format xcsp or --format dimacs")
	default:
		return fmt.Errorf("unknown export format %q: want xcsp or dimacs", *format)
	}
	m, diags, err := env.loadModel(file)
	if err != nil {
		for _, d := range diags {
			fmt.Fprintln(env.stderr, d)
		}
		return err
	}
	p, err := csp.Lower(m)
	if err != nil {
		return fmt.Errorf("lower model: %w", err)
	}
	w := env.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	if err := write(bw, p); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return bw.Flush()
}
