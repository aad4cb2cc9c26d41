package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
)

// saver commits concurrent design saves together (group commit).
//
// On a SQLite file with synchronous=FULL every COMMIT waits for an fsync,
// and the one writer connection runs one transaction at a time, so one
// transaction per save caps saves at the disk's fsync rate. Instead, one
// goroutine (run) takes a save, gathers every other save already waiting,
// and inserts them all in one write transaction, each inside its own
// SAVEPOINT so that a failing insert is rolled back alone and fails only
// its caller. Every caller waits until the COMMIT has returned and then
// gets its own outcome: nil only once its design is durable. While one
// batch commits, the next gathers, so batches grow with the load and a lone
// save waits for nothing but its own commit.
//
// Close stops run after the batch in hand is committed and before closing
// the pools; saves that arrive after that fail with errs.Unavailable.
type saver struct {
	db   *DB
	reqs chan *saveReq // unbuffered: waiting callers are the next batch
	quit chan struct{}
	done chan struct{}
	stop sync.Once
}

// maxBatch bounds a batch, so that one transaction stays short.
const maxBatch = 256

type saveReq struct {
	ctx context.Context
	d   design.Design
	err chan error // buffered, so run never blocks on a caller that left
}

func newSaver(db *DB) *saver {
	s := &saver{db: db, reqs: make(chan *saveReq), quit: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

// save hands d to the committer and waits for the outcome of its commit.
func (s *saver) save(ctx context.Context, d design.Design) error {
	r := &saveReq{ctx: ctx, d: d, err: make(chan error, 1)}
	select {
	case s.reqs <- r:
	case <-s.quit:
		return errs.Errorf(errs.Unavailable, "The database is shutting down; try again.")
	case <-ctx.Done():
		return ctx.Err()
	}
	// No select on ctx here: the insert may already be in a transaction,
	// and the caller must learn whether it was committed.
	return <-r.err
}

// close stops the committer after its current batch and waits for it.
func (s *saver) close() {
	s.stop.Do(func() { close(s.quit) })
	<-s.done
}

func (s *saver) run() {
	defer close(s.done)
	for {
		var batch []*saveReq
		select {
		case <-s.quit:
			return
		case r := <-s.reqs:
			batch = append(batch, r)
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		s.commit(batch)
	}
}

// commit inserts a batch in one transaction and answers every caller.
func (s *saver) commit(batch []*saveReq) {
	// The transaction serves many callers, so no one caller's context may
	// cancel it; each caller's context is checked before its insert.
	ctx := context.Background()
	results := make([]error, len(batch))
	err := s.db.Transact(ctx, func(tx *sql.Tx) error {
		if len(batch) == 1 {
			results[0] = insertOne(ctx, tx, batch[0])
			return results[0]
		}
		for i, r := range batch {
			results[i] = nil
			if _, err := tx.ExecContext(ctx, `SAVEPOINT save`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			if results[i] = insertOne(ctx, tx, r); results[i] != nil {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO save`); err != nil {
					return fmt.Errorf("rollback to savepoint: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE save`); err != nil {
				return fmt.Errorf("release savepoint: %w", err)
			}
		}
		return nil
	})
	for i, r := range batch {
		if results[i] == nil {
			results[i] = err
		}
		r.err <- results[i]
	}
}

func insertOne(ctx context.Context, tx *sql.Tx, r *saveReq) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	return insertDesign(ctx, tx, r.d)
}
