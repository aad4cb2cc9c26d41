package job

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tailor-c2b/tailor/errs"
)

func TestParseStatus(t *testing.T) {
	for _, s := range Statuses {
		got, err := ParseStatus(string(s))
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "Queued", "finished", "done "} {
		if _, err := ParseStatus(bad); errs.Code(err) != errs.Invalid {
			t.Errorf("ParseStatus(%q): err %v, want invalid", bad, err)
		}
	}
}

func TestFinal(t *testing.T) {
	want := map[Status]bool{Queued: false, Running: false, Done: true, Failed: true, Cancelled: true}
	for s, w := range want {
		if got := s.Final(); got != w {
			t.Errorf("%s.Final() = %v, want %v", s, got, w)
		}
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in      string
		wantLen int
		wantCut bool
	}{
		{"", 0, false},
		{"iteration 12, LL -5331.25", 25, false},
		{strings.Repeat("x", MaxMessage), MaxMessage, false},
		{strings.Repeat("x", MaxMessage+1), MaxMessage, true},
		{strings.Repeat("é", 3*MaxMessage), MaxMessage, true}, // counts characters, not bytes
	}
	for _, tt := range tests {
		got := Shorten(tt.in)
		if n := utf8.RuneCountInString(got); n != tt.wantLen {
			t.Errorf("Shorten(%d chars) has %d chars, want %d", utf8.RuneCountInString(tt.in), n, tt.wantLen)
		}
		if cut := strings.HasSuffix(got, "…"); cut != tt.wantCut {
			t.Errorf("Shorten(%d chars) ends in … = %v, want %v", utf8.RuneCountInString(tt.in), cut, tt.wantCut)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Shorten made invalid UTF-8")
		}
	}
}

func TestValidKind(t *testing.T) {
	tests := map[string]bool{
		"fit": true, "lineup-optimise": true, "hb2": true, strings.Repeat("a", 40): true,
		"": false, "Fit": false, "2fit": false, "-fit": false, "fit/x": false, "fit x": false, "fït": false,
		strings.Repeat("a", 41): false,
	}
	for kind, want := range tests {
		if got := ValidKind(kind); got != want {
			t.Errorf("ValidKind(%q) = %v, want %v", kind, got, want)
		}
	}
}

func TestPageClamp(t *testing.T) {
	tests := []struct{ in, want int }{{0, DefaultLimit}, {-3, DefaultLimit}, {1, 1}, {MaxLimit, MaxLimit}, {MaxLimit + 1, MaxLimit}}
	for _, tt := range tests {
		if got := (Page{Limit: tt.in}).Clamp().Limit; got != tt.want {
			t.Errorf("Clamp(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
