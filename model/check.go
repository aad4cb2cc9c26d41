package model

import (
	"fmt"
	"slices"
)

// Check resolves the names in a model built in code (Parse checks the models
// it reads) and reports what is wrong with it: unknown or duplicate names,
// property values of the wrong kind, malformed rules and tables. It fills in
// the attribute and level indices of rules and tables and rebuilds the name
// indexes.
func Check(m *Model) Diagnostics {
	c := &checker{m: m}
	c.check()
	c.diags.Sort()
	return c.diags
}

// checker resolves and checks a model. refs holds positions the parser
// recorded for names that the model itself keeps no position for; without
// them, errors point at the enclosing node.
type checker struct {
	m     *Model
	refs  map[ref]Pos
	diags Diagnostics
}

func (c *checker) errorf(pos Pos, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// at returns the recorded position of a name in a node, or the node's own.
func (c *checker) at(node Pos, i int, s string) Pos {
	if p, ok := c.refs[ref{at: node, i: i, s: s}]; ok {
		return p
	}
	return node
}

// declare records a name in a namespace, reporting a duplicate as
// "duplicate WHAT (first at LINE:COL)".
func (c *checker) declare(seen map[string]Pos, name string, pos Pos, what string) {
	if first, dup := seen[name]; dup {
		c.errorf(pos, "duplicate %s (first at %d:%d)", what, first.Line, first.Col)
		return
	}
	seen[name] = pos
}

func (c *checker) check() {
	m := c.m
	m.Reindex()

	props := map[string]Pos{}
	money := false
	for _, p := range m.Properties {
		if p.Name == "parts" {
			c.errorf(p.Pos, `"parts" is built in and cannot be declared`)
			continue
		}
		c.declare(props, p.Name, p.Pos, fmt.Sprintf("property %q", p.Name))
		if p.Kind == Money && !money {
			money = true
			if m.Currency == "" {
				c.errorf(p.Pos, "money property %q needs a currency declaration (currency CODE)", p.Name)
			}
		}
		if p.Unit != "" && p.Kind != Number {
			c.errorf(p.Pos, "only number properties have a unit")
		}
	}

	groups := map[string]Pos{}
	for _, g := range m.Groups {
		c.declare(groups, g.Name, g.Pos, fmt.Sprintf("group %q", g.Name))
	}

	attrs := map[string]Pos{}
	for i := range m.Attributes {
		a := &m.Attributes[i]
		c.declare(attrs, a.Name, a.Pos, fmt.Sprintf("attribute %q", a.Name))
		if _, ok := groups[a.Group]; a.Group != "" && !ok {
			c.errorf(a.Pos, "unknown group %q", a.Group)
		}
		if len(a.Levels) == 0 {
			c.errorf(a.Pos, "attribute %q has no levels", a.Name)
		}
		if a.Default < -1 || a.Default >= len(a.Levels) {
			c.errorf(a.Pos, "attribute %q has default level %d of %d", a.Name, a.Default, len(a.Levels))
		}
		levels := map[string]Pos{}
		for j := range a.Levels {
			l := &a.Levels[j]
			c.declare(levels, l.Name, l.Pos, fmt.Sprintf("level %q of attribute %q", l.Name, a.Name))
			c.checkValues(l)
		}
	}

	// Rules and tables share one namespace.
	names := map[string]Pos{}
	for i := range m.Rules {
		r := &m.Rules[i]
		c.declare(names, r.Name, r.Pos, fmt.Sprintf("rule or table name %q", r.Name))
		switch r.Kind {
		case Requires, Excludes, Implies:
			if r.If == nil {
				c.errorf(r.Pos, "rule %q has no condition before %s", r.Name, r.Kind)
			} else {
				c.expr(r.If)
			}
		}
		if r.Then == nil {
			c.errorf(r.Pos, "rule %q has no condition", r.Name)
		} else {
			c.expr(r.Then)
		}
	}
	for i := range m.Tables {
		c.table(&m.Tables[i], names)
	}
}

// checkValues checks a level's property values against their declarations.
func (c *checker) checkValues(l *Level) {
	for _, name := range sortedNames(l.Numbers) {
		pos := c.at(l.Pos, 1, name)
		p := c.m.Property(name)
		switch {
		case p == nil:
			c.errorf(c.at(l.Pos, 0, name), "unknown property %q", name)
		case p.Kind == Text:
			c.errorf(pos, "property %q is text; want a string", name)
		case p.Kind == Money && l.Numbers[name]%DecimalScale != 0:
			c.errorf(pos, "money property %q must be a whole number of minor units, not %s", name, l.Numbers[name])
		}
	}
	for _, name := range sortedNames(l.Texts) {
		pos := c.at(l.Pos, 1, name)
		p := c.m.Property(name)
		switch {
		case p == nil:
			c.errorf(c.at(l.Pos, 0, name), "unknown property %q", name)
		case p.Kind != Text:
			c.errorf(pos, "property %q is %s; want a number", name, p.Kind)
		}
	}
	for _, pt := range l.Parts {
		if pt.Qty < 1 {
			c.errorf(l.Pos, "part %q of level %q has quantity %d; want at least 1", pt.Number, l.Name, pt.Qty)
		}
	}
}

// attr resolves an attribute name, reporting it if unknown.
func (c *checker) attr(name string, pos Pos) int {
	a := c.m.Attr(name)
	if a < 0 {
		c.errorf(pos, "unknown attribute %q", name)
	}
	return a
}

// levels resolves level names of attribute a; node and the index of each
// name locate it.
func (c *checker) levels(a int, names []string, node Pos) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = c.m.Level(a, n)
		if out[i] < 0 {
			c.errorf(c.at(node, i, ""), "unknown level %q of attribute %q", n, c.m.Attributes[a].Name)
		}
	}
	return out
}

// numProp checks that a property used in a numeric expression is a declared
// number or money property.
func (c *checker) numProp(name string, pos Pos) {
	p := c.m.Property(name)
	switch {
	case p == nil:
		c.errorf(pos, "unknown property %q", name)
	case p.Kind == Text:
		c.errorf(pos, "property %q is text; only number and money properties can be used in numeric expressions", name)
	}
}

func (c *checker) expr(e Expr) {
	switch e := e.(type) {
	case *Test:
		e.A = c.attr(e.Attr, e.P)
		e.L = nil
		if e.A >= 0 {
			e.L = c.levels(e.A, e.Levels, e.P)
		}
		if len(e.Levels) == 0 {
			c.errorf(e.P, "test of attribute %q lists no levels", e.Attr)
		}
	case *Not:
		c.expr(e.X)
	case *And:
		c.exprs(e.Xs, e.P, "and")
	case *Or:
		c.exprs(e.Xs, e.P, "or")
	case *Bool:
	case *Compare:
		if e.Op < LT || e.Op > NE {
			c.errorf(e.P, "unknown comparison operator %d", int(e.Op))
		}
		c.num(e.L, e.P)
		c.num(e.R, e.P)
	case nil:
		c.errorf(Pos{}, "missing condition")
	default:
		c.errorf(e.Position(), "unknown condition type %T", e)
	}
}

func (c *checker) exprs(xs []Expr, pos Pos, op string) {
	if len(xs) == 0 {
		c.errorf(pos, "%q with no operands", op)
	}
	for _, x := range xs {
		c.expr(x)
	}
}

// num checks a numeric expression; pos locates a missing one.
func (c *checker) num(n Num, pos Pos) {
	switch n := n.(type) {
	case *Const:
	case *PropRef:
		n.A = c.attr(n.Attr, n.P)
		c.numProp(n.Prop, n.P)
	case *Arith:
		c.num(n.L, n.P)
		c.num(n.R, n.P)
		switch n.Op {
		case '+', '-':
		case '*':
			if n.L != nil && n.R != nil && !constant(n.L) && !constant(n.R) {
				c.errorf(n.P, "product of two non-constant expressions; one side of * must be a constant")
			}
		default:
			c.errorf(n.P, "unknown arithmetic operator %q", n.Op)
		}
	case *Call:
		switch {
		case n.Fn == "abs" && len(n.Args) != 1:
			c.errorf(n.P, "abs takes one argument, not %d", len(n.Args))
		case n.Fn != "abs" && n.Fn != "min" && n.Fn != "max":
			c.errorf(n.P, "unknown function %q", n.Fn)
		case len(n.Args) == 0:
			c.errorf(n.P, "%s needs at least one argument", n.Fn)
		}
		for _, a := range n.Args {
			c.num(a, n.P)
		}
	case *SumProp:
		c.numProp(n.Prop, n.P)
	case *Count:
		if len(n.Xs) == 0 {
			c.errorf(n.P, "count needs at least one condition")
		}
		for _, x := range n.Xs {
			c.expr(x)
		}
	case nil:
		c.errorf(pos, "missing numeric expression")
	default:
		c.errorf(n.Position(), "unknown numeric expression type %T", n)
	}
}

// constant reports whether a numeric expression depends on no attribute.
func constant(n Num) bool {
	switch n := n.(type) {
	case *Const:
		return true
	case *Arith:
		return constant(n.L) && constant(n.R)
	case *Call:
		for _, a := range n.Args {
			if !constant(a) {
				return false
			}
		}
		return true
	}
	return false
}

// table checks a table and resolves its attributes and cells.
func (c *checker) table(t *Table, names map[string]Pos) {
	c.declare(names, t.Name, t.Pos, fmt.Sprintf("rule or table name %q", t.Name))
	if len(t.Attrs) == 0 {
		c.errorf(t.Pos, "table %q has no attributes", t.Name)
	}
	t.A = make([]int, len(t.Attrs))
	seen := map[string]Pos{}
	for i, name := range t.Attrs {
		pos := c.at(t.Pos, i, "")
		c.declare(seen, name, pos, fmt.Sprintf("attribute %q in table %q", name, t.Name))
		t.A[i] = c.attr(name, pos)
	}
	for i := range t.Rows {
		r := &t.Rows[i]
		if len(r.Cells) != len(t.Attrs) {
			c.errorf(r.Pos, "table row has %d %s, want %d", len(r.Cells), plural(len(r.Cells), "cell"), len(t.Attrs))
			continue
		}
		for j := range r.Cells {
			cell := &r.Cells[j]
			cell.L = nil
			if cell.Any {
				continue
			}
			if len(cell.Levels) == 0 {
				c.errorf(cell.Pos, "table cell lists no levels")
				continue
			}
			if t.A[j] >= 0 {
				cell.L = c.levels(t.A[j], cell.Levels, cell.Pos)
			}
		}
	}
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
