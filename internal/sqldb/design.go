package sqldb

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
)

const designColumns = `d.id, d.owner_id, u.name, d.model_id, d.name, d.selection, d.complete, d.visibility,
	d.share_token, d.price, d.votes, d.created_at, d.updated_at`

// designFrom joins the owner, whose name reads fill in.
const designFrom = ` FROM designs d JOIN users u ON u.id = d.owner_id`

// CreateDesign stores a new design and returns it with its ID, ShareToken,
// CreatedAt and UpdatedAt assigned. A CreatedAt that is set is kept, for
// imports, and UpdatedAt is then the same. errs.NotFound when the owner or
// the model version does not exist, errs.Invalid for an unknown visibility.
//
// On SQLite the insert joins the saves that other goroutines make at the
// same time in one transaction (see saver); either way CreateDesign returns
// only once the design is committed.
func (db *DB) CreateDesign(ctx context.Context, d design.Design) (design.Design, error) {
	d, err := newDesign(d, time.Now())
	if err != nil {
		return design.Design{}, err
	}
	if db.saves != nil {
		err = db.saves.save(ctx, d)
	} else {
		err = db.Transact(ctx, func(tx *sql.Tx) error { return insertDesign(ctx, tx, d) })
	}
	if err != nil {
		return design.Design{}, err
	}
	return d, nil
}

// CreateDesigns stores many designs in one transaction, as CreateDesign
// does; when one fails, none is stored.
func (db *DB) CreateDesigns(ctx context.Context, ds []design.Design) error {
	t := time.Now()
	out := make([]design.Design, len(ds))
	for i, d := range ds {
		var err error
		if out[i], err = newDesign(d, t); err != nil {
			return err
		}
	}
	return db.Transact(ctx, func(tx *sql.Tx) error {
		for _, d := range out {
			if err := insertDesign(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// newDesign assigns what CreateDesign assigns.
func newDesign(d design.Design, t time.Time) (design.Design, error) {
	if _, err := design.ParseVisibility(string(d.Visibility)); err != nil {
		return design.Design{}, err
	}
	d.ID = newID()
	d.ShareToken = newShareToken()
	d.Votes = 0
	if d.CreatedAt.IsZero() {
		d.CreatedAt = stamp(t)
	} else {
		d.CreatedAt = stamp(d.CreatedAt)
	}
	d.UpdatedAt = d.CreatedAt
	return d, nil
}

// newShareToken returns a random 128-bit token, base64url without padding,
// so that it can stand in a URL as it is.
func newShareToken() string {
	var b [16]byte
	crand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func insertDesign(ctx context.Context, tx *sql.Tx, d design.Design) error {
	sel, err := marshalSelection(d.Selection)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO designs (id, owner_id, model_id, name, selection, complete, visibility,
			share_token, price, votes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11)`,
		d.ID, d.OwnerID, d.ModelID, d.Name, sel, boolInt(d.Complete), string(d.Visibility),
		d.ShareToken, d.Price, formatTime(d.CreatedAt), formatTime(d.UpdatedAt))
	switch {
	case isForeignKeyViolation(err):
		return errs.Errorf(errs.NotFound, "The design's owner or model version does not exist.")
	case err != nil:
		return fmt.Errorf("insert design %s: %w", d.ID, err)
	}
	return insertChoices(ctx, tx, d.ID, d.Selection)
}

// insertChoices writes a design's selection as design_choices rows, in one
// statement.
func insertChoices(ctx context.Context, tx *sql.Tx, id string, sel map[string]string) error {
	if len(sel) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO design_choices (design_id, attribute, level) VALUES `)
	args := []any{id}
	for i, a := range slices.Sorted(maps.Keys(sel)) {
		if i > 0 {
			q.WriteString(", ")
		}
		args = append(args, a, sel[a])
		fmt.Fprintf(&q, "($1, $%d, $%d)", len(args)-1, len(args))
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("insert choices of design %s: %w", id, err)
	}
	return nil
}

// UpdateDesign replaces the name, selection, completeness, price and
// visibility of the design with d.ID owned by d.OwnerID, sets UpdatedAt and
// returns the stored design. errs.NotFound when that owner has no such
// design, errs.Invalid for an unknown visibility.
func (db *DB) UpdateDesign(ctx context.Context, d design.Design) (design.Design, error) {
	if _, err := design.ParseVisibility(string(d.Visibility)); err != nil {
		return design.Design{}, err
	}
	sel, err := marshalSelection(d.Selection)
	if err != nil {
		return design.Design{}, err
	}
	updated := formatTime(time.Now())
	var out design.Design
	err = db.Transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE designs SET name = $3, selection = $4, complete = $5, price = $6,
				visibility = $7, updated_at = $8
			WHERE id = $1 AND owner_id = $2`,
			d.ID, d.OwnerID, d.Name, sel, boolInt(d.Complete), d.Price, string(d.Visibility), updated)
		if err != nil {
			return fmt.Errorf("update design %s: %w", d.ID, err)
		}
		if err := mustAffect(res, errs.Errorf(errs.NotFound, "Design %s not found.", d.ID)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM design_choices WHERE design_id = $1`, d.ID); err != nil {
			return fmt.Errorf("delete choices of design %s: %w", d.ID, err)
		}
		if err := insertChoices(ctx, tx, d.ID, d.Selection); err != nil {
			return err
		}
		out, err = findDesign(ctx, tx, `d.id = $1`, d.ID)
		return err
	})
	return out, err
}

// DeleteDesign deletes one of the owner's designs, with its choices and
// votes; errs.NotFound when the owner has no design with the id.
func (db *DB) DeleteDesign(ctx context.Context, ownerID, id string) error {
	return db.Transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM designs WHERE id = $1 AND owner_id = $2`, id, ownerID)
		if err != nil {
			return fmt.Errorf("delete design %s: %w", id, err)
		}
		return mustAffect(res, errs.Errorf(errs.NotFound, "Design %s not found.", id))
	})
}

// GetDesign returns a design by id, whatever its visibility; errs.NotFound.
func (db *DB) GetDesign(ctx context.Context, id string) (design.Design, error) {
	var d design.Design
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = findDesign(ctx, tx, `d.id = $1`, id)
		return err
	})
	return d, err
}

// DesignByShareToken returns the design with the share token, whatever its
// visibility; errs.NotFound.
func (db *DB) DesignByShareToken(ctx context.Context, token string) (design.Design, error) {
	var d design.Design
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = findDesign(ctx, tx, `d.share_token = $1`, token)
		if errs.Code(err) == errs.NotFound {
			err = errs.Errorf(errs.NotFound, "No design is shared under this link.")
		}
		return err
	})
	return d, err
}

// findDesign returns the one design where cond, with $1 bound to arg, holds.
func findDesign(ctx context.Context, tx *sql.Tx, cond, arg string) (design.Design, error) {
	d, err := scanDesign(tx.QueryRowContext(ctx, `SELECT `+designColumns+designFrom+` WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return design.Design{}, errs.Errorf(errs.NotFound, "Design %s not found.", arg)
	}
	if err != nil {
		return design.Design{}, fmt.Errorf("find design: %w", err)
	}
	return d, nil
}

// UserDesigns lists the owner's designs, most recently updated first, a page
// at a time, and returns the cursor of the next page ("" after the last).
// errs.Invalid for a malformed cursor.
func (db *DB) UserDesigns(ctx context.Context, ownerID string, p design.Page) ([]design.Design, string, error) {
	p = p.Clamp()
	var q query
	q.add(`SELECT ` + designColumns + designFrom + ` WHERE d.owner_id = ` + q.arg(ownerID))
	if p.Cursor != "" {
		c, err := parseCursor(p.Cursor, "mine")
		if err != nil {
			return nil, "", err
		}
		q.add(` AND (d.updated_at, d.id) < (` + q.arg(c.Time) + `, ` + q.arg(c.ID) + `)`)
	}
	q.add(` ORDER BY d.updated_at DESC, d.id DESC LIMIT ` + q.arg(p.Limit+1))
	return db.page(ctx, &q, p.Limit, func(d design.Design) cursor {
		return cursor{Sort: "mine", Time: formatTime(d.UpdatedAt), ID: d.ID}
	})
}

// Gallery lists public designs ("" modelID for all models), most voted or
// newest first, a page at a time, and returns the cursor of the next page
// ("" after the last). errs.Invalid for an unknown order or a malformed
// cursor.
func (db *DB) Gallery(ctx context.Context, modelID string, sort design.GallerySort, p design.Page) ([]design.Design, string, error) {
	if sort != design.Top && sort != design.Newest {
		return nil, "", errs.Errorf(errs.Invalid, "Unknown gallery order %q; want top or new.", sort)
	}
	p = p.Clamp()
	var q query
	q.add(`SELECT ` + designColumns + designFrom + ` WHERE d.visibility = 'public'`)
	if modelID != "" {
		q.add(` AND d.model_id = ` + q.arg(modelID))
	}
	var c cursor
	if p.Cursor != "" {
		var err error
		if c, err = parseCursor(p.Cursor, string(sort)); err != nil {
			return nil, "", err
		}
	}
	if sort == design.Top {
		if p.Cursor != "" {
			q.add(` AND (d.votes, d.created_at, d.id) < (` + q.arg(c.Votes) + `, ` + q.arg(c.Time) + `, ` + q.arg(c.ID) + `)`)
		}
		q.add(` ORDER BY d.votes DESC, d.created_at DESC, d.id DESC`)
	} else {
		if p.Cursor != "" {
			q.add(` AND (d.created_at, d.id) < (` + q.arg(c.Time) + `, ` + q.arg(c.ID) + `)`)
		}
		q.add(` ORDER BY d.created_at DESC, d.id DESC`)
	}
	q.add(` LIMIT ` + q.arg(p.Limit+1))
	return db.page(ctx, &q, p.Limit, func(d design.Design) cursor {
		return cursor{Sort: string(sort), Votes: d.Votes, Time: formatTime(d.CreatedAt), ID: d.ID}
	})
}

// page runs q, which asks for limit+1 designs, and returns the first limit
// and, when there are more, the cursor after the last of them.
func (db *DB) page(ctx context.Context, q *query, limit int, after func(design.Design) cursor) ([]design.Design, string, error) {
	var ds []design.Design
	err := db.Read(ctx, func(tx *sql.Tx) error {
		ds = nil
		rows, err := tx.QueryContext(ctx, q.text.String(), q.args...)
		if err != nil {
			return fmt.Errorf("list designs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDesign(rows)
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	if len(ds) <= limit {
		return ds, "", nil
	}
	ds = ds[:limit]
	return ds, after(ds[limit-1]).String(), nil
}

// query builds SQL text with numbered placeholders.
type query struct {
	text strings.Builder
	args []any
}

func (q *query) add(s string) { q.text.WriteString(s) }

// arg binds v to the next placeholder and returns it.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// cursor is the position after which the next page of a list starts: the
// sort keys of the last item shown. Sort names the list it belongs to, so a
// cursor of one list is rejected by another.
type cursor struct {
	Sort  string `json:"s"`
	Votes int    `json:"v,omitempty"`
	Time  string `json:"t"`
	ID    string `json:"i"`
}

// String encodes c as opaque, URL-safe text.
func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseCursor(s, sort string) (cursor, error) {
	bad := errs.Errorf(errs.Invalid, "The page cursor is not valid; start again from the first page.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Sort != sort || c.ID == "" || c.Votes < 0 {
		return cursor{}, bad
	}
	if _, err := time.Parse(timeFormat, c.Time); err != nil {
		return cursor{}, bad
	}
	return c, nil
}

// Vote adds (up) or withdraws the user's vote for a public design and
// returns its vote count. A second vote by the same user counts once, and
// withdrawing a vote that was not given changes nothing. errs.NotFound
// unless the design exists and is public, or when the user does not exist.
//
// The vote row and designs.votes change in one transaction, and the count
// moves only when a row was in fact inserted or deleted, so concurrent
// votes keep the count equal to the number of rows.
func (db *DB) Vote(ctx context.Context, userID, designID string, up bool) (int, error) {
	var n int
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		var vis string
		err := tx.QueryRowContext(ctx, `SELECT visibility, votes FROM designs WHERE id = $1`, designID).Scan(&vis, &n)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && vis != string(design.Public)) {
			return errs.Errorf(errs.NotFound, "Design %s not found.", designID)
		}
		if err != nil {
			return fmt.Errorf("find design %s: %w", designID, err)
		}
		delta := 1
		var res sql.Result
		if up {
			res, err = tx.ExecContext(ctx, `INSERT INTO votes (user_id, design_id, created_at) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, userID, designID, formatTime(time.Now()))
		} else {
			delta = -1
			res, err = tx.ExecContext(ctx, `DELETE FROM votes WHERE user_id = $1 AND design_id = $2`, userID, designID)
		}
		if isForeignKeyViolation(err) {
			return errs.Errorf(errs.NotFound, "User %s not found.", userID)
		}
		if err != nil {
			return fmt.Errorf("vote for design %s: %w", designID, err)
		}
		changed, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("rows affected: %w", err)
		}
		if changed == 0 {
			return nil // n is the count read above
		}
		return adjustVotes(ctx, tx, designID, delta, &n)
	})
	return n, err
}

// adjustVotes adds delta to the design's vote count and stores the new count in n.
func adjustVotes(ctx context.Context, tx *sql.Tx, designID string, delta int, n *int) error {
	err := tx.QueryRowContext(ctx, `UPDATE designs SET votes = votes + $2 WHERE id = $1 RETURNING votes`, designID, delta).Scan(n)
	if err != nil {
		return fmt.Errorf("count votes of design %s: %w", designID, err)
	}
	return nil
}

// AddVotes records many votes in one transaction, ignoring repeats, and
// keeps each design's count equal to its votes. Unlike Vote, it does not
// check visibility: it is for importing and seeding. errs.NotFound when a
// user or design does not exist.
func (db *DB) AddVotes(ctx context.Context, votes []design.Vote) error {
	at := formatTime(time.Now())
	return db.Transact(ctx, func(tx *sql.Tx) error {
		for _, v := range votes {
			res, err := tx.ExecContext(ctx, `INSERT INTO votes (user_id, design_id, created_at) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, v.UserID, v.DesignID, at)
			if isForeignKeyViolation(err) {
				return errs.Errorf(errs.NotFound, "User %s or design %s not found.", v.UserID, v.DesignID)
			}
			if err != nil {
				return fmt.Errorf("add vote for design %s: %w", v.DesignID, err)
			}
			changed, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("rows affected: %w", err)
			}
			if changed == 0 {
				continue
			}
			var n int
			if err := adjustVotes(ctx, tx, v.DesignID, 1, &n); err != nil {
				return err
			}
		}
		return nil
	})
}

// Voted reports which of the designs the user has voted for; the map holds
// only those.
func (db *DB) Voted(ctx context.Context, userID string, designIDs []string) (map[string]bool, error) {
	voted := map[string]bool{}
	if len(designIDs) == 0 {
		return voted, nil
	}
	var q query
	q.add(`SELECT design_id FROM votes WHERE user_id = ` + q.arg(userID) + ` AND design_id IN (`)
	for i, id := range designIDs {
		if i > 0 {
			q.add(", ")
		}
		q.add(q.arg(id))
	}
	q.add(")")
	err := db.Read(ctx, func(tx *sql.Tx) error {
		clear(voted)
		rows, err := tx.QueryContext(ctx, q.text.String(), q.args...)
		if err != nil {
			return fmt.Errorf("find votes of %s: %w", userID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			voted[id] = true
		}
		return rows.Err()
	})
	return voted, err
}

func scanDesign(s scanner) (design.Design, error) {
	var d design.Design
	var sel, vis, created, updated string
	err := s.Scan(&d.ID, &d.OwnerID, &d.OwnerName, &d.ModelID, &d.Name, &sel, &d.Complete, &vis,
		&d.ShareToken, &d.Price, &d.Votes, &created, &updated)
	if err != nil {
		return design.Design{}, err
	}
	d.Visibility = design.Visibility(vis)
	if err := json.Unmarshal([]byte(sel), &d.Selection); err != nil {
		return design.Design{}, fmt.Errorf("design %s: selection: %w", d.ID, err)
	}
	if d.Selection == nil {
		d.Selection = map[string]string{}
	}
	if d.CreatedAt, err = parseTime(created); err != nil {
		return design.Design{}, fmt.Errorf("design %s: created_at: %w", d.ID, err)
	}
	if d.UpdatedAt, err = parseTime(updated); err != nil {
		return design.Design{}, fmt.Errorf("design %s: updated_at: %w", d.ID, err)
	}
	return d, nil
}

func marshalSelection(sel map[string]string) (string, error) {
	if sel == nil {
		return "{}", nil
	}
	b, err := json.Marshal(sel)
	if err != nil {
		return "", fmt.Errorf("encode selection: %w", err)
	}
	return string(b), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
