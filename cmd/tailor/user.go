package main

import (
	"bufio"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/sqldb"
)

// userAdd creates an account with any role, such as the first admin. The
// password comes from TAILOR_PASSWORD or the first line of standard input,
// never from a flag, so it does not show in the process list.
func (env *env) userAdd(args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	db := fs.String("db", env.getenv("TAILOR_DB"), "database: a postgres:// URL or a SQLite file (default tailor.db in --data-dir) [TAILOR_DB]")
	dataDir := fs.String("data-dir", orDefault(env.getenv("TAILOR_DATA_DIR"), "."), "directory for the SQLite database file [TAILOR_DATA_DIR]")
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", "customer", "customer, analyst, planner or admin")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	r, err := account.ParseRole(*role)
	if err != nil {
		return err
	}
	password := env.getenv("TAILOR_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("no password: set TAILOR_PASSWORD or give it on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if *db == "" {
		*db = filepath.Join(*dataDir, "tailor.db")
	}
	store, err := sqldb.Open(env.ctx, *db)
	if err != nil {
		return fmt.Errorf("open database %s: %w", redact(*db), err)
	}
	defer store.Close()
	svc := service.New(store, service.Config{})
	u, err := svc.CreateUser(env.ctx, account.SignUp{Email: *email, Password: password, Name: *name}, r, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "created %s %s (%s)\n", u.Role, u.Email, u.ID)
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
