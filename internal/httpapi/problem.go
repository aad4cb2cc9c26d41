package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/model"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Diagnostics is an extension member of a rejected model upload: the
	// problems found in the source, with their lines.
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
}

// Diagnostic is one problem found in a model source.
type Diagnostic struct {
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity" enum:"error,warning"`
	Message  string `json:"message"`
}

func diagnostics(ds model.Diagnostics) []Diagnostic {
	out := make([]Diagnostic, 0, len(ds))
	for _, d := range ds {
		sev := "error"
		if d.Severity == model.Warning {
			sev = "warning"
		}
		out = append(out, Diagnostic{Line: d.Pos.Line, Col: d.Pos.Col, Severity: sev, Message: d.Msg})
	}
	return out
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
	a.failWith(w, r, err, nil)
}

// failWith is fail with the diagnostics of a model upload, which a 400
// answer carries so that the admin sees where the source is wrong.
func (a *api) failWith(w http.ResponseWriter, r *http.Request, err error, diags []Diagnostic) {
	code := status(err)
	detail := errs.Message(err)
	switch code {
	case http.StatusRequestEntityTooLarge:
		detail = "The request body is too large."
		if e, ok := errors.AsType[*http.MaxBytesError](err); ok {
			detail = "The request body exceeds the limit of " + strconv.FormatInt(e.Limit, 10) + " bytes."
		}
	case http.StatusInternalServerError:
		a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		detail = "Internal error."
	}
	if code != http.StatusBadRequest {
		diags = nil
	}
	a.problem(w, r, code, detail, diags)
}

// problem writes a problem+json body.
func (a *api) problem(w http.ResponseWriter, r *http.Request, code int, detail string, diags []Diagnostic) {
	p := Problem{Type: "about:blank", Title: http.StatusText(code), Status: code, Detail: detail, Diagnostics: diags}
	a.write(w, r, code, "application/problem+json", p)
}

// reply writes v as a JSON body with the status code.
func (a *api) reply(w http.ResponseWriter, r *http.Request, code int, v any) {
	a.write(w, r, code, "application/json", v)
}

// buffers holds encoding buffers, so that the hot endpoints do not grow a
// new buffer for every answer.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (a *api) write(w http.ResponseWriter, r *http.Request, code int, contentType string, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		// A huge buffer would pin memory in the pool.
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	buf.Reset()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		a.log.ErrorContext(r.Context(), "encode answer", "method", r.Method, "path", r.URL.Path, "err", err)
		buf.Reset()
		buf.WriteString(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Internal error."}` + "\n")
		code, contentType = http.StatusInternalServerError, "application/problem+json"
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// noContent answers 204.
func noContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}
