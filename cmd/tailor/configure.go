package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
)

func (env *env) configure(args []string) error {
	fs := flag.NewFlagSet("configure", flag.ContinueOnError)
	var sel listFlag
	fs.Var(&sel, "select", "attr=level to choose (repeatable, or comma-separated)")
	complete := fs.String("complete", "", "complete the design: cheapest, defaults, min:PROPERTY or max:PROPERTY")
	asJSON := fs.Bool("json", false, "print the report as JSON (docs/configurator.md)")
	noExplain := fs.Bool("no-explain", false, "do not explain excluded levels")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	opts := configurator.ReportOptions{Explain: !*noExplain, Goal: *complete}
	if *complete != "" {
		obj, err := configurator.ParseObjective(*complete)
		if err != nil {
			return err
		}
		opts.Complete = &obj
	}
	e, s, err := env.compileSelecting(file, sel)
	if err != nil {
		return err
	}
	rep, err := e.Report(s, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(env.stdout, e.Model(), rep)
	return nil
}

// printReport writes a report for a person to read.
func printReport(w io.Writer, m *model.Model, r *configurator.Report) {
	fmt.Fprintf(w, "%s %s\n", r.Model.Name, r.Model.Version)
	if len(r.Selection) == 0 {
		fmt.Fprintln(w, "Selected: nothing yet")
	} else {
		fmt.Fprintf(w, "Selected: %s\n", choices(r.Selection))
	}
	fmt.Fprintf(w, "Valid configurations: %s\n", r.Count)
	if !r.Consistent {
		fmt.Fprintf(w, "\nThese choices cannot be combined: %s\n", choices(r.Conflict.Choices))
		for _, ru := range r.Conflict.Rules {
			fmt.Fprintf(w, "  %s\n", ruleText(ru))
		}
	}
	groupLabel := map[string]string{}
	for _, g := range m.Groups {
		groupLabel[g.Name] = g.Label
	}
	group := "\x00"
	var excluded []string
	for _, a := range r.Attributes {
		if a.Group != group {
			group = a.Group
			label := groupLabel[group]
			if label == "" {
				label = "Other"
			}
			fmt.Fprintf(w, "\n%s\n", label)
		}
		var levels []string
		for _, l := range a.Levels {
			switch l.State {
			case configurator.StateSelected:
				levels = append(levels, "["+l.Name+"]")
			case configurator.StatePossible:
				levels = append(levels, l.Name)
			default:
				levels = append(levels, "("+l.Name+")")
				if l.Explanation != nil {
					excluded = append(excluded, fmt.Sprintf("%s=%s: %s", a.Name, l.Name, explanationText(l.Explanation)))
				}
			}
		}
		fmt.Fprintf(w, "  %-28s %s\n", a.Label+" ("+a.Name+")", strings.Join(levels, "  "))
	}
	fmt.Fprintln(w, "\n[x] selected, (x) excluded")
	if len(excluded) > 0 {
		fmt.Fprintln(w, "\nWhy levels are excluded:")
		for _, x := range excluded {
			fmt.Fprintf(w, "  %s\n", x)
		}
	}
	if len(r.Violations) > 0 {
		fmt.Fprintln(w, "\nThis configuration breaks:")
		for _, v := range r.Violations {
			fmt.Fprintf(w, "  %s\n", ruleText(configurator.RuleRef{Kind: v.Kind, Name: v.Name, Label: v.Label, Line: v.Line}))
		}
	}
	if len(r.Selection) > 0 {
		fmt.Fprintf(w, "\nRoll-up of the selection: %s\n", totalsText(m, r.RollUp))
	}
	if c := r.Completion; c != nil {
		fmt.Fprintf(w, "\nCompletion (%s): %s\n", c.Goal, choices(c.Configuration))
		fmt.Fprintf(w, "Roll-up: %s\n", totalsText(m, c.RollUp))
		var parts []string
		for _, p := range c.RollUp.Parts {
			parts = append(parts, fmt.Sprintf("%s x%d", p.Number, p.Qty))
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "Parts: %s\n", strings.Join(parts, ", "))
		}
	}
}

func choices(cs []configurator.Choice) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Attribute + "=" + c.Level
	}
	return strings.Join(out, ", ")
}

func ruleText(r configurator.RuleRef) string {
	s := r.Kind + " " + r.Name
	if r.Label != "" && r.Label != r.Name {
		s += fmt.Sprintf(" %q", r.Label)
	}
	if r.Line > 0 {
		s += fmt.Sprintf(" (line %d)", r.Line)
	}
	return s
}

func explanationText(x *configurator.ExplanationView) string {
	var b strings.Builder
	if len(x.Because) == 0 {
		b.WriteString("never possible")
	} else {
		b.WriteString("excluded by " + choices(x.Because))
	}
	if len(x.Rules) > 0 {
		var rs []string
		for _, r := range x.Rules {
			rs = append(rs, ruleText(r))
		}
		b.WriteString(" through " + strings.Join(rs, "; "))
	}
	if x.Repairable && len(x.Repair) > 0 {
		var cs []string
		for _, c := range x.Repair {
			cs = append(cs, fmt.Sprintf("%s %s -> %s", c.Attribute, c.From, c.To))
		}
		b.WriteString("; to choose it, change " + strings.Join(cs, ", "))
	}
	return b.String()
}

func totalsText(m *model.Model, r configurator.RollUpView) string {
	var out []string
	for _, p := range m.Properties {
		v, ok := r.Totals[p.Name]
		if !ok || p.Kind == model.Text {
			continue
		}
		switch {
		case p.Kind == model.Money:
			out = append(out, fmt.Sprintf("%s %s", p.Name, money(v, m.Currency)))
		case p.Unit != "":
			out = append(out, fmt.Sprintf("%s %s %s", p.Name, v, p.Unit))
		default:
			out = append(out, fmt.Sprintf("%s %s", p.Name, v))
		}
	}
	return strings.Join(out, ", ")
}

// money formats minor units as major units with two decimals.
func money(v model.Decimal, currency string) string {
	minor := v.IntPart()
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%s %d.%02d", sign, currency, minor/100, minor%100)
}
