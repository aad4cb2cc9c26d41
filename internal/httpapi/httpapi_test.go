package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
)

// phone compiles the default model once for all tests.
var phone = sync.OnceValues(func() (*configurator.Engine, error) {
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	if diags.HasErrors() {
		return nil, fmt.Errorf("parse %s: %v", models.PhoneFile, diags)
	}
	return configurator.Compile(m, configurator.Options{})
})

func mustServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	e, err := phone()
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(New(map[string]*configurator.Engine{"phone": e}, nil))
	tb.Cleanup(srv.Close)
	return srv
}

// do sends a request and returns the status, content type and body.
func do(tb testing.TB, srv *httptest.Server, method, path, body string) (int, string, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func mustDecode[T any](tb testing.TB, b []byte) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestListModels(t *testing.T) {
	srv := mustServer(t)
	code, ct, body := do(t, srv, "GET", "/api/v1/models", "")
	if code != 200 || ct != "application/json" {
		t.Fatalf("got %d %s, want 200 application/json", code, ct)
	}
	got := mustDecode[ModelList](t, body)
	e, _ := phone()
	want := ModelList{Items: []ModelSummary{{ID: "phone", Name: "Tailor Phone", Version: "2026.1.0", Attributes: len(e.Model().Attributes)}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
}

func TestGetModel(t *testing.T) {
	srv := mustServer(t)
	code, ct, body := do(t, srv, "GET", "/api/v1/models/phone", "")
	if code != 200 || ct != "application/json" {
		t.Fatalf("got %d %s, want 200 application/json", code, ct)
	}
	got := mustDecode[ModelView](t, body)
	if got.Name != "Tailor Phone" || got.Currency != "EUR" || len(got.Groups) == 0 {
		t.Errorf("got name %q currency %q %d groups", got.Name, got.Currency, len(got.Groups))
	}
	i := slices.IndexFunc(got.Attributes, func(a AttributeView) bool { return a.Name == "wireless" })
	if i < 0 {
		t.Fatal("no attribute wireless")
	}
	w := got.Attributes[i]
	if w.Default != "none" || w.Levels[1].Name != "qi15" || w.Levels[1].Label != "15 W Qi" {
		t.Errorf("wireless = %+v", w)
	}
	// Numbers are exact decimals: the raw JSON holds the model's figures.
	e, _ := phone()
	m := e.Model()
	a := m.Attr("wireless")
	if diff := cmp.Diff(m.Attributes[a].Levels[1].Numbers, w.Levels[1].Numbers); diff != "" {
		t.Errorf("qi15 numbers (-want +got):\n%s", diff)
	}
}

func configure(t *testing.T, srv *httptest.Server, body string) configurator.Report {
	t.Helper()
	code, ct, b := do(t, srv, "POST", "/api/v1/models/phone/configure", body)
	if code != 200 || ct != "application/json" {
		t.Fatalf("got %d %s %s, want 200 application/json", code, ct, b)
	}
	return mustDecode[configurator.Report](t, b)
}

func level(t *testing.T, r configurator.Report, attr, lvl string) configurator.LevelState {
	t.Helper()
	for _, a := range r.Attributes {
		if a.Name != attr {
			continue
		}
		for _, l := range a.Levels {
			if l.Name == lvl {
				return l
			}
		}
	}
	t.Fatalf("no level %s=%s", attr, lvl)
	return configurator.LevelState{}
}

func TestConfigure(t *testing.T) {
	srv := mustServer(t)
	e, _ := phone()

	t.Run("empty", func(t *testing.T) {
		got := configure(t, srv, `{}`)
		if want := e.Count(e.NewSelection()).String(); got.Count != want || !got.Consistent || len(got.Selection) != 0 || got.Completion != nil {
			t.Errorf("got count %s consistent %v selection %v completion %v, want count %s", got.Count, got.Consistent, got.Selection, got.Completion, want)
		}
	})

	t.Run("selection and completion", func(t *testing.T) {
		got := configure(t, srv, `{"selection": {"size": "compact", "wireless": "qi15"}, "complete": "cheapest"}`)
		sel, err := e.ParseSelection([]string{"size=compact", "wireless=qi15"})
		if err != nil {
			t.Fatal(err)
		}
		if want := e.Count(sel).String(); got.Count != want {
			t.Errorf("count = %s, want %s", got.Count, want)
		}
		if !got.Consistent {
			t.Error("consistent = false, want true")
		}
		if l := level(t, got, "wireless", "qi15"); l.State != configurator.StateSelected {
			t.Errorf("wireless=qi15 state = %s, want selected", l.State)
		}
		if l := level(t, got, "back", "aluminium"); l.State != configurator.StateExcluded || l.Explanation == nil {
			t.Errorf("back=aluminium = %+v, want excluded with an explanation", l)
		}
		if got.Completion == nil || got.Completion.Goal != "cheapest" || len(got.Completion.Configuration) != len(e.Model().Attributes) {
			t.Fatalf("completion = %+v, want cheapest over every attribute", got.Completion)
		}
		if !slices.Contains(got.Completion.Configuration, configurator.Choice{Attribute: "wireless", Level: "qi15"}) {
			t.Errorf("completion %v drops wireless=qi15", got.Completion.Configuration)
		}
	})

	t.Run("explain off", func(t *testing.T) {
		got := configure(t, srv, `{"selection": {"wireless": "qi15"}, "explain": false}`)
		if l := level(t, got, "back", "aluminium"); l.State != configurator.StateExcluded || l.Explanation != nil {
			t.Errorf("back=aluminium = %+v, want excluded without explanation", l)
		}
	})

	t.Run("inconsistent", func(t *testing.T) {
		got := configure(t, srv, `{"selection": {"wireless": "qi15", "back": "aluminium"}, "complete": "cheapest"}`)
		if got.Consistent || got.Count != "0" || got.Conflict == nil || got.Completion != nil {
			t.Fatalf("got consistent %v count %s conflict %v completion %v, want an explained conflict", got.Consistent, got.Count, got.Conflict, got.Completion)
		}
		if !slices.ContainsFunc(got.Conflict.Rules, func(r configurator.RuleRef) bool { return r.Name == "wireless_metal" }) {
			t.Errorf("conflict rules %v lack wireless_metal", got.Conflict.Rules)
		}
	})
}

func TestErrors(t *testing.T) {
	srv := mustServer(t)
	tests := []struct {
		name, method, path, body string
		status                   int
		detail                   string // a substring of the detail
	}{
		{"unknown model get", "GET", "/api/v1/models/nope", "", 404, `"nope"`},
		{"unknown model configure", "POST", "/api/v1/models/nope/configure", `{}`, 404, `"nope"`},
		{"unknown path", "GET", "/api/v2/x", "", 404, "/api/v2/x"},
		{"malformed json", "POST", "/api/v1/models/phone/configure", `{"selection":`, 400, "not valid JSON"},
		{"syntax error", "POST", "/api/v1/models/phone/configure", `{"selection" 1}`, 400, "not valid JSON"},
		{"empty body", "POST", "/api/v1/models/phone/configure", ``, 400, "empty"},
		{"two values", "POST", "/api/v1/models/phone/configure", `{} {}`, 400, "exactly one JSON value"},
		{"unknown field", "POST", "/api/v1/models/phone/configure", `{"select": {}}`, 400, `"select"`},
		{"wrong type", "POST", "/api/v1/models/phone/configure", `{"explain": "yes"}`, 400, `"explain"`},
		{"unknown attribute", "POST", "/api/v1/models/phone/configure", `{"selection": {"wireles": "qi15"}}`, 400, `Unknown attribute "wireles" (did you mean "wireless"?)`},
		{"unknown level", "POST", "/api/v1/models/phone/configure", `{"selection": {"wireless": "qi99"}}`, 400, `no level "qi99"`},
		{"unknown goal", "POST", "/api/v1/models/phone/configure", `{"complete": "fastest"}`, 400, `"fastest"`},
		{"unknown property", "POST", "/api/v1/models/phone/configure", `{"complete": "min:speed"}`, 400, `"speed"`},
		{"text property", "POST", "/api/v1/models/phone/configure", `{"complete": "max:vendor"}`, 400, `"vendor"`},
		{"too large", "POST", "/api/v1/models/phone/configure", `{"selection": {"x": "` + strings.Repeat("a", maxBody) + `"}}`, 413, "limit"},
		{"wrong method", "DELETE", "/api/v1/models/phone", "", 405, "GET, HEAD"},
		{"wrong method configure", "GET", "/api/v1/models/phone/configure", "", 405, "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, ct, body := do(t, srv, tt.method, tt.path, tt.body)
			if code != tt.status || ct != "application/problem+json" {
				t.Fatalf("got %d %s %s, want %d application/problem+json", code, ct, body, tt.status)
			}
			p := mustDecode[Problem](t, body)
			if p.Type != "about:blank" || p.Status != tt.status || p.Title != http.StatusText(tt.status) {
				t.Errorf("problem = %+v", p)
			}
			if !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", p.Detail, tt.detail)
			}
		})
	}
}

func TestInternalErrorHidden(t *testing.T) {
	rec := httptest.NewRecorder()
	a := &api{log: discard()}
	req := httptest.NewRequest("GET", "/x", nil)
	a.fail(rec, req, io.ErrClosedPipe)
	p := mustDecode[Problem](t, rec.Body.Bytes())
	if rec.Code != 500 || p.Detail != "Internal error." {
		t.Errorf("got %d %+v, want 500 with detail \"Internal error.\"", rec.Code, p)
	}
}

func TestOpenAPI(t *testing.T) {
	srv := mustServer(t)
	code, ct, body := do(t, srv, "GET", "/openapi.json", "")
	if code != 200 || ct != "application/json" {
		t.Fatalf("got %d %s, want 200 application/json", code, ct)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	var got, want []string
	for p, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "parameters", "summary", "description", "servers":
				continue
			}
			got = append(got, strings.ToUpper(m)+" "+p)
		}
	}
	for _, rt := range routes {
		want = append(want, rt.method+" "+rt.path)
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("openapi.json paths vs routes (-want +got):\n%s", diff)
	}
}

func FuzzConfigure(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"selection": {"size": "compact"}, "complete": "cheapest"}`,
		`{"selection": {"wireless": "qi15", "back": "aluminium"}}`, `{"complete": "min:weight", "explain": false}`,
		`{"selection": {"size": ""}}`, `{"selection": {"a=b": "c"}}`, `{"complete": "max:"}`, `{} x`, `"x"`,
	} {
		f.Add(s)
	}
	srv := mustServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		code, ct, b := do(t, srv, "POST", "/api/v1/models/phone/configure", body)
		if code >= 500 {
			t.Fatalf("status %d for %q: %s", code, body, b)
		}
		if ct != "application/json" && ct != "application/problem+json" {
			t.Fatalf("content type %q", ct)
		}
		if !json.Valid(b) {
			t.Fatalf("body is not JSON: %s", b)
		}
	})
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
