package bench

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/models"
)

// savers is how many customers save designs at once in BenchmarkDesignSave.
const savers = 16

// BenchmarkDesignSave measures sqldb.DB.CreateDesign with 16 goroutines
// saving at once, as many customers pressing Save at the same moment; one
// op is one save, and saves/s is the throughput over all of them. sqlite
// runs on a temporary file with the production settings (WAL,
// synchronous=FULL); postgres runs in a fresh schema of the server that
// TAILOR_TEST_POSTGRES names, and is skipped when it is not set.
func BenchmarkDesignSave(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		benchSaves(b, filepath.Join(b.TempDir(), "tailor.db"))
	})
	b.Run("postgres", func(b *testing.B) {
		dsn := os.Getenv("TAILOR_TEST_POSTGRES")
		if dsn == "" {
			b.Skip("TAILOR_TEST_POSTGRES is not set: PostgreSQL is not measured")
		}
		benchSaves(b, postgresSchema(b, dsn))
	})
}

func benchSaves(b *testing.B, dsn string) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var us []account.User
	for i := range savers {
		us = append(us, account.User{Email: fmt.Sprintf("c%d@example.com", i), Name: fmt.Sprintf("Customer %d", i)})
	}
	if us, err = db.CreateUsers(ctx, us, ""); err != nil {
		b.Fatal(err)
	}
	v, err := db.CreateModel(ctx, catalog.Version{Name: "phone", Version: "1", Source: string(models.Phone)})
	if err != nil {
		b.Fatal(err)
	}
	sels := randomSelections(b, 1000)

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for g := range savers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				_, err := db.CreateDesign(ctx, design.Design{
					OwnerID:    us[g].ID,
					ModelID:    v.ID,
					Name:       fmt.Sprintf("Design %d", i),
					Selection:  sels[i%len(sels)],
					Complete:   true,
					Visibility: design.Private,
					Price:      49900,
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "saves/s")
}

// randomSelections returns n complete selections of the phone model, a
// random level for every attribute: rules are not checked, since storage
// does not check them, but the size of each save is that of a real one.
func randomSelections(tb testing.TB, n int) []map[string]string {
	tb.Helper()
	m, diags := model.Parse(models.PhoneFile, models.Phone)
	if diags.HasErrors() {
		tb.Fatal(diags.Err())
	}
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]map[string]string, n)
	for i := range out {
		sel := map[string]string{}
		for _, a := range m.Attributes {
			sel[a.Name] = a.Levels[r.IntN(len(a.Levels))].Name
		}
		out[i] = sel
	}
	return out
}

// postgresSchema creates a fresh schema on the PostgreSQL server at dsn,
// drops it when the benchmark ends and returns a DSN whose search_path is
// it, as the storage tests in internal/sqldb do.
func postgresSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	var b [8]byte
	crand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// statsDesigns is how many designs BenchmarkDesignStats counts.
const statsDesigns = 100_000

// BenchmarkDesignStats measures sqldb.DB.DesignStats over 100,000 designs
// of the phone model on a SQLite file, made by customers of every segment
// over 90 days; one op is one call with every design in the window and the
// first three attributes as the combination.
func BenchmarkDesignStats(b *testing.B) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(b.TempDir(), "tailor.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var us []account.User
	for i, r := range account.Regions {
		for j, a := range account.AgeBands {
			us = append(us, account.User{Email: fmt.Sprintf("c%d-%d@example.com", i, j), Name: "C", Region: r, AgeBand: a})
		}
	}
	if us, err = db.CreateUsers(ctx, us, ""); err != nil {
		b.Fatal(err)
	}
	v, err := db.CreateModel(ctx, catalog.Version{Name: "phone", Version: "1", Source: string(models.Phone)})
	if err != nil {
		b.Fatal(err)
	}
	sels := randomSelections(b, 5000)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 10_000
	for start := 0; start < statsDesigns; start += batch {
		ds := make([]design.Design, batch)
		for i := range ds {
			n := start + i
			ds[i] = design.Design{OwnerID: us[n%len(us)].ID, ModelID: v.ID, Name: "D", Selection: sels[n%len(sels)],
				Complete: true, Visibility: design.Private, CreatedAt: t0.Add(time.Duration(n) * 90 * 24 * time.Hour / statsDesigns)}
		}
		if err := db.CreateDesigns(ctx, ds); err != nil {
			b.Fatal(err)
		}
	}
	var combo []string
	for a := range sels[0] {
		combo = append(combo, a)
	}
	slices.Sort(combo)
	combo = combo[:3]
	f := design.Filter{ModelID: v.ID}
	b.ResetTimer()
	for b.Loop() {
		st, err := db.DesignStats(ctx, f, combo, 10)
		if err != nil {
			b.Fatal(err)
		}
		if st.Designs != statsDesigns {
			b.Fatalf("counted %d designs, want %d", st.Designs, statsDesigns)
		}
	}
}
