package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/csp"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modelgen"
	"github.com/tailor-c2b/tailor/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// phoneCount is the number of valid configurations of models/phone.tailor.
// TestCountAgreesEverywhere checks it against every command that reports it.
const phoneCount = "190142463360"

// runTailor calls run with the arguments and standard input and returns
// what it wrote. A panic fails the test with the arguments that caused it.
func runTailor(tb testing.TB, stdin string, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	defer func() {
		if p := recover(); p != nil {
			tb.Fatalf("tailor %s: panic: %v", strings.Join(args, " "), p)
		}
	}()
	getenv := func(string) string { return "" }
	err = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// mustRun is runTailor for a command that must succeed; it returns stdout.
func mustRun(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	stdout, stderr, err := runTailor(tb, stdin, args...)
	if err != nil {
		tb.Fatalf("tailor %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout
}

// mustReport runs configure --json with the arguments and decodes the report.
func mustReport(tb testing.TB, args ...string) *configurator.Report {
	tb.Helper()
	out := mustRun(tb, "", append([]string{"configure", "--json"}, args...)...)
	var r configurator.Report
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		tb.Fatalf("configure --json %s: decode report: %v", strings.Join(args, " "), err)
	}
	return &r
}

// selectArgs turns choices into --select arguments.
func selectArgs(choices []configurator.Choice) []string {
	var args []string
	for _, c := range choices {
		args = append(args, "--select", c.Attribute+"="+c.Level)
	}
	return args
}

func phoneEngine(tb testing.TB) *configurator.Engine {
	tb.Helper()
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	if diags.HasErrors() {
		tb.Fatal(diags.Err())
	}
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// elapsed matches the compile time that model check prints, which changes
// from run to run.
var elapsed = regexp.MustCompile(`compiled in [^:]+:`)

// TestGolden compares what commands print with testdata/NAME.golden: the
// standard output, then the standard error after a "-- stderr --" line if
// there is any. Run go test -update to rewrite the files.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// exit is true when the command must fail after reporting the
		// problem itself (exit status 1, no further message).
		exit bool
	}{
		{"configure-json-empty", []string{"configure", "--json"}, false},
		{"configure-json-cheapest", []string{"configure", "--json", "--select", "size=compact", "--select", "chipset=sd8elite", "--complete", "cheapest"}, false},
		// wireless_metal: wireless != none excludes back = aluminium.
		{"configure-json-conflict", []string{"configure", "--json", "--select", "wireless=qi15", "--select", "back=aluminium"}, false},
		{"configure-text", []string{"configure", "--select", "size=compact,chipset=sd8elite", "--complete", "cheapest"}, false},
		{"configure-text-conflict", []string{"configure", "--select", "wireless=qi15", "--select", "back=aluminium", "--select", "network=5g"}, false},
		{"check-bad", []string{"model", "check", "testdata/bad.tailor"}, true},
		{"check-warnings", []string{"model", "check", "testdata/warnings.tailor"}, false},
		{"check-phone", []string{"model", "check"}, false},
		{"count-phone-selection", []string{"model", "count", "--select", "size=compact", "--select", "chipset=sd8elite"}, false},
		{"count-warnings-selection", []string{"model", "count", "testdata/warnings.tailor", "--select", "battery=big"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runTailor(t, "", tt.args...)
			var ex exitError
			switch {
			case tt.exit && !errors.As(err, &ex):
				t.Fatalf("got error %v, want an exit error", err)
			case !tt.exit && err != nil:
				t.Fatalf("unexpected error: %v\nstderr:\n%s", err, stderr)
			}
			got := elapsed.ReplaceAllString(stdout, "compiled in TIME:")
			if stderr != "" {
				got += "-- stderr --\n" + stderr
			}
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("tailor %s: output mismatch (-want +got):\n%s", strings.Join(tt.args, " "), diff)
			}
		})
	}
}

// TestModelCheckReportsEveryError: every error of the bad model is
// reported as file:line:col: message, none is a warning, and nothing
// reaches standard output.
func TestModelCheckReportsEveryError(t *testing.T) {
	stdout, stderr, err := runTailor(t, "", "model", "check", "testdata/bad.tailor")
	var ex exitError
	if !errors.As(err, &ex) {
		t.Fatalf("got error %v, want an exit error", err)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	diag := regexp.MustCompile(`^testdata/bad\.tailor:(\d+):\d+: (.*)$`)
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		m := diag.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("diagnostic %q is not file:line:col: message", l)
			continue
		}
		if strings.HasPrefix(m[2], "warning:") {
			t.Errorf("diagnostic %q is a warning, want only errors", l)
		}
		lines = append(lines, m[1])
	}
	// One error per line of the file that has one.
	want := []string{"4", "8", "9", "13", "16", "17", "18", "20"}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("lines with a diagnostic (-want +got):\n%s", diff)
	}
}

// TestCountAgreesEverywhere: model count prints the count that configure
// reports and model check states, and the counts under each level of an
// attribute add up to the count without it.
func TestCountAgreesEverywhere(t *testing.T) {
	check := mustRun(t, "", "model", "check")
	if !strings.Contains(check, "; "+phoneCount+" valid configurations\n") {
		t.Errorf("model check says %q, want %s valid configurations", check, phoneCount)
	}
	selections := [][]string{
		nil,
		{"size=compact"},
		{"size=compact", "chipset=sd8elite"},
		{"network=5g", "chipset=t616"}, // t616 has a 4G modem: none
		{"wireless=qi15", "back=aluminium"},
		{"storage=1tb", "ram=12gb", "colour=natural"},
	}
	for _, sel := range selections {
		t.Run(strings.Join(sel, ","), func(t *testing.T) {
			var args []string
			for _, s := range sel {
				args = append(args, "--select", s)
			}
			count := strings.TrimSuffix(mustRun(t, "", append([]string{"model", "count"}, args...)...), "\n")
			r := mustReport(t, args...)
			if count != r.Count {
				t.Errorf("model count prints %s, configure reports %s", count, r.Count)
			}
			if len(sel) == 0 && count != phoneCount {
				t.Errorf("model count of the whole model = %s, want %s", count, phoneCount)
			}
			if (count != "0") != r.Consistent {
				t.Errorf("count %s but consistent = %v", count, r.Consistent)
			}
		})
	}
	// Partition: the counts with each body size, and with each chipset
	// under a compact body, add up.
	sum := func(extra []string, attr string) *big.Int {
		t.Helper()
		total := new(big.Int)
		r := mustReport(t)
		for _, a := range r.Attributes {
			if a.Name != attr {
				continue
			}
			for _, l := range a.Levels {
				args := append([]string{"model", "count", "--select", attr + "=" + l.Name}, extra...)
				n, ok := new(big.Int).SetString(strings.TrimSpace(mustRun(t, "", args...)), 10)
				if !ok {
					t.Fatalf("tailor %s: not a count", strings.Join(args, " "))
				}
				total.Add(total, n)
			}
		}
		return total
	}
	if got := sum(nil, "size").String(); got != phoneCount {
		t.Errorf("counts over body sizes add up to %s, want %s", got, phoneCount)
	}
	compact := strings.TrimSpace(mustRun(t, "", "model", "count", "--select", "size=compact"))
	if got := sum([]string{"--select", "size=compact"}, "chipset").String(); got != compact {
		t.Errorf("counts over chipsets of the compact body add up to %s, want %s", got, compact)
	}
}

// TestCompleteCheapest: the cheapest completion agrees with the selection,
// is a valid configuration (configure reports it consistent, with one
// configuration and no violation), no valid configuration one level away is
// cheaper, and no random valid completion of the selection is cheaper.
func TestCompleteCheapest(t *testing.T) {
	e := phoneEngine(t)
	m := e.Model()
	tests := []struct {
		name   string
		choose []string
	}{
		{"nothing", nil},
		{"compact flagship", []string{"size=compact", "chipset=sd8elite"}},
		{"big camera", []string{"main=m1in", "tele=p5x", "wireless=mag50"}},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"--complete", "cheapest"}
			for _, c := range tt.choose {
				args = append(args, "--select", c)
			}
			rep := mustReport(t, args...)
			if !rep.Consistent || rep.Completion == nil {
				t.Fatalf("consistent = %v, completion = %v; want a completion", rep.Consistent, rep.Completion)
			}
			if rep.Completion.Goal != "cheapest" {
				t.Errorf("goal = %q, want cheapest", rep.Completion.Goal)
			}
			sel, err := e.ParseSelection(tt.choose)
			if err != nil {
				t.Fatal(err)
			}
			config := make([]int, len(m.Attributes))
			if len(rep.Completion.Configuration) != len(m.Attributes) {
				t.Fatalf("completion sets %d attributes, want %d", len(rep.Completion.Configuration), len(m.Attributes))
			}
			for a, c := range rep.Completion.Configuration {
				if c.Attribute != m.Attributes[a].Name {
					t.Fatalf("completion attribute %d is %s, want %s", a, c.Attribute, m.Attributes[a].Name)
				}
				config[a] = m.Level(a, c.Level)
				if sel[a] >= 0 && config[a] != sel[a] {
					t.Errorf("completion sets %s=%s, but the customer chose %s", c.Attribute, c.Level, m.Attributes[a].Levels[sel[a]].Name)
				}
			}
			// Valid, by the CLI's own report on it.
			full := mustReport(t, selectArgs(rep.Completion.Configuration)...)
			if !full.Consistent || full.Count != "1" || len(full.Violations) != 0 {
				t.Fatalf("the completion: consistent = %v, count = %s, violations = %v; want true, 1, none",
					full.Consistent, full.Count, full.Violations)
			}
			best := rep.Completion.RollUp.Totals["cost"]
			if got := configurator.Roll(m, config).Totals["cost"]; got != best {
				t.Errorf("completion roll-up cost = %v, its levels cost %v", best, got)
			}
			// No valid neighbour is cheaper.
			for a := range config {
				if sel[a] >= 0 {
					continue
				}
				old := config[a]
				for l := range m.Attributes[a].Levels {
					config[a] = l
					if m.Valid(config) {
						if c := configurator.Roll(m, config).Totals["cost"]; c < best {
							t.Errorf("changing %s to %s gives a valid configuration costing %v < %v",
								m.Attributes[a].Name, m.Attributes[a].Levels[l].Name, c, best)
						}
					}
				}
				config[a] = old
			}
			// No random valid completion is cheaper.
			for i := 0; i < 300; i++ {
				c := randomCompletion(t, r, e, sel)
				if !m.Valid(c) {
					t.Fatalf("random completion %v is not valid", c)
				}
				if cost := configurator.Roll(m, c).Totals["cost"]; cost < best {
					t.Fatalf("random completion %v costs %v < cheapest %v", c, cost, best)
				}
			}
		})
	}
}

// randomCompletion picks, attribute after attribute in random order, a
// random level among those the engine says remain possible.
func randomCompletion(tb testing.TB, r *rand.Rand, e *configurator.Engine, sel configurator.Selection) []int {
	tb.Helper()
	s := append(configurator.Selection(nil), sel...)
	for _, a := range r.Perm(len(s)) {
		if s[a] >= 0 {
			continue
		}
		possible, ok := e.Propagate(s)
		if !ok {
			tb.Fatalf("selection %v became inconsistent", s)
		}
		var offered []int
		for l, p := range possible[a] {
			if p {
				offered = append(offered, l)
			}
		}
		s[a] = offered[r.IntN(len(offered))]
	}
	return s
}

// TestBadInput: each mistake fails with one clear line, writes nothing to
// standard output, and does not panic.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"},
			`unknown command "frobnicate"; run "tailor help"`},
		{"unknown model command", []string{"model", "frob"},
			`unknown model command "frob" (want check, count, export, fmt or generate)`},
		{"unknown attribute", []string{"configure", "--select", "colr=black"},
			`unknown attribute "colr" (did you mean "colour"?)`},
		{"unknown attribute in count", []string{"model", "count", "--select", "chipst=t616"},
			`unknown attribute "chipst" (did you mean "chipset"?)`},
		{"unknown attribute far from any", []string{"configure", "--select", "zzzzzzzz=1"},
			`unknown attribute "zzzzzzzz"`},
		{"unknown level", []string{"configure", "--select", "size=huge"},
			`attribute size has no level "huge"; its levels are compact, standard, max`},
		{"malformed selection", []string{"configure", "--select", "size"},
			`malformed selection "size": want attribute=level`},
		{"empty level", []string{"configure", "--select", "size="},
			`malformed selection "size=": want attribute=level`},
		{"attribute selected twice", []string{"configure", "--select", "size=compact", "--select", "size=max"},
			`attribute size selected twice (compact and max)`},
		{"attribute selected twice in one flag", []string{"model", "count", "--select", "size=compact,size=max"},
			`attribute size selected twice (compact and max)`},
		{"unreadable file", []string{"configure", "testdata/no-such-model.tailor"},
			`read model: open testdata/no-such-model.tailor: no such file or directory`},
		{"unreadable file in count", []string{"model", "count", "testdata/no-such-model.tailor"},
			`read model: open testdata/no-such-model.tailor: no such file or directory`},
		{"unreadable file in check", []string{"model", "check", "testdata/no-such-model.tailor"},
			`read model: open testdata/no-such-model.tailor: no such file or directory`},
		{"directory as file", []string{"model", "export", "--format", "xcsp", "testdata"},
			`read model: read testdata: is a directory`},
		{"unknown export format", []string{"model", "export", "--format", "svg"},
			`unknown export format "svg": want xcsp or dimacs`},
		{"no export format", []string{"model", "export"},
			`model export needs --format xcsp or --format dimacs`},
		{"unknown completion goal", []string{"configure", "--complete", "fastest"},
			`unknown completion goal "fastest": want cheapest, defaults, min:PROPERTY or max:PROPERTY`},
		{"goal without property", []string{"configure", "--complete", "min:"},
			`unknown completion goal "min:": want cheapest, defaults, min:PROPERTY or max:PROPERTY`},
		{"goal on a text property", []string{"configure", "--complete", "max:vendor"},
			`no numeric property "vendor" in model Tailor Phone`},
		{"goal on an unknown property", []string{"configure", "--complete", "min:speed"},
			`no numeric property "speed" in model Tailor Phone`},
		{"extra positional arguments", []string{"configure", "a.tailor", "b.tailor"},
			`configure takes one model file, got 2 arguments: a.tailor b.tailor`},
		{"extra positional arguments after flags", []string{"model", "count", "a.tailor", "--select", "size=max", "b.tailor"},
			`model count takes one model file, got 2 arguments: a.tailor b.tailor`},
		{"arguments to generate", []string{"model", "generate", "x.tailor"},
			`model generate takes no arguments, got x.tailor`},
		{"unknown preset", []string{"model", "generate", "--preset", "huge"},
			`unknown preset "huge": want medium, big or lines`},
		{"unknown flag", []string{"configure", "--bogus"},
			`configure: flag provided but not defined: -bogus`},
		{"model with errors", []string{"model", "export", "--format", "dimacs", "testdata/bad.tailor"},
			`testdata/bad.tailor has errors`},
		{"unreadable file in fmt", []string{"model", "fmt", "testdata/no-such-model.tailor"},
			`read model: open testdata/no-such-model.tailor: no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runTailor(t, "", tt.args...)
			if err == nil {
				t.Fatalf("tailor %s: no error, want %q", strings.Join(tt.args, " "), tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines", err)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			// main prints nothing for an exit error: the command must have
			// said what went wrong on standard error itself.
			var ex exitError
			if errors.As(err, &ex) && stderr == "" {
				t.Errorf("exit error %q with nothing on stderr: the user sees no message", err)
			}
		})
	}
}

// TestNoCommandPrintsUsage: without a command, the usage goes to standard
// error and the exit status is 1; help prints it to standard output.
func TestNoCommandPrintsUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"model"}} {
		stdout, stderr, err := runTailor(t, "", args...)
		var ex exitError
		if !errors.As(err, &ex) {
			t.Errorf("tailor %s: error %v, want an exit error", strings.Join(args, " "), err)
		}
		if stdout != "" || stderr != usage {
			t.Errorf("tailor %s: stdout %q, stderr %q; want the usage on stderr only", strings.Join(args, " "), stdout, stderr)
		}
	}
	if got := mustRun(t, "", "help"); got != usage {
		t.Errorf("help printed %q, want the usage", got)
	}
}

// TestExport: both formats have their header and describe the lowered
// phone model; the XCSP file written with -o reads back as a model with
// the same number of valid configurations.
func TestExport(t *testing.T) {
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	p, err := csp.Lower(m)
	if err != nil {
		t.Fatal(err)
	}
	booleans := 0
	for _, v := range p.Vars {
		booleans += v.Size
	}

	xml := mustRun(t, "", "model", "export", "--format", "xcsp")
	for _, want := range []string{"<instance>", `<presentation name="Tailor Phone"`, `format="XCSP 2.1"`, "</instance>"} {
		if !strings.Contains(xml, want) {
			t.Errorf("xcsp export lacks %q", want)
		}
	}
	if got, want := strings.Count(xml, "<variable "), len(p.Vars); got != want {
		t.Errorf("xcsp export has %d variables, want %d", got, want)
	}

	cnf := mustRun(t, "", "model", "export", "--format", "dimacs")
	header := regexp.MustCompile(`(?m)^p cnf (\d+) (\d+)$`).FindStringSubmatch(cnf)
	if header == nil {
		t.Fatal("dimacs export has no p cnf header")
	}
	if header[1] != fmt.Sprint(booleans) {
		t.Errorf("dimacs header declares %s variables, want one per value: %d", header[1], booleans)
	}
	clauses := 0
	for _, l := range strings.Split(cnf, "\n") {
		if l != "" && !strings.HasPrefix(l, "c ") && !strings.HasPrefix(l, "p ") {
			clauses++
		}
	}
	if header[2] != fmt.Sprint(clauses) {
		t.Errorf("dimacs header declares %s clauses, the file has %d", header[2], clauses)
	}

	out := filepath.Join(t.TempDir(), "phone.xml")
	if got := mustRun(t, "", "model", "export", "--format", "xcsp", "-o", out); got != "" {
		t.Errorf("export -o wrote %q to stdout, want nothing", got)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(written) != xml {
		t.Error("export -o wrote a different file than export to stdout")
	}
	if got := strings.TrimSpace(mustRun(t, "", "model", "count", out)); got != phoneCount {
		t.Errorf("the exported XCSP instance has %s solutions, want %s", got, phoneCount)
	}
}

// TestFmt: model fmt prints a model that parses with no diagnostics, has
// the same valid configurations, and formats to itself.
func TestFmt(t *testing.T) {
	for _, file := range []string{"", "testdata/warnings.tailor"} {
		t.Run(file, func(t *testing.T) {
			args := []string{"model", "fmt"}
			countArgs := []string{"model", "count"}
			if file != "" {
				args = append(args, file)
				countArgs = append(countArgs, file)
			}
			out := mustRun(t, "", args...)
			if _, diags := model.Parse("formatted.tailor", []byte(out)); len(diags) > 0 {
				t.Fatalf("formatted model has diagnostics:\n%v", diags)
			}
			if got, want := mustRun(t, out, "model", "count", "-"), mustRun(t, "", countArgs...); got != want {
				t.Errorf("formatted model has %s valid configurations, want %s", got, want)
			}
			if again := mustRun(t, out, "model", "fmt", "-"); again != out {
				t.Errorf("model fmt is not idempotent (-first +second):\n%s", cmp.Diff(out, again))
			}
		})
	}
}

// TestGenerate: the medium preset prints a model that parses with no
// diagnostics and compiles to the generator's own model; the output is the
// same on every run, and another seed gives another model.
func TestGenerate(t *testing.T) {
	out := mustRun(t, "", "model", "generate", "--preset", "medium")
	m, diags := model.Parse("medium.tailor", []byte(out))
	if len(diags) > 0 {
		t.Fatalf("generated model has diagnostics:\n%v", diags)
	}
	e, err := configurator.Compile(m, configurator.Options{})
	if err != nil {
		t.Fatalf("compile generated model: %v", err)
	}
	direct, err := configurator.Compile(modelgen.Generate(modelgen.Medium), configurator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, want := e.Count(e.NewSelection()), direct.Count(direct.NewSelection())
	if got.Sign() <= 0 || got.Cmp(want) != 0 {
		t.Errorf("printed model has %v valid configurations, the generator's %v", got, want)
	}
	if len(m.Attributes) != modelgen.Medium.Attributes || len(m.Tables) != modelgen.Medium.Tables {
		t.Errorf("printed model has %d attributes and %d tables, want %d and %d",
			len(m.Attributes), len(m.Tables), modelgen.Medium.Attributes, modelgen.Medium.Tables)
	}
	if again := mustRun(t, "", "model", "generate", "--preset", "medium"); again != out {
		t.Error("model generate --preset medium printed another model on a second run")
	}
	if other := mustRun(t, "", "model", "generate", "--preset", "medium", "--seed", "7"); other == out {
		t.Error("--seed 7 printed the same model as the preset's seed")
	}
}

// TestStdin: the file "-" is standard input, for every command that reads
// a model, and diagnostics name it <stdin>.
func TestStdin(t *testing.T) {
	if got := strings.TrimSpace(mustRun(t, string(models.Phone), "model", "count", "-")); got != phoneCount {
		t.Errorf("model count - = %s, want %s", got, phoneCount)
	}
	fromStdin := mustRun(t, string(models.Phone), "configure", "-", "--json", "--select", "size=compact")
	if builtIn := mustRun(t, "", "configure", "--json", "--select", "size=compact"); fromStdin != builtIn {
		t.Errorf("configure - reports (-built-in +stdin):\n%s", cmp.Diff(builtIn, fromStdin))
	}
	bad, err := os.ReadFile("testdata/bad.tailor")
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runTailor(t, string(bad), "model", "check", "-")
	if err == nil {
		t.Fatal("model check - of a bad model: no error")
	}
	first, _, _ := strings.Cut(stderr, "\n")
	if want := `<stdin>:4:10: money property "cost" needs a currency declaration (currency CODE)`; first != want {
		t.Errorf("first diagnostic = %q, want %q", first, want)
	}
	// Without "-", standard input is not read.
	if got := strings.TrimSpace(mustRun(t, "not a model", "model", "count")); got != phoneCount {
		t.Errorf("model count with stdin but no - = %s, want %s", got, phoneCount)
	}
}

// FuzzConfigureSelections feeds arbitrary --select values to configure
// --json on the default model: it must not panic, and either fail with
// nothing on standard output or print a report that holds together.
func FuzzConfigureSelections(f *testing.F) {
	for _, s := range []string{
		"size=compact",
		"size=compact,chipset=sd8elite",
		"wireless=qi15,back=aluminium",
		"size",
		"=",
		",,,",
		"size=",
		"=compact",
		"colr=black",
		"size=compact,size=max",
		"size=compact,size=compact",
		" size = compact ",
		"size==compact",
		"size=compact=max",
		"\x00=\xff",
		"chipset=t616,network=5g,ram=16gb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		stdout, _, err := runTailor(t, "", "configure", "--json", "--select="+s)
		if err != nil {
			if stdout != "" {
				t.Fatalf("error %v, but stdout = %q", err, stdout)
			}
			return
		}
		var r configurator.Report
		dec := json.NewDecoder(strings.NewReader(stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("invalid JSON report: %v\n%s", err, stdout)
		}
		n, ok := new(big.Int).SetString(r.Count, 10)
		if !ok {
			t.Fatalf("count %q is not an integer", r.Count)
		}
		if r.Consistent != (n.Sign() > 0) || r.Consistent != (r.Conflict == nil) {
			t.Fatalf("consistent = %v, count = %s, conflict = %v", r.Consistent, r.Count, r.Conflict)
		}
		selected := 0
		for _, a := range r.Attributes {
			for _, l := range a.Levels {
				if l.State == configurator.StateSelected {
					selected++
				}
			}
		}
		if selected != len(r.Selection) {
			t.Fatalf("%d levels selected, selection has %d", selected, len(r.Selection))
		}
	})
}
