package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/internal/session"
	"github.com/tailor-c2b/tailor/models"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.Anon(t)

	r := c.Do("POST", "/api/v1/auth/signup", `{"email": " Ada@Example.com", "password": "correct horse battery", "name": "Ada", "region": "europe", "age_band": "25-34"}`).Want(t, 201)
	got := MustDecode[User](t, r)
	want := User{ID: got.ID, Email: "ada@example.com", Name: "Ada", Role: "customer", Region: "europe", AgeBand: "25-34", CreatedAt: got.CreatedAt}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("signup (-want +got):\n%s", diff)
	}
	if got.ID == "" || got.CreatedAt.IsZero() {
		t.Errorf("signup user %+v lacks id or created_at", got)
	}
	ck := sessionCookie(r)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge != int(e.svc.SessionTTL()/time.Second) || !strings.HasPrefix(ck.Value, account.SessionPrefix) {
		t.Fatalf("signup cookie = %+v, want an HttpOnly, SameSite=Lax session cookie for the session's lifetime", ck)
	}

	if me := MustDecode[User](t, c.Do("GET", "/api/v1/me", "").Want(t, 200)); me != got {
		t.Errorf("me = %+v, want %+v", me, got)
	}

	r = c.Do("POST", "/api/v1/auth/logout", "").Want(t, 204)
	if ck := sessionCookie(r); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout cookie = %+v, want it cleared", ck)
	}
	MustProblem(t, c.Do("GET", "/api/v1/me", ""), 401, "Nobody is signed in.")

	r = c.Do("POST", "/api/v1/auth/login", `{"email": "ada@example.com", "password": "correct horse battery"}`).Want(t, 200)
	if got := MustDecode[User](t, r); got.ID != want.ID {
		t.Errorf("login user %s, want %s", got.ID, want.ID)
	}
	if sessionCookie(r) == nil {
		t.Error("login sets no cookie")
	}
	c.Do("GET", "/api/v1/me", "").Want(t, 200)

	tests := []struct {
		name, path, body string
		status           int
		detail           string
	}{
		{"wrong password", "/api/v1/auth/login", `{"email": "ada@example.com", "password": "wrong horse battery"}`, 401, "The email address or the password is wrong."},
		{"unknown email", "/api/v1/auth/login", `{"email": "bob@example.com", "password": "correct horse battery"}`, 401, "The email address or the password is wrong."},
		{"email taken", "/api/v1/auth/signup", `{"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"}`, 409, ""},
		{"short password", "/api/v1/auth/signup", `{"email": "bob@example.com", "password": "short", "name": "Bob"}`, 400, "at least 10 characters"},
		{"unknown region", "/api/v1/auth/signup", `{"email": "bob@example.com", "password": "correct horse battery", "name": "Bob", "region": "mars"}`, 400, `"mars"`},
		{"unknown field", "/api/v1/auth/signup", `{"email": "bob@example.com", "role": "admin"}`, 400, `Unknown field "role"; want email, password, name, region or age_band.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			MustProblem(t, e.Anon(t).Do("POST", tt.path, tt.body), tt.status, tt.detail)
		})
	}
}

func TestRejectedCredentials(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ada := e.MustSignup(t, "Ada")
	old := e.MustSignup(t, "Old")
	u, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	expired := old.hc.Jar.Cookies(u)[0].Value
	// Sessions expire with the service's clock; Ada's is renewed below.
	e.clock.Add(e.svc.SessionTTL() + time.Minute)
	ada.Do("POST", "/api/v1/auth/login", `{"email": "ada@example.com", "password": "correct horse battery"}`).Want(t, 200)

	withCookie := func(token string) *client {
		c := e.Anon(t)
		c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: session.CookieName, Value: token}})
		return c
	}
	withBearer := func(token string) *client {
		c := e.Anon(t)
		c.bearer = token
		return c
	}
	const rejected = "Your session has expired or is not valid; sign in again."
	tests := []struct {
		name   string
		c      *client
		method string
		path   string
	}{
		{"forged cookie", withCookie(account.SessionPrefix + "forged"), "GET", "/api/v1/me"},
		{"forged cookie on an open endpoint", withCookie(account.SessionPrefix + "forged"), "GET", "/api/v1/gallery"},
		{"forged cookie logging out", withCookie(account.SessionPrefix + "forged"), "POST", "/api/v1/auth/logout"},
		{"cookie without prefix", withCookie("garbage"), "GET", "/api/v1/me"},
		{"expired cookie", withCookie(expired), "GET", "/api/v1/designs"},
		{"expired cookie on an open endpoint", withCookie(expired), "GET", "/api/v1/models"},
		{"forged bearer token", withBearer(account.APITokenPrefix + "forged"), "GET", "/api/v1/me"},
		{"session as bearer token after expiry", withBearer(expired), "GET", "/api/v1/me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.Do(tt.method, tt.path, "")
			MustProblem(t, r, 401, rejected)
			if ck := sessionCookie(r); ck == nil || ck.MaxAge >= 0 {
				t.Errorf("cookie = %+v, want it cleared", ck)
			}
			// The cleared cookie lets the next request go on as nobody.
			if tt.c.bearer == "" {
				tt.c.Do("GET", "/api/v1/models", "").Want(t, 200)
			}
		})
	}

	t.Run("without credentials", func(t *testing.T) {
		c := e.Anon(t)
		MustProblem(t, c.Do("GET", "/api/v1/me", ""), 401, "Nobody is signed in.")
		MustProblem(t, c.Do("GET", "/api/v1/designs", ""), 401, "Sign in")
		c.Do("GET", "/api/v1/models", "").Want(t, 200)
	})
	t.Run("renewed session", func(t *testing.T) {
		ada.Do("GET", "/api/v1/me", "").Want(t, 200)
	})
	t.Run("sign in over a rejected cookie", func(t *testing.T) {
		c := withCookie(expired)
		c.Do("POST", "/api/v1/auth/login", `{"email": "ada@example.com", "password": "correct horse battery"}`).Want(t, 200)
		c.Do("GET", "/api/v1/me", "").Want(t, 200)
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	c := e.Anon(t)
	body := `{"email": "nobody@example.com", "password": "wrong horse battery"}`
	for i := range 10 {
		if r := c.Do("POST", "/api/v1/auth/login", body); r.err != nil || r.code != 401 {
			t.Fatalf("attempt %d: status %d, want 401; %s", i+1, r.code, r.body)
		}
	}
	MustProblem(t, c.Do("POST", "/api/v1/auth/login", body), 429, "Too many sign-in attempts")
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ada := e.MustSignup(t, "Ada")

	nt := MustDecode[NewToken](t, ada.Do("POST", "/api/v1/tokens", `{"name": "ERP"}`).Want(t, 201))
	if nt.ID == "" || nt.Name != "ERP" || !strings.HasPrefix(nt.Token, account.APITokenPrefix) || nt.CreatedAt.IsZero() {
		t.Fatalf("new token = %+v", nt)
	}
	MustProblem(t, ada.Do("POST", "/api/v1/tokens", `{"name": " "}`), 400, "name")
	MustProblem(t, e.Anon(t).Do("POST", "/api/v1/tokens", `{"name": "x"}`), 401, "Sign in")

	erp := e.Anon(t)
	erp.bearer = nt.Token
	if me := MustDecode[User](t, erp.Do("GET", "/api/v1/me", "").Want(t, 200)); me.Email != "ada@example.com" {
		t.Errorf("bearer me = %+v, want Ada", me)
	}
	body := fmt.Sprintf(`{"model_id": %q, "name": "From the ERP", "selection": {"size": "compact"}}`, e.model)
	erp.Do("POST", "/api/v1/designs", body).Want(t, 201)

	list := MustDecode[TokenList](t, ada.Do("GET", "/api/v1/tokens", "").Want(t, 200))
	if len(list.Items) != 1 || list.Items[0].ID != nt.ID || list.Items[0].Name != "ERP" || list.Items[0].LastUsedAt.IsZero() {
		t.Errorf("tokens = %+v, want the ERP token, used", list)
	}
	if bytes.Contains(ada.Do("GET", "/api/v1/tokens", "").body, []byte(nt.Token)) {
		t.Error("the token list shows the secret")
	}

	// Logging out with a bearer token does not revoke it.
	erp.Do("POST", "/api/v1/auth/logout", "").Want(t, 204)
	erp.Do("GET", "/api/v1/me", "").Want(t, 200)

	MustProblem(t, e.MustSignup(t, "Bob").Do("DELETE", "/api/v1/tokens/"+nt.ID, ""), 404, "")
	ada.Do("DELETE", "/api/v1/tokens/"+nt.ID, "").Want(t, 204)
	MustProblem(t, erp.Do("GET", "/api/v1/me", ""), 401, "sign in again")
	MustProblem(t, erp.Do("POST", "/api/v1/designs", body), 401, "sign in again")
	if list := MustDecode[TokenList](t, ada.Do("GET", "/api/v1/tokens", "").Want(t, 200)); len(list.Items) != 0 {
		t.Errorf("tokens after revoking = %+v, want none", list)
	}
}

func TestModels(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	anon := e.Anon(t)
	admin := e.MustUser(t, "Root", account.Admin)
	ada := e.MustSignup(t, "Ada")

	list := MustDecode[ModelList](t, anon.Do("GET", "/api/v1/models", "").Want(t, 200))
	if len(list.Items) != 1 {
		t.Fatalf("models = %+v, want the phone", list)
	}
	phone := list.Items[0]
	if phone.ID != e.model || phone.Name != "Tailor Phone" || phone.Version != "2026.1.0" || !phone.Published || phone.PublishedAt.IsZero() || phone.CreatedAt.IsZero() {
		t.Errorf("phone = %+v", phone)
	}

	got := MustDecode[ModelView](t, anon.Do("GET", "/api/v1/models/"+e.model, "").Want(t, 200))
	if got.ID != e.model || got.Name != "Tailor Phone" || got.Currency != "EUR" || !got.Published || len(got.Groups) == 0 {
		t.Errorf("got id %q name %q currency %q published %v, %d groups", got.ID, got.Name, got.Currency, got.Published, len(got.Groups))
	}
	i := slices.IndexFunc(got.Attributes, func(a AttributeView) bool { return a.Name == "wireless" })
	if i < 0 {
		t.Fatal("no attribute wireless")
	}
	if w := got.Attributes[i]; w.Default != "none" || w.Levels[1].Name != "qi15" || w.Levels[1].Label != "15 W Qi" {
		t.Errorf("wireless = %+v", w)
	}

	v2 := bytes.Replace(models.Phone, []byte(`version "2026.1.0"`), []byte(`version "2026.2.0"`), 1)
	upload := func(src []byte) string {
		b, _ := json.Marshal(UploadRequest{Source: string(src), File: "phone.tailor"})
		return string(b)
	}
	MustProblem(t, ada.Do("POST", "/api/v1/models", upload(v2)), 403, "Your role (customer) may not manage models.")
	MustProblem(t, anon.Do("POST", "/api/v1/models", upload(v2)), 401, "Sign in")

	up := MustDecode[Upload](t, admin.Do("POST", "/api/v1/models", upload(v2)).Want(t, 201))
	if up.Model.Version != "2026.2.0" || up.Model.Published || up.Diagnostics == nil {
		t.Errorf("upload = %+v, want an unpublished 2026.2.0 with diagnostics", up)
	}
	draft := up.Model.ID
	MustProblem(t, anon.Do("GET", "/api/v1/models/"+draft, ""), 404, "")
	MustProblem(t, anon.Do("POST", "/api/v1/models/"+draft+"/propagate", `{}`), 404, "")
	admin.Do("GET", "/api/v1/models/"+draft, "").Want(t, 200)
	if n := len(MustDecode[ModelList](t, anon.Do("GET", "/api/v1/models", "")).Items); n != 1 {
		t.Errorf("anonymous sees %d models with a draft, want 1", n)
	}

	MustProblem(t, ada.Do("POST", "/api/v1/models/"+draft+"/publish", ""), 403, "")
	pub := MustDecode[ModelSummary](t, admin.Do("POST", "/api/v1/models/"+draft+"/publish", "").Want(t, 200))
	if !pub.Published || pub.PublishedAt.IsZero() || pub.ID != draft {
		t.Errorf("published = %+v", pub)
	}
	list = MustDecode[ModelList](t, anon.Do("GET", "/api/v1/models", "").Want(t, 200))
	if len(list.Items) != 2 || list.Items[0].ID != draft {
		t.Errorf("models after publishing = %+v, want 2026.2.0 first", list)
	}
	anon.Do("POST", "/api/v1/models/"+draft+"/propagate", `{}`).Want(t, 200)
	MustProblem(t, admin.Do("POST", "/api/v1/models/nope/publish", ""), 404, "")

	t.Run("invalid source", func(t *testing.T) {
		lines := strings.Split(string(models.Phone), "\n")
		bad := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "property vendor") })
		lines[bad] = strings.Replace(lines[bad], "text", "txet", 1)
		src := strings.Replace(strings.Join(lines, "\n"), `version "2026.1.0"`, `version "2026.3.0"`, 1)
		p := MustProblem(t, admin.Do("POST", "/api/v1/models", upload([]byte(src))), 400, "nothing was stored")
		if !slices.ContainsFunc(p.Diagnostics, func(d Diagnostic) bool {
			return d.Line == bad+1 && d.Col > 0 && d.Severity == "error" && d.Message != ""
		}) {
			t.Errorf("diagnostics %+v lack an error on line %d", p.Diagnostics, bad+1)
		}
		if n := len(MustDecode[ModelList](t, admin.Do("GET", "/api/v1/models", "")).Items); n != 2 {
			t.Errorf("admin sees %d models after a bad upload, want 2", n)
		}
		MustProblem(t, admin.Do("POST", "/api/v1/models", `{"source": ""}`), 400, "empty")
	})

	t.Run("upload limit", func(t *testing.T) {
		// A model source may exceed the 1 MiB bound of other bodies: this
		// one is read and checked, and is the version uploaded above.
		big := upload(append(bytes.Repeat([]byte("# padding\n"), maxBody/10), v2...))
		MustProblem(t, admin.Do("POST", "/api/v1/models", big), 409, "")
		huge := upload(append(bytes.Repeat([]byte("# padding\n"), maxUpload/10), v2...))
		MustProblem(t, admin.Do("POST", "/api/v1/models", huge), 413, "4194304 bytes")
	})
}

func configure(t *testing.T, c *client, path, body string) configurator.Report {
	t.Helper()
	return MustDecode[configurator.Report](t, c.Do("POST", path, body).Want(t, 200))
}

func level(t *testing.T, r configurator.Report, attr, lvl string) configurator.LevelState {
	t.Helper()
	for _, a := range r.Attributes {
		if a.Name != attr {
			continue
		}
		for _, l := range a.Levels {
			if l.Name == lvl {
				return l
			}
		}
	}
	t.Fatalf("no level %s=%s", attr, lvl)
	return configurator.LevelState{}
}

func mustEngine(t *testing.T, e *env) *configurator.Engine {
	t.Helper()
	eng, _, err := e.svc.Engine(t.Context(), e.model)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func TestConfigure(t *testing.T) {
	t.Parallel()
	e := MustSharedEnv(t)
	eng := mustEngine(t, e)
	c := e.Anon(t)
	path := "/api/v1/models/" + e.model + "/configure"

	t.Run("empty", func(t *testing.T) {
		got := configure(t, c, path, `{}`)
		if want := eng.Count(eng.NewSelection()).String(); got.Count != want || !got.Consistent || len(got.Selection) != 0 || got.Completion != nil {
			t.Errorf("got count %s consistent %v selection %v completion %v, want count %s", got.Count, got.Consistent, got.Selection, got.Completion, want)
		}
	})

	t.Run("selection and completion", func(t *testing.T) {
		got := configure(t, c, path, `{"selection": {"size": "compact", "wireless": "qi15"}, "complete": "cheapest"}`)
		sel, err := eng.ParseSelection([]string{"size=compact", "wireless=qi15"})
		if err != nil {
			t.Fatal(err)
		}
		if want := eng.Count(sel).String(); got.Count != want {
			t.Errorf("count = %s, want %s", got.Count, want)
		}
		if l := level(t, got, "wireless", "qi15"); l.State != configurator.StateSelected {
			t.Errorf("wireless=qi15 state = %s, want selected", l.State)
		}
		if l := level(t, got, "back", "aluminium"); l.State != configurator.StateExcluded || l.Explanation == nil {
			t.Errorf("back=aluminium = %+v, want excluded with an explanation", l)
		}
		if got.Completion == nil || got.Completion.Goal != "cheapest" || len(got.Completion.Configuration) != len(eng.Model().Attributes) {
			t.Fatalf("completion = %+v, want cheapest over every attribute", got.Completion)
		}
	})

	t.Run("explain off", func(t *testing.T) {
		got := configure(t, c, path, `{"selection": {"wireless": "qi15"}, "explain": false}`)
		if l := level(t, got, "back", "aluminium"); l.State != configurator.StateExcluded || l.Explanation != nil {
			t.Errorf("back=aluminium = %+v, want excluded without explanation", l)
		}
	})

	t.Run("inconsistent", func(t *testing.T) {
		got := configure(t, c, path, `{"selection": {"wireless": "qi15", "back": "aluminium"}, "complete": "cheapest"}`)
		if got.Consistent || got.Count != "0" || got.Conflict == nil || got.Completion != nil {
			t.Fatalf("got consistent %v count %s conflict %v completion %v, want an explained conflict", got.Consistent, got.Count, got.Conflict, got.Completion)
		}
		if !slices.ContainsFunc(got.Conflict.Rules, func(r configurator.RuleRef) bool { return r.Name == "wireless_metal" }) {
			t.Errorf("conflict rules %v lack wireless_metal", got.Conflict.Rules)
		}
	})
}

func TestPropagate(t *testing.T) {
	t.Parallel()
	e := MustSharedEnv(t)
	eng := mustEngine(t, e)
	path := "/api/v1/models/" + e.model + "/propagate"
	tests := []struct {
		name string
		sel  map[string]string
	}{
		{"empty", nil},
		{"partial", map[string]string{"size": "compact", "wireless": "qi15"}},
		{"inconsistent", map[string]string{"wireless": "qi15", "back": "aluminium"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var choices []string
			for a, l := range tt.sel {
				choices = append(choices, a+"="+l)
			}
			sel, err := eng.ParseSelection(choices)
			if err != nil {
				t.Fatal(err)
			}
			// The answer agrees with the full report: the possible levels
			// of an open attribute, the chosen level of a chosen one, and
			// the report's conflict.
			rep, err := eng.Report(sel, configurator.ReportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := Propagation{Consistent: rep.Consistent}
			for _, st := range rep.Attributes {
				d := Domain{Name: st.Name, Selected: st.Selected, Possible: []string{}}
				for _, l := range st.Levels {
					if rep.Consistent && (l.State == configurator.StateSelected || st.Selected == "" && l.State == configurator.StatePossible) {
						d.Possible = append(d.Possible, l.Name)
					}
				}
				want.Attributes = append(want.Attributes, d)
			}
			if rep.Conflict != nil {
				want.Conflict = rep.Conflict.Choices
			}
			body, _ := json.Marshal(PropagateRequest{Selection: tt.sel})
			got := MustDecode[Propagation](t, e.Anon(t).Do("POST", path, string(body)).Want(t, 200))
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("propagate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	e := MustSharedEnv(t)
	c := e.Anon(t)
	path := "/api/v1/models/" + e.model + "/explain"

	// The explanation is the one the full report attaches to the level.
	rep := configure(t, c, "/api/v1/models/"+e.model+"/configure", `{"selection": {"wireless": "qi15"}}`)
	want := level(t, rep, "back", "aluminium").Explanation
	got := MustDecode[configurator.ExplanationView](t, c.Do("POST", path, `{"selection": {"wireless": "qi15"}, "attribute": "back", "level": "aluminium"}`).Want(t, 200))
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("explanation (-want +got):\n%s", diff)
	}
	if !slices.Contains(got.Because, configurator.Choice{Attribute: "wireless", Level: "qi15"}) {
		t.Errorf("because %v lacks wireless=qi15", got.Because)
	}

	MustProblem(t, c.Do("POST", path, `{"selection": {"wireless": "qi15"}, "attribute": "size", "level": "compact"}`), 400, "possible")
	MustProblem(t, c.Do("POST", path, `{"selection": {}, "attribute": "bak", "level": "aluminium"}`), 400, `(did you mean "back"?)`)
	MustProblem(t, c.Do("POST", path, `{"selection": {}, "attribute": "back"}`), 400, "Name the attribute and the level")
}

func TestComplete(t *testing.T) {
	t.Parallel()
	e := MustSharedEnv(t)
	eng := mustEngine(t, e)
	c := e.Anon(t)
	path := "/api/v1/models/" + e.model + "/complete"

	got := MustDecode[configurator.Completion](t, c.Do("POST", path, `{"selection": {"size": "max"}, "goal": "max:capacity"}`).Want(t, 200))
	want := configure(t, c, "/api/v1/models/"+e.model+"/configure", `{"selection": {"size": "max"}, "complete": "max:capacity", "explain": false}`).Completion
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("completion (-want +got):\n%s", diff)
	}
	if len(got.Configuration) != len(eng.Model().Attributes) || !slices.Contains(got.Configuration, configurator.Choice{Attribute: "size", Level: "max"}) {
		t.Errorf("configuration %v does not complete size=max", got.Configuration)
	}

	MustProblem(t, c.Do("POST", path, `{"selection": {"wireless": "qi15", "back": "aluminium"}, "goal": "cheapest"}`), 400, "cannot go together")
	MustProblem(t, c.Do("POST", path, `{"goal": "fastest"}`), 400, `"fastest"`)
	MustProblem(t, c.Do("POST", path, `{}`), 400, "Name the completion goal")
}

func TestPrice(t *testing.T) {
	t.Parallel()
	e := MustSharedEnv(t)
	c := e.Anon(t)
	path := "/api/v1/models/" + e.model + "/price"

	partial := MustDecode[Price](t, c.Do("POST", path, `{"selection": {"size": "max"}}`).Want(t, 200))
	cheapest := MustDecode[configurator.Completion](t, c.Do("POST", "/api/v1/models/"+e.model+"/complete", `{"selection": {"size": "max"}, "goal": "min:price"}`).Want(t, 200))
	want := Price{Currency: "EUR", Price: cheapest.RollUp.Totals["price"].IntPart(), Complete: false, Totals: cheapest.RollUp.Totals}
	if diff := cmp.Diff(want, partial); diff != "" {
		t.Errorf("partial price (-want +got):\n%s", diff)
	}

	// The price of a complete selection is its own roll-up.
	sel := map[string]string{}
	for _, ch := range cheapest.Configuration {
		sel[ch.Attribute] = ch.Level
	}
	body, _ := json.Marshal(PriceRequest{Selection: sel})
	full := MustDecode[Price](t, c.Do("POST", path, string(body)).Want(t, 200))
	if !full.Complete || full.Price != want.Price {
		t.Errorf("complete price = %+v, want complete at %d", full, want.Price)
	}
	if empty := MustDecode[Price](t, c.Do("POST", path, `{}`).Want(t, 200)); empty.Price > partial.Price || empty.Price <= 0 {
		t.Errorf("lowest price %d, want in (0, %d]", empty.Price, partial.Price)
	}
	MustProblem(t, c.Do("POST", path, `{"selection": {"wireless": "qi15", "back": "aluminium"}}`), 400, "cannot go together")
}

func TestDesigns(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ada := e.MustSignup(t, "Ada")
	bob := e.MustSignup(t, "Bob")
	anon := e.Anon(t)
	body := func(name, vis string) string {
		return fmt.Sprintf(`{"model_id": %q, "name": %q, "selection": {"size": "compact", "wireless": "qi15"}, "visibility": %q}`, e.model, name, vis)
	}

	d := MustDecode[Design](t, ada.Do("POST", "/api/v1/designs", body("Pocket", "private")).Want(t, 201))
	price := MustDecode[Price](t, anon.Do("POST", "/api/v1/models/"+e.model+"/price", `{"selection": {"size": "compact", "wireless": "qi15"}}`))
	want := Design{ID: d.ID, OwnerName: "Ada", ModelID: e.model, Name: "Pocket", Selection: map[string]string{"size": "compact", "wireless": "qi15"},
		Complete: false, Visibility: "private", ShareURL: d.ShareURL, Price: price.Price, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(d.ShareURL, "/s/") || len(d.ShareURL) < 10 {
		t.Errorf("share url %q", d.ShareURL)
	}
	token := strings.TrimPrefix(d.ShareURL, "/s/")

	if got := MustDecode[Design](t, ada.Do("GET", "/api/v1/designs/"+d.ID, "").Want(t, 200)); got.ID != d.ID || got.ShareURL != d.ShareURL {
		t.Errorf("owner reads %+v", got)
	}

	t.Run("private", func(t *testing.T) {
		MustProblem(t, bob.Do("GET", "/api/v1/designs/"+d.ID, ""), 404, "")
		MustProblem(t, anon.Do("GET", "/api/v1/designs/"+d.ID, ""), 404, "")
		MustProblem(t, bob.Do("GET", "/api/v1/shared/"+token, ""), 404, "")
		MustProblem(t, bob.Do("PUT", "/api/v1/designs/"+d.ID, body("Mine", "public")), 404, "")
		MustProblem(t, bob.Do("DELETE", "/api/v1/designs/"+d.ID, ""), 404, "")
		ada.Do("GET", "/api/v1/shared/"+token, "").Want(t, 200)
	})

	t.Run("link", func(t *testing.T) {
		got := MustDecode[Design](t, ada.Do("PUT", "/api/v1/designs/"+d.ID, body("Pocket", "link")).Want(t, 200))
		if got.Visibility != "link" || got.ShareURL != d.ShareURL {
			t.Errorf("updated = %+v", got)
		}
		MustProblem(t, bob.Do("GET", "/api/v1/designs/"+d.ID, ""), 404, "")
		shared := MustDecode[Design](t, anon.Do("GET", "/api/v1/shared/"+token, "").Want(t, 200))
		if shared.ID != d.ID || shared.ShareURL != "" {
			t.Errorf("shared = %+v, want the design without its share url", shared)
		}
		if gal := MustDecode[DesignList](t, anon.Do("GET", "/api/v1/gallery", "")); len(gal.Items) != 0 {
			t.Errorf("gallery holds a link design: %+v", gal)
		}
	})

	t.Run("public", func(t *testing.T) {
		ada.Do("PUT", "/api/v1/designs/"+d.ID, body("Pocket", "public")).Want(t, 200)
		got := MustDecode[Design](t, bob.Do("GET", "/api/v1/designs/"+d.ID, "").Want(t, 200))
		if got.ID != d.ID || got.ShareURL != "" || got.OwnerName != "Ada" {
			t.Errorf("public design for Bob = %+v", got)
		}
		anon.Do("GET", "/api/v1/shared/"+token, "").Want(t, 200)
	})

	t.Run("invalid", func(t *testing.T) {
		tests := []struct {
			name, body, detail string
		}{
			{"rules", fmt.Sprintf(`{"model_id": %q, "name": "x", "selection": {"wireless": "qi15", "back": "aluminium"}}`, e.model), "cannot go together"},
			{"unknown level", fmt.Sprintf(`{"model_id": %q, "name": "x", "selection": {"wireless": "qi99"}}`, e.model), `no level "qi99"`},
			{"no name", fmt.Sprintf(`{"model_id": %q, "name": "", "selection": {}}`, e.model), "needs a name"},
			{"visibility", fmt.Sprintf(`{"model_id": %q, "name": "x", "selection": {}, "visibility": "secret"}`, e.model), `"secret"`},
			{"no model", `{"name": "x", "selection": {}}`, "model"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				MustProblem(t, ada.Do("POST", "/api/v1/designs", tt.body), 400, tt.detail)
			})
		}
		MustProblem(t, ada.Do("POST", "/api/v1/designs", `{"model_id": "nope", "name": "x", "selection": {}}`), 404, "")
		MustProblem(t, anon.Do("POST", "/api/v1/designs", body("x", "")), 401, "Sign in")
	})

	t.Run("delete", func(t *testing.T) {
		ada.Do("DELETE", "/api/v1/designs/"+d.ID, "").Want(t, 204)
		MustProblem(t, ada.Do("GET", "/api/v1/designs/"+d.ID, ""), 404, "")
		MustProblem(t, ada.Do("DELETE", "/api/v1/designs/"+d.ID, ""), 404, "")
	})
}

func TestDesignPages(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ada := e.MustSignup(t, "Ada")
	bob := e.MustSignup(t, "Bob")
	var want []string
	for i := range 5 {
		d := MustDecode[Design](t, ada.Do("POST", "/api/v1/designs", fmt.Sprintf(`{"model_id": %q, "name": "D%d", "selection": {}, "visibility": "public"}`, e.model, i)).Want(t, 201))
		want = append(want, d.ID)
	}
	bob.Do("POST", "/api/v1/designs", fmt.Sprintf(`{"model_id": %q, "name": "Bob's", "selection": {}}`, e.model)).Want(t, 201)

	// walk follows next_cursor and returns the ids in order.
	walk := func(t *testing.T, c *client, path string) []string {
		var ids []string
		cursor := ""
		for range 10 {
			p := path
			if cursor != "" {
				p += "&cursor=" + cursor
			}
			page := MustDecode[DesignList](t, c.Do("GET", p, "").Want(t, 200))
			if len(page.Items) > 2 {
				t.Fatalf("page of %d items, want at most 2", len(page.Items))
			}
			for _, d := range page.Items {
				ids = append(ids, d.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				return ids
			}
		}
		t.Fatal("more than 10 pages")
		return nil
	}
	mine := walk(t, ada, "/api/v1/designs?limit=2")
	if diff := cmp.Diff(want, mine, cmpopts.SortSlices(func(x, y string) bool { return x < y })); diff != "" {
		t.Errorf("my designs (-want +got):\n%s", diff)
	}
	gallery := walk(t, e.Anon(t), "/api/v1/gallery?sort=new&limit=2")
	if diff := cmp.Diff(want, gallery, cmpopts.SortSlices(func(x, y string) bool { return x < y })); diff != "" {
		t.Errorf("gallery (-want +got):\n%s", diff)
	}
	if n := len(MustDecode[DesignList](t, e.Anon(t).Do("GET", "/api/v1/gallery?model=other", "")).Items); n != 0 {
		t.Errorf("gallery of another model holds %d designs", n)
	}
	MustProblem(t, ada.Do("GET", "/api/v1/designs?limit=x", ""), 400, "limit")
	MustProblem(t, ada.Do("GET", "/api/v1/gallery?limit=0", ""), 400, "limit")
	MustProblem(t, ada.Do("GET", "/api/v1/gallery?sort=best", ""), 400, `"best"`)
}

func TestVotes(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ada := e.MustSignup(t, "Ada")
	bob := e.MustSignup(t, "Bob")
	pub := MustDecode[Design](t, ada.Do("POST", "/api/v1/designs", fmt.Sprintf(`{"model_id": %q, "name": "Pub", "selection": {}, "visibility": "public"}`, e.model)).Want(t, 201))
	priv := MustDecode[Design](t, ada.Do("POST", "/api/v1/designs", fmt.Sprintf(`{"model_id": %q, "name": "Priv", "selection": {}}`, e.model)).Want(t, 201))
	vote := "/api/v1/designs/" + pub.ID + "/vote"

	for range 2 {
		if diff := cmp.Diff(VoteResult{Votes: 1, Voted: true}, MustDecode[VoteResult](t, bob.Do("PUT", vote, "").Want(t, 200))); diff != "" {
			t.Errorf("vote (-want +got):\n%s", diff)
		}
	}
	voted := func(c *client) (int, *bool) {
		g := MustDecode[DesignList](t, c.Do("GET", "/api/v1/gallery", "").Want(t, 200))
		if len(g.Items) != 1 {
			t.Fatalf("gallery = %+v, want one design", g)
		}
		return g.Items[0].Votes, g.Items[0].Voted
	}
	if n, v := voted(bob); n != 1 || v == nil || !*v {
		t.Errorf("Bob's gallery: %d votes, voted %v; want 1, true", n, v)
	}
	if n, v := voted(ada); n != 1 || v == nil || *v {
		t.Errorf("Ada's gallery: %d votes, voted %v; want 1, false", n, v)
	}
	if got := MustDecode[Design](t, ada.Do("GET", "/api/v1/designs/"+pub.ID, "")); got.Votes != 1 {
		t.Errorf("design votes = %d, want 1", got.Votes)
	}
	if diff := cmp.Diff(VoteResult{Votes: 0, Voted: false}, MustDecode[VoteResult](t, bob.Do("DELETE", vote, "").Want(t, 200))); diff != "" {
		t.Errorf("withdraw (-want +got):\n%s", diff)
	}
	MustProblem(t, bob.Do("PUT", "/api/v1/designs/"+priv.ID+"/vote", ""), 404, "")
	MustProblem(t, e.Anon(t).Do("PUT", vote, ""), 401, "Sign in")
}

func TestStats(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ada := e.MustSignup(t, "Ada")
	analyst := e.MustUser(t, "Ann", account.Analyst)
	for _, size := range []string{"compact", "compact", "max"} {
		ada.Do("POST", "/api/v1/designs", fmt.Sprintf(`{"model_id": %q, "name": "D", "selection": {"size": %q}}`, e.model, size)).Want(t, 201)
	}
	path := "/api/v1/models/" + e.model + "/stats"
	today := time.Now().UTC().Format(time.DateOnly)

	got := MustDecode[Stats](t, analyst.Do("GET", path+"?combo=size&region=europe&from="+today+"&to="+today, "").Want(t, 200))
	if got.Designs != 3 {
		t.Errorf("designs = %d, want 3", got.Designs)
	}
	if !slices.Contains(got.Levels, LevelCount{Attribute: "size", Level: "compact", Count: 2}) {
		t.Errorf("levels %+v lack size=compact 2 times", got.Levels)
	}
	if !slices.ContainsFunc(got.Combos, func(c Combo) bool { return c.Count == 2 && cmp.Equal(c.Levels, map[string]string{"size": "compact"}) }) {
		t.Errorf("combos %+v lack size=compact 2 times", got.Combos)
	}
	if diff := cmp.Diff([]DayCount{{Day: today, Count: 3}}, got.Daily); diff != "" {
		t.Errorf("daily (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]SegmentCount{{Region: "europe", AgeBand: "25-34", Count: 3}}, got.Segments); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
	if none := MustDecode[Stats](t, analyst.Do("GET", path+"?region=asia-pacific", "").Want(t, 200)); none.Designs != 0 || none.Levels == nil || none.Daily == nil {
		t.Errorf("stats of an empty segment = %+v, want 0 designs and empty lists", none)
	}

	tests := []struct {
		name   string
		c      *client
		query  string
		status int
		detail string
	}{
		{"customer", ada, "", 403, "view design stats"},
		{"anonymous", e.Anon(t), "", 401, "Sign in"},
		{"bad from", analyst, "?from=2026-13-01", 400, "from"},
		{"bad to", analyst, "?to=yesterday", 400, "to"},
		{"to before from", analyst, "?from=2026-03-02&to=2026-03-01", 400, "before"},
		{"too many combos", analyst, "?combo=size,frame,back,wireless,chipset,memory,storage", 400, "at most 6"},
		{"unknown combo", analyst, "?combo=sise", 400, `"sise"`},
		{"unknown region", analyst, "?region=mars", 400, `"mars"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			MustProblem(t, tt.c.Do("GET", path+tt.query, ""), tt.status, tt.detail)
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	e := MustSharedEnv(t)
	c := e.Anon(t)
	configure := "/api/v1/models/" + e.model + "/configure"
	propagate := "/api/v1/models/" + e.model + "/propagate"
	tests := []struct {
		name, method, path, body string
		status                   int
		detail                   string // a substring of the detail
	}{
		{"unknown model get", "GET", "/api/v1/models/nope", "", 404, "nope"},
		{"unknown model configure", "POST", "/api/v1/models/nope/configure", `{}`, 404, "nope"},
		{"unknown path", "GET", "/api/v2/x", "", 404, "/api/v2/x"},
		{"malformed json", "POST", configure, `{"selection":`, 400, "not valid JSON"},
		{"syntax error", "POST", configure, `{"selection" 1}`, 400, "not valid JSON"},
		{"empty body", "POST", configure, ``, 400, "empty"},
		{"two values", "POST", configure, `{} {}`, 400, "exactly one JSON value"},
		{"unknown field", "POST", configure, `{"select": {}}`, 400, `Unknown field "select"; want selection, complete or explain.`},
		{"unknown field propagate", "POST", propagate, `{"selection": {}, "explain": true}`, 400, `Unknown field "explain"; want selection.`},
		{"wrong type", "POST", configure, `{"explain": "yes"}`, 400, `Field "explain" must be a JSON boolean`},
		{"not an object", "POST", configure, `[]`, 400, "must be a JSON object"},
		{"unknown attribute", "POST", configure, `{"selection": {"wireles": "qi15"}}`, 400, `Unknown attribute "wireles" (did you mean "wireless"?)`},
		{"unknown attribute propagate", "POST", propagate, `{"selection": {"size": "max", "wireles": "qi15"}}`, 400, `Unknown attribute "wireles" (did you mean "wireless"?)`},
		{"unknown level", "POST", propagate, `{"selection": {"wireless": "qi99"}}`, 400, `no level "qi99"`},
		{"malformed choice", "POST", propagate, `{"selection": {"size ": "max"}}`, 400, "Malformed selection"},
		{"unknown goal", "POST", configure, `{"complete": "fastest"}`, 400, `"fastest"`},
		{"unknown property", "POST", configure, `{"complete": "min:speed"}`, 400, `"speed"`},
		{"text property", "POST", configure, `{"complete": "max:vendor"}`, 400, `"vendor"`},
		{"too large", "POST", configure, `{"selection": {"x": "` + strings.Repeat("a", maxBody) + `"}}`, 413, "1048576 bytes"},
		{"too large signup", "POST", "/api/v1/auth/signup", `{"name": "` + strings.Repeat("a", maxBody) + `"}`, 413, "1048576 bytes"},
		{"wrong method", "DELETE", "/api/v1/models/" + e.model, "", 405, "GET, HEAD"},
		{"wrong method configure", "GET", configure, "", 405, "POST"},
		{"wrong method design", "PATCH", "/api/v1/designs/x", "", 405, "DELETE, GET, HEAD, PUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do(tt.method, tt.path, tt.body)
			MustProblem(t, r, tt.status, tt.detail)
			if tt.status == 405 && !strings.Contains(r.header.Get("Allow"), tt.detail) {
				t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), tt.detail)
			}
		})
	}
}

func TestInternalErrorHidden(t *testing.T) {
	var logged bytes.Buffer
	a := &api{log: slog.New(slog.NewTextHandler(&logged, nil))}
	rec := httptest.NewRecorder()
	a.fail(rec, httptest.NewRequest("GET", "/x", nil), fmt.Errorf("query: %w", io.ErrClosedPipe))
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 500 || p.Detail != "Internal error." {
		t.Errorf("got %d %+v, want 500 with detail \"Internal error.\"", rec.Code, p)
	}
	if !strings.Contains(logged.String(), "io: read/write on closed pipe") {
		t.Errorf("log %q lacks the error", logged.String())
	}
}

// FuzzDecoders sends arbitrary bodies to every endpoint that decodes JSON.
// Whatever the body, the answer is a JSON document with a status below 500.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"selection": {"size": "compact"}, "complete": "cheapest"}`,
		`{"selection": {"wireless": "qi15", "back": "aluminium"}}`, `{"complete": "min:weight", "explain": false}`,
		`{"selection": {"size": ""}}`, `{"selection": {"a=b": "c"}}`, `{"complete": "max:"}`, `{} x`, `"x"`,
		`{"selection": {"wireless": "qi15"}, "attribute": "back", "level": "aluminium"}`, `{"goal": "defaults"}`,
		`{"model_id": "m", "name": "n", "selection": {}, "visibility": "link"}`, `{"name": "t"}`, `{"source": "model"}`,
	} {
		for i := range 8 {
			f.Add(uint8(i), s)
		}
	}
	e := MustSharedEnv(f)
	// A name of its own, as the shared server outlives one run under -count.
	ada := e.MustSignup(f, fmt.Sprintf("Fuzzer %d", time.Now().UnixNano()))
	paths := []string{"configure", "propagate", "explain", "complete", "price"}
	f.Fuzz(func(t *testing.T, endpoint uint8, body string) {
		var method, path string
		switch i := int(endpoint) % 8; {
		case i < len(paths):
			method, path = "POST", "/api/v1/models/"+e.model+"/"+paths[i]
		case i == 5:
			method, path = "POST", "/api/v1/designs"
			body = strings.ReplaceAll(body, `"m"`, `"`+e.model+`"`)
		case i == 6:
			method, path = "POST", "/api/v1/tokens"
		default:
			method, path = "POST", "/api/v1/models"
		}
		r := ada.Do(method, path, body)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.code >= 500 {
			t.Fatalf("%s %s: status %d for %q: %s", method, path, r.code, body, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" && ct != "application/problem+json" {
			t.Fatalf("content type %q", ct)
		}
		if !json.Valid(r.body) {
			t.Fatalf("body is not JSON: %s", r.body)
		}
	})
}

// BenchmarkPropagate measures the hot path a browser calls on every click,
// through the whole handler but without a network.
func BenchmarkPropagate(b *testing.B) {
	e := MustSharedEnv(b)
	h := New(e.svc, Options{})
	path := "/api/v1/models/" + e.model + "/propagate"
	body := []byte(`{"selection": {"size": "compact", "wireless": "qi15", "frame": "aluminium"}}`)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", path, bytes.NewReader(body)))
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
