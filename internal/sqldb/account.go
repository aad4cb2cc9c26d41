package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
)

const userColumns = `u.id, u.email, u.name, u.role, COALESCE(u.region, ''), COALESCE(u.age_band, ''), u.created_at`

// tokenUseGranularity is how stale an API token's last_used_at may get: a
// stream of API calls records its use at most once per interval, so reads
// stay reads.
const tokenUseGranularity = time.Minute

// CreateUser stores u with the password hash and returns it with its ID and
// CreatedAt assigned; an empty role becomes account.Customer. An empty hash
// makes an account that cannot sign in with a password. It returns an
// errs.Conflict error when the email address is taken.
func (db *DB) CreateUser(ctx context.Context, u account.User, passwordHash string) (account.User, error) {
	u = newUser(u, time.Now())
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		return insertUser(ctx, tx, u, passwordHash)
	})
	if err != nil {
		return account.User{}, err
	}
	return u, nil
}

// CreateUsers stores many users in one transaction, all with the same
// password hash, as CreateUser does, and returns them with their IDs. When
// one email address is taken, none is stored.
func (db *DB) CreateUsers(ctx context.Context, us []account.User, passwordHash string) ([]account.User, error) {
	out := make([]account.User, len(us))
	t := time.Now()
	for i, u := range us {
		out[i] = newUser(u, t)
	}
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		for _, u := range out {
			if err := insertUser(ctx, tx, u, passwordHash); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func newUser(u account.User, t time.Time) account.User {
	u.ID = newID()
	u.CreatedAt = stamp(t)
	if u.Role == "" {
		u.Role = account.Customer
	}
	return u
}

func insertUser(ctx context.Context, tx *sql.Tx, u account.User, passwordHash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, role, region, age_band, password_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, u.Email, u.Name, string(u.Role), nullable(u.Region), nullable(u.AgeBand), passwordHash, formatTime(u.CreatedAt))
	if isUniqueViolation(err) {
		return errs.Errorf(errs.Conflict, "An account with the email address %s already exists.", u.Email)
	}
	if err != nil {
		return fmt.Errorf("insert user %s: %w", u.Email, err)
	}
	return nil
}

// UserByEmail returns the user with the email address and the password
// hash, or an errs.NotFound error.
func (db *DB) UserByEmail(ctx context.Context, email string) (account.User, string, error) {
	var u account.User
	var hash string
	err := db.Read(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = $1`, email)
		var err error
		u, err = scanUser(row, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.NotFound, "No account has the email address %s.", email)
		}
		return err
	})
	return u, hash, err
}

// UserByID returns a user, or an errs.NotFound error.
func (db *DB) UserByID(ctx context.Context, id string) (account.User, error) {
	var u account.User
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.NotFound, "User %s not found.", id)
		}
		return err
	})
	return u, err
}

// SetRole changes a user's role; errs.NotFound when there is no such user,
// errs.Invalid for an unknown role.
func (db *DB) SetRole(ctx context.Context, userID string, role account.Role) error {
	if _, err := account.ParseRole(string(role)); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET role = $2 WHERE id = $1`, userID, string(role))
		if err != nil {
			return fmt.Errorf("set role of %s: %w", userID, err)
		}
		return mustAffect(res, errs.Errorf(errs.NotFound, "User %s not found.", userID))
	})
}

// CreateSession stores a session for the user under the token's hash. It
// also drops the user's expired sessions, so that they do not pile up.
// errs.NotFound when there is no such user.
func (db *DB) CreateSession(ctx context.Context, userID, tokenHash string, expires time.Time) error {
	t := time.Now()
	return db.Transact(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2`, userID, formatTime(t)); err != nil {
			return fmt.Errorf("drop expired sessions of %s: %w", userID, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			tokenHash, userID, formatTime(t), formatTime(expires))
		switch {
		case isForeignKeyViolation(err):
			return errs.Errorf(errs.NotFound, "User %s not found.", userID)
		case err != nil:
			return fmt.Errorf("insert session for %s: %w", userID, err)
		}
		return nil
	})
}

// SessionUser returns the user of the session with the token hash that
// expires after now; errs.Unauthorized when there is none.
func (db *DB) SessionUser(ctx context.Context, tokenHash string, now time.Time) (account.User, error) {
	var u account.User
	err := db.Read(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.token_hash = $1 AND s.expires_at > $2`, tokenHash, formatTime(now))
		var err error
		u, err = scanUser(row)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.Unauthorized, "Your session has expired or is not valid; sign in again.")
		}
		return err
	})
	return u, err
}

// DeleteSession ends a session; ending an unknown session is not an error.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.Transact(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// CreateAPIToken stores an API token for the user under its hash and
// returns it; errs.NotFound when there is no such user.
func (db *DB) CreateAPIToken(ctx context.Context, userID, name, tokenHash string) (account.Token, error) {
	t := account.Token{ID: newID(), UserID: userID, Name: name, CreatedAt: stamp(time.Now())}
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
			t.ID, userID, name, tokenHash, formatTime(t.CreatedAt))
		switch {
		case isForeignKeyViolation(err):
			return errs.Errorf(errs.NotFound, "User %s not found.", userID)
		case isUniqueViolation(err):
			return errs.Errorf(errs.Conflict, "This API token exists already.")
		case err != nil:
			return fmt.Errorf("insert API token for %s: %w", userID, err)
		}
		return nil
	})
	if err != nil {
		return account.Token{}, err
	}
	return t, nil
}

// APITokens lists a user's API tokens, newest first.
func (db *DB) APITokens(ctx context.Context, userID string) ([]account.Token, error) {
	var ts []account.Token
	err := db.Read(ctx, func(tx *sql.Tx) error {
		ts = nil
		rows, err := tx.QueryContext(ctx, `SELECT id, user_id, name, created_at, COALESCE(last_used_at, '')
			FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
		if err != nil {
			return fmt.Errorf("list API tokens of %s: %w", userID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var t account.Token
			var created, used string
			if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &created, &used); err != nil {
				return err
			}
			if t.CreatedAt, err = parseTime(created); err != nil {
				return fmt.Errorf("API token %s: created_at: %w", t.ID, err)
			}
			if t.LastUsedAt, err = parseTime(used); err != nil {
				return fmt.Errorf("API token %s: last_used_at: %w", t.ID, err)
			}
			ts = append(ts, t)
		}
		return rows.Err()
	})
	return ts, err
}

// DeleteAPIToken revokes one of the user's tokens; errs.NotFound when the
// user has no token with that id.
func (db *DB) DeleteAPIToken(ctx context.Context, userID, tokenID string) error {
	return db.Transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, tokenID, userID)
		if err != nil {
			return fmt.Errorf("delete API token %s: %w", tokenID, err)
		}
		return mustAffect(res, errs.Errorf(errs.NotFound, "API token %s not found.", tokenID))
	})
}

// TokenUser returns the owner of the API token with the hash and records its
// use; errs.Unauthorized when there is none.
//
// The lookup runs on the reader. Only when the recorded use is older than
// tokenUseGranularity does it write, with a conditional UPDATE, so that
// concurrent calls record the use once and a stream of API calls does not
// queue for the writer on every request.
func (db *DB) TokenUser(ctx context.Context, tokenHash string, now time.Time) (account.User, error) {
	var u account.User
	var id, used string
	err := db.Read(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+userColumns+`, t.id, COALESCE(t.last_used_at, '')
			FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`, tokenHash)
		var err error
		u, err = scanUser(row, &id, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.Unauthorized, "This API token is not valid; it may have been revoked.")
		}
		return err
	})
	if err != nil {
		return account.User{}, err
	}
	stale := formatTime(now.Add(-tokenUseGranularity))
	if used != "" && used > stale {
		return u, nil
	}
	err = db.Transact(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2
			WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`, id, formatTime(now), stale)
		if err != nil {
			return fmt.Errorf("record use of API token %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return account.User{}, err
	}
	return u, nil
}

// scanUser scans the userColumns and then extra columns into extra.
func scanUser(s scanner, extra ...any) (account.User, error) {
	var u account.User
	var role, created string
	dest := append([]any{&u.ID, &u.Email, &u.Name, &role, &u.Region, &u.AgeBand, &created}, extra...)
	if err := s.Scan(dest...); err != nil {
		return account.User{}, err
	}
	u.Role = account.Role(role)
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return account.User{}, fmt.Errorf("user %s: created_at: %w", u.ID, err)
	}
	return u, nil
}

// mustAffect returns notFound when res changed no row.
func mustAffect(res sql.Result, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}
