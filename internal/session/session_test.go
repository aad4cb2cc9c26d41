package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
)

type auth map[string]account.User

func (a auth) Authenticate(_ context.Context, token string) (account.User, error) {
	if token == "broken" {
		return account.User{}, errors.New("database down")
	}
	u, ok := a[token]
	if !ok {
		return account.User{}, errs.Errorf(errs.Unauthorized, "no")
	}
	return u, nil
}

func TestMiddleware(t *testing.T) {
	users := auth{"tls_good": {ID: "u1"}, "tlt_api": {ID: "u2"}}
	tests := []struct {
		name         string
		header       string
		cookie       string
		wantUser     string
		wantRejected bool
		wantStatus   int
	}{
		{"no credentials", "", "", "", false, 200},
		{"cookie", "", "tls_good", "u1", false, 200},
		{"bearer", "Bearer tlt_api", "", "u2", false, 200},
		{"bearer wins over cookie", "Bearer tlt_api", "tls_good", "u2", false, 200},
		{"forged cookie", "", "tls_forged", "", true, 200},
		{"malformed authorization", "Basic dXNlcjpwdw==", "", "", true, 200},
		{"storage failure", "Bearer broken", "", "", false, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotUser string
			var rejected bool
			h := Middleware(users, func(w http.ResponseWriter, r *http.Request, err error) {
				w.WriteHeader(500)
			})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotUser = account.FromContext(r.Context()).ID
				rejected = Rejected(r.Context()) != nil
			}))
			req := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: CookieName, Value: tt.cookie})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || gotUser != tt.wantUser || rejected != tt.wantRejected {
				t.Errorf("status %d user %q rejected %v; want %d %q %v", rec.Code, gotUser, rejected, tt.wantStatus, tt.wantUser, tt.wantRejected)
			}
		})
	}
}

func TestCookieFlags(t *testing.T) {
	for _, tt := range []struct {
		name       string
		tls        bool
		secure     bool
		wantSecure bool
	}{{"plain", false, false, false}, {"behind a TLS proxy", false, true, true}, {"TLS", true, false, true}} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/login", nil)
			if tt.tls {
				req = httptest.NewRequest("POST", "https://example.com/login", nil)
			}
			rec := httptest.NewRecorder()
			SetCookie(rec, req, "tls_x", time.Hour, tt.secure)
			c := rec.Result().Cookies()[0]
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tt.wantSecure || c.MaxAge != 3600 || c.Path != "/" {
				t.Errorf("cookie %+v", c)
			}
		})
	}
}
