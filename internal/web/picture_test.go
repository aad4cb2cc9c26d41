package web

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// MustPhone parses the default phone model.
func MustPhone(tb testing.TB) *model.Model {
	tb.Helper()
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	if diags.HasErrors() {
		tb.Fatalf("phone model: %v", diags.Err())
	}
	return m
}

func TestPictureGolden(t *testing.T) {
	m := MustPhone(t)
	tests := []struct {
		name  string
		model *model.Model
		sel   map[string]string
	}{
		{"defaults", m, nil},
		{"compact-green-leather", m, map[string]string{"size": "compact", "colour": "green", "back": "vegan_leather", "ultrawide": "none", "main": "m50s"}},
		{"max-titanium-periscope", m, map[string]string{"size": "max", "colour": "natural", "frame": "titanium", "back": "glass", "main": "m1in", "ultrawide": "uw50", "tele": "p5x", "wireless": "mag50"}},
		{"standard-blue-aluminium-tele", m, map[string]string{"colour": "blue", "back": "aluminium", "frame": "aluminium", "tele": "t3x", "panel": "lcd"}},
		{"ceramic-white-steel", m, map[string]string{"size": "standard", "colour": "white", "back": "ceramic", "frame": "steel", "ultrawide": "uw8"}},
		{"unknown-model", nil, map[string]string{"colour": "red"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Picture(tt.model, tt.sel)
			path := filepath.Join("testdata", "picture-"+tt.name+".svg")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Picture differs from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// TestPictureFollowsDesign checks that each visible choice changes the
// picture, and that the picture is the same for the same design.
func TestPictureFollowsDesign(t *testing.T) {
	m := MustPhone(t)
	base := map[string]string{"size": "standard", "colour": "black", "frame": "aluminium", "back": "glass", "ultrawide": "uw8", "tele": "none", "main": "m50m"}
	with := func(attr, level string) map[string]string {
		sel := map[string]string{}
		for k, v := range base {
			sel[k] = v
		}
		sel[attr] = level
		return sel
	}
	ref := Picture(m, base)
	if again := Picture(m, base); again != ref {
		t.Fatal("Picture is not deterministic")
	}
	for _, c := range []struct{ attr, level string }{
		{"size", "compact"}, {"size", "max"},
		{"colour", "white"}, {"colour", "orange"}, {"colour", "natural"},
		{"frame", "titanium"}, {"frame", "steel"},
		{"back", "vegan_leather"}, {"back", "ceramic"}, {"back", "aluminium"},
		{"ultrawide", "none"}, {"tele", "t3x"}, {"tele", "p5x"}, {"main", "m1in"},
	} {
		sel := with(c.attr, c.level)
		got := drawing(Picture(m, sel), pictureID(m, sel))
		if got == drawing(ref, pictureID(m, base)) {
			t.Errorf("%s=%s draws the same picture as %s=%s", c.attr, c.level, c.attr, base[c.attr])
		}
	}
	// Different sizes give different outlines, and a bigger body is taller.
	if hc, hm := lookOf(m, with("size", "compact")).height, lookOf(m, with("size", "max")).height; !(hc < hm) {
		t.Errorf("compact height %v, max height %v: want compact shorter", hc, hm)
	}
	// The title says what the picture shows, for screen readers.
	if got := Picture(m, with("tele", "p5x")); !strings.Contains(got, "periscope") {
		t.Errorf("picture of a periscope design does not say so in its title")
	}
}

// drawing returns an SVG without its id prefix, so that two pictures are
// compared by what they draw.
func drawing(svg, id string) string { return strings.ReplaceAll(svg, id, "ID") }
