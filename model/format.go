package model

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Format prints m in the model language, in a canonical layout: header,
// properties, groups and attributes, rules, tables. Parse reads the result
// back to an equal model (positions aside). Unnamed rules and tables get
// their generated names written out, and labels are always quoted.
func Format(m *Model) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "model %s", quote(m.Name))
	if m.Version != "" {
		fmt.Fprintf(&b, " version %s", quote(m.Version))
	}
	b.WriteByte('\n')
	if m.Currency != "" {
		fmt.Fprintf(&b, "currency %s\n", m.Currency)
	}

	if len(m.Properties) > 0 {
		b.WriteByte('\n')
	}
	for _, p := range m.Properties {
		fmt.Fprintf(&b, "property %s %s", p.Name, p.Kind)
		if p.Unit != "" {
			fmt.Fprintf(&b, " unit %s", quote(p.Unit))
		}
		if p.Rollup != Sum {
			fmt.Fprintf(&b, " rollup %s", p.Rollup)
		}
		fmt.Fprintf(&b, " %s\n", quote(p.Label))
	}

	formatAttributes(&b, m)

	if len(m.Rules) > 0 {
		b.WriteByte('\n')
	}
	for _, r := range m.Rules {
		kw := "rule"
		if _, ok := r.Then.(*Compare); ok && r.Kind == Constraint {
			kw = "constraint"
		}
		fmt.Fprintf(&b, "%s %s", kw, r.Name)
		if r.Label != "" {
			fmt.Fprintf(&b, " %s", quote(r.Label))
		}
		b.WriteString(": ")
		if r.Kind != Constraint {
			fmt.Fprintf(&b, "%s %s ", FormatExpr(r.If), r.Kind)
		}
		b.WriteString(FormatExpr(r.Then))
		b.WriteByte('\n')
	}

	for _, t := range m.Tables {
		b.WriteByte('\n')
		fmt.Fprintf(&b, "table %s", t.Name)
		if t.Label != "" {
			fmt.Fprintf(&b, " %s", quote(t.Label))
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(t.Attrs, ", "))
		if t.Forbid {
			b.WriteString(" forbid")
		}
		b.WriteString(" {\n")
		for _, r := range t.Rows {
			b.WriteString(" ")
			for j, c := range r.Cells {
				b.WriteByte(' ')
				switch {
				case c.Any:
					b.WriteByte('*')
				case len(c.Levels) == 1 && !(j == 0 && topKeywords[c.Levels[0]]):
					// A row cannot start with a top-level keyword, which
					// would end an unclosed table; a set avoids that.
					b.WriteString(c.Levels[0])
				default:
					fmt.Fprintf(&b, "{%s}", strings.Join(c.Levels, ", "))
				}
			}
			b.WriteByte('\n')
		}
		b.WriteString("}\n")
	}
	return b.Bytes()
}

// formatAttributes prints groups and attributes in model order: a run of
// attributes of one group becomes a group block; groups without attributes
// keep their place among the others.
func formatAttributes(b *bytes.Buffer, m *Model) {
	used := map[string]bool{}
	for _, a := range m.Attributes {
		used[a.Group] = true
	}
	gi := 0
	emptyGroups := func() {
		for gi < len(m.Groups) && !used[m.Groups[gi].Name] {
			g := m.Groups[gi]
			fmt.Fprintf(b, "\ngroup %s %s {\n}\n", g.Name, quote(g.Label))
			gi++
		}
	}
	for i := 0; i < len(m.Attributes); {
		emptyGroups()
		a := &m.Attributes[i]
		if a.Group == "" {
			b.WriteByte('\n')
			formatAttribute(b, m, a, "")
			i++
			continue
		}
		label := a.Group
		if k := slices.IndexFunc(m.Groups, func(g Group) bool { return g.Name == a.Group }); k >= 0 {
			label = m.Groups[k].Label
		}
		fmt.Fprintf(b, "\ngroup %s %s {\n", a.Group, quote(label))
		for ; i < len(m.Attributes) && m.Attributes[i].Group == a.Group; i++ {
			formatAttribute(b, m, &m.Attributes[i], "  ")
		}
		b.WriteString("}\n")
		if gi < len(m.Groups) && m.Groups[gi].Name == a.Group {
			gi++
		}
	}
	emptyGroups()
}

func formatAttribute(b *bytes.Buffer, m *Model, a *Attribute, indent string) {
	fmt.Fprintf(b, "%sattribute %s %s {\n", indent, a.Name, quote(a.Label))
	for j := range a.Levels {
		l := &a.Levels[j]
		fmt.Fprintf(b, "%s  level %s %s", indent, l.Name, quote(l.Label))
		if j == a.Default {
			b.WriteString(" default")
		}
		var vals []string
		value := func(name string) {
			if v, ok := l.Numbers[name]; ok {
				vals = append(vals, name+" "+v.String())
			}
			if v, ok := l.Texts[name]; ok {
				vals = append(vals, name+" "+quote(v))
			}
		}
		// Declared properties in declaration order, then any others.
		declared := map[string]bool{}
		for _, p := range m.Properties {
			if !declared[p.Name] {
				declared[p.Name] = true
				value(p.Name)
			}
		}
		for _, name := range sortedNames(l.Numbers) {
			if !declared[name] {
				value(name)
			}
		}
		for _, name := range sortedNames(l.Texts) {
			if !declared[name] {
				if _, ok := l.Numbers[name]; !ok {
					value(name)
				}
			}
		}
		if len(l.Parts) > 0 {
			// Parts come last: after a part, a name such as x2 would be
			// read as its quantity.
			ps := make([]string, len(l.Parts))
			for k, p := range l.Parts {
				ps[k] = quote(p.Number)
				if p.Qty != 1 {
					ps[k] += fmt.Sprintf(" x%d", p.Qty)
				}
			}
			vals = append(vals, "parts "+strings.Join(ps, ", "))
		}
		if len(vals) > 0 {
			fmt.Fprintf(b, " { %s }", strings.Join(vals, "  "))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(b, "%s}\n", indent)
}

// Precedences of conditions and numeric expressions, loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precAtom
)

const (
	precSum = iota + 1
	precProduct
	precPrimary
)

// FormatExpr prints a condition in the model language with as few
// parentheses as its structure needs.
func FormatExpr(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

// FormatNum prints a numeric expression in the model language.
func FormatNum(n Num) string {
	var b strings.Builder
	writeNum(&b, n, 0)
	return b.String()
}

func exprPrec(e Expr) int {
	switch e.(type) {
	case *Or:
		return precOr
	case *And:
		return precAnd
	case *Not:
		return precNot
	}
	return precAtom
}

// writeExpr prints e, in parentheses if it binds looser than min.
func writeExpr(b *strings.Builder, e Expr, min int) {
	if exprPrec(e) < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch e := e.(type) {
	case *Or:
		for i, x := range e.Xs {
			if i > 0 {
				b.WriteString(" or ")
			}
			writeExpr(b, x, precOr)
		}
	case *And:
		for i, x := range e.Xs {
			if i > 0 {
				b.WriteString(" and ")
			}
			writeExpr(b, x, precAnd)
		}
	case *Not:
		b.WriteString("not ")
		writeExpr(b, e.X, precNot)
	case *Bool:
		fmt.Fprint(b, e.V)
	case *Test:
		switch {
		case len(e.Levels) == 1 && e.Negate:
			fmt.Fprintf(b, "%s != %s", e.Attr, e.Levels[0])
		case len(e.Levels) == 1:
			fmt.Fprintf(b, "%s = %s", e.Attr, e.Levels[0])
		case e.Negate:
			fmt.Fprintf(b, "%s not in {%s}", e.Attr, strings.Join(e.Levels, ", "))
		default:
			fmt.Fprintf(b, "%s in {%s}", e.Attr, strings.Join(e.Levels, ", "))
		}
	case *Compare:
		writeNum(b, e.L, 0)
		fmt.Fprintf(b, " %s ", e.Op)
		writeNum(b, e.R, 0)
	case nil:
		b.WriteString("<nil>")
	default:
		fmt.Fprintf(b, "<%T>", e)
	}
}

func numPrec(n Num) int {
	if a, ok := n.(*Arith); ok {
		if a.Op == '*' {
			return precProduct
		}
		return precSum
	}
	return precPrimary
}

// writeNum prints n, in parentheses if it binds looser than min. Operators
// associate to the left, so a right operand of equal precedence is
// parenthesised to keep the tree as it is.
func writeNum(b *strings.Builder, n Num, min int) {
	p := numPrec(n)
	if p < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch n := n.(type) {
	case *Const:
		b.WriteString(n.V.String())
	case *PropRef:
		fmt.Fprintf(b, "%s.%s", n.Attr, n.Prop)
	case *Arith:
		writeNum(b, n.L, p)
		fmt.Fprintf(b, " %c ", n.Op)
		writeNum(b, n.R, p+1)
	case *Call:
		fmt.Fprintf(b, "%s(", n.Fn)
		for i, a := range n.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeNum(b, a, 0)
		}
		b.WriteByte(')')
	case *SumProp:
		fmt.Fprintf(b, "sum(%s)", n.Prop)
	case *Count:
		b.WriteString("count(")
		for i, x := range n.Xs {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, x, 0)
		}
		b.WriteByte(')')
	case nil:
		b.WriteString("<nil>")
	default:
		fmt.Fprintf(b, "<%T>", n)
	}
}
