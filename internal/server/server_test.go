package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type readiness struct{ err error }

func (r readiness) Ready(context.Context) error { return r.err }

func newTest(t *testing.T, ready error, logs io.Writer) *httptest.Server {
	t.Helper()
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/panic" {
			panic("boom")
		}
		slog.New(ContextHandler{slog.NewTextHandler(logs, nil)}).InfoContext(r.Context(), "in api")
		w.Write([]byte("api " + r.Method))
	})
	web := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("web " + r.URL.Path)) })
	log := slog.New(ContextHandler{slog.NewJSONHandler(logs, nil)})
	srv := httptest.NewServer(New(Config{API: api, Web: web, Ready: readiness{ready}, Log: log}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestRoutes(t *testing.T) {
	var logs bytes.Buffer
	srv := newTest(t, nil, &logs)
	tests := []struct {
		method, path string
		header       http.Header
		wantStatus   int
		wantBody     string
	}{
		{"GET", "/healthz", nil, 200, "ok\n"},
		{"GET", "/readyz", nil, 200, "ready\n"},
		{"GET", "/api/v1/models", nil, 200, "api GET"},
		{"GET", "/openapi.json", nil, 200, "api GET"},
		{"GET", "/gallery", nil, 200, "web /gallery"},
		{"POST", "/api/v1/designs", http.Header{"Sec-Fetch-Site": {"same-origin"}}, 200, "api POST"},
		// A browser's cross-site POST is refused before it reaches a handler:
		// this is the CSRF protection for cookie sessions.
		{"POST", "/api/v1/designs", http.Header{"Sec-Fetch-Site": {"cross-site"}}, 403, ""},
		{"POST", "/logout", http.Header{"Origin": {"https://evil.example"}}, 403, ""},
		{"GET", "/api/v1/panic", nil, 500, `{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Internal error."}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			res, body := get(t, req)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", res.StatusCode, tt.wantStatus, body)
			}
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if res.Header.Get("X-Request-ID") == "" {
				t.Error("no X-Request-ID in the response")
			}
		})
	}
	if !strings.Contains(logs.String(), `"panic":"boom"`) {
		t.Errorf("the panic was not logged:\n%s", logs.String())
	}
}

func TestReadyzFailsWhenTheDatabaseDoesNotAnswer(t *testing.T) {
	srv := newTest(t, errors.New("connection refused"), io.Discard)
	req, _ := http.NewRequest("GET", srv.URL+"/readyz", nil)
	res, _ := get(t, req)
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", res.StatusCode)
	}
}

func TestRequestIDIsKeptAndLogged(t *testing.T) {
	var logs bytes.Buffer
	srv := newTest(t, nil, &logs)
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/models", nil)
	req.Header.Set("X-Request-ID", "trace-42")
	res, _ := get(t, req)
	if got := res.Header.Get("X-Request-ID"); got != "trace-42" {
		t.Errorf("X-Request-ID = %q, want trace-42", got)
	}
	// The handler's own log line and the access log both carry the id.
	if n := strings.Count(logs.String(), "request_id=trace-42") + strings.Count(logs.String(), `"request_id":"trace-42"`); n != 2 {
		t.Errorf("request id logged %d times, want 2:\n%s", n, logs.String())
	}
	// An id that could inject into logs is replaced.
	req, _ = http.NewRequest("GET", srv.URL+"/healthz", nil)
	req.Header.Set("X-Request-ID", "bad id\twith \"quotes\"")
	res, _ = get(t, req)
	if got := res.Header.Get("X-Request-ID"); got == "" || strings.ContainsAny(got, " \t\"") {
		t.Errorf("X-Request-ID = %q, want a fresh id", got)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	srv := newTest(t, nil, io.Discard)
	for range 3 {
		req, _ := http.NewRequest("GET", srv.URL+"/gallery/some/unbounded/path", nil)
		get(t, req)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/metrics", nil)
	_, body := get(t, req)
	want := `tailor_http_requests_total{code="200",method="GET",route="/"} 3`
	if !strings.Contains(body, want) {
		t.Errorf("metrics lack %s:\n%s", want, body)
	}
	if !strings.Contains(body, "go_goroutines") {
		t.Error("metrics lack the Go collector")
	}
}
