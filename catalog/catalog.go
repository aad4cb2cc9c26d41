// Package catalog holds the product model versions a maker has uploaded and
// published. Designs, surveys and lineups refer to a version by its id, so
// that they stay valid when a newer version of the model is published.
package catalog

import (
	"time"

	"github.com/tailor-c2b/tailor/model"
)

// Version is one uploaded version of a product model. The name and version
// come from the model source's header.
type Version struct {
	ID          string
	Name        string
	Version     string
	Source      string
	CreatedBy   string // user id of the admin who uploaded it; "" for a built-in model
	CreatedAt   time.Time
	PublishedAt time.Time // zero while a draft
}

// Published reports whether v is published, and so visible to customers.
func (v Version) Published() bool { return !v.PublishedAt.IsZero() }

// Upload is the outcome of checking a model source for upload: the parsed
// model and its diagnostics, with errors and warnings.
type Upload struct {
	Model       *model.Model
	Diagnostics model.Diagnostics
}

// Check parses and checks a model source named file. The result's model is
// nil when the source has errors.
func Check(file string, source []byte) Upload {
	m, diags := model.Parse(file, source)
	diags.Sort()
	if diags.HasErrors() {
		return Upload{Diagnostics: diags}
	}
	return Upload{Model: m, Diagnostics: diags}
}
