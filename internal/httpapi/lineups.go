package httpapi

import (
	"net/http"
	"time"

	"github.com/tailor-c2b/tailor/campaign"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/market"
)

// LineupRequest is the body of POST /api/v1/fits/{id}/lineups: which
// variants to choose in the market of a model fit.
type LineupRequest struct {
	K             int               `json:"k" doc:"How many variants to choose, 1 to 12."`
	Goal          string            `json:"goal,omitempty" enum:"profit,revenue,units" doc:"What the lineup maximises; profit when absent (share reads as units)."`
	Rule          string            `json:"rule,omitempty" enum:"logit,first-choice,rfc" doc:"How people choose: logit (the default), first-choice or rfc (randomised first choice: 10 draws per person, product and attribute error 0.5 each)."`
	Method        string            `json:"method,omitempty" enum:"auto,exact,anneal,swap,greedy" doc:"The solver's method; auto (annealing, then branch and bound while time allows) when absent."`
	Seconds       int               `json:"seconds,omitempty" doc:"Time limit of the search, 1 to 600 seconds; 20 when absent."`
	Prices        []int64           `json:"prices,omitempty" doc:"The price grid in minor currency units; the survey's prices when absent."`
	EachOf        string            `json:"each_of,omitempty" doc:"A model attribute every level of which gets a variant, such as os for one per operating system."`
	Ladder        bool              `json:"ladder,omitempty" doc:"A variant that costs more to build sells for more."`
	MinMargin     int64             `json:"min_margin,omitempty" doc:"Every variant's price less its cost at least this, in minor units."`
	MinMarginRate float64           `json:"min_margin_rate,omitempty" doc:"Every variant's margin at least this fraction of its price, 0 to below 1."`
	MaxParts      int               `json:"max_parts,omitempty" doc:"At most this many distinct part numbers across the lineup; no limit when absent."`
	Must          []RequiredVariant `json:"must,omitempty" doc:"Variants the lineup must hold, at most k."`
	Competitors   []CompetitorPhone `json:"competitors,omitempty" doc:"Other makers' phones people may buy instead, at most 20."`
	MarketSize    float64           `json:"market_size,omitempty" doc:"Buyers the fit's people stand for, for units, revenue and profit; as many as the people when absent."`
	Seed          int64             `json:"seed,omitempty" doc:"Fixes annealing's and randomised first choice's draws; 1 when absent. Below 2^53."`
}

// RequiredVariant is a variant a lineup must hold.
type RequiredVariant struct {
	Levels map[string]string `json:"levels" doc:"A level name for every varied attribute: the survey's and each_of."`
	Price  int64             `json:"price" doc:"In minor currency units."`
}

// CompetitorPhone is another maker's phone in a lineup's market.
type CompetitorPhone struct {
	Name   string            `json:"name" doc:"Names the phone in errors."`
	Levels map[string]string `json:"levels" doc:"A level name for each of the survey's attributes it has; the others do not count in its utility."`
	Price  int64             `json:"price" doc:"In minor currency units."`
}

func (a *api) submitLineup(w http.ResponseWriter, r *http.Request) {
	var req LineupRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Seed < 0 {
		a.fail(w, r, errs.Errorf(errs.Invalid, "The seed must be a positive number, not %d.", req.Seed))
		return
	}
	in := service.LineupInput{K: req.K, Goal: lineup.Goal(req.Goal), Method: lineup.Method(req.Method), Seconds: req.Seconds,
		Prices: req.Prices, EachOf: req.EachOf, Ladder: req.Ladder, MinMargin: req.MinMargin, MinMarginRate: req.MinMarginRate,
		MaxParts: req.MaxParts, MarketSize: req.MarketSize, Seed: uint64(req.Seed)}
	if req.Rule != "" {
		rule, err := market.ParseRule(req.Rule)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		in.Rule = rule
	}
	for _, m := range req.Must {
		in.Must = append(in.Must, lineup.Fixed{Levels: m.Levels, Price: m.Price})
	}
	for _, c := range req.Competitors {
		in.Competitors = append(in.Competitors, service.Competitor{Name: c.Name, Levels: c.Levels, Price: c.Price})
	}
	j, err := a.svc.SubmitLineup(r.Context(), r.PathValue("id"), in)
	a.accepted(w, r, j, err)
}

func (a *api) listLineups(w http.ResponseWriter, r *http.Request) {
	listJobs(a, w, r, a.svc.FitLineups, func(l service.Lineup) job.Job { return l.Job })
}

// Campaign is a pre-sale campaign.
type Campaign struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	ModelID       string            `json:"model_id" doc:"The product model version the phone is configured on."`
	Configuration map[string]string `json:"configuration" doc:"The phone: a level name for every attribute of the model."`
	Price         int64             `json:"price" doc:"In minor currency units."`
	Cost          int64             `json:"cost" doc:"The bill of materials, in minor currency units."`
	Currency      string            `json:"currency,omitempty"`
	Status        string            `json:"status" enum:"draft"`
	LineupID      string            `json:"lineup_id,omitempty" doc:"The lineup job the campaign was drafted from."`
	Variant       int               `json:"variant" doc:"The variant's place in its lineup, from 0."`
	CreatedBy     string            `json:"created_by,omitempty"`
	CreatedAt     time.Time         `json:"created_at"`
}

func campaignView(c campaign.Campaign) Campaign {
	return Campaign{ID: c.ID, Name: c.Name, ModelID: c.ModelID, Configuration: c.Config, Price: c.Price, Cost: c.Cost,
		Currency: c.Currency, Status: string(c.Status), LineupID: c.LineupID, Variant: c.Variant, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt}
}

// CampaignList is a page of campaigns.
type CampaignList struct {
	Items      []Campaign `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty" doc:"The cursor of the next page; absent on the last page."`
}

// CampaignDrafts are the draft campaigns of a lineup.
type CampaignDrafts struct {
	Items   []Campaign `json:"items" doc:"Every draft of the lineup, in variant order."`
	Created int        `json:"created" doc:"How many this request made; 0 when they had been made before."`
}

func (a *api) draftCampaigns(w http.ResponseWriter, r *http.Request) {
	cs, n, err := a.svc.CreateCampaignDrafts(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := CampaignDrafts{Items: make([]Campaign, 0, len(cs)), Created: n}
	for _, c := range cs {
		out.Items = append(out.Items, campaignView(c))
	}
	a.reply(w, r, http.StatusOK, out)
}

func (a *api) listCampaigns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := page(q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cs, next, err := a.svc.Campaigns(r.Context(), campaign.Filter{LineupID: q.Get("lineup")}, campaign.Page(p))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list := CampaignList{Items: make([]Campaign, 0, len(cs)), NextCursor: next}
	for _, c := range cs {
		list.Items = append(list.Items, campaignView(c))
	}
	a.reply(w, r, http.StatusOK, list)
}
