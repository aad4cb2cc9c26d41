// Package xcsp reads and writes constraint problems in XCSP 2.1 with
// extensional constraints (relations given as lists of tuples), the format
// that toulbar2 reads and in which public configuration benchmarks, such as
// the Renault Megane model, are published.
//
// Write exports a lowered model (a csp.Problem) so that independent solvers
// can count or solve it; Read imports an instance as a product model, one
// attribute per variable and one table per constraint. See docs/formats.md.
package xcsp

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tailor-c2b/tailor/csp"
)

// Write writes p as an XCSP 2.1 instance. Variable i takes the values
// 0..Size-1 (for an attribute, its level indices) and is named after the
// variable when that name is a plain identifier, V<i> otherwise; every
// relation becomes one relation of allowed tuples (semantics "supports")
// and one constraint. The instance has exactly as many solutions as p.
//
// Two special cases keep that true for solvers that read the file: a
// problem without variables gets one variable with a single value, and an
// unsatisfiable relation over no variables becomes a unary relation without
// supports.
func Write(w io.Writer, p *csp.Problem) error {
	for _, v := range p.Vars {
		if v.Size <= 0 {
			return fmt.Errorf("write XCSP: variable %s has an empty domain", v.Name)
		}
	}
	names := varNames(p)
	sizes := make([]int, len(p.Vars))
	for i, v := range p.Vars {
		sizes[i] = v.Size
	}
	if len(sizes) == 0 {
		names, sizes = []string{"V0"}, []int{1}
	}

	// One domain per distinct size, in order of first use.
	domOf := map[int]int{}
	var doms []int
	for _, s := range sizes {
		if _, ok := domOf[s]; !ok {
			domOf[s] = len(doms)
			doms = append(doms, s)
		}
	}

	type constraint struct {
		name  string
		scope []int
		rel   int
	}
	var (
		rels []*csp.Relation
		cons []constraint
	)
	maxArity := 0
	for i, r := range p.Relations {
		for k, x := range r.Tuples {
			if len(r.Scope) == 0 {
				break
			}
			if s := r.Scope[k%len(r.Scope)]; x < 0 || int(x) >= sizes[s] {
				return fmt.Errorf("write XCSP: relation %d: value %d out of the domain of %s", i, x, names[s])
			}
		}
		name := fmt.Sprintf("C%d", len(cons))
		if r.Origin >= 0 && r.Origin < len(p.Origins) && p.Origins[r.Origin].Name != "" {
			name += "_" + identChars(p.Origins[r.Origin].Name)
		}
		scope := r.Scope
		if len(scope) == 0 {
			if r.Len() > 0 {
				continue // the empty tuple is allowed: no constraint at all
			}
			// No solution: say so with a unary relation that supports nothing.
			r = &csp.Relation{Scope: []int{0}}
			scope = r.Scope
		}
		cons = append(cons, constraint{name: name, scope: scope, rel: len(rels)})
		rels = append(rels, r)
		maxArity = max(maxArity, len(scope))
	}

	bw := bufio.NewWriter(w)
	bw.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<instance>\n")
	name := "tailor"
	if p.Model != nil && p.Model.Name != "" {
		name = p.Model.Name
	}
	fmt.Fprintf(bw, "<presentation name=\"%s\" maxConstraintArity=\"%d\" format=\"XCSP 2.1\" type=\"CSP\"/>\n", attr(name), maxArity)

	fmt.Fprintf(bw, "<domains nbDomains=\"%d\">\n", len(doms))
	for i, s := range doms {
		fmt.Fprintf(bw, "<domain name=\"D%d\" nbValues=\"%d\">0..%d</domain>\n", i, s, s-1)
	}
	bw.WriteString("</domains>\n")

	fmt.Fprintf(bw, "<variables nbVariables=\"%d\">\n", len(names))
	for i, n := range names {
		fmt.Fprintf(bw, "<variable name=\"%s\" domain=\"D%d\"/>\n", n, domOf[sizes[i]])
	}
	bw.WriteString("</variables>\n")

	fmt.Fprintf(bw, "<relations nbRelations=\"%d\">\n", len(rels))
	var buf []byte
	for i, r := range rels {
		fmt.Fprintf(bw, "<relation name=\"R%d\" arity=\"%d\" nbTuples=\"%d\" semantics=\"supports\">", i, len(r.Scope), r.Len())
		n := len(r.Scope)
		for t := 0; t < r.Len(); t++ {
			buf = buf[:0]
			if t > 0 {
				buf = append(buf, '|')
			}
			for j, x := range r.Tuples[t*n : (t+1)*n] {
				if j > 0 {
					buf = append(buf, ' ')
				}
				buf = strconv.AppendInt(buf, int64(x), 10)
			}
			bw.Write(buf)
		}
		bw.WriteString("</relation>\n")
	}
	bw.WriteString("</relations>\n")

	fmt.Fprintf(bw, "<constraints nbConstraints=\"%d\">\n", len(cons))
	for _, c := range cons {
		scope := make([]string, len(c.scope))
		for j, v := range c.scope {
			scope[j] = names[v]
		}
		fmt.Fprintf(bw, "<constraint name=\"%s\" arity=\"%d\" scope=\"%s\" reference=\"R%d\"/>\n",
			c.name, len(c.scope), strings.Join(scope, " "), c.rel)
	}
	bw.WriteString("</constraints>\n</instance>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write XCSP: %w", err)
	}
	return nil
}

// varNames names the variables: a variable keeps its name if it is an
// identifier that cannot clash with a generated name (a letter among C, D,
// R, V followed by a digit), and is called V<i> otherwise.
func varNames(p *csp.Problem) []string {
	names := make([]string, len(p.Vars))
	used := map[string]bool{}
	for i, v := range p.Vars {
		n := v.Name
		if isIdent(n) && !generated(n) && !used[n] {
			used[n] = true
			names[i] = n
			continue
		}
		names[i] = fmt.Sprintf("V%d", i)
	}
	return names
}

// isIdent reports whether s is a name that every XCSP 2.1 reader accepts: a
// letter followed by letters, digits and underscores.
func isIdent(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

func generated(s string) bool {
	return len(s) >= 2 && strings.IndexByte("CDRV", s[0]) >= 0 && isDigit(s[1])
}

// identChars replaces every byte of s that may not appear in an identifier
// with an underscore.
func identChars(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !isLetter(c) && !isDigit(c) && c != '_' {
			b[i] = '_'
		}
	}
	return string(b)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// attr escapes s for use in a double-quoted XML attribute.
func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
