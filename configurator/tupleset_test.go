package configurator

import "testing"

// TestTupleSetKeys: integer and byte keys behave alike, so sets over huge
// domain products (byte keys) hold exactly what was added.
func TestTupleSetKeys(t *testing.T) {
	for _, sizes := range [][]int{{3, 4, 5}, {1 << 30, 1 << 30, 1 << 30}} {
		s := newTupleSet(sizes)
		x := newTupleIndex(sizes[:2])
		cols := []int{2, 0, 1}
		rows := [][]int32{{1, 2, 3}, {3, 1, 2}, {1, 2, 3}, {0, 0, 0}}
		added := 0
		for _, r := range rows {
			if s.add(r, cols) {
				added++
			}
			x.add(r, cols[:2], r[1])
		}
		if added != 3 || s.len() != 3 {
			t.Errorf("sizes %v: added %d, len %d, want 3 and 3", sizes, added, s.len())
		}
		for _, r := range rows {
			if !s.has(r, cols) {
				t.Errorf("sizes %v: %v missing", sizes, r)
			}
		}
		if s.has([]int32{2, 2, 2}, cols) {
			t.Errorf("sizes %v: holds a tuple never added", sizes)
		}
		if got := x.get([]int32{1, 2, 3}, cols[:2]); len(got) != 2 || got[0] != 2 {
			t.Errorf("sizes %v: index lists %v, want [2 2]", sizes, got)
		}
	}
}
