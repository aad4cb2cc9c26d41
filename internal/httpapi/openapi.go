package httpapi

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/internal/session"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/model"
)

// The OpenAPI document is generated from the route table and the Go types
// of the request and response bodies, so that it cannot drift from the code;
// testdata/openapi.golden.json shows it to reviewers and makes every change
// to the API surface visible in a diff.

func (a *api) openAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(a.doc)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(a.doc)
}

// obj is a JSON object of the document; encoding/json sorts its keys, so
// the output is stable.
type obj = map[string]any

// mustDocument returns the OpenAPI 3.1 document for rs, indented. It panics
// on a route table it cannot describe, which the tests would catch.
func mustDocument(rs []route) []byte {
	b, err := json.MarshalIndent(document(rs), "", "  ")
	if err != nil {
		panic(fmt.Sprintf("httpapi: OpenAPI document: %v", err))
	}
	return append(b, '\n')
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func document(rs []route) obj {
	sc := &schemas{defs: obj{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
	problems := obj{}
	paths := obj{}
	var tags []string
	for _, rt := range rs {
		if !slices.Contains(tags, rt.tag) {
			tags = append(tags, rt.tag)
		}
		op := obj{
			"operationId": rt.id,
			"tags":        []string{rt.tag},
			"summary":     rt.summary,
			"security":    security(rt),
		}
		if d := accessDoc(rt.access); d != "" {
			op["description"] = d
		}
		var params []obj
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, obj{"name": m[1], "in": "path", "required": true, "schema": obj{"type": "string"}})
		}
		for _, q := range rt.query {
			s := obj{"type": q.typ}
			if q.format != "" {
				s["format"] = q.format
			}
			if len(q.enum) > 0 {
				s["enum"] = q.enum
			}
			params = append(params, obj{"name": q.name, "in": "query", "description": q.doc, "schema": s})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.body != nil {
			limit := rt.limit
			if limit == 0 {
				limit = maxBody
			}
			op["requestBody"] = obj{
				"required":    true,
				"description": fmt.Sprintf("At most %d bytes; unknown fields are rejected.", limit),
				"content":     obj{"application/json": obj{"schema": sc.of(reflect.TypeOf(rt.body))}},
			}
		}
		ok := obj{"description": http.StatusText(rt.status)}
		switch {
		case rt.resp != nil:
			ok["content"] = obj{"application/json": obj{"schema": sc.of(reflect.TypeOf(rt.resp))}}
		case rt.media != "":
			ok["content"] = obj{rt.media: obj{"schema": obj{"type": "string"}}}
		case rt.path == "/openapi.json":
			ok["content"] = obj{"application/json": obj{"schema": obj{"type": "object"}}}
		}
		if rt.signIn || rt.id == "logout" {
			ok["headers"] = obj{"Set-Cookie": obj{
				"description": "The session cookie, " + session.CookieName + ": set on sign-in, cleared on logout.",
				"schema":      obj{"type": "string"},
			}}
		}
		responses := obj{strconv.Itoa(rt.status): ok}
		for _, code := range failures(rt) {
			name := strings.ReplaceAll(http.StatusText(code), " ", "")
			problems[name] = obj{
				"description": http.StatusText(code),
				"content":     obj{"application/problem+json": obj{"schema": sc.of(reflect.TypeFor[Problem]())}},
			}
			responses[strconv.Itoa(code)] = obj{"$ref": "#/components/responses/" + name}
		}
		op["responses"] = responses
		item, _ := paths[rt.path].(obj)
		if item == nil {
			item = obj{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	tagList := make([]obj, 0, len(tags))
	for _, t := range tags {
		tagList = append(tagList, obj{"name": t})
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "Tailor API",
			"version": "1",
			"description": "Tailor's JSON API: accounts, product models, the configurator engine, saved designs, " +
				"the gallery, design statistics, background jobs, choice surveys, model fits, the market simulator, lineups and draft campaigns. Names are snake_case, times RFC 3339 and money integer minor units. " +
				"Errors answer as RFC 9457 problem details. Browsers sign in with the session cookie; integrations send " +
				"an API token as a bearer token. Credentials that are unknown, forged or expired answer 401 on every " +
				"endpoint but signup and login.",
		},
		"tags":  tagList,
		"paths": paths,
		"components": obj{
			"schemas":   sc.defs,
			"responses": problems,
			"securitySchemes": obj{
				"cookie": obj{"type": "apiKey", "in": "cookie", "name": session.CookieName,
					"description": "The session cookie that signup and login set."},
				"bearer": obj{"type": "http", "scheme": "bearer",
					"description": "An API token from POST /api/v1/tokens."},
			},
		},
	}
}

// security says which credentials a route takes; {} marks them optional.
func security(rt route) []obj {
	switch {
	case rt.signIn:
		return []obj{{}}
	case rt.access == anyone:
		return []obj{{}, {"cookie": []string{}}, {"bearer": []string{}}}
	}
	return []obj{{"cookie": []string{}}, {"bearer": []string{}}}
}

func accessDoc(a access) string {
	switch a {
	case signedIn:
		return "Signed-in users."
	case viewStats, runAnalyses:
		return "Analysts, planners and admins."
	case admin:
		return "Admins."
	case manageSurveys:
		return "Analysts and admins."
	case customers:
		return "Customers."
	}
	return ""
}

// failures lists the problem statuses a route can answer, in order.
func failures(rt route) []int {
	set := map[int]bool{http.StatusInternalServerError: true}
	for _, c := range rt.fails {
		set[c] = true
	}
	if rt.body != nil {
		set[http.StatusBadRequest] = true
		set[http.StatusRequestEntityTooLarge] = true
	}
	if strings.Contains(rt.path, "{") {
		set[http.StatusNotFound] = true
	}
	if !rt.signIn {
		set[http.StatusUnauthorized] = true
	}
	if rt.access != anyone && rt.access != signedIn {
		set[http.StatusForbidden] = true
	}
	var out []int
	for c := 400; c < 600; c++ {
		if set[c] {
			out = append(out, c)
		}
	}
	return out
}

// enums adds allowed values to fields of types from other packages, which
// cannot carry an enum tag.
var enums = map[reflect.Type]map[string][]string{
	reflect.TypeFor[configurator.LevelState](): {"state": {configurator.StateSelected, configurator.StatePossible, configurator.StateExcluded}},
	reflect.TypeFor[configurator.RuleRef]():    {"kind": {"rule", "table"}},
	reflect.TypeFor[market.Options]():          {"rule": {"logit", "first-choice", "randomized-first-choice"}},
}

// schemas builds JSON Schemas for Go types as encoding/json encodes them.
// Struct types become named components.
type schemas struct {
	defs  obj
	names map[reflect.Type]string
	taken map[string]reflect.Type
}

func (sc *schemas) of(t reflect.Type) obj {
	switch t {
	case reflect.TypeFor[time.Time]():
		return obj{"type": "string", "format": "date-time"}
	case reflect.TypeFor[model.Decimal]():
		return obj{"type": "number", "description": "An exact decimal with up to 6 fraction digits; money in minor units."}
	case reflect.TypeFor[json.RawMessage]():
		return obj{} // any JSON value
	}
	// Types that write themselves as text, such as market.Rule, are
	// strings in JSON.
	if t.Kind() != reflect.Pointer && t.Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
		return obj{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return sc.of(t.Elem())
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int32:
		return obj{"type": "integer"}
	case reflect.Int64:
		return obj{"type": "integer", "format": "int64"}
	case reflect.Uint64:
		return obj{"type": "integer", "minimum": 0}
	case reflect.Float64:
		return obj{"type": "number"}
	case reflect.Slice:
		return obj{"type": "array", "items": sc.of(t.Elem())}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic("httpapi: OpenAPI: map key of " + t.String())
		}
		return obj{"type": "object", "additionalProperties": sc.of(t.Elem())}
	case reflect.Struct:
		return obj{"$ref": "#/components/schemas/" + sc.component(t)}
	}
	panic("httpapi: OpenAPI: no schema for " + t.String())
}

// component names t's schema, defining it on first use. A name that two
// types share is qualified by the second one's package.
func (sc *schemas) component(t reflect.Type) string {
	if name, ok := sc.names[t]; ok {
		return name
	}
	name := t.Name()
	if other, ok := sc.taken[name]; ok && other != t {
		pkg := t.PkgPath()
		name = pkg[strings.LastIndex(pkg, "/")+1:] + "." + name
	}
	sc.names[t] = name
	sc.taken[name] = t
	props := obj{}
	required := []string{}
	for f := range t.Fields() {
		jn, optional := jsonName(f)
		if jn == "" {
			continue
		}
		s := sc.of(f.Type)
		if e := f.Tag.Get("enum"); e != "" {
			s["enum"] = strings.Split(e, ",")
		} else if e := enums[t][jn]; e != nil {
			s["enum"] = e
		}
		if d := f.Tag.Get("doc"); d != "" {
			s["description"] = d
		}
		props[jn] = s
		if !optional {
			required = append(required, jn)
		}
	}
	def := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		def["required"] = required
	}
	sc.defs[name] = def
	return name
}
