// Package service is Tailor's application layer, shared by the JSON API and
// the web pages: every method finds the caller in its context
// (account.FromContext), checks what the caller may do, validates input
// against the product model's engine and calls storage. Transports stay thin
// and cannot forget an authorisation check, because there is none to make
// outside this package.
package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/campaign"
	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/job"
	"github.com/tailor-c2b/tailor/survey"
)

// Store is the storage the service needs. internal/sqldb implements it on
// SQLite and PostgreSQL. Methods return errs codes as documented.
type Store interface {
	// CreateUser stores u (ID and CreatedAt are assigned) with the password
	// hash; errs.Conflict when the email is taken. An empty hash makes an
	// account that cannot sign in with a password.
	CreateUser(ctx context.Context, u account.User, passwordHash string) (account.User, error)
	// CreateUsers stores many users at once, in one transaction, all with the
	// same password hash.
	CreateUsers(ctx context.Context, us []account.User, passwordHash string) ([]account.User, error)
	// UserByEmail returns the user and password hash; errs.NotFound.
	UserByEmail(ctx context.Context, email string) (account.User, string, error)
	// UserByID returns a user; errs.NotFound.
	UserByID(ctx context.Context, id string) (account.User, error)
	// SetRole changes a user's role; errs.NotFound.
	SetRole(ctx context.Context, userID string, role account.Role) error

	// CreateSession stores a session for the user under the token's hash.
	CreateSession(ctx context.Context, userID, tokenHash string, expires time.Time) error
	// SessionUser returns the user of the unexpired session with the token
	// hash; errs.Unauthorized when there is none.
	SessionUser(ctx context.Context, tokenHash string, now time.Time) (account.User, error)
	// DeleteSession ends a session; ending an unknown session is not an error.
	DeleteSession(ctx context.Context, tokenHash string) error

	// CreateAPIToken stores an API token for the user under its hash.
	CreateAPIToken(ctx context.Context, userID, name, tokenHash string) (account.Token, error)
	// APITokens lists a user's API tokens, newest first.
	APITokens(ctx context.Context, userID string) ([]account.Token, error)
	// DeleteAPIToken revokes one of the user's tokens; errs.NotFound when
	// the user has no token with that id.
	DeleteAPIToken(ctx context.Context, userID, tokenID string) error
	// TokenUser returns the owner of the API token with the hash and records
	// its use; errs.Unauthorized when there is none.
	TokenUser(ctx context.Context, tokenHash string, now time.Time) (account.User, error)

	// CreateModel stores a model version as a draft; errs.Conflict when
	// its name and version exist. ID and CreatedAt are assigned.
	CreateModel(ctx context.Context, v catalog.Version) (catalog.Version, error)
	// PublishModel publishes a draft (publishing twice keeps the first
	// time); errs.NotFound.
	PublishModel(ctx context.Context, id string, at time.Time) (catalog.Version, error)
	// Models lists model versions, newest first, drafts too when drafts is set.
	Models(ctx context.Context, drafts bool) ([]catalog.Version, error)
	// GetModel returns a model version; errs.NotFound.
	GetModel(ctx context.Context, id string) (catalog.Version, error)

	// CreateDesign stores a new design; ID, ShareToken, CreatedAt and
	// UpdatedAt are assigned (CreatedAt is kept when set, for imports).
	CreateDesign(ctx context.Context, d design.Design) (design.Design, error)
	// CreateDesigns stores many designs in one transaction, as CreateDesign.
	CreateDesigns(ctx context.Context, ds []design.Design) error
	// UpdateDesign replaces the name, selection, completeness, price and
	// visibility of the design with d.ID owned by d.OwnerID; errs.NotFound
	// when that owner has no such design.
	UpdateDesign(ctx context.Context, d design.Design) (design.Design, error)
	// DeleteDesign deletes one of the owner's designs; errs.NotFound.
	DeleteDesign(ctx context.Context, ownerID, id string) error
	// GetDesign returns a design by id; errs.NotFound.
	GetDesign(ctx context.Context, id string) (design.Design, error)
	// DesignByShareToken returns the design with the share token, whatever
	// its visibility; errs.NotFound.
	DesignByShareToken(ctx context.Context, token string) (design.Design, error)
	// UserDesigns lists the owner's designs, most recently updated first,
	// and the cursor of the next page ("" after the last page).
	UserDesigns(ctx context.Context, ownerID string, p design.Page) ([]design.Design, string, error)
	// Gallery lists public designs ("" modelID for all models), by votes or
	// newest first, and the cursor of the next page.
	Gallery(ctx context.Context, modelID string, sort design.GallerySort, p design.Page) ([]design.Design, string, error)
	// Vote adds (up) or withdraws the user's vote for a public design and
	// returns its vote count; a second vote by the same user counts once.
	// errs.NotFound unless the design exists and is public.
	Vote(ctx context.Context, userID, designID string, up bool) (int, error)
	// AddVotes records many votes at once, ignoring repeats.
	AddVotes(ctx context.Context, votes []design.Vote) error
	// Voted reports which of the designs the user has voted for.
	Voted(ctx context.Context, userID string, designIDs []string) (map[string]bool, error)
	// DesignStats counts the designs that f selects: level choices, the
	// top combinations of the combo attributes, designs per day and per
	// segment.
	DesignStats(ctx context.Context, f design.Filter, combo []string, top int) (design.Stats, error)

	// CreateJob stores a new queued job of j.Kind with j.Subject, j.Input,
	// j.CreatedBy and j.CreatedAt; ID is assigned. errs.Invalid for a
	// malformed kind.
	CreateJob(ctx context.Context, j job.Job) (job.Job, error)
	// GetJob returns a job; errs.NotFound.
	GetJob(ctx context.Context, id string) (job.Job, error)
	// Jobs lists the jobs f selects, newest first, and the cursor of the
	// next page.
	Jobs(ctx context.Context, f job.Filter, p job.Page) ([]job.Job, string, error)
	// RequestCancel cancels a queued job at once and marks a running one
	// for its runner to stop, and returns the job; errs.NotFound,
	// errs.Conflict for a job that is done or failed.
	RequestCancel(ctx context.Context, id string, now time.Time) (job.Job, error)
	// CreateSurvey stores a new draft survey with its design; ID, Status,
	// Versions, Tasks and CreatedAt are assigned. errs.NotFound when the
	// model version does not exist.
	CreateSurvey(ctx context.Context, s survey.Stored) (survey.Stored, error)
	// GetSurvey returns a survey with its counts, without its design;
	// errs.NotFound.
	GetSurvey(ctx context.Context, id string) (survey.Stored, error)
	// SurveyDesign returns a survey's design, which never changes;
	// errs.NotFound.
	SurveyDesign(ctx context.Context, id string) (*survey.Survey, error)
	// Surveys lists the surveys with a status ("" for all), newest first,
	// without their designs.
	Surveys(ctx context.Context, status survey.Status) ([]survey.Stored, error)
	// SetSurveyStatus opens a draft or closes an open survey; doing it
	// twice changes nothing. errs.NotFound, errs.Conflict for any other
	// change.
	SetSurveyStatus(ctx context.Context, id string, to survey.Status, at time.Time) (survey.Stored, error)
	// StartSurvey makes the user a respondent of an open survey, with the
	// next version round robin, or returns their progress when they have
	// started. errs.NotFound, errs.Conflict when the survey is not open.
	StartSurvey(ctx context.Context, surveyID, userID string, at time.Time) (survey.Respondent, error)
	// SurveyRespondent returns the user's progress; errs.NotFound when they
	// have not started.
	SurveyRespondent(ctx context.Context, surveyID, userID string) (survey.Respondent, error)
	// UserSurveys lists the open surveys with the user's progress, leaving
	// the surveys' Completed and Answers counts zero.
	UserSurveys(ctx context.Context, userID string) ([]survey.Invitation, error)
	// AnswerSurvey stores the user's choice in their next task, atomically
	// with the check that the survey is open. errs.Conflict when the survey
	// is not open, the user has not started it or the task is not their
	// next one (a task answered already keeps its first answer).
	AnswerSurvey(ctx context.Context, surveyID, userID string, task, choice int, at time.Time) (survey.Respondent, error)
	// SurveyAnswers returns every answer to a survey, respondents by their
	// labels in the order they started, each one's in task order.
	SurveyAnswers(ctx context.Context, surveyID string) ([]survey.Answer, error)
	// SurveyRegions returns each respondent's region by respondent label
	// ("" when they did not say); errs.NotFound.
	SurveyRegions(ctx context.Context, surveyID string) (map[string]string, error)
	// ImportSurveyResponses stores many respondents with their answers in
	// one transaction; errs.Conflict when the survey is not open.
	ImportSurveyResponses(ctx context.Context, surveyID string, rs []survey.Response, at time.Time) error

	// CreateLineupCampaigns stores draft campaigns of a lineup's variants
	// and returns all of the lineup's campaigns, in variant order, with
	// how many this call made: a variant that has a campaign keeps it.
	// errs.Invalid, errs.NotFound for an unknown model, lineup or user.
	CreateLineupCampaigns(ctx context.Context, lineupID string, cs []campaign.Campaign) ([]campaign.Campaign, int, error)
	// Campaigns lists the campaigns f selects, newest first and a
	// lineup's in variant order, and the cursor of the next page.
	Campaigns(ctx context.Context, f campaign.Filter, p campaign.Page) ([]campaign.Campaign, string, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}

// Config holds the service's settings.
type Config struct {
	// SessionTTL is how long a session lasts after sign-in; 30 days when 0.
	SessionTTL time.Duration
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Log receives internal events; discarded when nil.
	Log *slog.Logger
	// Jobs runs background jobs; nil when this server runs none, and then
	// every job kind is unknown.
	Jobs JobRunner
}

// Service is the application layer. It is safe for concurrent use.
type Service struct {
	store  Store
	ttl    time.Duration
	now    func() time.Time
	log    *slog.Logger
	logins *limiter
	jobs   JobRunner

	mu        sync.Mutex
	engines   map[string]*compiled       // by model version id
	published map[string]catalog.Version // published versions read so far, by id

	designs sync.Map    // survey id -> *survey.Survey: designs never change once stored
	markets marketCache // the simulated markets of done fits, by job id
}

// New returns a service over store.
func New(store Store, cfg Config) *Service {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		store:     store,
		ttl:       cfg.SessionTTL,
		now:       cfg.Now,
		log:       cfg.Log,
		logins:    newLimiter(loginBurst, loginRefill),
		jobs:      cfg.Jobs,
		engines:   map[string]*compiled{},
		published: map[string]catalog.Version{},
	}
}

// Ready reports whether the service can serve requests: the database answers.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }
