package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/errs"
)

func designIDs(ds []design.Design) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// pageAll follows cursors from the first page to the last and returns the
// ids in the order listed.
func pageAll(t *testing.T, limit int, list func(design.Page) ([]design.Design, string, error)) []string {
	t.Helper()
	got := []string{}
	p := design.Page{Limit: limit}
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("more than 100 pages: the cursor does not advance")
		}
		ds, next, err := list(p)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(ds) > limit {
			t.Fatalf("page %d has %d items, limit %d", pages, len(ds), limit)
		}
		got = append(got, designIDs(ds)...)
		if next == "" {
			return got
		}
		p.Cursor = next
	}
}

func TestGalleryAndPaging(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")
			bob := MustUser(t, db, "bob@example.com", "", "")
			m1 := MustModel(t, db, "phone", "1")
			m2 := MustModel(t, db, "phone", "2")
			voters, err := db.CreateUsers(ctx, []account.User{
				{Email: "v1@example.com", Name: "V1"}, {Email: "v2@example.com", Name: "V2"}, {Email: "v3@example.com", Name: "V3"},
			}, "")
			if err != nil {
				t.Fatal(err)
			}

			// Designs made at a few instants, so that created_at ties and
			// the id decides.
			t0 := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
			type spec struct {
				owner account.User
				model string
				vis   design.Visibility
				at    time.Duration
				votes int
			}
			specs := []spec{
				{ann, m1.ID, design.Public, 0, 2},
				{ann, m1.ID, design.Public, 0, 0},
				{ann, m2.ID, design.Public, time.Minute, 2},
				{bob, m1.ID, design.Public, time.Minute, 3},
				{bob, m1.ID, design.Public, time.Minute, 0},
				{bob, m2.ID, design.Public, 2 * time.Minute, 1},
				{ann, m1.ID, design.Public, 3 * time.Minute, 0},
				{ann, m1.ID, design.Link, 4 * time.Minute, 0},
				{bob, m1.ID, design.Link, 0, 0},
				{ann, m1.ID, design.Private, 5 * time.Minute, 0},
				{bob, m2.ID, design.Private, time.Minute, 0},
			}
			var in []design.Design
			for i, s := range specs {
				in = append(in, design.Design{OwnerID: s.owner.ID, ModelID: s.model, Name: fmt.Sprint("D", i),
					Visibility: s.vis, CreatedAt: t0.Add(s.at), Selection: map[string]string{"n": fmt.Sprint(i)}})
			}
			if err := db.CreateDesigns(ctx, in); err != nil {
				t.Fatalf("CreateDesigns: %v", err)
			}
			all, _, err := db.UserDesigns(ctx, ann.ID, design.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			more, _, err := db.UserDesigns(ctx, bob.ID, design.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, more...)
			byName := map[string]design.Design{}
			for _, d := range all {
				byName[d.Name] = d
			}
			var votes []design.Vote
			for i, s := range specs {
				for v := range s.votes {
					votes = append(votes, design.Vote{UserID: voters[v].ID, DesignID: byName[fmt.Sprint("D", i)].ID})
				}
			}
			votes = append(votes, votes[0]) // a repeat counts once
			if err := db.AddVotes(ctx, votes); err != nil {
				t.Fatalf("AddVotes: %v", err)
			}
			for i, s := range specs {
				d, err := db.GetDesign(ctx, byName[fmt.Sprint("D", i)].ID)
				if err != nil {
					t.Fatal(err)
				}
				if d.Votes != s.votes {
					t.Errorf("D%d after AddVotes: %d votes, want %d", i, d.Votes, s.votes)
				}
				byName[d.Name] = d
			}

			// The oracle: public designs sorted in Go.
			want := func(model string, sort design.GallerySort) []string {
				var ds []design.Design
				for _, d := range byName {
					if d.Visibility == design.Public && (model == "" || d.ModelID == model) {
						ds = append(ds, d)
					}
				}
				slices.SortFunc(ds, func(a, b design.Design) int {
					if sort == design.Top && a.Votes != b.Votes {
						return b.Votes - a.Votes
					}
					if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
						return c
					}
					return cmp.Compare(b.ID, a.ID)
				})
				return designIDs(ds)
			}
			for _, model := range []string{"", m1.ID, m2.ID} {
				for _, sort := range []design.GallerySort{design.Top, design.Newest} {
					for _, limit := range []int{1, 2, 3, 100} {
						t.Run(fmt.Sprintf("gallery model=%q sort=%s limit=%d", model, sort, limit), func(t *testing.T) {
							got := pageAll(t, limit, func(p design.Page) ([]design.Design, string, error) {
								return db.Gallery(ctx, model, sort, p)
							})
							if diff := gocmp.Diff(want(model, sort), got); diff != "" {
								t.Errorf("ids over all pages (-want +got):\n%s", diff)
							}
						})
					}
				}
			}

			// A gallery item carries its owner's name and its votes.
			top, _, err := db.Gallery(ctx, "", design.Top, design.Page{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff([]design.Design{byName["D3"]}, top); diff != "" {
				t.Errorf("top design (-want +got):\n%s", diff)
			}
			if top[0].OwnerName != bob.Name {
				t.Errorf("OwnerName = %q, want %q", top[0].OwnerName, bob.Name)
			}

			for _, owner := range []account.User{ann, bob} {
				var mine []design.Design
				for _, d := range byName {
					if d.OwnerID == owner.ID {
						mine = append(mine, d)
					}
				}
				slices.SortFunc(mine, func(a, b design.Design) int {
					if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
						return c
					}
					return cmp.Compare(b.ID, a.ID)
				})
				for _, limit := range []int{1, 2, 5} {
					got := pageAll(t, limit, func(p design.Page) ([]design.Design, string, error) {
						return db.UserDesigns(ctx, owner.ID, p)
					})
					if diff := gocmp.Diff(designIDs(mine), got); diff != "" {
						t.Errorf("UserDesigns(%s) limit %d: ids over all pages (-want +got):\n%s", owner.Email, limit, diff)
					}
				}
			}

			_, topCursor, err := db.Gallery(ctx, "", design.Top, design.Page{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			_, mineCursor, err := db.UserDesigns(ctx, ann.ID, design.Page{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			b64 := base64.RawURLEncoding.EncodeToString
			bad := []struct{ name, cursor string }{
				{"not base64", "!!!"},
				{"not JSON", b64([]byte("hello"))},
				{"empty object", b64([]byte("{}"))},
				{"bad time", b64([]byte(`{"s":"top","t":"yesterday","i":"x"}`))},
				{"negative votes", b64([]byte(`{"s":"top","v":-1,"t":"2026-01-01T00:00:00.000Z","i":"x"}`))},
				{"another order's cursor", topCursor},
				{"another list's cursor", mineCursor},
			}
			for _, tt := range bad {
				_, _, err := db.Gallery(ctx, "", design.Newest, design.Page{Cursor: tt.cursor})
				wantErr(t, "Gallery with "+tt.name, err, errs.Invalid, "cursor is not valid")
			}
			_, _, err = db.UserDesigns(ctx, ann.ID, design.Page{Cursor: topCursor})
			wantErr(t, "UserDesigns with a gallery cursor", err, errs.Invalid, "cursor is not valid")
			_, _, err = db.Gallery(ctx, "", "best", design.Page{})
			wantErr(t, "unknown order", err, errs.Invalid, "Unknown gallery order")
		})
	}
}

func TestVote(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")
			bob := MustUser(t, db, "bob@example.com", "", "")
			m := MustModel(t, db, "phone", "1")
			pub := MustDesign(t, db, ann, m.ID, "Public", design.Public, nil)
			link := MustDesign(t, db, ann, m.ID, "Link", design.Link, nil)
			priv := MustDesign(t, db, ann, m.ID, "Private", design.Private, nil)

			steps := []struct {
				name     string
				user     string
				design   string
				up       bool
				want     int
				wantCode string
			}{
				{"first vote", bob.ID, pub.ID, true, 1, ""},
				{"second vote by the same user counts once", bob.ID, pub.ID, true, 1, ""},
				{"the owner votes too", ann.ID, pub.ID, true, 2, ""},
				{"withdraw", bob.ID, pub.ID, false, 1, ""},
				{"withdraw again changes nothing", bob.ID, pub.ID, false, 1, ""},
				{"link design", bob.ID, link.ID, true, 0, errs.NotFound},
				{"private design", bob.ID, priv.ID, true, 0, errs.NotFound},
				{"withdraw on a private design", bob.ID, priv.ID, false, 0, errs.NotFound},
				{"unknown design", bob.ID, "nope", true, 0, errs.NotFound},
				{"unknown user", "ghost", pub.ID, true, 0, errs.NotFound},
			}
			for _, s := range steps {
				got, err := db.Vote(ctx, s.user, s.design, s.up)
				if errs.Code(err) != s.wantCode {
					t.Errorf("%s: err %v, want code %q", s.name, err, s.wantCode)
					continue
				}
				if err == nil && got != s.want {
					t.Errorf("%s: %d votes, want %d", s.name, got, s.want)
				}
			}
			voted, err := db.Voted(ctx, ann.ID, []string{pub.ID, link.ID, "nope"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(map[string]bool{pub.ID: true}, voted); diff != "" {
				t.Errorf("Voted (-want +got):\n%s", diff)
			}
			if voted, err := db.Voted(ctx, bob.ID, nil); err != nil || len(voted) != 0 {
				t.Errorf("Voted with no designs = %v, %v, want an empty map", voted, err)
			}
		})
	}
}

// voteRows returns designs.votes and the number of vote rows of a design.
func voteRows(t *testing.T, db *DB, id string) (count, rows int) {
	t.Helper()
	err := db.Read(context.Background(), func(tx *sql.Tx) error {
		if err := tx.QueryRow(`SELECT votes FROM designs WHERE id = $1`, id).Scan(&count); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT count(*) FROM votes WHERE design_id = $1`, id).Scan(&rows)
	})
	if err != nil {
		t.Fatal(err)
	}
	return count, rows
}

// TestVoteConcurrent has many users vote and withdraw at once on two
// designs; each design's count must end equal to its vote rows.
func TestVoteConcurrent(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			const users, ops = 12, 8
			ctx := context.Background()
			db := e.open(t)
			m := MustModel(t, db, "phone", "1")
			var in []account.User
			for i := range users {
				in = append(in, account.User{Email: fmt.Sprintf("u%d@example.com", i), Name: "U"})
			}
			us, err := db.CreateUsers(ctx, in, "")
			if err != nil {
				t.Fatal(err)
			}
			ds := []design.Design{
				MustDesign(t, db, us[0], m.ID, "A", design.Public, nil),
				MustDesign(t, db, us[0], m.ID, "B", design.Public, nil),
			}
			var wg sync.WaitGroup
			for i, u := range us {
				r := rand.New(rand.NewPCG(uint64(i), 1))
				wg.Go(func() {
					for range ops {
						d := ds[r.IntN(len(ds))]
						// The same user twice in a row, up or down, on purpose.
						up := r.IntN(3) > 0
						for range 2 {
							if _, err := db.Vote(ctx, u.ID, d.ID, up); err != nil {
								t.Errorf("Vote: %v", err)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			for _, d := range ds {
				count, rows := voteRows(t, db, d.ID)
				if count != rows {
					t.Errorf("design %s: votes = %d, but %d vote rows", d.Name, count, rows)
				}
				t.Logf("design %s: %d votes", d.Name, count)
			}
		})
	}
}

func TestDesignStats(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			eu1 := MustUser(t, db, "eu1@example.com", "europe", "25-34")
			eu2 := MustUser(t, db, "eu2@example.com", "europe", "35-44")
			na := MustUser(t, db, "na@example.com", "north-america", "25-34")
			anon := MustUser(t, db, "anon@example.com", "", "")
			m := MustModel(t, db, "phone", "1")
			other := MustModel(t, db, "phone", "2")
			day := func(d, h, min, sec, ms int) time.Time { return time.Date(2026, 1, d, h, min, sec, ms*1e6, time.UTC) }
			mk := func(u account.User, model string, at time.Time, sel map[string]string) design.Design {
				return design.Design{OwnerID: u.ID, ModelID: model, Name: "D", Visibility: design.Private, CreatedAt: at, Selection: sel}
			}
			err := db.CreateDesigns(ctx, []design.Design{
				mk(eu1, m.ID, day(10, 10, 0, 0, 0), map[string]string{"colour": "red", "memory": "128", "camera": "pro"}),
				mk(eu1, m.ID, day(10, 23, 59, 59, 999), map[string]string{"colour": "red", "memory": "256"}),
				mk(eu2, m.ID, day(11, 0, 0, 0, 0), map[string]string{"colour": "blue", "memory": "128", "camera": "pro"}),
				mk(na, m.ID, day(11, 12, 0, 0, 0), map[string]string{"colour": "red", "memory": "128", "camera": "basic"}),
				mk(anon, m.ID, day(12, 8, 0, 0, 0), map[string]string{"colour": "red", "memory": "128", "camera": "pro"}),
				mk(eu1, other.ID, day(10, 9, 0, 0, 0), map[string]string{"colour": "red"}),
			})
			if err != nil {
				t.Fatalf("CreateDesigns: %v", err)
			}
			lv := func(a, l string, n int) design.LevelCount { return design.LevelCount{Attribute: a, Level: l, Count: n} }
			dc := func(d string, n int) design.DayCount { return design.DayCount{Day: d, Count: n} }
			sg := func(r, a string, n int) design.SegmentCount {
				return design.SegmentCount{Region: r, AgeBand: a, Count: n}
			}
			combo := func(colour, second string, n int) design.Combo {
				c := design.Combo{Levels: map[string]string{"colour": colour}, Count: n}
				if len(second) > 0 && second[0] >= '0' && second[0] <= '9' {
					c.Levels["memory"] = second
				} else {
					c.Levels["camera"] = second
				}
				return c
			}
			tests := []struct {
				name  string
				f     design.Filter
				combo []string
				top   int
				want  design.Stats
			}{
				{
					name: "every design of the model", f: design.Filter{ModelID: m.ID}, combo: []string{"colour", "memory"}, top: 10,
					want: design.Stats{
						Designs: 5,
						Levels:  []design.LevelCount{lv("camera", "pro", 3), lv("camera", "basic", 1), lv("colour", "red", 4), lv("colour", "blue", 1), lv("memory", "128", 4), lv("memory", "256", 1)},
						Combos:  []design.Combo{combo("red", "128", 3), combo("blue", "128", 1), combo("red", "256", 1)},
						Daily:   []design.DayCount{dc("2026-01-10", 2), dc("2026-01-11", 2), dc("2026-01-12", 1)},
						Segments: []design.SegmentCount{sg("", "", 1), sg("europe", "25-34", 2), sg("europe", "35-44", 1),
							sg("north-america", "25-34", 1)},
					},
				},
				{
					name: "combos count only designs that chose every combo attribute, top 2",
					f:    design.Filter{ModelID: m.ID}, combo: []string{"colour", "camera"}, top: 2,
					want: design.Stats{
						Designs: 5,
						Levels:  []design.LevelCount{lv("camera", "pro", 3), lv("camera", "basic", 1), lv("colour", "red", 4), lv("colour", "blue", 1), lv("memory", "128", 4), lv("memory", "256", 1)},
						Combos:  []design.Combo{combo("red", "pro", 2), combo("blue", "pro", 1)},
						Daily:   []design.DayCount{dc("2026-01-10", 2), dc("2026-01-11", 2), dc("2026-01-12", 1)},
						Segments: []design.SegmentCount{sg("", "", 1), sg("europe", "25-34", 2), sg("europe", "35-44", 1),
							sg("north-america", "25-34", 1)},
					},
				},
				{
					name: "one region", f: design.Filter{ModelID: m.ID, Region: "europe"}, combo: []string{"colour", "memory"}, top: 10,
					want: design.Stats{
						Designs:  3,
						Levels:   []design.LevelCount{lv("camera", "pro", 2), lv("colour", "red", 2), lv("colour", "blue", 1), lv("memory", "128", 2), lv("memory", "256", 1)},
						Combos:   []design.Combo{combo("blue", "128", 1), combo("red", "128", 1), combo("red", "256", 1)},
						Daily:    []design.DayCount{dc("2026-01-10", 2), dc("2026-01-11", 1)},
						Segments: []design.SegmentCount{sg("europe", "25-34", 2), sg("europe", "35-44", 1)},
					},
				},
				{
					name: "one UTC day, [From, To)", f: design.Filter{ModelID: m.ID, From: day(11, 0, 0, 0, 0), To: day(12, 0, 0, 0, 0)},
					combo: []string{"colour", "memory"}, top: 10,
					want: design.Stats{
						Designs:  2,
						Levels:   []design.LevelCount{lv("camera", "basic", 1), lv("camera", "pro", 1), lv("colour", "blue", 1), lv("colour", "red", 1), lv("memory", "128", 2)},
						Combos:   []design.Combo{combo("blue", "128", 1), combo("red", "128", 1)},
						Daily:    []design.DayCount{dc("2026-01-11", 2)},
						Segments: []design.SegmentCount{sg("europe", "35-44", 1), sg("north-america", "25-34", 1)},
					},
				},
				{
					name: "age band from an instant, in another time zone",
					f: design.Filter{ModelID: m.ID, AgeBand: "25-34",
						From: day(10, 23, 59, 59, 999).In(time.FixedZone("CET", 3600)), To: day(12, 8, 0, 0, 0)},
					combo: []string{"colour", "memory"}, top: 10,
					want: design.Stats{
						Designs:  2,
						Levels:   []design.LevelCount{lv("camera", "basic", 1), lv("colour", "red", 2), lv("memory", "128", 1), lv("memory", "256", 1)},
						Combos:   []design.Combo{combo("red", "128", 1), combo("red", "256", 1)},
						Daily:    []design.DayCount{dc("2026-01-10", 1), dc("2026-01-11", 1)},
						Segments: []design.SegmentCount{sg("europe", "25-34", 1), sg("north-america", "25-34", 1)},
					},
				},
				{
					name: "nothing matches", f: design.Filter{ModelID: m.ID, Region: "asia-pacific"}, combo: []string{"colour"}, top: 10,
					want: design.Stats{},
				},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, err := db.DesignStats(ctx, tt.f, tt.combo, tt.top)
					if err != nil {
						t.Fatalf("DesignStats: %v", err)
					}
					if diff := gocmp.Diff(tt.want, got); diff != "" {
						t.Errorf("DesignStats (-want +got):\n%s", diff)
					}
				})
			}
		})
	}
}

// TestSaveBatch saves from many goroutines at once, some saves failing:
// each failure must fail its caller only, and every acknowledged save must
// be stored with its choices.
func TestSaveBatch(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			const n = 40
			ctx := context.Background()
			db := e.open(t)
			u := MustUser(t, db, "ann@example.com", "", "")
			m := MustModel(t, db, "phone", "1")
			var wg sync.WaitGroup
			saved := make([]design.Design, n)
			errors := make([]error, n)
			for i := range n {
				wg.Go(func() {
					model := m.ID
					if i%5 == 0 {
						model = "nope"
					}
					saved[i], errors[i] = db.CreateDesign(ctx, design.Design{OwnerID: u.ID, ModelID: model, Name: fmt.Sprint(i),
						Visibility: design.Private, Selection: map[string]string{"i": fmt.Sprint(i)}})
				})
			}
			wg.Wait()
			for i := range n {
				if i%5 == 0 {
					wantErr(t, fmt.Sprint("save ", i), errors[i], errs.NotFound, "does not exist")
					continue
				}
				if errors[i] != nil {
					t.Errorf("save %d: %v", i, errors[i])
					continue
				}
				if got := choices(t, db, saved[i].ID); got["i"] != fmt.Sprint(i) {
					t.Errorf("save %d: choices %v", i, got)
				}
			}
			ds, _, err := db.UserDesigns(ctx, u.ID, design.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != n-n/5 {
				t.Errorf("%d designs stored, want %d", len(ds), n-n/5)
			}
		})
	}
}

// TestCloseWhileSaving closes a SQLite file while goroutines save: saves
// fail with errs.Unavailable once closing, and every save acknowledged
// before is in the file when it is opened again.
func TestCloseWhileSaving(t *testing.T) {
	ctx := context.Background()
	dsn := "file:" + t.TempDir() + "/close.db"
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	u := MustUser(t, db, "ann@example.com", "", "")
	m := MustModel(t, db, "phone", "1")
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			<-start
			for {
				d, err := db.CreateDesign(ctx, design.Design{OwnerID: u.ID, ModelID: m.ID, Name: "x", Visibility: design.Private})
				if err != nil {
					if errs.Code(err) != errs.Unavailable {
						t.Errorf("CreateDesign while closing: %v, want errs.Unavailable", err)
					}
					return
				}
				mu.Lock()
				acked = append(acked, d.ID)
				mu.Unlock()
			}
		})
	}
	close(start)
	time.Sleep(50 * time.Millisecond)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no save was acknowledged before Close")
	}
	db = MustOpen(t, dsn)
	for _, id := range acked {
		if _, err := db.GetDesign(ctx, id); err != nil {
			t.Errorf("acknowledged design %s after reopening: %v", id, err)
		}
	}
}

func TestPing(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			db := e.open(t)
			if err := db.Ping(context.Background()); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
	db, err := Open(context.Background(), "file:"+t.TempDir()+"/p.db")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	wantErr(t, "Ping after Close", db.Ping(context.Background()), errs.Unavailable, "does not answer")
}
