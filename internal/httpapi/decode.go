package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
)

// decode reads exactly one JSON value from the request body into v,
// rejecting unknown fields. The body is already bounded (see endpoint); a
// body over the bound answers a *http.MaxBytesError.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, v)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return err
		}
		return errs.Errorf(errs.Invalid, "The request body must hold exactly one JSON value.")
	}
	return nil
}

// jsonError turns a decoding error into an error a client can act on.
func jsonError(err error, v any) error {
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
			return errs.Errorf(errs.Invalid, "Field %q must be a JSON %s, not %s.", e.Field, jsonType(e.Type), e.Value)
		}
		return errs.Errorf(errs.Invalid, "The request body must be a JSON object, not %s.", e.Value)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errs.Errorf(errs.Invalid, "Unknown field %s; want %s.", f, fieldList(reflect.TypeOf(v)))
	}
	return errs.Errorf(errs.Invalid, "The request body is not valid JSON: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return "object of strings"
		}
		return "object"
	case reflect.Slice:
		return "array"
	case reflect.Struct:
		return "object"
	}
	return "value of type " + t.String()
}

// fieldList names the JSON fields of the struct t points to, for a message:
// "a, b or c".
func fieldList(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	if t.Kind() == reflect.Struct {
		for f := range t.Fields() {
			if name, _ := jsonName(f); name != "" {
				names = append(names, name)
			}
		}
	}
	switch len(names) {
	case 0:
		return "no fields"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// jsonName returns a struct field's JSON name ("" when it has none) and
// whether it may be left out.
func jsonName(f reflect.StructField) (name string, optional bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	for o := range strings.SplitSeq(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			optional = true
		}
	}
	return name, optional
}

// page reads the limit and cursor query parameters.
func page(q url.Values) (design.Page, error) {
	p := design.Page{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return p, errs.Errorf(errs.Invalid, "The limit must be a whole number from 1 to %d, not %q.", design.MaxLimit, s)
		}
		p.Limit = min(n, design.MaxLimit)
	}
	return p, nil
}

// day reads a YYYY-MM-DD query parameter as the start of that UTC day; the
// zero time when absent.
func day(q url.Values, name string) (time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, errs.Errorf(errs.Invalid, "Parameter %s must be a day such as 2026-03-01, not %q.", name, s)
	}
	return t, nil
}
