package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/model"
)

// designCard is a design as a card in a list.
type designCard struct {
	ID, Name   string
	Open       string // where the card leads
	Picture    template.HTML
	Price      int64
	Currency   string
	Complete   bool
	Summary    string
	Owner      string
	Visibility design.Visibility
	ShareURL   string
	Votes      int
	Voted      bool
}

// modelCache caches the models of the designs on one page: a page of designs
// usually shares one or two model versions.
type modelCache struct {
	svc  *service.Service
	seen map[string]*model.Model
}

func (ms *modelCache) get(ctx context.Context, id string) *model.Model {
	if m, ok := ms.seen[id]; ok {
		return m
	}
	var m *model.Model
	if e, _, err := ms.svc.Engine(ctx, id); err == nil {
		m = e.Model()
	}
	ms.seen[id] = m
	return m
}

func (s *server) card(ctx context.Context, ms *modelCache, d design.Design) designCard {
	m := ms.get(ctx, d.ModelID)
	c := designCard{
		ID: d.ID, Name: d.Name, Price: d.Price, Complete: d.Complete, Visibility: d.Visibility,
		Votes: d.Votes, Picture: inlinePicture(m, d.Selection),
		Open: configureURL(d.ModelID, nil) + "&design=" + url.QueryEscape(d.ID),
	}
	if m != nil {
		c.Currency = m.Currency
		c.Summary = summary(m, d.Selection)
	}
	if d.ShareToken != "" && d.Visibility != design.Private {
		c.ShareURL = "/s/" + d.ShareToken
	}
	return c
}

// summary is a one-line description of a design: its size, colour, chipset
// and storage, where the model has them.
func summary(m *model.Model, sel map[string]string) string {
	l := newLabeler(m)
	var parts []string
	for _, a := range []string{"size", "colour", "chipset", "storage"} {
		if v, ok := sel[a]; ok {
			parts = append(parts, l.level(a, v))
		}
	}
	return strings.Join(parts, " · ")
}

// designsPage is the data of the user's designs page.
type designsPage struct {
	Designs []designCard
	Next    string // the next page's URL, "" on the last page
	First   bool
}

func (s *server) myDesigns(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.signedIn(w, r); !ok {
		return
	}
	ctx := r.Context()
	cursor := r.URL.Query().Get("cursor")
	ds, next, err := s.svc.MyDesigns(ctx, design.Page{Limit: 12, Cursor: cursor})
	if err != nil {
		s.error(w, r, err)
		return
	}
	ms := &modelCache{svc: s.svc, seen: map[string]*model.Model{}}
	page := designsPage{First: cursor == ""}
	for _, d := range ds {
		page.Designs = append(page.Designs, s.card(ctx, ms, d))
	}
	if next != "" {
		page.Next = "/designs?cursor=" + url.QueryEscape(next)
	}
	s.render(w, r, http.StatusOK, "designs", "My designs", "designs", page)
}

func (s *server) deleteDesign(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.signedIn(w, r); !ok {
		return
	}
	if err := s.svc.DeleteDesign(r.Context(), r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/designs", http.StatusSeeOther)
}

// sharedPage is the data of a shared design's page.
type sharedPage struct {
	Name, Owner string
	Picture     template.HTML
	Price       string
	Complete    bool
	Choices     []sharedGroup
	Open        string
	Own         bool
}

type sharedGroup struct {
	Label   string
	Choices []sharedChoice
}

type sharedChoice struct{ Attribute, Level string }

func (s *server) shared(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.svc.SharedDesign(ctx, r.PathValue("token"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	ms := &modelCache{svc: s.svc, seen: map[string]*model.Model{}}
	m := ms.get(ctx, d.ModelID)
	page := sharedPage{
		Name: d.Name, Owner: d.OwnerName, Picture: inlinePicture(m, d.Selection), Complete: d.Complete,
		Open: configureURL(d.ModelID, d.Selection), Own: d.OwnerID == account.FromContext(ctx).ID,
	}
	if m != nil {
		page.Price = formatMoney(d.Price, m.Currency)
		groups := map[string]int{}
		for _, g := range m.Groups {
			groups[g.Name] = len(page.Choices)
			page.Choices = append(page.Choices, sharedGroup{Label: g.Label})
		}
		for _, a := range m.Attributes {
			lv, ok := d.Selection[a.Name]
			if !ok {
				continue
			}
			gi, ok := groups[a.Group]
			if !ok {
				groups[a.Group] = len(page.Choices)
				gi = len(page.Choices)
				page.Choices = append(page.Choices, sharedGroup{Label: "More options"})
			}
			label := lv
			if l := m.Level(m.Attr(a.Name), lv); l >= 0 {
				label = a.Levels[l].Label
			}
			page.Choices[gi].Choices = append(page.Choices[gi].Choices, sharedChoice{Attribute: a.Label, Level: label})
		}
	} else {
		page.Price = formatMoney(d.Price, "")
	}
	s.render(w, r, http.StatusOK, "shared", d.Name, "", page)
}

// galleryPage is the data of the gallery.
type galleryPage struct {
	Sort     string
	Designs  []designCard
	Next     string
	First    bool
	SignedIn bool
}

func (s *server) gallery(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	sort := design.GallerySort(q.Get("sort"))
	if sort == "" {
		sort = design.Top
	}
	items, next, err := s.svc.Gallery(ctx, "", sort, design.Page{Limit: 12, Cursor: q.Get("cursor")})
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := galleryPage{Sort: string(sort), First: q.Get("cursor") == "", SignedIn: account.FromContext(ctx).ID != ""}
	ms := &modelCache{svc: s.svc, seen: map[string]*model.Model{}}
	for _, it := range items {
		c := s.card(ctx, ms, it.Design)
		c.Owner, c.Voted = it.OwnerName, it.Voted
		page.Designs = append(page.Designs, c)
	}
	if next != "" {
		page.Next = "/gallery?sort=" + url.QueryEscape(string(sort)) + "&cursor=" + url.QueryEscape(next)
	}
	s.render(w, r, http.StatusOK, "gallery", "Gallery", "gallery", page)
}

// homePage is the data of the start page.
type homePage struct {
	Picture template.HTML
	Top     []designCard
}

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page := homePage{}
	ms := &modelCache{svc: s.svc, seen: map[string]*model.Model{}}
	var m *model.Model
	if v, err := s.svc.CurrentModel(ctx); err == nil {
		m = ms.get(ctx, v.ID)
	}
	page.Picture = inlinePicture(m, map[string]string{"size": "max", "colour": "blue", "frame": "titanium", "main": "m1in", "ultrawide": "uw50", "tele": "p5x"})
	if items, _, err := s.svc.Gallery(ctx, "", design.Top, design.Page{Limit: 4}); err == nil {
		for _, it := range items {
			c := s.card(ctx, ms, it.Design)
			c.Owner = it.OwnerName
			page.Top = append(page.Top, c)
		}
	} else {
		s.log.Warn("home page gallery", "err", err)
	}
	s.render(w, r, http.StatusOK, "home", "", "home", page)
}
