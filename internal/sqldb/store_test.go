package sqldb

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
)

// wantErr checks that err has the code and a message containing part.
func wantErr(t *testing.T, name string, err error, code, part string) {
	t.Helper()
	if got := errs.Code(err); got != code {
		t.Errorf("%s: code %q (err %v), want %q", name, got, err, code)
	}
	if got := errs.Message(err); !strings.Contains(got, part) {
		t.Errorf("%s: message %q, want it to contain %q", name, got, part)
	}
}

// MustUser creates a customer with the email and segment.
func MustUser(tb testing.TB, db *DB, email, region, ageBand string) account.User {
	tb.Helper()
	u, err := db.CreateUser(context.Background(), account.User{
		Email: email, Name: "Name of " + email, Role: account.Customer, Region: region, AgeBand: ageBand,
	}, "hash-"+email)
	if err != nil {
		tb.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

// MustModel creates and publishes a model version.
func MustModel(tb testing.TB, db *DB, name, version string) catalog.Version {
	tb.Helper()
	ctx := context.Background()
	v, err := db.CreateModel(ctx, catalog.Version{Name: name, Version: version, Source: "model " + name})
	if err != nil {
		tb.Fatalf("CreateModel: %v", err)
	}
	if v, err = db.PublishModel(ctx, v.ID, time.Now()); err != nil {
		tb.Fatalf("PublishModel: %v", err)
	}
	return v
}

// MustDesign saves a design of owner under model with the selection.
func MustDesign(tb testing.TB, db *DB, owner account.User, modelID, name string, vis design.Visibility, sel map[string]string) design.Design {
	tb.Helper()
	d, err := db.CreateDesign(context.Background(), design.Design{
		OwnerID: owner.ID, ModelID: modelID, Name: name, Selection: sel, Visibility: vis, Price: 1000,
	})
	if err != nil {
		tb.Fatalf("CreateDesign(%s): %v", name, err)
	}
	d.OwnerName = owner.Name
	return d
}

func TestModels(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			admin := MustUser(t, db, "admin@example.com", "", "")
			before := time.Now().Add(-time.Second)
			v1, err := db.CreateModel(ctx, catalog.Version{Name: "phone", Version: "1.0", Source: "attribute size {}\n", CreatedBy: admin.ID})
			if err != nil {
				t.Fatalf("CreateModel: %v", err)
			}
			if v1.CreatedAt.Before(before) || v1.CreatedAt.After(time.Now().Add(time.Second)) {
				t.Errorf("CreatedAt = %v, want about now", v1.CreatedAt)
			}
			got, err := db.GetModel(ctx, v1.ID)
			if err != nil {
				t.Fatalf("GetModel: %v", err)
			}
			want := catalog.Version{ID: v1.ID, Name: "phone", Version: "1.0", Source: "attribute size {}\n", CreatedBy: admin.ID, CreatedAt: v1.CreatedAt}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GetModel (-want +got):\n%s", diff)
			}

			time.Sleep(2 * time.Millisecond) // created_at has millisecond resolution
			v2, err := db.CreateModel(ctx, catalog.Version{Name: "phone", Version: "1.1", Source: "x"})
			if err != nil {
				t.Fatalf("CreateModel 1.1: %v", err)
			}
			at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			p, err := db.PublishModel(ctx, v1.ID, at)
			if err != nil {
				t.Fatalf("PublishModel: %v", err)
			}
			if p, err = db.PublishModel(ctx, v1.ID, at.Add(time.Hour)); err != nil {
				t.Fatalf("PublishModel again: %v", err)
			}
			if !p.PublishedAt.Equal(at) {
				t.Errorf("PublishedAt after publishing twice = %v, want the first time %v", p.PublishedAt, at)
			}

			ids := func(vs []catalog.Version) []string {
				var out []string
				for _, v := range vs {
					out = append(out, v.ID)
				}
				return out
			}
			tests := []struct {
				drafts bool
				want   []string
			}{
				{false, []string{v1.ID}},
				{true, []string{v2.ID, v1.ID}},
			}
			for _, tt := range tests {
				vs, err := db.Models(ctx, tt.drafts)
				if err != nil {
					t.Fatalf("Models(%v): %v", tt.drafts, err)
				}
				if diff := cmp.Diff(tt.want, ids(vs)); diff != "" {
					t.Errorf("Models(%v) ids (-want +got):\n%s", tt.drafts, diff)
				}
			}

			errTests := []struct {
				name       string
				err        error
				code, part string
			}{
				{"duplicate", second(db.CreateModel(ctx, catalog.Version{Name: "phone", Version: "1.0", Source: "other"})), errs.Conflict, "phone version 1.0 already exists"},
				{"missing", second(db.GetModel(ctx, "nope")), errs.NotFound, "nope not found"},
				{"publish missing", second(db.PublishModel(ctx, "nope", at)), errs.NotFound, "nope not found"},
				{"no name", second(db.CreateModel(ctx, catalog.Version{Version: "1.0", Source: "x"})), errs.Invalid, "name is required"},
				{"no version", second(db.CreateModel(ctx, catalog.Version{Name: "phone", Source: "x"})), errs.Invalid, "version is required"},
				{"no source", second(db.CreateModel(ctx, catalog.Version{Name: "phone", Version: "2"})), errs.Invalid, "source is required"},
				{"unknown creator", second(db.CreateModel(ctx, catalog.Version{Name: "phone", Version: "3", Source: "x", CreatedBy: "ghost"})), errs.NotFound, "ghost not found"},
			}
			for _, tt := range errTests {
				wantErr(t, tt.name, tt.err, tt.code, tt.part)
			}
		})
	}
}

func TestUsers(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "europe", "25-34")
			got, hash, err := db.UserByEmail(ctx, "ann@example.com")
			if err != nil {
				t.Fatalf("UserByEmail: %v", err)
			}
			if diff := cmp.Diff(ann, got); diff != "" {
				t.Errorf("UserByEmail (-want +got):\n%s", diff)
			}
			if hash != "hash-ann@example.com" {
				t.Errorf("hash = %q, want the one stored", hash)
			}
			if err := db.SetRole(ctx, ann.ID, account.Analyst); err != nil {
				t.Fatalf("SetRole: %v", err)
			}
			ann.Role = account.Analyst
			if got, err = db.UserByID(ctx, ann.ID); err != nil {
				t.Fatalf("UserByID: %v", err)
			}
			if diff := cmp.Diff(ann, got); diff != "" {
				t.Errorf("UserByID after SetRole (-want +got):\n%s", diff)
			}

			// No segment: "" back, stored as NULL.
			bob := MustUser(t, db, "bob@example.com", "", "")
			if got, _ = db.UserByID(ctx, bob.ID); got.Region != "" || got.AgeBand != "" || got.Role != account.Customer {
				t.Errorf("UserByID(bob) = %+v, want no segment and role customer", got)
			}

			many := []account.User{{Email: "c1@example.com", Name: "C1"}, {Email: "c2@example.com", Name: "C2", Region: "asia-pacific"}}
			created, err := db.CreateUsers(ctx, many, "shared")
			if err != nil {
				t.Fatalf("CreateUsers: %v", err)
			}
			for _, u := range created {
				got, hash, err := db.UserByEmail(ctx, u.Email)
				if err != nil || hash != "shared" {
					t.Fatalf("UserByEmail(%s) = %v, %q, want the shared hash", u.Email, err, hash)
				}
				if diff := cmp.Diff(u, got); diff != "" {
					t.Errorf("user from CreateUsers (-want +got):\n%s", diff)
				}
			}
			// One taken address fails the batch, and nothing of it is stored.
			_, err = db.CreateUsers(ctx, []account.User{{Email: "new@example.com", Name: "N"}, {Email: "ann@example.com", Name: "A"}}, "")
			wantErr(t, "CreateUsers duplicate", err, errs.Conflict, "ann@example.com already exists")
			if _, _, err := db.UserByEmail(ctx, "new@example.com"); errs.Code(err) != errs.NotFound {
				t.Errorf("user of a failed batch: err %v, want not found", err)
			}

			errTests := []struct {
				name       string
				err        error
				code, part string
			}{
				{"duplicate email", second(db.CreateUser(ctx, account.User{Email: "ann@example.com", Name: "Other"}, "")), errs.Conflict, "already exists"},
				{"unknown email", third(db.UserByEmail(ctx, "nobody@example.com")), errs.NotFound, "nobody@example.com"},
				{"unknown id", second(db.UserByID(ctx, "ghost")), errs.NotFound, "ghost not found"},
				{"set role of unknown", db.SetRole(ctx, "ghost", account.Admin), errs.NotFound, "ghost not found"},
				{"unknown role", db.SetRole(ctx, ann.ID, "king"), errs.Invalid, "Unknown role"},
			}
			for _, tt := range errTests {
				wantErr(t, tt.name, tt.err, tt.code, tt.part)
			}
		})
	}
}

func third[T, U any](_ T, _ U, err error) error { return err }

func TestSessions(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")
			now := time.Now()
			if err := db.CreateSession(ctx, ann.ID, "live", now.Add(time.Hour)); err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
			if err := db.CreateSession(ctx, ann.ID, "old", now.Add(-time.Minute)); err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
			got, err := db.SessionUser(ctx, "live", now)
			if err != nil {
				t.Fatalf("SessionUser: %v", err)
			}
			if diff := cmp.Diff(ann, got); diff != "" {
				t.Errorf("SessionUser (-want +got):\n%s", diff)
			}
			const expired = "Your session has expired or is not valid; sign in again."
			wantErr(t, "expired", second(db.SessionUser(ctx, "old", now)), errs.Unauthorized, expired)
			wantErr(t, "expires now", second(db.SessionUser(ctx, "live", now.Add(time.Hour))), errs.Unauthorized, expired)
			wantErr(t, "unknown", second(db.SessionUser(ctx, "nope", now)), errs.Unauthorized, expired)
			wantErr(t, "unknown user", db.CreateSession(ctx, "ghost", "x", now.Add(time.Hour)), errs.NotFound, "ghost")

			if err := db.DeleteSession(ctx, "live"); err != nil {
				t.Fatalf("DeleteSession: %v", err)
			}
			wantErr(t, "after sign-out", second(db.SessionUser(ctx, "live", now)), errs.Unauthorized, expired)
			if err := db.DeleteSession(ctx, "live"); err != nil {
				t.Errorf("DeleteSession of an ended session: %v, want nil", err)
			}
		})
	}
}

func TestAPITokens(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")
			bob := MustUser(t, db, "bob@example.com", "", "")
			ci, err := db.CreateAPIToken(ctx, ann.ID, "ci", "hash-ci")
			if err != nil {
				t.Fatalf("CreateAPIToken: %v", err)
			}
			time.Sleep(2 * time.Millisecond)
			erp, err := db.CreateAPIToken(ctx, ann.ID, "erp", "hash-erp")
			if err != nil {
				t.Fatalf("CreateAPIToken: %v", err)
			}
			got, err := db.APITokens(ctx, ann.ID)
			if err != nil {
				t.Fatalf("APITokens: %v", err)
			}
			if diff := cmp.Diff([]account.Token{erp, ci}, got); diff != "" {
				t.Errorf("APITokens, newest first (-want +got):\n%s", diff)
			}

			// Use is recorded, but at most once a minute.
			t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
			uses := []struct {
				at       time.Time
				wantUsed time.Time
			}{
				{t0, t0},
				{t0.Add(30 * time.Second), t0},
				{t0.Add(59 * time.Second), t0},
				{t0.Add(61 * time.Second), t0.Add(61 * time.Second)},
			}
			for _, u := range uses {
				owner, err := db.TokenUser(ctx, "hash-ci", u.at)
				if err != nil {
					t.Fatalf("TokenUser at %v: %v", u.at, err)
				}
				if owner.ID != ann.ID {
					t.Errorf("TokenUser = %s, want %s", owner.ID, ann.ID)
				}
				ts, err := db.APITokens(ctx, ann.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got := ts[1].LastUsedAt; !got.Equal(u.wantUsed) {
					t.Errorf("after a call at %v: LastUsedAt = %v, want %v", u.at, got, u.wantUsed)
				}
			}

			wantErr(t, "unknown token", second(db.TokenUser(ctx, "nope", t0)), errs.Unauthorized, "not valid")
			wantErr(t, "another user's token", db.DeleteAPIToken(ctx, bob.ID, ci.ID), errs.NotFound, ci.ID)
			if err := db.DeleteAPIToken(ctx, ann.ID, ci.ID); err != nil {
				t.Fatalf("DeleteAPIToken: %v", err)
			}
			wantErr(t, "revoked token", second(db.TokenUser(ctx, "hash-ci", t0)), errs.Unauthorized, "not valid")
			wantErr(t, "revoke twice", db.DeleteAPIToken(ctx, ann.ID, ci.ID), errs.NotFound, ci.ID)
			if ts, _ := db.APITokens(ctx, bob.ID); len(ts) != 0 {
				t.Errorf("APITokens(bob) = %v, want none", ts)
			}
		})
	}
}

// choices returns the design_choices rows of a design as a selection.
func choices(t *testing.T, db *DB, id string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.Read(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT attribute, level FROM design_choices WHERE design_id = $1`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, l string
			if err := rows.Scan(&a, &l); err != nil {
				return err
			}
			out[a] = l
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var shareToken = regexp.MustCompile(`^[A-Za-z0-9_-]{22,}$`) // 128 bits or more, base64url

func TestDesigns(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")
			bob := MustUser(t, db, "bob@example.com", "", "")
			m := MustModel(t, db, "phone", "1")

			sel := map[string]string{"colour": "red", "memory": "128"}
			d := MustDesign(t, db, ann, m.ID, "Red", design.Link, sel)
			if !shareToken.MatchString(d.ShareToken) {
				t.Errorf("ShareToken = %q, want 22+ URL-safe characters", d.ShareToken)
			}
			if d.ID == "" || d.CreatedAt.IsZero() || !d.UpdatedAt.Equal(d.CreatedAt) {
				t.Errorf("CreateDesign = %+v, want ID and equal CreatedAt, UpdatedAt", d)
			}
			got, err := db.GetDesign(ctx, d.ID)
			if err != nil {
				t.Fatalf("GetDesign: %v", err)
			}
			if diff := cmp.Diff(d, got); diff != "" {
				t.Errorf("GetDesign (-want +got):\n%s", diff)
			}
			if got, err = db.DesignByShareToken(ctx, d.ShareToken); err != nil {
				t.Fatalf("DesignByShareToken: %v", err)
			}
			if diff := cmp.Diff(d, got); diff != "" {
				t.Errorf("DesignByShareToken (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(sel, choices(t, db, d.ID)); diff != "" {
				t.Errorf("design_choices after create (-want +got):\n%s", diff)
			}

			// An import keeps its time.
			old := time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
			imported, err := db.CreateDesign(ctx, design.Design{OwnerID: bob.ID, ModelID: m.ID, Name: "Old", Visibility: design.Private, CreatedAt: old})
			if err != nil {
				t.Fatalf("CreateDesign with CreatedAt: %v", err)
			}
			if !imported.CreatedAt.Equal(old) || !imported.UpdatedAt.Equal(old) {
				t.Errorf("imported times = %v, %v, want %v", imported.CreatedAt, imported.UpdatedAt, old)
			}

			upd := d
			upd.Name, upd.Selection, upd.Complete, upd.Price, upd.Visibility = "Blue", map[string]string{"colour": "blue", "camera": "pro"}, true, 2500, design.Public
			got, err = db.UpdateDesign(ctx, upd)
			if err != nil {
				t.Fatalf("UpdateDesign: %v", err)
			}
			if !got.UpdatedAt.After(d.UpdatedAt) && !got.UpdatedAt.Equal(d.UpdatedAt) {
				t.Errorf("UpdatedAt = %v, want at or after %v", got.UpdatedAt, d.UpdatedAt)
			}
			upd.UpdatedAt = got.UpdatedAt
			if diff := cmp.Diff(upd, got); diff != "" {
				t.Errorf("UpdateDesign (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(upd.Selection, choices(t, db, d.ID)); diff != "" {
				t.Errorf("design_choices after update (-want +got):\n%s", diff)
			}

			stolen := upd
			stolen.OwnerID, stolen.Name = bob.ID, "Mine now"
			errTests := []struct {
				name       string
				err        error
				code, part string
			}{
				{"update another's", second(db.UpdateDesign(ctx, stolen)), errs.NotFound, d.ID},
				{"update missing", second(db.UpdateDesign(ctx, design.Design{ID: "nope", OwnerID: ann.ID, Name: "x", Visibility: design.Private})), errs.NotFound, "nope"},
				{"delete another's", db.DeleteDesign(ctx, bob.ID, d.ID), errs.NotFound, d.ID},
				{"get missing", second(db.GetDesign(ctx, "nope")), errs.NotFound, "nope"},
				{"unknown share token", second(db.DesignByShareToken(ctx, "nope")), errs.NotFound, "No design is shared"},
				{"unknown model", second(db.CreateDesign(ctx, design.Design{OwnerID: ann.ID, ModelID: "nope", Name: "x", Visibility: design.Private})), errs.NotFound, "does not exist"},
				{"unknown visibility", second(db.CreateDesign(ctx, design.Design{OwnerID: ann.ID, ModelID: m.ID, Name: "x", Visibility: "secret"})), errs.Invalid, "Unknown visibility"},
			}
			for _, tt := range errTests {
				wantErr(t, tt.name, tt.err, tt.code, tt.part)
			}
			if got, _ := db.GetDesign(ctx, d.ID); got.Name != "Blue" {
				t.Errorf("after another user's update: name %q, want Blue", got.Name)
			}

			if _, err := db.Vote(ctx, bob.ID, d.ID, true); err != nil {
				t.Fatalf("Vote: %v", err)
			}
			if err := db.DeleteDesign(ctx, ann.ID, d.ID); err != nil {
				t.Fatalf("DeleteDesign: %v", err)
			}
			wantErr(t, "get deleted", second(db.GetDesign(ctx, d.ID)), errs.NotFound, d.ID)
			if got := choices(t, db, d.ID); len(got) != 0 {
				t.Errorf("design_choices of a deleted design: %v, want none", got)
			}
			if voted, _ := db.Voted(ctx, bob.ID, []string{d.ID}); voted[d.ID] {
				t.Error("the vote for a deleted design remains")
			}
		})
	}
}
