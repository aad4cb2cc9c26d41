package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/session"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/models"
)

// env is the real API handler over a real service on an in-memory SQLite
// database holding the published phone model.
type env struct {
	srv   *httptest.Server
	svc   *service.Service
	clock *clock
	model string // the phone model version's id
}

// clock is the service's time, which tests move forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustEnv starts a server for one test. Each test that signs users in or
// changes the catalog gets its own database and service, so that sign-in
// rate limits and data do not leak between tests.
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	return MustJobsEnv(tb, nil)
}

// MustJobsEnv starts a server for one test with a job runner (internal/jobs)
// that runs the handlers, with short intervals, and model fits and lineups
// as tailor serve runs them unless handlers has its own.
func MustJobsEnv(tb testing.TB, handlers map[string]jobs.Handler) *env {
	tb.Helper()
	e, stop, err := newEnv(handlers)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return e
}

// newEnv starts a server, and a job runner when there are handlers, and
// returns the function that stops them.
func newEnv(handlers map[string]jobs.Handler) (*env, func(), error) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, ":memory:")
	if err != nil {
		return nil, nil, err
	}
	clk := &clock{t: time.Now().UTC()}
	cfg := service.Config{Now: clk.Now}
	var runner *jobs.Runner
	if handlers != nil {
		runner = jobs.New(db, jobs.Options{Poll: 20 * time.Millisecond, ProgressEvery: 20 * time.Millisecond, Heartbeat: 50 * time.Millisecond})
		for kind, h := range handlers {
			runner.Register(kind, h)
		}
		cfg.Jobs = runner
	}
	svc := service.New(db, cfg)
	if _, ok := handlers[service.FitKind]; runner != nil && !ok {
		runner.Register(service.FitKind, svc.RunFit)
	}
	if _, ok := handlers[service.LineupKind]; runner != nil && !ok {
		runner.Register(service.LineupKind, svc.RunLineup)
	}
	v, err := svc.EnsureModel(ctx, models.PhoneFile, models.Phone)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	runCtx, stopRunner := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		if runner != nil {
			runner.Run(runCtx)
		}
	}()
	srv := httptest.NewServer(New(svc, Options{Log: slog.New(slog.DiscardHandler)}))
	stop := func() {
		srv.Close()
		stopRunner()
		<-ran
		db.Close()
	}
	return &env{srv: srv, svc: svc, clock: clk, model: v.ID}, stop, nil
}

// shared is one server for the tests that only read the phone model, which
// saves compiling it for each of them.
var shared struct {
	once sync.Once
	e    *env
	stop func()
	err  error
}

// MustSharedEnv returns the shared server. Tests on it must not sign up
// users that another test on it signs up, nor change the catalog.
func MustSharedEnv(tb testing.TB) *env {
	tb.Helper()
	shared.once.Do(func() { shared.e, shared.stop, shared.err = newEnv(nil) })
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.e
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	os.Exit(code)
}

// client is one caller: a browser with its cookie jar, or an integration
// with a bearer token.
type client struct {
	e      *env
	hc     *http.Client
	bearer string
	header http.Header  // extra request headers
	user   account.User // the account MustUser made, for calling the service as it
}

// Anon returns a client with an empty cookie jar.
func (e *env) Anon(tb testing.TB) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &client{e: e, hc: &http.Client{Jar: jar}}
}

// MustSignup signs a new customer up through the API.
func (e *env) MustSignup(tb testing.TB, name string) *client {
	tb.Helper()
	c := e.Anon(tb)
	r := c.Do("POST", "/api/v1/auth/signup", fmt.Sprintf(`{"email": %q, "password": "correct horse battery", "name": %q, "region": "europe", "age_band": "25-34"}`, email(name), name))
	r.Want(tb, 201)
	return c
}

// MustUser makes an account with a role through the service and signs it in
// through the API.
func (e *env) MustUser(tb testing.TB, name string, role account.Role) *client {
	tb.Helper()
	u, err := e.svc.CreateUser(context.Background(), account.SignUp{Email: email(name), Password: "correct horse battery", Name: name}, role, true)
	if err != nil {
		tb.Fatal(err)
	}
	c := e.Anon(tb)
	c.user = u
	c.Do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email": %q, "password": "correct horse battery"}`, email(name))).Want(tb, 200)
	return c
}

func email(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
}

// resp is an answer, or the error that prevented one.
type resp struct {
	code   int
	header http.Header
	body   []byte
	err    error
}

// Do sends a request; an empty body sends none. It does not fail the test,
// so that any test or subtest may check the answer (Want, MustDecode).
func (c *client) Do(method, path, body string) resp {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		return resp{err: err}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return resp{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{code: res.StatusCode, header: res.Header, body: b, err: err}
}

// Want fails the test unless the answer has the status, with a JSON body
// (problem+json for errors) or none for 204.
func (r resp) Want(tb testing.TB, code int) resp {
	tb.Helper()
	if r.err != nil {
		tb.Fatal(r.err)
	}
	if r.code != code {
		tb.Fatalf("status %d, want %d; body %s", r.code, code, r.body)
	}
	ct := r.header.Get("Content-Type")
	switch {
	case code == http.StatusNoContent:
		if len(r.body) != 0 {
			tb.Fatalf("204 with body %s", r.body)
		}
	case code >= 400 && ct != "application/problem+json", code < 400 && ct != "application/json":
		tb.Fatalf("status %d with content type %q", code, ct)
	}
	return r
}

// MustDecode decodes a JSON body.
func MustDecode[T any](tb testing.TB, r resp) T {
	tb.Helper()
	if r.err != nil {
		tb.Fatal(r.err)
	}
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		tb.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

// MustProblem checks a problem answer and returns it.
func MustProblem(tb testing.TB, r resp, code int, detail string) Problem {
	tb.Helper()
	r.Want(tb, code)
	p := MustDecode[Problem](tb, r)
	if p.Type != "about:blank" || p.Status != code || p.Title != http.StatusText(code) {
		tb.Errorf("problem = %+v, want status %d", p, code)
	}
	if !strings.Contains(p.Detail, detail) {
		tb.Errorf("detail %q lacks %q", p.Detail, detail)
	}
	return p
}

// sessionCookie returns the session cookie an answer sets, or nil.
func sessionCookie(r resp) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == session.CookieName {
			return c
		}
	}
	return nil
}
