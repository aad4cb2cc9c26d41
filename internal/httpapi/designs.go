package httpapi

import (
	"net/http"
	"time"

	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/internal/service"
)

// DesignRequest is the body of POST /api/v1/designs and PUT
// /api/v1/designs/{id}.
type DesignRequest struct {
	ModelID    string            `json:"model_id" doc:"The model version the selection refers to."`
	Name       string            `json:"name"`
	Selection  map[string]string `json:"selection" doc:"Attribute name to level name; it must follow the model's rules."`
	Visibility string            `json:"visibility,omitempty" enum:"private,link,public" doc:"Who may see the design; private when absent."`
}

// Design is a saved design.
type Design struct {
	ID         string            `json:"id"`
	OwnerName  string            `json:"owner_name"`
	ModelID    string            `json:"model_id"`
	Name       string            `json:"name"`
	Selection  map[string]string `json:"selection"`
	Complete   bool              `json:"complete" doc:"Whether the selection chooses every attribute."`
	Visibility string            `json:"visibility" enum:"private,link,public"`
	ShareURL   string            `json:"share_url,omitempty" doc:"The share link's path, shown to the owner only; it opens the design while its visibility is link or public."`
	Price      int64             `json:"price" doc:"The retail price in minor units: the lowest of any valid completion for a partial design."`
	Votes      int               `json:"votes"`
	Voted      *bool             `json:"voted,omitempty" doc:"In the gallery: whether the caller voted for the design."`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

func designView(d design.Design) Design {
	v := Design{ID: d.ID, OwnerName: d.OwnerName, ModelID: d.ModelID, Name: d.Name, Selection: d.Selection,
		Complete: d.Complete, Visibility: string(d.Visibility), Price: d.Price, Votes: d.Votes,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if v.Selection == nil {
		v.Selection = map[string]string{}
	}
	// The service leaves the share token to the owner only.
	if d.ShareToken != "" {
		v.ShareURL = "/s/" + d.ShareToken
	}
	return v
}

// DesignList is a page of designs.
type DesignList struct {
	Items      []Design `json:"items"`
	NextCursor string   `json:"next_cursor,omitempty" doc:"The cursor of the next page; absent on the last page."`
}

// VoteResult is a design's vote count after a vote or its withdrawal.
type VoteResult struct {
	Votes int  `json:"votes"`
	Voted bool `json:"voted"`
}

func (req DesignRequest) input() service.DesignInput {
	return service.DesignInput{ModelID: req.ModelID, Name: req.Name, Selection: req.Selection, Visibility: design.Visibility(req.Visibility)}
}

func (a *api) createDesign(w http.ResponseWriter, r *http.Request) {
	var req DesignRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.svc.SaveDesign(r.Context(), req.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusCreated, designView(d))
}

func (a *api) updateDesign(w http.ResponseWriter, r *http.Request) {
	var req DesignRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.svc.UpdateDesign(r.Context(), r.PathValue("id"), req.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, designView(d))
}

func (a *api) getDesign(w http.ResponseWriter, r *http.Request) {
	d, err := a.svc.Design(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, designView(d))
}

func (a *api) deleteDesign(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.DeleteDesign(r.Context(), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	noContent(w)
}

func (a *api) listDesigns(w http.ResponseWriter, r *http.Request) {
	p, err := page(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ds, next, err := a.svc.MyDesigns(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list := DesignList{Items: make([]Design, 0, len(ds)), NextCursor: next}
	for _, d := range ds {
		list.Items = append(list.Items, designView(d))
	}
	a.reply(w, r, http.StatusOK, list)
}

func (a *api) sharedDesign(w http.ResponseWriter, r *http.Request) {
	d, err := a.svc.SharedDesign(r.Context(), r.PathValue("token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, designView(d))
}

func (a *api) gallery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := page(q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items, next, err := a.svc.Gallery(r.Context(), q.Get("model"), design.GallerySort(q.Get("sort")), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list := DesignList{Items: make([]Design, 0, len(items)), NextCursor: next}
	for _, it := range items {
		v := designView(it.Design)
		v.Voted = &it.Voted
		list.Items = append(list.Items, v)
	}
	a.reply(w, r, http.StatusOK, list)
}

func (a *api) vote(w http.ResponseWriter, r *http.Request)   { a.castVote(w, r, true) }
func (a *api) unvote(w http.ResponseWriter, r *http.Request) { a.castVote(w, r, false) }

func (a *api) castVote(w http.ResponseWriter, r *http.Request, up bool) {
	n, err := a.svc.Vote(r.Context(), r.PathValue("id"), up)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, VoteResult{Votes: n, Voted: up})
}
