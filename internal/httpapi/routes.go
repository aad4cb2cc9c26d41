// Package httpapi is Tailor's JSON API over the application layer
// (*service.Service): accounts and API tokens, product models, the
// configurator engine, saved designs, the gallery, design statistics,
// background jobs, choice surveys, model fits of their answers with the
// market simulator, and lineups chosen in a fit's market with the draft
// campaigns of their variants.
//
// routes.go is the whole API surface: the route table below drives both the
// ServeMux and the OpenAPI document served at /openapi.json. Handlers only
// decode, call the service and encode; every authorisation check is in the
// service. Errors answer as RFC 9457 application/problem+json, with the
// status chosen in one place (problem.go).
package httpapi

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/session"
	"github.com/tailor-c2b/tailor/market"
)

// Body size limits. A model source may be large; everything else is small.
const (
	maxBody   = 1 << 20
	maxUpload = 4 << 20
)

// access says who may call a route. The service enforces it; the route table
// records it for the OpenAPI document.
type access int

const (
	anyone        access = iota // signed in or not
	signedIn                    // any signed-in user
	viewStats                   // analysts, planners and admins
	runAnalyses                 // analysts, planners and admins
	admin                       // admins
	manageSurveys               // analysts and admins
	customers                   // customers only
)

// param is a query parameter, for the OpenAPI document.
type param struct {
	name, doc string
	typ       string   // JSON Schema type: string or integer
	format    string   // JSON Schema format, if any
	enum      []string // allowed values, if any
}

// route is one endpoint: a method and a ServeMux path pattern, its handler
// and what the OpenAPI document says about it.
type route struct {
	method  string
	path    string
	handler func(*api, http.ResponseWriter, *http.Request)

	id      string // operationId
	tag     string
	summary string
	access  access
	// signIn routes replace the caller's credentials, so they run even when
	// the request presents rejected ones; every other route answers 401.
	signIn bool
	query  []param
	body   any    // a value of the request body's type; nil for none
	limit  int64  // the request body limit; maxBody when 0
	status int    // the success status
	resp   any    // a value of the response body's type; nil for none
	media  string // the response's media type when it is not JSON (resp nil)
	fails  []int  // problem statuses beyond those the table implies
}

var (
	pageParams = []param{
		{name: "limit", typ: "integer", doc: "Items per page, 1 to 100; 20 when absent."},
		{name: "cursor", typ: "string", doc: "The next_cursor of the previous page; absent for the first."},
	}
	statsParams = []param{
		{name: "region", typ: "string", doc: "Count only customers of this region."},
		{name: "age_band", typ: "string", doc: "Count only customers of this age band."},
		{name: "from", typ: "string", format: "date", doc: "Count designs made on or after this UTC day, YYYY-MM-DD."},
		{name: "to", typ: "string", format: "date", doc: "Count designs made on or before this UTC day, YYYY-MM-DD."},
		{name: "combo", typ: "string", doc: "Comma-separated attributes whose most common combinations are counted, at most 6; the model's first three when absent."},
	}
	jobParams = append([]param{
		{name: "kind", typ: "string", doc: "Only jobs of this kind."},
		{name: "created_by", typ: "string", doc: "Only jobs of this user (an id); admins only, for others it may name only themselves."},
		{name: "subject", typ: "string", doc: "Only jobs about this subject, such as survey:<id> for the fits of a survey."},
	}, pageParams...)
	galleryParams = append([]param{
		{name: "model", typ: "string", doc: "Only designs of this model version."},
		{name: "sort", typ: "string", doc: "Most voted first (top, the default) or newest first (new).", enum: []string{"top", "new"}},
	}, pageParams...)
)

// routes is the whole API surface.
var routes = []route{
	// Accounts and API tokens.
	{method: "POST", path: "/api/v1/auth/signup", handler: (*api).signup, id: "signup", tag: "auth", signIn: true,
		summary: "Open a customer account and sign in; sets the session cookie.",
		body:    SignupRequest{}, status: http.StatusCreated, resp: User{}, fails: []int{409}},
	{method: "POST", path: "/api/v1/auth/login", handler: (*api).login, id: "login", tag: "auth", signIn: true,
		summary: "Sign in with email and password; sets the session cookie. Attempts are rate-limited.",
		body:    LoginRequest{}, status: http.StatusOK, resp: User{}, fails: []int{401, 429}},
	{method: "POST", path: "/api/v1/auth/logout", handler: (*api).logout, id: "logout", tag: "auth",
		summary: "End the cookie's session and clear the cookie.",
		status:  http.StatusNoContent},
	{method: "GET", path: "/api/v1/me", handler: (*api).me, id: "me", tag: "auth", access: signedIn,
		summary: "The signed-in user.", status: http.StatusOK, resp: User{}},
	{method: "POST", path: "/api/v1/tokens", handler: (*api).createToken, id: "createToken", tag: "auth", access: signedIn,
		summary: "Make an API token for an integration; its secret is shown only in this answer.",
		body:    TokenRequest{}, status: http.StatusCreated, resp: NewToken{}},
	{method: "GET", path: "/api/v1/tokens", handler: (*api).listTokens, id: "listTokens", tag: "auth", access: signedIn,
		summary: "The signed-in user's API tokens.", status: http.StatusOK, resp: TokenList{}},
	{method: "DELETE", path: "/api/v1/tokens/{id}", handler: (*api).deleteToken, id: "deleteToken", tag: "auth", access: signedIn,
		summary: "Revoke one of the signed-in user's API tokens.", status: http.StatusNoContent},

	// Product models.
	{method: "GET", path: "/api/v1/models", handler: (*api).listModels, id: "listModels", tag: "models",
		summary: "Published model versions, newest first; drafts too for admins.", status: http.StatusOK, resp: ModelList{}},
	{method: "POST", path: "/api/v1/models", handler: (*api).uploadModel, id: "uploadModel", tag: "models", access: admin,
		summary: "Check a model source and store it as a draft. A source with errors answers 400 with the diagnostics and stores nothing.",
		body:    UploadRequest{}, limit: maxUpload, status: http.StatusCreated, resp: Upload{}, fails: []int{409}},
	{method: "GET", path: "/api/v1/models/{id}", handler: (*api).getModel, id: "getModel", tag: "models",
		summary: "A model version's attributes, levels and properties, for a front end.", status: http.StatusOK, resp: ModelView{}},
	{method: "POST", path: "/api/v1/models/{id}/publish", handler: (*api).publishModel, id: "publishModel", tag: "models", access: admin,
		summary: "Publish a draft model version, so that customers see it.", status: http.StatusOK, resp: ModelSummary{}},

	// The configurator engine, on a model version the caller may see.
	{method: "POST", path: "/api/v1/models/{id}/configure", handler: (*api).configure, id: "configure", tag: "engine",
		summary: "The state of every level under a selection, with explanations and an optional completion. A selection that breaks the rules is not an error: the report shows the conflict.",
		body:    ConfigureRequest{}, status: http.StatusOK, resp: configurator.Report{}},
	{method: "POST", path: "/api/v1/models/{id}/propagate", handler: (*api).propagate, id: "propagate", tag: "engine",
		summary: "The levels every attribute can still take under a selection: the engine's propagation, the fast path for integrations.",
		body:    PropagateRequest{}, status: http.StatusOK, resp: Propagation{}},
	{method: "POST", path: "/api/v1/models/{id}/explain", handler: (*api).explain, id: "explain", tag: "engine",
		summary: "Why a level is excluded under a selection, and the smallest repair. 400 when the level is not excluded.",
		body:    ExplainRequest{}, status: http.StatusOK, resp: configurator.ExplanationView{}},
	{method: "POST", path: "/api/v1/models/{id}/complete", handler: (*api).complete, id: "complete", tag: "engine",
		summary: "The best valid completion of a selection for a goal.",
		body:    CompleteRequest{}, status: http.StatusOK, resp: configurator.Completion{}},
	{method: "POST", path: "/api/v1/models/{id}/price", handler: (*api).price, id: "price", tag: "engine",
		summary: "The retail price of a selection; the lowest of any completion when it is partial.",
		body:    PriceRequest{}, status: http.StatusOK, resp: Price{}},

	// Designs.
	{method: "POST", path: "/api/v1/designs", handler: (*api).createDesign, id: "createDesign", tag: "designs", access: signedIn,
		summary: "Save a design. Its selection must follow the model's rules.",
		body:    DesignRequest{}, status: http.StatusCreated, resp: Design{}, fails: []int{404}},
	{method: "GET", path: "/api/v1/designs", handler: (*api).listDesigns, id: "listDesigns", tag: "designs", access: signedIn,
		summary: "The signed-in user's designs, most recently updated first.", query: pageParams,
		status: http.StatusOK, resp: DesignList{}, fails: []int{400}},
	{method: "GET", path: "/api/v1/designs/{id}", handler: (*api).getDesign, id: "getDesign", tag: "designs",
		summary: "A design: the caller's own or a public one. Another user's private design answers 404.",
		status:  http.StatusOK, resp: Design{}},
	{method: "PUT", path: "/api/v1/designs/{id}", handler: (*api).updateDesign, id: "updateDesign", tag: "designs", access: signedIn,
		summary: "Replace one of the signed-in user's designs.",
		body:    DesignRequest{}, status: http.StatusOK, resp: Design{}},
	{method: "DELETE", path: "/api/v1/designs/{id}", handler: (*api).deleteDesign, id: "deleteDesign", tag: "designs", access: signedIn,
		summary: "Delete one of the signed-in user's designs.", status: http.StatusNoContent},
	{method: "PUT", path: "/api/v1/designs/{id}/vote", handler: (*api).vote, id: "vote", tag: "designs", access: signedIn,
		summary: "Vote for a public design; voting twice counts once.", status: http.StatusOK, resp: VoteResult{}},
	{method: "DELETE", path: "/api/v1/designs/{id}/vote", handler: (*api).unvote, id: "unvote", tag: "designs", access: signedIn,
		summary: "Withdraw a vote for a public design.", status: http.StatusOK, resp: VoteResult{}},
	{method: "GET", path: "/api/v1/shared/{token}", handler: (*api).sharedDesign, id: "sharedDesign", tag: "designs",
		summary: "The design behind a share link, while its visibility is link or public.", status: http.StatusOK, resp: Design{}},
	{method: "GET", path: "/api/v1/gallery", handler: (*api).gallery, id: "gallery", tag: "designs",
		summary: "Public designs, with whether the caller voted for each.", query: galleryParams,
		status: http.StatusOK, resp: DesignList{}, fails: []int{400}},

	// What customers design.
	{method: "GET", path: "/api/v1/models/{id}/stats", handler: (*api).stats, id: "stats", tag: "stats", access: viewStats,
		summary: "What customers design with a model version: level choices, top combinations, designs per day and per segment.",
		query:   statsParams, status: http.StatusOK, resp: Stats{}, fails: []int{400}},

	// Background jobs: model fits, lineup optimisations. Each kind has its
	// own submission endpoint, with its own input.
	{method: "GET", path: "/api/v1/jobs", handler: (*api).listJobs, id: "listJobs", tag: "jobs", access: runAnalyses,
		summary: "Background jobs, newest first: the caller's own, everyone's for admins.", query: jobParams,
		status: http.StatusOK, resp: JobList{}, fails: []int{400}},
	{method: "GET", path: "/api/v1/jobs/{id}", handler: (*api).getJob, id: "getJob", tag: "jobs", access: runAnalyses,
		summary: "A background job: its status, progress and latest note, and its output once done. Another user's job answers 404, except to admins.",
		status:  http.StatusOK, resp: Job{}},
	{method: "POST", path: "/api/v1/jobs/{id}/cancel", handler: (*api).cancelJob, id: "cancelJob", tag: "jobs", access: runAnalyses,
		summary: "Cancel a job: a queued one at once, a running one within moments (cancel_requested is set until it stops). 409 when it is done or failed.",
		status:  http.StatusOK, resp: Job{}, fails: []int{409}},
	// Choice surveys: analysts design and run them, customers answer them.
	{method: "GET", path: "/api/v1/surveys", handler: (*api).listSurveys, id: "listSurveys", tag: "surveys", access: manageSurveys,
		summary: "Every survey, newest first, with its counts.", status: http.StatusOK, resp: SurveyList{}},
	{method: "POST", path: "/api/v1/surveys", handler: (*api).createSurvey, id: "createSurvey", tag: "surveys", access: manageSurveys,
		summary: "Design a survey on a published model and store it as a draft. The design runs in the request (a few seconds at most; at most 20,000 concepts in all).",
		body:    SurveyRequest{}, status: http.StatusCreated, resp: Survey{}, fails: []int{404}},
	{method: "GET", path: "/api/v1/surveys/{id}", handler: (*api).getSurvey, id: "getSurvey", tag: "surveys", access: manageSurveys,
		summary: "A survey with its spec, efficiency, level balance and design.", status: http.StatusOK, resp: Survey{}},
	{method: "POST", path: "/api/v1/surveys/{id}/open", handler: (*api).openSurvey, id: "openSurvey", tag: "surveys", access: manageSurveys,
		summary: "Open a draft survey to customers; opening twice changes nothing. 409 for a closed survey.",
		status:  http.StatusOK, resp: Survey{}, fails: []int{409}},
	{method: "POST", path: "/api/v1/surveys/{id}/close", handler: (*api).closeSurvey, id: "closeSurvey", tag: "surveys", access: manageSurveys,
		summary: "Close an open survey for good: it takes no more answers. 409 for a draft.",
		status:  http.StatusOK, resp: Survey{}, fails: []int{409}},
	{method: "GET", path: "/api/v1/surveys/{id}/report", handler: (*api).surveyReport, id: "surveyReport", tag: "surveys", access: manageSurveys,
		summary: "The design report as text: efficiency against random designs, level balance and overlap.",
		status:  http.StatusOK, media: "text/plain"},
	{method: "GET", path: "/api/v1/surveys/{id}/answers", handler: (*api).surveyAnswers, id: "surveyAnswers", tag: "surveys", access: manageSurveys,
		summary: "Every answer, respondents by label in the order they started, each one's in task order.",
		status:  http.StatusOK, resp: SurveyAnswerList{}},
	{method: "GET", path: "/api/v1/surveys/{id}/answers.csv", handler: (*api).surveyAnswersCSV, id: "surveyAnswersCSV", tag: "surveys", access: manageSurveys,
		summary: "The answers as a data file in the long layout, one row per concept and none, with level names and prices: tailor fit reads it with the survey's spec.",
		status:  http.StatusOK, media: "text/csv"},
	{method: "GET", path: "/api/v1/surveys/{id}/spec", handler: (*api).surveySpec, id: "surveySpec", tag: "surveys", access: manageSurveys,
		summary: "The utility specification that codes answers.csv as the product codes answers, for tailor fit.",
		query:   []param{{name: "tasks", typ: "string", doc: "The tasks to keep: designed (the default) or holdout.", enum: []string{"designed", "holdout"}}},
		status:  http.StatusOK, media: "text/plain", fails: []int{400}},
	// Model fits of a survey's answers run as background jobs, read
	// through /api/v1/jobs/{id}; a done fit simulates markets.
	{method: "POST", path: "/api/v1/surveys/{id}/fits", handler: (*api).submitFit, id: "submitFit", tag: "fits", access: manageSurveys,
		summary: "Fit a choice model to the survey's answers as a background job; follow it at /api/v1/jobs/{id}, whose output, once done, holds the estimates, willingness to pay, importances and the holdout hit rate (docs/choice-models.md).",
		body:    FitRequest{}, status: http.StatusAccepted, resp: Job{}},
	{method: "GET", path: "/api/v1/surveys/{id}/fits", handler: (*api).listFits, id: "listFits", tag: "fits", access: manageSurveys,
		summary: "The survey's model fits, newest first, without their outputs: the caller's own, everyone's for admins.", query: pageParams,
		status: http.StatusOK, resp: JobList{}, fails: []int{400}},
	{method: "POST", path: "/api/v1/fits/{id}/simulate", handler: (*api).simulateFit, id: "simulateFit", tag: "fits", access: manageSurveys,
		summary: "Shares of preference for a set of phones in the market of a done fit: its respondents' part-worths for hierarchical Bayes, 2,000 people drawn from a mixed logit, one representative person for multinomial logit. 409 while the fit is not done.",
		body:    SimulateRequest{}, status: http.StatusOK, resp: market.Outcome{}, fails: []int{409}},
	{method: "GET", path: "/api/v1/me/surveys", handler: (*api).mySurveys, id: "mySurveys", tag: "surveys", access: customers,
		summary: "The open surveys, with the signed-in customer's progress in each.", status: http.StatusOK, resp: MySurveyList{}},
	{method: "POST", path: "/api/v1/surveys/{id}/start", handler: (*api).startSurvey, id: "startSurvey", tag: "surveys", access: customers,
		summary: "Start an open survey: the customer gets the next version round robin. Starting again returns the progress.",
		status:  http.StatusOK, resp: SurveyProgress{}, fails: []int{409}},
	{method: "GET", path: "/api/v1/surveys/{id}/next", handler: (*api).nextTask, id: "nextTask", tag: "surveys", access: customers,
		summary: "Where the customer stands in a survey and the task to answer next, as shown: level labels and prices.",
		status:  http.StatusOK, resp: SurveyQuestion{}},
	{method: "POST", path: "/api/v1/surveys/{id}/answers", handler: (*api).answerSurvey, id: "answerSurvey", tag: "surveys", access: customers,
		summary: "Answer the customer's next task. Tasks go in order and the first answer stands: 409 for another task, a survey not open or not started.",
		body:    SurveyAnswerRequest{}, status: http.StatusOK, resp: SurveyProgress{}, fails: []int{409}},

	// Lineup optimisations in the market of a model fit run as background
	// jobs too; a done lineup's variants become draft campaigns.
	{method: "POST", path: "/api/v1/fits/{id}/lineups", handler: (*api).submitLineup, id: "submitLineup", tag: "lineups", access: manageSurveys,
		summary: "Choose k variants to build in the market of a model fit as a background job (the fit may still be queued or running: the job waits for it); follow it at /api/v1/jobs/{id}, whose output, once done, holds the variants with their units, share, revenue, profit and cannibalisation, and the solver's bound and gap (docs/lineup.md). 409 when the fit failed or was cancelled.",
		body:    LineupRequest{}, status: http.StatusAccepted, resp: Job{}, fails: []int{409}},
	{method: "GET", path: "/api/v1/fits/{id}/lineups", handler: (*api).listLineups, id: "listLineups", tag: "lineups", access: manageSurveys,
		summary: "The fit's lineups, newest first, with their outputs: the caller's own, everyone's for admins.", query: pageParams,
		status: http.StatusOK, resp: JobList{}, fails: []int{400}},
	{method: "POST", path: "/api/v1/lineups/{id}/campaigns", handler: (*api).draftCampaigns, id: "draftCampaigns", tag: "lineups", access: manageSurveys,
		summary: "Make a draft pre-sale campaign of every variant of a done lineup: its phone, price and cost. Asking again makes nothing new and returns the same drafts. 409 while the lineup is not done.",
		status:  http.StatusOK, resp: CampaignDrafts{}, fails: []int{409}},
	{method: "GET", path: "/api/v1/campaigns", handler: (*api).listCampaigns, id: "listCampaigns", tag: "lineups", access: manageSurveys,
		summary: "Pre-sale campaigns, newest first, a lineup's in variant order.",
		query:   append([]param{{name: "lineup", typ: "string", doc: "Only the campaigns drafted from this lineup job."}}, pageParams...),
		status:  http.StatusOK, resp: CampaignList{}, fails: []int{400}},

	{method: "GET", path: "/openapi.json", handler: (*api).openAPI, id: "openapi", tag: "meta",
		summary: "This document.", status: http.StatusOK},
}

// Options configure the API handler.
type Options struct {
	// Log receives internal errors; discarded when nil.
	Log *slog.Logger
	// SecureCookies marks the session cookie Secure even on plain HTTP, for
	// a server behind a TLS-terminating proxy.
	SecureCookies bool
}

type api struct {
	svc    *service.Service
	log    *slog.Logger
	secure bool
	doc    []byte // the OpenAPI document
}

// New returns the API handler over svc. It resolves the session cookie or
// bearer token of every request (package session); cross-origin protection
// and the other middleware every request needs are the server's.
func New(svc *service.Service, opts Options) http.Handler {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	a := &api{svc: svc, log: opts.Log, secure: opts.SecureCookies, doc: mustDocument(routes)}
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.path, a.endpoint(rt))
		if _, ok := allowed[rt.path]; !ok {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
		if rt.method == http.MethodGet {
			allowed[rt.path] = append(allowed[rt.path], http.MethodHead)
		}
	}
	// The same paths without a method catch every other method, so that a
	// wrong method answers 405 with a problem+json body and an Allow header.
	for _, p := range paths {
		methods := slices.Sorted(slices.Values(allowed[p]))
		allow := strings.Join(methods, ", ")
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			a.problem(w, r, http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed here; allowed: "+allow+".", nil)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.problem(w, r, http.StatusNotFound, "No endpoint at "+r.URL.Path+".", nil)
	})
	return session.Middleware(svc, a.fail)(mux)
}

// endpoint wraps a route's handler: it answers 401 to rejected credentials
// (unless the route signs in) and bounds the request body.
func (a *api) endpoint(rt route) http.Handler {
	limit := rt.limit
	if limit == 0 {
		limit = maxBody
	}
	h, signIn := rt.handler, rt.signIn
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !signIn && session.Rejected(r.Context()) != nil {
			// Clearing the cookie lets the next request go on as nobody,
			// rather than failing the same way until the user signs in.
			session.ClearCookie(w, r, a.secure)
			a.problem(w, r, http.StatusUnauthorized, "Your session has expired or is not valid; sign in again.", nil)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h(a, w, r)
	})
}
