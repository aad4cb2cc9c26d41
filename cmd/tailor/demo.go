package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/design"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/models"
	"github.com/tailor-c2b/tailor/population"
	"github.com/tailor-c2b/tailor/survey"
)

// demoPassword is the password of every demo account.
const demoPassword = "tailor-demo"

// demoAccounts are the accounts the demo prints, one per role.
var demoAccounts = []struct {
	role  account.Role
	email string
	name  string
}{
	{account.Customer, "customer@demo.tailor.example", "Carla Customer"},
	{account.Analyst, "analyst@demo.tailor.example", "Ana Analyst"},
	{account.Planner, "planner@demo.tailor.example", "Piet Planner"},
	{account.Admin, "admin@demo.tailor.example", "Ada Admin"},
}

func (env *env) demo(args []string) error {
	start := time.Now()
	flags := flag.NewFlagSet("demo", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	var o serveOptions
	env.serveFlags(flags, &o)
	flags.StringVar(&o.db, "db", "", "a fresh SQLite file or an empty postgres:// database for the demo (default: a new temporary file, removed on exit)")
	customers := flags.Int("customers", 3000, "simulated customers")
	seed := flags.Uint64("seed", 1, "random seed of the simulated customers")
	days := flags.Int("days", 60, "days of history the simulated designs spread over")
	if _, err := parseArgs(flags, args); err != nil {
		return err
	}
	if *customers < 0 || *customers > 1_000_000 {
		return fmt.Errorf("--customers %d: want 0 to 1000000", *customers)
	}
	if *days < 1 {
		return fmt.Errorf("--days %d: want at least 1", *days)
	}
	if o.db == "" {
		dir, err := os.MkdirTemp("", "tailor-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.db = filepath.Join(dir, "demo.db")
	} else if !isPostgres(o.db) {
		if _, err := os.Stat(o.db); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--db %s exists; the demo needs a fresh database", o.db)
		}
	}
	log, err := env.logger(o)
	if err != nil {
		return err
	}
	db, err := sqldb.Open(env.ctx, o.db)
	if err != nil {
		return fmt.Errorf("open database %s: %w", redact(o.db), err)
	}
	defer db.Close()
	svc, runner := newApp(db, o, log)
	if vs, err := svc.Models(env.ctx); err != nil {
		return err
	} else if len(vs) > 0 {
		return fmt.Errorf("database %s already holds models; the demo needs a fresh database", redact(o.db))
	}
	if err := env.seedDemo(svc, *customers, *seed, *days, log); err != nil {
		return err
	}
	return env.listenAndServe(o, svc, runner, log, func(url string) {
		fmt.Fprintf(env.stdout, "\nTailor demo is ready at %s (in %.1f s; Ctrl-C stops it)\n\n", url, time.Since(start).Seconds())
		fmt.Fprintf(env.stdout, "Sign in with any of these accounts, password %q:\n", demoPassword)
		for _, a := range demoAccounts {
			fmt.Fprintf(env.stdout, "  %-9s %s\n", a.role, a.email)
		}
		fmt.Fprintln(env.stdout)
	})
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// seedDemo fills a fresh database: the default model, one account per role,
// designs by simulated customers from population.PhoneSegments, spread over
// the last days, some public with votes, an open choice survey that the
// simulated customers have answered (the demo customer has not), and a
// model fit of its answers with a lineup in its market, queued as the
// analyst.
func (env *env) seedDemo(svc *service.Service, customers int, seed uint64, days int, log *slog.Logger) error {
	ctx := env.ctx
	step := func(format string, args ...any) { fmt.Fprintf(env.stderr, "demo: "+format+"\n", args...) }

	step("publishing the default phone model")
	v, err := svc.EnsureModel(ctx, models.PhoneFile, models.Phone)
	if err != nil {
		return err
	}
	e, _, err := svc.Engine(ctx, v.ID)
	if err != nil {
		return err
	}

	step("creating the demo accounts")
	var demoCustomer, demoAnalyst account.User
	for _, a := range demoAccounts {
		u, err := svc.CreateUser(ctx, account.SignUp{Email: a.email, Password: demoPassword, Name: a.name, Region: "europe", AgeBand: "35-44"}, a.role, true)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", a.email, err)
		}
		switch a.role {
		case account.Customer:
			demoCustomer = u
		case account.Analyst:
			demoAnalyst = u
		}
	}

	step("simulating %d customers designing phones", customers)
	rng := rand.New(rand.NewPCG(seed, 0x7461696c6f72))
	people := population.Draw(e.Model(), population.PhoneSegments, customers, rng)
	selections := population.Designs(e, people, seed, runtime.GOMAXPROCS(0))
	users := make([]account.User, len(people))
	for i, p := range people {
		users[i] = account.User{
			Email:   fmt.Sprintf("shopper-%05d@customers.tailor.example", i+1),
			Name:    shopperName(rng),
			Role:    account.Customer,
			Region:  p.Region,
			AgeBand: p.AgeBand,
		}
	}
	if users, err = svc.ImportUsers(ctx, users); err != nil {
		return err
	}

	// The survey is designed, answered and stored while the designs are
	// saved, which leaves a core idle: that takes about a second off the
	// demo's start. Every return below waits for it first.
	step("running a choice survey answered by the simulated customers")
	surveyed := make(chan error, 1)
	go func() {
		_, err := demoSurvey(account.NewContext(ctx, demoAnalyst), svc, people, users, seed)
		surveyed <- err
	}()
	waitSurvey := sync.OnceValue(func() error { return <-surveyed })
	defer waitSurvey()

	step("saving their designs")
	now := time.Now().UTC()
	var ds []design.Design
	for i, sel := range selections {
		// More designs in recent days: the service is catching on.
		age := time.Duration(float64(days) * (1 - math.Sqrt(rng.Float64())) * float64(24*time.Hour))
		at := now.Add(-age).Truncate(time.Millisecond)
		vis := design.Private
		switch x := rng.Float64(); {
		case x < 0.3:
			vis = design.Public
		case x < 0.45:
			vis = design.Link
		}
		ds = append(ds, design.Design{
			OwnerID:    users[i].ID,
			ModelID:    v.ID,
			Name:       designName(e, sel, population.PhoneSegments[people[i].Segment].Name, rng),
			Selection:  selectionMap(e, sel),
			Visibility: vis,
			CreatedAt:  at,
			UpdatedAt:  at,
		})
	}
	// The demo customer has designs of their own to open.
	for i, sel := range selections[:min(3, len(selections))] {
		ds = append(ds, design.Design{
			OwnerID: demoCustomer.ID, ModelID: v.ID, Name: []string{"My everyday phone", "Weekend camera", "Something small"}[i],
			Selection: selectionMap(e, sel), Visibility: []design.Visibility{design.Private, design.Link, design.Public}[i],
			CreatedAt: now.Add(-time.Duration(i+1) * 26 * time.Hour), UpdatedAt: now.Add(-time.Duration(i+1) * 26 * time.Hour),
		})
	}
	if err := svc.ImportDesigns(ctx, ds); err != nil {
		return err
	}

	step("voting in the gallery")
	if err := env.demoVotes(svc, v, users, rng); err != nil {
		return err
	}

	if err := waitSurvey(); err != nil {
		return err
	}
	log.Info("demo seeded", "customers", customers, "designs", len(ds))
	return nil
}

// demoSurveySpec is the demo's survey of the phone: six attributes the
// simulated segments care about, five prices, 20 versions of 12 tasks of 3
// phones and none, and 2 holdout tasks.
var demoSurveySpec = survey.Spec{
	Attributes: []string{"size", "main", "tele", "storage", "battery", "refresh"},
	Price:      survey.Price{Min: 39900, Max: 119900, Steps: 5},
	Versions:   20, Tasks: 12, Concepts: 3, None: true, Holdouts: 2,
}

// demoLineup is the lineup the demo chooses in the market of its fit:
// four variants for profit, at least one per operating system, priced in
// the order of their costs, at the survey's prices.
var demoLineup = service.LineupInput{K: 4, Goal: lineup.Profit, EachOf: "os", Ladder: true}

// demoSurvey designs the demo's survey as the analyst, opens it, has
// every simulated customer answer it (survey.Simulate, by their tastes),
// stored in one import, and queues a hierarchical Bayes fit of the answers
// and a lineup in its market (demoLineup) as the analyst, which the job
// runner does once the server runs. The demo customer is left to answer
// it.
func demoSurvey(ctx context.Context, svc *service.Service, people []population.Person, users []account.User, seed uint64) (survey.Stored, error) {
	spec := demoSurveySpec
	spec.Seed = seed
	st, err := svc.CreateSurvey(ctx, service.SurveyInput{Name: "What makes a phone worth buying", Spec: spec})
	if err != nil {
		return survey.Stored{}, fmt.Errorf("demo survey: %w", err)
	}
	if _, err := svc.OpenSurvey(ctx, st.ID); err != nil {
		return survey.Stored{}, err
	}
	answers, err := survey.Simulate(st.Design, people, seed, runtime.GOMAXPROCS(0))
	if err != nil {
		return survey.Stored{}, err
	}
	rs, err := st.Design.Responses(answers, func(i int) string { return users[i].ID })
	if err != nil {
		return survey.Stored{}, fmt.Errorf("demo survey answers: %w", err)
	}
	if err := svc.ImportSurveyResponses(ctx, st.ID, rs); err != nil {
		return survey.Stored{}, fmt.Errorf("demo survey answers: %w", err)
	}
	fit, err := svc.SubmitFit(ctx, service.FitInput{SurveyID: st.ID, Method: choice.HB})
	if err != nil {
		return survey.Stored{}, fmt.Errorf("demo fit: %w", err)
	}
	// The lineup is queued behind the fit and waits for it to be done.
	if _, err := svc.SubmitLineup(ctx, fit.ID, demoLineup); err != nil {
		return survey.Stored{}, fmt.Errorf("demo lineup: %w", err)
	}
	return st, nil
}

// demoVotes has the simulated customers vote for public designs. Popularity
// is skewed: a few designs collect many votes, most a handful.
func (env *env) demoVotes(svc *service.Service, v catalog.Version, users []account.User, rng *rand.Rand) error {
	var public []design.Design
	cursor := ""
	for {
		page, next, err := svc.Gallery(env.ctx, v.ID, design.Newest, design.Page{Limit: design.MaxLimit, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, it := range page {
			public = append(public, it.Design)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(public) == 0 || len(users) == 0 {
		return nil
	}
	var votes []design.Vote
	for i, d := range public {
		n := int(float64(len(users)) * 0.05 / float64(i%len(public)+1) * (0.5 + rng.Float64()))
		for range min(n, len(users)) {
			votes = append(votes, design.Vote{UserID: users[rng.IntN(len(users))].ID, DesignID: d.ID})
		}
	}
	return svc.ImportVotes(env.ctx, votes)
}

func selectionMap(e *configurator.Engine, sel configurator.Selection) map[string]string {
	m := e.Model()
	out := map[string]string{}
	for a, l := range sel {
		if l >= 0 {
			out[m.Attributes[a].Name] = m.Attributes[a].Levels[l].Name
		}
	}
	return out
}

var firstNames = []string{"Alex", "Sam", "Maria", "Yuki", "Omar", "Lena", "Chen", "Priya", "Jonas", "Fatima",
	"Luca", "Ines", "Mateo", "Sofia", "Kwame", "Hana", "Noah", "Amara", "Ravi", "Elif", "Tomás", "Mei", "Ola", "Zoe"}

func shopperName(rng *rand.Rand) string {
	return fmt.Sprintf("%s %c.", firstNames[rng.IntN(len(firstNames))], 'A'+rng.IntN(26))
}

// designName names a simulated design the way a person might.
func designName(e *configurator.Engine, sel configurator.Selection, segment string, rng *rand.Rand) string {
	m := e.Model()
	label := func(attr string) string {
		a := m.Attr(attr)
		if a < 0 || sel[a] < 0 {
			return ""
		}
		return m.Attributes[a].Levels[sel[a]].Name
	}
	colour, size := label("colour"), label("size")
	switch segment {
	case "Photographers":
		return pickOne(rng, "Pocket studio", "Zoom machine", "Night shooter", "Travel camera") + suffix(colour)
	case "Gamers":
		return pickOne(rng, "Frame-rate beast", "Gaming rig", "Battery monster", "Speed demon") + suffix(colour)
	case "Compact lovers":
		return pickOne(rng, "Small and mighty", "One-hand phone", "Pocket friend", "Tiny flagship") + suffix(colour)
	case "Value seekers":
		return pickOne(rng, "Sensible choice", "All I need", "Budget hero", "Everyday phone") + suffix(size)
	}
	return pickOne(rng, "Quiet luxury", "Private line", "Work phone", "Understated") + suffix(colour)
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func pickOne(rng *rand.Rand, xs ...string) string { return xs[rng.IntN(len(xs))] }
