package lineup

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
)

// The matrix file (docs/lineup.md) is CSV:
//
//	customer,weight,none,phone A,phone B,phone C
//	margin,,,120,95,60
//	must,,,1,0,0
//	forbid,,,0,0,1
//	group android,,,1,1,0
//	c1,0.4,1.2,2.5,1.9,0.3
//	c2,0.6,0.8,1.1,2.2,1.7
//
// The header names the three leading columns and then the candidates. The
// margin row comes next; must, forbid and group rows (1 marks a
// candidate, 0 or empty does not) may follow it; then one row per
// customer: a name, its weight (empty: 1), its utility of not buying and
// its utility of every candidate. Lines that start with # are comments.
// The number to choose and the choice rule are not part of the file.

// MaxMatrixCells bounds the utilities a matrix file may hold (2 GiB of
// them), so that a hostile file cannot exhaust memory.
const MaxMatrixCells = 1 << 28

// ReadMatrix reads a problem from a matrix file. Its K, Rule and Scale are
// left zero, for the caller to set; everything else is checked, and errors
// (errs.Invalid) point at name:line:column.
func ReadMatrix(r io.Reader, name string) (*Problem, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	fail := func(line, col int, format string, args ...any) error {
		return errs.Errorf(errs.Invalid, "%s:%d:%d: %s", name, line, col, fmt.Sprintf(format, args...))
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errs.Errorf(errs.Invalid, "%s: empty file: expected the header customer,weight,none,<candidates...>", name)
	}
	if err != nil {
		return nil, matrixCSVError(name, err)
	}
	for c, want := range []string{"customer", "weight", "none"} {
		got := ""
		if c < len(header) {
			got = strings.TrimSpace(strings.TrimPrefix(header[c], "\ufeff"))
		}
		if !strings.EqualFold(got, want) {
			line, col := fieldPos(cr, c)
			return nil, fail(line, col, "column %d of the header must be %q, not %q", c+1, want, got)
		}
	}
	n := len(header) - 3
	if n < 1 {
		return nil, fail(1, 1, "the header names no candidates after customer,weight,none")
	}
	p := &Problem{Candidates: n, Labels: make([]string, n)}
	seen := make(map[string]int, n)
	for j := range n {
		l := strings.TrimSpace(header[3+j])
		line, col := fieldPos(cr, 3+j)
		if l == "" {
			return nil, fail(line, col, "candidate %d has no name", j+1)
		}
		if k, dup := seen[l]; dup {
			return nil, fail(line, col, "candidates %d and %d are both named %q", k+1, j+1, l)
		}
		seen[l] = j
		p.Labels[j] = l
	}
	var weights []float64
	anyWeight := false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, matrixCSVError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != n+3 {
			return nil, fail(line, 1, "%d fields, but the header names %d columns", len(rec), n+3)
		}
		// num reads field c as a number; what names it for messages.
		num := func(c int, what string) (float64, error) {
			s := strings.TrimSpace(rec[c])
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				l, col := fieldPos(cr, c)
				return 0, fail(l, col, "%s: %q is not a number", what, s)
			}
			return v, nil
		}
		// marks reads a must, forbid or group row.
		marks := func(what string) ([]int, error) {
			var js []int
			for j := range n {
				switch s := strings.TrimSpace(rec[3+j]); s {
				case "1":
					js = append(js, j)
				case "0", "":
				default:
					l, col := fieldPos(cr, 3+j)
					return nil, fail(l, col, "%s, candidate %q: want 1 or 0 (or empty), not %q", what, p.Labels[j], s)
				}
			}
			return js, nil
		}
		first := strings.TrimSpace(rec[0])
		key := strings.ToLower(first)
		if p.Margin == nil {
			if key != "margin" {
				return nil, fail(line, 1, "expected the margin row after the header, not %q", first)
			}
			p.Margin = make([]float64, n)
			for j := range n {
				if p.Margin[j], err = num(3+j, fmt.Sprintf("margin of %q", p.Labels[j])); err != nil {
					return nil, err
				}
			}
			continue
		}
		if p.Customers == 0 {
			switch {
			case key == "must" || key == "forbid":
				js, err := marks(key)
				if err != nil {
					return nil, err
				}
				if key == "must" {
					p.Must = append(p.Must, js...)
				} else {
					p.Forbid = append(p.Forbid, js...)
				}
				continue
			case key == "group" || strings.HasPrefix(key, "group ") || strings.HasPrefix(key, "group:"):
				js, err := marks(first)
				if err != nil {
					return nil, err
				}
				if len(js) == 0 {
					return nil, fail(line, 1, "%s marks no candidate", first)
				}
				p.Groups = append(p.Groups, js)
				continue
			case key == "margin":
				return nil, fail(line, 1, "a second margin row")
			}
		}
		if p.Customers+1 > MaxMatrixCells/n {
			return nil, fail(line, 1, "more than %d utilities: too large a matrix", MaxMatrixCells)
		}
		p.Customers++
		cust := first
		if cust == "" {
			cust = strconv.Itoa(p.Customers)
		}
		w := 1.0
		if s := strings.TrimSpace(rec[1]); s != "" {
			if w, err = num(1, fmt.Sprintf("customer %q, weight", cust)); err != nil {
				return nil, err
			}
			if w < 0 {
				l, col := fieldPos(cr, 1)
				return nil, fail(l, col, "customer %q: the weight must not be negative", cust)
			}
			anyWeight = true
		}
		weights = append(weights, w)
		u, err := num(2, fmt.Sprintf("customer %q, no-purchase utility", cust))
		if err != nil {
			return nil, err
		}
		p.None = append(p.None, u)
		for j := range n {
			u, err := num(3+j, fmt.Sprintf("customer %q, candidate %q", cust, p.Labels[j]))
			if err != nil {
				return nil, err
			}
			p.Utility = append(p.Utility, u)
		}
	}
	if p.Margin == nil {
		return nil, errs.Errorf(errs.Invalid, "%s: no margin row after the header", name)
	}
	if p.Customers == 0 {
		return nil, errs.Errorf(errs.Invalid, "%s: no customer rows", name)
	}
	if anyWeight {
		p.Weight = weights
	}
	if err := p.validateMatrix(); err != nil {
		return nil, errs.Errorf(errs.Invalid, "%s: %s", name, errs.Message(err))
	}
	return p, nil
}

// fieldPos returns the line and column of field c of the record just
// read, or of its last field when c is past the end.
func fieldPos(cr *csv.Reader, c int) (int, int) {
	defer func() { _ = recover() }()
	return cr.FieldPos(c)
}

func matrixCSVError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.Errorf(errs.Invalid, "%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// WriteMatrix writes p's matrix, margins, required, forbidden and grouped
// candidates as a matrix file that ReadMatrix reads back. Candidates
// without labels are written as #1, #2, ...; customers are numbered.
func WriteMatrix(w io.Writer, p *Problem) error {
	if err := p.validateMatrix(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	n := p.Candidates
	rec := make([]string, n+3)
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	rec[0], rec[1], rec[2] = "customer", "weight", "none"
	for j := range n {
		rec[3+j] = p.Label(j)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	rec[0], rec[1], rec[2] = "margin", "", ""
	for j, m := range p.Margin {
		rec[3+j] = num(m)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	marks := func(first string, js []int) error {
		rec[0] = first
		for j := range n {
			rec[3+j] = "0"
		}
		for _, j := range js {
			rec[3+j] = "1"
		}
		return cw.Write(rec)
	}
	if len(p.Must) > 0 {
		if err := marks("must", p.Must); err != nil {
			return err
		}
	}
	if len(p.Forbid) > 0 {
		if err := marks("forbid", p.Forbid); err != nil {
			return err
		}
	}
	for g, js := range p.Groups {
		if err := marks(fmt.Sprintf("group %d", g+1), js); err != nil {
			return err
		}
	}
	for i := range p.Customers {
		rec[0] = strconv.Itoa(i + 1)
		rec[1] = ""
		if p.Weight != nil {
			rec[1] = num(p.Weight[i])
		}
		rec[2] = num(p.None[i])
		for j := range n {
			rec[3+j] = num(p.u(i, j))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// MaxJSONBytes bounds how much ReadJSON reads.
const MaxJSONBytes = 1 << 31

// ReadJSON reads a problem as JSON: the fields of Problem under their
// json names (docs/lineup.md). Unknown fields are errors. The matrix part
// is checked as by ReadMatrix; K and the constraints are checked by
// Validate (and Solve).
func ReadJSON(r io.Reader, name string) (*Problem, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxJSONBytes))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Problem
	if err := dec.Decode(&p); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(b, se.Offset-1)
			return nil, errs.Errorf(errs.Invalid, "%s:%d:%d: %v", name, line, col, err)
		case errors.As(err, &te):
			line, col := lineCol(b, te.Offset)
			return nil, errs.Errorf(errs.Invalid, "%s:%d:%d: %s: want %v, not %s", name, line, col, te.Field, te.Type, te.Value)
		case err == io.EOF:
			return nil, errs.Errorf(errs.Invalid, "%s: empty file: expected a JSON object", name)
		case errs.Code(err) == errs.Invalid:
			return nil, errs.Errorf(errs.Invalid, "%s: %s", name, errs.Message(err))
		}
		return nil, errs.Errorf(errs.Invalid, "%s: %v", name, err)
	}
	if dec.More() {
		line, col := lineCol(b, dec.InputOffset())
		return nil, errs.Errorf(errs.Invalid, "%s:%d:%d: more after the problem", name, line, col)
	}
	if err := p.validateMatrix(); err != nil {
		return nil, errs.Errorf(errs.Invalid, "%s: %s", name, errs.Message(err))
	}
	return &p, nil
}

// lineCol returns the 1-based line and column of byte offset off in b.
func lineCol(b []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
