package choice

import (
	"fmt"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
)

// Layout is how a data file arranges choice situations.
type Layout int

// The layouts. In the long layout every row is one alternative of one case
// (with a case id, an alternative id and a chosen 0/1 column); in the wide
// layout every row is one case, with a column naming the chosen
// alternative and per-alternative columns.
const (
	LayoutUnset Layout = iota
	Long
	Wide
)

func (l Layout) String() string {
	switch l {
	case Long:
		return "long"
	case Wide:
		return "wide"
	}
	return "unset"
}

// ParseLayout returns the layout named s ("long" or "wide").
func ParseLayout(s string) (Layout, error) {
	switch s {
	case "long":
		return Long, nil
	case "wide":
		return Wide, nil
	}
	return LayoutUnset, errs.Errorf(errs.Invalid, "layout %q: want long or wide", s)
}

// Spec is a parsed utility specification; see docs/choice-models.md for
// the language. Compile applies it to a Table.
type Spec struct {
	File   string
	Layout Layout
	// Column roles. Long: Case, Alternative, Chosen. Wide: Choice.
	// Either: Panel, Weight. CaseMore holds further columns of a case key
	// made of several columns (case resp task).
	Case, Alternative, Chosen, Choice, Panel, Weight colRef
	CaseMore                                         []colRef
	// Alternatives as declared, in order (may be empty: then they come from
	// the utility lines (wide) or the alternative column (long)).
	Alternatives []altDecl
	Utilities    []lineExpr
	Avail        []lineExpr
	Exclude      []lineExpr
	Fix          []paramValue
	Start        []paramValue
	Random       []randomDecl
	Correlated   bool
}

type colRef struct {
	Name string
	Pos  Pos
}

type altDecl struct {
	Name, Code string // Code defaults to Name
	Pos        Pos
}

// lineExpr is an expression that belongs to an alternative ("*" for all)
// or, for exclusions, to none.
type lineExpr struct {
	Alt string
	Pos Pos
	X   expr
}

type paramValue struct {
	Name  string
	Value float64
	Pos   Pos
}

type randomDecl struct {
	Name string
	Dist Distribution
	Pos  Pos
}

// maxSpecErrors bounds how many errors ParseSpec and Compile report.
const maxSpecErrors = 20

// ParseSpec parses a utility specification. The error, if any, lists every
// problem found (up to 20), each as file:line:col: message, and has code
// errs.Invalid.
func ParseSpec(file string, src []byte) (*Spec, error) {
	s := &Spec{File: file}
	var problems []error
	seenParam := map[string]Pos{}
	// A statement is one line, or several when a line starting with +, -,
	// * or / continues the expression of the line before.
	type statement struct {
		toks []token
		end  Pos
	}
	var stmts []statement
	for i, text := range strings.Split(string(src), "\n") {
		line := i + 1
		text = strings.TrimSuffix(text, "\r")
		toks, err := lexLine(file, line, text)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if len(toks) == 0 {
			continue
		}
		end := Pos{file, line, len([]rune(text)) + 1}
		if t := toks[0]; t.kind == tOp && strings.Contains("+-*/", t.text) {
			if len(stmts) == 0 {
				problems = append(problems, posErr(t.pos, "a line starting with %s continues the expression above, but there is none", t.text))
				continue
			}
			last := &stmts[len(stmts)-1]
			last.toks = append(last.toks, toks...)
			last.end = end
			continue
		}
		stmts = append(stmts, statement{toks, end})
	}
	for _, st := range stmts {
		if len(problems) >= maxSpecErrors {
			break
		}
		if err := s.parseLine(st.toks, st.end, seenParam); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) == 0 && len(s.Utilities) == 0 {
		problems = append(problems, posErr(Pos{file, 1, 1}, "no utility lines: write one per alternative, e.g. utility car: asc_car + b_cost * car_cost"))
	}
	if len(problems) > 0 {
		return nil, invalid(problems)
	}
	return s, nil
}

// invalid joins problems into one error with code errs.Invalid.
func invalid(problems []error) error {
	msgs := make([]string, 0, len(problems))
	for _, p := range problems {
		msgs = append(msgs, p.Error())
	}
	return &errs.Error{Code: errs.Invalid, Message: strings.Join(msgs, "\n")}
}

var keywords = []string{"layout", "case", "alternative", "chosen", "choice", "panel", "weight", "alternatives",
	"utility", "avail", "exclude", "fix", "start", "random", "correlated"}

func (s *Spec) parseLine(toks []token, end Pos, seenParam map[string]Pos) error {
	kw := toks[0]
	if kw.kind != tIdent {
		return posErr(kw.pos, "expected a keyword (%s), found %s", strings.Join(keywords, ", "), describe(kw))
	}
	p := &parser{toks: toks[1:], end: end}
	done := func() error {
		if t := p.peek(); t.kind != tEOF {
			return posErr(t.pos, "unexpected %s", describe(t))
		}
		return nil
	}
	switch kw.text {
	case "layout":
		t := p.next()
		l, err := ParseLayout(t.text)
		if t.kind != tIdent || err != nil {
			return posErr(t.pos, "layout: want long or wide, found %s", describe(t))
		}
		if s.Layout != LayoutUnset {
			return posErr(kw.pos, "layout given twice")
		}
		s.Layout = l
		return done()
	case "case", "alternative", "chosen", "choice", "panel", "weight":
		t := p.next()
		if t.kind != tIdent {
			return posErr(t.pos, "%s: expected a column name, found %s", kw.text, describe(t))
		}
		ref := map[string]*colRef{"case": &s.Case, "alternative": &s.Alternative, "chosen": &s.Chosen,
			"choice": &s.Choice, "panel": &s.Panel, "weight": &s.Weight}[kw.text]
		if ref.Name != "" {
			return posErr(kw.pos, "%s column given twice (first at line %d)", kw.text, ref.Pos.Line)
		}
		*ref = colRef{t.text, t.pos}
		for kw.text == "case" && p.peek().kind == tIdent {
			t := p.next()
			s.CaseMore = append(s.CaseMore, colRef{t.text, t.pos})
		}
		return done()
	case "alternatives":
		if len(s.Alternatives) > 0 {
			return posErr(kw.pos, "alternatives given twice")
		}
		seen := map[string]bool{}
		for p.peek().kind != tEOF {
			t := p.next()
			if t.kind != tIdent && t.kind != tNum && t.kind != tStr {
				return posErr(t.pos, "alternatives: expected a name, found %s", describe(t))
			}
			a := altDecl{Name: t.text, Code: t.text, Pos: t.pos}
			if p.isOp("=") {
				p.next()
				c := p.next()
				if c.kind != tIdent && c.kind != tNum && c.kind != tStr {
					return posErr(c.pos, "alternatives: expected the code of %s in the choice or alternative column, found %s", a.Name, describe(c))
				}
				a.Code = c.text
			}
			if seen[a.Name] {
				return posErr(t.pos, "alternative %s listed twice", a.Name)
			}
			seen[a.Name] = true
			s.Alternatives = append(s.Alternatives, a)
		}
		if len(s.Alternatives) < 2 {
			return posErr(kw.pos, "alternatives: list at least two, e.g. alternatives train=1 sm=2 car=3")
		}
		return nil
	case "utility", "avail":
		t := p.next()
		alt := t.text
		switch {
		case t.kind == tOp && t.text == "*":
		case t.kind == tIdent || t.kind == tNum || t.kind == tStr:
		default:
			return posErr(t.pos, "%s: expected an alternative name or *, found %s", kw.text, describe(t))
		}
		if _, err := p.expect(":"); err != nil {
			return err
		}
		x, err := p.parseExpr()
		if err != nil {
			return err
		}
		if err := done(); err != nil {
			return err
		}
		le := lineExpr{Alt: alt, Pos: t.pos, X: x}
		if kw.text == "utility" {
			s.Utilities = append(s.Utilities, le)
		} else {
			s.Avail = append(s.Avail, le)
		}
		return nil
	case "exclude":
		x, err := p.parseExpr()
		if err != nil {
			return err
		}
		s.Exclude = append(s.Exclude, lineExpr{Pos: kw.pos, X: x})
		return done()
	case "fix", "start":
		name := p.next()
		if name.kind != tIdent {
			return posErr(name.pos, "%s: expected a parameter name, found %s", kw.text, describe(name))
		}
		if _, err := p.expect("="); err != nil {
			return err
		}
		neg := false
		if p.isOp("-") {
			p.next()
			neg = true
		}
		v := p.next()
		if v.kind != tNum {
			return posErr(v.pos, "%s %s: expected a number, found %s", kw.text, name.text, describe(v))
		}
		pv := paramValue{name.text, v.num, name.pos}
		if neg {
			pv.Value = -pv.Value
		}
		key := kw.text + " " + name.text
		if first, dup := seenParam[key]; dup {
			return posErr(name.pos, "%s %s given twice (first at line %d)", kw.text, name.text, first.Line)
		}
		seenParam[key] = name.pos
		if kw.text == "fix" {
			s.Fix = append(s.Fix, pv)
		} else {
			s.Start = append(s.Start, pv)
		}
		return done()
	case "random":
		name := p.next()
		if name.kind != tIdent {
			return posErr(name.pos, "random: expected a parameter name, found %s", describe(name))
		}
		if _, err := p.expect("~"); err != nil {
			return err
		}
		d := p.next()
		dist, ok := ParseDistribution(d.text)
		if d.kind != tIdent || !ok {
			return posErr(d.pos, "random %s: expected a distribution (normal, lognormal, triangular, uniform), found %s", name.text, describe(d))
		}
		if first, dup := seenParam["random "+name.text]; dup {
			return posErr(name.pos, "random %s given twice (first at line %d)", name.text, first.Line)
		}
		seenParam["random "+name.text] = name.pos
		s.Random = append(s.Random, randomDecl{name.text, dist, name.pos})
		return done()
	case "correlated":
		s.Correlated = true
		return done()
	}
	return posErr(kw.pos, "unknown keyword %q%s; lines start with one of: %s", kw.text, suggestion(kw.text, keywords), strings.Join(keywords, ", "))
}

// String returns a one-line summary of s, for logs.
func (s *Spec) String() string {
	return fmt.Sprintf("%s: %s layout, %d utility lines", s.File, s.Layout, len(s.Utilities))
}
