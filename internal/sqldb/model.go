package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tailor-c2b/tailor/errs"
)

// Model is a stored product model: its source text in the model language,
// under a name and a version.
type Model struct {
	ID        string
	Name      string
	Version   string
	Source    string
	CreatedAt time.Time
}

// CreateModel stores a product model and returns its new id. It returns an
// errs.Invalid error when name, version or source is empty and an
// errs.Conflict error when a model with this name and version exists.
func (db *DB) CreateModel(ctx context.Context, name, version, source string) (string, error) {
	switch {
	case name == "":
		return "", errs.Errorf(errs.Invalid, "Model name is required.")
	case version == "":
		return "", errs.Errorf(errs.Invalid, "Model version is required.")
	case source == "":
		return "", errs.Errorf(errs.Invalid, "Model source is required.")
	}
	id := newID()
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		return insertModel(ctx, tx, id, name, version, source)
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

func insertModel(ctx context.Context, tx *sql.Tx, id, name, version, source string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO product_models (id, name, version, source, created_at)
		VALUES ($1, $2, $3, $4, $5)`, id, name, version, source, now())
	if isUniqueViolation(err) {
		return errs.Errorf(errs.Conflict, "Model %s version %s already exists.", name, version)
	}
	if err != nil {
		return fmt.Errorf("insert model %s %s: %w", name, version, err)
	}
	return nil
}

// GetModel returns the model with the given id, or an errs.NotFound error.
func (db *DB) GetModel(ctx context.Context, id string) (Model, error) {
	var m Model
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = findModel(ctx, tx, id)
		return err
	})
	return m, err
}

func findModel(ctx context.Context, tx *sql.Tx, id string) (Model, error) {
	var m Model
	var created string
	err := tx.QueryRowContext(ctx, `SELECT id, name, version, source, created_at
		FROM product_models WHERE id = $1`, id).Scan(&m.ID, &m.Name, &m.Version, &m.Source, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Model{}, errs.Errorf(errs.NotFound, "Model %s not found.", id)
	}
	if err != nil {
		return Model{}, fmt.Errorf("find model %s: %w", id, err)
	}
	if m.CreatedAt, err = time.Parse(timeFormat, created); err != nil {
		return Model{}, fmt.Errorf("model %s: created_at: %w", id, err)
	}
	return m, nil
}
