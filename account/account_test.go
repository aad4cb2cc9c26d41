package account

import (
	"context"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/errs"
)

func TestSignUpValidate(t *testing.T) {
	ok := SignUp{Email: "ana@example.com", Password: "long enough pw", Name: "Ana", Region: "europe", AgeBand: "25-34"}
	tests := []struct {
		name   string
		change func(*SignUp)
		want   string // "" for valid, else a part of the message
	}{
		{"valid", func(*SignUp) {}, ""},
		{"no region or age band", func(s *SignUp) { s.Region, s.AgeBand = "", "" }, ""},
		{"no email", func(s *SignUp) { s.Email = "" }, "email address is required"},
		{"not an address", func(s *SignUp) { s.Email = "ana" }, "not an email address"},
		{"display form", func(s *SignUp) { s.Email = "Ana <ana@example.com>" }, "not an email address"},
		{"short password", func(s *SignUp) { s.Password = "short" }, "at least 10"},
		{"long password", func(s *SignUp) { s.Password = strings.Repeat("x", MaxPassword+1) }, "at most 256"},
		{"no name", func(s *SignUp) { s.Name = "" }, "name is required"},
		{"unknown region", func(s *SignUp) { s.Region = "mars" }, "Unknown region"},
		{"unknown age band", func(s *SignUp) { s.AgeBand = "12-17" }, "Unknown age band"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			tt.change(&s)
			err := s.Normalize().Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if errs.Code(err) != errs.Invalid || !strings.Contains(errs.Message(err), tt.want) {
				t.Fatalf("Validate() = %v, want invalid with %q", err, tt.want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got := (SignUp{Email: "  Ana@Example.COM "}).Normalize().Email; got != "ana@example.com" {
		t.Errorf("normalized email = %q", got)
	}
}

func TestPermissions(t *testing.T) {
	nobody := User{}
	tests := []struct {
		user User
		perm Permission
		want string // error code, "" when allowed
	}{
		{nobody, SaveDesigns, errs.Unauthorized},
		{nobody, ViewStats, errs.Unauthorized},
		{nobody, ManageModels, errs.Unauthorized},
		{nobody, RunAnalyses, errs.Unauthorized},
		{User{ID: "c", Role: Customer}, RunAnalyses, errs.Forbidden},
		{User{ID: "a", Role: Analyst}, RunAnalyses, ""},
		{User{ID: "p", Role: Planner}, RunAnalyses, ""},
		{User{ID: "x", Role: Admin}, RunAnalyses, ""},
		{User{ID: "a", Role: Analyst}, ManageJobs, errs.Forbidden},
		{User{ID: "p", Role: Planner}, ManageJobs, errs.Forbidden},
		{User{ID: "x", Role: Admin}, ManageJobs, ""},
		{User{ID: "c", Role: Customer}, SaveDesigns, ""},
		{User{ID: "c", Role: Customer}, ViewStats, errs.Forbidden},
		{User{ID: "c", Role: Customer}, ManageModels, errs.Forbidden},
		{User{ID: "a", Role: Analyst}, ViewStats, ""},
		{User{ID: "a", Role: Analyst}, ManageModels, errs.Forbidden},
		{User{ID: "p", Role: Planner}, ViewStats, ""},
		{User{ID: "p", Role: Planner}, ManageModels, errs.Forbidden},
		{User{ID: "x", Role: Admin}, ManageModels, ""},
		{User{ID: "x", Role: Admin}, ViewStats, ""},
		{User{ID: "x", Role: Admin}, SaveDesigns, ""},
		{nobody, ManageSurveys, errs.Unauthorized},
		{nobody, AnswerSurveys, errs.Unauthorized},
		{User{ID: "c", Role: Customer}, ManageSurveys, errs.Forbidden},
		{User{ID: "c", Role: Customer}, AnswerSurveys, ""},
		{User{ID: "a", Role: Analyst}, ManageSurveys, ""},
		{User{ID: "a", Role: Analyst}, AnswerSurveys, errs.Forbidden},
		{User{ID: "p", Role: Planner}, ManageSurveys, errs.Forbidden},
		{User{ID: "p", Role: Planner}, AnswerSurveys, errs.Forbidden},
		{User{ID: "x", Role: Admin}, ManageSurveys, ""},
		{User{ID: "x", Role: Admin}, AnswerSurveys, errs.Forbidden},
	}
	for _, tt := range tests {
		if got := errs.Code(tt.user.Require(tt.perm)); got != tt.want {
			t.Errorf("%q as %q: Require(%s) = %q, want %q", tt.user.ID, tt.user.Role, tt.perm, got, tt.want)
		}
	}
}

func TestPasswords(t *testing.T) {
	h := HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string with the default parameters", h)
	}
	if h == HashPassword("correct horse battery") {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("the right password does not match")
	}
	for _, bad := range []string{"correct horse batterY", "", "correct horse battery "} {
		if CheckPassword(h, bad) {
			t.Errorf("wrong password %q matches", bad)
		}
	}
	parts := strings.Split(h, "$")
	for _, malformed := range []string{
		"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=2,p=1$" + parts[4] + "$" + parts[5], // too much memory
		"$argon2id$v=19$m=19456,t=2,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$short",
	} {
		if CheckPassword(malformed, "correct horse battery") {
			t.Errorf("malformed hash %q matches", malformed)
		}
	}
	if CheckNoPassword("anything") {
		t.Error("CheckNoPassword matched")
	}
}

func TestTokens(t *testing.T) {
	tok, hash := NewToken(SessionPrefix)
	if !strings.HasPrefix(tok, SessionPrefix) || len(tok) != len(SessionPrefix)+43 {
		t.Errorf("token %q: want the prefix and 43 base64url characters", tok)
	}
	if hash != HashToken(tok) || len(hash) != 64 {
		t.Errorf("hash %q is not the token's SHA-256 in hex", hash)
	}
	if other, _ := NewToken(SessionPrefix); other == tok {
		t.Error("two tokens are equal")
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if u := FromContext(ctx); u.ID != "" {
		t.Errorf("empty context carries %+v", u)
	}
	u := User{ID: "u1", Role: Analyst}
	if got := FromContext(NewContext(ctx, u)); got != u {
		t.Errorf("FromContext = %+v, want %+v", got, u)
	}
}

// FuzzCheckPassword feeds arbitrary stored hashes to the PHC parser: it
// must never panic, and a hash that is not argon2id matches nothing.
func FuzzCheckPassword(f *testing.F) {
	f.Add(HashPassword("pw"), "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("$$$$$", "x")
	f.Fuzz(func(t *testing.T, hash, password string) {
		ok := CheckPassword(hash, password)
		if ok && !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("non-argon2id hash %q matched", hash)
		}
	})
}
