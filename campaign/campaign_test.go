package campaign

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/errs"
)

func draft() Campaign {
	return Campaign{Name: "Max · 512 GB · Android 15", ModelID: "m1", Config: map[string]string{"size": "max", "os": "android"},
		Price: 99900, Cost: 22150, Currency: "EUR", Status: Draft, LineupID: "l1", Variant: 2}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Campaign)
		msg    string // "" for valid
	}{
		{"a draft of a lineup", func(*Campaign) {}, ""},
		{"of no lineup", func(c *Campaign) { c.LineupID, c.Variant = "", -1 }, ""},
		{"without a currency", func(c *Campaign) { c.Currency = "" }, ""},
		{"free to build", func(c *Campaign) { c.Cost = 0 }, ""},
		{"no name", func(c *Campaign) { c.Name = "  " }, "needs a name"},
		{"a long name", func(c *Campaign) { c.Name = strings.Repeat("é", MaxName+1) }, "at most 200 characters"},
		{"no model", func(c *Campaign) { c.ModelID = "" }, "which product model"},
		{"no configuration", func(c *Campaign) { c.Config = nil }, "no configuration"},
		{"an attribute without a level", func(c *Campaign) { c.Config = map[string]string{"size": ""} }, "needs a level"},
		{"free", func(c *Campaign) { c.Price = 0 }, "price must be positive"},
		{"a negative cost", func(c *Campaign) { c.Cost = -1 }, "must not be negative"},
		{"a currency in lower case", func(c *Campaign) { c.Currency = "eur" }, "not a currency code"},
		{"a currency name", func(c *Campaign) { c.Currency = "EURO" }, "not a currency code"},
		{"an unknown status", func(c *Campaign) { c.Status = "open" }, `Unknown campaign status "open"`},
		{"a negative variant", func(c *Campaign) { c.Variant = -1 }, "0 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := draft()
			tt.change(&c)
			err := c.Validate()
			if tt.msg == "" {
				if err != nil {
					t.Errorf("Validate: %v, want nil", err)
				}
				return
			}
			if errs.Code(err) != errs.Invalid || !strings.Contains(errs.Message(err), tt.msg) {
				t.Errorf("Validate: %v, want invalid with %q", err, tt.msg)
			}
		})
	}
}

func TestMargin(t *testing.T) {
	if got := draft().Margin(); got != 99900-22150 {
		t.Errorf("Margin = %d, want %d", got, 99900-22150)
	}
}

func TestShortName(t *testing.T) {
	if got := ShortName("  Compact · AliOS "); got != "Compact · AliOS" {
		t.Errorf("ShortName trims to %q", got)
	}
	long := strings.Repeat("ü", MaxName+10)
	got := ShortName(long)
	if utf8.RuneCountInString(got) != MaxName || !strings.HasSuffix(got, "…") {
		t.Errorf("ShortName of %d characters: %d characters ending %q; want %d ending in …", MaxName+10, utf8.RuneCountInString(got), got[len(got)-3:], MaxName)
	}
	c := draft()
	c.Name = got
	if err := c.Validate(); err != nil {
		t.Errorf("a shortened name does not validate: %v", err)
	}
}

func TestPageClamp(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, DefaultLimit}, {-3, DefaultLimit}, {7, 7}, {MaxLimit + 1, MaxLimit}} {
		if got := (Page{Limit: tt.in}).Clamp().Limit; got != tt.want {
			t.Errorf("Clamp(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
