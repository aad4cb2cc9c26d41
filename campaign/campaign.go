// Package campaign holds pre-sale campaigns: a phone the maker offers to
// pre-order, at a price, before building it. A campaign starts as a draft,
// made from one variant of a chosen lineup (package lineup); the pre-sale
// store opens drafts to customers. It is pure: storage lives in
// internal/sqldb.
package campaign

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/errs"
)

// Status is where a campaign is in its life. Drafts are all there is so
// far; the pre-sale store adds the statuses of campaigns customers see.
type Status string

// Draft is a campaign being prepared: customers do not see it.
const Draft Status = "draft"

// Statuses lists every status in life order.
var Statuses = []Status{Draft}

// ParseStatus returns the status named s, or an errs.Invalid error.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", errs.Errorf(errs.Invalid, "Unknown campaign status %q; want draft.", s)
}

// Campaign is one phone offered for pre-order.
type Campaign struct {
	ID   string
	Name string
	// ModelID is the product model version the phone is configured on,
	// and Config the phone: a level name for every attribute of the model,
	// by attribute name, so that the configurator and the factory read
	// the same phone.
	ModelID string
	Config  map[string]string
	// Price is what a customer pays, Cost what the phone's bill of
	// materials costs, both in minor units of Currency.
	Price, Cost int64
	Currency    string
	Status      Status
	// LineupID is the lineup job the campaign was drafted from ("" for a
	// campaign of another origin) and Variant the variant's place in that
	// lineup, from 0. A lineup's variant has at most one campaign.
	LineupID  string
	Variant   int
	CreatedBy string // the id of the user who made it; "" when unknown
	CreatedAt time.Time
}

// Margin is what one unit earns: the price less the cost.
func (c Campaign) Margin() int64 { return c.Price - c.Cost }

// MaxName bounds a campaign's name, in characters.
const MaxName = 200

// Validate returns an errs.Invalid error naming the first thing wrong with
// a campaign about to be stored.
func (c Campaign) Validate() error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(c.Name)); {
	case n == 0:
		return errs.Errorf(errs.Invalid, "A campaign needs a name.")
	case n > MaxName:
		return errs.Errorf(errs.Invalid, "A campaign's name has at most %d characters.", MaxName)
	}
	if c.ModelID == "" {
		return errs.Errorf(errs.Invalid, "Campaign %q: say which product model its phone is configured on.", c.Name)
	}
	if len(c.Config) == 0 {
		return errs.Errorf(errs.Invalid, "Campaign %q: its phone has no configuration.", c.Name)
	}
	for a, l := range c.Config {
		if a == "" || l == "" {
			return errs.Errorf(errs.Invalid, "Campaign %q: every attribute of its phone needs a level.", c.Name)
		}
	}
	if c.Price <= 0 {
		return errs.Errorf(errs.Invalid, "Campaign %q: the price must be positive.", c.Name)
	}
	if c.Cost < 0 {
		return errs.Errorf(errs.Invalid, "Campaign %q: the cost must not be negative.", c.Name)
	}
	if !validCurrency(c.Currency) {
		return errs.Errorf(errs.Invalid, "Campaign %q: %q is not a currency code such as EUR.", c.Name, c.Currency)
	}
	if _, err := ParseStatus(string(c.Status)); err != nil {
		return err
	}
	if c.LineupID != "" && c.Variant < 0 {
		return errs.Errorf(errs.Invalid, "Campaign %q: the variant of its lineup must be 0 or more.", c.Name)
	}
	return nil
}

// validCurrency reports whether s is an ISO 4217 style code of three
// capital letters, or "" for amounts without a currency.
func validCurrency(s string) bool {
	if s == "" {
		return true
	}
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// ShortName cuts a name to MaxName characters, ending in "…" when cut.
func ShortName(name string) string {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) <= MaxName {
		return name
	}
	r := []rune(name)
	return string(r[:MaxName-1]) + "…"
}

// Filter selects the campaigns a list shows; empty fields select all.
type Filter struct {
	LineupID string
}

// Page asks for one page of a list: at most Limit campaigns after the
// opaque Cursor a previous page returned ("" for the first page).
type Page struct {
	Limit  int
	Cursor string
}

// Page size limits.
const (
	DefaultLimit = 24
	MaxLimit     = 100
)

// Clamp returns p with Limit in 1..MaxLimit, DefaultLimit when unset.
func (p Page) Clamp() Page {
	switch {
	case p.Limit <= 0:
		p.Limit = DefaultLimit
	case p.Limit > MaxLimit:
		p.Limit = MaxLimit
	}
	return p
}
