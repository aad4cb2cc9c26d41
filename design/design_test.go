package design

import (
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/errs"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"Weekend camera", true},
		{"Ünïcödé 📱", true},
		{strings.Repeat("é", MaxName), true},
		{strings.Repeat("é", MaxName+1), false},
		{"", false},
		{"   ", false},
		{"tab\there", false},
		{"new\nline", false},
	}
	for _, tt := range tests {
		err := ValidateName(tt.name)
		if (err == nil) != tt.ok || (err != nil && errs.Code(err) != errs.Invalid) {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestParseVisibility(t *testing.T) {
	for _, s := range []string{"private", "link", "public"} {
		if v, err := ParseVisibility(s); err != nil || string(v) != s {
			t.Errorf("ParseVisibility(%q) = %q, %v", s, v, err)
		}
	}
	for _, s := range []string{"", "Public", "friends"} {
		if _, err := ParseVisibility(s); errs.Code(err) != errs.Invalid {
			t.Errorf("ParseVisibility(%q) = %v, want invalid", s, err)
		}
	}
}

func TestVisibleTo(t *testing.T) {
	tests := []struct {
		vis    Visibility
		viewer string
		want   bool
	}{
		{Private, "owner", true},
		{Private, "other", false},
		{Private, "", false},
		{Link, "other", false}, // by id; the share link is the way in
		{Public, "other", true},
		{Public, "", true},
	}
	for _, tt := range tests {
		d := Design{OwnerID: "owner", Visibility: tt.vis}
		if got := d.VisibleTo(tt.viewer); got != tt.want {
			t.Errorf("%s design, viewer %q: VisibleTo = %v, want %v", tt.vis, tt.viewer, got, tt.want)
		}
	}
}

func TestPageClamp(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, DefaultLimit}, {-5, DefaultLimit}, {7, 7}, {MaxLimit + 1, MaxLimit}} {
		if got := (Page{Limit: tt.in}).Clamp().Limit; got != tt.want {
			t.Errorf("Clamp(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
