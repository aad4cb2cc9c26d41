package service

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
)

// SignUp opens a customer account and signs it in, returning the user and
// the session token for the cookie. Errors: errs.Invalid for bad input,
// errs.Conflict when the email has an account.
func (s *Service) SignUp(ctx context.Context, in account.SignUp) (account.User, string, error) {
	in = in.Normalize()
	if err := in.Validate(); err != nil {
		return account.User{}, "", err
	}
	u, err := s.store.CreateUser(ctx, account.User{
		Email: in.Email, Name: in.Name, Role: account.Customer, Region: in.Region, AgeBand: in.AgeBand,
	}, account.HashPassword(in.Password))
	if err != nil {
		return account.User{}, "", err
	}
	token, err := s.startSession(ctx, u)
	return u, token, err
}

// CreateUser opens an account with any role: an admin's job, or the demo's
// and the command line's before any admin exists (when the context carries
// nobody and trusted is set). Errors as SignUp, and errs.Forbidden.
func (s *Service) CreateUser(ctx context.Context, in account.SignUp, role account.Role, trusted bool) (account.User, error) {
	if !trusted {
		if err := account.FromContext(ctx).Require(account.ManageModels); err != nil {
			return account.User{}, err
		}
	}
	in = in.Normalize()
	if err := in.Validate(); err != nil {
		return account.User{}, err
	}
	return s.store.CreateUser(ctx, account.User{
		Email: in.Email, Name: in.Name, Role: role, Region: in.Region, AgeBand: in.AgeBand,
	}, account.HashPassword(in.Password))
}

// Login signs a user in by email and password and returns the session token.
// client names where the attempt comes from (the remote IP): attempts are
// limited per email and per client, and a flood answers errs.TooMany without
// checking the password. A wrong email or password answers errs.Unauthorized
// with the same message and about the same delay, so that the answer does
// not reveal which addresses have accounts.
func (s *Service) Login(ctx context.Context, email, password, client string) (account.User, string, error) {
	email = account.NormalizeEmail(email)
	if !s.logins.allow("email:"+email, s.now()) || !s.logins.allow("client:"+client, s.now()) {
		return account.User{}, "", errs.Errorf(errs.TooMany, "Too many sign-in attempts; wait a minute and try again.")
	}
	bad := errs.Errorf(errs.Unauthorized, "The email address or the password is wrong.")
	if email == "" || password == "" || utf8.RuneCountInString(password) > account.MaxPassword {
		return account.User{}, "", bad
	}
	u, hash, err := s.store.UserByEmail(ctx, email)
	if errs.Code(err) == errs.NotFound {
		account.CheckNoPassword(password)
		return account.User{}, "", bad
	}
	if err != nil {
		return account.User{}, "", err
	}
	if !account.CheckPassword(hash, password) {
		return account.User{}, "", bad
	}
	token, err := s.startSession(ctx, u)
	return u, token, err
}

func (s *Service) startSession(ctx context.Context, u account.User) (string, error) {
	token, hash := account.NewToken(account.SessionPrefix)
	if err := s.store.CreateSession(ctx, u.ID, hash, s.now().Add(s.ttl)); err != nil {
		return "", err
	}
	return token, nil
}

// SessionTTL is how long a new session lasts.
func (s *Service) SessionTTL() time.Duration { return s.ttl }

// Logout ends the session with the token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, account.HashToken(token))
}

// Authenticate returns the user a session or API token belongs to:
// errs.Unauthorized for an unknown, forged or expired token.
func (s *Service) Authenticate(ctx context.Context, token string) (account.User, error) {
	switch {
	case strings.HasPrefix(token, account.SessionPrefix):
		return s.store.SessionUser(ctx, account.HashToken(token), s.now())
	case strings.HasPrefix(token, account.APITokenPrefix):
		return s.store.TokenUser(ctx, account.HashToken(token), s.now())
	}
	return account.User{}, errs.Errorf(errs.Unauthorized, "The credentials are not valid; sign in again.")
}

// CreateAPIToken makes an API token for the signed-in user and returns it
// with its secret, which is shown only this once. errs.Unauthorized,
// errs.Invalid.
func (s *Service) CreateAPIToken(ctx context.Context, name string) (account.Token, string, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.SaveDesigns); err != nil {
		return account.Token{}, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return account.Token{}, "", errs.Errorf(errs.Invalid, "A token needs a name of 1 to 100 characters, such as the system that uses it.")
	}
	secret, hash := account.NewToken(account.APITokenPrefix)
	t, err := s.store.CreateAPIToken(ctx, u.ID, name, hash)
	return t, secret, err
}

// APITokens lists the signed-in user's API tokens.
func (s *Service) APITokens(ctx context.Context) ([]account.Token, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.SaveDesigns); err != nil {
		return nil, err
	}
	return s.store.APITokens(ctx, u.ID)
}

// DeleteAPIToken revokes one of the signed-in user's API tokens.
func (s *Service) DeleteAPIToken(ctx context.Context, id string) error {
	u := account.FromContext(ctx)
	if err := u.Require(account.SaveDesigns); err != nil {
		return err
	}
	return s.store.DeleteAPIToken(ctx, u.ID, id)
}

// Login limits: a burst of 10 attempts, then one every 6 seconds, per email
// and per client.
const (
	loginBurst  = 10
	loginRefill = 6 * time.Second
)

// limiter is a set of token buckets keyed by string. Buckets that have
// refilled are dropped, so memory stays bounded by the keys active within a
// refill period.
type limiter struct {
	burst  float64
	refill time.Duration

	mu      sync.Mutex
	buckets map[string]bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, refill time.Duration) *limiter {
	return &limiter{burst: float64(burst), refill: refill, buckets: map[string]bucket{}}
}

// allow takes a token from key's bucket at time now and reports whether
// there was one.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if l.level(b, now) >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	tokens := l.burst
	if ok {
		tokens = l.level(b, now)
	}
	if tokens < 1 {
		l.buckets[key] = bucket{tokens: tokens, at: now}
		return false
	}
	l.buckets[key] = bucket{tokens: tokens - 1, at: now}
	return true
}

func (l *limiter) level(b bucket, now time.Time) float64 {
	return min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.refill))
}
