package model

// Expr is a boolean expression over a configuration: level tests joined by
// and, or and not, and comparisons of numeric expressions over level
// properties.
type Expr interface {
	// Eval reports whether the expression holds for a complete configuration.
	Eval(m *Model, config []int) bool
	Position() Pos
	attrs(m *Model, set map[int]bool)
}

// Num is a numeric expression over level properties.
type Num interface {
	Eval(m *Model, config []int) Decimal
	Position() Pos
	attrs(m *Model, set map[int]bool)
}

// Test is "attr = level", "attr != level", "attr in {a, b}" or
// "attr not in {a, b}".
type Test struct {
	Attr   string
	Levels []string
	Negate bool
	A      int   // attribute index, filled in by Check
	L      []int // level indices, filled in by Check
	P      Pos
}

// Not is "not X".
type Not struct {
	X Expr
	P Pos
}

// And is "X and Y and ...".
type And struct {
	Xs []Expr
	P  Pos
}

// Or is "X or Y or ...".
type Or struct {
	Xs []Expr
	P  Pos
}

// Bool is the literal true or false.
type Bool struct {
	V bool
	P Pos
}

// CmpOp is a comparison operator.
type CmpOp int

const (
	LT CmpOp = iota // <
	LE              // <=
	GT              // >
	GE              // >=
	EQ              // ==
	NE              // !=
)

var cmpOpText = [...]string{"<", "<=", ">", ">=", "==", "!="}

func (o CmpOp) String() string { return cmpOpText[o] }

// Apply compares a and b.
func (o CmpOp) Apply(a, b Decimal) bool {
	switch o {
	case LT:
		return a < b
	case LE:
		return a <= b
	case GT:
		return a > b
	case GE:
		return a >= b
	case EQ:
		return a == b
	default:
		return a != b
	}
}

// Compare is a comparison of two numeric expressions.
type Compare struct {
	Op   CmpOp
	L, R Num
	P    Pos
}

// Const is a numeric literal.
type Const struct {
	V Decimal
	P Pos
}

// PropRef is "attr.prop": the property of the level chosen for attr
// (0 when that level does not set it).
type PropRef struct {
	Attr string
	Prop string
	A    int // filled in by Check
	P    Pos
}

// Arith is "L + R", "L - R" or "L * R"; in a product one side must be a
// constant, so that sums stay linear.
type Arith struct {
	Op   byte // '+', '-' or '*'
	L, R Num
	P    Pos
}

// Call is min(...), max(...) or abs(x).
type Call struct {
	Fn   string
	Args []Num
	P    Pos
}

// SumProp is "sum(prop)": the property summed over every attribute.
type SumProp struct {
	Prop string
	P    Pos
}

// Count is "count(X, Y, ...)": how many of the boolean expressions hold.
type Count struct {
	Xs []Expr
	P  Pos
}

func (e *Test) Eval(m *Model, config []int) bool {
	l := config[e.A]
	in := false
	for _, x := range e.L {
		if x == l {
			in = true
			break
		}
	}
	return in != e.Negate
}

func (e *Not) Eval(m *Model, config []int) bool { return !e.X.Eval(m, config) }

func (e *And) Eval(m *Model, config []int) bool {
	for _, x := range e.Xs {
		if !x.Eval(m, config) {
			return false
		}
	}
	return true
}

func (e *Or) Eval(m *Model, config []int) bool {
	for _, x := range e.Xs {
		if x.Eval(m, config) {
			return true
		}
	}
	return false
}

func (e *Bool) Eval(m *Model, config []int) bool { return e.V }

func (e *Compare) Eval(m *Model, config []int) bool {
	return e.Op.Apply(e.L.Eval(m, config), e.R.Eval(m, config))
}

func (e *Const) Eval(m *Model, config []int) Decimal { return e.V }

func (e *PropRef) Eval(m *Model, config []int) Decimal {
	return m.Attributes[e.A].Levels[config[e.A]].Numbers[e.Prop]
}

func (e *Arith) Eval(m *Model, config []int) Decimal {
	a, b := e.L.Eval(m, config), e.R.Eval(m, config)
	switch e.Op {
	case '+':
		return a + b
	case '-':
		return a - b
	default:
		return a.Mul(b)
	}
}

func (e *Call) Eval(m *Model, config []int) Decimal {
	v := e.Args[0].Eval(m, config)
	switch e.Fn {
	case "abs":
		if v < 0 {
			v = -v
		}
	case "min":
		for _, a := range e.Args[1:] {
			if x := a.Eval(m, config); x < v {
				v = x
			}
		}
	case "max":
		for _, a := range e.Args[1:] {
			if x := a.Eval(m, config); x > v {
				v = x
			}
		}
	}
	return v
}

func (e *SumProp) Eval(m *Model, config []int) Decimal {
	var s Decimal
	for a := range m.Attributes {
		s += m.Attributes[a].Levels[config[a]].Numbers[e.Prop]
	}
	return s
}

func (e *Count) Eval(m *Model, config []int) Decimal {
	n := int64(0)
	for _, x := range e.Xs {
		if x.Eval(m, config) {
			n++
		}
	}
	return Int(n)
}

func (e *Test) Position() Pos    { return e.P }
func (e *Not) Position() Pos     { return e.P }
func (e *And) Position() Pos     { return e.P }
func (e *Or) Position() Pos      { return e.P }
func (e *Bool) Position() Pos    { return e.P }
func (e *Compare) Position() Pos { return e.P }
func (e *Const) Position() Pos   { return e.P }
func (e *PropRef) Position() Pos { return e.P }
func (e *Arith) Position() Pos   { return e.P }
func (e *Call) Position() Pos    { return e.P }
func (e *SumProp) Position() Pos { return e.P }
func (e *Count) Position() Pos   { return e.P }

func (e *Test) attrs(m *Model, set map[int]bool) { set[e.A] = true }
func (e *Not) attrs(m *Model, set map[int]bool)  { e.X.attrs(m, set) }
func (e *And) attrs(m *Model, set map[int]bool) {
	for _, x := range e.Xs {
		x.attrs(m, set)
	}
}
func (e *Or) attrs(m *Model, set map[int]bool) {
	for _, x := range e.Xs {
		x.attrs(m, set)
	}
}
func (e *Bool) attrs(m *Model, set map[int]bool) {}
func (e *Compare) attrs(m *Model, set map[int]bool) {
	e.L.attrs(m, set)
	e.R.attrs(m, set)
}
func (e *Const) attrs(m *Model, set map[int]bool)   {}
func (e *PropRef) attrs(m *Model, set map[int]bool) { set[e.A] = true }
func (e *Arith) attrs(m *Model, set map[int]bool) {
	e.L.attrs(m, set)
	e.R.attrs(m, set)
}
func (e *Call) attrs(m *Model, set map[int]bool) {
	for _, a := range e.Args {
		a.attrs(m, set)
	}
}
func (e *SumProp) attrs(m *Model, set map[int]bool) {
	for a := range m.Attributes {
		for _, l := range m.Attributes[a].Levels {
			if l.Numbers[e.Prop] != 0 {
				set[a] = true
				break
			}
		}
	}
}
func (e *Count) attrs(m *Model, set map[int]bool) {
	for _, x := range e.Xs {
		x.attrs(m, set)
	}
}

// ExprAttrs returns the sorted indices of the attributes an expression mentions.
func ExprAttrs(m *Model, e Expr) []int {
	set := map[int]bool{}
	e.attrs(m, set)
	return sortedKeys(set)
}

// NumAttrs returns the sorted indices of the attributes a numeric expression
// depends on.
func NumAttrs(m *Model, n Num) []int {
	set := map[int]bool{}
	n.attrs(m, set)
	return sortedKeys(set)
}
