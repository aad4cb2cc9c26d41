package web

import (
	"net/http"
	"strings"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/session"
)

// option is one entry of a select box.
type option struct {
	Value, Label string
	Selected     bool
}

func options(values []string, selected string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{Value: v, Label: regionLabel(v), Selected: v == selected}
	}
	return out
}

// regionLabel writes a region or age band id for people: "north-america"
// becomes "North America".
func regionLabel(v string) string {
	words := strings.Split(v, "-")
	if len(words) > 1 && words[0] != "" && words[0][0] >= '0' && words[0][0] <= '9' {
		return v // an age band such as 25-34
	}
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// authPage is the data of the sign-in and sign-up pages. It never holds the
// password: a form shown again after an error asks for it again.
type authPage struct {
	Next        string
	Error       string
	Email, Name string
	Regions     []option
	AgeBands    []option
	MinPassword int
}

func signupPage(next, errMsg string, in account.SignUp) authPage {
	return authPage{
		Next: next, Error: errMsg, Email: in.Email, Name: in.Name,
		Regions: options(account.Regions, in.Region), AgeBands: options(account.AgeBands, in.AgeBand),
		MinPassword: account.MinPassword,
	}
}

func (s *server) signupForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"), "")
	s.render(w, r, http.StatusOK, "signup", "Sign up", "signup", signupPage(next, "", account.SignUp{}))
}

func (s *server) signup(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.error(w, r, errs.Errorf(errs.Invalid, "The form could not be read."))
		return
	}
	next := safeNext(r.PostForm.Get("next"), "")
	in := account.SignUp{
		Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password"), Name: r.PostForm.Get("name"),
		Region: r.PostForm.Get("region"), AgeBand: r.PostForm.Get("age_band"),
	}
	_, token, err := s.svc.SignUp(r.Context(), in)
	if err != nil {
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			s.error(w, r, err)
			return
		}
		in.Password = ""
		s.render(w, r, status, "signup", "Sign up", "signup", signupPage(next, errs.Message(err), in))
		return
	}
	session.SetCookie(w, r, token, s.svc.SessionTTL(), s.secure)
	http.Redirect(w, r, safeNext(next, "/configure"), http.StatusSeeOther)
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"), "")
	if account.FromContext(r.Context()).ID != "" {
		http.Redirect(w, r, safeNext(next, "/configure"), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "Sign in", "login", authPage{Next: next})
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.error(w, r, errs.Errorf(errs.Invalid, "The form could not be read."))
		return
	}
	next := safeNext(r.PostForm.Get("next"), "")
	email := r.PostForm.Get("email")
	_, token, err := s.svc.Login(r.Context(), email, r.PostForm.Get("password"), clientIP(r))
	if err != nil {
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			s.error(w, r, err)
			return
		}
		s.render(w, r, status, "login", "Sign in", "login", authPage{Next: next, Email: email, Error: errs.Message(err)})
		return
	}
	session.SetCookie(w, r, token, s.svc.SessionTTL(), s.secure)
	http.Redirect(w, r, safeNext(next, "/configure"), http.StatusSeeOther)
}

// logout ends the browser's session, if it has one, and clears the cookie
// either way.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if token, bearer := session.Credentials(r); token != "" && !bearer {
		if err := s.svc.Logout(r.Context(), token); err != nil {
			s.error(w, r, err)
			return
		}
	}
	session.ClearCookie(w, r, s.secure)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// statusOf is the HTTP status of an error a form shows again to its user.
func statusOf(err error) int {
	switch errs.Code(err) {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}
