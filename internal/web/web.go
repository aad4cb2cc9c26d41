// Package web is Tailor's server-rendered web UI: the configurator, saved
// and shared designs, the gallery, API tokens, model administration, the
// analysts' insights, choice surveys, model fits with their results and the
// market simulator, lineups chosen in a fit's market and the draft
// campaigns of their variants, and the progress of background jobs. Pages call the
// application layer (internal/service) directly; the configurator's and the
// job page's scripts call the JSON API on the same origin for their live
// updates. Templates and static assets are embedded, so the binary serves
// the whole UI with no files on disk and nothing from a CDN.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/session"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the web UI.
type Options struct {
	// Log receives internal errors; discarded when nil.
	Log *slog.Logger
	// SecureCookies marks the session cookie Secure even on plain HTTP
	// requests, for a server behind a TLS-terminating proxy.
	SecureCookies bool
}

// server holds what every page handler needs.
type server struct {
	svc    *service.Service
	log    *slog.Logger
	secure bool
	pages  map[string]*template.Template
	// assets maps a static file's name to the hash of its content, which
	// its URLs carry so that browsers may cache it for a year.
	assets map[string]string
}

// New returns the web UI's handler. It serves every page and /static/, and
// puts the signed-in user in each request's context itself.
func New(svc *service.Service, opts Options) http.Handler {
	s := &server{svc: svc, log: opts.Log, secure: opts.SecureCookies, assets: map[string]string{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.assets[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	s.pages = s.parseTemplates()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /signup", s.signupForm)
	mux.HandleFunc("POST /signup", s.signup)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /configure", s.configure)
	mux.HandleFunc("GET /models/{id}/picture.svg", s.picture)
	mux.HandleFunc("GET /designs", s.myDesigns)
	mux.HandleFunc("POST /designs/{id}/delete", s.deleteDesign)
	mux.HandleFunc("GET /s/{token}", s.shared)
	mux.HandleFunc("GET /gallery", s.gallery)
	mux.HandleFunc("GET /account", s.account)
	mux.HandleFunc("POST /account/tokens", s.createToken)
	mux.HandleFunc("POST /account/tokens/{id}/delete", s.deleteToken)
	mux.HandleFunc("GET /admin/models", s.adminModels)
	mux.HandleFunc("POST /admin/models", s.uploadModel)
	mux.HandleFunc("POST /admin/models/{id}/publish", s.publishModel)
	mux.HandleFunc("GET /insights", s.insights)
	mux.HandleFunc("GET /jobs/{id}", s.jobPage)
	mux.HandleFunc("POST /jobs/{id}/cancel", s.cancelJob)
	mux.HandleFunc("GET /surveys", s.surveys)
	mux.HandleFunc("GET /surveys/new", s.newSurvey)
	mux.HandleFunc("POST /surveys", s.createSurvey)
	mux.HandleFunc("GET /surveys/{id}", s.survey)
	mux.HandleFunc("POST /surveys/{id}/open", s.openSurvey)
	mux.HandleFunc("POST /surveys/{id}/close", s.closeSurvey)
	mux.HandleFunc("POST /surveys/{id}/fits", s.submitFit)
	mux.HandleFunc("GET /fits/{id}", s.fitResults)
	mux.HandleFunc("GET /fits/{id}/simulate", s.simulate)
	mux.HandleFunc("GET /fits/{id}/lineups", s.lineups)
	mux.HandleFunc("POST /fits/{id}/lineups", s.submitLineup)
	mux.HandleFunc("GET /fits/{id}/lineups/compare", s.compareLineups)
	mux.HandleFunc("GET /lineups/{id}", s.lineupResults)
	mux.HandleFunc("POST /lineups/{id}/campaigns", s.draftCampaigns)
	mux.HandleFunc("GET /campaigns", s.campaigns)
	mux.HandleFunc("GET /surveys/{id}/take", s.takeSurvey)
	mux.HandleFunc("POST /surveys/{id}/start", s.startSurvey)
	mux.HandleFunc("POST /surveys/{id}/answer", s.answerSurvey)
	mux.HandleFunc("GET /static/{file...}", s.static)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, errs.Errorf(errs.NotFound, "There is no page at %s.", r.URL.Path))
	})

	var h http.Handler = mux
	h = headers(h)
	h = s.forgetRejected(h)
	return session.Middleware(svc, s.error)(h)
}

// forgetRejected clears a session cookie that the service no longer
// accepts (expired, or ended elsewhere), so the browser stops sending it,
// and lets the request go on as nobody.
func (s *server) forgetRejected(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if session.Rejected(r.Context()) != nil {
			session.ClearCookie(w, r, s.secure)
		}
		next.ServeHTTP(w, r)
	})
}

// headers sets the security headers of every page. Scripts and styles come
// only from this origin, which the templates keep to: no inline script or
// style attribute, data travels in data- attributes.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		// Share links carry their secret in the path: never send it on.
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// static serves an embedded asset. A URL with the asset's current hash
// (see assetURL) may be cached for a year; any other is revalidated.
func (s *server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	hash, ok := s.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+hash+`"`)
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// assetURL is the URL of an embedded asset, versioned by its content.
func (s *server) assetURL(name string) string {
	return "/static/" + name + "?v=" + s.assets[name]
}

// view is what the layout needs, with the page's own data.
type view struct {
	Title string
	Nav   string // which navigation entry is current
	User  account.User
	Data  any
	// SurveyLink leads a customer to an open survey they have not
	// finished; "" when there is none.
	SurveyLink string
}

// SignedIn reports whether someone is signed in.
func (v view) SignedIn() bool { return v.User.ID != "" }

// CanStats reports whether the user sees the insights.
func (v view) CanStats() bool { return v.User.Can(account.ViewStats) }

// CanSurveys reports whether the user designs and runs surveys.
func (v view) CanSurveys() bool { return v.User.Can(account.ManageSurveys) }

// CanAdmin reports whether the user manages product models.
func (v view) CanAdmin() bool { return v.User.Can(account.ManageModels) }

// render writes a page with the layout. Templates are executed into a
// buffer first, so that a failure half-way answers a clean error page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.error(w, r, errors.New("no template "+page))
		return
	}
	var buf bytes.Buffer
	v := view{Title: title, Nav: nav, User: account.FromContext(r.Context()), Data: data}
	if page != "error" {
		v.SurveyLink = s.surveyLink(r)
	}
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		if page == "error" {
			s.log.Error("render error page", "err", err)
			http.Error(w, "Internal error.", http.StatusInternalServerError)
			return
		}
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// surveyLink returns the page of the newest open survey the customer has
// not finished, or "".
func (s *server) surveyLink(r *http.Request) string {
	in, ok, err := s.svc.PendingSurvey(r.Context())
	if err != nil {
		s.log.Warn("pending survey", "err", err)
		return ""
	}
	if !ok {
		return ""
	}
	return "/surveys/" + in.Survey.ID + "/take"
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// error answers err in the layout: the status comes from its code, the
// message is the one errs says is safe to show, and internal details go to
// the log only. Unauthorized sends the browser to sign in.
func (s *server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := errs.Code(err)
	if code == errs.Unauthorized {
		s.toLogin(w, r)
		return
	}
	status, heading := http.StatusInternalServerError, "Something went wrong"
	switch code {
	case errs.NotFound:
		status, heading = http.StatusNotFound, "Not found"
	case errs.Forbidden:
		status, heading = http.StatusForbidden, "Not for your role"
	case errs.Invalid:
		status, heading = http.StatusBadRequest, "That did not work"
	case errs.Conflict:
		status, heading = http.StatusConflict, "That clashes with what is there"
	case errs.TooMany:
		status, heading = http.StatusTooManyRequests, "Too many requests"
	case errs.Unavailable:
		status, heading = http.StatusServiceUnavailable, "Unavailable"
	default:
		s.log.Error("web request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.render(w, r, status, "error", heading, "", errorPage{Status: status, Heading: heading, Message: errs.Message(err)})
}

// toLogin sends the browser to the sign-in page, to come back here after.
func (s *server) toLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		next = r.URL.Path
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// signedIn returns the signed-in user, or sends the browser to sign in and
// returns false.
func (s *server) signedIn(w http.ResponseWriter, r *http.Request) (account.User, bool) {
	u := account.FromContext(r.Context())
	if u.ID == "" {
		s.toLogin(w, r)
		return u, false
	}
	return u, true
}

// allowed checks a permission for a page: nobody is sent to sign in, a
// signed-in user without it sees 403.
func (s *server) allowed(w http.ResponseWriter, r *http.Request, p account.Permission) bool {
	if err := account.FromContext(r.Context()).Require(p); err != nil {
		s.error(w, r, err)
		return false
	}
	return true
}

// safeNext returns next when it is a path on this site, else fallback, so
// that a crafted sign-in link cannot send the browser elsewhere.
func safeNext(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return fallback
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return next
}

// clientIP is the address the request came from, which limits sign-in
// attempts per client.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
