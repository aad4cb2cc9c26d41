package httpapi

import (
	"net/http"
	"slices"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/model"
)

// ModelList is the body of GET /api/v1/models.
type ModelList struct {
	Items []ModelSummary `json:"items"`
}

// ModelSummary names one model.
type ModelSummary struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Version    string `json:"version"`
	Attributes int    `json:"attributes"`
}

// ModelView is the structure of a model for a front end: the body of
// GET /api/v1/models/{id}.
type ModelView struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Version    string          `json:"version"`
	Currency   string          `json:"currency,omitempty"`
	Properties []PropertyView  `json:"properties"`
	Groups     []GroupView     `json:"groups"`
	Attributes []AttributeView `json:"attributes"`
}

// PropertyView declares a level property.
type PropertyView struct {
	Name   string `json:"name"`
	Label  string `json:"label"`
	Kind   string `json:"kind"` // number, money or text
	Unit   string `json:"unit,omitempty"`
	Rollup string `json:"rollup"` // sum, max or min
}

// GroupView is a display group of attributes.
type GroupView struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

// AttributeView is an attribute with its levels.
type AttributeView struct {
	Name    string      `json:"name"`
	Label   string      `json:"label"`
	Group   string      `json:"group,omitempty"`
	Default string      `json:"default,omitempty"`
	Levels  []LevelView `json:"levels"`
}

// LevelView is a level with its numeric properties as exact decimals (money
// in minor units); a property absent from numbers is 0.
type LevelView struct {
	Name    string                   `json:"name"`
	Label   string                   `json:"label"`
	Numbers map[string]model.Decimal `json:"numbers"`
}

func (a *api) listModels(w http.ResponseWriter, r *http.Request) {
	list := ModelList{Items: []ModelSummary{}}
	for id, e := range a.models {
		m := e.Model()
		list.Items = append(list.Items, ModelSummary{ID: id, Name: m.Name, Version: m.Version, Attributes: len(m.Attributes)})
	}
	slices.SortFunc(list.Items, func(x, y ModelSummary) int {
		switch {
		case x.ID < y.ID:
			return -1
		case x.ID > y.ID:
			return 1
		}
		return 0
	})
	a.reply(w, r, list)
}

// engine returns the model named by the {id} path value.
func (a *api) engine(r *http.Request) (string, *configurator.Engine, error) {
	id := r.PathValue("id")
	e, ok := a.models[id]
	if !ok {
		return id, nil, errs.Errorf(errs.NotFound, "There is no model %q.", id)
	}
	return id, e, nil
}

func (a *api) getModel(w http.ResponseWriter, r *http.Request) {
	id, e, err := a.engine(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, modelView(id, e.Model()))
}

func modelView(id string, m *model.Model) ModelView {
	v := ModelView{ID: id, Name: m.Name, Version: m.Version, Currency: m.Currency,
		Properties: []PropertyView{}, Groups: []GroupView{}, Attributes: []AttributeView{}}
	for _, p := range m.Properties {
		v.Properties = append(v.Properties, PropertyView{Name: p.Name, Label: p.Label, Kind: p.Kind.String(), Unit: p.Unit, Rollup: p.Rollup.String()})
	}
	for _, g := range m.Groups {
		v.Groups = append(v.Groups, GroupView{Name: g.Name, Label: g.Label})
	}
	for _, at := range m.Attributes {
		av := AttributeView{Name: at.Name, Label: at.Label, Group: at.Group, Levels: []LevelView{}}
		if at.Default >= 0 && at.Default < len(at.Levels) {
			av.Default = at.Levels[at.Default].Name
		}
		for _, l := range at.Levels {
			nums := map[string]model.Decimal{}
			for k, d := range l.Numbers {
				nums[k] = d
			}
			av.Levels = append(av.Levels, LevelView{Name: l.Name, Label: l.Label, Numbers: nums})
		}
		v.Attributes = append(v.Attributes, av)
	}
	return v
}
