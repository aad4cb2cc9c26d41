package httpapi

import (
	"net/http"
	"slices"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/model"
)

// ConfigureRequest is the body of POST /api/v1/models/{id}/configure.
type ConfigureRequest struct {
	// Selection maps attribute names to level names.
	Selection map[string]string `json:"selection,omitempty" doc:"Attribute name to level name."`
	// Complete, when set, asks for a completion: cheapest, defaults,
	// min:PROPERTY or max:PROPERTY.
	Complete string `json:"complete,omitempty" doc:"Add a completion for this goal: cheapest, defaults, min:PROPERTY or max:PROPERTY."`
	// Explain attaches explanations to excluded levels; default true.
	Explain *bool `json:"explain,omitempty" doc:"Explain every excluded level; true when absent."`
}

// PropagateRequest is the body of POST /api/v1/models/{id}/propagate.
type PropagateRequest struct {
	Selection map[string]string `json:"selection,omitempty" doc:"Attribute name to level name."`
}

// ExplainRequest is the body of POST /api/v1/models/{id}/explain.
type ExplainRequest struct {
	Selection map[string]string `json:"selection,omitempty" doc:"Attribute name to level name."`
	Attribute string            `json:"attribute"`
	Level     string            `json:"level" doc:"The level of attribute to explain, excluded under the selection."`
}

// CompleteRequest is the body of POST /api/v1/models/{id}/complete.
type CompleteRequest struct {
	Selection map[string]string `json:"selection,omitempty" doc:"Attribute name to level name."`
	Goal      string            `json:"goal" doc:"cheapest, defaults, min:PROPERTY or max:PROPERTY."`
}

// PriceRequest is the body of POST /api/v1/models/{id}/price.
type PriceRequest struct {
	Selection map[string]string `json:"selection,omitempty" doc:"Attribute name to level name."`
}

// Price is the retail price of a selection.
type Price struct {
	Currency string `json:"currency,omitempty"`
	Price    int64  `json:"price" doc:"The retail price in minor units: the lowest of any valid completion when the selection is partial."`
	Complete bool   `json:"complete" doc:"Whether the selection chooses every attribute."`
	// Totals is the roll-up of the configuration priced.
	Totals map[string]model.Decimal `json:"totals" doc:"The roll-up of every number and money property over the configuration priced."`
}

func (a *api) configure(w http.ResponseWriter, r *http.Request) {
	var req ConfigureRequest
	e, err := a.engineRequest(r, &req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sel, err := selection(e, req.Selection)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	opts := configurator.ReportOptions{Explain: req.Explain == nil || *req.Explain}
	if req.Complete != "" {
		obj, err := objective(e, req.Complete)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		opts.Complete, opts.Goal = &obj, req.Complete
	}
	a.report(w, r, e, sel, opts)
}

// Propagation is the answer of POST /api/v1/models/{id}/propagate.
type Propagation struct {
	Consistent bool `json:"consistent" doc:"Whether the selection extends to at least one valid configuration."`
	// Attributes lists every attribute in model order.
	Attributes []Domain `json:"attributes"`
	// Conflict is a minimal set of the selection's choices that clash.
	Conflict []configurator.Choice `json:"conflict,omitempty" doc:"When the selection is inconsistent: a minimal set of its choices that cannot go together. POST configure names the rules involved."`
}

// Domain is what an attribute can still be under a selection.
type Domain struct {
	Name     string   `json:"name"`
	Selected string   `json:"selected,omitempty"`
	Possible []string `json:"possible" doc:"The levels that extend the selection to a valid configuration: only the selected level for a selected attribute; none when the selection is inconsistent."`
}

// propagate is the engine's propagation and nothing more: the levels each
// attribute can still take. Integrations call it on every change, so it
// skips what configure adds (counts, switch options for chosen attributes,
// explanations, roll-ups).
func (a *api) propagate(w http.ResponseWriter, r *http.Request) {
	var req PropagateRequest
	e, err := a.engineRequest(r, &req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sel, err := selection(e, req.Selection)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m := e.Model()
	possible, ok := e.Propagate(sel)
	out := Propagation{Consistent: ok, Attributes: make([]Domain, len(m.Attributes))}
	for at := range m.Attributes {
		d := Domain{Name: m.Attributes[at].Name, Possible: []string{}}
		if sel[at] >= 0 {
			d.Selected = m.Attributes[at].Levels[sel[at]].Name
		}
		if ok {
			for l, p := range possible[at] {
				if p {
					d.Possible = append(d.Possible, m.Attributes[at].Levels[l].Name)
				}
			}
		}
		out.Attributes[at] = d
	}
	if !ok {
		for _, at := range e.Conflict(sel) {
			out.Conflict = append(out.Conflict, configurator.Choice{Attribute: m.Attributes[at].Name, Level: m.Attributes[at].Levels[sel[at]].Name})
		}
	}
	a.reply(w, r, http.StatusOK, out)
}

func (a *api) report(w http.ResponseWriter, r *http.Request, e *configurator.Engine, sel configurator.Selection, opts configurator.ReportOptions) {
	rep, err := e.Report(sel, opts)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, rep)
}

// selection resolves a selection by names. It is not an error for the
// selection to break the model's rules: the engine's answers show the
// conflict. Unknown names answer errs.Invalid with the engine's suggestion.
func selection(e *configurator.Engine, in map[string]string) (configurator.Selection, error) {
	m := e.Model()
	sel := e.NewSelection()
	for name, level := range in {
		at := m.Attr(name)
		if at < 0 {
			return nil, selectionError(e, in)
		}
		l := m.Level(at, level)
		if l < 0 {
			return nil, selectionError(e, in)
		}
		sel[at] = l
	}
	return sel, nil
}

// selectionError names the first bad choice of a selection in name order,
// with the engine's suggestion of the closest name. It is the slow path of
// selection, taken only for a bad selection.
func selectionError(e *configurator.Engine, in map[string]string) error {
	if _, err := service.ResolveSelection(e, in); err != nil {
		return err
	}
	return errs.Errorf(errs.Invalid, "Malformed selection.")
}

func objective(e *configurator.Engine, goal string) (configurator.Objective, error) {
	obj, err := configurator.ParseObjective(goal)
	if err != nil {
		return obj, errs.Errorf(errs.Invalid, "%s", upper(err.Error()))
	}
	prop := obj.Property
	if obj.Goal == configurator.Defaults {
		return obj, nil
	}
	m := e.Model()
	if p := m.Property(prop); p == nil || p.Kind == model.Text {
		return obj, errs.Errorf(errs.Invalid, "Completion goal %q needs a number or money property %q; model %s has none.", goal, prop, m.Name)
	}
	return obj, nil
}

func (a *api) explain(w http.ResponseWriter, r *http.Request) {
	var req ExplainRequest
	e, err := a.engineRequest(r, &req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sel, err := selection(e, req.Selection)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Attribute == "" || req.Level == "" {
		a.fail(w, r, errs.Errorf(errs.Invalid, "Name the attribute and the level to explain."))
		return
	}
	target, err := selection(e, map[string]string{req.Attribute: req.Level})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	at := e.Model().Attr(req.Attribute)
	x := e.Explain(sel, at, target[at])
	if !x.Excluded {
		a.fail(w, r, errs.Errorf(errs.Invalid, "%s = %s is possible under this selection; there is nothing to explain.", req.Attribute, req.Level))
		return
	}
	a.reply(w, r, http.StatusOK, e.ExplainView(sel, x))
}

func (a *api) complete(w http.ResponseWriter, r *http.Request) {
	var req CompleteRequest
	e, err := a.engineRequest(r, &req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// A selection that breaks the rules has no completion: answer which
	// choices clash.
	sel, err := service.ParseSelection(e, req.Selection)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Goal == "" {
		a.fail(w, r, errs.Errorf(errs.Invalid, "Name the completion goal: cheapest, defaults, min:PROPERTY or max:PROPERTY."))
		return
	}
	obj, err := objective(e, req.Goal)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	config, ok, err := e.Complete(sel, obj)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		a.fail(w, r, errs.Errorf(errs.Invalid, "The selection has no valid completion."))
		return
	}
	c := e.CompletionView(req.Goal, config)
	a.reply(w, r, http.StatusOK, c)
}

func (a *api) price(w http.ResponseWriter, r *http.Request) {
	var req PriceRequest
	e, err := a.engineRequest(r, &req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// A selection that breaks the rules cannot be built, so it has no price.
	sel, err := service.ParseSelection(e, req.Selection)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	price, config, err := service.Price(e, sel)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m := e.Model()
	a.reply(w, r, http.StatusOK, Price{Currency: m.Currency, Price: price, Complete: !slices.Contains(sel, -1),
		Totals: configurator.Roll(m, config).Totals})
}

// upper capitalises a message for a problem detail.
func upper(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// engineRequest decodes an engine request's body into req and returns the
// engine of the model version the path names.
func (a *api) engineRequest(r *http.Request, req any) (*configurator.Engine, error) {
	if err := decode(r, req); err != nil {
		return nil, err
	}
	e, _, err := a.svc.Engine(r.Context(), r.PathValue("id"))
	return e, err
}
