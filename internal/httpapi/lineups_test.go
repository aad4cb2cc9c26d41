package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/lineup"
)

// TestLineupsAPI submits a lineup on a fit that is still queued, follows
// it to the end, and drafts campaigns of its variants.
func TestLineupsAPI(t *testing.T) {
	t.Parallel()
	e := MustJobsEnv(t, map[string]jobs.Handler{})
	analyst := e.MustUser(t, "Ana Lyst", account.Analyst)
	other := e.MustUser(t, "Otto Analyst", account.Analyst)
	carla := e.MustSignup(t, "Carla")
	s := MustDecode[Survey](t, analyst.Do("POST", "/api/v1/surveys", surveyBody).Want(t, 201))
	analyst.Do("POST", "/api/v1/surveys/"+s.ID+"/open", "").Want(t, 200)
	e.MustAnswers(t, s.ID, 60)
	fit := MustDecode[Job](t, analyst.Do("POST", "/api/v1/surveys/"+s.ID+"/fits", `{"method": "hb", "iterations": 300}`).Want(t, 202))
	path := "/api/v1/fits/" + fit.ID + "/lineups"

	MustProblem(t, carla.Do("POST", path, `{"k": 2}`), 403, "Your role (customer) may not manage surveys.")
	MustProblem(t, analyst.Do("POST", path, `{}`), 400, "Choose 1 to 12 variants, not 0.")
	MustProblem(t, analyst.Do("POST", path, `{"k": 2, "rule": "vote"}`), 400, `unknown simulation rule "vote"`)
	MustProblem(t, analyst.Do("POST", path, `{"k": 2, "seed": -1}`), 400, "seed")
	MustProblem(t, analyst.Do("POST", path, `{"k": 2, "colour": "red"}`), 400, "Unknown field")
	MustProblem(t, analyst.Do("POST", "/api/v1/fits/nope/lineups", `{"k": 2}`), 404, "")
	MustProblem(t, other.Do("POST", path, `{"k": 2}`), 404, "")

	// Submitted while the fit may still be queued: the lineup waits.
	r := analyst.Do("POST", path, `{"k": 2, "rule": "first-choice", "each_of": "os", "ladder": true, "seconds": 3,
		"must": [{"levels": {"size": "max", "colour": "black", "os": "android"}, "price": 89900}]}`).Want(t, 202)
	j := MustDecode[Job](t, r)
	if j.Kind != "lineup" || j.Subject != "fit:"+fit.ID || r.header.Get("Location") != "/api/v1/jobs/"+j.ID {
		t.Errorf("submitted %+v at %q: want a lineup of the fit, located at its job", j, r.header.Get("Location"))
	}
	done := analyst.MustFinish(t, j.ID)
	if done.Status != "done" {
		t.Fatalf("lineup ended %+v", done)
	}
	var out service.LineupOutput
	if err := json.Unmarshal(done.Output, &out); err != nil {
		t.Fatal(err)
	}
	if out.Input.FitID != fit.ID || !slices.Equal(out.Input.Prices, []int64{49900, 69900, 89900}) || out.Report == nil || len(out.Report.Variants) != 2 {
		t.Fatalf("output %+v: want two variants at the survey's prices", out)
	}
	if !slices.ContainsFunc(out.Report.Variants, func(v lineup.VariantReport) bool {
		return v.Price == 89900 && v.Levels["size"] == "max" && v.Levels["colour"] == "black" && v.Levels["os"] == "android"
	}) {
		t.Errorf("the required variant is missing from %+v", out.Report.Variants)
	}
	for _, w := range []string{`"cannibalisation"`, `"incremental"`, `"gap"`, `"candidates"`, `"model_id"`} {
		if !strings.Contains(string(done.Output), w) {
			t.Errorf("output lacks %s", w)
		}
	}
	list := MustDecode[JobList](t, analyst.Do("GET", path, "").Want(t, 200))
	if len(list.Items) != 1 || list.Items[0].ID != j.ID || list.Items[0].Output == nil {
		t.Errorf("the fit's lineups %+v: want the one, with its output", list.Items)
	}
	if l := MustDecode[JobList](t, other.Do("GET", path, "").Want(t, 200)); len(l.Items) != 0 {
		t.Errorf("another analyst sees %d lineups of the fit", len(l.Items))
	}

	// Draft campaigns, once.
	drafts := MustDecode[CampaignDrafts](t, analyst.Do("POST", "/api/v1/lineups/"+j.ID+"/campaigns", "").Want(t, 200))
	if drafts.Created != 2 || len(drafts.Items) != 2 || drafts.Items[0].Status != "draft" || drafts.Items[1].Variant != 1 ||
		drafts.Items[0].Price != out.Report.Variants[0].Price || drafts.Items[0].Configuration["os"] == "" || drafts.Items[0].LineupID != j.ID {
		t.Errorf("drafts %+v: want two, one per variant", drafts)
	}
	again := MustDecode[CampaignDrafts](t, analyst.Do("POST", "/api/v1/lineups/"+j.ID+"/campaigns", "").Want(t, 200))
	if again.Created != 0 || len(again.Items) != 2 || again.Items[0].ID != drafts.Items[0].ID {
		t.Errorf("drafts again %+v: want none made, the same two", again)
	}
	MustProblem(t, other.Do("POST", "/api/v1/lineups/"+j.ID+"/campaigns", ""), 404, "")
	MustProblem(t, analyst.Do("POST", "/api/v1/lineups/"+fit.ID+"/campaigns", ""), 404, "is not a lineup")
	cs := MustDecode[CampaignList](t, other.Do("GET", "/api/v1/campaigns?lineup="+j.ID, "").Want(t, 200))
	if len(cs.Items) != 2 || cs.Items[0].ID != drafts.Items[0].ID {
		t.Errorf("campaigns of the lineup %+v: want the two drafts", cs.Items)
	}
	MustProblem(t, carla.Do("GET", "/api/v1/campaigns", ""), 403, "")
	MustProblem(t, analyst.Do("GET", "/api/v1/campaigns?cursor=junk", ""), 400, "cursor")
}
