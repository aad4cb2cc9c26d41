// Package shareddata finds the public reference data sets that tests and
// benchmarks validate the estimators against. The data are third-party
// research data under their own licences and are not part of the
// repository: they live in ../shared/data beside the checkout, or wherever
// TAILOR_SHARED_DATA points. Tests skip with a message when they are absent.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the directory of data set name (such as "swissmetro"), or
// skips tb when it cannot be found.
func Dir(tb testing.TB, name string) string {
	tb.Helper()
	if root := Root(); root != "" {
		dir := filepath.Join(root, name)
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
	}
	tb.Skipf("reference data set %s not found: set TAILOR_SHARED_DATA or place it in ../shared/data beside the checkout", name)
	return ""
}

// File returns the path of file within data set name, or skips tb.
func File(tb testing.TB, name, file string) string {
	tb.Helper()
	p := filepath.Join(Dir(tb, name), file)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("reference data file %s not found", p)
	}
	return p
}

// Root returns the shared data directory, or "" when there is none: the
// TAILOR_SHARED_DATA variable, or shared/data in the parent of the
// module's root (the directory holding go.mod), searched upward from the
// working directory.
func Root() string {
	if d := os.Getenv("TAILOR_SHARED_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared", "data")
			if _, err := os.Stat(d); err == nil {
				return d
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
