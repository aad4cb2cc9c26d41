package sqldb

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/survey"
)

// testSurvey is a small design made by hand: versions versions of two
// designed tasks and one holdout, two concepts and none. Storage does not
// read the design beyond its shape.
func testSurvey(versions int) *survey.Survey {
	s := &survey.Survey{
		Spec:       survey.Spec{Attributes: []string{"colour"}, Versions: versions, Tasks: 2, Concepts: 2, None: true, Holdouts: 1},
		Model:      "phone",
		Version:    "1.0",
		Currency:   "EUR",
		Attributes: []survey.Attribute{{Name: "colour", Label: "Colour", Levels: []survey.Level{{Name: "red", Label: "Red"}, {Name: "blue", Label: "Blue"}}}},
		Prices:     []int64{20000, 50000},
		Holdouts:   []survey.Task{{Concepts: []survey.Concept{{Levels: []int{0}, Price: 1}, {Levels: []int{1}, Price: 0}}}},
		Efficiency: survey.Efficiency{DError: 0.5, RandomDError: 0.6, Relative: 1.2},
	}
	for v := range versions {
		s.Versions = append(s.Versions, []survey.Task{
			{Concepts: []survey.Concept{{Levels: []int{v % 2}, Price: 0}, {Levels: []int{1 - v%2}, Price: 1}}},
			{Concepts: []survey.Concept{{Levels: []int{0}, Price: 0}, {Levels: []int{1}, Price: 1}}},
		})
	}
	return s
}

// MustSurvey stores a survey of testSurvey(versions) and opens it.
func MustSurvey(tb testing.TB, db *DB, modelID, creator string, versions int) survey.Stored {
	tb.Helper()
	ctx := context.Background()
	s, err := db.CreateSurvey(ctx, survey.Stored{Name: "Colours", ModelID: modelID, Design: testSurvey(versions), CreatedBy: creator})
	if err != nil {
		tb.Fatalf("CreateSurvey: %v", err)
	}
	if s, err = db.SetSurveyStatus(ctx, s.ID, survey.Open, time.Now()); err != nil {
		tb.Fatalf("open survey: %v", err)
	}
	return s
}

// MustUsers creates n customers at once.
func MustUsers(tb testing.TB, db *DB, prefix string, n int) []account.User {
	tb.Helper()
	us := make([]account.User, n)
	for i := range us {
		us[i] = account.User{Email: fmt.Sprintf("%s%d@example.com", prefix, i), Name: fmt.Sprintf("%s %d", prefix, i), Role: account.Customer}
	}
	out, err := db.CreateUsers(context.Background(), us, "")
	if err != nil {
		tb.Fatalf("CreateUsers: %v", err)
	}
	return out
}

func TestSurveyLifecycle(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			analyst := MustUser(t, db, "an@example.com", "", "")
			ana, bob := MustUser(t, db, "ana@example.com", "", ""), MustUser(t, db, "bob@example.com", "", "")
			m := MustModel(t, db, "phone", "1.0")
			design := testSurvey(3)

			before := time.Now().Add(-time.Second)
			s, err := db.CreateSurvey(ctx, survey.Stored{Name: "Colours", ModelID: m.ID, Design: design, CreatedBy: analyst.ID, Status: survey.Open})
			if err != nil {
				t.Fatal(err)
			}
			if s.ID == "" || s.Status != survey.Draft || s.Versions != 3 || s.Tasks != 3 || s.CreatedAt.Before(before) {
				t.Errorf("created survey %+v: want an id, draft, 3 versions of 3 tasks, created now", s)
			}
			got, err := db.GetSurvey(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			s.Design = nil
			if diff := cmp.Diff(s, got); diff != "" {
				t.Errorf("GetSurvey (-want +got):\n%s", diff)
			}
			gotDesign, err := db.SurveyDesign(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(design, gotDesign); diff != "" {
				t.Errorf("SurveyDesign (-want +got):\n%s", diff)
			}
			if _, err := db.CreateSurvey(ctx, survey.Stored{Name: "x", ModelID: "nope", Design: design}); errs.Code(err) != errs.NotFound {
				t.Errorf("survey of an unknown model: %v, want not found", err)
			}
			if _, err := db.CreateSurvey(ctx, survey.Stored{Name: "x", ModelID: m.ID}); errs.Code(err) != errs.Invalid {
				t.Errorf("survey without a design: %v, want invalid", err)
			}

			// A draft takes no respondents and cannot be closed.
			_, err = db.StartSurvey(ctx, s.ID, ana.ID, time.Now())
			wantErr(t, "start a draft", err, errs.Conflict, "The survey is draft")
			_, err = db.SetSurveyStatus(ctx, s.ID, survey.Closed, time.Now())
			wantErr(t, "close a draft", err, errs.Conflict, "open it before closing it")
			_, err = db.SetSurveyStatus(ctx, s.ID, survey.Draft, time.Now())
			wantErr(t, "back to draft", err, errs.Invalid, "")
			_, err = db.SetSurveyStatus(ctx, "nope", survey.Open, time.Now())
			wantErr(t, "open an unknown survey", err, errs.NotFound, "")

			opened := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			s2, err := db.SetSurveyStatus(ctx, s.ID, survey.Open, opened)
			if err != nil || s2.Status != survey.Open || !s2.OpenedAt.Equal(opened) {
				t.Fatalf("open: %+v, %v", s2, err)
			}
			if again, err := db.SetSurveyStatus(ctx, s.ID, survey.Open, opened.Add(time.Hour)); err != nil || !again.OpenedAt.Equal(opened) {
				t.Errorf("opening twice: %+v, %v; want the first opening kept", again, err)
			}

			// Respondents get versions round robin and keep them.
			at := opened.Add(time.Minute)
			ra, err := db.StartSurvey(ctx, s.ID, ana.ID, at)
			if err != nil {
				t.Fatal(err)
			}
			want := survey.Respondent{SurveyID: s.ID, UserID: ana.ID, Seq: 0, Version: 0, Answered: 0, Tasks: 3, StartedAt: at}
			if diff := cmp.Diff(want, ra); diff != "" {
				t.Errorf("start (-want +got):\n%s", diff)
			}
			if again, err := db.StartSurvey(ctx, s.ID, ana.ID, at.Add(time.Hour)); err != nil || again != ra {
				t.Errorf("starting twice = %+v, %v; want %+v", again, err, ra)
			}
			rb, err := db.StartSurvey(ctx, s.ID, bob.ID, at)
			if err != nil || rb.Seq != 1 || rb.Version != 1 {
				t.Errorf("second respondent = %+v, %v; want sequence 1, version 1", rb, err)
			}
			_, err = db.StartSurvey(ctx, s.ID, "nobody", at)
			wantErr(t, "start as an unknown user", err, errs.NotFound, "")
			_, err = db.SurveyRespondent(ctx, s.ID, analyst.ID)
			wantErr(t, "progress of a non-respondent", err, errs.NotFound, "")

			// Answers go in order; the first one stands.
			_, err = db.AnswerSurvey(ctx, s.ID, ana.ID, 1, 0, at)
			wantErr(t, "answer out of order", err, errs.Conflict, "Answer task 0 first")
			ra, err = db.AnswerSurvey(ctx, s.ID, ana.ID, 0, 1, at)
			if err != nil || ra.Answered != 1 || !ra.FinishedAt.IsZero() {
				t.Errorf("first answer: %+v, %v", ra, err)
			}
			_, err = db.AnswerSurvey(ctx, s.ID, ana.ID, 0, 2, at)
			wantErr(t, "answer twice", err, errs.Conflict, "Task 0 is answered already; the first answer stands.")
			_, err = db.AnswerSurvey(ctx, s.ID, ana.ID, 3, 0, at)
			wantErr(t, "answer a task beyond the last", err, errs.Invalid, "Task 3 does not exist")
			_, err = db.AnswerSurvey(ctx, s.ID, analyst.ID, 0, 0, at)
			wantErr(t, "answer without starting", err, errs.Conflict, "Start the survey")
			_, err = db.AnswerSurvey(ctx, "nope", ana.ID, 0, 0, at)
			wantErr(t, "answer an unknown survey", err, errs.NotFound, "")
			done := at.Add(2 * time.Minute)
			db.AnswerSurvey(ctx, s.ID, ana.ID, 1, 0, at)
			ra, err = db.AnswerSurvey(ctx, s.ID, ana.ID, 2, 2, done)
			if err != nil || ra.Answered != 3 || !ra.Done() || !ra.FinishedAt.Equal(done) {
				t.Errorf("last answer: %+v, %v; want done at %v", ra, err, done)
			}
			_, err = db.AnswerSurvey(ctx, s.ID, ana.ID, 3, 0, at)
			wantErr(t, "answer after the last task", err, errs.Invalid, "Task 3 does not exist")
			db.AnswerSurvey(ctx, s.ID, bob.ID, 0, 0, at)

			got, err = db.GetSurvey(ctx, s.ID)
			if err != nil || got.Respondents != 2 || got.Completed != 1 || got.Answers != 4 {
				t.Errorf("counts: %+v, %v; want 2 respondents, 1 completed, 4 answers", got, err)
			}
			answers, err := db.SurveyAnswers(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantAnswers := []survey.Answer{
				{Respondent: "r1", Version: 0, Task: 0, Choice: 1},
				{Respondent: "r1", Version: 0, Task: 1, Choice: 0},
				{Respondent: "r1", Version: 0, Task: 2, Choice: 2},
				{Respondent: "r2", Version: 1, Task: 0, Choice: 0},
			}
			if diff := cmp.Diff(wantAnswers, answers); diff != "" {
				t.Errorf("SurveyAnswers (-want +got):\n%s", diff)
			}
			if _, err := design.Data(answers, false); err != nil {
				t.Errorf("the stored answers do not code: %v", err)
			}
			_, err = db.SurveyAnswers(ctx, "nope")
			wantErr(t, "answers of an unknown survey", err, errs.NotFound, "")

			// What each customer sees.
			invites, err := db.UserSurveys(ctx, bob.ID)
			if err != nil || len(invites) != 1 || !invites[0].Started || invites[0].Respondent.Answered != 1 || !invites[0].Pending() {
				t.Errorf("Bob's surveys = %+v, %v; want one started, one answer, pending", invites, err)
			}
			if invites, _ := db.UserSurveys(ctx, ana.ID); len(invites) != 1 || invites[0].Pending() {
				t.Errorf("Ana's surveys = %+v; want one, finished", invites)
			}
			if invites, _ := db.UserSurveys(ctx, analyst.ID); len(invites) != 1 || invites[0].Started || !invites[0].Pending() {
				t.Errorf("the analyst's surveys = %+v; want one, not started", invites)
			}

			// Closing stops answers and starts for good.
			closed := opened.Add(time.Hour)
			if s2, err = db.SetSurveyStatus(ctx, s.ID, survey.Closed, closed); err != nil || s2.Status != survey.Closed || !s2.ClosedAt.Equal(closed) {
				t.Fatalf("close: %+v, %v", s2, err)
			}
			_, err = db.AnswerSurvey(ctx, s.ID, bob.ID, 1, 0, at)
			wantErr(t, "answer a closed survey", err, errs.Conflict, "The survey is closed")
			_, err = db.StartSurvey(ctx, s.ID, analyst.ID, at)
			wantErr(t, "start a closed survey", err, errs.Conflict, "The survey is closed")
			if r, err := db.StartSurvey(ctx, s.ID, bob.ID, at); err != nil || r.Answered != 1 {
				t.Errorf("a respondent's progress in a closed survey: %+v, %v", r, err)
			}
			_, err = db.SetSurveyStatus(ctx, s.ID, survey.Open, closed)
			wantErr(t, "reopen", err, errs.Conflict, "cannot be opened again")
			if invites, _ := db.UserSurveys(ctx, bob.ID); len(invites) != 0 {
				t.Errorf("a closed survey is still offered: %+v", invites)
			}

			list, err := db.Surveys(ctx, "")
			if err != nil || len(list) != 1 || list[0].Design != nil || list[0].Answers != 4 {
				t.Errorf("Surveys = %+v, %v", list, err)
			}
			if list, _ := db.Surveys(ctx, survey.Open); len(list) != 0 {
				t.Errorf("open surveys = %+v, want none", list)
			}
		})
	}
}

// TestSurveyConcurrentRespondents: respondents who start at the same time
// get distinct sequence numbers and versions in exact round robin, and
// answers racing a close are either stored before it or refused.
func TestSurveyConcurrentRespondents(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			m := MustModel(t, db, "phone", "1.0")
			const versions, people = 4, 24
			s := MustSurvey(t, db, m.ID, "", versions)
			users := MustUsers(t, db, "p", people)

			rs := make([]survey.Respondent, people)
			var wg sync.WaitGroup
			errc := make(chan error, people)
			for i, u := range users {
				wg.Go(func() {
					r, err := db.StartSurvey(ctx, s.ID, u.ID, time.Now())
					rs[i] = r
					if err != nil {
						errc <- err
					}
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Fatalf("concurrent start: %v", err)
			}
			var seqs []int
			perVersion := make([]int, versions)
			for _, r := range rs {
				seqs = append(seqs, r.Seq)
				perVersion[r.Version]++
				if r.Version != r.Seq%versions {
					t.Errorf("respondent %d has version %d", r.Seq, r.Version)
				}
			}
			slices.Sort(seqs)
			for i, seq := range seqs {
				if seq != i {
					t.Fatalf("sequence numbers %v, want 0 to %d once each", seqs, people-1)
				}
			}
			if diff := cmp.Diff([]int{6, 6, 6, 6}, perVersion); diff != "" {
				t.Errorf("respondents per version (-want +got):\n%s", diff)
			}

			// Everyone answers the first task, then the others as fast as
			// they can while the survey closes.
			for _, u := range users {
				wg.Go(func() {
					if _, err := db.AnswerSurvey(ctx, s.ID, u.ID, 0, 0, time.Now()); err != nil {
						t.Errorf("first answer: %v", err)
					}
				})
			}
			wg.Wait()
			var mu sync.Mutex
			accepted := people
			var closedAt time.Time
			for _, u := range users {
				wg.Go(func() {
					for task := 1; task < 3; task++ {
						began := time.Now()
						_, err := db.AnswerSurvey(ctx, s.ID, u.ID, task, 0, began)
						mu.Lock()
						switch {
						case err == nil:
							accepted++
							if !closedAt.IsZero() && began.After(closedAt) {
								t.Errorf("an answer begun after the close was accepted")
							}
						case errs.Code(err) != errs.Conflict:
							t.Errorf("answer: %v", err)
						}
						mu.Unlock()
						if err != nil {
							return
						}
					}
				})
			}
			wg.Go(func() {
				if _, err := db.SetSurveyStatus(ctx, s.ID, survey.Closed, time.Now()); err != nil {
					t.Errorf("close: %v", err)
				}
				mu.Lock()
				closedAt = time.Now()
				mu.Unlock()
			})
			wg.Wait()
			got, err := db.GetSurvey(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Answers != accepted {
				t.Errorf("%d answers stored, %d accepted; want equal", got.Answers, accepted)
			}
			answers, err := db.SurveyAnswers(ctx, s.ID)
			if err != nil || len(answers) != accepted {
				t.Errorf("SurveyAnswers: %d answers, %v; want %d", len(answers), err, accepted)
			}
		})
	}
}

func TestImportSurveyResponses(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			m := MustModel(t, db, "phone", "1.0")
			s := MustSurvey(t, db, m.ID, "", 5)
			const n = 2500
			users := MustUsers(t, db, "sim", n+1)
			rs := make([]survey.Response, n)
			for i := range rs {
				rs[i] = survey.Response{UserID: users[i].ID, Version: i % 5, Choices: []int{i % 3, (i + 1) % 3, 0}}
			}
			rs[7].Choices = rs[7].Choices[:1] // stopped after the first task
			at := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

			start := time.Now()
			if err := db.ImportSurveyResponses(ctx, s.ID, rs, at); err != nil {
				t.Fatal(err)
			}
			t.Logf("imported %d respondents with %d answers in %v", n, 3*n-2, time.Since(start))
			got, err := db.GetSurvey(ctx, s.ID)
			if err != nil || got.Respondents != n || got.Completed != n-1 || got.Answers != 3*n-2 {
				t.Errorf("after the import: %+v, %v; want %d respondents, %d completed, %d answers", got, err, n, n-1, 3*n-2)
			}
			answers, err := db.SurveyAnswers(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := (survey.Answer{Respondent: "r9", Version: 3, Task: 1, Choice: 0}); answers[23] != want {
				t.Errorf("answer of respondent 9, task 1 = %+v, want %+v", answers[23], want)
			}
			if r, err := db.SurveyRespondent(ctx, s.ID, users[7].ID); err != nil || r.Answered != 1 || r.Done() || r.Version != 2 {
				t.Errorf("the respondent who stopped: %+v, %v", r, err)
			}
			// They go on where they stopped; a new respondent continues the round robin.
			if _, err := db.AnswerSurvey(ctx, s.ID, users[7].ID, 1, 2, at); err != nil {
				t.Errorf("answer after the import: %v", err)
			}
			if r, err := db.StartSurvey(ctx, s.ID, users[n].ID, at); err != nil || r.Seq != n || r.Version != n%5 {
				t.Errorf("respondent after the import: %+v, %v; want sequence %d", r, err, n)
			}

			for _, tt := range []struct {
				name string
				rs   []survey.Response
				code string
			}{
				{"again", rs[:1], errs.Conflict},
				{"unknown user", []survey.Response{{UserID: "nope"}}, errs.NotFound},
				{"bad version", []survey.Response{{UserID: users[n].ID, Version: 5}}, errs.Invalid},
				{"too many answers", []survey.Response{{UserID: users[n].ID, Choices: make([]int, 4)}}, errs.Invalid},
			} {
				if err := db.ImportSurveyResponses(ctx, s.ID, tt.rs, at); errs.Code(err) != tt.code {
					t.Errorf("import %s: %v, want %s", tt.name, err, tt.code)
				}
			}
			if after, _ := db.GetSurvey(ctx, s.ID); after.Respondents != n+1 || after.Answers != 3*n-1 {
				t.Errorf("failed imports changed the survey: %+v", after)
			}
			draft, err := db.CreateSurvey(ctx, survey.Stored{Name: "draft", ModelID: m.ID, Design: testSurvey(1)})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.ImportSurveyResponses(ctx, draft.ID, rs[:1], at); errs.Code(err) != errs.Conflict {
				t.Errorf("import into a draft: %v, want conflict", err)
			}
		})
	}
}
