-- Pre-sale campaigns (package campaign). So far only drafts, made from the
-- variants of a chosen lineup; the pre-sale store opens them to customers.
-- As in 002: ids are random hex text made in Go, timestamps fixed-width UTC
-- text and money BIGINT minor units, so the same text runs on SQLite and
-- PostgreSQL.

-- configuration is the phone as a JSON object of level names by attribute
-- name, every attribute of the model version model_id. status is checked
-- in Go (campaign.ParseStatus): the pre-sale store will add statuses, and
-- SQLite cannot change a CHECK constraint without rebuilding the table.
-- lineup_id and variant name the lineup job and the variant a draft was
-- made from: lineup_id is NULL, and variant 0, for a campaign of another
-- origin. The UNIQUE constraint makes a lineup's drafts once (a NULL
-- lineup_id never clashes).
CREATE TABLE campaigns (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	model_id      TEXT NOT NULL REFERENCES product_models (id),
	configuration TEXT NOT NULL,
	price         BIGINT NOT NULL CHECK (price > 0),
	cost          BIGINT NOT NULL CHECK (cost >= 0),
	currency      TEXT NOT NULL,
	status        TEXT NOT NULL,
	lineup_id     TEXT REFERENCES jobs (id),
	variant       INTEGER NOT NULL DEFAULT 0 CHECK (variant >= 0),
	created_by    TEXT REFERENCES users (id) ON DELETE SET NULL,
	created_at    TEXT NOT NULL,
	UNIQUE (lineup_id, variant)
);
-- Lists page newest first, a lineup's drafts in variant order.
CREATE INDEX campaigns_created ON campaigns (created_at DESC, variant, id);
