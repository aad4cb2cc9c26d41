package models_test

import (
	"testing"

	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
)

func parsePhone(t *testing.T) *model.Model {
	t.Helper()
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	for _, d := range diags {
		t.Errorf("%s", d)
	}
	if diags.HasErrors() || m == nil {
		t.FailNow()
	}
	return m
}

func TestPhoneParses(t *testing.T) {
	m := parsePhone(t)
	if m.Name != "Tailor Phone" {
		t.Errorf("model name %q, want %q", m.Name, "Tailor Phone")
	}
	if m.Version == "" {
		t.Error("model has no version")
	}
	if m.Currency != "EUR" {
		t.Errorf("currency %q, want EUR", m.Currency)
	}
	if len(m.Attributes) < 20 {
		t.Errorf("%d attributes, want at least 20", len(m.Attributes))
	}
	if n := len(m.Rules) + len(m.Tables); n < 25 {
		t.Errorf("%d rules and tables, want at least 25", n)
	}
	for _, p := range []string{"cost", "price", "weight", "volume", "power", "thermal", "lead_time"} {
		if m.Property(p) == nil {
			t.Errorf("property %s not declared", p)
		}
	}
}

func TestPhoneLevels(t *testing.T) {
	m := parsePhone(t)
	for _, a := range m.Attributes {
		if a.Group == "" {
			t.Errorf("attribute %s is in no group", a.Name)
		}
		if a.Default < 0 {
			t.Errorf("attribute %s has no default level", a.Name)
		}
		for _, l := range a.Levels {
			if l.Name != "none" && len(l.Parts) == 0 {
				t.Errorf("level %s.%s has no parts", a.Name, l.Name)
			}
			for _, p := range l.Parts {
				if p.Number == "" || p.Qty < 1 {
					t.Errorf("level %s.%s has a bad part line %+v", a.Name, l.Name, p)
				}
			}
		}
	}
}

func TestPhoneDefaultsValid(t *testing.T) {
	m := parsePhone(t)
	config := make([]int, len(m.Attributes))
	for i, a := range m.Attributes {
		if a.Default < 0 {
			t.Fatalf("attribute %s has no default level", a.Name)
		}
		config[i] = a.Default
	}
	if m.Valid(config) {
		return
	}
	for i := range m.Rules {
		if !m.Rules[i].Holds(m, config) {
			t.Errorf("default configuration breaks rule %s (%s)", m.Rules[i].Name, m.Rules[i].Label)
		}
	}
	for i := range m.Tables {
		if !m.Tables[i].Holds(config) {
			t.Errorf("default configuration breaks table %s (%s)", m.Tables[i].Name, m.Tables[i].Label)
		}
	}
}
