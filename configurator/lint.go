package configurator

import (
	"fmt"
	"strings"

	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
)

// lintBudget bounds the consistency checks spent proving one rule
// redundant; a rule whose check runs out is not reported.
const lintBudget = 20_000

// Lint returns warnings about a compiled model: a model with no valid
// configuration, dead levels (in no valid configuration) and redundant rules
// and tables (removing them would not change the valid configurations).
func Lint(e *Engine) model.Diagnostics {
	var ds model.Diagnostics
	m := e.m
	if !e.Consistent(e.NewSelection()) {
		rules, _ := e.responsibleRules(e.NewSelection())
		ds = append(ds, model.Diagnostic{Pos: firstPos(m), Severity: model.Warning,
			Msg: "the model has no valid configuration" + e.because(rules)})
		return ds
	}
	for a := range m.Attributes {
		at := &m.Attributes[a]
		for l := range at.Levels {
			if e.domains[a][l] {
				continue
			}
			sel := e.NewSelection()
			sel[a] = l
			rules, _ := e.responsibleRules(sel)
			ds = append(ds, model.Diagnostic{Pos: at.Levels[l].Pos, Severity: model.Warning,
				Msg: fmt.Sprintf("level %s of attribute %s is dead: no valid configuration uses it%s", at.Levels[l].Name, at.Name, e.because(rules))})
		}
	}
	for o := range e.p.Origins {
		if redundant, ok := e.redundant(o); ok && redundant {
			or := e.p.Origins[o]
			kind := "rule"
			if or.Kind == csp.FromTable {
				kind = "table"
			}
			ds = append(ds, model.Diagnostic{Pos: or.Pos, Severity: model.Warning,
				Msg: fmt.Sprintf("%s %s is redundant: the other rules already imply it", kind, or.Name)})
		}
	}
	ds.Sort()
	return ds
}

func firstPos(m *model.Model) model.Pos {
	if len(m.Attributes) > 0 {
		return model.Pos{File: m.Attributes[0].Pos.File, Line: 1, Col: 1}
	}
	return model.Pos{Line: 1, Col: 1}
}

func (e *Engine) because(origins []int) string {
	if len(origins) == 0 {
		return ""
	}
	names := make([]string, len(origins))
	for i, o := range origins {
		names[i] = e.p.Origins[o].Name
	}
	return " (because of " + strings.Join(names, ", ") + ")"
}

// redundant reports whether the valid configurations stay the same without
// origin o: the model compiled without it admits no assignment that o
// forbids. ok is false if the check ran out of budget.
func (e *Engine) redundant(o int) (redundant, ok bool) {
	p := e.p
	var own []*csp.Relation
	q := &csp.Problem{Model: p.Model, Vars: p.Vars, Origins: p.Origins}
	for _, r := range p.Relations {
		if r.Origin == o {
			own = append(own, r)
		} else {
			q.Relations = append(q.Relations, r)
		}
	}
	if len(own) != 1 {
		return false, false // chains of partial sums are not checked
	}
	rel := own[0]
	without, err := CompileProblem(q, Options{})
	if err != nil {
		return false, false
	}
	// Search the assignments of the relation's scope that the rest of the
	// model allows, one variable at a time, for one the relation forbids.
	sel := without.NewSelection()
	budget := lintBudget
	vals := make([]int32, len(rel.Scope))
	var found, exhausted bool
	var walk func(i int)
	walk = func(i int) {
		if found || exhausted {
			return
		}
		if i == len(rel.Scope) {
			if !rel.Allows(vals) {
				found = true
			}
			return
		}
		v := rel.Scope[i]
		for x := 0; x < p.Vars[v].Size && !found && !exhausted; x++ {
			budget--
			if budget < 0 {
				exhausted = true
				return
			}
			vals[i] = int32(x)
			if v < len(sel) {
				sel[v] = x
				if without.Consistent(sel) {
					walk(i + 1)
				}
				sel[v] = -1
			} else {
				walk(i + 1)
			}
		}
	}
	walk(0)
	if exhausted {
		return false, false
	}
	return !found, true
}
