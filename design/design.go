// Package design holds customers' saved phone designs: a named selection of
// levels under one model version, who may see it, and what analysts learn
// from many of them. It is pure: storage lives in internal/sqldb.
package design

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/errs"
)

// Visibility says who may see a design.
type Visibility string

// Visibilities. A private design is seen by its owner only; a link design by
// anyone with its share link; a public design also appears in the gallery,
// where signed-in users vote for it.
const (
	Private Visibility = "private"
	Link    Visibility = "link"
	Public  Visibility = "public"
)

// ParseVisibility returns the visibility named s, or an errs.Invalid error.
func ParseVisibility(s string) (Visibility, error) {
	switch v := Visibility(s); v {
	case Private, Link, Public:
		return v, nil
	}
	return "", errs.Errorf(errs.Invalid, "Unknown visibility %q; want private, link or public.", s)
}

// Design is a saved design.
type Design struct {
	ID         string
	OwnerID    string
	OwnerName  string // filled by reads, for display
	ModelID    string // the model version the selection refers to
	Name       string
	Selection  map[string]string // attribute name -> level name
	Complete   bool              // every attribute of the model is selected
	Visibility Visibility
	ShareToken string // the secret part of the share link
	Price      int64  // retail price roll-up in minor units (the lowest possible for a partial design)
	Votes      int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// MaxName is the longest design name, in characters.
const MaxName = 100

// ValidateName returns an errs.Invalid error unless name is a usable design
// name: 1 to MaxName characters after trimming, no control characters.
func ValidateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errs.Errorf(errs.Invalid, "The design needs a name.")
	}
	if utf8.RuneCountInString(name) > MaxName {
		return errs.Errorf(errs.Invalid, "The design name must have at most %d characters.", MaxName)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f {
			return errs.Errorf(errs.Invalid, "The design name must not hold control characters.")
		}
	}
	return nil
}

// VisibleTo reports whether the user with id viewer may read d when reaching
// it by id (not by share link): the owner always, others when it is public.
func (d Design) VisibleTo(viewer string) bool {
	return d.OwnerID == viewer || d.Visibility == Public
}

// Page asks for one page of a list: at most Limit items after the opaque
// Cursor a previous page returned ("" for the first page).
type Page struct {
	Limit  int
	Cursor string
}

// Page size limits.
const (
	DefaultLimit = 20
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

// GallerySort orders the gallery.
type GallerySort string

// Gallery orders: most votes first, or newest first.
const (
	Top    GallerySort = "top"
	Newest GallerySort = "new"
)

// Vote is one user's vote for one public design.
type Vote struct {
	UserID   string
	DesignID string
}
