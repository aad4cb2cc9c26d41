package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/internal/httpapi"
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/internal/server"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/sqldb"
	"github.com/tailor-c2b/tailor/internal/web"
	"github.com/tailor-c2b/tailor/models"
)

// serveOptions configure a running server. Every flag has an environment
// variable (TAILOR_ADDR for --addr and so on) that sets its default.
type serveOptions struct {
	addr          string
	db            string
	dataDir       string
	secureCookies bool
	tlsCert       string
	tlsKey        string
	logFormat     string
	logLevel      string
	jobWorkers    int
}

// serveFlags registers the server flags on fs with defaults from the
// environment.
func (env *env) serveFlags(fs *flag.FlagSet, o *serveOptions) {
	get := func(name, def string) string {
		if v := env.getenv(name); v != "" {
			return v
		}
		return def
	}
	secure, _ := strconv.ParseBool(get("TAILOR_SECURE_COOKIES", "false"))
	workers, err := strconv.Atoi(get("TAILOR_JOB_WORKERS", "1"))
	if err != nil {
		workers = 1
	}
	fs.StringVar(&o.addr, "addr", get("TAILOR_ADDR", "127.0.0.1:8080"), "address to listen on (host:port; port 0 picks a free one) [TAILOR_ADDR]")
	fs.StringVar(&o.dataDir, "data-dir", get("TAILOR_DATA_DIR", "."), "directory for the SQLite database file [TAILOR_DATA_DIR]")
	fs.BoolVar(&o.secureCookies, "secure-cookies", secure, "mark session cookies Secure even without --tls-cert, behind a TLS proxy [TAILOR_SECURE_COOKIES]")
	fs.StringVar(&o.tlsCert, "tls-cert", get("TAILOR_TLS_CERT", ""), "TLS certificate file; serve HTTPS with --tls-key [TAILOR_TLS_CERT]")
	fs.StringVar(&o.tlsKey, "tls-key", get("TAILOR_TLS_KEY", ""), "TLS private key file [TAILOR_TLS_KEY]")
	fs.StringVar(&o.logFormat, "log-format", get("TAILOR_LOG_FORMAT", "text"), "log format: text or json [TAILOR_LOG_FORMAT]")
	fs.StringVar(&o.logLevel, "log-level", get("TAILOR_LOG_LEVEL", "info"), "log level: debug, info, warn or error [TAILOR_LOG_LEVEL]")
	fs.IntVar(&o.jobWorkers, "job-workers", workers, "background jobs (model fits, optimisations) this server runs at once; 0 runs none here [TAILOR_JOB_WORKERS]")
}

func (env *env) serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	var o serveOptions
	env.serveFlags(fs, &o)
	fs.StringVar(&o.db, "db", env.getenv("TAILOR_DB"), "database: a postgres:// URL or a SQLite file (default tailor.db in --data-dir) [TAILOR_DB]")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if o.db == "" {
		o.db = filepath.Join(o.dataDir, "tailor.db")
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
	v, err := svc.EnsureModel(env.ctx, models.PhoneFile, models.Phone)
	if err != nil {
		return err
	}
	log.Info("database ready", "engine", db.Engine(), "db", redact(o.db), "model", v.Name+" "+v.Version)
	return env.listenAndServe(o, svc, runner, log, func(url string) {
		fmt.Fprintf(env.stdout, "Tailor is serving at %s (Ctrl-C stops it)\n", url)
	})
}

// newApp wires the application layer and the background job runner over
// db. It is the one place where kinds of jobs are registered with the
// runner, which then tells the service which kinds it accepts.
func newApp(db *sqldb.DB, o serveOptions, log *slog.Logger) (*service.Service, *jobs.Runner) {
	runner := jobs.New(db, jobs.Options{Workers: max(o.jobWorkers, 1), Log: log.With("component", "jobs")})
	svc := service.New(db, service.Config{Log: log, Jobs: runner})
	runner.Register(service.FitKind, svc.RunFit)
	runner.Register(service.LineupKind, svc.RunLineup)
	return svc, runner
}

// logger returns the structured logger the options ask for, writing to
// standard error, with the request id added to every line about a request.
func (env *env) logger(o serveOptions) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", o.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(server.ContextHandler{Handler: slog.NewTextHandler(env.stderr, opts)}), nil
	case "json":
		return slog.New(server.ContextHandler{Handler: slog.NewJSONHandler(env.stderr, opts)}), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", o.logFormat)
}

// listenAndServe serves, and runs background jobs unless --job-workers is
// 0, until the context ends, then shuts down gracefully: it stops accepting
// connections and lets requests in flight finish, and stops the running
// jobs, which go back to the queue, for up to 15 seconds. ready is called
// with the server's URL once it listens.
func (env *env) listenAndServe(o serveOptions, svc *service.Service, runner *jobs.Runner, log *slog.Logger, ready func(url string)) error {
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if o.jobWorkers < 0 {
		return fmt.Errorf("--job-workers %d: want 0 or more", o.jobWorkers)
	}
	secure := o.secureCookies || o.tlsCert != ""
	h := server.New(server.Config{
		API:   httpapi.New(svc, httpapi.Options{Log: log, SecureCookies: secure}),
		Web:   web.New(svc, web.Options{Log: log, SecureCookies: secure}),
		Ready: svc,
		Log:   log,
	})
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	scheme := "http"
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
		scheme = "https"
	}
	// The runner stops when the server does, whatever the reason; its
	// context is its own, so that jobs stop only once the server is
	// shutting down.
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(env.ctx))
	jobsDone := make(chan struct{})
	if o.jobWorkers > 0 {
		go func() {
			defer close(jobsDone)
			runner.Run(jobsCtx)
		}()
	} else {
		close(jobsDone)
		log.Info("this server runs no background jobs (--job-workers 0)")
	}
	// endJobs stops the runner and waits for its jobs to go back to the
	// queue, at most wait.
	ended := false
	endJobs := func(wait time.Duration) {
		if ended {
			return
		}
		ended = true
		stopJobs()
		select {
		case <-jobsDone:
		case <-time.After(wait):
			log.Warn("background jobs did not stop in time; they go back to the queue once their heartbeats are stale")
		}
	}
	defer endJobs(15 * time.Second)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	url := scheme + "://" + displayAddr(ln.Addr())
	log.Info("listening", "url", url)
	ready(url)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-env.ctx.Done():
	}
	log.Info("shutting down")
	stopJobs() // at once, so that jobs are given back while requests finish
	deadline := time.Now().Add(15 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	err = srv.Shutdown(ctx)
	endJobs(max(time.Until(deadline), 0))
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	log.Info("stopped")
	return nil
}

// displayAddr makes a listening address clickable: an unspecified host
// becomes localhost.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// redact hides a password in a database URL before it is logged.
func redact(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return dsn
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return dsn
}
