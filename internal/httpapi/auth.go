package httpapi

import (
	"net"
	"net/http"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/session"
)

// SignupRequest is the body of POST /api/v1/auth/signup.
type SignupRequest struct {
	Email    string `json:"email"`
	Password string `json:"password" doc:"10 to 256 characters."`
	Name     string `json:"name"`
	Region   string `json:"region,omitempty" doc:"For the analysts' segments: europe, north-america, latin-america, asia-pacific or middle-east-africa."`
	AgeBand  string `json:"age_band,omitempty" doc:"For the analysts' segments: 18-24, 25-34, 35-44, 45-54, 55-64 or 65+."`
}

// LoginRequest is the body of POST /api/v1/auth/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// User is an account.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role" enum:"customer,analyst,planner,admin"`
	Region    string    `json:"region,omitempty"`
	AgeBand   string    `json:"age_band,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func userView(u account.User) User {
	return User{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Region: u.Region, AgeBand: u.AgeBand, CreatedAt: u.CreatedAt}
}

// TokenRequest is the body of POST /api/v1/tokens.
type TokenRequest struct {
	Name string `json:"name" doc:"What the token is for, such as the system that uses it."`
}

// NewToken is a new API token with its secret, which is shown only once.
type NewToken struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Token     string    `json:"token" doc:"The secret, for an Authorization: Bearer header. It is not stored and is shown only this once."`
}

// TokenList is the body of GET /api/v1/tokens.
type TokenList struct {
	Items []Token `json:"items"`
}

// Token is an API token as listed to its owner.
type Token struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

func (a *api) signup(w http.ResponseWriter, r *http.Request) {
	var req SignupRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	u, token, err := a.svc.SignUp(r.Context(), account.SignUp{
		Email: req.Email, Password: req.Password, Name: req.Name, Region: req.Region, AgeBand: req.AgeBand,
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	session.SetCookie(w, r, token, a.svc.SessionTTL(), a.secure)
	a.reply(w, r, http.StatusCreated, userView(u))
}

func (a *api) login(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	u, token, err := a.svc.Login(r.Context(), req.Email, req.Password, clientAddr(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	session.SetCookie(w, r, token, a.svc.SessionTTL(), a.secure)
	a.reply(w, r, http.StatusOK, userView(u))
}

// clientAddr is the host of the connection's remote address, which the
// service limits sign-in attempts by. A proxy in front must keep one
// client's connections apart for that limit to be per client.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *api) logout(w http.ResponseWriter, r *http.Request) {
	// A bearer token is revoked through /api/v1/tokens, never by logging out.
	if token, bearer := session.Credentials(r); token != "" && !bearer {
		if err := a.svc.Logout(r.Context(), token); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	session.ClearCookie(w, r, a.secure)
	noContent(w)
}

func (a *api) me(w http.ResponseWriter, r *http.Request) {
	u := account.FromContext(r.Context())
	if u.ID == "" {
		a.fail(w, r, errs.Errorf(errs.Unauthorized, "Nobody is signed in."))
		return
	}
	a.reply(w, r, http.StatusOK, userView(u))
}

func (a *api) createToken(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	t, secret, err := a.svc.CreateAPIToken(r.Context(), req.Name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, http.StatusCreated, NewToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Token: secret})
}

func (a *api) listTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := a.svc.APITokens(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list := TokenList{Items: make([]Token, 0, len(ts))}
	for _, t := range ts {
		list.Items = append(list.Items, Token{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt})
	}
	a.reply(w, r, http.StatusOK, list)
}

func (a *api) deleteToken(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.DeleteAPIToken(r.Context(), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	noContent(w)
}
