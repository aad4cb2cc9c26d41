package xcsp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/model"
)

// Limits on what Read accepts, so that a broken or hostile file cannot
// exhaust memory: the values of one domain, and the levels of all
// attributes together.
const (
	MaxDomainValues = 1 << 16
	MaxLevels       = 1 << 20
)

// reserved are the words of the model language that cannot be names.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "requires": true,
	"excludes": true, "implies": true, "true": true, "false": true,
}

type xPresentation struct {
	Name   string `xml:"name,attr"`
	Format string `xml:"format,attr"`
	Type   string `xml:"type,attr"`
}

type xDomain struct {
	Name   string `xml:"name,attr"`
	Values string `xml:",chardata"`
	pos    model.Pos
}

type xVariable struct {
	Name   string `xml:"name,attr"`
	Domain string `xml:"domain,attr"`
	pos    model.Pos
}

type xRelation struct {
	Name      string `xml:"name,attr"`
	Arity     string `xml:"arity,attr"`
	Semantics string `xml:"semantics,attr"`
	Tuples    string `xml:",chardata"`
	pos       model.Pos
}

type xPredicate struct {
	Name string `xml:"name,attr"`
	pos  model.Pos
}

type xConstraint struct {
	Name      string `xml:"name,attr"`
	Arity     string `xml:"arity,attr"`
	Scope     string `xml:"scope,attr"`
	Reference string `xml:"reference,attr"`
	pos       model.Pos
}

// instance is an XCSP 2.1 document as read, before names are resolved.
type instance struct {
	file         string
	presentation xPresentation
	domains      []xDomain
	variables    []xVariable
	relations    []xRelation
	predicates   []xPredicate
	constraints  []xConstraint
}

// sectionChild maps each section of an instance to the element it lists.
var sectionChild = map[string]string{
	"domains":     "domain",
	"variables":   "variable",
	"relations":   "relation",
	"predicates":  "predicate",
	"constraints": "constraint",
}

// Read reads an XCSP 2.1 instance with extensional constraints and returns
// it as a product model; name is the file name used in error messages and
// positions.
//
// Every variable becomes an attribute, named after the variable with each
// character other than an ASCII letter, digit or underscore replaced by an
// underscore (an "x" is put before a name of digits only, an underscore
// after a reserved word, and "_2", "_3", ... after a name already taken).
// Its levels are the domain values in the order listed, the level of value
// n named "v<n>" and that of -n named "m<n>" (so -3 is "m3"), with the value
// as label. Every constraint becomes a table named after the constraint:
// the rows of a "supports" relation list the allowed combinations, those of
// a "conflicts" relation the forbidden ones (Forbid). Tuples with a value
// outside a variable's domain can never match and are left out.
//
// Soft relations, predicates (intension constraints) and global
// constraints are not supported: Read returns an error that names the
// relation or constraint. Errors begin with "file:line:col:".
func Read(r io.Reader, name string) (*model.Model, error) {
	in, err := decode(r, name)
	if err != nil {
		return nil, err
	}
	return in.build()
}

func (in *instance) pos(line, col int) model.Pos {
	return model.Pos{File: in.file, Line: line, Col: col}
}

// decode reads the elements of an instance that Read understands, with
// their positions, and skips any other.
func decode(r io.Reader, file string) (*instance, error) {
	in := &instance{file: file}
	d := xml.NewDecoder(r)
	d.CharsetReader = charsetReader
	var stack []string
	seenRoot := false
	for {
		line, col := d.InputPos()
		pos := in.pos(line, col)
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlError(in, d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			elem := t.Name.Local
			switch len(stack) {
			case 0:
				if elem != "instance" {
					return nil, fmt.Errorf("%s: the root element is <%s>, want <instance>", pos, elem)
				}
				if seenRoot {
					return nil, fmt.Errorf("%s: a second <instance> element", pos)
				}
				seenRoot = true
				for _, a := range t.Attr {
					if a.Name.Local == "format" && !strings.HasPrefix(a.Value, "XCSP 2") {
						return nil, fmt.Errorf("%s: <instance format=%q>: only XCSP 2.0 and 2.1 are supported", pos, a.Value)
					}
				}
			case 1:
				if elem == "presentation" {
					if err := d.DecodeElement(&in.presentation, &t); err != nil {
						return nil, xmlError(in, d, err)
					}
					if f := in.presentation.Format; f != "" && !strings.HasPrefix(f, "XCSP 2") {
						return nil, fmt.Errorf("%s: <presentation format=%q>: only XCSP 2.0 and 2.1 are supported", pos, f)
					}
					if ty := in.presentation.Type; ty != "" && ty != "CSP" {
						return nil, fmt.Errorf("%s: <presentation type=%q>: only CSP instances are supported", pos, ty)
					}
					continue
				}
				if _, ok := sectionChild[elem]; !ok {
					if err := d.Skip(); err != nil {
						return nil, xmlError(in, d, err)
					}
					continue
				}
			case 2:
				if child, ok := sectionChild[stack[1]]; ok && child == elem {
					if err := in.decodeChild(d, &t, pos); err != nil {
						return nil, err
					}
					continue
				}
				if err := d.Skip(); err != nil {
					return nil, xmlError(in, d, err)
				}
				continue
			}
			stack = append(stack, elem)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if !seenRoot {
		return nil, fmt.Errorf("%s: no <instance> element", in.pos(1, 1))
	}
	return in, nil
}

func (in *instance) decodeChild(d *xml.Decoder, t *xml.StartElement, pos model.Pos) error {
	var err error
	switch t.Name.Local {
	case "domain":
		x := xDomain{pos: pos}
		err = d.DecodeElement(&x, t)
		in.domains = append(in.domains, x)
	case "variable":
		x := xVariable{pos: pos}
		err = d.DecodeElement(&x, t)
		in.variables = append(in.variables, x)
	case "relation":
		x := xRelation{pos: pos}
		err = d.DecodeElement(&x, t)
		in.relations = append(in.relations, x)
	case "predicate":
		x := xPredicate{pos: pos}
		err = d.DecodeElement(&x, t)
		in.predicates = append(in.predicates, x)
	case "constraint":
		x := xConstraint{pos: pos}
		err = d.DecodeElement(&x, t)
		in.constraints = append(in.constraints, x)
	}
	if err != nil {
		return xmlError(in, d, err)
	}
	return nil
}

// charsetReader lets the decoder read the single-byte encodings older
// instances declare, besides UTF-8.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return &latin1Reader{r: r}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", charset)
}

// latin1Reader decodes ISO 8859-1, in which every byte is the code point of
// the same value, to UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
	out []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.out) == 0 {
		if l.buf == nil {
			l.buf = make([]byte, 4096)
		}
		// At most two bytes of UTF-8 per byte read.
		n, err := l.r.Read(l.buf[:min(len(l.buf), len(p)/2+1)])
		for _, c := range l.buf[:n] {
			l.out = utf8.AppendRune(l.out, rune(c))
		}
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

// xmlError reports malformed XML where the decoder stopped.
func xmlError(in *instance, d *xml.Decoder, err error) error {
	line, col := d.InputPos()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: malformed XML: %s", in.pos(line, col), se.Msg)
	}
	return fmt.Errorf("%s: malformed XML: %v", in.pos(line, col), err)
}

// elemError formats an error about a named element.
func elemError(pos model.Pos, elem, name, format string, args ...any) error {
	return fmt.Errorf("%s: %s %q: %s", pos, elem, name, fmt.Sprintf(format, args...))
}

// domain is a resolved domain: its values in order, and the index of each.
type domain struct {
	pos    model.Pos
	values []int64
	index  map[int64]int
	levels []model.Level
}

// relation is a resolved relation: its tuples, arity values each.
type relation struct {
	arity  int
	forbid bool
	tuples []int64
}

func (in *instance) build() (*model.Model, error) {
	m := &model.Model{Name: in.presentation.Name, Version: "1"}
	if m.Name == "" {
		m.Name = strings.TrimSuffix(filepath.Base(in.file), filepath.Ext(in.file))
	}
	if m.Name == "" || m.Name == "." {
		m.Name = "xcsp"
	}

	domains := map[string]*domain{}
	for i := range in.domains {
		x := &in.domains[i]
		if x.Name == "" {
			return nil, fmt.Errorf("%s: a domain without a name", x.pos)
		}
		if domains[x.Name] != nil {
			return nil, elemError(x.pos, "domain", x.Name, "defined twice")
		}
		dom, err := parseDomain(x.Values)
		if err != nil {
			return nil, elemError(x.pos, "domain", x.Name, "%v", err)
		}
		dom.pos = x.pos
		domains[x.Name] = dom
	}

	var names namer
	varIndex := map[string]int{}
	varDom := make([]*domain, len(in.variables))
	levels := 0
	for i := range in.variables {
		x := &in.variables[i]
		if x.Name == "" {
			return nil, fmt.Errorf("%s: a variable without a name", x.pos)
		}
		if _, dup := varIndex[x.Name]; dup {
			return nil, elemError(x.pos, "variable", x.Name, "defined twice")
		}
		dom := domains[x.Domain]
		if dom == nil {
			return nil, elemError(x.pos, "variable", x.Name, "unknown domain %q", x.Domain)
		}
		levels += len(dom.values)
		if levels > MaxLevels {
			return nil, elemError(x.pos, "variable", x.Name, "the variables have more than %d values in all", MaxLevels)
		}
		if dom.levels == nil {
			dom.levels = make([]model.Level, len(dom.values))
			for l, v := range dom.values {
				dom.levels[l] = model.Level{Name: levelName(v), Label: strconv.FormatInt(v, 10), Pos: dom.pos}
			}
		}
		a := model.Attribute{Name: names.name(x.Name), Default: -1, Pos: x.pos}
		if a.Name != x.Name {
			a.Label = x.Name
		}
		// Each attribute gets its own levels: models are edited in place.
		a.Levels = append([]model.Level(nil), dom.levels...)
		varIndex[x.Name] = i
		varDom[i] = dom
		m.Attributes = append(m.Attributes, a)
	}

	relations := map[string]*relation{}
	for i := range in.relations {
		x := &in.relations[i]
		if x.Name == "" {
			return nil, fmt.Errorf("%s: a relation without a name", x.pos)
		}
		if relations[x.Name] != nil {
			return nil, elemError(x.pos, "relation", x.Name, "defined twice")
		}
		rel, err := parseRelation(x)
		if err != nil {
			return nil, elemError(x.pos, "relation", x.Name, "%v", err)
		}
		relations[x.Name] = rel
	}
	predicates := map[string]bool{}
	for _, x := range in.predicates {
		predicates[x.Name] = true
	}

	var tableNames namer
	for i := range in.constraints {
		x := &in.constraints[i]
		if x.Name == "" {
			return nil, fmt.Errorf("%s: a constraint without a name", x.pos)
		}
		t, err := in.table(m, x, varIndex, varDom, relations, predicates)
		if err != nil {
			return nil, elemError(x.pos, "constraint", x.Name, "%v", err)
		}
		t.Name = tableNames.name(x.Name)
		if t.Name != x.Name {
			t.Label = x.Name
		}
		m.Tables = append(m.Tables, *t)
	}
	m.Reindex()
	return m, nil
}

func (in *instance) table(m *model.Model, x *xConstraint, varIndex map[string]int, varDom []*domain, relations map[string]*relation, predicates map[string]bool) (*model.Table, error) {
	ref := x.Reference
	switch {
	case strings.HasPrefix(ref, "global:"):
		return nil, fmt.Errorf("global constraint %s is not supported; only extensional constraints (relations) are", strings.TrimPrefix(ref, "global:"))
	case predicates[ref]:
		return nil, fmt.Errorf("it references predicate %q: intension constraints are not supported; only extensional constraints (relations) are", ref)
	}
	rel := relations[ref]
	if rel == nil {
		return nil, fmt.Errorf("unknown relation %q", ref)
	}
	scope := strings.Fields(x.Scope)
	if len(scope) == 0 {
		return nil, fmt.Errorf("empty scope")
	}
	if x.Arity != "" {
		if n, err := strconv.Atoi(x.Arity); err != nil || n != len(scope) {
			return nil, fmt.Errorf("arity %q but %d variables in its scope", x.Arity, len(scope))
		}
	}
	if rel.arity != len(scope) {
		return nil, fmt.Errorf("%d variables in its scope, but relation %q has arity %d", len(scope), ref, rel.arity)
	}
	t := &model.Table{Forbid: rel.forbid, Pos: x.pos}
	doms := make([]*domain, len(scope))
	for j, v := range scope {
		a, ok := varIndex[v]
		if !ok {
			return nil, fmt.Errorf("unknown variable %q in its scope", v)
		}
		t.Attrs = append(t.Attrs, m.Attributes[a].Name)
		t.A = append(t.A, a)
		doms[j] = varDom[a]
	}
	n := rel.arity
	cells := make([]model.Cell, 0, len(rel.tuples))
tuples:
	for i := 0; i < len(rel.tuples); i += n {
		start := len(cells)
		for j, v := range rel.tuples[i : i+n] {
			l, ok := doms[j].index[v]
			if !ok {
				cells = cells[:start]
				continue tuples
			}
			cells = append(cells, model.Cell{Levels: []string{doms[j].levels[l].Name}, L: []int{l}, Pos: x.pos})
		}
		t.Rows = append(t.Rows, model.Row{Cells: cells[start:len(cells):len(cells)], Pos: x.pos})
	}
	return t, nil
}

// parseDomain reads the values of a domain: integers and ranges "a..b",
// separated by white space, in order.
func parseDomain(s string) (*domain, error) {
	d := &domain{index: map[int64]int{}}
	add := func(v int64) error {
		if _, dup := d.index[v]; dup {
			return fmt.Errorf("value %d listed twice", v)
		}
		if len(d.values) >= MaxDomainValues {
			return fmt.Errorf("more than %d values", MaxDomainValues)
		}
		d.index[v] = len(d.values)
		d.values = append(d.values, v)
		return nil
	}
	for _, f := range strings.Fields(s) {
		lo, hi, isRange := strings.Cut(f, "..")
		a, err := strconv.ParseInt(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad value %q", f)
		}
		if !isRange {
			if err := add(a); err != nil {
				return nil, err
			}
			continue
		}
		b, err := strconv.ParseInt(hi, 10, 64)
		if err != nil || b < a {
			return nil, fmt.Errorf("bad range %q", f)
		}
		if b-a >= MaxDomainValues || b-a < 0 {
			return nil, fmt.Errorf("range %q has more than %d values", f, MaxDomainValues)
		}
		for v := a; ; v++ {
			if err := add(v); err != nil {
				return nil, err
			}
			if v == b {
				break
			}
		}
	}
	if len(d.values) == 0 {
		return nil, fmt.Errorf("no values")
	}
	return d, nil
}

// parseRelation reads the tuples of a relation: values separated by white
// space, tuples by "|".
func parseRelation(x *xRelation) (*relation, error) {
	rel := &relation{}
	switch x.Semantics {
	case "supports":
	case "conflicts":
		rel.forbid = true
	case "soft":
		return nil, fmt.Errorf("soft relations (weighted CSP) are not supported")
	default:
		return nil, fmt.Errorf("semantics %q, want supports or conflicts", x.Semantics)
	}
	n, err := strconv.Atoi(x.Arity)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("arity %q, want a positive integer", x.Arity)
	}
	rel.arity = n
	if strings.TrimSpace(x.Tuples) == "" {
		return rel, nil
	}
	for i, tuple := range strings.Split(x.Tuples, "|") {
		fs := strings.Fields(tuple)
		if len(fs) != n {
			return nil, fmt.Errorf("tuple %d has %d values, want %d", i+1, len(fs), n)
		}
		for _, f := range fs {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("tuple %d: bad value %q", i+1, f)
			}
			rel.tuples = append(rel.tuples, v)
		}
	}
	return rel, nil
}

// levelName names the level of value v: "v12" for 12, "m3" for -3.
func levelName(v int64) string {
	if v < 0 {
		return "m" + strings.TrimPrefix(strconv.FormatInt(v, 10), "-")
	}
	return "v" + strconv.FormatInt(v, 10)
}

// namer turns XCSP names into distinct names of the model language.
type namer struct{ used map[string]bool }

func (n *namer) name(s string) string {
	if n.used == nil {
		n.used = map[string]bool{}
	}
	b := []byte(s)
	word := false
	for i, c := range b {
		if !isLetter(c) && !isDigit(c) {
			b[i] = '_'
		}
		if !isDigit(b[i]) {
			word = true
		}
	}
	base := string(b)
	if !word {
		base = "x" + base
	}
	if reserved[base] {
		base += "_"
	}
	out := base
	for k := 2; n.used[out]; k++ {
		out = base + "_" + strconv.Itoa(k)
	}
	n.used[out] = true
	return out
}
