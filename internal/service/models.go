package service

import (
	"context"
	"fmt"
	"sync"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/configurator"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/model"
)

// compiled is a model version's engine, compiled once on first use.
type compiled struct {
	once sync.Once
	e    *configurator.Engine
	err  error
}

// Models lists the model versions the caller may see, newest first:
// published ones, and drafts too for admins.
func (s *Service) Models(ctx context.Context) ([]catalog.Version, error) {
	return s.store.Models(ctx, account.FromContext(ctx).Can(account.ManageModels))
}

// Model returns a model version the caller may see; errs.NotFound for an
// unknown version and for a draft unless the caller is an admin.
func (s *Service) Model(ctx context.Context, id string) (catalog.Version, error) {
	// A published version never changes, so the configurator's hot path
	// need not ask the database for it on every request.
	s.mu.Lock()
	v, ok := s.published[id]
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := s.store.GetModel(ctx, id)
	if err != nil {
		return catalog.Version{}, err
	}
	if v.Published() {
		s.mu.Lock()
		s.published[id] = v
		s.mu.Unlock()
	}
	if !v.Published() && !account.FromContext(ctx).Can(account.ManageModels) {
		return catalog.Version{}, errs.Errorf(errs.NotFound, "Model %s not found.", id)
	}
	return v, nil
}

// CurrentModel returns the newest published model version, which the
// configurator opens by default; errs.NotFound when none is published.
func (s *Service) CurrentModel(ctx context.Context) (catalog.Version, error) {
	vs, err := s.store.Models(ctx, false)
	if err != nil {
		return catalog.Version{}, err
	}
	if len(vs) == 0 {
		return catalog.Version{}, errs.Errorf(errs.NotFound, "No product model is published yet.")
	}
	return vs[0], nil
}

// Engine returns the compiled engine of a model version the caller may see,
// compiling it on first use; errors as Model.
func (s *Service) Engine(ctx context.Context, id string) (*configurator.Engine, catalog.Version, error) {
	v, err := s.Model(ctx, id)
	if err != nil {
		return nil, v, err
	}
	e, err := s.engine(v)
	return e, v, err
}

func (s *Service) engine(v catalog.Version) (*configurator.Engine, error) {
	s.mu.Lock()
	c, ok := s.engines[v.ID]
	if !ok {
		c = &compiled{}
		s.engines[v.ID] = c
	}
	s.mu.Unlock()
	c.once.Do(func() {
		up := catalog.Check(modelFile(v), []byte(v.Source))
		if up.Model == nil {
			c.err = fmt.Errorf("model %s: stored source has errors: %w", v.ID, up.Diagnostics.Err())
			return
		}
		c.e, c.err = configurator.Compile(up.Model, configurator.Options{})
		if c.err != nil {
			c.err = fmt.Errorf("compile model %s: %w", v.ID, c.err)
		}
	})
	return c.e, c.err
}

func modelFile(v catalog.Version) string { return v.Name + " " + v.Version }

// UploadModel checks a model source and stores it as a draft version. It
// returns the diagnostics in every case; a source with errors, one the engine
// cannot compile or one with no valid configuration answers errs.Invalid
// and stores nothing. Admins only.
func (s *Service) UploadModel(ctx context.Context, file string, source []byte) (catalog.Version, model.Diagnostics, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.ManageModels); err != nil {
		return catalog.Version{}, nil, err
	}
	return s.uploadModel(ctx, u.ID, file, source)
}

func (s *Service) uploadModel(ctx context.Context, by, file string, source []byte) (catalog.Version, model.Diagnostics, error) {
	if len(source) == 0 {
		return catalog.Version{}, nil, errs.Errorf(errs.Invalid, "The model file is empty.")
	}
	up := catalog.Check(file, source)
	if up.Model == nil {
		n := 0
		for _, d := range up.Diagnostics {
			if d.Severity == model.Error {
				n++
			}
		}
		return catalog.Version{}, up.Diagnostics, errs.Errorf(errs.Invalid, "The model has %d %s; nothing was stored.", n, plural(n, "error", "errors"))
	}
	e, err := configurator.Compile(up.Model, configurator.Options{})
	if err != nil {
		return catalog.Version{}, up.Diagnostics, errs.Errorf(errs.Invalid, "The engine cannot compile this model: %v.", err)
	}
	diags := append(up.Diagnostics, configurator.Lint(e)...)
	diags.Sort()
	if !e.Consistent(e.NewSelection()) {
		return catalog.Version{}, diags, errs.Errorf(errs.Invalid, "The model has no valid configuration; nothing was stored.")
	}
	v, err := s.store.CreateModel(ctx, catalog.Version{
		Name: up.Model.Name, Version: up.Model.Version, Source: string(source), CreatedBy: by,
	})
	if err != nil {
		return catalog.Version{}, diags, err
	}
	s.mu.Lock()
	c := &compiled{e: e}
	c.once.Do(func() {})
	s.engines[v.ID] = c
	s.mu.Unlock()
	return v, diags, nil
}

// PublishModel publishes a draft model version, so that customers see it.
// Admins only.
func (s *Service) PublishModel(ctx context.Context, id string) (catalog.Version, error) {
	if err := account.FromContext(ctx).Require(account.ManageModels); err != nil {
		return catalog.Version{}, err
	}
	return s.store.PublishModel(ctx, id, s.now())
}

// EnsureModel makes sure a model source is stored and published, and
// returns its version: at start-up, the server publishes its built-in model
// when the database has no published model. It needs no caller.
func (s *Service) EnsureModel(ctx context.Context, file string, source []byte) (catalog.Version, error) {
	vs, err := s.store.Models(ctx, true)
	if err != nil {
		return catalog.Version{}, err
	}
	up := catalog.Check(file, source)
	if up.Model == nil {
		return catalog.Version{}, fmt.Errorf("built-in model %s: %w", file, up.Diagnostics.Err())
	}
	for _, v := range vs {
		if v.Name == up.Model.Name && v.Version == up.Model.Version {
			if v.Published() {
				return v, nil
			}
			return s.store.PublishModel(ctx, v.ID, s.now())
		}
	}
	v, _, err := s.uploadModel(ctx, "", file, source)
	if err != nil {
		return catalog.Version{}, fmt.Errorf("built-in model %s: %w", file, err)
	}
	return s.store.PublishModel(ctx, v.ID, s.now())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
