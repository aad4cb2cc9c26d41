package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/models"
)

type fixture struct {
	svc     *service.Service
	model   string
	anon    context.Context
	ana     context.Context // a customer
	bob     context.Context // another customer
	analyst context.Context
	admin   context.Context
	clock   *time.Time
	db      *sqldb.DB
	runner  *fakeRunner // runs "fit" jobs, in name only
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	f := &fixture{clock: &now, anon: ctx, db: db, runner: &fakeRunner{kinds: []string{"fit"}}}
	f.svc = service.New(db, service.Config{Now: func() time.Time { return *f.clock }, SessionTTL: time.Hour, Jobs: f.runner})
	v, err := f.svc.EnsureModel(ctx, models.PhoneFile, models.Phone)
	if err != nil {
		t.Fatal(err)
	}
	f.model = v.ID
	user := func(email string, role account.Role) context.Context {
		u, err := f.svc.CreateUser(ctx, account.SignUp{Email: email, Password: "long enough pw", Name: email}, role, true)
		if err != nil {
			t.Fatal(err)
		}
		return account.NewContext(ctx, u)
	}
	f.ana, f.bob = user("ana@example.com", account.Customer), user("bob@example.com", account.Customer)
	f.analyst, f.admin = user("an@example.com", account.Analyst), user("ad@example.com", account.Admin)
	return f
}

func code(err error) string { return errs.Code(err) }

// TestAuthorisation checks, for each operation, who may do it: the service
// is the one place that decides.
func TestAuthorisation(t *testing.T) {
	f := newFixture(t)
	private, err := f.svc.SaveDesign(f.ana, service.DesignInput{ModelID: f.model, Name: "mine", Selection: map[string]string{"size": "compact"}})
	if err != nil {
		t.Fatal(err)
	}
	link, err := f.svc.SaveDesign(f.ana, service.DesignInput{ModelID: f.model, Name: "shared", Visibility: design.Link})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"owner reads a private design", func() error { _, err := f.svc.Design(f.ana, private.ID); return err }, ""},
		{"another customer reads it", func() error { _, err := f.svc.Design(f.bob, private.ID); return err }, errs.NotFound},
		{"an admin reads it by id", func() error { _, err := f.svc.Design(f.admin, private.ID); return err }, errs.NotFound},
		{"nobody reads it", func() error { _, err := f.svc.Design(f.anon, private.ID); return err }, errs.NotFound},
		{"another customer updates it", func() error {
			_, err := f.svc.UpdateDesign(f.bob, private.ID, service.DesignInput{ModelID: f.model, Name: "taken"})
			return err
		}, errs.NotFound},
		{"another customer deletes it", func() error { return f.svc.DeleteDesign(f.bob, private.ID) }, errs.NotFound},
		{"nobody saves", func() error {
			_, err := f.svc.SaveDesign(f.anon, service.DesignInput{ModelID: f.model, Name: "x"})
			return err
		}, errs.Unauthorized},
		{"a link design by its share token", func() error { _, err := f.svc.SharedDesign(f.anon, link.ShareToken); return err }, ""},
		{"a private design by its share token", func() error { _, err := f.svc.SharedDesign(f.bob, private.ShareToken); return err }, errs.NotFound},
		{"a vote for a link design", func() error { _, err := f.svc.Vote(f.bob, link.ID, true); return err }, errs.NotFound},
		{"a customer reads stats", func() error { _, err := f.svc.Stats(f.ana, design.Filter{ModelID: f.model}, nil); return err }, errs.Forbidden},
		{"an analyst reads stats", func() error { _, err := f.svc.Stats(f.analyst, design.Filter{ModelID: f.model}, nil); return err }, ""},
		{"nobody reads stats", func() error { _, err := f.svc.Stats(f.anon, design.Filter{ModelID: f.model}, nil); return err }, errs.Unauthorized},
		{"a customer uploads a model", func() error { _, _, err := f.svc.UploadModel(f.ana, "m", models.Phone); return err }, errs.Forbidden},
		{"an analyst publishes a model", func() error { _, err := f.svc.PublishModel(f.analyst, f.model); return err }, errs.Forbidden},
		{"nobody makes an API token", func() error { _, _, err := f.svc.CreateAPIToken(f.anon, "x"); return err }, errs.Unauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.do()); got != tt.want {
				t.Errorf("code %q, want %q", got, tt.want)
			}
		})
	}
	// Nothing above changed the private design.
	d, err := f.svc.Design(f.ana, private.ID)
	if err != nil || d.Name != "mine" {
		t.Errorf("private design after the attempts: %+v, %v", d, err)
	}
	// Others never see the share token.
	if d, _ := f.svc.SharedDesign(f.bob, link.ShareToken); d.ShareToken != "" {
		t.Error("another user sees the share token")
	}
}

func TestSaveDesignChecksTheSelection(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		sel  map[string]string
		want string
	}{
		{"unknown attribute", map[string]string{"colr": "black"}, errs.Invalid},
		{"unknown level", map[string]string{"colour": "blak"}, errs.Invalid},
		{"a clash", map[string]string{"wireless": "qi15", "back": "aluminium"}, errs.Invalid},
		{"partial and valid", map[string]string{"size": "compact"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := f.svc.SaveDesign(f.ana, service.DesignInput{ModelID: f.model, Name: tt.name, Selection: tt.sel})
			if got := code(err); got != tt.want {
				t.Fatalf("code %q (%v), want %q", got, err, tt.want)
			}
			if err == nil && (d.Complete || d.Price <= 0) {
				t.Errorf("partial design: complete=%v price=%d; want partial with the lowest price", d.Complete, d.Price)
			}
		})
	}
	list, _, err := f.svc.MyDesigns(f.ana, design.Page{})
	if err != nil || len(list) != 1 {
		t.Errorf("stored designs: %d, %v; want only the valid one", len(list), err)
	}
}

func TestSessions(t *testing.T) {
	f := newFixture(t)
	_, token, err := f.svc.Login(f.anon, "ANA@example.com ", "long enough pw", "1.2.3.4")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := f.svc.Authenticate(f.anon, token); err != nil || u.Email != "ana@example.com" {
		t.Fatalf("Authenticate = %+v, %v", u, err)
	}
	*f.clock = f.clock.Add(2 * time.Hour) // past the one-hour TTL
	if _, err := f.svc.Authenticate(f.anon, token); code(err) != errs.Unauthorized {
		t.Errorf("expired session: %v, want unauthorized", err)
	}
	for _, forged := range []string{"", "tls_forged", "tlt_forged", token + "x", "garbage"} {
		if _, err := f.svc.Authenticate(f.anon, forged); code(err) != errs.Unauthorized {
			t.Errorf("forged %q: %v, want unauthorized", forged, err)
		}
	}
	// Wrong password and unknown account answer alike.
	_, _, e1 := f.svc.Login(f.anon, "ana@example.com", "wrong password", "5.6.7.8")
	_, _, e2 := f.svc.Login(f.anon, "nobody@example.com", "wrong password", "5.6.7.8")
	if code(e1) != errs.Unauthorized || errs.Message(e1) != errs.Message(e2) {
		t.Errorf("wrong password: %v; unknown account: %v; want the same unauthorized answer", e1, e2)
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	f := newFixture(t)
	var last error
	for range 11 {
		_, _, last = f.svc.Login(f.anon, "bob@example.com", "wrong password", "9.9.9.9")
	}
	if code(last) != errs.TooMany {
		t.Fatalf("11th attempt: %v, want too_many", last)
	}
	// The right password is refused too while the limit holds, then works
	// after the bucket refills.
	if _, _, err := f.svc.Login(f.anon, "bob@example.com", "long enough pw", "9.9.9.9"); code(err) != errs.TooMany {
		t.Errorf("right password during the limit: %v", err)
	}
	*f.clock = f.clock.Add(time.Minute)
	if _, _, err := f.svc.Login(f.anon, "bob@example.com", "long enough pw", "9.9.9.9"); err != nil {
		t.Errorf("after a minute: %v", err)
	}
}
