package httpapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	e := MustSharedEnv(t)
	body := e.Anon(t).Do("GET", "/openapi.json", "").Want(t, 200).body
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	var got, want []string
	for p, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "parameters", "summary", "description", "servers":
				continue
			}
			got = append(got, strings.ToUpper(m)+" "+p)
		}
	}
	for _, rt := range routes {
		want = append(want, rt.method+" "+rt.path)
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("openapi.json paths vs routes (-want +got):\n%s", diff)
	}

	golden := filepath.Join("testdata", "openapi.golden.json")
	if *update {
		if err := os.WriteFile(golden, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantDoc, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(wantDoc, body) {
		t.Errorf("the served document differs from %s (-want +got):\n%s\nrun go test -update and review the diff", golden, cmp.Diff(string(wantDoc), string(body)))
	}
}

// TestOpenAPIComplete checks what the document promises: every reference
// resolves, every operation has a unique id, a success answer and its
// problems, and every route's path parameters are declared.
func TestOpenAPIComplete(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(mustDocument(routes), &doc); err != nil {
		t.Fatal(err)
	}
	components := doc["components"].(map[string]any)
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				refs = append(refs, r)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if len(refs) == 0 {
		t.Fatal("no references")
	}
	for _, r := range refs {
		kind, name, ok := strings.Cut(strings.TrimPrefix(r, "#/components/"), "/")
		m, _ := components[kind].(map[string]any)
		if _, found := m[name]; !ok || !found {
			t.Errorf("reference %s does not resolve", r)
		}
	}

	ids := map[string]bool{}
	for _, rt := range routes {
		op := doc["paths"].(map[string]any)[rt.path].(map[string]any)[strings.ToLower(rt.method)].(map[string]any)
		if ids[rt.id] {
			t.Errorf("operationId %s twice", rt.id)
		}
		ids[rt.id] = true
		responses := op["responses"].(map[string]any)
		for _, code := range append([]string{strconv.Itoa(rt.status), "500"}, problemCodes(rt)...) {
			if _, ok := responses[code]; !ok {
				t.Errorf("%s %s: no %s response", rt.method, rt.path, code)
			}
		}
		params, _ := op["parameters"].([]any)
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			if !slices.ContainsFunc(params, func(p any) bool { return p.(map[string]any)["name"] == m[1] }) {
				t.Errorf("%s %s: path parameter %s undeclared", rt.method, rt.path, m[1])
			}
		}
	}
}

// problemCodes lists statuses the route's description implies.
func problemCodes(rt route) []string {
	var out []string
	if rt.body != nil {
		out = append(out, "400", "413")
	}
	if !rt.signIn {
		out = append(out, "401")
	}
	if rt.access != anyone && rt.access != signedIn {
		out = append(out, "403")
	}
	return out
}
