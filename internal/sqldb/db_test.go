package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tailor-c2b/tailor/errs"
)

// testDB describes one database a test runs on: dsn opens it (again, for
// reopen tests); it is "" for an in-memory database, which cannot be reopened.
type testDB struct {
	name string
	dsn  string
	open func(tb testing.TB) *DB
}

// engines returns the databases every storage test runs on: a SQLite file, an
// in-memory SQLite database and, when TAILOR_TEST_POSTGRES holds a DSN, a
// fresh schema on PostgreSQL. Each call makes new, empty databases.
func engines(t *testing.T) []testDB {
	t.Helper()
	file := "file:" + filepath.Join(t.TempDir(), "tailor.db")
	dbs := []testDB{
		{name: "sqlite-file", dsn: file},
		{name: "sqlite-memory", dsn: ":memory:"},
	}
	if dsn := os.Getenv("TAILOR_TEST_POSTGRES"); dsn != "" {
		dbs = append(dbs, testDB{name: "postgres", dsn: MustPostgresSchema(t, dsn)})
	} else {
		t.Log("TAILOR_TEST_POSTGRES is not set: skipping PostgreSQL")
	}
	for i := range dbs {
		dsn := dbs[i].dsn
		dbs[i].open = func(tb testing.TB) *DB { return MustOpen(tb, dsn) }
		if dsn == ":memory:" {
			dbs[i].dsn = ""
		}
	}
	return dbs
}

// MustPostgresSchema creates a fresh schema on the PostgreSQL server at dsn,
// drops it when the test ends, and returns a DSN whose search_path is it.
func MustPostgresSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	schema := "t_" + newID()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema on %s: %v", dsn, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// MustOpen opens dsn and closes the DB when the test ends.
func MustOpen(tb testing.TB, dsn string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("Open(%q): %v", dsn, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func appliedVersions(t *testing.T, db *DB) []int {
	t.Helper()
	var got []int
	err := db.Read(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				return err
			}
			got = append(got, v)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOpenEngine(t *testing.T) {
	tests := []struct {
		dsn  string
		want Engine
	}{
		{"postgres://u@h/db", Postgres},
		{"postgresql://u@h/db?sslmode=disable", Postgres},
		{"/var/lib/tailor/tailor.db", SQLite},
		{":memory:", SQLite},
		{"file::memory:", SQLite},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			db, err := open(tt.dsn) // no connection is made before the first query
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := db.Engine(); got != tt.want {
				t.Errorf("Engine() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.version)
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			if diff := cmp.Diff(want, appliedVersions(t, db)); diff != "" {
				t.Fatalf("applied versions after Open (-want +got):\n%s", diff)
			}
			// Migrating again changes nothing and does not fail on existing tables.
			if err := db.migrate(ctx); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			if diff := cmp.Diff(want, appliedVersions(t, db)); diff != "" {
				t.Errorf("applied versions after second migrate (-want +got):\n%s", diff)
			}
			if e.dsn == "" {
				return
			}
			reopened := e.open(t)
			if diff := cmp.Diff(want, appliedVersions(t, reopened)); diff != "" {
				t.Errorf("applied versions after reopen (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConcurrentOpen opens a new database from several goroutines at once:
// each migration must be applied exactly once, and every Open must succeed.
func TestConcurrentOpen(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines(t) {
		if e.dsn == "" {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			const n = 6
			dbs := make([]*DB, n)
			var wg sync.WaitGroup
			errc := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					db, err := Open(context.Background(), e.dsn)
					if err != nil {
						errc <- err
						return
					}
					dbs[i] = db
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Errorf("concurrent Open: %v", err)
			}
			for _, db := range dbs {
				if db != nil {
					t.Cleanup(func() { db.Close() })
				}
			}
			if t.Failed() {
				return
			}
			if got := appliedVersions(t, dbs[0]); len(got) != len(ms) {
				t.Errorf("schema_migrations has %d rows %v, want %d", len(got), got, len(ms))
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

// mustCounter creates a table with one counter row at 0.
func mustCounter(t *testing.T, db *DB) {
	t.Helper()
	err := db.Transact(context.Background(), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO counters (id, n) VALUES (1, 0)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func counter(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	err := db.Read(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT n FROM counters WHERE id = 1`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// increment reads the counter and writes it back plus one: a lost update
// unless the transaction is serialised or retried.
func increment(tx *sql.Tx) error {
	var n int
	if err := tx.QueryRow(`SELECT n FROM counters WHERE id = 1`).Scan(&n); err != nil {
		return err
	}
	_, err := tx.Exec(`UPDATE counters SET n = $1 WHERE id = 1`, n+1)
	return err
}

// TestTransactConcurrent increments one counter from many goroutines, each
// reading then writing in its own transaction; the final value must count
// every increment.
//
// On PostgreSQL all goroutines read before any writes (a barrier on the
// first try), so all but one hit a serialization failure, and only Transact's
// retries make the count right. On SQLite the goroutines share two DB
// handles on one file, as two processes would: writes are serialised by
// BEGIN IMMEDIATE and busy_timeout across handles and by the single writer
// connection within one.
func TestTransactConcurrent(t *testing.T) {
	for _, e := range engines(t) {
		if e.dsn == "" {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			const n = 10
			ctx := context.Background()
			db := e.open(t)
			other := e.open(t)
			mustCounter(t, db)

			var calls atomic.Int64
			var read sync.WaitGroup // first tries that have not read yet
			read.Add(n)
			var wg sync.WaitGroup
			for i := range n {
				h := db
				if i%2 == 1 {
					h = other
				}
				wg.Go(func() {
					first := true
					err := h.Transact(ctx, func(tx *sql.Tx) error {
						calls.Add(1)
						if db.Engine() != Postgres {
							return increment(tx)
						}
						var n int
						if err := tx.QueryRow(`SELECT n FROM counters WHERE id = 1`).Scan(&n); err != nil {
							return err
						}
						if first {
							first = false
							read.Done()
							read.Wait()
						}
						_, err := tx.Exec(`UPDATE counters SET n = $1 WHERE id = 1`, n+1)
						return err
					})
					if err != nil {
						t.Errorf("Transact: %v", err)
					}
				})
			}
			wg.Wait()
			if got := counter(t, db); got != n {
				t.Errorf("counter = %d, want %d", got, n)
			}
			if db.Engine() == Postgres && calls.Load() <= n {
				t.Errorf("fn ran %d times for %d increments, want retries", calls.Load(), n)
			}
			t.Logf("fn ran %d times for %d increments", calls.Load(), n)
		})
	}
}

func TestTransactErrors(t *testing.T) {
	serialization := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	deadlock := &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
	unique := &pgconn.PgError{Code: "23505", Message: "duplicate key"}
	plain := errors.New("boom")

	tests := []struct {
		name      string
		failures  []error // what fn returns on its first tries; then it succeeds
		wantCalls int
	}{
		{"success", nil, 1},
		{"plain error is not retried", []error{plain}, 1},
		{"conflict is not retried", []error{errs.Errorf(errs.Conflict, "x")}, 1},
		{"unique violation is not retried", []error{unique}, 1},
		{"serialization failures are retried", []error{serialization, fmt.Errorf("wrapped: %w", serialization), serialization}, 4},
		{"deadlock is retried", []error{deadlock}, 2},
		{"retries stop after maxTries tries", repeat(serialization, maxTries+10), maxTries},
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			mustCounter(t, db)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := counter(t, db)
					calls := 0
					var lastErr error
					err := db.Transact(ctx, func(tx *sql.Tx) error {
						calls++
						if err := increment(tx); err != nil {
							return err
						}
						if calls <= len(tt.failures) {
							lastErr = tt.failures[calls-1]
							return lastErr
						}
						lastErr = nil
						return nil
					})
					if calls != tt.wantCalls {
						t.Errorf("fn ran %d times, want %d", calls, tt.wantCalls)
					}
					wantCount := before
					if lastErr == nil {
						wantCount++
					}
					if got := counter(t, db); got != wantCount {
						t.Errorf("counter = %d, want %d (failed tries must roll back)", got, wantCount)
					}
					switch {
					case lastErr == nil && err != nil:
						t.Errorf("Transact = %v, want nil", err)
					case lastErr != nil && calls == 1 && err != lastErr:
						t.Errorf("Transact = %#v, want fn's error unchanged: %#v", err, lastErr)
					case lastErr != nil && !errors.Is(err, lastErr):
						t.Errorf("Transact = %v, want it to wrap %v", err, lastErr)
					}
				})
			}
		})
	}
}

func repeat(err error, n int) []error {
	s := make([]error, n)
	for i := range s {
		s[i] = err
	}
	return s
}

func TestReadIsReadOnly(t *testing.T) {
	for _, e := range engines(t) {
		if e.dsn == "" {
			continue // one in-memory connection serves reads and writes
		}
		t.Run(e.name, func(t *testing.T) {
			db := e.open(t)
			mustCounter(t, db)
			err := db.Read(context.Background(), increment)
			if err == nil {
				t.Fatal("a write in Read succeeded, want it to fail")
			}
			if got := counter(t, db); got != 0 {
				t.Errorf("counter = %d after a write in Read, want 0", got)
			}
		})
	}
}

// TestSQLiteBusyIsRetryable makes SQLite report SQLITE_BUSY for real: a
// second connection without a busy timeout begins a write while another holds
// the write lock.
func TestSQLiteBusyIsRetryable(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "busy.db")
	MustOpen(t, file)
	a, err := sql.Open("sqlite", file+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sql.Open("sqlite", file+"?_txlock=immediate&_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	txA, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback()
	txB, err := b.BeginTx(ctx, nil)
	if err == nil {
		txB.Rollback()
		t.Fatal("second writer began a transaction, want SQLITE_BUSY")
	}
	if !retryable(err) {
		t.Errorf("retryable(%v) = false, want true", err)
	}
}

// TestSQLitePragmas checks that both pools of a SQLite file DB run with the
// settings Open promises.
func TestSQLitePragmas(t *testing.T) {
	db := MustOpen(t, filepath.Join(t.TempDir(), "p.db"))
	want := map[string]string{"journal_mode": "wal", "busy_timeout": "5000", "foreign_keys": "1"}
	for name, pool := range map[string]*sql.DB{"writer": db.writer, "reader": db.reader} {
		for pragma, w := range want {
			var got string
			if err := pool.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("%s: PRAGMA %s = %q, want %q", name, pragma, got, w)
			}
		}
	}
	if db.reader == db.writer {
		t.Error("a SQLite file DB has one pool, want a separate reader pool")
	}
}

// TestPostgresReachable says when PostgreSQL is skipped, and otherwise checks
// that the DSN in TAILOR_TEST_POSTGRES opens a database on PostgreSQL.
func TestPostgresReachable(t *testing.T) {
	dsn := os.Getenv("TAILOR_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("TAILOR_TEST_POSTGRES is not set: storage tests ran on SQLite only")
	}
	db := MustOpen(t, MustPostgresSchema(t, dsn))
	if got := db.Engine(); got != Postgres {
		t.Errorf("Engine() = %q, want %q", got, Postgres)
	}
}
