-- What a job works on, such as "survey:<id>" for a model fit of a survey's
-- answers, so that the survey's page can list its fits; '' for a job about
-- nothing in particular. Lists of one subject page by (created_at, id)
-- descending, like the other job lists.
ALTER TABLE jobs ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_subject ON jobs (subject, created_at DESC, id DESC) WHERE subject <> '';
