package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse reads a model in the model language (docs/model-language.md) from
// src, naming positions after file, and checks it. It reports every problem
// it finds, not only the first, sorted by position. The returned model is
// never nil; when there are errors it holds what could be read.
func Parse(file string, src []byte) (*Model, Diagnostics) {
	toks, diags := lex(file, src)
	p := &parser{
		file:  file,
		toks:  toks,
		tok:   toks[0],
		m:     &Model{},
		refs:  map[ref]Pos{},
		names: map[string]bool{},
	}
	p.diags = diags
	p.errPos = map[Pos]bool{}
	for _, d := range diags {
		p.errPos[d.Pos] = true
	}
	p.parseFile()
	c := &checker{m: p.m, refs: p.refs}
	c.check()
	ds := append(p.diags, c.diags...)
	ds.Sort()
	return p.m, ds
}

// ref keys the position of a name inside a node that records only one
// position: the i-th level of a test or cell, the i-th attribute of a
// table, or the value of property s of a level.
type ref struct {
	at Pos
	i  int
	s  string
}

// parser builds a Model from tokens. Syntax errors are recorded and parsing
// resumes at the next declaration or closing brace, so that one run reports
// every error.
type parser struct {
	file  string
	toks  []token
	i     int
	tok   token
	m     *Model
	diags Diagnostics
	refs  map[ref]Pos
	names map[string]bool // generated rule and table names

	modelPos *Pos         // position of the model header, if seen
	errPos   map[Pos]bool // positions with an error
	closer   []int        // index of the ")" matching each "(", or -1
}

func (p *parser) next() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
	p.tok = p.toks[p.i]
}

// peek returns the token k places after the current one.
func (p *parser) peek(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) errorf(pos Pos, format string, args ...any) {
	// One error per position: a second one is nearly always a consequence
	// of the first.
	if p.errPos[pos] {
		return
	}
	p.errPos[pos] = true
	p.diags = append(p.diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// unexpected reports that the current token is not what was wanted.
func (p *parser) unexpected(want string) {
	p.errorf(p.tok.pos, "expected %s, found %s", want, p.tok.describe())
}

// got consumes the current token if it is s.
func (p *parser) got(s string) bool {
	if p.tok.is(s) {
		p.next()
		return true
	}
	return false
}

// expect consumes s or reports it missing; where says where s belongs,
// as in `":" after rule name`.
func (p *parser) expect(s, where string) bool {
	if p.got(s) {
		return true
	}
	p.unexpected(strconv.Quote(s) + where)
	return false
}

// name consumes a name, reporting what was wanted if the token is not one.
func (p *parser) name(what string) (string, Pos, bool) {
	t := p.tok
	if t.kind != tName {
		p.unexpected(what)
		return "", t.pos, false
	}
	if reserved[t.text] {
		p.errorf(t.pos, "%q is a reserved word and cannot be a name", t.text)
		return "", t.pos, false
	}
	p.next()
	return t.text, t.pos, true
}

// optString consumes an optional string and reports whether there was one.
func (p *parser) optString() (string, bool) {
	if p.tok.kind == tString {
		s := p.tok.text
		p.next()
		return s, true
	}
	return "", false
}

func (p *parser) atTop() bool { return p.tok.kind == tName && topKeywords[p.tok.text] }

// syncTop skips to the next top-level keyword that starts a line, outside
// braces opened while skipping; a keyword other than "attribute" also ends
// the skip inside braces, since it means a "}" is missing.
func (p *parser) syncTop() {
	depth := 0
	for p.tok.kind != tEOF {
		if p.tok.first && p.atTop() && (depth <= 0 || p.tok.text != "attribute") {
			return
		}
		switch {
		case p.tok.is("{"):
			depth++
		case p.tok.is("}"):
			depth--
		}
		p.next()
	}
}

// skipBlock skips the rest of a malformed item inside braces: it stops
// before the "}" that closes the enclosing block, before one of stops
// starting a line, or at a top-level keyword starting a line, which means a
// "}" is missing; it then reports false.
func (p *parser) skipBlock(stops ...string) bool {
	depth := 0
	for p.tok.kind != tEOF {
		if p.tok.first && p.atTop() && !(depth == 0 && contains(stops, p.tok.text)) {
			return false
		}
		if depth == 0 && p.tok.first && p.tok.kind == tName && contains(stops, p.tok.text) {
			return true
		}
		switch {
		case p.tok.is("{"):
			depth++
		case p.tok.is("}"):
			if depth == 0 {
				return true
			}
			depth--
		}
		p.next()
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) parseFile() {
	for p.tok.kind != tEOF {
		if !p.atTop() {
			if p.tok.is("}") {
				p.errorf(p.tok.pos, `unexpected "}"`)
			} else {
				p.unexpected("model, currency, property, group, attribute, rule, constraint or table")
			}
			p.next()
			p.syncTop()
			continue
		}
		var ok bool
		switch p.tok.text {
		case "model":
			ok = p.parseHeader()
		case "currency":
			ok = p.parseCurrency()
		case "property":
			ok = p.parseProperty()
		case "group":
			ok = p.parseGroup()
		case "attribute":
			ok = p.parseAttribute("")
		case "rule", "constraint":
			ok = p.parseRule()
		case "table":
			ok = p.parseTable()
		}
		if !ok {
			p.syncTop()
		}
	}
	first := p.toks[0].pos
	switch {
	case p.modelPos == nil:
		p.errorf(first, `missing model header: a model starts with model "NAME" version "VERSION"`)
	case *p.modelPos != first:
		p.errorf(*p.modelPos, "the model header must come first")
	}
}

// parseHeader parses `model "NAME" [version "VERSION"]`.
func (p *parser) parseHeader() bool {
	pos := p.tok.pos
	p.next()
	if p.modelPos != nil {
		p.errorf(pos, "duplicate model header (first at %d:%d)", p.modelPos.Line, p.modelPos.Col)
	} else {
		p.modelPos = &pos
	}
	name, ok := p.optString()
	if !ok {
		p.unexpected(`model name in quotes after "model"`)
		return false
	}
	p.m.Name = name
	if p.got("version") {
		v, ok := p.optString()
		if !ok {
			p.unexpected(`version in quotes after "version"`)
			return false
		}
		p.m.Version = v
	}
	return true
}

// parseCurrency parses `currency CODE`.
func (p *parser) parseCurrency() bool {
	pos := p.tok.pos
	p.next()
	code, cpos, ok := p.name("currency code after \"currency\"")
	if !ok {
		return false
	}
	if p.m.Currency != "" {
		p.errorf(pos, "duplicate currency")
	}
	if len(code) != 3 || strings.IndexFunc(code, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		p.errorf(cpos, "currency %q is not an ISO 4217 code of three capital letters", code)
	}
	p.m.Currency = code
	return true
}

// parseProperty parses `property NAME KIND [unit "UNIT"] [rollup sum|max|min] ["LABEL"]`.
func (p *parser) parseProperty() bool {
	p.next()
	name, pos, ok := p.name("property name")
	if !ok {
		return false
	}
	pr := Property{Name: name, Label: name, Pos: pos}
	kt := p.tok
	switch {
	case kt.is("number"):
		pr.Kind = Number
	case kt.is("money"):
		pr.Kind = Money
	case kt.is("text"):
		pr.Kind = Text
	case kt.kind == tName && !p.tok.first:
		p.errorf(kt.pos, "unknown property kind %q; want number, money or text", kt.text)
		return false
	default:
		p.unexpected(fmt.Sprintf("kind of property %q (number, money or text)", name))
		return false
	}
	p.next()
	if p.tok.is("unit") {
		p.next()
		u, ok := p.optString()
		if !ok {
			p.unexpected(`unit in quotes after "unit"`)
			return false
		}
		pr.Unit = u
	}
	if p.tok.is("rollup") {
		p.next()
		switch {
		case p.tok.is("sum"):
			pr.Rollup = Sum
		case p.tok.is("max"):
			pr.Rollup = Max
		case p.tok.is("min"):
			pr.Rollup = Min
		default:
			p.unexpected(`sum, max or min after "rollup"`)
			return false
		}
		if pr.Kind == Text {
			p.errorf(p.tok.pos, "a text property has no roll-up")
		}
		p.next()
	}
	if l, ok := p.optString(); ok {
		pr.Label = l
	}
	p.m.Properties = append(p.m.Properties, pr)
	return true
}

// parseGroup parses `group NAME ["LABEL"] { attribute ... }`.
func (p *parser) parseGroup() bool {
	p.next()
	name, pos, ok := p.name("group name")
	if !ok {
		return false
	}
	g := Group{Name: name, Label: name, Pos: pos}
	if l, ok := p.optString(); ok {
		g.Label = l
	}
	if !p.expect("{", " after group name") {
		return false
	}
	p.m.Groups = append(p.m.Groups, g)
	for {
		switch {
		case p.got("}"):
			return true
		case p.tok.is("attribute"):
			if !p.parseAttribute(name) && !p.skipBlock("attribute") {
				return false
			}
		default:
			p.unexpected(fmt.Sprintf(`"attribute" or "}" in group %q`, name))
			if p.atTop() && p.tok.first || !p.skipBlock("attribute") {
				return false
			}
		}
	}
}

// parseAttribute parses `attribute NAME ["LABEL"] { level ... }`.
func (p *parser) parseAttribute(group string) bool {
	p.next()
	name, pos, ok := p.name("attribute name")
	if !ok {
		return false
	}
	a := Attribute{Name: name, Label: name, Group: group, Default: -1, Pos: pos}
	if l, ok := p.optString(); ok {
		a.Label = l
	}
	if !p.expect("{", " after attribute name") {
		return false
	}
	defer func() { p.m.Attributes = append(p.m.Attributes, a) }()
	for {
		switch {
		case p.got("}"):
			return true
		case p.tok.is("level"):
			p.parseLevel(&a)
		default:
			p.unexpected(fmt.Sprintf(`"level" or "}" in attribute %q`, name))
			if p.atTop() && p.tok.first || !p.skipBlock("level") {
				return false
			}
		}
	}
}

// parseLevel parses `level NAME ["LABEL"] [default] [{ PROPERTY VALUE ... }]`
// and recovers from errors itself, stopping before the next level or the
// end of the attribute.
func (p *parser) parseLevel(a *Attribute) {
	p.next()
	name, pos, ok := p.name("level name")
	if !ok {
		p.skipBlock("level")
		return
	}
	l := Level{Name: name, Label: name, Pos: pos}
	hasLabel := false
	for {
		if s, ok := p.optString(); ok && !hasLabel {
			l.Label, hasLabel = s, true
			continue
		} else if ok {
			p.errorf(p.peek(-1).pos, "level %q has two labels", name)
			continue
		}
		if p.tok.is("default") {
			if a.Default >= 0 {
				p.errorf(p.tok.pos, "attribute %q has two default levels", a.Name)
			} else {
				a.Default = len(a.Levels)
			}
			p.next()
			continue
		}
		break
	}
	defer func() { a.Levels = append(a.Levels, l) }()
	switch {
	case p.tok.is("{"):
		p.parseLevelBody(&l)
	case p.tok.is("level"), p.tok.is("}"), p.atTop() && p.tok.first:
	default:
		p.unexpected(fmt.Sprintf(`"{", "default" or next level after level %q`, name))
		p.skipBlock("level")
	}
}

// parseLevelBody parses `{ PROPERTY VALUE ... }`, values separated by
// spaces, newlines or ";".
func (p *parser) parseLevelBody(l *Level) {
	p.next()
	seen := map[string]bool{}
	for {
		t := p.tok
		switch {
		case p.got("}"):
			return
		case p.got(";"):
			continue
		case t.kind != tName:
			p.unexpected(fmt.Sprintf(`property name or "}" in level %q`, l.Name))
			if p.skipBlock("level") {
				p.got("}")
			}
			return
		}
		nt := p.peek(1)
		isValue := nt.kind == tNumber || nt.kind == tString || nt.is("-")
		if !isValue && (t.is("level") || t.first && p.atTop()) {
			// The level's "}" is missing.
			p.unexpected(fmt.Sprintf(`"}" after properties of level %q`, l.Name))
			return
		}
		if seen[t.text] {
			p.errorf(t.pos, "level %q sets property %q twice", l.Name, t.text)
		}
		seen[t.text] = true
		p.next()
		if t.text == "parts" {
			if !p.parseParts(l) {
				if p.skipBlock("level") {
					p.got("}")
				}
				return
			}
			continue
		}
		vpos := p.tok.pos
		neg := p.got("-")
		switch {
		case p.tok.kind == tNumber:
			v := p.tok.num
			if neg {
				v = -v
			}
			if l.Numbers == nil {
				l.Numbers = map[string]Decimal{}
			}
			l.Numbers[t.text] = v
			p.refs[ref{at: l.Pos, s: t.text}] = t.pos
			p.refs[ref{at: l.Pos, i: 1, s: t.text}] = vpos
			p.next()
		case p.tok.kind == tString && !neg:
			if l.Texts == nil {
				l.Texts = map[string]string{}
			}
			l.Texts[t.text] = p.tok.text
			p.refs[ref{at: l.Pos, s: t.text}] = t.pos
			p.refs[ref{at: l.Pos, i: 1, s: t.text}] = vpos
			p.next()
		default:
			p.unexpected(fmt.Sprintf("value of property %q (a number or a string)", t.text))
			if p.skipBlock("level") {
				p.got("}")
			}
			return
		}
	}
}

// parseParts parses the list after "parts": `"PN" [xN], ...`.
func (p *parser) parseParts(l *Level) bool {
	for {
		if p.tok.kind != tString {
			p.unexpected("part number in quotes")
			return false
		}
		pt := Part{Number: p.tok.text, Qty: 1}
		if pt.Number == "" {
			p.errorf(p.tok.pos, "empty part number")
		}
		p.next()
		if q := p.tok.text; p.tok.kind == tName && len(q) > 1 && q[0] == 'x' && isDigit(q[1]) {
			n, err := strconv.Atoi(strings.ReplaceAll(q[1:], "_", ""))
			switch {
			case err != nil || !wellFormedNumber(q[1:]) || n > 1_000_000_000:
				p.errorf(p.tok.pos, "malformed quantity %q", q)
			case n < 1:
				p.errorf(p.tok.pos, "quantity must be at least 1")
			default:
				pt.Qty = n
			}
			p.next()
		}
		l.Parts = append(l.Parts, pt)
		if !p.got(",") {
			return true
		}
	}
}

// parseRule parses a rule or constraint:
// `rule [NAME] ["LABEL"] : CONDITION [requires|excludes|implies CONDITION]`.
func (p *parser) parseRule() bool {
	pos := p.tok.pos
	p.next()
	r := Rule{Pos: pos}
	after := fmt.Sprintf(" after %q", p.peek(-1).text)
	if p.tok.kind == tName && !p.tok.is(":") {
		name, _, ok := p.name("rule name")
		if !ok {
			return false
		}
		r.Name = name
		after = " after rule name"
	}
	if l, ok := p.optString(); ok {
		r.Label = l
		after = " after rule label"
	}
	if !p.expect(":", after) {
		return false
	}
	if r.Name == "" {
		r.Name = p.genName("rule", pos.Line)
	}
	c := p.parseCond()
	if c == nil {
		return false
	}
	r.Kind, r.Then = Constraint, c
	if k, ok := ruleKinds[p.tok.text]; ok && p.tok.kind == tName {
		p.next()
		then := p.parseCond()
		if then == nil {
			return false
		}
		r.Kind, r.If, r.Then = k, c, then
	}
	if p.tok.kind != tEOF && !p.atTop() {
		if _, ok := ruleKinds[p.tok.text]; ok {
			p.errorf(p.tok.pos, "requires, excludes and implies appear at most once in a rule")
		} else if r.Kind == Constraint {
			p.unexpected(`"and", "or", "requires", "excludes", "implies" or end of rule`)
		} else {
			p.unexpected(`"and", "or" or end of rule`)
		}
		return false
	}
	p.m.Rules = append(p.m.Rules, r)
	return true
}

var ruleKinds = map[string]RuleKind{"requires": Requires, "excludes": Excludes, "implies": Implies}

// genName names an unnamed rule or table after its line, adding a suffix
// when two share a line.
func (p *parser) genName(kind string, line int) string {
	name := fmt.Sprintf("%s_%d", kind, line)
	for k := 2; p.names[name]; k++ {
		name = fmt.Sprintf("%s_%d_%d", kind, line, k)
	}
	p.names[name] = true
	return name
}

// parseCond parses "X or Y ...". It returns nil after reporting an error.
func (p *parser) parseCond() Expr {
	x := p.parseAnd()
	if x == nil || !p.tok.is("or") {
		return x
	}
	or := &Or{P: p.tok.pos, Xs: flatten(nil, x, true)}
	for p.got("or") {
		y := p.parseAnd()
		if y == nil {
			return nil
		}
		or.Xs = flatten(or.Xs, y, true)
	}
	return or
}

// flatten appends x to xs, the operands of an Or (if or) or an And; if x
// is itself an Or (or And), it appends x's operands instead, so that chains
// and redundant parentheses make one n-ary node.
func flatten(xs []Expr, x Expr, or bool) []Expr {
	switch y := x.(type) {
	case *Or:
		if or {
			return append(xs, y.Xs...)
		}
	case *And:
		if !or {
			return append(xs, y.Xs...)
		}
	}
	return append(xs, x)
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	if x == nil || !p.tok.is("and") {
		return x
	}
	and := &And{P: p.tok.pos, Xs: flatten(nil, x, false)}
	for p.got("and") {
		y := p.parseNot()
		if y == nil {
			return nil
		}
		and.Xs = flatten(and.Xs, y, false)
	}
	return and
}

func (p *parser) parseNot() Expr {
	if p.tok.is("not") {
		pos := p.tok.pos
		p.next()
		x := p.parseNot()
		if x == nil {
			return nil
		}
		return &Not{X: x, P: pos}
	}
	return p.parseAtom()
}

// parseAtom parses a level test, a comparison, true, false or a
// parenthesised condition.
func (p *parser) parseAtom() Expr {
	t := p.tok
	switch {
	case t.is("true"), t.is("false"):
		p.next()
		return &Bool{V: t.text == "true", P: t.pos}
	case t.is("(") && !p.numericParen():
		p.next()
		x := p.parseCond()
		if x == nil || !p.expect(")", " to close condition") {
			return nil
		}
		return x
	case t.kind == tName && !reserved[t.text]:
		nt := p.peek(1)
		if nt.is("=") || nt.is("!=") || nt.is("in") || nt.is("not") {
			return p.parseTest()
		}
		if !nt.is(".") && !nt.is("(") {
			if t.first && topKeywords[t.text] {
				// Most likely the condition is missing and this is the
				// next declaration.
				p.unexpected("condition")
				return nil
			}
			p.next()
			p.unexpected(fmt.Sprintf(`"=", "!=", "in" or "not in" after attribute %q`, t.text))
			return nil
		}
	case t.kind != tNumber && !t.is("(") && !t.is("-"):
		p.unexpected("condition")
		return nil
	}
	l := p.parseSum()
	if l == nil {
		return nil
	}
	op, ok := cmpOps[p.tok.text]
	if !ok || p.tok.kind != tPunct {
		if p.tok.is("=") {
			p.errorf(p.tok.pos, `use "==" to compare numbers`)
		} else {
			p.unexpected("comparison operator (<, <=, >, >=, ==, !=) after numeric expression")
		}
		return nil
	}
	c := &Compare{Op: op, L: l, P: p.tok.pos}
	p.next()
	if c.R = p.parseSum(); c.R == nil {
		return nil
	}
	return c
}

var cmpOps = map[string]CmpOp{"<": LT, "<=": LE, ">": GT, ">=": GE, "==": EQ, "!=": NE}

// numericParen reports whether the "(" at the current token opens a
// numeric expression rather than a condition: that is, whether the token
// after its matching ")" is an arithmetic or comparison operator.
func (p *parser) numericParen() bool {
	if p.closer == nil {
		p.matchParens()
	}
	k := p.closer[p.i]
	if k < 0 {
		return false
	}
	n := p.toks[k+1] // the token list ends with tEOF, never a ")"
	if n.kind != tPunct {
		return false
	}
	_, cmp := cmpOps[n.text]
	return cmp || n.text == "+" || n.text == "-" || n.text == "*"
}

// matchParens finds the index of the ")" that closes each "(", or -1, so
// that numericParen takes constant time.
func (p *parser) matchParens() {
	p.closer = make([]int, len(p.toks))
	var open []int
	for i, t := range p.toks {
		p.closer[i] = -1
		switch {
		case t.is("("):
			open = append(open, i)
		case t.is(")") && len(open) > 0:
			p.closer[open[len(open)-1]] = i
			open = open[:len(open)-1]
		}
	}
}

// parseTest parses `attr = level`, `attr != level`, `attr in {levels}` or
// `attr not in {levels}`.
func (p *parser) parseTest() Expr {
	t := &Test{Attr: p.tok.text, P: p.tok.pos}
	p.next()
	switch {
	case p.got("="), p.got("!="):
		t.Negate = p.peek(-1).text == "!="
		name, pos, ok := p.name(fmt.Sprintf("level of attribute %q", t.Attr))
		if !ok {
			return nil
		}
		t.Levels = []string{name}
		p.refs[ref{at: t.P}] = pos
		return t
	case p.got("not"):
		t.Negate = true
		if !p.expect("in", ` after "not"`) {
			return nil
		}
	default:
		p.next() // "in"
	}
	levels, ok := p.levelSet(t.P)
	if !ok {
		return nil
	}
	t.Levels = levels
	return t
}

// levelSet parses `{l1, l2, ...}`, recording each level's position under
// node position at.
func (p *parser) levelSet(at Pos) ([]string, bool) {
	if !p.expect("{", "") {
		return nil, false
	}
	var levels []string
	for {
		name, pos, ok := p.name("level name")
		if !ok {
			return nil, false
		}
		p.refs[ref{at: at, i: len(levels)}] = pos
		levels = append(levels, name)
		if p.got("}") {
			return levels, true
		}
		if !p.expect(",", " or \"}\" in level set") {
			return nil, false
		}
	}
}

// parseSum parses "N + M - ...". It returns nil after reporting an error.
func (p *parser) parseSum() Num {
	x := p.parseProduct()
	for x != nil && (p.tok.is("+") || p.tok.is("-")) {
		a := &Arith{Op: p.tok.text[0], L: x, P: p.tok.pos}
		p.next()
		if a.R = p.parseProduct(); a.R == nil {
			return nil
		}
		x = a
	}
	return x
}

func (p *parser) parseProduct() Num {
	x := p.parseUnary()
	for x != nil && p.tok.is("*") {
		a := &Arith{Op: '*', L: x, P: p.tok.pos}
		p.next()
		if a.R = p.parseUnary(); a.R == nil {
			return nil
		}
		x = a
	}
	return x
}

// parseUnary parses an optional minus sign before a primary. The negation
// of a constant is a constant; of anything else, -1 times it.
func (p *parser) parseUnary() Num {
	if !p.tok.is("-") {
		return p.parsePrimary()
	}
	pos := p.tok.pos
	p.next()
	x := p.parseUnary()
	if x == nil {
		return nil
	}
	if c, ok := x.(*Const); ok {
		return &Const{V: -c.V, P: pos}
	}
	return &Arith{Op: '*', L: &Const{V: Int(-1), P: pos}, R: x, P: pos}
}

func (p *parser) parsePrimary() Num {
	t := p.tok
	switch {
	case t.kind == tNumber:
		p.next()
		return &Const{V: t.num, P: t.pos}
	case t.is("("):
		p.next()
		x := p.parseSum()
		if x == nil || !p.expect(")", " to close numeric expression") {
			return nil
		}
		return x
	case t.kind == tName && !reserved[t.text] && p.peek(1).is("."):
		p.next()
		p.next()
		prop, _, ok := p.name(fmt.Sprintf("property name after %q", t.text+"."))
		if !ok {
			return nil
		}
		return &PropRef{Attr: t.text, Prop: prop, A: -1, P: t.pos}
	case t.kind == tName && !reserved[t.text] && p.peek(1).is("("):
		return p.parseCall()
	}
	p.unexpected("number, attr.property or function")
	return nil
}

// parseCall parses min(...), max(...), abs(N), sum(prop) or count(...).
func (p *parser) parseCall() Num {
	t := p.tok
	p.next()
	p.next()
	switch t.text {
	case "sum":
		prop, _, ok := p.name("property name in sum(...)")
		if !ok || !p.expect(")", " after property in sum(...)") {
			return nil
		}
		return &SumProp{Prop: prop, P: t.pos}
	case "count":
		c := &Count{P: t.pos}
		for {
			x := p.parseCond()
			if x == nil {
				return nil
			}
			c.Xs = append(c.Xs, x)
			if p.got(")") {
				return c
			}
			if !p.expect(",", ` or ")" in count(...)`) {
				return nil
			}
		}
	case "min", "max", "abs":
		c := &Call{Fn: t.text, P: t.pos}
		for {
			x := p.parseSum()
			if x == nil {
				return nil
			}
			c.Args = append(c.Args, x)
			if p.got(")") {
				break
			}
			if !p.expect(",", fmt.Sprintf(` or ")" in %s(...)`, t.text)) {
				return nil
			}
		}
		if t.text == "abs" && len(c.Args) != 1 {
			p.errorf(t.pos, "abs takes one argument, not %d", len(c.Args))
		}
		return c
	}
	p.errorf(t.pos, "unknown function %q; want min, max, abs, sum or count", t.text)
	return nil
}

// parseTable parses
// `table [NAME] ["LABEL"] (attr, ...) [forbid] { CELL ... (one row per line) }`.
func (p *parser) parseTable() bool {
	pos := p.tok.pos
	p.next()
	tb := Table{Pos: pos}
	if p.tok.kind == tName {
		name, _, ok := p.name("table name")
		if !ok {
			return false
		}
		tb.Name = name
	}
	if l, ok := p.optString(); ok {
		tb.Label = l
	}
	if !p.expect("(", " before the table's attributes") {
		return false
	}
	for {
		name, apos, ok := p.name("attribute name")
		if !ok {
			return false
		}
		p.refs[ref{at: pos, i: len(tb.Attrs)}] = apos
		tb.Attrs = append(tb.Attrs, name)
		if p.got(")") {
			break
		}
		if !p.expect(",", ` or ")" in table attributes`) {
			return false
		}
	}
	tb.Forbid = p.got("forbid")
	if !p.expect("{", " before table rows") {
		return false
	}
	if tb.Name == "" {
		tb.Name = p.genName("table", pos.Line)
	}
	defer func() { p.m.Tables = append(p.m.Tables, tb) }()
	for {
		if p.got("}") {
			return true
		}
		if p.atTop() || p.tok.kind == tEOF {
			p.unexpected(`"}" to close table`)
			return false
		}
		row := Row{Pos: p.tok.pos}
		ok := true
		for ok && p.tok.pos.Line == row.Pos.Line && !p.tok.is("}") && p.tok.kind != tEOF {
			var c Cell
			c, ok = p.parseCell()
			row.Cells = append(row.Cells, c)
		}
		if !ok {
			for p.tok.pos.Line == row.Pos.Line && !p.tok.is("}") && p.tok.kind != tEOF {
				p.next()
			}
			continue
		}
		tb.Rows = append(tb.Rows, row)
	}
}

// parseCell parses a table cell: a level name, "*" or a set {l1, l2}.
func (p *parser) parseCell() (Cell, bool) {
	c := Cell{Pos: p.tok.pos}
	switch {
	case p.got("*"):
		c.Any = true
		return c, true
	case p.tok.is("{"):
		levels, ok := p.levelSet(c.Pos)
		if !ok {
			// Skip to the end of the broken set if it is on this line.
			for p.tok.pos.Line == c.Pos.Line && p.tok.kind != tEOF && !p.got("}") {
				p.next()
			}
		}
		c.Levels = levels
		return c, ok
	case p.tok.kind == tName:
		name, _, ok := p.name("level")
		c.Levels = []string{name}
		p.refs[ref{at: c.Pos}] = c.Pos
		return c, ok
	}
	p.unexpected(`level, "*" or {levels} in table row`)
	return c, false
}
