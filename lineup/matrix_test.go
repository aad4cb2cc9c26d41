package lineup

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tailor-c2b/tailor/errs"
)

const exampleMatrix = `# two customers, three phones
customer,weight,none,phone A,phone B,phone C
margin,,,120,95,60
must,,,1,0,0
forbid,,,0,0,1
group android,,,1,1,0
c1,0.4,1.2,2.5,1.9,0.3
c2,0.6,0.8,1.1,2.2,1.7
`

func TestReadMatrix(t *testing.T) {
	got, err := ReadMatrix(strings.NewReader(exampleMatrix), "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := &Problem{
		Customers: 2, Candidates: 3,
		Weight:  []float64{0.4, 0.6},
		Utility: []float64{2.5, 1.9, 0.3, 1.1, 2.2, 1.7},
		None:    []float64{1.2, 0.8},
		Margin:  []float64{120, 95, 60},
		Must:    []int{0}, Forbid: []int{2}, Groups: [][]int{{0, 1}},
		Labels: []string{"phone A", "phone B", "phone C"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestReadMatrixErrors checks that each kind of mistake is reported at
// its line and column.
func TestReadMatrixErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "m.csv: empty file"},
		{"header", "id,weight,none,a\n", `m.csv:1:1: column 1 of the header must be "customer", not "id"`},
		{"no candidates", "customer,weight,none\n", "m.csv:1:1: the header names no candidates"},
		{"duplicate", "customer,weight,none,a,a\n", `m.csv:1:24: candidates 1 and 2 are both named "a"`},
		{"no margin", "customer,weight,none,a\nc1,1,0,1\n", `m.csv:2:1: expected the margin row after the header, not "c1"`},
		{"bad margin", "customer,weight,none,a,b\nmargin,,,1,x\n", `m.csv:2:12: margin of "b": "x" is not a number`},
		{"short row", "customer,weight,none,a,b\nmargin,,,1,2\nc1,1,0,1\n", "m.csv:3:1: 4 fields, but the header names 5 columns"},
		{"bad utility", "customer,weight,none,a,b\nmargin,,,1,2\nc1,1,0,1,2\nc2,1,0,1,oops\n", `m.csv:4:10: customer "c2", candidate "b": "oops" is not a number`},
		{"negative weight", "customer,weight,none,a\nmargin,,,1\nc1,-1,0,1\n", `m.csv:3:4: customer "c1": the weight must not be negative`},
		{"bad mark", "customer,weight,none,a\nmargin,,,1\nmust,,,2\n", `m.csv:3:8: must, candidate "a": want 1 or 0 (or empty), not "2"`},
		{"empty group", "customer,weight,none,a\nmargin,,,1\ngroup x,,,0\nc1,,0,1\n", "m.csv:3:1: group x marks no candidate"},
		{"no customers", "customer,weight,none,a\nmargin,,,1\n", "m.csv: no customer rows"},
		{"infinite", "customer,weight,none,a\nmargin,,,1\nc1,,Inf,1\n", `m.csv:3:5: customer "c1", no-purchase utility: "Inf" is not a number`},
		{"quote", "customer,weight,none,a\nmargin,,,\"1\n", "m.csv:2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadMatrix(strings.NewReader(tt.in), "m.csv")
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if errs.Code(err) != errs.Invalid {
				t.Errorf("code %q, want invalid", errs.Code(err))
			}
			if got := errs.Message(err); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

func TestReadJSON(t *testing.T) {
	p, err := ReadMatrix(strings.NewReader(exampleMatrix), "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	p.K, p.Rule, p.Scale = 2, Logit, 0.5
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"rule":"logit"`)) {
		t.Errorf("the rule is not written by name: %s", b)
	}
	got, err := ReadJSON(bytes.NewReader(b), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	for _, tt := range []struct{ in, want string }{
		{"{\n  \"customers\": 1,\n  \"candidates\": x}", "p.json:3:17: invalid character 'x'"},
		{`{"customers": "one"}`, "p.json:1:20: customers: want int, not string"},
		{`{"colour": 1}`, `p.json: json: unknown field "colour"`},
		{`{"customers":1,"candidates":1,"utility":[1],"none":[0],"margin":[1],"rule":"best"}`, `p.json: unknown choice rule "best"`},
		{`{"customers":1,"candidates":2,"utility":[1],"none":[0],"margin":[1,2]}`, "p.json: the utility matrix has 1 entries"},
		{`{"customers":1,"candidates":1,"utility":[1],"none":[0],"margin":[1]} {}`, "p.json:1:70: more after the problem"},
	} {
		_, err := ReadJSON(strings.NewReader(tt.in), "p.json")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadJSON(%s): %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzReadMatrix: ReadMatrix never panics, and what it accepts survives a
// round trip through WriteMatrix.
func FuzzReadMatrix(f *testing.F) {
	f.Add(exampleMatrix)
	f.Add("customer,weight,none,a\nmargin,,,1\nc1,,0,1\n")
	f.Add("customer;weight;none;a\nmargin;;;1\n")
	f.Add("customer,weight,none,a,b\nmargin,,,1,2\nforbid,,,1,\ngroup:x,,,,1\n1,2,3,4,5\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ReadMatrix(strings.NewReader(in), "f.csv")
		if err != nil {
			if errs.Code(err) != errs.Invalid {
				t.Fatalf("error %v has code %q, want invalid", err, errs.Code(err))
			}
			return
		}
		var b bytes.Buffer
		if err := WriteMatrix(&b, p); err != nil {
			t.Fatalf("write what was read: %v", err)
		}
		q, err := ReadMatrix(&b, "again.csv")
		if err != nil {
			t.Fatalf("read back: %v\n%s", err, b.String())
		}
		if diff := cmp.Diff(p, q, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-first +second)\n%s", diff)
		}
	})
}

// FuzzReadJSON: ReadJSON never panics, and what it accepts has a valid
// matrix.
func FuzzReadJSON(f *testing.F) {
	f.Add(`{"customers":1,"candidates":1,"utility":[1],"none":[0],"margin":[1],"k":1}`)
	f.Add(`{"customers":2,"candidates":1,"weight":[1,2],"utility":[1,2],"none":[0,0],"margin":[1],"rule":"logit","scale":2}`)
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ReadJSON(strings.NewReader(in), "f.json")
		if err != nil {
			if errs.Code(err) != errs.Invalid {
				t.Fatalf("error %v has code %q, want invalid", err, errs.Code(err))
			}
			return
		}
		if err := p.validateMatrix(); err != nil {
			t.Fatalf("accepted an invalid matrix: %v", err)
		}
	})
}
