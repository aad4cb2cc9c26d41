package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/survey"
)

// Surveys are stored with their design as JSON. A respondent's version is
// assigned round robin by one conditional UPDATE ... RETURNING on the
// survey's respondent counter, and an answer is accepted by one conditional
// UPDATE of the respondent's answer count that also checks that the survey
// is open and that the task is the respondent's next one; so concurrent
// starts get distinct sequence numbers, an answer is either stored in order
// or rejected, and closing a survey rejects every answer committed after it
// (on PostgreSQL, SERIALIZABLE turns the race between an answer and a close
// into a retry of one of them).

// surveyColumns are a survey's columns, with the counts that are computed
// rather than kept: a counter on the survey row would make every answer
// write the same row. Respondents answer tasks 0 to answered-1, so the sum
// of answered counts the answers, from one row per respondent rather than
// one per answer.
const surveyColumns = surveyHead + `,
	(SELECT count(*) FROM survey_respondents r WHERE r.survey_id = s.id AND r.finished_at IS NOT NULL),
	(SELECT COALESCE(sum(r.answered), 0) FROM survey_respondents r WHERE r.survey_id = s.id)`

// surveyHead is surveyColumns without the computed counts.
const surveyHead = `s.id, s.name, s.model_id, s.status, s.versions, s.tasks, s.next_seq,
	COALESCE(s.created_by, ''), s.created_at, COALESCE(s.opened_at, ''), COALESCE(s.closed_at, '')`

const respondentColumns = `r.survey_id, r.user_id, r.seq, r.version, r.answered, s.tasks, r.started_at, COALESCE(r.finished_at, '')`

// CreateSurvey stores a new draft survey with its design and returns it
// with ID, Status (draft), Versions, Tasks and CreatedAt assigned.
// errs.Invalid without a design, errs.NotFound when the model version or
// the creator does not exist.
func (db *DB) CreateSurvey(ctx context.Context, s survey.Stored) (survey.Stored, error) {
	if s.Design == nil || len(s.Design.Versions) == 0 {
		return survey.Stored{}, errs.Errorf(errs.Invalid, "The survey has no design.")
	}
	b, err := json.Marshal(s.Design)
	if err != nil {
		return survey.Stored{}, fmt.Errorf("encode survey design: %w", err)
	}
	s.ID, s.Status, s.CreatedAt = newID(), survey.Draft, stamp(time.Now())
	s.Versions, s.Tasks = len(s.Design.Versions), s.Design.TasksPerRespondent()
	s.OpenedAt, s.ClosedAt = time.Time{}, time.Time{}
	s.Respondents, s.Completed, s.Answers = 0, 0, 0
	err = db.Transact(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO surveys (id, name, model_id, status, design, versions, tasks, next_seq, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`,
			s.ID, s.Name, s.ModelID, string(s.Status), string(b), s.Versions, s.Tasks, nullable(s.CreatedBy), formatTime(s.CreatedAt))
		if isForeignKeyViolation(err) {
			return errs.Errorf(errs.NotFound, "The survey's model version or creator does not exist.")
		}
		if err != nil {
			return fmt.Errorf("insert survey: %w", err)
		}
		return nil
	})
	if err != nil {
		return survey.Stored{}, err
	}
	return s, nil
}

// GetSurvey returns a survey with its counts, without its design (see
// SurveyDesign); errs.NotFound.
func (db *DB) GetSurvey(ctx context.Context, id string) (survey.Stored, error) {
	var s survey.Stored
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = findSurvey(ctx, tx, id)
		return err
	})
	return s, err
}

func findSurvey(ctx context.Context, tx *sql.Tx, id string) (survey.Stored, error) {
	s, err := scanSurvey(tx.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM surveys s WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Stored{}, errs.Errorf(errs.NotFound, "Survey %s not found.", id)
	}
	if err != nil {
		return survey.Stored{}, fmt.Errorf("find survey %s: %w", id, err)
	}
	return s, nil
}

// SurveyDesign returns a survey's design, which never changes once
// stored; errs.NotFound.
func (db *DB) SurveyDesign(ctx context.Context, id string) (*survey.Survey, error) {
	var raw string
	err := db.Read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT design FROM surveys WHERE id = $1`, id).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.NotFound, "Survey %s not found.", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var d survey.Survey
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return nil, fmt.Errorf("survey %s: design: %w", id, err)
	}
	return &d, nil
}

// Surveys lists the surveys with the status ("" for all), newest first,
// with their counts and without their designs.
func (db *DB) Surveys(ctx context.Context, status survey.Status) ([]survey.Stored, error) {
	var q query
	q.add(`SELECT ` + surveyColumns + ` FROM surveys s`)
	if status != "" {
		q.add(` WHERE s.status = ` + q.arg(string(status)))
	}
	q.add(` ORDER BY s.created_at DESC, s.id DESC`)
	var out []survey.Stored
	err := db.Read(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, q.text.String(), q.args...)
		if err != nil {
			return fmt.Errorf("list surveys: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanSurvey(rows)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// SetSurveyStatus opens a draft (to survey.Open) or closes an open survey
// (to survey.Closed) at the time given, and returns it. Opening an open
// survey or closing a closed one changes nothing. errs.NotFound,
// errs.Conflict for any other change (a closed survey stays closed), and
// errs.Invalid for a status other than open or closed.
func (db *DB) SetSurveyStatus(ctx context.Context, id string, to survey.Status, at time.Time) (survey.Stored, error) {
	var from survey.Status
	var column string
	switch to {
	case survey.Open:
		from, column = survey.Draft, "opened_at"
	case survey.Closed:
		from, column = survey.Open, "closed_at"
	default:
		return survey.Stored{}, errs.Errorf(errs.Invalid, "A survey can be opened or closed, not set to %q.", to)
	}
	var out survey.Stored
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE surveys SET status = $2, `+column+` = $3 WHERE id = $1 AND status = $4`,
			id, string(to), formatTime(at), string(from))
		if err != nil {
			return fmt.Errorf("set status of survey %s: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("rows affected: %w", err)
		}
		if out, err = findSurvey(ctx, tx, id); err != nil {
			return err
		}
		if n == 0 && out.Status != to {
			if to == survey.Open {
				return errs.Errorf(errs.Conflict, "The survey is closed; a closed survey cannot be opened again.")
			}
			return errs.Errorf(errs.Conflict, "The survey is a draft; open it before closing it.")
		}
		return nil
	})
	return out, err
}

// StartSurvey makes the user a respondent of an open survey and returns
// their progress: the next sequence number and the version it gives,
// round robin. A user who started already gets their own progress back,
// with their version unchanged, whatever the survey's status.
// errs.NotFound for an unknown survey or user, errs.Conflict when the
// survey is not open.
func (db *DB) StartSurvey(ctx context.Context, surveyID, userID string, at time.Time) (survey.Respondent, error) {
	var out survey.Respondent
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		r, err := findRespondent(ctx, tx, surveyID, userID)
		if err == nil {
			out = r
			return nil
		}
		if errs.Code(err) != errs.NotFound {
			return err
		}
		var seq, version int
		err = tx.QueryRowContext(ctx, `UPDATE surveys SET next_seq = next_seq + 1 WHERE id = $1 AND status = 'open'
			RETURNING next_seq - 1, (next_seq - 1) % versions`, surveyID).Scan(&seq, &version)
		if errors.Is(err, sql.ErrNoRows) {
			s, err := findSurvey(ctx, tx, surveyID)
			if err != nil {
				return err
			}
			return errs.Errorf(errs.Conflict, "The survey is %s; it takes no new respondents.", s.Status)
		}
		if err != nil {
			return fmt.Errorf("number respondent of survey %s: %w", surveyID, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO survey_respondents (survey_id, user_id, seq, version, answered, started_at)
			VALUES ($1, $2, $3, $4, 0, $5)`, surveyID, userID, seq, version, formatTime(at))
		if isForeignKeyViolation(err) {
			return errs.Errorf(errs.NotFound, "User %s not found.", userID)
		}
		if err != nil {
			return fmt.Errorf("insert respondent of survey %s: %w", surveyID, err)
		}
		out, err = findRespondent(ctx, tx, surveyID, userID)
		return err
	})
	return out, err
}

// SurveyRespondent returns the user's progress in a survey; errs.NotFound
// when they have not started it.
func (db *DB) SurveyRespondent(ctx context.Context, surveyID, userID string) (survey.Respondent, error) {
	var out survey.Respondent
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = findRespondent(ctx, tx, surveyID, userID)
		return err
	})
	return out, err
}

func findRespondent(ctx context.Context, tx *sql.Tx, surveyID, userID string) (survey.Respondent, error) {
	r, err := scanRespondent(tx.QueryRowContext(ctx, `SELECT `+respondentColumns+`
		FROM survey_respondents r JOIN surveys s ON s.id = r.survey_id
		WHERE r.survey_id = $1 AND r.user_id = $2`, surveyID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Respondent{}, errs.Errorf(errs.NotFound, "You have not started survey %s.", surveyID)
	}
	if err != nil {
		return survey.Respondent{}, fmt.Errorf("find respondent of survey %s: %w", surveyID, err)
	}
	return r, nil
}

// UserSurveys lists the open surveys, newest first, each with whether the
// user has started it and their progress. It leaves the surveys'
// Completed and Answers counts zero: the menu of every customer page asks
// for this list, and need not count a survey's answers each time.
func (db *DB) UserSurveys(ctx context.Context, userID string) ([]survey.Invitation, error) {
	var out []survey.Invitation
	err := db.Read(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+surveyHead+`, 0, 0,
				COALESCE(r.seq, -1), COALESCE(r.version, 0), COALESCE(r.answered, 0), COALESCE(r.started_at, ''), COALESCE(r.finished_at, '')
			FROM surveys s LEFT JOIN survey_respondents r ON r.survey_id = s.id AND r.user_id = $1
			WHERE s.status = 'open'
			ORDER BY s.created_at DESC, s.id DESC`, userID)
		if err != nil {
			return fmt.Errorf("list surveys of %s: %w", userID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var in survey.Invitation
			var started, finished string
			r := &in.Respondent
			s, err := scanSurvey(rows, &r.Seq, &r.Version, &r.Answered, &started, &finished)
			if err != nil {
				return err
			}
			in.Survey, in.Started = s, r.Seq >= 0
			if in.Started {
				r.SurveyID, r.UserID, r.Tasks = s.ID, userID, s.Tasks
				if r.StartedAt, err = parseTime(started); err != nil {
					return fmt.Errorf("respondent of survey %s: started_at: %w", s.ID, err)
				}
				if r.FinishedAt, err = parseTime(finished); err != nil {
					return fmt.Errorf("respondent of survey %s: finished_at: %w", s.ID, err)
				}
			} else {
				*r = survey.Respondent{}
			}
			out = append(out, in)
		}
		return rows.Err()
	})
	return out, err
}

// AnswerSurvey stores the user's choice in a task of a survey and returns
// their progress. Tasks are answered in order: task must be the user's
// next one. An answer stands as first given: answering a task again is
// errs.Conflict and keeps the first answer. errs.NotFound for an unknown
// survey, errs.Conflict when the user has not started the survey, when it
// is not open, or when the task is not the user's next one, errs.Invalid
// for a task the survey does not have. The choice is stored as given; the
// caller checks it against the design.
func (db *DB) AnswerSurvey(ctx context.Context, surveyID, userID string, task, choice int, at time.Time) (survey.Respondent, error) {
	var out survey.Respondent
	when := formatTime(at)
	err := db.Transact(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE survey_respondents SET answered = answered + 1,
				finished_at = CASE WHEN answered + 1 = (SELECT tasks FROM surveys WHERE id = $1) THEN $4 ELSE finished_at END
			WHERE survey_id = $1 AND user_id = $2 AND answered = $3
				AND EXISTS (SELECT 1 FROM surveys WHERE id = $1 AND status = 'open' AND tasks > $3)`,
			surveyID, userID, task, when)
		if err != nil {
			return fmt.Errorf("count answer to survey %s: %w", surveyID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("rows affected: %w", err)
		}
		if n == 0 {
			return answerRefused(ctx, tx, surveyID, userID, task)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (survey_id, user_id, task, choice, answered_at)
			VALUES ($1, $2, $3, $4, $5)`, surveyID, userID, task, choice, when); err != nil {
			return fmt.Errorf("insert answer to survey %s: %w", surveyID, err)
		}
		out, err = findRespondent(ctx, tx, surveyID, userID)
		return err
	})
	return out, err
}

// answerRefused says why AnswerSurvey's conditional update changed nothing.
func answerRefused(ctx context.Context, tx *sql.Tx, surveyID, userID string, task int) error {
	s, err := findSurvey(ctx, tx, surveyID)
	if err != nil {
		return err
	}
	r, err := findRespondent(ctx, tx, surveyID, userID)
	switch {
	case errs.Code(err) == errs.NotFound:
		return errs.Errorf(errs.Conflict, "Start the survey before answering it.")
	case err != nil:
		return err
	case s.Status != survey.Open:
		return errs.Errorf(errs.Conflict, "The survey is %s; it takes no answers.", s.Status)
	case task < 0 || task >= s.Tasks:
		return errs.Errorf(errs.Invalid, "Task %d does not exist; respondents answer tasks 0 to %d.", task, s.Tasks-1)
	case task < r.Answered:
		return errs.Errorf(errs.Conflict, "Task %d is answered already; the first answer stands.", task)
	}
	return errs.Errorf(errs.Conflict, "Answer task %d first; tasks are answered in order.", r.Answered)
}

// SurveyAnswers returns every answer to a survey, for fitting: respondents
// in the order they started, named by their labels (survey.RespondentLabel)
// rather than their accounts, each one's answers in task order.
// errs.NotFound for an unknown survey.
func (db *DB) SurveyAnswers(ctx context.Context, surveyID string) ([]survey.Answer, error) {
	var out []survey.Answer
	err := db.Read(ctx, func(tx *sql.Tx) error {
		out = nil
		if _, err := findSurvey(ctx, tx, surveyID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT r.seq, r.version, a.task, a.choice
			FROM survey_answers a JOIN survey_respondents r ON r.survey_id = a.survey_id AND r.user_id = a.user_id
			WHERE a.survey_id = $1
			ORDER BY r.seq, a.task`, surveyID)
		if err != nil {
			return fmt.Errorf("list answers to survey %s: %w", surveyID, err)
		}
		defer rows.Close()
		label, last := "", -1
		for rows.Next() {
			var seq int
			var a survey.Answer
			if err := rows.Scan(&seq, &a.Version, &a.Task, &a.Choice); err != nil {
				return err
			}
			if seq != last {
				label, last = survey.RespondentLabel(seq), seq
			}
			a.Respondent = label
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// Rows per multi-row INSERT of an import. SQLite looks up a numbered
// parameter by a linear search of the statement's parameters, so preparing
// a statement costs the square of its parameters: a few hundred per
// statement is fastest there, and many fewer round trips than one row
// per statement on PostgreSQL.
const importChunk = 100

// ImportSurveyResponses stores many respondents with their answers in one
// transaction: the demo's simulated customers, or answers collected
// elsewhere. Each response takes the next sequence number, as StartSurvey
// would give it, but keeps its own version; its choices are the answers to
// tasks 0, 1, ... and it is finished when it answers every task. The
// choices are stored as given; the caller checks them against the design.
// errs.NotFound for an unknown survey or user, errs.Conflict when the
// survey is not open or a user has started it already, errs.Invalid for a
// version the survey does not have or more choices than tasks.
func (db *DB) ImportSurveyResponses(ctx context.Context, surveyID string, rs []survey.Response, at time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	return db.Transact(ctx, func(tx *sql.Tx) error {
		var first, versions, tasks int
		err := tx.QueryRowContext(ctx, `UPDATE surveys SET next_seq = next_seq + $2 WHERE id = $1 AND status = 'open'
			RETURNING next_seq - $2, versions, tasks`, surveyID, len(rs)).Scan(&first, &versions, &tasks)
		if errors.Is(err, sql.ErrNoRows) {
			s, err := findSurvey(ctx, tx, surveyID)
			if err != nil {
				return err
			}
			return errs.Errorf(errs.Conflict, "The survey is %s; it takes no new respondents.", s.Status)
		}
		if err != nil {
			return fmt.Errorf("number respondents of survey %s: %w", surveyID, err)
		}
		for i, r := range rs {
			if r.Version < 0 || r.Version >= versions {
				return errs.Errorf(errs.Invalid, "Response %d: version %d does not exist; the survey has versions 0 to %d.", i+1, r.Version, versions-1)
			}
			if len(r.Choices) > tasks {
				return errs.Errorf(errs.Invalid, "Response %d answers %d tasks; the survey has %d.", i+1, len(r.Choices), tasks)
			}
		}
		var b insertBuilder
		for i := 0; i < len(rs); i += importChunk {
			b.start(`INSERT INTO survey_respondents (survey_id, user_id, seq, version, answered, started_at, finished_at) VALUES `, surveyID)
			for j, r := range rs[i:min(i+importChunk, len(rs))] {
				when := r.At
				if when.IsZero() {
					when = at
				}
				var finished any
				if len(r.Choices) == tasks {
					finished = formatTime(when)
				}
				b.row(r.UserID, first+i+j, r.Version, len(r.Choices), formatTime(when), finished)
			}
			if err := b.exec(ctx, tx); err != nil {
				switch {
				case isForeignKeyViolation(err):
					return errs.Errorf(errs.NotFound, "A respondent's user does not exist.")
				case isUniqueViolation(err):
					return errs.Errorf(errs.Conflict, "A respondent has started the survey already, or is listed twice.")
				}
				return fmt.Errorf("import respondents of survey %s: %w", surveyID, err)
			}
		}
		b.start(`INSERT INTO survey_answers (survey_id, user_id, task, choice, answered_at) VALUES `, surveyID)
		for _, r := range rs {
			when := r.At
			if when.IsZero() {
				when = at
			}
			for t, c := range r.Choices {
				if b.rows == importChunk {
					if err := b.exec(ctx, tx); err != nil {
						return fmt.Errorf("import answers to survey %s: %w", surveyID, err)
					}
					b.start(`INSERT INTO survey_answers (survey_id, user_id, task, choice, answered_at) VALUES `, surveyID)
				}
				b.row(r.UserID, t, c, formatTime(when))
			}
		}
		if b.rows > 0 {
			if err := b.exec(ctx, tx); err != nil {
				return fmt.Errorf("import answers to survey %s: %w", surveyID, err)
			}
		}
		return nil
	})
}

// insertBuilder builds a multi-row INSERT whose rows all start with the
// same first value, bound once as $1.
type insertBuilder struct {
	q    strings.Builder
	args []any
	rows int
}

func (b *insertBuilder) start(head string, first any) {
	b.q.Reset()
	b.q.WriteString(head)
	b.args = append(b.args[:0], first)
	b.rows = 0
}

func (b *insertBuilder) row(vals ...any) {
	if b.rows > 0 {
		b.q.WriteString(", ")
	}
	b.q.WriteString("($1")
	for _, v := range vals {
		b.args = append(b.args, v)
		fmt.Fprintf(&b.q, ", $%d", len(b.args))
	}
	b.q.WriteString(")")
	b.rows++
}

func (b *insertBuilder) exec(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, b.q.String(), b.args...)
	return err
}

// scanSurvey reads surveyColumns, then extra.
func scanSurvey(sc scanner, extra ...any) (survey.Stored, error) {
	var s survey.Stored
	var status, created, opened, closed string
	dest := append([]any{&s.ID, &s.Name, &s.ModelID, &status, &s.Versions, &s.Tasks, &s.Respondents,
		&s.CreatedBy, &created, &opened, &closed, &s.Completed, &s.Answers}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return survey.Stored{}, err
	}
	s.Status = survey.Status(status)
	var err error
	if s.CreatedAt, err = parseTime(created); err != nil {
		return survey.Stored{}, fmt.Errorf("survey %s: created_at: %w", s.ID, err)
	}
	if s.OpenedAt, err = parseTime(opened); err != nil {
		return survey.Stored{}, fmt.Errorf("survey %s: opened_at: %w", s.ID, err)
	}
	if s.ClosedAt, err = parseTime(closed); err != nil {
		return survey.Stored{}, fmt.Errorf("survey %s: closed_at: %w", s.ID, err)
	}
	return s, nil
}

func scanRespondent(sc scanner) (survey.Respondent, error) {
	var r survey.Respondent
	var started, finished string
	if err := sc.Scan(&r.SurveyID, &r.UserID, &r.Seq, &r.Version, &r.Answered, &r.Tasks, &started, &finished); err != nil {
		return survey.Respondent{}, err
	}
	var err error
	if r.StartedAt, err = parseTime(started); err != nil {
		return survey.Respondent{}, fmt.Errorf("respondent of survey %s: started_at: %w", r.SurveyID, err)
	}
	if r.FinishedAt, err = parseTime(finished); err != nil {
		return survey.Respondent{}, fmt.Errorf("respondent of survey %s: finished_at: %w", r.SurveyID, err)
	}
	return r, nil
}

// SurveyRegions returns the region each respondent of a survey gave when
// signing up, by respondent label ("" when they did not say), for shares
// of preference by region; errs.NotFound.
func (db *DB) SurveyRegions(ctx context.Context, surveyID string) (map[string]string, error) {
	out := map[string]string{}
	err := db.Read(ctx, func(tx *sql.Tx) error {
		clear(out)
		if _, err := findSurvey(ctx, tx, surveyID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT r.seq, u.region
			FROM survey_respondents r JOIN users u ON u.id = r.user_id
			WHERE r.survey_id = $1`, surveyID)
		if err != nil {
			return fmt.Errorf("list the regions of survey %s's respondents: %w", surveyID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var seq int
			var region sql.NullString
			if err := rows.Scan(&seq, &region); err != nil {
				return err
			}
			out[survey.RespondentLabel(seq)] = region.String
		}
		return rows.Err()
	})
	return out, err
}
