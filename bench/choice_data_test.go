package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/internal/shareddata"
)

// loadExample compiles the example specification choice/testdata/NAME.spec
// on file of a reference data set, or skips when the data is absent.
func loadExample(tb testing.TB, name, dataset, file string) *choice.Data {
	tb.Helper()
	path := shareddata.File(tb, dataset, file)
	src, err := os.ReadFile(filepath.Join("..", "choice", "testdata", name+".spec"))
	if err != nil {
		tb.Fatal(err)
	}
	spec, err := choice.ParseSpec(name+".spec", src)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	tab, err := choice.ReadTable(f, file)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := choice.Compile(spec, tab, choice.LayoutUnset)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
