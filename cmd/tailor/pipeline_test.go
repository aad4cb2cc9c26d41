package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/market"
)

// TestSurveyPipeline runs the research workflow on the command line:
// design a survey, have simulated people with known tastes answer it, fit
// hierarchical Bayes to the answers, and simulate a market. The fitted
// model's shares must be close to the shares the people's true tastes
// give, which is what the maker decides on.
func TestSurveyPipeline(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	mustRun(t, "", "survey", "design", "--attributes", "main,storage,battery,size", "--prices", "499,699,899,1099",
		"--versions", "8", "--tasks", "12", "--concepts", "3", "-o", p("survey.json"))
	mustRun(t, "", "population", "--survey", p("survey.json"), "--people", "500", "--seed", "4",
		"--answers", p("answers.csv"), "--spec", p("answers.spec"), "--holdout-spec", p("holdout.spec"), "--truth", p("truth.json"))
	fit := mustRun(t, "", "fit", "--data", p("answers.csv"), "--spec", p("answers.spec"), "--method", "hb",
		"--iterations", "1500", "--holdout", p("holdout.spec"), "--json", "--quiet")
	if err := os.WriteFile(p("fit.json"), []byte(fit), 0o644); err != nil {
		t.Fatal(err)
	}
	const phones = "name,price,main,storage,battery,size,own\n" +
		"Pro,999,m1in,512gb,5500mah,max,1\n" +
		"Core,649,m50l,256gb,5000mah,standard,1\n" +
		"Rival,899,m50l,512gb,5000mah,max,0\n"
	if err := os.WriteFile(p("phones.csv"), []byte(phones), 0o644); err != nil {
		t.Fatal(err)
	}
	var fitted choice.Summary
	if err := json.Unmarshal([]byte(fit), &fitted); err != nil {
		t.Fatal(err)
	}
	// Four options per holdout task: chance is 25%.
	if fitted.HitRate == nil || *fitted.HitRate < 0.5 {
		t.Errorf("holdout hit rate %v, want well above chance", fitted.HitRate)
	} else {
		t.Logf("holdout hit rate %.3f", *fitted.HitRate)
	}
	var got struct{ Shares market.Outcome }
	out := mustRun(t, "", "simulate", "--survey", p("survey.json"), "--fit", p("fit.json"), "--products", p("phones.csv"), "--json")
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}

	// A second scenario: the rival cuts its price.
	if err := os.WriteFile(p("cut.csv"), []byte(strings.Replace(phones, "Rival,899", "Rival,699", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	table := mustRun(t, "", "simulate", "--survey", p("survey.json"), "--fit", p("fit.json"), "--products", p("phones.csv"),
		"--compare", p("cut.csv"), "--price-curve", "Pro:699:1299:4")
	for _, want := range []string{"Shares of preference", "Rival", "Price curve for Pro", "1,299.00"} {
		if !strings.Contains(table, want) {
			t.Errorf("simulate output lacks %q:\n%s", want, table)
		}
	}

	// The same phones in the true market.
	var truth market.Market
	if err := json.Unmarshal([]byte(mustReadFile(t, p("truth.json"))), &truth); err != nil {
		t.Fatal(err)
	}
	var products []market.Product
	for _, ph := range []struct {
		name   string
		levels map[string]string
		price  int64
	}{
		{"Pro", map[string]string{"main": "m1in", "storage": "512gb", "battery": "5500mah", "size": "max"}, 99900},
		{"Core", map[string]string{"main": "m50l", "storage": "256gb", "battery": "5000mah", "size": "standard"}, 64900},
		{"Rival", map[string]string{"main": "m50l", "storage": "512gb", "battery": "5000mah", "size": "max"}, 89900},
	} {
		pr, err := market.ProductByName(&truth, ph.name, ph.levels, ph.price)
		if err != nil {
			t.Fatal(err)
		}
		products = append(products, pr)
	}
	want, err := market.Shares(&truth, products, market.Options{None: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range want.Products {
		if math.Abs(got.Shares.Shares[i]-want.Shares[i]) > 0.04 {
			t.Errorf("%s: fitted share %.3f, true share %.3f", name, got.Shares.Shares[i], want.Shares[i])
		} else {
			t.Logf("%s: fitted share %.3f, true share %.3f", name, got.Shares.Shares[i], want.Shares[i])
		}
	}
}
