// Package sqldb is Tailor's storage over database/sql, on SQLite (modernc.org/sqlite,
// no cgo) by default and on PostgreSQL (pgx) optionally.
//
// The same SQL text runs on both engines: placeholders are $1, $2, ... (SQLite
// binds $N by number), ids are random text generated in Go, and timestamps are
// UTC RFC 3339 text with milliseconds and a fixed width (see timeFormat), so
// they sort as text in time order.
//
// Storage methods open the transaction with Transact (writes) or Read (reads);
// unexported helpers take the *sql.Tx and compose inside it.
package sqldb

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tailor-c2b/tailor/errs"
)

// Engine names the database engine behind a DB.
type Engine string

// Engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// timeFormat is how timestamps are stored: UTC, fixed width, sortable as text.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// DB is a handle on Tailor's database. It is safe for concurrent use.
type DB struct {
	engine Engine
	// writer runs every write transaction. On SQLite it holds one connection
	// whose transactions begin IMMEDIATE, so writers queue in the pool rather
	// than fail with SQLITE_BUSY; on PostgreSQL it is the one pool.
	writer *sql.DB
	// reader runs read-only transactions. On a SQLite file it is a separate
	// pool of query-only connections, which WAL lets read while the writer
	// writes; on an in-memory SQLite database and on PostgreSQL it is writer.
	reader *sql.DB
	// saves gathers concurrent CreateDesign calls into shared write
	// transactions on SQLite (see saver); nil on PostgreSQL.
	saves *saver
}

// Open opens the database that dsn names and applies any pending migrations.
//
// A dsn that starts with postgres:// or postgresql:// opens PostgreSQL, with
// one pool. Anything else is a SQLite file path, opened in WAL mode with a
// 5 s busy timeout and foreign keys on, with one writer connection and a
// reader pool. The writer keeps temporary data in memory, above all the
// savepoint journal of group-committed design saves (see saver), which on
// disk cost a write per page, and a 32 MB page cache. ":memory:" or a "file:" URI with mode=memory (or "file::memory:")
// opens an in-memory SQLite database for tests: it lives in the single
// connection of a single pool, because a private in-memory database is not
// visible to a second connection, and shared cache would trade WAL's readers
// for table locks that fail with SQLITE_LOCKED instead of waiting.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := open(dsn)
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.engine == SQLite {
		db.saves = newSaver(db)
	}
	return db, nil
}

func open(dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		return &DB{engine: Postgres, writer: pool, reader: pool}, nil
	}

	const common = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	if isMemory(dsn) {
		w, err := sql.Open("sqlite", dsn+sep+common+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		return &DB{engine: SQLite, writer: w, reader: w}, nil
	}
	w, err := sql.Open("sqlite", dsn+sep+common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	// The reader sets no journal mode: WAL is persistent in the file, and the
	// writer sets it when it first connects, during migrations at Open.
	r, err := sql.Open("sqlite", dsn+sep+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(4)
	return &DB{engine: SQLite, writer: w, reader: r}, nil
}

func isMemory(dsn string) bool {
	path, query, _ := strings.Cut(dsn, "?")
	return path == ":memory:" || path == "file::memory:" ||
		(strings.HasPrefix(path, "file:") && slices.Contains(strings.Split(query, "&"), "mode=memory"))
}

// Engine reports which engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// Close closes the database. Design saves already gathered for a commit
// are committed first; later ones fail with errs.Unavailable.
func (db *DB) Close() error {
	if db.saves != nil {
		db.saves.close()
	}
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// maxTries is how many times Transact runs fn before giving up on retryable
// failures. Many writers on one hot row (votes for one design) under
// SERIALIZABLE on a loaded machine need more than a handful; with the
// backoff capped at 250 ms, 25 tries wait at most a few seconds.
const maxTries = 25

// Transact runs fn in a write transaction and commits it if fn returns nil.
// On PostgreSQL the transaction is SERIALIZABLE. When fn or the commit fails
// with a serialization failure or deadlock (PostgreSQL 40001, 40P01) or with
// SQLITE_BUSY or SQLITE_LOCKED, Transact rolls back, waits a jittered,
// growing delay and runs fn again, up to 10 times in all; fn must therefore
// have no effects outside tx. Any other error is returned at once, unchanged
// (errors.Is and errors.As see it), after rolling back. After the last try
// Transact returns the last failure, wrapped.
func (db *DB) Transact(ctx context.Context, fn func(*sql.Tx) error) error {
	opts := &sql.TxOptions{}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelSerializable
	}
	return db.run(ctx, db.writer, opts, fn)
}

// Read runs fn in a read-only transaction on the reader pool, retrying as
// Transact does. Writes inside fn fail.
func (db *DB) Read(ctx context.Context, fn func(*sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == SQLite && db.reader == db.writer {
		// A single in-memory connection: a read-only option would be
		// ignored by the driver anyway, and the transaction begins
		// IMMEDIATE like the writer's, which is harmless there.
		opts = &sql.TxOptions{}
	}
	return db.run(ctx, db.reader, opts, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	delay := 2 * time.Millisecond
	for try := 1; ; try++ {
		err := runOnce(ctx, pool, opts, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if try == maxTries {
			return fmt.Errorf("gave up after %d tries: %w", try, err)
		}
		// Full jitter: wait a random time up to the current ceiling.
		wait := time.Duration(rand.Int64N(int64(delay))) + time.Millisecond
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(wait):
		}
		delay = min(2*delay, 250*time.Millisecond)
	}
}

func runOnce(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// retryable reports whether err is a transient conflict between transactions
// that running the transaction again may resolve.
func retryable(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// isUniqueViolation reports whether err is a violation of a UNIQUE or
// PRIMARY KEY constraint.
func isUniqueViolation(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "23505"
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Ping checks that the database answers, on the writer and on the reader.
func (db *DB) Ping(ctx context.Context) error {
	for _, pool := range []*sql.DB{db.writer, db.reader} {
		var one int
		if err := pool.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
			return fmt.Errorf("ping: %w: %w", errs.Errorf(errs.Unavailable, "The database does not answer."), err)
		}
	}
	return nil
}

// isForeignKeyViolation reports whether err is a violation of a FOREIGN KEY
// constraint.
func isForeignKeyViolation(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "23503"
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// newID returns a random 128-bit id as 32 hex digits.
func newID() string {
	var b [16]byte
	crand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// now returns the current time in the stored format.
func now() string { return formatTime(time.Now()) }

// stamp returns t as it reads back after storing: UTC, to the millisecond.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// formatTime returns t in the stored format.
func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// parseTime reads a stored time; "" (a NULL read through COALESCE) is the
// zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeFormat, s)
}

// nullable returns nil (NULL) for "", and s otherwise.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// migrationFS holds the migrations, NNN_name.sql, applied in NNN order.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		if len(ms) > 0 && ms[len(ms)-1].version == v {
			return nil, fmt.Errorf("migrations %s and %s have the same version", ms[len(ms)-1].name, e.Name())
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// migrationLock is the PostgreSQL advisory lock key that serialises migrations
// across processes opening the same database at once.
const migrationLock = 0x7461696c6f72 // "tailor" in ASCII; any fixed value works

// migrate applies the pending migrations in order, each in its own transaction
// that also records it in schema_migrations.
//
// On PostgreSQL every migration transaction first takes a transaction-scoped
// advisory lock, then checks schema_migrations, so concurrent Opens apply each
// migration once. These transactions are READ COMMITTED on purpose: a
// SERIALIZABLE snapshot would be taken by the lock query itself, before the
// wait, and miss the migration another process committed meanwhile. On SQLite
// the writer's BEGIN IMMEDIATE does the same job.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	step := func(ctx context.Context, fn func(tx *sql.Tx) error) error {
		return db.run(ctx, db.writer, &sql.TxOptions{}, func(tx *sql.Tx) error {
			if db.engine == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
					return fmt.Errorf("lock: %w", err)
				}
			}
			return fn(tx)
		})
	}
	err = step(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at TEXT NOT NULL
		)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		err := step(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, m.version, now())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}
