package sqldb

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/tailor-c2b/tailor/campaign"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/job"
)

// drafts returns n draft campaigns of a lineup's variants on the model.
func drafts(modelID, lineupID, creator string, n int, at time.Time) []campaign.Campaign {
	cs := make([]campaign.Campaign, n)
	for v := range cs {
		cs[v] = campaign.Campaign{Name: fmt.Sprintf("Variant %d", v+1), ModelID: modelID,
			Config: map[string]string{"size": []string{"compact", "standard", "max"}[v%3], "os": "android"},
			Price:  int64(59900 + 10000*v), Cost: int64(15000 + 1000*v), Currency: "EUR", Status: campaign.Draft,
			LineupID: lineupID, Variant: v, CreatedBy: creator, CreatedAt: at}
	}
	return cs
}

func campaignIDs(cs []campaign.Campaign) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestCreateLineupCampaigns(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")
			m := MustModel(t, db, "phone", "1.0")
			lu := MustJob(t, db, "lineup", ann.ID, t0)

			want := drafts(m.ID, lu.ID, ann.ID, 3, t0.Add(time.Hour))
			got, created, err := db.CreateLineupCampaigns(ctx, lu.ID, want)
			if err != nil {
				t.Fatalf("CreateLineupCampaigns: %v", err)
			}
			if created != 3 || len(got) != 3 {
				t.Fatalf("made %d, returned %d campaigns; want 3 and 3", created, len(got))
			}
			for v := range want {
				want[v].ID = got[v].ID
				if got[v].ID == "" {
					t.Errorf("campaign %d has no id", v)
				}
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("stored campaigns (-want +got):\n%s", diff)
			}

			// Asking again makes nothing and returns the same drafts, even
			// with other names and prices.
			again := drafts(m.ID, lu.ID, ann.ID, 3, t0.Add(2*time.Hour))
			again[1].Name, again[1].Price = "Renamed", 1
			got2, created, err := db.CreateLineupCampaigns(ctx, lu.ID, again)
			if err != nil || created != 0 {
				t.Fatalf("again: made %d, %v; want 0, nil", created, err)
			}
			if diff := gocmp.Diff(want, got2); diff != "" {
				t.Errorf("campaigns after asking again (-want +got):\n%s", diff)
			}

			// Many at once: each variant once. A fourth variant, added
			// by one of the calls, is made once too.
			lu2 := MustJob(t, db, "lineup", ann.ID, t0)
			var wg sync.WaitGroup
			errc := make(chan error, 6)
			total := make(chan int, 6)
			for i := range 6 {
				wg.Go(func() {
					_, n, err := db.CreateLineupCampaigns(ctx, lu2.ID, drafts(m.ID, lu2.ID, ann.ID, 3+i%2, t0.Add(3*time.Hour)))
					errc <- err
					total <- n
				})
			}
			wg.Wait()
			close(errc)
			close(total)
			for err := range errc {
				if err != nil {
					t.Errorf("concurrent CreateLineupCampaigns: %v", err)
				}
			}
			sum := 0
			for n := range total {
				sum += n
			}
			list, _, err := db.Campaigns(ctx, campaign.Filter{LineupID: lu2.ID}, campaign.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if sum != 4 || len(list) != 4 {
				t.Errorf("concurrent calls made %d campaigns, %d stored; want 4 and 4", sum, len(list))
			}

			errTests := []struct {
				name     string
				lineupID string
				cs       []campaign.Campaign
				code     string
				msg      string
			}{
				{"no lineup", "", want, errs.Invalid, "Say which lineup"},
				{"another lineup's", lu2.ID, want, errs.Invalid, "is not of lineup"},
				{"no name", lu.ID, func() []campaign.Campaign { cs := drafts(m.ID, lu.ID, ann.ID, 1, t0); cs[0].Name = " "; return cs }(), errs.Invalid, "needs a name"},
				{"no price", lu.ID, func() []campaign.Campaign { cs := drafts(m.ID, lu.ID, ann.ID, 1, t0); cs[0].Price = 0; return cs }(), errs.Invalid, "price must be positive"},
				{"an unknown model", lu.ID, func() []campaign.Campaign { cs := drafts("nope", lu.ID, ann.ID, 5, t0); return cs[4:] }(), errs.NotFound, "does not exist"},
				{"an unknown lineup", "nope", drafts(m.ID, "nope", ann.ID, 1, t0), errs.NotFound, "does not exist"},
			}
			for _, tt := range errTests {
				_, _, err := db.CreateLineupCampaigns(ctx, tt.lineupID, tt.cs)
				wantErr(t, tt.name, err, tt.code, tt.msg)
			}
			if list, _, _ := db.Campaigns(ctx, campaign.Filter{LineupID: lu.ID}, campaign.Page{}); len(list) != 3 {
				t.Errorf("lineup 1 has %d campaigns after the failures, want 3", len(list))
			}
		})
	}
}

func TestListCampaigns(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			ann := MustUser(t, db, "ann@example.com", "", "")
			m := MustModel(t, db, "phone", "1.0")
			older := MustJob(t, db, "lineup", ann.ID, t0)
			newer := MustJob(t, db, "lineup", ann.ID, t0)
			a, _, err := db.CreateLineupCampaigns(ctx, older.ID, drafts(m.ID, older.ID, ann.ID, 3, t0.Add(time.Minute)))
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := db.CreateLineupCampaigns(ctx, newer.ID, drafts(m.ID, newer.ID, "", 4, t0.Add(time.Hour)))
			if err != nil {
				t.Fatal(err)
			}
			if b[0].CreatedBy != "" {
				t.Errorf("a campaign without a creator reads back made by %q", b[0].CreatedBy)
			}
			// Newest first, each lineup's in variant order; pages of 3.
			want := append(campaignIDs(b), campaignIDs(a)...)
			var got []string
			cursor := ""
			pages := 0
			for {
				page, next, err := db.Campaigns(ctx, campaign.Filter{}, campaign.Page{Limit: 3, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, campaignIDs(page)...)
				pages++
				if next == "" {
					break
				}
				cursor = next
			}
			if diff := gocmp.Diff(want, got); diff != "" || pages != 3 {
				t.Errorf("campaigns in %d pages (-want +got):\n%s", pages, diff)
			}
			only, _, err := db.Campaigns(ctx, campaign.Filter{LineupID: older.ID}, campaign.Page{})
			if err != nil || !gocmp.Equal(campaignIDs(a), campaignIDs(only)) {
				t.Errorf("the older lineup's campaigns: %v, %v; want %v", campaignIDs(only), err, campaignIDs(a))
			}
			_, _, err = db.Campaigns(ctx, campaign.Filter{}, campaign.Page{Cursor: "garbage"})
			wantErr(t, "a bad cursor", err, errs.Invalid, "cursor")
			// A cursor of another list is refused.
			_, jobsNext, err := db.Jobs(ctx, job.Filter{}, job.Page{Limit: 1})
			if err != nil || jobsNext == "" {
				t.Fatalf("jobs page: %q, %v", jobsNext, err)
			}
			_, _, err = db.Campaigns(ctx, campaign.Filter{}, campaign.Page{Cursor: jobsNext})
			wantErr(t, "a cursor of the jobs list", err, errs.Invalid, "cursor")
		})
	}
}
