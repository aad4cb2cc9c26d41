package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tailor-c2b/tailor/design"
)

// DesignStats counts the designs that f selects: how often each level is
// chosen (by attribute, then count descending), the top most common
// combinations of the combo attributes among the designs that chose all of
// them (by count descending, then levels ascending), designs per UTC day and
// designs per segment (region and age band, "" when not given). Every count
// is a GROUP BY in one read transaction, so the parts agree with each other.
func (db *DB) DesignStats(ctx context.Context, f design.Filter, combo []string, top int) (design.Stats, error) {
	var st design.Stats
	err := db.Read(ctx, func(tx *sql.Tx) error {
		st = design.Stats{}
		var err error
		if st.Designs, err = countDesigns(ctx, tx, f); err != nil {
			return err
		}
		if st.Levels, err = levelCounts(ctx, tx, f); err != nil {
			return err
		}
		if st.Combos, err = comboCounts(ctx, tx, f, combo, top); err != nil {
			return err
		}
		if st.Daily, err = dailyCounts(ctx, tx, f); err != nil {
			return err
		}
		st.Segments, err = segmentCounts(ctx, tx, f)
		return err
	})
	return st, err
}

// filtered starts q with "FROM designs d" plus joins, joins the owner when
// the filter or withUsers needs it, and adds the WHERE clause of f.
func filtered(q *query, f design.Filter, withUsers bool, joins ...string) {
	q.add(` FROM designs d`)
	for _, j := range joins {
		q.add(j)
	}
	if withUsers || f.Region != "" || f.AgeBand != "" {
		q.add(` JOIN users u ON u.id = d.owner_id`)
	}
	q.add(` WHERE d.model_id = ` + q.arg(f.ModelID))
	if !f.From.IsZero() {
		q.add(` AND d.created_at >= ` + q.arg(formatTime(f.From)))
	}
	if !f.To.IsZero() {
		q.add(` AND d.created_at < ` + q.arg(formatTime(f.To)))
	}
	if f.Region != "" {
		q.add(` AND u.region = ` + q.arg(f.Region))
	}
	if f.AgeBand != "" {
		q.add(` AND u.age_band = ` + q.arg(f.AgeBand))
	}
}

func countDesigns(ctx context.Context, tx *sql.Tx, f design.Filter) (int, error) {
	var q query
	q.add(`SELECT count(*)`)
	filtered(&q, f, false)
	var n int
	if err := tx.QueryRowContext(ctx, q.text.String(), q.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count designs: %w", err)
	}
	return n, nil
}

func levelCounts(ctx context.Context, tx *sql.Tx, f design.Filter) ([]design.LevelCount, error) {
	var q query
	q.add(`SELECT c.attribute, c.level, count(*)`)
	filtered(&q, f, false, ` JOIN design_choices c ON c.design_id = d.id`)
	q.add(` GROUP BY c.attribute, c.level ORDER BY c.attribute, count(*) DESC, c.level`)
	var out []design.LevelCount
	err := each(ctx, tx, &q, func(rows *sql.Rows) error {
		var l design.LevelCount
		if err := rows.Scan(&l.Attribute, &l.Level, &l.Count); err != nil {
			return err
		}
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count levels: %w", err)
	}
	return out, nil
}

// comboCounts joins design_choices once per combo attribute, so that only
// designs that chose all of them count.
func comboCounts(ctx context.Context, tx *sql.Tx, f design.Filter, combo []string, top int) ([]design.Combo, error) {
	if len(combo) == 0 || top <= 0 {
		return nil, nil
	}
	var q query
	var cols, joins []string
	for i, a := range combo {
		c := fmt.Sprintf("c%d", i)
		cols = append(cols, c+".level")
		joins = append(joins, fmt.Sprintf(` JOIN design_choices %s ON %s.design_id = d.id AND %s.attribute = %s`, c, c, c, q.arg(a)))
	}
	levels := strings.Join(cols, ", ")
	q.add(`SELECT ` + levels + `, count(*)`)
	filtered(&q, f, false, joins...)
	q.add(` GROUP BY ` + levels + ` ORDER BY count(*) DESC, ` + levels + ` LIMIT ` + q.arg(top))
	var out []design.Combo
	err := each(ctx, tx, &q, func(rows *sql.Rows) error {
		got := make([]string, len(combo))
		dest := make([]any, 0, len(combo)+1)
		for i := range got {
			dest = append(dest, &got[i])
		}
		c := design.Combo{Levels: make(map[string]string, len(combo))}
		if err := rows.Scan(append(dest, &c.Count)...); err != nil {
			return err
		}
		for i, a := range combo {
			c.Levels[a] = got[i]
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count combinations: %w", err)
	}
	return out, nil
}

// dailyCounts groups by the first 10 characters of created_at, which is
// the UTC date in timeFormat.
func dailyCounts(ctx context.Context, tx *sql.Tx, f design.Filter) ([]design.DayCount, error) {
	var q query
	q.add(`SELECT substr(d.created_at, 1, 10), count(*)`)
	filtered(&q, f, false)
	q.add(` GROUP BY substr(d.created_at, 1, 10) ORDER BY substr(d.created_at, 1, 10)`)
	var out []design.DayCount
	err := each(ctx, tx, &q, func(rows *sql.Rows) error {
		var d design.DayCount
		if err := rows.Scan(&d.Day, &d.Count); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count designs per day: %w", err)
	}
	return out, nil
}

func segmentCounts(ctx context.Context, tx *sql.Tx, f design.Filter) ([]design.SegmentCount, error) {
	var q query
	q.add(`SELECT COALESCE(u.region, ''), COALESCE(u.age_band, ''), count(*)`)
	filtered(&q, f, true)
	q.add(` GROUP BY COALESCE(u.region, ''), COALESCE(u.age_band, '') ORDER BY COALESCE(u.region, ''), COALESCE(u.age_band, '')`)
	var out []design.SegmentCount
	err := each(ctx, tx, &q, func(rows *sql.Rows) error {
		var s design.SegmentCount
		if err := rows.Scan(&s.Region, &s.AgeBand, &s.Count); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count designs per segment: %w", err)
	}
	return out, nil
}

// each runs q and calls fn for every row.
func each(ctx context.Context, tx *sql.Tx, q *query, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q.text.String(), q.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
