package httpapi

import (
	"context"
	"net/http"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/market"
)

// FitRequest is the body of POST /api/v1/surveys/{id}/fits: which model
// to fit to the survey's answers.
type FitRequest struct {
	Method     string `json:"method" enum:"mnl,mxl,hb" doc:"mnl (multinomial logit), mxl (mixed logit: every part-worth and none normal, price fixed) or hb (hierarchical Bayes)."`
	Iterations int    `json:"iterations,omitempty" doc:"hb: sweeps, half of them burn-in, 100 to 100000 (2000 when absent); mnl, mxl: the optimiser's iteration limit, at most 5000."`
	Draws      int    `json:"draws,omitempty" doc:"mxl only: draws per respondent, 10 to 5000 (200 when absent)."`
	Seed       int64  `json:"seed,omitempty" doc:"Fixes mixed logit's draws and hierarchical Bayes' sampling; 1 when absent. Below 2^53."`
}

func (a *api) submitFit(w http.ResponseWriter, r *http.Request) {
	var req FitRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Seed < 0 {
		a.fail(w, r, errs.Errorf(errs.Invalid, "The seed must be a positive number, not %d.", req.Seed))
		return
	}
	j, err := a.svc.SubmitFit(r.Context(), service.FitInput{SurveyID: r.PathValue("id"), Method: choice.Method(req.Method),
		Iterations: req.Iterations, Draws: req.Draws, Seed: uint64(req.Seed)})
	a.accepted(w, r, j, err)
}

// accepted answers a job's submission: 202 with the job and its
// address, or the error.
func (a *api) accepted(w http.ResponseWriter, r *http.Request, j job.Job, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/jobs/"+j.ID)
	a.reply(w, r, http.StatusAccepted, jobView(j))
}

func (a *api) listFits(w http.ResponseWriter, r *http.Request) {
	listJobs(a, w, r, a.svc.SurveyFits, func(f service.Fit) job.Job { return f.Job })
}

// listJobs answers a page of the jobs about the resource in the path
// (a survey's fits, a fit's lineups).
func listJobs[T any](a *api, w http.ResponseWriter, r *http.Request, fetch func(context.Context, string, job.Page) ([]T, string, error), jobOf func(T) job.Job) {
	p, err := page(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items, next, err := fetch(r.Context(), r.PathValue("id"), job.Page(p))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list := JobList{Items: make([]Job, 0, len(items)), NextCursor: next}
	for _, it := range items {
		list.Items = append(list.Items, jobView(jobOf(it)))
	}
	a.reply(w, r, http.StatusOK, list)
}

// SimulateRequest is the body of POST /api/v1/fits/{id}/simulate: phones
// to simulate the choice among, in the market of a done fit.
type SimulateRequest struct {
	Products []SimulatedProduct `json:"products" doc:"1 to 20 phones."`
	Rule     string             `json:"rule,omitempty" enum:"logit,first-choice,rfc" doc:"logit (share of preference; the default), first-choice or rfc (randomised first choice: 100 draws, product and attribute error 0.5 each)."`
	None     bool               `json:"none,omitempty" doc:"Offer buying none of them, when the survey offered none of these."`
}

// SimulatedProduct is a phone of a scenario.
type SimulatedProduct struct {
	Name   string            `json:"name" doc:"Unique within the scenario."`
	Levels map[string]string `json:"levels" doc:"A level name per attribute of the survey; attributes left out count for nothing."`
	Price  int64             `json:"price" doc:"In minor currency units."`
	Own    bool              `json:"own,omitempty" doc:"One of Tailor's own phones, summed in own_share."`
}

func (a *api) simulateFit(w http.ResponseWriter, r *http.Request) {
	var req SimulateRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	sc := service.Scenario{None: req.None}
	if req.Rule != "" {
		rule, err := market.ParseRule(req.Rule)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		sc.Rule = rule
	}
	for _, p := range req.Products {
		sc.Products = append(sc.Products, service.ScenarioProduct{Name: p.Name, Levels: p.Levels, Price: p.Price, Own: p.Own})
	}
	out, _, err := a.svc.SimulateFit(r.Context(), r.PathValue("id"), sc, nil)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusOK, out)
}
