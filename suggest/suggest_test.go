package suggest

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3}, {"colour", "color", 1}, {"ab", "ba", 2},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"colour", "storage", "Battery", "size"}
	tests := []struct{ name, want string }{
		{"colr", "colour"}, {"COLOUR", "colour"}, {"battery", "Battery"}, {"sise", "size"}, {"zzzzzz", ""}, {"", ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.name, names); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := DidYouMean("storag", names); got != ` (did you mean "storage"?)` {
		t.Errorf("DidYouMean = %q", got)
	}
	if got := DidYouMean("xyzzy", names); got != "" {
		t.Errorf("DidYouMean = %q, want nothing", got)
	}
}
