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
	fs.StringVar(&o.addr, "addr", get("TAILOR_ADDR", "127.0.0.1:8080"), "address to listen on (host:port; port 0 picks a free one) [TAILOR_ADDR]")
	fs.StringVar(&o.dataDir, "data-dir", get("TAILOR_DATA_DIR", "."), "directory for the SQLite database file [TAILOR_DATA_DIR]")
	fs.BoolVar(&o.secureCookies, "secure-cookies", secure, "mark session cookies Secure even without --tls-cert, behind a TLS proxy [TAILOR_SECURE_COOKIES]")
	fs.StringVar(&o.tlsCert, "tls-cert", get("TAILOR_TLS_CERT", ""), "TLS certificate file; serve HTTPS with --tls-key [TAILOR_TLS_CERT]")
	fs.StringVar(&o.tlsKey, "tls-key", get("TAILOR_TLS_KEY", ""), "TLS private key file [TAILOR_TLS_KEY]")
	fs.StringVar(&o.logFormat, "log-format", get("TAILOR_LOG_FORMAT", "text"), "log format: text or json [TAILOR_LOG_FORMAT]")
	fs.StringVar(&o.logLevel, "log-level", get("TAILOR_LOG_LEVEL", "info"), "log level: debug, info, warn or error [TAILOR_LOG_LEVEL]")
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
	svc := service.New(db, service.Config{Log: log})
	v, err := svc.EnsureModel(env.ctx, models.PhoneFile, models.Phone)
	if err != nil {
		return err
	}
	log.Info("database ready", "engine", db.Engine(), "db", redact(o.db), "model", v.Name+" "+v.Version)
	return env.listenAndServe(o, svc, log, func(url string) {
		fmt.Fprintf(env.stdout, "Tailor is serving at %s (Ctrl-C stops it)\n", url)
	})
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

// listenAndServe serves until the context ends, then shuts down gracefully:
// it stops accepting connections and lets requests in flight finish for up
// to 15 seconds. ready is called with the server's URL once it listens.
func (env *env) listenAndServe(o serveOptions, svc *service.Service, log *slog.Logger, ready func(url string)) error {
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
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
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
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
