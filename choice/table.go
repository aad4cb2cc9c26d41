package choice

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
)

// Table is a data file read into columns: the raw material that a
// specification compiles into Data. Every cell is kept as a number when it
// reads as one; a column with cells that do not is a text column, whose
// cells can be compared with quoted strings in a specification.
type Table struct {
	Name    string   // the file name, for messages
	Columns []string // header names, in file order
	// Num[c][i] is row i's value in column c, NaN when the cell is empty
	// or not a number.
	Num [][]float64
	// Text[c] is nil for an all-numeric column; otherwise it holds every
	// cell of column c as written.
	Text [][]string
	// Line[i] is the file line of row i, for messages.
	Line  []int
	index map[string]int
}

// Rows returns the number of data rows.
func (t *Table) Rows() int { return len(t.Line) }

// Column returns the index of the column named name.
func (t *Table) Column(name string) (int, bool) {
	c, ok := t.index[name]
	return c, ok
}

// MaxTableBytes bounds how much ReadTable reads, so a hostile upload cannot
// exhaust memory; 1 GiB is far beyond any choice survey.
const MaxTableBytes = 1 << 30

// ReadTable reads a delimited text file with a header row. The delimiter is
// the first of tab, comma and semicolon found in the header line; fields
// may be quoted as in RFC 4180. Numbers are read with strconv.ParseFloat
// (so "1e-3" and "-0.5" work; "NA" and empty cells are not numbers). Every
// row must have as many fields as the header.
func ReadTable(r io.Reader, name string) (*Table, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, MaxTableBytes), 1<<16)
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	comma := ','
	switch {
	case bytes.IndexByte(head, '\t') >= 0:
		comma = '\t'
	case bytes.IndexByte(head, ',') >= 0:
		comma = ','
	case bytes.IndexByte(head, ';') >= 0:
		comma = ';'
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = comma != '\t'
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errs.Errorf(errs.Invalid, "%s: empty file: expected a header row naming the columns", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	t := &Table{Name: name, index: make(map[string]int, len(header))}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			return nil, errs.Errorf(errs.Invalid, "%s:1: column %d has no name", name, i+1)
		}
		if j, dup := t.index[h]; dup {
			return nil, errs.Errorf(errs.Invalid, "%s:1: columns %d and %d are both named %q", name, j+1, i+1, h)
		}
		t.index[h] = i
		t.Columns = append(t.Columns, h)
	}
	n := len(header)
	t.Num = make([][]float64, n)
	t.Text = make([][]string, n)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && n > 1 {
			continue // blank line
		}
		if len(rec) != n {
			return nil, errs.Errorf(errs.Invalid, "%s:%d: %d fields, but the header names %d columns", name, line, len(rec), n)
		}
		row := len(t.Line)
		t.Line = append(t.Line, line)
		for c, s := range rec {
			s = strings.TrimSpace(s)
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || s == "" {
				v = math.NaN()
				if s != "" && t.Text[c] == nil {
					// First text cell: keep the numbers so far as text too.
					t.Text[c] = make([]string, row, max(row+1, cap(t.Num[c])))
					for i, x := range t.Num[c] {
						t.Text[c][i] = numText(x)
					}
				}
			}
			t.Num[c] = append(t.Num[c], v)
			if t.Text[c] != nil {
				t.Text[c] = append(t.Text[c], strings.Clone(s))
			}
		}
	}
	if len(t.Line) == 0 {
		return nil, errs.Errorf(errs.Invalid, "%s: no data rows after the header", name)
	}
	return t, nil
}

func numText(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.Errorf(errs.Invalid, "%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// Cell returns row i's text in column c, as written.
func (t *Table) Cell(c, i int) string {
	if t.Text[c] != nil {
		return t.Text[c][i]
	}
	return numText(t.Num[c][i])
}
