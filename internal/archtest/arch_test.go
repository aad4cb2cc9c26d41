// Package archtest holds the tests that keep the architecture honest: the
// domain packages stay pure, and imports run one way, from cmd through
// internal to the domain.
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/tailor-c2b/tailor"

// domain lists the pure packages: the library half of the product.
var domain = []string{"model", "model/modelgen", "model/modeltest", "models", "csp", "configurator", "xcsp", "dimacs", "errs",
	"account", "design", "catalog", "population", "market", "survey", "choice", "job", "suggest", "lineup", "lineup/lineupgen", "campaign"}

type pkg struct {
	ImportPath string
	Deps       []string
}

func list(t *testing.T, pattern string) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", pattern).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestDomainPackagesArePure: no domain package depends, even indirectly, on
// database/sql, net/http or anything under internal/ or cmd/.
func TestDomainPackagesArePure(t *testing.T) {
	for _, d := range domain {
		for _, p := range list(t, module+"/"+d) {
			for _, dep := range p.Deps {
				switch {
				case dep == "database/sql", dep == "net/http",
					strings.HasPrefix(dep, module+"/internal/"), strings.HasPrefix(dep, module+"/cmd/"):
					t.Errorf("%s depends on %s", p.ImportPath, dep)
				}
			}
		}
	}
}
