// Package model holds the product model: attributes with their levels and
// level properties, and the rules that say which combinations can be built.
// It parses and prints the model language (docs/model-language.md) and
// checks a model for errors. It knows nothing of how a model is solved; that
// is the configurator's job.
package model

import (
	"fmt"
	"sort"
)

// Pos is a position in a model source file. Line and Col count from 1.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Model is a parsed, resolved product model. Attribute, level and property
// indices in rules, tables and expressions are filled in by Check, so a
// Model returned without errors by Parse can be handed to the configurator.
type Model struct {
	Name     string
	Version  string
	Currency string // ISO 4217 code of money properties, e.g. "EUR"

	Properties []Property
	Groups     []Group
	Attributes []Attribute
	Rules      []Rule
	Tables     []Table

	attrIndex map[string]int
	propIndex map[string]int
}

// PropertyKind says how a level property is read and shown.
type PropertyKind int

const (
	Number PropertyKind = iota // a decimal number with an optional unit
	Money                      // integer minor units of the model currency
	Text                       // a string
)

func (k PropertyKind) String() string {
	switch k {
	case Number:
		return "number"
	case Money:
		return "money"
	case Text:
		return "text"
	}
	return fmt.Sprintf("PropertyKind(%d)", int(k))
}

// Property declares a level property: its name, kind, unit, roll-up and
// label.
type Property struct {
	Name   string
	Kind   PropertyKind
	Unit   string // for Number, e.g. "g", "mm3", "W"; empty if none
	Rollup Rollup // how a configuration's value is made from its levels'
	Label  string
	Pos    Pos
}

// Rollup says how a numeric property of a configuration is made from the
// values of its levels: the sum (cost, weight), or the largest (lead time)
// or smallest.
type Rollup int

const (
	Sum Rollup = iota
	Max
	Min
)

func (r Rollup) String() string {
	switch r {
	case Max:
		return "max"
	case Min:
		return "min"
	}
	return "sum"
}

// Group is a display group of attributes.
type Group struct {
	Name  string
	Label string
	Pos   Pos
}

// Attribute is one choice the customer makes, with its discrete levels.
type Attribute struct {
	Name    string
	Label   string
	Group   string // group name, "" if none
	Levels  []Level
	Default int // index of the default level, -1 if none
	Pos     Pos
}

// Level is one value of an attribute.
type Level struct {
	Name    string
	Label   string
	Numbers map[string]Decimal // number and money properties; absent means 0
	Texts   map[string]string  // text properties
	Parts   []Part             // bill-of-materials lines
	Pos     Pos
}

// Part is one bill-of-materials line of a level: a part number and a quantity.
type Part struct {
	Number string
	Qty    int
}

// RuleKind is the form a logic rule was written in. Requires and Implies
// mean the same thing logically (if If holds, Then must hold); they differ
// only in intent, which a user interface may show.
type RuleKind int

const (
	Requires   RuleKind = iota // If requires Then
	Excludes                   // If excludes Then: not both
	Implies                    // If implies Then
	Constraint                 // Then must hold
)

func (k RuleKind) String() string {
	switch k {
	case Requires:
		return "requires"
	case Excludes:
		return "excludes"
	case Implies:
		return "implies"
	case Constraint:
		return "constraint"
	}
	return fmt.Sprintf("RuleKind(%d)", int(k))
}

// Rule is a logic rule or a numeric constraint. For Constraint, If is nil.
type Rule struct {
	Name  string
	Label string
	Kind  RuleKind
	If    Expr
	Then  Expr
	Pos   Pos
}

// Holds reports whether the rule is satisfied by a complete configuration
// (one level index per attribute).
func (r *Rule) Holds(m *Model, config []int) bool {
	switch r.Kind {
	case Requires, Implies:
		return !r.If.Eval(m, config) || r.Then.Eval(m, config)
	case Excludes:
		return !(r.If.Eval(m, config) && r.Then.Eval(m, config))
	default:
		return r.Then.Eval(m, config)
	}
}

// Attrs returns the sorted indices of the attributes the rule mentions.
func (r *Rule) Attrs(m *Model) []int {
	set := map[int]bool{}
	if r.If != nil {
		r.If.attrs(m, set)
	}
	r.Then.attrs(m, set)
	return sortedKeys(set)
}

// Table is a compatibility table: the allowed (or, if Forbid, the forbidden)
// combinations of levels of two or more attributes, one row per combination.
type Table struct {
	Name   string
	Label  string
	Attrs  []string
	A      []int // attribute indices, filled in by Check
	Rows   []Row
	Forbid bool
	Pos    Pos
}

// Row is one row of a table, one cell per table attribute.
type Row struct {
	Cells []Cell
	Pos   Pos
}

// Cell matches a set of levels of one attribute: any level if Any, otherwise
// the listed levels.
type Cell struct {
	Any    bool
	Levels []string
	L      []int // level indices, filled in by Check
	Pos    Pos
}

// Matches reports whether the cell admits level index l.
func (c *Cell) Matches(l int) bool {
	if c.Any {
		return true
	}
	for _, x := range c.L {
		if x == l {
			return true
		}
	}
	return false
}

// Holds reports whether the table is satisfied by a complete configuration.
func (t *Table) Holds(config []int) bool {
	match := false
	for i := range t.Rows {
		if t.rowMatches(i, config) {
			match = true
			break
		}
	}
	return match != t.Forbid
}

func (t *Table) rowMatches(i int, config []int) bool {
	for j, c := range t.Rows[i].Cells {
		if !c.Matches(config[t.A[j]]) {
			return false
		}
	}
	return true
}

// Attr returns the index of the named attribute, or -1.
func (m *Model) Attr(name string) int {
	if m.attrIndex == nil {
		m.index()
	}
	if i, ok := m.attrIndex[name]; ok {
		return i
	}
	return -1
}

// Level returns the index of the named level of attribute a, or -1.
func (m *Model) Level(a int, name string) int {
	for i, l := range m.Attributes[a].Levels {
		if l.Name == name {
			return i
		}
	}
	return -1
}

// Property returns the declared property of that name, or nil.
func (m *Model) Property(name string) *Property {
	if m.propIndex == nil {
		m.index()
	}
	if i, ok := m.propIndex[name]; ok {
		return &m.Properties[i]
	}
	return nil
}

// Reindex rebuilds the name indexes; call it after changing Attributes or
// Properties of a model built in code.
func (m *Model) Reindex() { m.index() }

func (m *Model) index() {
	m.attrIndex = make(map[string]int, len(m.Attributes))
	for i, a := range m.Attributes {
		if _, dup := m.attrIndex[a.Name]; !dup {
			m.attrIndex[a.Name] = i
		}
	}
	m.propIndex = make(map[string]int, len(m.Properties))
	for i, p := range m.Properties {
		if _, dup := m.propIndex[p.Name]; !dup {
			m.propIndex[p.Name] = i
		}
	}
}

// Valid reports whether a complete configuration satisfies every rule and
// table. It is the model's meaning, written as plainly as possible, and is
// the oracle the configurator is tested against.
func (m *Model) Valid(config []int) bool {
	for i := range m.Rules {
		if !m.Rules[i].Holds(m, config) {
			return false
		}
	}
	for i := range m.Tables {
		if !m.Tables[i].Holds(config) {
			return false
		}
	}
	return true
}

// Size returns the number of complete configurations, valid or not, as a
// float (it may exceed every integer type).
func (m *Model) Size() float64 {
	s := 1.0
	for _, a := range m.Attributes {
		s *= float64(len(a.Levels))
	}
	return s
}

func sortedKeys(set map[int]bool) []int {
	out := make([]int, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
