package httpapi

import (
	"net/http"
	"time"

	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/model"
)

// ModelList is the body of GET /api/v1/models.
type ModelList struct {
	Items []ModelSummary `json:"items"`
}

// ModelSummary names one model version.
type ModelSummary struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	Published   bool      `json:"published"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
}

func summary(v catalog.Version) ModelSummary {
	return ModelSummary{ID: v.ID, Name: v.Name, Version: v.Version, Published: v.Published(), PublishedAt: v.PublishedAt, CreatedAt: v.CreatedAt}
}

// ModelView is the structure of a model version for a front end: the body of
// GET /api/v1/models/{id}.
type ModelView struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Version     string          `json:"version"`
	Published   bool            `json:"published"`
	PublishedAt time.Time       `json:"published_at,omitzero"`
	CreatedAt   time.Time       `json:"created_at"`
	Currency    string          `json:"currency,omitempty"`
	Properties  []PropertyView  `json:"properties"`
	Groups      []GroupView     `json:"groups"`
	Attributes  []AttributeView `json:"attributes"`
}

// PropertyView declares a level property.
type PropertyView struct {
	Name   string `json:"name"`
	Label  string `json:"label"`
	Kind   string `json:"kind" enum:"number,money,text"`
	Unit   string `json:"unit,omitempty"`
	Rollup string `json:"rollup" enum:"sum,max,min"`
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

// UploadRequest is the body of POST /api/v1/models.
type UploadRequest struct {
	Source string `json:"source" doc:"The model source, in Tailor's product model language."`
	File   string `json:"file,omitempty" doc:"The file name the source came from, for messages."`
}

// Upload is a stored draft model version with the warnings found in it.
type Upload struct {
	Model       ModelSummary `json:"model"`
	Diagnostics []Diagnostic `json:"diagnostics"`
}

func (a *api) listModels(w http.ResponseWriter, r *http.Request) {
	vs, err := a.svc.Models(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list := ModelList{Items: make([]ModelSummary, 0, len(vs))}
	for _, v := range vs {
		list.Items = append(list.Items, summary(v))
	}
	a.reply(w, r, http.StatusOK, list)
}

func (a *api) getModel(w http.ResponseWriter, r *http.Request) {
	e, v, err := a.svc.Engine(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, modelView(v, e.Model()))
}

func modelView(v catalog.Version, m *model.Model) ModelView {
	mv := ModelView{ID: v.ID, Name: m.Name, Version: m.Version, Currency: m.Currency,
		Published: v.Published(), PublishedAt: v.PublishedAt, CreatedAt: v.CreatedAt,
		Properties: []PropertyView{}, Groups: []GroupView{}, Attributes: []AttributeView{}}
	for _, p := range m.Properties {
		mv.Properties = append(mv.Properties, PropertyView{Name: p.Name, Label: p.Label, Kind: p.Kind.String(), Unit: p.Unit, Rollup: p.Rollup.String()})
	}
	for _, g := range m.Groups {
		mv.Groups = append(mv.Groups, GroupView{Name: g.Name, Label: g.Label})
	}
	for _, at := range m.Attributes {
		av := AttributeView{Name: at.Name, Label: at.Label, Group: at.Group, Levels: []LevelView{}}
		if at.Default >= 0 && at.Default < len(at.Levels) {
			av.Default = at.Levels[at.Default].Name
		}
		for _, l := range at.Levels {
			nums := make(map[string]model.Decimal, len(l.Numbers))
			for k, d := range l.Numbers {
				nums[k] = d
			}
			av.Levels = append(av.Levels, LevelView{Name: l.Name, Label: l.Label, Numbers: nums})
		}
		mv.Attributes = append(mv.Attributes, av)
	}
	return mv
}

func (a *api) uploadModel(w http.ResponseWriter, r *http.Request) {
	var req UploadRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	file := req.File
	if file == "" {
		file = "upload.tailor"
	}
	v, diags, err := a.svc.UploadModel(r.Context(), file, []byte(req.Source))
	if err != nil {
		a.failWith(w, r, err, diagnostics(diags))
		return
	}
	a.reply(w, r, http.StatusCreated, Upload{Model: summary(v), Diagnostics: diagnostics(diags)})
}

func (a *api) publishModel(w http.ResponseWriter, r *http.Request) {
	v, err := a.svc.PublishModel(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, summary(v))
}
