package web

import (
	"net/http"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
)

// accountPage is the data of the account page. Secret is the new token's
// secret, shown on the page that made it and never again.
type accountPage struct {
	User      account.User
	Tokens    []account.Token
	Secret    string
	NewName   string
	Error     string
	RegionStr string
}

func (s *server) account(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.signedIn(w, r); !ok {
		return
	}
	s.renderAccount(w, r, http.StatusOK, accountPage{})
}

func (s *server) renderAccount(w http.ResponseWriter, r *http.Request, status int, page accountPage) {
	tokens, err := s.svc.APITokens(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	page.User, page.Tokens = account.FromContext(r.Context()), tokens
	page.RegionStr = regionLabel(page.User.Region)
	s.render(w, r, status, "account", "Account", "account", page)
}

func (s *server) createToken(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.signedIn(w, r); !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.error(w, r, errs.Errorf(errs.Invalid, "The form could not be read."))
		return
	}
	name := r.PostForm.Get("name")
	_, secret, err := s.svc.CreateAPIToken(r.Context(), name)
	if err != nil {
		if status := statusOf(err); status != http.StatusInternalServerError {
			s.renderAccount(w, r, status, accountPage{NewName: name, Error: errs.Message(err)})
			return
		}
		s.error(w, r, err)
		return
	}
	// The page answers the post directly instead of redirecting, so that
	// the secret appears once and is in no URL or history entry.
	s.renderAccount(w, r, http.StatusCreated, accountPage{Secret: secret})
}

func (s *server) deleteToken(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.signedIn(w, r); !ok {
		return
	}
	if err := s.svc.DeleteAPIToken(r.Context(), r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}
