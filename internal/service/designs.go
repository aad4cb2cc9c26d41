package service

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/model"
)

// DesignInput is what a customer sends to save a design.
type DesignInput struct {
	ModelID    string
	Name       string
	Selection  map[string]string
	Visibility design.Visibility // private when ""
}

// PriceProperty is the money property whose roll-up is a design's retail
// price. A model without it prices every design at 0.
const PriceProperty = "price"

// SaveDesign stores a new design for the signed-in user. The selection is
// checked against the model version's engine: unknown attributes or levels
// and selections that break the model's rules answer errs.Invalid and store
// nothing. errs.Unauthorized when nobody is signed in.
func (s *Service) SaveDesign(ctx context.Context, in DesignInput) (design.Design, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.SaveDesigns); err != nil {
		return design.Design{}, err
	}
	d, err := s.checkDesign(ctx, in)
	if err != nil {
		return design.Design{}, err
	}
	d.OwnerID = u.ID
	d, err = s.store.CreateDesign(ctx, d)
	d.OwnerName = u.Name
	return d, err
}

// UpdateDesign replaces one of the signed-in user's designs; errs.NotFound
// when the user has no design with the id (another user's design included),
// and errors as SaveDesign.
func (s *Service) UpdateDesign(ctx context.Context, id string, in DesignInput) (design.Design, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.SaveDesigns); err != nil {
		return design.Design{}, err
	}
	d, err := s.checkDesign(ctx, in)
	if err != nil {
		return design.Design{}, err
	}
	d.ID, d.OwnerID = id, u.ID
	return s.store.UpdateDesign(ctx, d)
}

// checkDesign validates a design input and fills completeness and price.
func (s *Service) checkDesign(ctx context.Context, in DesignInput) (design.Design, error) {
	if err := design.ValidateName(in.Name); err != nil {
		return design.Design{}, err
	}
	vis := in.Visibility
	if vis == "" {
		vis = design.Private
	}
	if _, err := design.ParseVisibility(string(vis)); err != nil {
		return design.Design{}, err
	}
	if in.ModelID == "" {
		return design.Design{}, errs.Errorf(errs.Invalid, "The design must name its model version.")
	}
	e, _, err := s.Engine(ctx, in.ModelID)
	if err != nil {
		return design.Design{}, err
	}
	sel, err := ParseSelection(e, in.Selection)
	if err != nil {
		return design.Design{}, err
	}
	price, err := lowestPrice(e, sel)
	if err != nil {
		return design.Design{}, err
	}
	complete := true
	for _, l := range sel {
		complete = complete && l >= 0
	}
	return design.Design{
		ModelID:    in.ModelID,
		Name:       strings.TrimSpace(in.Name),
		Selection:  in.Selection,
		Complete:   complete,
		Visibility: vis,
		Price:      price,
	}, nil
}

// ResolveSelection reads a selection given as attribute -> level names,
// without checking the model's rules. Unknown or malformed names answer
// errs.Invalid naming the first in name order, with the engine's suggestion
// of the closest name.
func ResolveSelection(e *configurator.Engine, sel map[string]string) (configurator.Selection, error) {
	names := make([]string, 0, len(sel))
	for name := range sel {
		names = append(names, name)
	}
	sort.Strings(names)
	choices := make([]string, 0, len(names))
	for _, name := range names {
		level := sel[name]
		if name == "" || strings.Contains(name, "=") || strings.TrimSpace(name) != name || strings.TrimSpace(level) != level {
			return nil, errs.Errorf(errs.Invalid, "Malformed selection %q: %q.", name, level)
		}
		choices = append(choices, name+"="+level)
	}
	out, err := e.ParseSelection(choices)
	if err != nil {
		return nil, errs.Errorf(errs.Invalid, "%s", upper(err.Error()))
	}
	return out, nil
}

// ParseSelection reads a selection as ResolveSelection does and also
// answers errs.Invalid for a selection that breaks the model's rules,
// naming a minimal set of clashing choices.
func ParseSelection(e *configurator.Engine, sel map[string]string) (configurator.Selection, error) {
	out, err := ResolveSelection(e, sel)
	if err != nil {
		return nil, err
	}
	if !e.Consistent(out) {
		m := e.Model()
		var clash []string
		for _, a := range e.Conflict(out) {
			at := m.Attributes[a]
			clash = append(clash, at.Label+" = "+at.Levels[out[a]].Label)
		}
		return nil, errs.Errorf(errs.Invalid, "These choices cannot go together: %s.", strings.Join(clash, ", "))
	}
	return out, nil
}

// lowestPrice returns the retail price of a complete selection, or the
// lowest price of any completion of a partial one, in minor units.
func lowestPrice(e *configurator.Engine, sel configurator.Selection) (int64, error) {
	price, _, err := Price(e, sel)
	return price, err
}

// Price returns the retail price of a complete selection in minor units, or
// the lowest price of any completion of a partial one, with the
// configuration priced (the selection itself when it is complete or the
// model has no price property, so possibly partial). errs.Invalid when a
// partial selection cannot be completed.
func Price(e *configurator.Engine, sel configurator.Selection) (int64, []int, error) {
	m := e.Model()
	config := []int(sel)
	p := m.Property(PriceProperty)
	if p == nil || p.Kind == model.Text {
		return 0, config, nil
	}
	if !complete(sel) {
		c, ok, err := e.Complete(sel, configurator.Objective{Goal: configurator.Minimize, Property: PriceProperty})
		if err != nil || !ok {
			return 0, nil, errs.Errorf(errs.Invalid, "The design cannot be completed.")
		}
		config = c
	}
	return configurator.Roll(m, config).Totals[PriceProperty].IntPart(), config, nil
}

func complete(sel configurator.Selection) bool {
	for _, l := range sel {
		if l < 0 {
			return false
		}
	}
	return true
}

// upper capitalises a message.
func upper(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Design returns a design by id: the owner's own, or a public one.
// errs.NotFound otherwise, so that a private design's existence is not
// revealed to others.
func (s *Service) Design(ctx context.Context, id string) (design.Design, error) {
	d, err := s.store.GetDesign(ctx, id)
	if err != nil {
		return design.Design{}, err
	}
	if !d.VisibleTo(account.FromContext(ctx).ID) {
		return design.Design{}, errs.Errorf(errs.NotFound, "Design %s not found.", id)
	}
	if d.OwnerID != account.FromContext(ctx).ID {
		d.ShareToken = ""
	}
	return d, nil
}

// SharedDesign returns the design behind a share link: anyone with the link
// may read a design whose visibility is link or public. errs.NotFound for an
// unknown token or a design made private again.
func (s *Service) SharedDesign(ctx context.Context, token string) (design.Design, error) {
	d, err := s.store.DesignByShareToken(ctx, token)
	if err != nil {
		return design.Design{}, err
	}
	if d.Visibility == design.Private && d.OwnerID != account.FromContext(ctx).ID {
		return design.Design{}, errs.Errorf(errs.NotFound, "This design is no longer shared.")
	}
	if d.OwnerID != account.FromContext(ctx).ID {
		d.ShareToken = ""
	}
	return d, nil
}

// DeleteDesign deletes one of the signed-in user's designs.
func (s *Service) DeleteDesign(ctx context.Context, id string) error {
	u := account.FromContext(ctx)
	if err := u.Require(account.SaveDesigns); err != nil {
		return err
	}
	return s.store.DeleteDesign(ctx, u.ID, id)
}

// MyDesigns lists the signed-in user's designs, a page at a time.
func (s *Service) MyDesigns(ctx context.Context, p design.Page) ([]design.Design, string, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.SaveDesigns); err != nil {
		return nil, "", err
	}
	return s.store.UserDesigns(ctx, u.ID, p.Clamp())
}

// GalleryItem is a public design with whether the caller voted for it.
type GalleryItem struct {
	design.Design
	Voted bool
}

// Gallery lists public designs, a page at a time, to anyone. The share
// tokens are left out.
func (s *Service) Gallery(ctx context.Context, modelID string, sort design.GallerySort, p design.Page) ([]GalleryItem, string, error) {
	switch sort {
	case "":
		sort = design.Top
	case design.Top, design.Newest:
	default:
		return nil, "", errs.Errorf(errs.Invalid, "Unknown gallery order %q; want top or new.", sort)
	}
	ds, next, err := s.store.Gallery(ctx, modelID, sort, p.Clamp())
	if err != nil {
		return nil, "", err
	}
	voted := map[string]bool{}
	if u := account.FromContext(ctx); u.ID != "" && len(ds) > 0 {
		ids := make([]string, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		if voted, err = s.store.Voted(ctx, u.ID, ids); err != nil {
			return nil, "", err
		}
	}
	items := make([]GalleryItem, len(ds))
	for i, d := range ds {
		d.ShareToken = ""
		items[i] = GalleryItem{Design: d, Voted: voted[d.ID]}
	}
	return items, next, nil
}

// Vote adds or withdraws the signed-in user's vote for a public design and
// returns its vote count. errs.Unauthorized, errs.NotFound.
func (s *Service) Vote(ctx context.Context, id string, up bool) (int, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.SaveDesigns); err != nil {
		return 0, err
	}
	return s.store.Vote(ctx, u.ID, id, up)
}

// maxCombo is the most attributes a stats request may combine.
const maxCombo = 6

// Stats counts what customers design under f: analysts, planners and
// admins only. combo names the attributes whose most common combinations
// are counted (at most 6); with none, the first three attributes of the
// model. errs.Forbidden, errs.Invalid, errs.NotFound.
func (s *Service) Stats(ctx context.Context, f design.Filter, combo []string) (design.Stats, error) {
	if err := account.FromContext(ctx).Require(account.ViewStats); err != nil {
		return design.Stats{}, err
	}
	e, _, err := s.Engine(ctx, f.ModelID)
	if err != nil {
		return design.Stats{}, err
	}
	m := e.Model()
	if len(combo) == 0 {
		for _, a := range m.Attributes[:min(3, len(m.Attributes))] {
			combo = append(combo, a.Name)
		}
	}
	if len(combo) > maxCombo {
		return design.Stats{}, errs.Errorf(errs.Invalid, "Combine at most %d attributes, not %d.", maxCombo, len(combo))
	}
	for _, name := range combo {
		if m.Attr(name) < 0 {
			return design.Stats{}, errs.Errorf(errs.Invalid, "Model %s has no attribute %q.", m.Name, name)
		}
	}
	if f.Region != "" && !slices.Contains(account.Regions, f.Region) {
		return design.Stats{}, errs.Errorf(errs.Invalid, "Unknown region %q.", f.Region)
	}
	if f.AgeBand != "" && !slices.Contains(account.AgeBands, f.AgeBand) {
		return design.Stats{}, errs.Errorf(errs.Invalid, "Unknown age band %q.", f.AgeBand)
	}
	return s.store.DesignStats(ctx, f, combo, 10)
}
