// Package server wires Tailor's HTTP handlers into one: the JSON API, the web
// pages, health and readiness probes and Prometheus metrics, behind the
// middleware every request passes through (panic recovery, request ids,
// structured access logs, metrics and cross-origin protection).
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Readiness is what /readyz asks: nil when the server can serve.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Config is what New wires together.
type Config struct {
	API   http.Handler // serves /api/ and /openapi.json
	Web   http.Handler // serves every other path
	Ready Readiness
	Log   *slog.Logger // access and error logs; discarded when nil
	// Registry receives the server's metrics and is served at /metrics; a
	// new registry with the Go and process collectors when nil.
	Registry *prometheus.Registry
}

// New returns the server's root handler.
func New(cfg Config) http.Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m := newMetrics(cfg.Registry)

	mux := http.NewServeMux()
	mux.Handle("/api/", cfg.API)
	mux.Handle("/openapi.json", cfg.API)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := cfg.Ready.Ready(ctx); err != nil {
			cfg.Log.WarnContext(r.Context(), "not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: the database does not answer\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry}))
	mux.Handle("/", cfg.Web)

	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h)
	h = m.middleware(mux, h)
	h = logRequests(cfg.Log, h)
	h = recoverPanics(cfg.Log, h)
	h = requestID(h)
	return h
}
