package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-c2b/tailor/choice"
	"github.com/tailor-c2b/tailor/lineup"
	"github.com/tailor-c2b/tailor/market"
	"github.com/tailor-c2b/tailor/survey"
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

// TestSurveyPipeline's sequel: the lineup chosen from the fit, valued
// under the people's true tastes, earns nearly what the lineup chosen
// from the true tastes earns (bench/lineup_decision_test.go measures the
// same with 2,000 respondents and a fresh market).
func TestLineupFromFit(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	mustRun(t, "", "survey", "design", "--attributes", "main,storage,battery,size", "--prices", "499,699,899,1099",
		"--versions", "8", "--tasks", "12", "--concepts", "3", "-o", p("survey.json"))
	mustRun(t, "", "population", "--survey", p("survey.json"), "--people", "500", "--seed", "5",
		"--answers", p("answers.csv"), "--spec", p("answers.spec"), "--truth", p("truth.json"))
	fit := mustRun(t, "", "fit", "--data", p("answers.csv"), "--spec", p("answers.spec"), "--method", "hb",
		"--iterations", "1500", "--json", "--quiet")
	if err := os.WriteFile(p("fit.json"), []byte(fit), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Chosen []int `json:"chosen"`
		Lineup struct {
			Variants []struct {
				Levels      map[string]string `json:"levels"`
				Price, Cost int64
			} `json:"variants"`
			Profit float64 `json:"profit"`
		} `json:"lineup"`
	}
	choose := func(args ...string) result {
		args = append([]string{"lineup", "--k", "3", "--each", "os", "--ladder", "--rule", "logit", "--time", "4s", "--quiet", "--json"}, args...)
		var r result
		if err := json.Unmarshal([]byte(mustRun(t, "", args...)), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Chosen) != 3 || len(r.Lineup.Variants) != 3 {
			t.Fatalf("%v: chose %v", args, r.Chosen)
		}
		systems := map[string]bool{}
		for _, v := range r.Lineup.Variants {
			systems[v.Levels["os"]] = true
			for _, w := range r.Lineup.Variants {
				if v.Cost > w.Cost && v.Price <= w.Price {
					t.Errorf("%v: a dearer phone (%v) sells for no more than %v", args, v, w)
				}
			}
		}
		if len(systems) < 2 {
			t.Errorf("%v: one operating system for all: %v", args, r.Lineup.Variants)
		}
		return r
	}
	fitted := choose("--prefs", p("fit.json"), "--survey", p("survey.json"))
	truth := choose("--market", p("truth.json"), "--prices", "499,699,899,1099")
	// Value both under the truth. The candidates are numbered alike: the
	// same phones at the same prices.
	var s survey.Survey
	var tm market.Market
	if err := json.Unmarshal([]byte(mustReadFile(t, p("survey.json"))), &s); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustReadFile(t, p("truth.json"))), &tm); err != nil {
		t.Fatal(err)
	}
	pr, err := lineup.NewProducts(context.Background(), lineup.Spec{Engine: phoneEngine(t), Market: &tm, Prices: s.Prices, K: 3,
		EachOf: "os", Ladder: true, Choice: market.Options{Rule: market.Logit, None: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := pr.Report(truth.Chosen).Profit; math.Abs(got-truth.Lineup.Profit) > 1e-6*got {
		t.Fatalf("the true lineup's profit is %v here and %v on the command line", got, truth.Lineup.Profit)
	}
	ratio := pr.Problem.Objective(fitted.Chosen) / pr.Problem.Objective(truth.Chosen)
	t.Logf("the lineup from the fit earns %.2f%% of the true lineup's profit", 100*ratio)
	if ratio < 0.9 {
		t.Errorf("the lineup from the fit earns %.2f%% of the true lineup's profit; want at least 90%%", 100*ratio)
	}
}
