package service

import (
	"context"
	"fmt"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/design"
)

// ImportUsers stores many accounts at once, all unable to sign in with a
// password (for simulated customers), and returns them with their ids. It is
// a trusted operation for the demo and batch jobs: it checks no caller.
func (s *Service) ImportUsers(ctx context.Context, us []account.User) ([]account.User, error) {
	for i := range us {
		if err := account.ValidateEmail(us[i].Email); err != nil {
			return nil, fmt.Errorf("user %d: %w", i, err)
		}
		if _, err := account.ParseRole(string(us[i].Role)); err != nil {
			return nil, fmt.Errorf("user %d: %w", i, err)
		}
	}
	return s.store.CreateUsers(ctx, us, "")
}

// ImportDesigns checks and stores many designs at once, keeping their owners
// and creation times: a trusted operation for the demo and batch jobs. Each
// design is checked against its model version as SaveDesign checks it, and
// its completeness and price are computed; the first invalid design stops
// the import before anything is stored.
func (s *Service) ImportDesigns(ctx context.Context, ds []design.Design) error {
	out := make([]design.Design, len(ds))
	for i, d := range ds {
		c, err := s.checkDesign(ctx, DesignInput{ModelID: d.ModelID, Name: d.Name, Selection: d.Selection, Visibility: d.Visibility})
		if err != nil {
			return fmt.Errorf("design %d (%s): %w", i, d.Name, err)
		}
		c.OwnerID, c.CreatedAt, c.UpdatedAt = d.OwnerID, d.CreatedAt, d.UpdatedAt
		out[i] = c
	}
	return s.store.CreateDesigns(ctx, out)
}

// ImportVotes records many votes at once: a trusted operation for the demo.
func (s *Service) ImportVotes(ctx context.Context, votes []design.Vote) error {
	return s.store.AddVotes(ctx, votes)
}
