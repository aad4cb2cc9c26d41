package survey

import (
	"fmt"
	"slices"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
)

// Answer is one respondent's choice in one task. Version counts from 0;
// Task counts from 0 over the designed tasks and then the holdouts, in the
// order a respondent sees them; Choice is the chosen concept, 0 to
// Concepts-1, or Concepts for "none of these".
type Answer struct {
	Respondent string `json:"respondent"`
	Version    int    `json:"version"`
	Task       int    `json:"task"`
	Choice     int    `json:"choice"`
}

// Alternatives returns the names Data gives the alternatives: "concept1"
// and onwards by position in the task, then "none".
func (s *Survey) Alternatives() []string {
	var names []string
	for j := range s.Spec.Concepts {
		names = append(names, fmt.Sprintf("concept%d", j+1))
	}
	if s.Spec.None {
		names = append(names, "none")
	}
	return names
}

// Data compiles answers into choice data for estimation, coded as the
// package documentation says (parameters in Params order): one case per
// answered task, with a row per concept and a none row, and one panel per
// respondent, in order of first appearance, each respondent's cases in task
// order. With holdout false it takes the answers to the designed tasks
// only; with holdout true, the answers to the holdout tasks only, for
// checking a model fitted on the others. It returns an errs.Invalid error
// for an answer to a version, task or concept the survey does not have, a
// respondent who answers a task twice or appears in two versions, and when
// no answer is left to code.
func (s *Survey) Data(answers []Answer, holdout bool) (*choice.Data, error) {
	type resp struct {
		version int
		answers []Answer
	}
	var order []string
	byResp := map[string]*resp{}
	for i, a := range answers {
		where := fmt.Sprintf("Answer %d (respondent %q)", i+1, a.Respondent)
		switch {
		case a.Respondent == "":
			return nil, errs.Errorf(errs.Invalid, "Answer %d names no respondent.", i+1)
		case a.Version < 0 || a.Version >= len(s.Versions):
			return nil, errs.Errorf(errs.Invalid, "%s: version %d does not exist; the survey has versions 0 to %d.", where, a.Version, len(s.Versions)-1)
		case a.Task < 0 || a.Task >= s.TasksPerRespondent():
			return nil, errs.Errorf(errs.Invalid, "%s: task %d does not exist; respondents answer tasks 0 to %d.", where, a.Task, s.TasksPerRespondent()-1)
		case a.Choice < 0 || a.Choice > s.Spec.Concepts || a.Choice == s.Spec.Concepts && !s.Spec.None:
			none := ""
			if s.Spec.None {
				none = fmt.Sprintf(", or %d for none of these", s.Spec.Concepts)
			}
			return nil, errs.Errorf(errs.Invalid, "%s: choice %d does not exist; a task shows concepts 0 to %d%s.", where, a.Choice, s.Spec.Concepts-1, none)
		}
		r := byResp[a.Respondent]
		if r == nil {
			r = &resp{version: a.Version}
			byResp[a.Respondent] = r
			order = append(order, a.Respondent)
		}
		if a.Version != r.version {
			return nil, errs.Errorf(errs.Invalid, "%s: answers version %d but earlier answered version %d.", where, a.Version, r.version)
		}
		if slices.ContainsFunc(r.answers, func(b Answer) bool { return b.Task == a.Task }) {
			return nil, errs.Errorf(errs.Invalid, "%s: answers task %d a second time.", where, a.Task)
		}
		r.answers = append(r.answers, a)
	}

	k := s.numParams()
	d := &choice.Data{Params: s.Params(), Alternatives: s.Alternatives(), Start: []int{0}}
	rows := s.Spec.Concepts
	if s.Spec.None {
		rows++
	}
	x := make([]float64, k)
	for _, id := range order {
		r := byResp[id]
		slices.SortFunc(r.answers, func(a, b Answer) int { return a.Task - b.Task })
		panel := int32(len(d.PanelIDs))
		used := false
		for _, a := range r.answers {
			if (a.Task >= s.Spec.Tasks) != holdout {
				continue
			}
			t, _ := s.Task(a.Version, a.Task)
			start := d.Start[len(d.Start)-1]
			for j := range rows {
				if j < s.Spec.Concepts {
					s.code(t.Concepts[j], x)
				} else {
					s.codeNone(x)
				}
				d.X = append(d.X, x...)
				d.Alt = append(d.Alt, int32(j))
			}
			d.Start = append(d.Start, start+rows)
			d.Chosen = append(d.Chosen, int32(start+a.Choice))
			d.Panel = append(d.Panel, panel)
			used = true
		}
		if used {
			d.PanelIDs = append(d.PanelIDs, id)
		}
	}
	d.Panels = len(d.PanelIDs)
	if d.Cases() == 0 {
		kind := "designed"
		if holdout {
			kind = "holdout"
		}
		return nil, errs.Errorf(errs.Invalid, "There are no answers to %s tasks to code.", kind)
	}
	if err := d.Check(); err != nil {
		return nil, fmt.Errorf("survey data: %w", err)
	}
	return d, nil
}
