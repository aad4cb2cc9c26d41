package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/errs"
)

const modelColumns = `id, name, version, source, COALESCE(created_by, ''), created_at, COALESCE(published_at, '')`

// CreateModel stores a model version as a draft and returns it with its ID
// and CreatedAt assigned. It returns an errs.Invalid error when the name,
// version or source is empty and an errs.Conflict error when a model with
// this name and version exists.
func (db *DB) CreateModel(ctx context.Context, v catalog.Version) (catalog.Version, error) {
	switch {
	case v.Name == "":
		return catalog.Version{}, errs.Errorf(errs.Invalid, "Model name is required.")
	case v.Version == "":
		return catalog.Version{}, errs.Errorf(errs.Invalid, "Model version is required.")
	case v.Source == "":
		return catalog.Version{}, errs.Errorf(errs.Invalid, "Model source is required.")
	}
	v.ID = newID()
	v.CreatedAt = stamp(time.Now())
	v.PublishedAt = time.Time{}
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		return insertModel(ctx, tx, v)
	})
	if err != nil {
		return catalog.Version{}, err
	}
	return v, nil
}

func insertModel(ctx context.Context, tx *sql.Tx, v catalog.Version) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO product_models (id, name, version, source, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, v.ID, v.Name, v.Version, v.Source, nullable(v.CreatedBy), formatTime(v.CreatedAt))
	switch {
	case isUniqueViolation(err):
		return errs.Errorf(errs.Conflict, "Model %s version %s already exists.", v.Name, v.Version)
	case isForeignKeyViolation(err):
		return errs.Errorf(errs.NotFound, "User %s not found.", v.CreatedBy)
	case err != nil:
		return fmt.Errorf("insert model %s %s: %w", v.Name, v.Version, err)
	}
	return nil
}

// PublishModel publishes a draft at the given time and returns it.
// Publishing twice keeps the first time. It returns an errs.NotFound error
// when there is no model with the id.
func (db *DB) PublishModel(ctx context.Context, id string, at time.Time) (catalog.Version, error) {
	var v catalog.Version
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `UPDATE product_models SET published_at = COALESCE(published_at, $2)
			WHERE id = $1 RETURNING `+modelColumns, id, formatTime(at))
		var err error
		v, err = scanModel(row)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.NotFound, "Model %s not found.", id)
		}
		return err
	})
	return v, err
}

// Models lists model versions, newest first: the published ones, and the
// drafts too when drafts is set.
func (db *DB) Models(ctx context.Context, drafts bool) ([]catalog.Version, error) {
	q := `SELECT ` + modelColumns + ` FROM product_models`
	if !drafts {
		q += ` WHERE published_at IS NOT NULL`
	}
	q += ` ORDER BY created_at DESC, id DESC`
	var vs []catalog.Version
	err := db.Read(ctx, func(tx *sql.Tx) error {
		vs = nil
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("list models: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanModel(rows)
			if err != nil {
				return err
			}
			vs = append(vs, v)
		}
		return rows.Err()
	})
	return vs, err
}

// GetModel returns the model version with the id, or an errs.NotFound error.
func (db *DB) GetModel(ctx context.Context, id string) (catalog.Version, error) {
	var v catalog.Version
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		v, err = findModel(ctx, tx, id)
		return err
	})
	return v, err
}

func findModel(ctx context.Context, tx *sql.Tx, id string) (catalog.Version, error) {
	v, err := scanModel(tx.QueryRowContext(ctx, `SELECT `+modelColumns+` FROM product_models WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Version{}, errs.Errorf(errs.NotFound, "Model %s not found.", id)
	}
	if err != nil {
		return catalog.Version{}, fmt.Errorf("find model %s: %w", id, err)
	}
	return v, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanModel(s scanner) (catalog.Version, error) {
	var v catalog.Version
	var created, published string
	if err := s.Scan(&v.ID, &v.Name, &v.Version, &v.Source, &v.CreatedBy, &created, &published); err != nil {
		return catalog.Version{}, err
	}
	var err error
	if v.CreatedAt, err = parseTime(created); err != nil {
		return catalog.Version{}, fmt.Errorf("model %s: created_at: %w", v.ID, err)
	}
	if v.PublishedAt, err = parseTime(published); err != nil {
		return catalog.Version{}, fmt.Errorf("model %s: published_at: %w", v.ID, err)
	}
	return v, nil
}
