package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/tailor-c2b/tailor/errs"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// status maps an error to its HTTP status. It is the only place that maps
// error codes to HTTP.
func status(err error) int {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge
	}
	switch errs.Code(err) {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	case errs.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// fail answers with the problem for err. Internal errors are logged and the
// client sees only "Internal error.".
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	detail := errs.Message(err)
	switch {
	case code == http.StatusRequestEntityTooLarge:
		detail = "The request body is too large."
		if e, ok := errors.AsType[*http.MaxBytesError](err); ok {
			detail = "The request body exceeds the limit of " + strconv.FormatInt(e.Limit, 10) + " bytes."
		}
	case code == http.StatusInternalServerError:
		a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		detail = "Internal error."
	}
	a.problem(w, r, code, detail)
}

// problem writes a problem+json body.
func (a *api) problem(w http.ResponseWriter, r *http.Request, code int, detail string) {
	b, err := json.Marshal(Problem{Type: "about:blank", Title: http.StatusText(code), Status: code, Detail: detail})
	if err != nil {
		a.log.ErrorContext(r.Context(), "encode problem", "err", err)
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
		code = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// reply writes v as a JSON body with status 200.
func (a *api) reply(w http.ResponseWriter, r *http.Request, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(append(b, '\n'))
}
