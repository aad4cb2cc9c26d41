package survey

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/tailor-c2b/tailor/errs"
)

// Answers leave the product as a data file in the long layout of package
// choice (docs/choice-models.md) with a specification that codes them as
// Data does, so that `tailor fit --data answers.csv --spec survey.spec`
// fits the same model as a fit inside the product. The file shows level
// names rather than coded columns, so that it reads on its own; the
// specification turns them into the dummies of Data.

// Fixed columns of the answers file.
const (
	colRespondent = "respondent"
	colVersion    = "version"
	colTask       = "task"
	colHoldout    = "holdout"
	colConcept    = "concept"
	colChosen     = "chosen"
	colPrice      = "price_minor"
)

// reservedColumns are names an attribute's column may not take: the fixed
// columns, the parameters price and none, and the words of the
// specification language.
var reservedColumns = []string{colRespondent, colVersion, colTask, colHoldout, colConcept, colChosen, colPrice,
	"price", "none", "and", "or", "not", "in", "log", "exp", "sqrt", "abs", "min", "max"}

// AnswerColumn returns the name of attribute a's column in the answers
// file: the attribute's name, or "attr_" and the name when the name is
// taken by a fixed column or a word of the specification language, or
// does not start with a letter.
func AnswerColumn(a Attribute) string {
	n := a.Name
	if n == "" || !(n[0] >= 'a' && n[0] <= 'z' || n[0] >= 'A' && n[0] <= 'Z') || slices.Contains(reservedColumns, n) {
		return "attr_" + n
	}
	return n
}

// SpecParams returns the parameter names of the specification WriteSpec
// writes, in the order of Params: "attr:level" is written "attr.level"
// (with the attribute's column name, see AnswerColumn), since the
// specification language's names cannot hold a colon; "price" and "none"
// keep their names.
func (s *Survey) SpecParams() []string {
	var names []string
	for _, a := range s.Attributes {
		for _, l := range a.Levels[1:] {
			names = append(names, AnswerColumn(a)+"."+l.Name)
		}
	}
	if len(s.Prices) > 0 {
		names = append(names, "price")
	}
	if s.Spec.None {
		names = append(names, "none")
	}
	return names
}

// WriteAnswers writes answers as a comma-separated file in the long layout:
// a header, then for every answer one row per concept of the task and a row
// for "none" when the survey has it. The columns are
//
//	respondent   the respondent's label, as in the answers
//	version      the version, from 0
//	task         the task, from 0 (designed tasks first, then holdouts)
//	holdout      1 for a holdout task, else 0
//	concept      the concept's position from 1; Concepts+1 is "none"
//	chosen       1 on the chosen row, else 0
//	<attribute>  per shown attribute (named by AnswerColumn), the level's
//	             name; empty on the none row
//	price_minor  the price in minor units; 0 on the none row; only when
//	             the survey shows prices
//
// Respondents come in order of first appearance and each one's tasks in
// order, as Data orders its cases. It returns an errs.Invalid error for an
// answer the survey cannot have, as Data does.
func (s *Survey) WriteAnswers(w io.Writer, answers []Answer) error {
	ordered, err := s.orderAnswers(answers)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	head := []string{colRespondent, colVersion, colTask, colHoldout, colConcept, colChosen}
	for _, a := range s.Attributes {
		head = append(head, AnswerColumn(a))
	}
	if len(s.Prices) > 0 {
		head = append(head, colPrice)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	row := make([]string, len(head))
	rows := s.Spec.Concepts
	if s.Spec.None {
		rows++
	}
	for _, a := range ordered {
		t, _ := s.Task(a.Version, a.Task)
		row[0], row[1], row[2] = a.Respondent, strconv.Itoa(a.Version), strconv.Itoa(a.Task)
		row[3] = "0"
		if a.Task >= s.Spec.Tasks {
			row[3] = "1"
		}
		for j := range rows {
			row[4] = strconv.Itoa(j + 1)
			row[5] = "0"
			if j == a.Choice {
				row[5] = "1"
			}
			for i, at := range s.Attributes {
				row[6+i] = ""
				if j < len(t.Concepts) {
					row[6+i] = at.Levels[t.Concepts[j].Levels[i]].Name
				}
			}
			if len(s.Prices) > 0 {
				row[len(row)-1] = "0"
				if j < len(t.Concepts) {
					p, _ := s.Price(t.Concepts[j])
					row[len(row)-1] = strconv.FormatInt(p, 10)
				}
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// orderAnswers checks answers as Data does and returns them grouped by
// respondent in order of first appearance, each respondent's in task order.
func (s *Survey) orderAnswers(answers []Answer) ([]Answer, error) {
	first := map[string]int{}
	version := map[string]int{}
	seen := map[[2]any]bool{}
	for i, a := range answers {
		where := fmt.Sprintf("Answer %d (respondent %q)", i+1, a.Respondent)
		if a.Respondent == "" {
			return nil, errs.Errorf(errs.Invalid, "Answer %d names no respondent.", i+1)
		}
		if a.Version < 0 || a.Version >= len(s.Versions) {
			return nil, errs.Errorf(errs.Invalid, "%s: version %d does not exist; the survey has versions 0 to %d.", where, a.Version, len(s.Versions)-1)
		}
		if err := s.CheckAnswer(a.Task, a.Choice); err != nil {
			return nil, errs.Errorf(errs.Invalid, "%s: %s", where, errs.Message(err))
		}
		if _, ok := first[a.Respondent]; !ok {
			first[a.Respondent] = i
			version[a.Respondent] = a.Version
		}
		if version[a.Respondent] != a.Version {
			return nil, errs.Errorf(errs.Invalid, "%s: answers version %d but earlier answered version %d.", where, a.Version, version[a.Respondent])
		}
		key := [2]any{a.Respondent, a.Task}
		if seen[key] {
			return nil, errs.Errorf(errs.Invalid, "%s: answers task %d a second time.", where, a.Task)
		}
		seen[key] = true
	}
	out := slices.Clone(answers)
	slices.SortStableFunc(out, func(a, b Answer) int {
		return cmp.Or(cmp.Compare(first[a.Respondent], first[b.Respondent]), cmp.Compare(a.Task, b.Task))
	})
	return out, nil
}

// WriteSpec writes the utility specification (docs/choice-models.md) that
// reads the file WriteAnswers writes and codes it exactly as Data does,
// parameters named as SpecParams says. With holdout false it keeps the
// designed tasks, with holdout true the holdout tasks only, as Data's
// holdout argument does. title names the survey in the header comment.
func (s *Survey) WriteSpec(w io.Writer, title string, holdout bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Choice survey %q on %s %s: %d versions x %d tasks x %d concepts", title, s.Model, s.Version,
		len(s.Versions), s.Spec.Tasks, s.Spec.Concepts)
	if s.Spec.None {
		b.WriteString(" + none")
	}
	switch len(s.Holdouts) {
	case 0:
		b.WriteString(", no holdout tasks.\n")
	case 1:
		b.WriteString(", 1 holdout task.\n")
	default:
		fmt.Fprintf(&b, ", %d holdout tasks.\n", len(s.Holdouts))
	}
	b.WriteString("# Reads the answers file of the survey (answers.csv, long layout) and codes it as the product does\n")
	b.WriteString("# (docs/surveys.md): each attribute dummy coded against its first level, the price per 100 major\n")
	b.WriteString("# currency units, and a constant for none. Parameter attr:level of the product is attr.level here.\n")
	b.WriteString("layout long\n")
	fmt.Fprintf(&b, "case %s %s\n", colRespondent, colTask)
	fmt.Fprintf(&b, "alternative %s\n", colConcept)
	b.WriteString("alternatives")
	for j, name := range s.Alternatives() {
		fmt.Fprintf(&b, " %s=%d", name, j+1)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "chosen %s\n", colChosen)
	fmt.Fprintf(&b, "panel %s\n", colRespondent)
	if holdout {
		fmt.Fprintf(&b, "exclude %s == 0    # keep the holdout tasks only, to check a fitted model\n", colHoldout)
	} else {
		fmt.Fprintf(&b, "exclude %s == 1    # holdout tasks check predictions; they are not fitted\n", colHoldout)
	}
	var terms []string
	params := s.SpecParams()
	k := 0
	for _, a := range s.Attributes {
		for _, l := range a.Levels[1:] {
			terms = append(terms, fmt.Sprintf("%s * (%s == %q)", params[k], AnswerColumn(a), l.Name))
			k++
		}
	}
	if len(s.Prices) > 0 {
		if s.Spec.None {
			terms = append(terms, fmt.Sprintf("price * (%s - %d) / 10000 * (%s != %d)", colPrice, s.PriceCentre(), colConcept, s.Spec.Concepts+1))
		} else {
			terms = append(terms, fmt.Sprintf("price * (%s - %d) / 10000", colPrice, s.PriceCentre()))
		}
	}
	if s.Spec.None {
		terms = append(terms, fmt.Sprintf("none * (%s == %d)", colConcept, s.Spec.Concepts+1))
	}
	for i, t := range terms {
		if i == 0 {
			b.WriteString("utility *: ")
		} else {
			b.WriteString("         + ")
		}
		b.WriteString(t)
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
