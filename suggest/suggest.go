// Package suggest finds, among known names, the one a misspelled name was
// probably meant to be, for the "did you mean" hints of error messages.
package suggest

import (
	"fmt"
	"strings"
)

// Closest returns the candidate closest to name in edit distance, ignoring
// case, or "" when none is close: a distance below half the name's length
// plus 2. Of equally close candidates it returns the first.
func Closest(name string, candidates []string) string {
	best, bestD := "", len(name)/2+2
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if d := Distance(lower, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean returns ` (did you mean "x"?)` for the closest candidate, or
// "" when none is close.
func DidYouMean(name string, candidates []string) string {
	if c := Closest(name, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// Distance returns the Levenshtein distance between a and b, counting
// bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
