-- Accounts, sessions, API tokens and customers' designs with their votes.
-- As in 001: ids are random hex text made in Go, timestamps are fixed-width
-- UTC text (they sort as text in time order), booleans are INTEGER 0/1 and
-- money is BIGINT minor units, so the same text runs on SQLite and PostgreSQL.

-- region and age_band are NULL when the user did not say.
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('customer', 'analyst', 'planner', 'admin')),
	region        TEXT,
	age_band      TEXT,
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL
);

-- Only the SHA-256 of a session or API token is stored.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, expires_at);

CREATE TABLE api_tokens (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	created_at   TEXT NOT NULL,
	last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- created_by is NULL for a built-in model; published_at is NULL while a draft.
ALTER TABLE product_models ADD COLUMN created_by TEXT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE product_models ADD COLUMN published_at TEXT;

-- selection is the attribute -> level JSON object; design_choices holds the
-- same choices as rows, one per attribute, so that statistics group and
-- filter in SQL. Both are written in the same transaction.
CREATE TABLE designs (
	id          TEXT PRIMARY KEY,
	owner_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	model_id    TEXT NOT NULL REFERENCES product_models (id),
	name        TEXT NOT NULL,
	selection   TEXT NOT NULL,
	complete    INTEGER NOT NULL CHECK (complete IN (0, 1)),
	visibility  TEXT NOT NULL CHECK (visibility IN ('private', 'link', 'public')),
	share_token TEXT NOT NULL UNIQUE,
	price       BIGINT NOT NULL,
	votes       INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
-- The gallery pages by (votes, created_at, id) or (created_at, id), both
-- descending, over public designs only.
CREATE INDEX designs_gallery_top ON designs (votes DESC, created_at DESC, id DESC) WHERE visibility = 'public';
CREATE INDEX designs_gallery_new ON designs (created_at DESC, id DESC) WHERE visibility = 'public';
CREATE INDEX designs_owner ON designs (owner_id, updated_at DESC, id DESC);
CREATE INDEX designs_stats ON designs (model_id, created_at);

-- design_id is last in the index so that counting levels reads the index only.
CREATE TABLE design_choices (
	design_id TEXT NOT NULL REFERENCES designs (id) ON DELETE CASCADE,
	attribute TEXT NOT NULL,
	level     TEXT NOT NULL,
	PRIMARY KEY (design_id, attribute)
);
CREATE INDEX design_choices_level ON design_choices (attribute, level);

-- designs.votes counts these rows; Vote and AddVotes change both together.
CREATE TABLE votes (
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	design_id  TEXT NOT NULL REFERENCES designs (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	PRIMARY KEY (user_id, design_id)
);
CREATE INDEX votes_design ON votes (design_id);
