package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/model"
)

// configurePage is the data of the configurator page. The server renders
// the whole page for the starting selection, so that it reads and works as
// a plain form without its script; the script then takes over and asks the
// JSON API after every click.
type configurePage struct {
	ModelID, ModelName, ModelVersion string
	Groups                           []groupView
	Picture, PictureAlt              string
	Price                            string
	Partial                          bool
	Specs                            []specView
	Delivery                         string
	Count                            string
	Conflict                         string
	Design                           *savedDesign // the user's own design being edited
	BasedOn                          string       // the name of someone else's design this copies
	Visibilities                     []option
	Config                           string // JSON for the script, see scriptConfig
}

type groupView struct {
	Name, Label string
	Attributes  []attrView
}

type attrView struct {
	Name, Label   string
	Selected      string
	SelectedLabel string
	Levels        []levelView
}

type levelView struct {
	Name, Label, Detail string
	Delta               string // the price over the attribute's cheapest level
	State               string
	Reason              string // why an excluded level is excluded, in plain words
	Repair              string // what the repair changes, as the button says it
}

type specView struct {
	Key, Label, Value string
}

// savedDesign is the user's own design that the page edits.
type savedDesign struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Visibility design.Visibility `json:"visibility"`
	ShareURL   string            `json:"share_url,omitempty"`
}

// scriptConfig is what the configurator script starts from.
type scriptConfig struct {
	ModelID  string                   `json:"model_id"`
	Currency string                   `json:"currency"`
	Money    currencyFormat           `json:"money"`
	Report   *configurator.Report     `json:"report"`
	Price    *int64                   `json:"price"`
	Complete bool                     `json:"complete"`
	Totals   map[string]model.Decimal `json:"totals"`
	Specs    []specDef                `json:"specs"`
	Design   *savedDesign             `json:"design"`
	SignedIn bool                     `json:"signed_in"`
	Picture  string                   `json:"picture"`
	LeadTime bool                     `json:"lead_time"`
}

// specDef is one line of the specs panel: a roll-up property with its unit,
// or an attribute whose chosen level is the spec (storage has no number).
type specDef struct {
	Property  string `json:"property,omitempty"`
	Attribute string `json:"attribute,omitempty"`
	Label     string `json:"label"`
	Unit      string `json:"unit,omitempty"`
}

// specProperties and specAttributes are the phone model's names for what
// people compare phones by; a model without them shows fewer specs.
var (
	specProperties = []string{"weight", "thickness", "capacity", "memory"}
	specAttributes = []string{"storage", "chipset"}
)

// leadTimeProperty is the roll-up that the delivery estimate starts from.
const leadTimeProperty = "lead_time"

// reservedParams are the configurator's query parameters that are not
// attribute names.
var reservedParams = map[string]bool{"model": true, "design": true}

func (s *server) configure(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	u := account.FromContext(ctx)
	modelID := q.Get("model")
	var (
		own     *savedDesign
		basedOn string
		sel     map[string]string
	)
	if id := q.Get("design"); id != "" {
		d, err := s.svc.Design(ctx, id)
		if err != nil {
			s.error(w, r, err)
			return
		}
		modelID, sel = d.ModelID, d.Selection
		if d.OwnerID == u.ID {
			own = &savedDesign{ID: d.ID, Name: d.Name, Visibility: d.Visibility}
			if d.Visibility != design.Private && d.ShareToken != "" {
				own.ShareURL = "/s/" + d.ShareToken
			}
		} else {
			basedOn = d.Name
		}
	}
	if modelID == "" {
		v, err := s.svc.CurrentModel(ctx)
		if err != nil {
			s.error(w, r, err)
			return
		}
		modelID = v.ID
	}
	e, v, err := s.svc.Engine(ctx, modelID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	m := e.Model()
	// Attributes in the query are the choices the page was left with (the
	// script keeps them in the address), and they win over a design's.
	fromQuery := map[string]string{}
	for k, vs := range q {
		if !reservedParams[k] && len(vs) > 0 && m.Attr(k) >= 0 {
			fromQuery[k] = vs[0] // a clicked button comes before the hidden field it replaces
		}
	}
	if len(fromQuery) > 0 || sel == nil {
		sel = fromQuery
	}
	selection := selectionOf(e, sel)

	rep, err := e.Report(selection, configurator.ReportOptions{Explain: true})
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := configurePage{
		ModelID: v.ID, ModelName: m.Name, ModelVersion: m.Version,
		Design: own, BasedOn: basedOn,
		Count: rep.Count,
	}
	named := namesOf(e, selection)
	page.Picture = pictureURL(v.ID, named)
	page.PictureAlt = lookOf(m, named).title
	labels := newLabeler(m)
	page.Groups = groupsOf(m, rep, labels)
	if rep.Conflict != nil {
		page.Conflict = conflictText(rep.Conflict, labels)
	}

	cur := currencyOf(m.Currency)
	cfg := scriptConfig{
		ModelID: v.ID, Currency: m.Currency, Money: cur, Report: rep, Design: own,
		SignedIn: u.ID != "", Picture: "/models/" + url.PathEscape(v.ID) + "/picture.svg",
		Complete: rep.Consistent && len(rep.Selection) == len(m.Attributes),
	}
	page.Partial = !cfg.Complete
	if config, ok := pricedCompletion(e, selection); ok {
		totals := configurator.Roll(m, config).Totals
		cfg.Totals = totals
		if p := m.Property(service.PriceProperty); p != nil && p.Kind == model.Money {
			price := totals[service.PriceProperty].IntPart()
			cfg.Price = &price
			page.Price = formatMoney(price, m.Currency)
		}
		if m.Property(leadTimeProperty) != nil {
			cfg.LeadTime = true
			page.Delivery = deliveryText(totals[leadTimeProperty])
		}
		cfg.Specs = specDefs(m)
		page.Specs = specsOf(m, cfg.Specs, totals, config, named)
	}
	for _, vis := range []design.Visibility{design.Private, design.Link, design.Public} {
		selected := vis == design.Private
		if own != nil {
			selected = vis == own.Visibility
		}
		page.Visibilities = append(page.Visibilities, option{Value: string(vis), Label: visibilityLabel(vis), Selected: selected})
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		s.error(w, r, err)
		return
	}
	page.Config = string(b)
	s.render(w, r, http.StatusOK, "configure", "Configure your "+m.Name, "configure", page)
}

// selectionOf reads a selection by names, skipping names the model does not
// know: a link made for an older model version still opens.
func selectionOf(e *configurator.Engine, sel map[string]string) configurator.Selection {
	m := e.Model()
	out := e.NewSelection()
	for name, level := range sel {
		if a := m.Attr(name); a >= 0 && level != "" {
			if l := m.Level(a, level); l >= 0 {
				out[a] = l
			}
		}
	}
	return out
}

// namesOf writes a selection by names.
func namesOf(e *configurator.Engine, sel configurator.Selection) map[string]string {
	m := e.Model()
	out := map[string]string{}
	for a, l := range sel {
		if l >= 0 {
			out[m.Attributes[a].Name] = m.Attributes[a].Levels[l].Name
		}
	}
	return out
}

// pricedCompletion is the phone the page prices and describes: the
// selection itself when complete, else its lowest-priced completion (the
// "from" price), or the default-richest one for a model without prices.
func pricedCompletion(e *configurator.Engine, sel configurator.Selection) ([]int, bool) {
	obj := configurator.Objective{Goal: configurator.Defaults}
	if p := e.Model().Property(service.PriceProperty); p != nil && p.Kind != model.Text {
		obj = configurator.Objective{Goal: configurator.Minimize, Property: service.PriceProperty}
	}
	c, ok, err := e.Complete(sel, obj)
	return c, ok && err == nil
}

// deliveryText is the delivery estimate placeholder: the longest supplier
// lead time of the parts, until the factory's capable-to-promise date
// replaces it.
func deliveryText(lead model.Decimal) string {
	return fmt.Sprintf("Delivery estimate: from %s days, confirmed when pre-sale opens", lead.String())
}

func specDefs(m *model.Model) []specDef {
	var out []specDef
	for _, name := range specProperties {
		if p := m.Property(name); p != nil && p.Kind == model.Number {
			out = append(out, specDef{Property: name, Label: p.Label, Unit: p.Unit})
		}
	}
	for _, name := range specAttributes {
		if a := m.Attr(name); a >= 0 {
			out = append(out, specDef{Attribute: name, Label: m.Attributes[a].Label})
		}
	}
	return out
}

// specsOf lists the specs of the priced configuration. An attribute spec
// the customer has not chosen says so, as the configurator's script does,
// rather than naming the level the cheapest completion happens to pick.
func specsOf(m *model.Model, defs []specDef, totals map[string]model.Decimal, config []int, chosen map[string]string) []specView {
	var out []specView
	for _, d := range defs {
		sv := specView{Label: d.Label}
		if d.Property != "" {
			sv.Key = d.Property
			sv.Value = strings.TrimSpace(totals[d.Property].String() + " " + d.Unit)
		} else {
			sv.Key = d.Attribute
			sv.Value = "not chosen"
			if _, ok := chosen[d.Attribute]; ok {
				a := m.Attr(d.Attribute)
				sv.Value = shortLabel(m.Attributes[a].Levels[config[a]].Label)
			}
		}
		out = append(out, sv)
	}
	return out
}

// labeler finds the labels of attributes and levels by name.
type labeler struct{ m *model.Model }

func newLabeler(m *model.Model) labeler { return labeler{m} }

func (l labeler) attr(name string) string {
	if a := l.m.Attr(name); a >= 0 {
		return l.m.Attributes[a].Label
	}
	return name
}

// level is the short label of a level: "Compact" of "Compact, 6.1-inch
// display", which reads better inside a sentence.
func (l labeler) level(attr, level string) string {
	if a := l.m.Attr(attr); a >= 0 {
		if i := l.m.Level(a, level); i >= 0 {
			return shortLabel(l.m.Attributes[a].Levels[i].Label)
		}
	}
	return level
}

func (l labeler) choice(c configurator.Choice) string {
	return l.attr(c.Attribute) + ": " + l.level(c.Attribute, c.Level)
}

func ruleText(rules []configurator.RuleRef) string {
	var parts []string
	for _, r := range rules {
		label := r.Label
		if label == "" {
			label = r.Name
		}
		// Customers read the rule's label; the model file's line number
		// is for admins, who get it from the API and the model check.
		parts = append(parts, r.Kind+" '"+label+"'")
	}
	return strings.Join(parts, ", ")
}

// reasonText says why a level is excluded: "Not with Body size: Compact —
// rule 'The periscope telephoto needs the standard or max body'". The script says it the same way (static/configure.js).
func reasonText(x *configurator.ExplanationView, l labeler) string {
	if x == nil {
		return "Not possible with your current choices."
	}
	var because []string
	for _, c := range x.Because {
		because = append(because, l.choice(c))
	}
	s := "Not available in any phone of this model"
	if len(because) > 0 {
		s = "Not with " + strings.Join(because, " and ")
	}
	if rules := ruleText(x.Rules); rules != "" {
		s += " — " + rules
	}
	if !x.Repairable {
		s += ". No change to your other choices makes it possible."
	}
	return s
}

// repairText is the repair button's label: "Change Body size to Standard".
func repairText(x *configurator.ExplanationView, l labeler) string {
	if x == nil || !x.Repairable || len(x.Repair) == 0 {
		return ""
	}
	var parts []string
	for _, c := range x.Repair {
		parts = append(parts, l.attr(c.Attribute)+" to "+l.level(c.Attribute, c.To))
	}
	return "Change " + strings.Join(parts, " and ")
}

func conflictText(c *configurator.Conflict, l labeler) string {
	var choices []string
	for _, ch := range c.Choices {
		choices = append(choices, l.choice(ch))
	}
	s := "These choices cannot go together: " + strings.Join(choices, ", ")
	if rules := ruleText(c.Rules); rules != "" {
		s += " — " + rules
	}
	return s + ". Change one of them."
}

// groupsOf lays the report's attributes out in the model's groups, in model
// order; attributes outside any group come last.
func groupsOf(m *model.Model, rep *configurator.Report, l labeler) []groupView {
	idx := map[string]int{}
	var groups []groupView
	for _, g := range m.Groups {
		idx[g.Name] = len(groups)
		groups = append(groups, groupView{Name: g.Name, Label: g.Label})
	}
	prices := levelPrices(m)
	for _, st := range rep.Attributes {
		gi, ok := idx[st.Group]
		if !ok {
			idx[st.Group] = len(groups)
			gi = len(groups)
			groups = append(groups, groupView{Name: "other", Label: "More options"})
		}
		av := attrView{Name: st.Name, Label: st.Label, Selected: st.Selected}
		if st.Selected != "" {
			av.SelectedLabel = l.level(st.Name, st.Selected)
		}
		for i, ls := range st.Levels {
			label, detail, _ := strings.Cut(ls.Label, ",")
			lv := levelView{Name: ls.Name, Label: label, Detail: strings.TrimSpace(detail), State: ls.State}
			if d := prices[st.Name]; d != nil && d[i] > 0 {
				lv.Delta = "+" + formatMoney(d[i], m.Currency)
			}
			if ls.State == configurator.StateExcluded {
				if rep.Conflict != nil {
					lv.Reason = "Resolve the clash between your choices first."
				} else {
					lv.Reason = reasonText(ls.Explanation, l)
					lv.Repair = repairText(ls.Explanation, l)
				}
			}
			av.Levels = append(av.Levels, lv)
		}
		groups[gi].Attributes = append(groups[gi].Attributes, av)
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Attributes) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// levelPrices returns, per attribute, what each level adds to the price
// over the attribute's cheapest level.
func levelPrices(m *model.Model) map[string][]int64 {
	p := m.Property(service.PriceProperty)
	if p == nil || p.Kind != model.Money {
		return nil
	}
	out := map[string][]int64{}
	for _, a := range m.Attributes {
		ps := make([]int64, len(a.Levels))
		lowest := int64(-1)
		for i, lv := range a.Levels {
			ps[i] = lv.Numbers[service.PriceProperty].IntPart()
			if lowest < 0 || ps[i] < lowest {
				lowest = ps[i]
			}
		}
		for i := range ps {
			ps[i] -= lowest
		}
		out[a.Name] = ps
	}
	return out
}

// pictureURL is the address of a design's picture.
func pictureURL(modelID string, sel map[string]string) string {
	return "/models/" + url.PathEscape(modelID) + "/picture.svg" + selectionQuery(sel, "?")
}

// configureURL opens a selection in the configurator.
func configureURL(modelID string, sel map[string]string) string {
	return "/configure?model=" + url.QueryEscape(modelID) + selectionQuery(sel, "&")
}

// selectionQuery writes a selection as query parameters in name order, so
// that equal selections have equal URLs and share a cache entry.
func selectionQuery(sel map[string]string, lead string) string {
	keys := make([]string, 0, len(sel))
	for k := range sel {
		if !reservedParams[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i == 0 {
			b.WriteString(lead)
		} else {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(sel[k]))
	}
	return b.String()
}

// picture serves the picture of a selection of a model. A model the caller
// cannot see is drawn as a plain phone rather than a broken image.
func (s *server) picture(w http.ResponseWriter, r *http.Request) {
	var m *model.Model
	e, _, err := s.svc.Engine(r.Context(), r.PathValue("id"))
	switch {
	case err == nil:
		m = e.Model()
	case errs.Code(err) != errs.NotFound:
		s.error(w, r, err)
		return
	}
	sel := map[string]string{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			sel[k] = vs[0]
		}
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	// A model version never changes, so neither does its picture of a
	// selection.
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write([]byte(Picture(m, sel)))
}

// inlinePicture is a design's picture for inlining in a page.
func inlinePicture(m *model.Model, sel map[string]string) template.HTML {
	return template.HTML(Picture(m, sel)) // Picture escapes every text it writes
}
