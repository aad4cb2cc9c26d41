package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/session"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/models"
)

// fixture is the web UI over a real service and an in-memory database
// holding the published phone model.
type fixture struct {
	srv   *httptest.Server
	svc   *service.Service
	db    *sqldb.DB
	model catalog.Version
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := service.New(db, service.Config{Jobs: fitRunner{}})
	v, err := svc.EnsureModel(ctx, models.PhoneFile, models.Phone)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(svc, Options{}))
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, svc: svc, db: db, model: v}
}

// user is an account with its context for calling the service directly.
type user struct {
	account.User
	ctx   context.Context
	token string
}

const testPassword = "correct horse battery"

// mustUser opens an account with a role and signs it in.
func (fx *fixture) mustUser(t *testing.T, name string, role account.Role, region, age string) user {
	t.Helper()
	ctx := context.Background()
	email := strings.ToLower(name) + "@example.com"
	u, err := fx.svc.CreateUser(ctx, account.SignUp{Email: email, Password: testPassword, Name: name, Region: region, AgeBand: age}, role, true)
	if err != nil {
		t.Fatal(err)
	}
	// A client name per user keeps the sign-in rate limit out of the way.
	_, token, err := fx.svc.Login(ctx, email, testPassword, "test-"+email)
	if err != nil {
		t.Fatal(err)
	}
	return user{User: u, ctx: account.NewContext(ctx, u), token: token}
}

// client is a browser: it keeps cookies and does not follow redirects, so
// that tests see them.
func (fx *fixture) client(t *testing.T, u *user) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	if u != nil {
		base, _ := url.Parse(fx.srv.URL)
		jar.SetCookies(base, []*http.Cookie{{Name: session.CookieName, Value: u.token, Path: "/"}})
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// get fetches a page and returns the response with its body read.
func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return res, readBody(t, res)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return res, readBody(t, res)
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sessionCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == session.CookieName {
			return c
		}
	}
	return nil
}

// mustDesign saves a design for u.
func (fx *fixture) mustDesign(t *testing.T, u user, name string, vis design.Visibility, sel map[string]string) design.Design {
	t.Helper()
	d, err := fx.svc.SaveDesign(u.ctx, service.DesignInput{ModelID: fx.model.ID, Name: name, Selection: sel, Visibility: vis})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPagesByRole(t *testing.T) {
	fx := newFixture(t)
	customer := fx.mustUser(t, "Carla", account.Customer, "", "")
	analyst := fx.mustUser(t, "Ana", account.Analyst, "", "")
	admin := fx.mustUser(t, "Adam", account.Admin, "", "")
	clients := map[string]*http.Client{
		"nobody":   fx.client(t, nil),
		"customer": fx.client(t, &customer),
		"analyst":  fx.client(t, &analyst),
		"admin":    fx.client(t, &admin),
	}
	// want is a status, or "login" for a redirect to sign in.
	tests := []struct {
		path string
		want map[string]string
	}{
		{"/", map[string]string{"nobody": "200", "customer": "200", "analyst": "200", "admin": "200"}},
		{"/configure", map[string]string{"nobody": "200", "customer": "200", "admin": "200"}},
		{"/gallery", map[string]string{"nobody": "200", "customer": "200"}},
		{"/login", map[string]string{"nobody": "200"}},
		{"/signup", map[string]string{"nobody": "200", "customer": "200"}},
		{"/designs", map[string]string{"nobody": "login", "customer": "200", "admin": "200"}},
		{"/account", map[string]string{"nobody": "login", "customer": "200", "analyst": "200"}},
		{"/insights", map[string]string{"nobody": "login", "customer": "403", "analyst": "200", "admin": "200"}},
		{"/admin/models", map[string]string{"nobody": "login", "customer": "403", "analyst": "403", "admin": "200"}},
		{"/no/such/page", map[string]string{"nobody": "404", "customer": "404"}},
		{"/s/not-a-token", map[string]string{"nobody": "404"}},
		{"/configure?design=nope", map[string]string{"customer": "404"}},
		{"/configure?model=nope", map[string]string{"customer": "404"}},
	}
	for _, tt := range tests {
		for role, want := range tt.want {
			t.Run(role+tt.path, func(t *testing.T) {
				res, body := get(t, clients[role], fx.srv.URL+tt.path)
				if want == "login" {
					loc := res.Header.Get("Location")
					if res.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape(tt.path) {
						t.Fatalf("GET %s as %s: %d to %q, want 303 to sign in", tt.path, role, res.StatusCode, loc)
					}
					return
				}
				if got := res.Status[:3]; got != want {
					t.Fatalf("GET %s as %s: status %s, want %s", tt.path, role, res.Status, want)
				}
				// Every page, error pages too, comes in the layout.
				if !strings.Contains(body, `<nav class="nav"`) {
					t.Errorf("GET %s as %s: page without the layout's navigation", tt.path, role)
				}
			})
		}
	}

	// Navigation adapts to the role.
	nav := []struct {
		role      string
		want, not []string
	}{
		{"nobody", []string{`href="/login"`, `href="/signup"`, `href="/configure"`, `href="/gallery"`}, []string{`href="/designs"`, `href="/insights"`, `action="/logout"`}},
		{"customer", []string{`href="/designs"`, `href="/account"`, `action="/logout"`}, []string{`href="/insights"`, `href="/admin/models"`, `href="/login"`}},
		{"analyst", []string{`href="/insights"`}, []string{`href="/admin/models"`}},
		{"admin", []string{`href="/insights"`, `href="/admin/models"`}, nil},
	}
	for _, n := range nav {
		_, body := get(t, clients[n.role], fx.srv.URL+"/gallery")
		for _, w := range n.want {
			if !strings.Contains(body, w) {
				t.Errorf("navigation for %s lacks %s", n.role, w)
			}
		}
		for _, w := range n.not {
			if strings.Contains(body, w) {
				t.Errorf("navigation for %s has %s", n.role, w)
			}
		}
	}
}

func TestSignUpLoginLogout(t *testing.T) {
	fx := newFixture(t)
	c := fx.client(t, nil)

	// A form error shows the message and keeps the entered values, never
	// the password.
	res, body := post(t, c, fx.srv.URL+"/signup", url.Values{
		"name": {"Zoë <Tester>"}, "email": {"zoe@example.com"}, "password": {"short1"}, "region": {"europe"}, "age_band": {"25-34"},
	})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("sign-up with a short password: status %d, want 400", res.StatusCode)
	}
	for _, want := range []string{"at least 10 characters", `value="zoe@example.com"`, `value="Zoë &lt;Tester&gt;"`, `<option value="europe" selected>`, `<option value="25-34" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("sign-up form after an error lacks %s", want)
		}
	}
	if strings.Contains(body, "short1") {
		t.Error("sign-up form after an error shows the password")
	}
	if sessionCookie(res) != nil {
		t.Error("failed sign-up set a session cookie")
	}

	// Success sets the cookie and goes on to the next page.
	res, _ = post(t, c, fx.srv.URL+"/signup", url.Values{
		"name": {"Zoë"}, "email": {"zoe@example.com"}, "password": {testPassword}, "next": {"/designs"},
	})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/designs" {
		t.Fatalf("sign-up: %d to %q, want 303 to /designs", res.StatusCode, res.Header.Get("Location"))
	}
	ck := sessionCookie(res)
	if ck == nil || ck.Value == "" || !ck.HttpOnly || ck.MaxAge <= 0 {
		t.Fatalf("sign-up cookie = %+v, want a lasting HttpOnly session", ck)
	}
	if res, _ := get(t, c, fx.srv.URL+"/designs"); res.StatusCode != http.StatusOK {
		t.Fatalf("my designs after sign-up: %d", res.StatusCode)
	}

	// Sign out: the cookie is cleared and the session ended, so the old
	// token no longer works.
	res, _ = post(t, c, fx.srv.URL+"/logout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: status %d", res.StatusCode)
	}
	if out := sessionCookie(res); out == nil || out.MaxAge >= 0 {
		t.Fatalf("sign-out cookie = %+v, want it cleared", out)
	}
	old := fx.client(t, &user{token: ck.Value})
	res, _ = get(t, old, fx.srv.URL+"/designs")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("ended session: %d to %q, want to sign in", res.StatusCode, res.Header.Get("Location"))
	}
	if out := sessionCookie(res); out == nil || out.MaxAge >= 0 {
		t.Errorf("a rejected session cookie is not cleared: %+v", out)
	}

	// A wrong password: 401, the email kept, no cookie.
	res, body = post(t, c, fx.srv.URL+"/login", url.Values{"email": {"zoe@example.com"}, "password": {"not the password"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "The email address or the password is wrong.") || !strings.Contains(body, `value="zoe@example.com"`) {
		t.Errorf("wrong password: status %d; want 401 with the message and the email kept", res.StatusCode)
	}
	if strings.Contains(body, "not the password") {
		t.Error("sign-in form after an error shows the password")
	}
	// Sign in, to a next page on this site only.
	for next, want := range map[string]string{"/gallery?sort=new": "/gallery?sort=new", "//evil.example/": "/configure", "https://evil.example/": "/configure", "": "/configure"} {
		res, _ = post(t, fx.client(t, nil), fx.srv.URL+"/login", url.Values{"email": {"zoe@example.com"}, "password": {testPassword}, "next": {next}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want || sessionCookie(res) == nil {
			t.Errorf("sign in with next %q: %d to %q, want 303 to %q with a cookie", next, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}

func TestLoginRateLimited(t *testing.T) {
	fx := newFixture(t)
	c := fx.client(t, nil)
	var res *http.Response
	var body string
	for range 12 {
		res, body = post(t, c, fx.srv.URL+"/login", url.Values{"email": {"nobody@example.com"}, "password": {"wrong password"}})
	}
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many sign-in attempts") {
		t.Errorf("after a flood of sign-ins: status %d, want 429 with the message", res.StatusCode)
	}
}

func TestDesignsAreOwnersOnly(t *testing.T) {
	fx := newFixture(t)
	alice := fx.mustUser(t, "Alice", account.Customer, "", "")
	bob := fx.mustUser(t, "Bob", account.Customer, "", "")
	secret := fx.mustDesign(t, alice, "Alice's secret phone", design.Private, map[string]string{"colour": "orange"})
	linked := fx.mustDesign(t, alice, "Alice's linked phone", design.Link, map[string]string{"colour": "green"})
	ac, bc := fx.client(t, &alice), fx.client(t, &bob)

	// The owner opens her design in the configurator, to edit it.
	res, body := get(t, ac, fx.srv.URL+"/configure?design="+secret.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="save-name" maxlength="100" placeholder="My phone" value="Alice&#39;s secret phone"`) {
		t.Errorf("owner opening her design: status %d, or the name is not filled in", res.StatusCode)
	}
	// Another customer cannot, and cannot tell it exists.
	if res, _ := get(t, bc, fx.srv.URL+"/configure?design="+secret.ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("another customer opening a private design: status %d, want 404", res.StatusCode)
	}
	if res, _ := post(t, bc, fx.srv.URL+"/designs/"+secret.ID+"/delete", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another customer deleting a design: status %d, want 404", res.StatusCode)
	}
	// A private design's share link does not open for others; a link
	// design's does, for anyone.
	if res, _ := get(t, bc, fx.srv.URL+"/s/"+secret.ShareToken); res.StatusCode != http.StatusNotFound {
		t.Errorf("share link of a private design: status %d, want 404", res.StatusCode)
	}
	res, body = get(t, fx.client(t, nil), fx.srv.URL+"/s/"+linked.ShareToken)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Alice&#39;s linked phone") || !strings.Contains(body, "Sage Green") || !strings.Contains(body, `id="open-copy"`) {
		t.Errorf("share link of a link design: status %d, or the page lacks its name, choices or copy link", res.StatusCode)
	}

	// My designs lists the owner's designs only, with picture and price.
	_, body = get(t, ac, fx.srv.URL+"/designs")
	if !strings.Contains(body, "Alice&#39;s secret phone") || !strings.Contains(body, "<svg") || !strings.Contains(body, "from €") {
		t.Error("my designs lacks the design, its picture or its price")
	}
	if _, body := get(t, bc, fx.srv.URL+"/designs"); strings.Contains(body, "Alice") {
		t.Error("Bob's designs show Alice's design")
	}
	// The owner deletes it.
	if res, _ := post(t, ac, fx.srv.URL+"/designs/"+secret.ID+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: status %d, want 303", res.StatusCode)
	}
	if _, body := get(t, ac, fx.srv.URL+"/designs"); strings.Contains(body, "secret phone") {
		t.Error("a deleted design is still listed")
	}
}

func TestGallery(t *testing.T) {
	fx := newFixture(t)
	alice := fx.mustUser(t, "Alice", account.Customer, "", "")
	fx.mustDesign(t, alice, "Blue max", design.Public, map[string]string{"size": "max", "colour": "blue"})
	fx.mustDesign(t, alice, "Hidden", design.Private, nil)
	_, body := get(t, fx.client(t, nil), fx.srv.URL+"/gallery?sort=new")
	if !strings.Contains(body, "Blue max") || strings.Contains(body, "Hidden") {
		t.Error("gallery does not list exactly the public design")
	}
	if !strings.Contains(body, `href="/login?next=%2Fgallery"`) || strings.Contains(body, "data-vote=") {
		t.Error("signed out, the vote button does not ask to sign in")
	}
	_, body = get(t, fx.client(t, &alice), fx.srv.URL+"/gallery")
	if !strings.Contains(body, "data-vote=") {
		t.Error("signed in, the gallery has no vote button")
	}
	if res, _ := get(t, fx.client(t, nil), fx.srv.URL+"/gallery?sort=worst"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown gallery order: status %d, want 400", res.StatusCode)
	}
	// The start page shows the top designs.
	if _, body := get(t, fx.client(t, nil), fx.srv.URL+"/"); !strings.Contains(body, "Blue max") || !strings.Contains(body, `id="cta"`) {
		t.Error("the start page lacks the call to action or the top designs")
	}
}

func TestConfigurePage(t *testing.T) {
	fx := newFixture(t)
	c := fx.client(t, nil)
	res, body := get(t, c, fx.srv.URL+"/configure?size=compact&colour=blue")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		`data-attr="size" data-level="compact" data-state="selected" aria-pressed="true"`,
		`data-attr="size" data-level="max" data-state="possible"`,
		`id="price">€`, `id="price-prefix" class="muted">from`,
		`id="picture" src="/models/` + fx.model.ID + `/picture.svg?colour=blue&amp;size=compact"`,
		`Delivery estimate: from`,
		`id="save-button"`, `id="save-visibility"`, `id="share-link"`, `id="reason"`, `id="repair"`,
		`<h2>Body and design</h2>`, `<h2>Cameras</h2>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("configurator lacks %s", want)
		}
	}
	// The periscope is excluded on the compact body, with the reason in
	// plain words and a repair.
	re := regexp.MustCompile(`data-attr="tele" data-level="p5x" data-state="excluded"[^>]*data-reason="([^"]*)"[^>]*data-repair="([^"]*)"`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the periscope is not excluded with a reason and a repair on the compact body")
	}
	if want := "Not with Body size: Compact — rule &#39;The periscope telephoto needs the standard or max body&#39;"; m[1] != want {
		t.Errorf("reason = %q, want %q", m[1], want)
	}
	if !strings.HasPrefix(m[2], "Change Body size to ") {
		t.Errorf("repair = %q, want a change of body size", m[2])
	}

	// A complete design has a price without "from".
	e, _, err := fx.svc.Engine(context.Background(), fx.model.ID)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	config, _ := pricedCompletion(e, e.NewSelection())
	for a, l := range config {
		at := e.Model().Attributes[a]
		q.Set(at.Name, at.Levels[l].Name)
	}
	_, body = get(t, c, fx.srv.URL+"/configure?"+q.Encode())
	if !strings.Contains(body, `id="price-prefix" class="muted" hidden>from`) {
		t.Error("a complete design's price says from")
	}
	if !strings.Contains(body, `data-spec="weight"><dt>Weight</dt><dd>`) {
		t.Error("the specs panel lacks the weight")
	}
}

func TestPictureEndpoint(t *testing.T) {
	fx := newFixture(t)
	c := fx.client(t, nil)
	pic := func(q string) string {
		res, body := get(t, c, fx.srv.URL+"/models/"+fx.model.ID+"/picture.svg?"+q)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
			t.Fatalf("picture %s: status %d, type %q", q, res.StatusCode, res.Header.Get("Content-Type"))
		}
		return body
	}
	if pic("colour=blue") == pic("colour=white") {
		t.Error("blue and white phones have the same picture")
	}
	// An unknown model draws a plain phone rather than a broken image.
	res, body := get(t, c, fx.srv.URL+"/models/nope/picture.svg?colour=red")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "<svg") {
		t.Errorf("picture of an unknown model: status %d", res.StatusCode)
	}
}

func TestAccountTokens(t *testing.T) {
	fx := newFixture(t)
	u := fx.mustUser(t, "Tom", account.Customer, "", "")
	c := fx.client(t, &u)
	res, body := post(t, c, fx.srv.URL+"/account/tokens", url.Values{"name": {"notebook"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create token: status %d", res.StatusCode)
	}
	m := regexp.MustCompile(`id="token-secret" class="secret">([^<]+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the new token's secret is not shown")
	}
	if _, err := fx.svc.Authenticate(context.Background(), m[1]); err != nil {
		t.Errorf("the shown secret does not authenticate: %v", err)
	}
	_, body = get(t, c, fx.srv.URL+"/account")
	if strings.Contains(body, m[1]) || !strings.Contains(body, "notebook") {
		t.Error("the account page shows the secret again, or does not list the token")
	}
	if res, body := post(t, c, fx.srv.URL+"/account/tokens", url.Values{"name": {" "}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "needs a name") {
		t.Errorf("token without a name: status %d, want 400 with the message", res.StatusCode)
	}
	id := regexp.MustCompile(`data-token-id="([^"]+)"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no token listed")
	}
	if res, _ := post(t, c, fx.srv.URL+"/account/tokens/"+id[1]+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", res.StatusCode)
	}
	if _, err := fx.svc.Authenticate(context.Background(), m[1]); err == nil {
		t.Error("a revoked token still authenticates")
	}
}

func TestAdminModels(t *testing.T) {
	fx := newFixture(t)
	admin := fx.mustUser(t, "Adam", account.Admin, "", "")
	c := fx.client(t, &admin)
	upload := func(source string) (*http.Response, string) {
		var b strings.Builder
		b.WriteString("--B\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\n" + source + "\r\n--B--\r\n")
		req, _ := http.NewRequest(http.MethodPost, fx.srv.URL+"/admin/models", strings.NewReader(b.String()))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res, readBody(t, res)
	}
	res, body := upload("model \"Broken\" version \"1\"\ncurrency EUR\nattribute a \"A\" {\n  level x \"X\"\n  level x \"X again\"\n}\nrule r \"R\": a = y requires a = x\n")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-severity="error"`) || !regexp.MustCompile(`<code>\d+:\d+</code> <span class="sev">error</span>`).MatchString(body) {
		t.Errorf("upload with errors: status %d, want 400 with diagnostics at line:col", res.StatusCode)
	}
	src := strings.Replace(string(models.Phone), `version "2026.1.0"`, `version "2026.2.0-test"`, 1)
	res, body = upload(src)
	if res.StatusCode != http.StatusCreated || !strings.Contains(body, "2026.2.0-test as a draft") {
		t.Fatalf("upload: status %d, want 201 with the draft", res.StatusCode)
	}
	m := regexp.MustCompile(`data-publish="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the draft has no publish button")
	}
	if res, _ := post(t, c, fx.srv.URL+"/admin/models/"+m[1]+"/publish", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: status %d", res.StatusCode)
	}
	if _, body := get(t, c, fx.srv.URL+"/admin/models"); strings.Contains(body, `data-publish=`) {
		t.Error("the published model still has a publish button")
	}
}

func TestInsights(t *testing.T) {
	fx := newFixture(t)
	analyst := fx.mustUser(t, "Ana", account.Analyst, "", "")
	eu := fx.mustUser(t, "Eve", account.Customer, "europe", "25-34")
	fx.mustDesign(t, eu, "one", design.Private, map[string]string{"size": "max", "colour": "blue"})
	fx.mustDesign(t, eu, "two", design.Public, map[string]string{"size": "max", "colour": "white"})
	fx.mustDesign(t, eu, "three", design.Link, map[string]string{"size": "compact", "colour": "blue"})
	c := fx.client(t, &analyst)
	res, body := get(t, c, fx.srv.URL+"/insights?combo=size&combo=colour")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		`id="designs-count"><strong>3</strong>`,
		`data-chart="chart-size"`, `<g data-label="Max" data-value="2">`, `<g data-label="Compact" data-value="1">`, `<g data-label="Standard" data-value="0">`,
		`<g data-label="Ocean Blue" data-value="2">`,
		`data-chart="chart-daily"`, `data-chart="chart-segments"`, `<g data-label="Europe · 25-34" data-value="3">`,
		`<tr><td>Max</td><td>Ocean Blue</td><td class="num">1</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("insights lack %s", want)
		}
	}
	// Filters narrow the counts.
	_, body = get(t, c, fx.srv.URL+"/insights?region=asia-pacific")
	if !strings.Contains(body, `id="designs-count"><strong>0</strong>`) {
		t.Error("a region without designs still counts designs")
	}
	if res, _ := get(t, c, fx.srv.URL+"/insights?from=yesterday"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a malformed date: status %d, want 400", res.StatusCode)
	}
}

func TestStaticAssets(t *testing.T) {
	fx := newFixture(t)
	c := fx.client(t, nil)
	_, body := get(t, c, fx.srv.URL+"/")
	m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the layout does not link a versioned stylesheet")
	}
	res, css := get(t, c, fx.srv.URL+m[1])
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ".level") {
		t.Errorf("versioned stylesheet: status %d, cache %q, type %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Content-Type"))
	}
	if res, _ := get(t, c, fx.srv.URL+"/static/app.css?v=old"); res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale version cached: %q", res.Header.Get("Cache-Control"))
	}
	if res, _ := get(t, c, fx.srv.URL+"/static/nope.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset: status %d", res.StatusCode)
	}
}
