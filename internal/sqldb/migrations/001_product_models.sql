-- Product models that the server stores and serves. The id is a random text id
-- generated in Go and created_at is UTC RFC 3339 text with milliseconds, so the
-- same text runs on SQLite and PostgreSQL.
CREATE TABLE product_models (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	version    TEXT NOT NULL,
	source     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (name, version)
);
