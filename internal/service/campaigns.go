package service

import (
	"context"
	"fmt"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/campaign"
	"github.com/tailor-c2b/tailor/errs"
)

// Pre-sale campaigns start as drafts made from a chosen lineup, one per
// variant; the pre-sale store opens them to customers. Until it has a
// permission of its own, the people who choose lineups (analysts and
// admins: account.ManageSurveys) draft and see campaigns.

// CreateCampaignDrafts makes a draft campaign of every variant of a done
// lineup, by the signed-in user, and returns the lineup's campaigns in
// variant order with how many were made now: asking again makes none (a
// variant has at most one campaign) and returns the drafts made first. A
// draft is the variant's phone (every attribute's level, as the lineup
// configured it), its price and cost, in the survey's currency.
// errs.Unauthorized, errs.Forbidden unless the caller manages surveys;
// errors as Lineup; errs.Conflict while the lineup is not done.
func (s *Service) CreateCampaignDrafts(ctx context.Context, lineupID string) ([]campaign.Campaign, int, error) {
	u := account.FromContext(ctx)
	if err := u.Require(account.ManageSurveys); err != nil {
		return nil, 0, err
	}
	l, err := s.Lineup(ctx, lineupID)
	if err != nil {
		return nil, 0, err
	}
	out := l.Output
	if out == nil || out.Report == nil {
		return nil, 0, errs.Errorf(errs.Conflict, "The lineup is %s; draft campaigns once it is done.", l.Job.Status)
	}
	e, _, err := s.Engine(ctx, out.ModelID)
	if err != nil {
		return nil, 0, err
	}
	mdl := e.Model()
	cs := make([]campaign.Campaign, len(out.Report.Variants))
	for v, vr := range out.Report.Variants {
		if len(vr.Config) != len(mdl.Attributes) {
			return nil, 0, fmt.Errorf("lineup %s, variant %d: %d levels for the %d attributes of model %s", lineupID, v, len(vr.Config), len(mdl.Attributes), out.ModelID)
		}
		config := make(map[string]string, len(vr.Config))
		for a, l := range vr.Config {
			at := &mdl.Attributes[a]
			if l < 0 || l >= len(at.Levels) {
				return nil, 0, fmt.Errorf("lineup %s, variant %d: level %d of %s out of range", lineupID, v, l, at.Name)
			}
			config[at.Name] = at.Levels[l].Name
		}
		cs[v] = campaign.Campaign{Name: campaign.ShortName(vr.Name), ModelID: out.ModelID, Config: config,
			Price: vr.Price, Cost: vr.Cost, Currency: out.Currency, Status: campaign.Draft,
			LineupID: lineupID, Variant: v, CreatedBy: u.ID, CreatedAt: s.now()}
	}
	made, n, err := s.store.CreateLineupCampaigns(ctx, lineupID, cs)
	if err != nil {
		return nil, 0, err
	}
	if n > 0 {
		s.log.InfoContext(ctx, "campaign drafts made", "lineup", lineupID, "drafts", n, "user", u.ID)
	}
	return made, n, nil
}

// Campaigns lists the campaigns f selects, newest first and a lineup's in
// variant order, a page at a time, and the cursor of the next page.
// errs.Unauthorized, errs.Forbidden unless the caller manages surveys;
// errs.Invalid for a malformed cursor.
func (s *Service) Campaigns(ctx context.Context, f campaign.Filter, p campaign.Page) ([]campaign.Campaign, string, error) {
	if err := account.FromContext(ctx).Require(account.ManageSurveys); err != nil {
		return nil, "", err
	}
	return s.store.Campaigns(ctx, f, p)
}
