// Package session carries a signed-in user from HTTP credentials into the
// request context: a session cookie for browsers, or an
// "Authorization: Bearer" API token for integrations. The JSON API and the
// web pages share it, so both set and read the same cookie.
package session

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
)

// CookieName is the session cookie's name.
const CookieName = "tailor_session"

// SetCookie sets the session cookie: HttpOnly, SameSite=Lax (so a link from
// another site opens the page signed in, while cross-site posts carry no
// cookie), Secure when the request came over TLS or secure is set (behind a
// TLS-terminating proxy).
func SetCookie(w http.ResponseWriter, r *http.Request, token string, ttl time.Duration, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    token,
		Path:     "/",
		MaxAge:   int(ttl / time.Second),
		HttpOnly: true,
		Secure:   secure || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

// ClearCookie removes the session cookie.
func ClearCookie(w http.ResponseWriter, r *http.Request, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   secure || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

// Credentials returns the token a request presents, and whether it came as a
// bearer token (else from the cookie). "" when it presents none.
func Credentials(r *http.Request) (token string, bearer bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), true
		}
		return h, true // malformed: let Authenticate reject it
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value, false
	}
	return "", false
}

// Authenticator resolves a token to its user; *service.Service is one.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (account.User, error)
}

type rejectedKey struct{}

// Middleware resolves the request's credentials and puts the user in the
// context (account.FromContext). A request without credentials goes on as
// nobody. A request whose credentials are unknown, forged or expired also
// goes on as nobody, marked so that Rejected reports it: the JSON API then
// answers 401, and the web pages clear the cookie and ask to sign in again.
// Failures other than unauthorized answer fail.
func Middleware(auth Authenticator, fail func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, _ := Credentials(r)
			if token == "" {
				next.ServeHTTP(w, r)
				return
			}
			u, err := auth.Authenticate(r.Context(), token)
			switch {
			case err == nil:
				r = r.WithContext(account.NewContext(r.Context(), u))
			case errs.Code(err) == errs.Unauthorized:
				r = r.WithContext(context.WithValue(r.Context(), rejectedKey{}, err))
			default:
				fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Rejected returns the error for credentials that the request presented and
// Middleware rejected, or nil.
func Rejected(ctx context.Context) error {
	err, _ := ctx.Value(rejectedKey{}).(error)
	return err
}
