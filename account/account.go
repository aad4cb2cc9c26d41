// Package account holds Tailor's users and roles, password hashing, session
// and API tokens, and who may do what. It is pure: storage and transport live
// in internal/.
package account

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/errs"
)

// Role is what a user does at the maker.
type Role string

// Roles. A customer designs phones; an analyst studies what customers design
// and value; a planner decides what to build; an admin manages product models
// and accounts.
const (
	Customer Role = "customer"
	Analyst  Role = "analyst"
	Planner  Role = "planner"
	Admin    Role = "admin"
)

// Roles lists every role in a stable order.
var Roles = []Role{Customer, Analyst, Planner, Admin}

// ParseRole returns the role named s, or an errs.Invalid error.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles, r) {
		return "", errs.Errorf(errs.Invalid, "Unknown role %q; want customer, analyst, planner or admin.", s)
	}
	return r, nil
}

// Regions a customer may give at sign-up, for the analyst's segments.
var Regions = []string{"europe", "north-america", "latin-america", "asia-pacific", "middle-east-africa"}

// AgeBands a customer may give at sign-up, for the analyst's segments.
var AgeBands = []string{"18-24", "25-34", "35-44", "45-54", "55-64", "65+"}

// User is an account. Region and AgeBand are optional ("" when not given).
type User struct {
	ID        string
	Email     string
	Name      string
	Role      Role
	Region    string
	AgeBand   string
	CreatedAt time.Time
}

// SignUp is what a person gives to open an account.
type SignUp struct {
	Email    string
	Password string
	Name     string
	Region   string
	AgeBand  string
}

// Password length limits, in characters. The upper bound keeps hashing cost
// bounded for hostile input.
const (
	MinPassword = 10
	MaxPassword = 256
)

// Normalize returns s with the email lower-cased and names trimmed.
func (s SignUp) Normalize() SignUp {
	s.Email = NormalizeEmail(s.Email)
	s.Name = strings.TrimSpace(s.Name)
	s.Region = strings.TrimSpace(s.Region)
	s.AgeBand = strings.TrimSpace(s.AgeBand)
	return s
}

// NormalizeEmail trims and lower-cases an email address, so that the same
// address always finds the same account.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Validate returns an errs.Invalid error naming the first problem with a
// normalized sign-up.
func (s SignUp) Validate() error {
	if err := ValidateEmail(s.Email); err != nil {
		return err
	}
	switch n := utf8.RuneCountInString(s.Password); {
	case n < MinPassword:
		return errs.Errorf(errs.Invalid, "The password must have at least %d characters.", MinPassword)
	case n > MaxPassword:
		return errs.Errorf(errs.Invalid, "The password must have at most %d characters.", MaxPassword)
	}
	if s.Name == "" {
		return errs.Errorf(errs.Invalid, "Your name is required.")
	}
	if utf8.RuneCountInString(s.Name) > 100 {
		return errs.Errorf(errs.Invalid, "The name must have at most 100 characters.")
	}
	if s.Region != "" && !slices.Contains(Regions, s.Region) {
		return errs.Errorf(errs.Invalid, "Unknown region %q; want one of %s.", s.Region, strings.Join(Regions, ", "))
	}
	if s.AgeBand != "" && !slices.Contains(AgeBands, s.AgeBand) {
		return errs.Errorf(errs.Invalid, "Unknown age band %q; want one of %s.", s.AgeBand, strings.Join(AgeBands, ", "))
	}
	return nil
}

// ValidateEmail returns an errs.Invalid error unless email is a plain address
// such as name@example.com.
func ValidateEmail(email string) error {
	if email == "" {
		return errs.Errorf(errs.Invalid, "The email address is required.")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return errs.Errorf(errs.Invalid, "%q is not an email address such as name@example.com.", email)
	}
	return nil
}

// Permission is something a user may be allowed to do.
type Permission string

// Permissions.
const (
	SaveDesigns  Permission = "save designs"                     // save, share and vote: every signed-in user
	ViewStats    Permission = "view design stats"                // analysts, planners and admins
	RunAnalyses  Permission = "run analyses"                     // start background jobs such as model fits: analysts, planners and admins
	ManageModels Permission = "manage models"                    // admins
	ManageJobs   Permission = "see and cancel every user's jobs" // admins; others see their own
	// ManageSurveys: design, open and close choice surveys and read their
	// answers; analysts and admins.
	ManageSurveys Permission = "manage surveys"
	// AnswerSurveys: take part in choice surveys; customers, so that the
	// staff's own clicks never mix with customers' answers.
	AnswerSurveys Permission = "answer surveys"
)

// Can reports whether u may do p.
func (u User) Can(p Permission) bool {
	switch p {
	case SaveDesigns:
		return u.ID != ""
	case ViewStats, RunAnalyses:
		return u.Role == Analyst || u.Role == Planner || u.Role == Admin
	case ManageModels, ManageJobs:
		return u.Role == Admin
	case ManageSurveys:
		return u.Role == Analyst || u.Role == Admin
	case AnswerSurveys:
		return u.ID != "" && u.Role == Customer
	}
	return false
}

// Require returns nil when u may do p, an errs.Unauthorized error when u is
// nobody (not signed in) and an errs.Forbidden error otherwise.
func (u User) Require(p Permission) error {
	if u.Can(p) {
		return nil
	}
	if u.ID == "" {
		return errs.Errorf(errs.Unauthorized, "Sign in to %s.", p)
	}
	return errs.Errorf(errs.Forbidden, "Your role (%s) may not %s.", u.Role, p)
}

type userKey struct{}

// NewContext returns ctx carrying u as the signed-in user.
func NewContext(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// FromContext returns the signed-in user that ctx carries, or the zero User
// (nobody) when there is none.
func FromContext(ctx context.Context) User {
	u, _ := ctx.Value(userKey{}).(User)
	return u
}

// Token is an API token for integrations, as listed to its owner. The secret
// itself is shown once, when it is made, and never stored.
type Token struct {
	ID         string
	UserID     string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used
}
