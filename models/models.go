// Package models holds the product models shipped with Tailor.
//
// Phone is the default smartphone model, models/phone.tailor, written in the
// product model language (docs/model-language.md). It is embedded in the
// binary so that `tailor serve` and the demo market work with no files on
// disk; parse it with model.Parse(PhoneFile, Phone).
package models

import _ "embed"

// PhoneFile is the file name of the default smartphone model, for
// diagnostics and for writing the model out.
const PhoneFile = "phone.tailor"

// Phone is the source text of the default smartphone model.
//
//go:embed phone.tailor
var Phone []byte
