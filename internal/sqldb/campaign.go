package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tailor-c2b/tailor/campaign"
	"github.com/tailor-c2b/tailor/errs"
)

const campaignColumns = `id, name, model_id, configuration, price, cost, currency, status, COALESCE(lineup_id, ''), variant,
	COALESCE(created_by, ''), created_at`

// CreateLineupCampaigns stores draft campaigns of a lineup's variants, all
// with LineupID lineupID, in one transaction, and returns every campaign of
// the lineup, in variant order, with how many of them this call made. A
// variant that has a campaign already keeps it: its new one is dropped by
// the insert itself (ON CONFLICT DO NOTHING on the unique lineup and
// variant), so that asking twice, even at once, makes each draft once.
// IDs are assigned; CreatedAt is now when zero. errs.Invalid for a campaign
// that does not validate or belongs to another lineup, errs.NotFound when
// the model version, the lineup job or the creator does not exist.
func (db *DB) CreateLineupCampaigns(ctx context.Context, lineupID string, cs []campaign.Campaign) ([]campaign.Campaign, int, error) {
	if lineupID == "" {
		return nil, 0, errs.Errorf(errs.Invalid, "Say which lineup the campaigns are drafted from.")
	}
	configs := make([]string, len(cs))
	for i, c := range cs {
		if err := c.Validate(); err != nil {
			return nil, 0, err
		}
		if c.LineupID != lineupID {
			return nil, 0, errs.Errorf(errs.Invalid, "Campaign %q is not of lineup %s.", c.Name, lineupID)
		}
		b, err := json.Marshal(c.Config)
		if err != nil {
			return nil, 0, fmt.Errorf("encode configuration of campaign %q: %w", c.Name, err)
		}
		configs[i] = string(b)
	}
	var out []campaign.Campaign
	var created int
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		out, created = nil, 0
		for i, c := range cs {
			at := c.CreatedAt
			if at.IsZero() {
				at = time.Now()
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, name, model_id, configuration, price, cost, currency, status,
					lineup_id, variant, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
				ON CONFLICT (lineup_id, variant) DO NOTHING`,
				newID(), c.Name, c.ModelID, configs[i], c.Price, c.Cost, c.Currency, string(c.Status),
				lineupID, c.Variant, nullable(c.CreatedBy), formatTime(at))
			switch {
			case isForeignKeyViolation(err):
				return errs.Errorf(errs.NotFound, "The model version, the lineup or the user of campaign %q does not exist.", c.Name)
			case err != nil:
				return fmt.Errorf("insert campaign %q: %w", c.Name, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("rows affected: %w", err)
			}
			created += int(n)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE lineup_id = $1 ORDER BY variant`, lineupID)
		if err != nil {
			return fmt.Errorf("list campaigns of lineup %s: %w", lineupID, err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCampaign(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return out, created, nil
}

// Campaigns lists the campaigns f selects, newest first and a lineup's in
// variant order, a page at a time, and returns the cursor of the next page
// ("" after the last). errs.Invalid for a malformed cursor.
func (db *DB) Campaigns(ctx context.Context, f campaign.Filter, p campaign.Page) ([]campaign.Campaign, string, error) {
	p = p.Clamp()
	var q query
	q.add(`SELECT ` + campaignColumns + ` FROM campaigns WHERE 1 = 1`)
	if f.LineupID != "" {
		q.add(` AND lineup_id = ` + q.arg(f.LineupID))
	}
	if p.Cursor != "" {
		// The cursor's Votes holds the variant.
		c, err := parseCursor(p.Cursor, "campaigns")
		if err != nil {
			return nil, "", err
		}
		t := q.arg(c.Time)
		q.add(` AND (created_at < ` + t + ` OR created_at = ` + t + ` AND (variant, id) > (` + q.arg(c.Votes) + `, ` + q.arg(c.ID) + `))`)
	}
	q.add(` ORDER BY created_at DESC, variant, id LIMIT ` + q.arg(p.Limit+1))
	var cs []campaign.Campaign
	err := db.Read(ctx, func(tx *sql.Tx) error {
		cs = nil
		rows, err := tx.QueryContext(ctx, q.text.String(), q.args...)
		if err != nil {
			return fmt.Errorf("list campaigns: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCampaign(rows)
			if err != nil {
				return err
			}
			cs = append(cs, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	if len(cs) <= p.Limit {
		return cs, "", nil
	}
	cs = cs[:p.Limit]
	last := cs[p.Limit-1]
	return cs, cursor{Sort: "campaigns", Votes: last.Variant, Time: formatTime(last.CreatedAt), ID: last.ID}.String(), nil
}

func scanCampaign(s scanner) (campaign.Campaign, error) {
	var c campaign.Campaign
	var config, status, created string
	err := s.Scan(&c.ID, &c.Name, &c.ModelID, &config, &c.Price, &c.Cost, &c.Currency, &status, &c.LineupID, &c.Variant,
		&c.CreatedBy, &created)
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("scan campaign: %w", err)
	}
	c.Status = campaign.Status(status)
	if err := json.Unmarshal([]byte(config), &c.Config); err != nil {
		return campaign.Campaign{}, fmt.Errorf("campaign %s: configuration: %w", c.ID, err)
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return campaign.Campaign{}, fmt.Errorf("campaign %s: created_at: %w", c.ID, err)
	}
	return c, nil
}
