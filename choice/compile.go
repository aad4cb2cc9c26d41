package choice

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// linear is an expression split into parameter terms and a rest without
// parameters: sum over params of param * coef[param], plus rest.
type linear struct {
	params []string // in order of appearance
	coef   map[string]expr
	rest   expr // nil when zero
}

// linearize splits e into parameter terms; an identifier that is not a
// column of t is a parameter. It fails when e is not linear in its
// parameters.
func linearize(e expr, t *Table) (linear, error) {
	isParam := func(name string) bool { _, col := t.Column(name); return !col }
	paramFree := func(e expr) error {
		for _, id := range identsOf(e, nil) {
			if isParam(id.name) {
				return posErr(id.p, "%s is not a column, and a parameter cannot appear here: utilities must be linear in their parameters%s",
					id.name, suggestion(id.name, t.Columns))
			}
		}
		return nil
	}
	switch e := e.(type) {
	case numLit, strLit:
		return linear{rest: e}, nil
	case ident:
		if isParam(e.name) {
			return linear{params: []string{e.name}, coef: map[string]expr{e.name: numLit{e.p, 1}}}, nil
		}
		return linear{rest: e}, nil
	case unary:
		if e.op == "-" {
			l, err := linearize(e.x, t)
			if err != nil {
				return l, err
			}
			for _, p := range l.params {
				l.coef[p] = unary{e.p, "-", l.coef[p]}
			}
			if l.rest != nil {
				l.rest = unary{e.p, "-", l.rest}
			}
			return l, nil
		}
	case binary:
		switch e.op {
		case "+", "-":
			x, err := linearize(e.x, t)
			if err != nil {
				return x, err
			}
			y, err := linearize(e.y, t)
			if err != nil {
				return y, err
			}
			if x.coef == nil {
				x.coef = map[string]expr{}
			}
			for _, p := range y.params {
				c := y.coef[p]
				if e.op == "-" {
					c = unary{e.p, "-", c}
				}
				if old, ok := x.coef[p]; ok {
					x.coef[p] = binary{e.p, "+", old, c}
				} else {
					x.params = append(x.params, p)
					x.coef[p] = c
				}
			}
			switch {
			case y.rest == nil:
			case x.rest == nil && e.op == "-":
				x.rest = unary{e.p, "-", y.rest}
			case x.rest == nil:
				x.rest = y.rest
			default:
				x.rest = binary{e.p, e.op, x.rest, y.rest}
			}
			return x, nil
		case "*":
			x, err := linearize(e.x, t)
			if err != nil {
				return x, err
			}
			y, err := linearize(e.y, t)
			if err != nil {
				return y, err
			}
			if len(x.params) > 0 && len(y.params) > 0 {
				return x, posErr(e.p, "%s * %s: a product of parameters is not linear in parameters; if one of them is meant to be a column, it is not in the data%s",
					x.params[0], y.params[0], suggestion(y.params[0], t.Columns))
			}
			if len(y.params) > 0 {
				x, y = y, x
			}
			out := linear{params: x.params, coef: map[string]expr{}}
			if y.rest == nil {
				return linear{}, nil // y is zero
			}
			for _, p := range x.params {
				out.coef[p] = binary{e.p, "*", x.coef[p], y.rest}
			}
			if x.rest != nil {
				out.rest = binary{e.p, "*", x.rest, y.rest}
			}
			return out, nil
		case "/":
			if err := paramFree(e.y); err != nil {
				return linear{}, err
			}
			x, err := linearize(e.x, t)
			if err != nil {
				return x, err
			}
			for _, p := range x.params {
				x.coef[p] = binary{e.p, "/", x.coef[p], e.y}
			}
			if x.rest != nil {
				x.rest = binary{e.p, "/", x.rest, e.y}
			}
			return x, nil
		}
	}
	if err := paramFree(e); err != nil {
		return linear{}, err
	}
	return linear{rest: e}, nil
}

// term is one compiled part of a row's utility: column k (or the offset,
// k = -1) gains scale times the evaluator's value.
type term struct {
	k     int
	scale float64
	eval  evaluator
	src   expr
}

// Compile applies spec to table t and returns the choice data, with
// layout the data's layout (LayoutUnset: the spec's). Bad cells, cases
// with no or two chosen alternatives and chosen alternatives that are not
// available are errors naming the file line, the column and the value; up
// to 20 problems are listed, with code errs.Invalid.
func Compile(spec *Spec, t *Table, layout Layout) (*Data, error) {
	if layout == LayoutUnset {
		layout = spec.Layout
	}
	if spec.Layout != LayoutUnset && layout != spec.Layout {
		return nil, invalid([]error{fmt.Errorf("%s: the specification says layout %s, but the data was given as %s", spec.File, spec.Layout, layout)})
	}
	if layout == LayoutUnset {
		switch {
		case spec.Choice.Name != "":
			layout = Wide
		case spec.Case.Name != "":
			layout = Long
		default:
			return nil, invalid([]error{fmt.Errorf("%s: say which layout the data has: layout long (with case, alternative and chosen columns) or layout wide (with a choice column)", spec.File)})
		}
	}
	c := &compiler{spec: spec, t: t, layout: layout}
	c.run()
	if len(c.problems) > 0 {
		return nil, invalid(c.problems)
	}
	return c.d, nil
}

type compiler struct {
	spec     *Spec
	t        *Table
	layout   Layout
	problems []error
	d        *Data

	alts     []altDecl
	terms    [][]term // per alternative
	avail    []evaluator
	exclude  []evaluator
	more     int   // problems not listed
	rowOf    []int // per compiled case, its (first) table row
	caseMore []int // further columns of the case key
}

func (c *compiler) fail(err error) bool {
	if len(c.problems) < maxSpecErrors {
		c.problems = append(c.problems, err)
	} else {
		c.more++
	}
	return len(c.problems) >= maxSpecErrors
}

// column resolves a column reference, or records a problem.
func (c *compiler) column(ref colRef, role string, required bool) int {
	if ref.Name == "" {
		if required {
			c.fail(fmt.Errorf("%s: the %s layout needs a %s column: add a line `%s COLUMN`", c.spec.File, c.layout, role, role))
		}
		return -1
	}
	i, ok := c.t.Column(ref.Name)
	if !ok {
		c.fail(posErr(ref.Pos, "%s: no column %q in %s%s", role, ref.Name, c.t.Name, suggestion(ref.Name, c.t.Columns)))
		return -1
	}
	return i
}

func (c *compiler) run() {
	s, t := c.spec, c.t
	var caseCol, altCol, chosenCol, choiceCol int
	if c.layout == Long {
		caseCol = c.column(s.Case, "case", true)
		for _, r := range s.CaseMore {
			c.caseMore = append(c.caseMore, c.column(r, "case", true))
		}
		altCol = c.column(s.Alternative, "alternative", true)
		chosenCol = c.column(s.Chosen, "chosen", true)
		if s.Choice.Name != "" {
			c.fail(posErr(s.Choice.Pos, "choice names the chosen alternative's column in the wide layout; in the long layout use chosen COLUMN (1 for the chosen row, 0 otherwise)"))
		}
	} else {
		choiceCol = c.column(s.Choice, "choice", true)
		for _, r := range []colRef{s.Case, s.Alternative, s.Chosen} {
			if r.Name != "" {
				c.fail(posErr(r.Pos, "the wide layout has one row per case: drop this line, or use layout long"))
			}
		}
	}
	panelCol := c.column(s.Panel, "panel", false)
	weightCol := c.column(s.Weight, "weight", false)
	if len(c.problems) > 0 {
		return
	}

	// Alternatives.
	c.alts = slices.Clone(s.Alternatives)
	if len(c.alts) == 0 {
		if c.layout == Wide {
			for _, u := range s.Utilities {
				if u.Alt != "*" && !slices.ContainsFunc(c.alts, func(a altDecl) bool { return a.Name == u.Alt }) {
					c.alts = append(c.alts, altDecl{Name: u.Alt, Code: u.Alt, Pos: u.Pos})
				}
			}
		} else {
			for _, v := range distinctValues(t, altCol) {
				c.alts = append(c.alts, altDecl{Name: v, Code: v})
			}
		}
	}
	if len(c.alts) < 2 {
		c.fail(fmt.Errorf("%s: fewer than two alternatives: name each in a utility line or an alternatives line", s.File))
		return
	}
	altIndex := map[string]int{}
	for i, a := range c.alts {
		altIndex[a.Name] = i
	}
	names := make([]string, len(c.alts))
	for i, a := range c.alts {
		names[i] = a.Name
	}
	lookupAlt := func(le lineExpr, what string) (int, bool) {
		if le.Alt == "*" {
			return -1, true
		}
		i, ok := altIndex[le.Alt]
		if !ok {
			c.fail(posErr(le.Pos, "%s for %s: no such alternative%s (alternatives: %s)", what, le.Alt, suggestion(le.Alt, names), strings.Join(names, ", ")))
		}
		return i, ok
	}

	// Parameters, in order of first appearance.
	type paramInfo struct {
		pos                 Pos
		fixed               bool
		value               float64
		start               float64
		random              bool
		dist                Distribution
		randomPos, fixedPos Pos
	}
	var order []string
	info := map[string]*paramInfo{}
	c.terms = make([][]term, len(c.alts))
	has := make([]bool, len(c.alts))
	type rawTerm struct {
		alt   int // -1: every alternative
		param string
		coef  expr
	}
	var raw []rawTerm
	for _, u := range s.Utilities {
		ai, ok := lookupAlt(u, "utility")
		if !ok {
			continue
		}
		if ai >= 0 {
			has[ai] = true
		} else {
			for i := range has {
				has[i] = true
			}
		}
		l, err := linearize(u.X, t)
		if err != nil {
			c.fail(err)
			continue
		}
		for _, p := range l.params {
			if info[p] == nil {
				info[p] = &paramInfo{pos: u.Pos}
				order = append(order, p)
			}
			raw = append(raw, rawTerm{ai, p, l.coef[p]})
		}
		if l.rest != nil {
			raw = append(raw, rawTerm{ai, "", l.rest})
		}
	}
	for i, ok := range has {
		if !ok && c.layout == Wide {
			c.fail(fmt.Errorf("%s: alternative %s has no utility line", s.File, c.alts[i].Name))
		}
	}
	for _, f := range s.Fix {
		pi := info[f.Name]
		if pi == nil {
			c.fail(posErr(f.Pos, "fix %s: no utility uses %s%s", f.Name, f.Name, suggestion(f.Name, order)))
			continue
		}
		pi.fixed, pi.value, pi.fixedPos = true, f.Value, f.Pos
	}
	for _, st := range s.Start {
		pi := info[st.Name]
		if pi == nil {
			c.fail(posErr(st.Pos, "start %s: no utility uses %s%s", st.Name, st.Name, suggestion(st.Name, order)))
			continue
		}
		pi.start = st.Value
	}
	for _, r := range s.Random {
		pi := info[r.Name]
		switch {
		case pi == nil:
			c.fail(posErr(r.Pos, "random %s: no utility uses %s%s", r.Name, r.Name, suggestion(r.Name, order)))
		case pi.fixed:
			c.fail(posErr(r.Pos, "random %s: %s is fixed (line %d); a fixed parameter cannot be random", r.Name, r.Name, pi.fixedPos.Line))
		default:
			pi.random, pi.dist, pi.randomPos = true, r.Dist, r.Pos
		}
	}
	if s.Correlated && len(s.Random) < 2 {
		c.fail(fmt.Errorf("%s: correlated needs at least two random parameters", s.File))
	}

	d := &Data{}
	col := map[string]int{}
	anyStart := false
	for _, p := range order {
		pi := info[p]
		if pi.fixed {
			d.Fixed = append(d.Fixed, FixedParam{p, pi.value})
			continue
		}
		col[p] = len(d.Params)
		d.Params = append(d.Params, p)
		d.StartValues = append(d.StartValues, pi.start)
		anyStart = anyStart || pi.start != 0
		if pi.random {
			d.Random = append(d.Random, Random{Param: col[p], Dist: pi.dist})
		}
	}
	if !anyStart {
		d.StartValues = nil
	}
	d.Correlated = s.Correlated
	if len(d.Params) == 0 && len(c.problems) == 0 {
		c.fail(fmt.Errorf("%s: nothing to estimate: every parameter is fixed", s.File))
	}
	for _, r := range raw {
		k, scale := -1, 1.0
		if r.param != "" {
			if pi := info[r.param]; pi.fixed {
				scale = pi.value
			} else {
				k = col[r.param]
			}
		}
		ev, err := compileData(r.coef, t)
		if err != nil {
			c.fail(err)
			continue
		}
		tm := term{k: k, scale: scale, eval: ev, src: r.coef}
		for a := range c.alts {
			if r.alt == -1 || r.alt == a {
				c.terms[a] = append(c.terms[a], tm)
			}
		}
	}
	c.avail = make([]evaluator, len(c.alts))
	for _, av := range s.Avail {
		ai, ok := lookupAlt(av, "avail")
		if !ok {
			continue
		}
		if err := paramFreeExpr(av.X, t); err != nil {
			c.fail(err)
			continue
		}
		ev, err := compileData(av.X, t)
		if err != nil {
			c.fail(err)
			continue
		}
		for a := range c.alts {
			if ai == -1 || ai == a {
				if c.avail[a] != nil {
					c.fail(posErr(av.Pos, "availability of %s given twice", c.alts[a].Name))
				}
				c.avail[a] = ev
			}
		}
	}
	for _, ex := range s.Exclude {
		if err := paramFreeExpr(ex.X, t); err != nil {
			c.fail(err)
			continue
		}
		ev, err := compileData(ex.X, t)
		if err != nil {
			c.fail(err)
			continue
		}
		c.exclude = append(c.exclude, ev)
	}
	if len(c.problems) > 0 {
		return
	}
	d.Alternatives = names
	c.d = d
	if c.layout == Wide {
		c.wide(choiceCol)
	} else {
		c.long(caseCol, altCol, chosenCol)
	}
	if len(c.problems) > 0 {
		return
	}
	c.panelsAndWeights(panelCol, weightCol)
	if c.more > 0 {
		c.problems = append(c.problems, fmt.Errorf("and %d more problems", c.more))
	}
}

// paramFreeExpr fails when e names something that is not a column.
func paramFreeExpr(e expr, t *Table) error {
	for _, id := range identsOf(e, nil) {
		if _, ok := t.Column(id.name); !ok {
			return posErr(id.p, "unknown column %q%s", id.name, suggestion(id.name, t.Columns))
		}
	}
	return nil
}

// addRow appends the utility row of alternative a computed from table row
// i; it reports false (and records a problem) when a value is not a
// number.
func (c *compiler) addRow(a, i int) bool {
	d := c.d
	k := len(d.Params)
	base := len(d.X)
	d.X = append(d.X, make([]float64, k)...)
	x := d.X[base:]
	off := 0.0
	for _, tm := range c.terms[a] {
		v := tm.eval(i)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			c.fail(c.badValue(tm.src, i, c.alts[a].Name))
			return false
		}
		if tm.k < 0 {
			off += tm.scale * v
		} else {
			x[tm.k] += v
		}
	}
	d.Offset = append(d.Offset, off)
	d.Alt = append(d.Alt, int32(a))
	return true
}

// badValue explains why expression e is not a number on row i: a cell
// that is empty or not a number, or arithmetic such as log of zero.
func (c *compiler) badValue(e expr, i int, alt string) error {
	t := c.t
	line := t.Line[i]
	for _, id := range identsOf(e, nil) {
		col, ok := t.Column(id.name)
		if !ok || !math.IsNaN(t.Num[col][i]) {
			continue
		}
		if v := t.Cell(col, i); v == "" {
			return fmt.Errorf("%s:%d: column %s: empty cell (in the utility of %s)", t.Name, line, id.name, alt)
		} else {
			return fmt.Errorf("%s:%d: column %s: %q is not a number (in the utility of %s)", t.Name, line, id.name, v, alt)
		}
	}
	return fmt.Errorf("%s:%d: the utility of %s is not a finite number here (%s)", t.Name, line, alt, e.pos())
}

// excluded reports whether any exclusion holds on row i.
func (c *compiler) excluded(i int) bool {
	for _, ex := range c.exclude {
		if v := ex(i); v != 0 && !math.IsNaN(v) {
			return true
		}
	}
	return false
}

func (c *compiler) available(a, i int) bool {
	if c.avail[a] == nil {
		return true
	}
	v := c.avail[a](i)
	return v != 0 && !math.IsNaN(v)
}

// matchCode returns the alternative whose code matches cell text v, by
// text or by numeric value.
func (c *compiler) matchCode(v string) int {
	for a, alt := range c.alts {
		if alt.Code == v {
			return a
		}
	}
	if x, err := strconv.ParseFloat(v, 64); err == nil {
		for a, alt := range c.alts {
			if y, err := strconv.ParseFloat(alt.Code, 64); err == nil && x == y {
				return a
			}
		}
	}
	return -1
}

func (c *compiler) codes() string {
	var b strings.Builder
	for i, a := range c.alts {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Code == a.Name {
			b.WriteString(a.Name)
		} else {
			fmt.Fprintf(&b, "%s=%s", a.Name, a.Code)
		}
	}
	return b.String()
}

func (c *compiler) wide(choiceCol int) {
	t, d := c.t, c.d
	d.Start = []int{0}
	c.rowOf = c.rowOf[:0]
	for i := range t.Rows() {
		if c.excluded(i) {
			continue
		}
		v := t.Cell(choiceCol, i)
		chosen := c.matchCode(v)
		if chosen < 0 {
			if c.fail(fmt.Errorf("%s:%d: column %s: %q is not the code of an alternative (%s)", t.Name, t.Line[i], t.Columns[choiceCol], v, c.codes())) {
				return
			}
			continue
		}
		if !c.available(chosen, i) {
			if c.fail(fmt.Errorf("%s:%d: the chosen alternative %s is not available", t.Name, t.Line[i], c.alts[chosen].Name)) {
				return
			}
			continue
		}
		mark := len(d.Alt)
		ok := true
		for a := range c.alts {
			if !c.available(a, i) {
				continue
			}
			if a == chosen {
				d.Chosen = append(d.Chosen, int32(len(d.Alt)))
			}
			if !c.addRow(a, i) {
				ok = false
				break
			}
		}
		if !ok {
			c.truncate(mark)
			if len(c.problems) >= maxSpecErrors {
				return
			}
			continue
		}
		d.Start = append(d.Start, len(d.Alt))
		c.rowOf = append(c.rowOf, i)
	}
	c.checkCases()
}

// truncate drops a partly built case.
func (c *compiler) truncate(rows int) {
	d := c.d
	d.X = d.X[:rows*len(d.Params)]
	d.Offset = d.Offset[:rows]
	d.Alt = d.Alt[:rows]
	if len(d.Chosen) > len(d.Start)-1 {
		d.Chosen = d.Chosen[:len(d.Start)-1]
	}
}

func (c *compiler) checkCases() {
	if c.d.Cases() == 0 && len(c.problems) == 0 {
		c.fail(fmt.Errorf("%s: no cases left after the exclusions", c.t.Name))
	}
}

func (c *compiler) long(caseCol, altCol, chosenCol int) {
	t, d := c.t, c.d
	ids, caseNames := groupIDs(t, append([]int{caseCol}, c.caseMore...)...)
	// Rows of each case, in file order; cases in order of first appearance.
	n := len(caseNames)
	count := make([]int, n+1)
	for _, g := range ids {
		count[g+1]++
	}
	for g := range n {
		count[g+1] += count[g]
	}
	rows := make([]int, len(ids))
	fill := slices.Clone(count[:n])
	for i, g := range ids {
		rows[fill[g]] = i
		fill[g]++
	}
	altOf := make([]int, t.Rows())
	for i := range t.Rows() {
		altOf[i] = -2
	}
	d.Start = []int{0}
	c.rowOf = c.rowOf[:0]
	chosenNum := t.Num[chosenCol]
cases:
	for g := range n {
		rs := rows[count[g]:count[g+1]]
		for _, i := range rs {
			if c.excluded(i) {
				continue cases
			}
		}
		chosen, chosenLine := -1, 0
		for _, i := range rs {
			v := t.Cell(altCol, i)
			a := c.matchCode(v)
			if a < 0 {
				if c.fail(fmt.Errorf("%s:%d: column %s: %q is not the code of an alternative (%s)", t.Name, t.Line[i], t.Columns[altCol], v, c.codes())) {
					return
				}
				continue cases
			}
			if len(c.terms[a]) == 0 && !c.hasUtility(a) {
				if c.fail(fmt.Errorf("%s:%d: alternative %s has no utility line", t.Name, t.Line[i], c.alts[a].Name)) {
					return
				}
				continue cases
			}
			altOf[i] = a
			switch x := chosenNum[i]; x {
			case 0:
			case 1:
				if chosen >= 0 {
					if c.fail(fmt.Errorf("%s:%d: case %s has two chosen alternatives (lines %d and %d)", t.Name, t.Line[i], caseNames[g], chosenLine, t.Line[i])) {
						return
					}
					continue cases
				}
				chosen, chosenLine = i, t.Line[i]
			default:
				if c.fail(fmt.Errorf("%s:%d: column %s: %q: the chosen column holds 1 for the chosen row and 0 for the others", t.Name, t.Line[i], t.Columns[chosenCol], t.Cell(chosenCol, i))) {
					return
				}
				continue cases
			}
		}
		if chosen < 0 {
			if c.fail(fmt.Errorf("%s:%d: case %s has no chosen alternative", t.Name, t.Line[rs[0]], caseNames[g])) {
				return
			}
			continue
		}
		if !c.available(altOf[chosen], chosen) {
			if c.fail(fmt.Errorf("%s:%d: case %s: the chosen alternative %s is not available", t.Name, t.Line[chosen], caseNames[g], c.alts[altOf[chosen]].Name)) {
				return
			}
			continue
		}
		mark := len(d.Alt)
		for _, i := range rs {
			a := altOf[i]
			if !c.available(a, i) {
				continue
			}
			if i == chosen {
				d.Chosen = append(d.Chosen, int32(len(d.Alt)))
			}
			if !c.addRow(a, i) {
				c.truncate(mark)
				if len(c.problems) >= maxSpecErrors {
					return
				}
				continue cases
			}
		}
		d.Start = append(d.Start, len(d.Alt))
		c.rowOf = append(c.rowOf, rs[0])
	}
	c.checkCases()
}

// hasUtility reports whether alternative a has a utility line (one with no
// terms, such as utility car: 0, still counts).
func (c *compiler) hasUtility(a int) bool {
	for _, u := range c.spec.Utilities {
		if u.Alt == "*" || u.Alt == c.alts[a].Name {
			return true
		}
	}
	return false
}

// panelsAndWeights groups cases by decision maker (in order of first
// appearance, keeping each person's cases in file order) and reads case
// weights.
func (c *compiler) panelsAndWeights(panelCol, weightCol int) {
	t, d := c.t, c.d
	if weightCol >= 0 {
		d.Weight = make([]float64, d.Cases())
		for k, i := range c.rowOf {
			w := t.Num[weightCol][i]
			if math.IsNaN(w) || w < 0 {
				if c.fail(fmt.Errorf("%s:%d: column %s: %q: a weight is a non-negative number", t.Name, t.Line[i], t.Columns[weightCol], t.Cell(weightCol, i))) {
					return
				}
			}
			d.Weight[k] = w
		}
	}
	if panelCol < 0 {
		return
	}
	ids, names := groupIDs(t, panelCol)
	caseP := make([]int32, d.Cases())
	for k, i := range c.rowOf {
		caseP[k] = ids[i]
	}
	// Renumber panels in order of first appearance among kept cases, and
	// order cases by panel (stable).
	renum := make([]int32, len(names))
	for i := range renum {
		renum[i] = -1
	}
	var panelIDs []string
	for k := range caseP {
		p := caseP[k]
		if renum[p] < 0 {
			renum[p] = int32(len(panelIDs))
			panelIDs = append(panelIDs, names[p])
		}
		caseP[k] = renum[p]
	}
	perm := make([]int, d.Cases())
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(a, b int) int { return int(caseP[a]) - int(caseP[b]) })
	sorted := true
	for i, p := range perm {
		if p != i {
			sorted = false
			break
		}
	}
	if !sorted {
		c.reorder(perm)
		old := caseP
		caseP = make([]int32, len(old))
		for i, p := range perm {
			caseP[i] = old[p]
		}
	}
	d.Panel, d.Panels, d.PanelIDs = caseP, len(panelIDs), panelIDs
}

// reorder permutes d's cases: new case i is old case perm[i].
func (c *compiler) reorder(perm []int) {
	d := c.d
	k := len(d.Params)
	nd := &Data{Start: []int{0}, X: make([]float64, 0, len(d.X)), Offset: make([]float64, 0, len(d.Offset)),
		Alt: make([]int32, 0, len(d.Alt)), Chosen: make([]int32, 0, len(d.Chosen))}
	rowOf := make([]int, len(perm))
	var w []float64
	for i, p := range perm {
		lo, hi := d.Start[p], d.Start[p+1]
		nd.Chosen = append(nd.Chosen, int32(len(nd.Alt))+d.Chosen[p]-int32(lo))
		nd.X = append(nd.X, d.X[lo*k:hi*k]...)
		nd.Offset = append(nd.Offset, d.Offset[lo:hi]...)
		nd.Alt = append(nd.Alt, d.Alt[lo:hi]...)
		nd.Start = append(nd.Start, len(nd.Alt))
		rowOf[i] = c.rowOf[p]
		if d.Weight != nil {
			w = append(w, d.Weight[p])
		}
	}
	d.Start, d.X, d.Offset, d.Alt, d.Chosen, d.Weight = nd.Start, nd.X, nd.Offset, nd.Alt, nd.Chosen, w
	c.rowOf = rowOf
}

// groupIDs numbers the distinct values of the given columns (taken
// together) in order of first appearance and returns each row's number and
// the values' text (joined by "/" for several columns).
func groupIDs(t *Table, cols ...int) ([]int32, []string) {
	ids := make([]int32, t.Rows())
	var names []string
	if len(cols) == 1 && t.Text[cols[0]] == nil {
		seen := map[float64]int32{}
		for i, v := range t.Num[cols[0]] {
			g, ok := seen[v]
			if !ok {
				g = int32(len(names))
				seen[v] = g
				names = append(names, numText(v))
			}
			ids[i] = g
		}
		return ids, names
	}
	seen := map[string]int32{}
	var key []string
	for i := range ids {
		key = key[:0]
		for _, c := range cols {
			key = append(key, t.Cell(c, i))
		}
		k := strings.Join(key, "/")
		g, ok := seen[k]
		if !ok {
			g = int32(len(names))
			seen[k] = g
			names = append(names, k)
		}
		ids[i] = g
	}
	return ids, names
}

// distinctValues returns the distinct values of a column as text, numbers
// in increasing order, text in order of first appearance.
func distinctValues(t *Table, col int) []string {
	if t.Text[col] != nil {
		_, names := groupIDs(t, col)
		return names
	}
	var vals []float64
	seen := map[float64]bool{}
	for _, v := range t.Num[col] {
		if !seen[v] && !math.IsNaN(v) {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = numText(v)
	}
	return out
}
