package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/model"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// ConfigureRequest is the body of POST /api/v1/models/{id}/configure.
type ConfigureRequest struct {
	// Selection maps attribute names to level names.
	Selection map[string]string `json:"selection"`
	// Complete, when set, asks for a completion: cheapest, defaults,
	// min:PROPERTY or max:PROPERTY.
	Complete string `json:"complete,omitempty"`
	// Explain attaches explanations to excluded levels; default true.
	Explain *bool `json:"explain,omitempty"`
}

func (a *api) configure(w http.ResponseWriter, r *http.Request) {
	_, e, err := a.engine(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req ConfigureRequest
	if err := decode(w, r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	sel, opts, err := parseConfigure(e, req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rep, err := e.Report(sel, opts)
	if err != nil {
		a.fail(w, r, fmt.Errorf("report: %w", err))
		return
	}
	a.reply(w, r, rep)
}

// parseConfigure turns a request into a selection and report options,
// with errs.Invalid errors naming the first problem.
func parseConfigure(e *configurator.Engine, req ConfigureRequest) (configurator.Selection, configurator.ReportOptions, error) {
	opts := configurator.ReportOptions{Explain: req.Explain == nil || *req.Explain}
	names := make([]string, 0, len(req.Selection))
	for name := range req.Selection {
		names = append(names, name)
	}
	sort.Strings(names)
	choices := make([]string, 0, len(names))
	for _, name := range names {
		level := req.Selection[name]
		if strings.Contains(name, "=") || strings.TrimSpace(name) != name || strings.TrimSpace(level) != level {
			return nil, opts, errs.Errorf(errs.Invalid, "Malformed selection %q: %q.", name, level)
		}
		choices = append(choices, name+"="+level)
	}
	sel, err := e.ParseSelection(choices)
	if err != nil {
		return nil, opts, errs.Errorf(errs.Invalid, "%s", upper(err.Error()))
	}
	if req.Complete != "" {
		obj, err := configurator.ParseObjective(req.Complete)
		if err != nil {
			return nil, opts, errs.Errorf(errs.Invalid, "%s", upper(err.Error()))
		}
		if obj.Goal != configurator.Defaults {
			m := e.Model()
			if p := m.Property(obj.Property); p == nil || p.Kind == model.Text {
				return nil, opts, errs.Errorf(errs.Invalid, "Completion goal %q needs a number or money property %q; model %s has none.", req.Complete, obj.Property, m.Name)
			}
		}
		opts.Complete = &obj
		opts.Goal = req.Complete
	}
	return sel, opts, nil
}

// upper capitalises a message for a problem detail.
func upper(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// decode reads exactly one JSON value from a body of at most maxBody bytes
// into v, rejecting unknown fields.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err == nil {
			return errs.Errorf(errs.Invalid, "The request body must hold exactly one JSON value.")
		}
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return err
		}
		return errs.Errorf(errs.Invalid, "The request body must hold exactly one JSON value.")
	}
	return nil
}

// jsonError turns a decoding error into an error a client can act on.
func jsonError(err error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return err
	}
	if errors.Is(err, io.EOF) {
		return errs.Errorf(errs.Invalid, "The request body is empty; want a JSON object.")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errs.Errorf(errs.Invalid, "The request body is not valid JSON: it ends too early.")
	}
	if e, ok := errors.AsType[*json.SyntaxError](err); ok {
		return errs.Errorf(errs.Invalid, "The request body is not valid JSON at byte %d: %s.", e.Offset, e.Error())
	}
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if e.Field != "" {
			return errs.Errorf(errs.Invalid, "Field %q must be a JSON %s, not %s.", e.Field, jsonType(e.Type.String()), e.Value)
		}
		return errs.Errorf(errs.Invalid, "The request body must be a JSON object, not %s.", e.Value)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errs.Errorf(errs.Invalid, "Unknown field %s; want selection, complete or explain.", f)
	}
	return errs.Errorf(errs.Invalid, "The request body is not valid JSON: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonType(goType string) string {
	switch goType {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "map[string]string":
		return "object of strings"
	}
	return "value of type " + goType
}
