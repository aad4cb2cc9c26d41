-- Choice surveys (package survey): the design, who answers which version,
-- and their answers. As in 002: ids are random hex text made in Go and
-- timestamps fixed-width UTC text, so the same text runs on SQLite and
-- PostgreSQL.

-- design is the survey.Survey as JSON; versions and tasks (per respondent,
-- holdouts included) repeat what it holds so that SQL can use them.
-- next_seq counts the respondents who started: a new respondent takes it
-- and increments it in one UPDATE ... RETURNING, and gets version
-- next_seq mod versions, round robin.
CREATE TABLE surveys (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	model_id   TEXT NOT NULL REFERENCES product_models (id),
	status     TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
	design     TEXT NOT NULL,
	versions   INTEGER NOT NULL CHECK (versions > 0),
	tasks      INTEGER NOT NULL CHECK (tasks > 0),
	next_seq   INTEGER NOT NULL DEFAULT 0 CHECK (next_seq >= 0),
	created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
	created_at TEXT NOT NULL,
	opened_at  TEXT,
	closed_at  TEXT
);
CREATE INDEX surveys_status ON surveys (status, created_at);

-- answered counts the respondent's answers, which are tasks 0 to
-- answered-1: an answer is accepted only for task = answered.
CREATE TABLE survey_respondents (
	survey_id   TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
	user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	version     INTEGER NOT NULL CHECK (version >= 0),
	answered    INTEGER NOT NULL DEFAULT 0 CHECK (answered >= 0),
	started_at  TEXT NOT NULL,
	finished_at TEXT,
	PRIMARY KEY (survey_id, user_id),
	UNIQUE (survey_id, seq)
);
CREATE INDEX survey_respondents_user ON survey_respondents (user_id);
-- Covers the counts of a survey's answers (the sum of answered) and of its
-- finished respondents, so that they read the index only.
CREATE INDEX survey_respondents_progress ON survey_respondents (survey_id, answered, finished_at);

-- One answer per respondent and task: the first one given is kept.
CREATE TABLE survey_answers (
	survey_id   TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	task        INTEGER NOT NULL CHECK (task >= 0),
	choice      INTEGER NOT NULL CHECK (choice >= 0),
	answered_at TEXT NOT NULL,
	PRIMARY KEY (survey_id, user_id, task),
	FOREIGN KEY (survey_id, user_id) REFERENCES survey_respondents (survey_id, user_id) ON DELETE CASCADE
);
