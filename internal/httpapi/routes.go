// Package httpapi is Tailor's HTTP JSON API over compiled configurator
// engines. It is stateless: every request names a model and carries the
// whole selection. routes.go is the whole API surface; errors answer as RFC
// 9457 application/problem+json.
package httpapi

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/tailor-c2b/tailor/configurator"
)

// route is one endpoint: a method, a ServeMux path pattern and its handler.
// The OpenAPI test checks openapi.json against this table.
type route struct {
	method  string
	path    string
	handler func(*api, http.ResponseWriter, *http.Request)
}

// routes is the whole API surface.
var routes = []route{
	{http.MethodGet, "/api/v1/models", (*api).listModels},
	{http.MethodGet, "/api/v1/models/{id}", (*api).getModel},
	{http.MethodPost, "/api/v1/models/{id}/configure", (*api).configure},
	{http.MethodGet, "/openapi.json", (*api).openAPI},
}

type api struct {
	models map[string]*configurator.Engine
	log    *slog.Logger
}

// New returns the API handler over the given compiled models, keyed by id.
// Internal errors are logged to log; a nil log discards them.
func New(models map[string]*configurator.Engine, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &api{models: models, log: log}
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range routes {
		h := rt.handler
		mux.HandleFunc(rt.method+" "+rt.path, func(w http.ResponseWriter, r *http.Request) { h(a, w, r) })
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
			a.problem(w, r, http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed here; allowed: "+allow+".")
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.problem(w, r, http.StatusNotFound, "No endpoint at "+r.URL.Path+".")
	})
	return mux
}
