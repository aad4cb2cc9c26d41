package configurator_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
)

// compileSource parses and compiles a model written in the model language.
func compileSource(tb testing.TB, file, src string) *configurator.Engine {
	tb.Helper()
	m, diags := model.Parse(file, []byte(src))
	if diags.HasErrors() {
		tb.Fatalf("parse %s:\n%v", file, diags.Err())
	}
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		tb.Fatalf("compile %s: %v", file, err)
	}
	return e
}

func TestLint(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // the diagnostics, as file:line:col: warning: message
	}{
		{
			name: "clean",
			src: `model "Clean" version "1"

attribute size "Body size" {
  level small
  level large
}
attribute battery "Battery" {
  level normal
  level big
}

rule big_large "A big battery needs the large body":
  battery = big requires size = large
`,
			want: nil,
		},
		{
			name: "no rules",
			src: `model "Free" version "1"

attribute size {
  level small
  level large
}
`,
			want: nil,
		},
		{
			name: "dead level",
			src: `model "Dead" version "1"

attribute size "Body size" {
  level small
  level large
}
attribute battery "Battery" {
  level normal
  level big
  level huge
}

rule big_large "Big batteries need the large body":
  battery in {big, huge} requires size = large
rule huge_small: battery = huge requires size = small
`,
			want: []string{
				"lint.tailor:10:9: warning: level huge of attribute battery is dead: no valid configuration uses it (because of big_large, huge_small)",
			},
		},
		{
			name: "dead levels through a table",
			src: `model "Dead table" version "1"

attribute size {
  level small
  level large
}
attribute colour {
  level black
  level red
  level gold
}

table size_colour (size, colour) {
  small  {black, red}
  large  black
}
`,
			want: []string{
				"lint.tailor:10:9: warning: level gold of attribute colour is dead: no valid configuration uses it (because of size_colour)",
			},
		},
		{
			name: "redundant rule",
			src: `model "Redundant" version "1"

property volume number "Volume"

attribute battery "Battery" {
  level normal { volume 20 }
  level big    { volume 30 }
}
attribute camera "Camera" {
  level small { volume 5 }
  level large { volume 15 }
}
attribute colour {
  level black
  level red
}

constraint fit "Parts fit in the body": battery.volume + camera.volume <= 40
rule red_big_small "A red phone with a big battery has the small camera":
  battery = big and colour = red excludes camera = large
`,
			want: []string{
				"lint.tailor:19:1: warning: rule red_big_small is redundant: the other rules already imply it",
			},
		},
		{
			// Each of two rules with the same effect is implied by the
			// other, so both are reported; only one of them can go.
			name: "duplicate rule and table",
			src: `model "Duplicate" version "1"

property volume number "Volume"

attribute battery {
  level normal { volume 20 }
  level big    { volume 30 }
}
attribute camera {
  level small { volume 5 }
  level large { volume 15 }
}

constraint fit: battery.volume + camera.volume <= 40
table no_big_large (battery, camera) forbid {
  big large
}
`,
			want: []string{
				"lint.tailor:14:1: warning: rule fit is redundant: the other rules already imply it",
				"lint.tailor:15:1: warning: table no_big_large is redundant: the other rules already imply it",
			},
		},
		{
			name: "rule that always holds",
			src: `model "Always" version "1"

attribute size {
  level small
  level large
}
attribute colour {
  level black
  level red
}

rule: size in {small, large}
rule red_small: colour = red requires size = small
`,
			want: []string{
				"lint.tailor:12:1: warning: rule rule_12 is redundant: the other rules already imply it",
			},
		},
		{
			name: "no valid configuration",
			src: `model "Empty" version "1"

attribute size "Body size" {
  level small
  level large
}
attribute battery "Battery" {
  level normal
  level big
}
attribute colour {
  level black
  level red
}

rule big_large: battery = big requires size = large
rule always_big: battery = big
rule always_small: size = small
rule black: colour = black
`,
			// One warning only: with no configuration, every level is dead
			// and every rule redundant, which says nothing more.
			want: []string{
				"lint.tailor:1:1: warning: the model has no valid configuration (because of big_large, always_big, always_small)",
			},
		},
		{
			name: "constant false rule",
			src: `model "False" version "1"

attribute size {
  level small
  level large
}

rule size_ok: size in {small, large}
rule never "Nothing can be built": false
`,
			want: []string{
				"lint.tailor:1:1: warning: the model has no valid configuration (because of never)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := compileSource(t, "lint.tailor", tt.src)
			var got []string
			for _, d := range configurator.Lint(e) {
				if d.Severity != model.Warning {
					t.Errorf("%v: severity error, want warning", d)
				}
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Lint (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLintDeadLevelsAgreeWithPropagate: a level is reported dead exactly
// when propagation with nothing selected rules it out.
func TestLintDeadLevelsAgreeWithPropagate(t *testing.T) {
	e := compileSource(t, "dead.tailor", `model "Dead" version "1"

attribute a {
  level x
  level y
  level z
}
attribute b {
  level p
  level q
}
attribute c {
  level u
  level v
  level w
}

rule r1: a = z requires b = q
rule r2: b = q excludes c in {u, v}
rule r3: c = w excludes a = z
rule r4: a = y requires c = v
`)
	possible, ok := e.Propagate(e.NewSelection())
	if !ok {
		t.Fatal("model has no valid configuration")
	}
	m := e.Model()
	var want []string
	for a, at := range m.Attributes {
		for l, lv := range at.Levels {
			if !possible[a][l] {
				want = append(want, lv.Pos.String()+" "+lv.Name)
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("the model has no dead level to find")
	}
	levelAt := map[model.Pos]string{}
	for _, at := range m.Attributes {
		for _, lv := range at.Levels {
			levelAt[lv.Pos] = lv.Name
		}
	}
	var got []string
	for _, d := range configurator.Lint(e) {
		if name, ok := levelAt[d.Pos]; ok && strings.HasPrefix(d.Msg, "level "+name+" ") {
			got = append(got, d.Pos.String()+" "+name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dead levels (-propagate +lint):\n%s", diff)
	}
}
