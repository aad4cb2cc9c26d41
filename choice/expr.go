package choice

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/suggest"
)

// Pos is a position in a specification: file, line and column (1-based;
// columns count runes).
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// tokKind classifies tokens of the specification language.
type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tNum
	tStr
	tOp // + - * / ^ ( ) { } , : = ~ == != < <= > >=
)

type token struct {
	kind tokKind
	text string
	num  float64
	pos  Pos
}

// lexLine splits one line of a specification into tokens; a # starts a
// comment that runs to the end of the line.
func lexLine(file string, line int, s string) ([]token, error) {
	var toks []token
	col := 1
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		pos := Pos{file, line, col}
		switch {
		case r == '#':
			return toks, nil
		case unicode.IsSpace(r):
			i += w
			col++
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r, w := utf8.DecodeRuneInString(s[j:])
				if r != '_' && r != '.' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += w
			}
			toks = append(toks, token{kind: tIdent, text: s[i:j], pos: pos})
			col += utf8.RuneCountInString(s[i:j])
			i = j
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					j = k
				}
			}
			v, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil {
				return nil, posErr(pos, "bad number %q", s[i:j])
			}
			toks = append(toks, token{kind: tNum, text: s[i:j], num: v, pos: pos})
			col += j - i
			i = j
		case r == '"' || r == '\'':
			j := i + 1
			for j < len(s) && rune(s[j]) != r {
				j++
			}
			if j >= len(s) {
				return nil, posErr(pos, "string not closed: add %c", r)
			}
			toks = append(toks, token{kind: tStr, text: s[i+1 : j], pos: pos})
			col += utf8.RuneCountInString(s[i : j+1])
			i = j + 1
		default:
			op := string(r)
			if i+1 < len(s) {
				switch two := s[i : i+2]; two {
				case "==", "!=", "<=", ">=":
					op = two
				}
			}
			if !strings.Contains("+-*/^(){},:=~<>!", op[:1]) || op == "!" {
				return nil, posErr(pos, "unexpected character %q", r)
			}
			toks = append(toks, token{kind: tOp, text: op, pos: pos})
			i += len(op)
			col += len(op)
		}
	}
	return toks, nil
}

// SpecError is an error at a position in a specification.
type SpecError struct {
	Pos Pos
	Msg string
}

func (e *SpecError) Error() string { return e.Pos.String() + ": " + e.Msg }

func posErr(p Pos, format string, args ...any) error {
	return &SpecError{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// expr is a node of an expression tree.
type expr interface{ pos() Pos }

type (
	numLit struct {
		p Pos
		v float64
	}
	strLit struct {
		p Pos
		v string
	}
	ident struct {
		p    Pos
		name string
	}
	unary struct {
		p  Pos
		op string // "-" or "not"
		x  expr
	}
	binary struct {
		p    Pos
		op   string // + - * / ^ == != < <= > >= and or
		x, y expr
	}
	inSet struct {
		p   Pos
		x   expr
		set []expr // numLit or strLit
		not bool
	}
	call struct {
		p    Pos
		fn   string
		args []expr
	}
)

func (e numLit) pos() Pos { return e.p }
func (e strLit) pos() Pos { return e.p }
func (e ident) pos() Pos  { return e.p }
func (e unary) pos() Pos  { return e.p }
func (e binary) pos() Pos { return e.p }
func (e inSet) pos() Pos  { return e.p }
func (e call) pos() Pos   { return e.p }

// functions maps the names of the built-in functions to their arity.
var functions = map[string]int{"log": 1, "exp": 1, "sqrt": 1, "abs": 1, "min": 2, "max": 2}

// parser reads an expression from a line's tokens.
type parser struct {
	toks []token
	i    int
	end  Pos
}

func (p *parser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: tEOF, pos: p.end}
}

func (p *parser) next() token { t := p.peek(); p.i++; return t }

func (p *parser) isOp(s string) bool { t := p.peek(); return t.kind == tOp && t.text == s }

func (p *parser) isWord(s string) bool { t := p.peek(); return t.kind == tIdent && t.text == s }

func (p *parser) expect(s string) (token, error) {
	t := p.next()
	if t.kind != tOp || t.text != s {
		return t, posErr(t.pos, "expected %q, found %s", s, describe(t))
	}
	return t, nil
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of line"
	case tStr:
		return strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

func (p *parser) parseExpr() (expr, error) { return p.parseOr() }

func (p *parser) parseOr() (expr, error) {
	x, err := p.parseAnd()
	for err == nil && p.isWord("or") {
		t := p.next()
		var y expr
		if y, err = p.parseAnd(); err == nil {
			x = binary{t.pos, "or", x, y}
		}
	}
	return x, err
}

func (p *parser) parseAnd() (expr, error) {
	x, err := p.parseNot()
	for err == nil && p.isWord("and") {
		t := p.next()
		var y expr
		if y, err = p.parseNot(); err == nil {
			x = binary{t.pos, "and", x, y}
		}
	}
	return x, err
}

func (p *parser) parseNot() (expr, error) {
	if p.isWord("not") {
		t := p.next()
		x, err := p.parseNot()
		return unary{t.pos, "not", x}, err
	}
	return p.parseCmp()
}

func (p *parser) parseCmp() (expr, error) {
	x, err := p.parseAdd()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tOp && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.next()
		y, err := p.parseAdd()
		return binary{t.pos, t.text, x, y}, err
	case t.kind == tOp && t.text == "=":
		return nil, posErr(t.pos, "use == to compare")
	case p.isWord("in"), p.isWord("not") && p.i+1 < len(p.toks) && p.toks[p.i+1].kind == tIdent && p.toks[p.i+1].text == "in":
		not := p.isWord("not")
		if not {
			p.next()
		}
		p.next()
		set, err := p.parseSet()
		return inSet{t.pos, x, set, not}, err
	}
	return x, nil
}

func (p *parser) parseSet() ([]expr, error) {
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	var set []expr
	for {
		t := p.next()
		neg := false
		if t.kind == tOp && t.text == "-" {
			neg, t = true, p.next()
		}
		switch {
		case t.kind == tNum:
			v := t.num
			if neg {
				v = -v
			}
			set = append(set, numLit{t.pos, v})
		case t.kind == tStr && !neg:
			set = append(set, strLit{t.pos, t.text})
		default:
			return nil, posErr(t.pos, "expected a number or a quoted string in the set, found %s", describe(t))
		}
		t = p.next()
		if t.kind == tOp && t.text == "}" {
			return set, nil
		}
		if t.kind != tOp || t.text != "," {
			return nil, posErr(t.pos, "expected \",\" or \"}\" in the set, found %s", describe(t))
		}
	}
}

func (p *parser) parseAdd() (expr, error) {
	x, err := p.parseMul()
	for err == nil && (p.isOp("+") || p.isOp("-")) {
		t := p.next()
		var y expr
		if y, err = p.parseMul(); err == nil {
			x = binary{t.pos, t.text, x, y}
		}
	}
	return x, err
}

func (p *parser) parseMul() (expr, error) {
	x, err := p.parseUnary()
	for err == nil && (p.isOp("*") || p.isOp("/")) {
		t := p.next()
		var y expr
		if y, err = p.parseUnary(); err == nil {
			x = binary{t.pos, t.text, x, y}
		}
	}
	return x, err
}

func (p *parser) parseUnary() (expr, error) {
	if p.isOp("-") {
		t := p.next()
		x, err := p.parseUnary()
		return unary{t.pos, "-", x}, err
	}
	if p.isOp("+") {
		p.next()
		return p.parseUnary()
	}
	return p.parsePow()
}

func (p *parser) parsePow() (expr, error) {
	x, err := p.parsePrimary()
	if err == nil && p.isOp("^") {
		t := p.next()
		var y expr
		if y, err = p.parseUnary(); err == nil {
			x = binary{t.pos, "^", x, y}
		}
	}
	return x, err
}

func (p *parser) parsePrimary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tNum:
		return numLit{t.pos, t.num}, nil
	case tStr:
		return strLit{t.pos, t.text}, nil
	case tIdent:
		switch t.text {
		case "and", "or", "not", "in":
			return nil, posErr(t.pos, "expected a value, found %q", t.text)
		}
		if p.isOp("(") {
			n, ok := functions[t.text]
			if !ok {
				return nil, posErr(t.pos, "unknown function %q (functions: log, exp, sqrt, abs, min, max)", t.text)
			}
			p.next()
			var args []expr
			for {
				a, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				args = append(args, a)
				if p.isOp(",") {
					p.next()
					continue
				}
				if _, err := p.expect(")"); err != nil {
					return nil, err
				}
				break
			}
			if len(args) != n {
				return nil, posErr(t.pos, "%s takes %d argument(s), not %d", t.text, n, len(args))
			}
			return call{t.pos, t.text, args}, nil
		}
		return ident{t.pos, t.text}, nil
	case tOp:
		if t.text == "(" {
			x, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			_, err = p.expect(")")
			return x, err
		}
	}
	return nil, posErr(t.pos, "expected a value, found %s", describe(t))
}

// evaluator returns a column expression's value on row i, or NaN. The
// compiled closures read a Table directly; a cell that is not a number
// yields NaN, which the caller reports with the row's line and the
// offending column.
type evaluator func(i int) float64

// compileData compiles a data expression (one with no parameters) over t.
// Text columns can only be compared with strings; strings appear only in
// comparisons.
func compileData(e expr, t *Table) (evaluator, error) {
	switch e := e.(type) {
	case numLit:
		v := e.v
		return func(int) float64 { return v }, nil
	case strLit:
		return nil, posErr(e.p, "a string can only be compared with a text column")
	case ident:
		c, ok := t.Column(e.name)
		if !ok {
			return nil, posErr(e.p, "unknown column %q%s", e.name, suggestion(e.name, t.Columns))
		}
		col := t.Num[c]
		return func(i int) float64 { return col[i] }, nil
	case unary:
		x, err := compileData(e.x, t)
		if err != nil {
			return nil, err
		}
		if e.op == "-" {
			return func(i int) float64 { return -x(i) }, nil
		}
		return func(i int) float64 { return b2f(x(i) == 0) }, nil
	case inSet:
		if c, ok := textColumn(e.x, t); ok {
			set := map[string]bool{}
			for _, s := range e.set {
				sl, ok := s.(strLit)
				if !ok {
					return nil, posErr(s.pos(), "column %s holds text: quote the values in the set", t.Columns[c])
				}
				set[sl.v] = true
			}
			txt, not := t.Text[c], e.not
			return func(i int) float64 { return b2f(set[txt[i]] != not) }, nil
		}
		x, err := compileData(e.x, t)
		if err != nil {
			return nil, err
		}
		var vals []float64
		for _, s := range e.set {
			nl, ok := s.(numLit)
			if !ok {
				return nil, posErr(s.pos(), "the set holds a string, but the value is a number")
			}
			vals = append(vals, nl.v)
		}
		not := e.not
		return func(i int) float64 {
			v := x(i)
			if math.IsNaN(v) {
				return v
			}
			for _, s := range vals {
				if v == s {
					return b2f(!not)
				}
			}
			return b2f(not)
		}, nil
	case binary:
		if e.op == "==" || e.op == "!=" {
			if txt, s, ok := textComparison(e, t); ok {
				eq := e.op == "=="
				return func(i int) float64 { return b2f((txt[i] == s) == eq) }, nil
			}
		}
		x, err := compileData(e.x, t)
		if err != nil {
			return nil, err
		}
		y, err := compileData(e.y, t)
		if err != nil {
			return nil, err
		}
		switch e.op {
		case "+":
			return func(i int) float64 { return x(i) + y(i) }, nil
		case "-":
			return func(i int) float64 { return x(i) - y(i) }, nil
		case "*":
			return func(i int) float64 { return x(i) * y(i) }, nil
		case "/":
			return func(i int) float64 { return x(i) / y(i) }, nil
		case "^":
			return func(i int) float64 { return math.Pow(x(i), y(i)) }, nil
		case "==":
			return cmpEval(x, y, func(a, b float64) bool { return a == b }), nil
		case "!=":
			return cmpEval(x, y, func(a, b float64) bool { return a != b }), nil
		case "<":
			return cmpEval(x, y, func(a, b float64) bool { return a < b }), nil
		case "<=":
			return cmpEval(x, y, func(a, b float64) bool { return a <= b }), nil
		case ">":
			return cmpEval(x, y, func(a, b float64) bool { return a > b }), nil
		case ">=":
			return cmpEval(x, y, func(a, b float64) bool { return a >= b }), nil
		case "and":
			return func(i int) float64 { return b2f(x(i) != 0 && y(i) != 0) }, nil
		case "or":
			return func(i int) float64 { return b2f(x(i) != 0 || y(i) != 0) }, nil
		}
	case call:
		var args []evaluator
		for _, a := range e.args {
			ev, err := compileData(a, t)
			if err != nil {
				return nil, err
			}
			args = append(args, ev)
		}
		x := args[0]
		switch e.fn {
		case "log":
			return func(i int) float64 { return math.Log(x(i)) }, nil
		case "exp":
			return func(i int) float64 { return math.Exp(x(i)) }, nil
		case "sqrt":
			return func(i int) float64 { return math.Sqrt(x(i)) }, nil
		case "abs":
			return func(i int) float64 { return math.Abs(x(i)) }, nil
		case "min":
			y := args[1]
			return func(i int) float64 { return math.Min(x(i), y(i)) }, nil
		case "max":
			y := args[1]
			return func(i int) float64 { return math.Max(x(i), y(i)) }, nil
		}
	}
	return nil, posErr(e.pos(), "cannot evaluate this expression")
}

func cmpEval(x, y evaluator, f func(a, b float64) bool) evaluator {
	return func(i int) float64 {
		a, b := x(i), y(i)
		if math.IsNaN(a) || math.IsNaN(b) {
			return math.NaN()
		}
		return b2f(f(a, b))
	}
}

// textColumn reports whether e names a text column of t.
func textColumn(e expr, t *Table) (int, bool) {
	id, ok := e.(ident)
	if !ok {
		return 0, false
	}
	c, ok := t.Column(id.name)
	return c, ok && t.Text[c] != nil
}

// textComparison recognises column == "text" and "text" == column, and
// returns the column's cells as text. A numeric column compared with a
// string is compared by its cells' text, so region == "3" works on either
// kind of column.
func textComparison(e binary, t *Table) ([]string, string, bool) {
	if s, ok := e.y.(strLit); ok {
		if id, ok := e.x.(ident); ok {
			if c, ok := t.Column(id.name); ok {
				if t.Text[c] != nil {
					return t.Text[c], s.v, true
				}
				txt := make([]string, t.Rows())
				for i, x := range t.Num[c] {
					txt[i] = numText(x)
				}
				return txt, s.v, true
			}
		}
	}
	if _, ok := e.x.(strLit); ok {
		return textComparison(binary{e.p, e.op, e.y, e.x}, t)
	}
	return nil, "", false
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// identsOf appends the identifiers of the identifiers in e that are not
// function names, in order of appearance.
func identsOf(e expr, out []ident) []ident {
	switch e := e.(type) {
	case ident:
		out = append(out, e)
	case unary:
		out = identsOf(e.x, out)
	case binary:
		out = identsOf(e.y, identsOf(e.x, out))
	case inSet:
		out = identsOf(e.x, out)
	case call:
		for _, a := range e.args {
			out = identsOf(a, out)
		}
	}
	return out
}

// suggestion returns " (did you mean X?)" for the closest of names to
// name, or "".
func suggestion(name string, names []string) string {
	if c := suggest.Closest(name, names); c != "" {
		return fmt.Sprintf(" (did you mean %s?)", c)
	}
	return ""
}
