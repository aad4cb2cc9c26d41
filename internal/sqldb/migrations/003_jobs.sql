-- Background jobs (package job): model fits, lineup optimisations and the
-- like, run by internal/jobs in the server process. As in 001 and 002: ids
-- are random hex text made in Go, timestamps fixed-width UTC text, booleans
-- INTEGER 0/1; input and output are JSON text.

-- created_by is NULL for a job the system started. started_at is NULL while
-- queued, finished_at until the job ends, output unless it is done.
-- heartbeat_at is when the process running the job last said it still does;
-- a running job whose heartbeat is old was left by a crashed process and
-- goes back to the queue (RequeueRunning).
CREATE TABLE jobs (
	id               TEXT PRIMARY KEY,
	kind             TEXT NOT NULL,
	status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
	progress         DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
	message          TEXT NOT NULL DEFAULT '',
	input            TEXT NOT NULL,
	output           TEXT,
	error            TEXT NOT NULL DEFAULT '',
	cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
	created_by       TEXT REFERENCES users (id) ON DELETE SET NULL,
	created_at       TEXT NOT NULL,
	started_at       TEXT,
	finished_at      TEXT,
	heartbeat_at     TEXT,
	attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
);
-- Lists page by (created_at, id) descending, for everyone or one creator.
CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_creator ON jobs (created_by, created_at DESC, id DESC);
-- Workers claim the oldest queued job of their kinds; the queue is small
-- next to the history, so the index holds queued jobs only.
CREATE INDEX jobs_queue ON jobs (created_at, id) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (heartbeat_at) WHERE status = 'running';
