package configurator_test

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
)

func phone(tb testing.TB) *configurator.Engine {
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

// TestPhoneModelIsClean: the shipped model has no dead level, no redundant
// rule, and its defaults form a valid configuration that the defaults
// completion returns unchanged.
func TestPhoneModelIsClean(t *testing.T) {
	e := phone(t)
	if ds := configurator.Lint(e); len(ds) > 0 {
		t.Fatalf("lint warnings on the default model:\n%v", ds)
	}
	m := e.Model()
	defaults := make([]int, len(m.Attributes))
	for a, at := range m.Attributes {
		defaults[a] = at.Default
	}
	if !m.Valid(defaults) {
		t.Fatal("the default levels do not form a valid configuration")
	}
	got, ok, err := e.Complete(e.NewSelection(), configurator.Objective{Goal: configurator.Defaults})
	if err != nil || !ok {
		t.Fatalf("complete: ok=%v err=%v", ok, err)
	}
	for a := range got {
		if got[a] != defaults[a] {
			t.Errorf("defaults completion sets %s=%s, want the default %s", m.Attributes[a].Name,
				m.Attributes[a].Levels[got[a]].Name, m.Attributes[a].Levels[defaults[a]].Name)
		}
	}
}

// TestPhoneCountsAddUp: the counts under each level of an attribute add up
// to the count without it, for every attribute.
func TestPhoneCountsAddUp(t *testing.T) {
	e := phone(t)
	total := e.Count(e.NewSelection())
	if total.Sign() <= 0 {
		t.Fatal("no valid configuration")
	}
	for a, at := range e.Model().Attributes {
		sum := new(big.Int)
		for l := range at.Levels {
			sel := e.NewSelection()
			sel[a] = l
			sum.Add(sum, e.Count(sel))
		}
		if sum.Cmp(total) != 0 {
			t.Errorf("attribute %s: levels count %v in all, want %v", at.Name, sum, total)
		}
	}
}

// TestPhoneNeverADeadEnd replays random customers: each picks any level the
// configurator offers, in any order; the selection always stays
// consistent, and any completion of it is valid.
func TestPhoneNeverADeadEnd(t *testing.T) {
	e := phone(t)
	m := e.Model()
	r := rand.New(rand.NewPCG(11, 12))
	for session := 0; session < 200; session++ {
		sel := e.NewSelection()
		for _, a := range r.Perm(len(m.Attributes)) {
			possible, ok := e.Propagate(sel)
			if !ok {
				t.Fatalf("session %d: dead end at %v", session, sel)
			}
			var offered []int
			for l, p := range possible[a] {
				if p {
					offered = append(offered, l)
				}
			}
			if len(offered) == 0 {
				t.Fatalf("session %d: attribute %s offers no level", session, m.Attributes[a].Name)
			}
			sel[a] = offered[r.IntN(len(offered))]
			if r.IntN(4) == 0 {
				c, ok, err := e.Complete(sel, configurator.Objective{Goal: configurator.Cheapest, Property: "cost"})
				if err != nil || !ok || !m.Valid(c) {
					t.Fatalf("session %d: completion of %v invalid (ok=%v err=%v)", session, sel, ok, err)
				}
			}
		}
		if !m.Valid(sel) {
			t.Fatalf("session %d: a full selection made of offered levels is invalid: %v", session, sel)
		}
	}
}

// TestPhoneExplanationsHold: for excluded levels reached in random
// sessions, the reasons exclude the level, each reason is needed, and the
// repair makes it possible.
func TestPhoneExplanationsHold(t *testing.T) {
	e := phone(t)
	m := e.Model()
	r := rand.New(rand.NewPCG(13, 14))
	checked := 0
	for session := 0; session < 40; session++ {
		sel := clicks(r, e, 8)
		possible, _ := e.Propagate(sel)
		for a := range possible {
			for l, p := range possible[a] {
				if p || sel[a] >= 0 {
					continue
				}
				x := e.Explain(sel, a, l)
				if !x.Excluded {
					t.Fatalf("%s=%s is not possible but not excluded", m.Attributes[a].Name, m.Attributes[a].Levels[l].Name)
				}
				only := e.NewSelection()
				for _, b := range x.Because {
					only[b] = sel[b]
				}
				only[a] = l
				if e.Consistent(only) {
					t.Fatalf("reasons %v do not exclude %s=%s", x.Because, m.Attributes[a].Name, m.Attributes[a].Levels[l].Name)
				}
				for _, b := range x.Because {
					only[b] = -1
					if !e.Consistent(only) {
						t.Fatalf("reason %s is not needed", m.Attributes[b].Name)
					}
					only[b] = sel[b]
				}
				if len(x.Rules) == 0 {
					t.Fatalf("no rule named for %s=%s", m.Attributes[a].Name, m.Attributes[a].Levels[l].Name)
				}
				fixed := append(configurator.Selection(nil), sel...)
				fixed[a] = l
				for _, c := range x.Repair {
					fixed[c.Attr] = c.To
				}
				if !x.Possible || !e.Consistent(fixed) {
					t.Fatalf("repair %v does not make %s=%s possible", x.Repair, m.Attributes[a].Name, m.Attributes[a].Levels[l].Name)
				}
				checked++
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d explanations checked", checked)
	}
}

// TestPhoneConcurrentQueries: one compiled engine answers queries from many
// goroutines at once with the same results as one at a time.
func TestPhoneConcurrentQueries(t *testing.T) {
	e := phone(t)
	r := rand.New(rand.NewPCG(17, 18))
	type query struct {
		sel   configurator.Selection
		count string
	}
	var qs []query
	for i := 0; i < 40; i++ {
		sel := clicks(r, e, 6)
		qs = append(qs, query{sel, e.Count(sel).String()})
	}
	errs := make(chan string, 8*len(qs))
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			for _, q := range qs {
				if got := e.Count(q.sel).String(); got != q.count {
					errs <- "count " + got + ", want " + q.count
				}
				if _, ok := e.Propagate(q.sel); !ok {
					errs <- "a consistent selection propagated as inconsistent"
				}
				if _, ok, err := e.Complete(q.sel, configurator.Objective{Goal: configurator.Cheapest}); !ok || err != nil {
					errs <- "completion failed"
				}
			}
			done <- true
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
}

// clicks replays a customer who picks k random attributes in turn, each time
// one of the levels the configurator still offers.
func clicks(r *rand.Rand, e *configurator.Engine, k int) configurator.Selection {
	sel := e.NewSelection()
	for _, a := range r.Perm(len(e.Model().Attributes))[:k] {
		possible, _ := e.Propagate(sel)
		var offered []int
		for l, p := range possible[a] {
			if p {
				offered = append(offered, l)
			}
		}
		sel[a] = offered[r.IntN(len(offered))]
	}
	return sel
}
