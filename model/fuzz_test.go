package model

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, and that a model it reads
// without errors formats to text that reads back to the same model.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.tailor")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add(docExample(f))
	f.Fuzz(func(t *testing.T, src []byte) {
		m, ds := Parse("fuzz.tailor", src)
		if m == nil {
			t.Fatal("Parse returned a nil model")
		}
		for _, d := range ds {
			if d.Pos.Line < 1 || d.Pos.Col < 1 {
				t.Errorf("diagnostic without a position: %v", d)
			}
		}
		if ds.HasErrors() {
			return
		}
		roundTrip(t, m)
	})
}
