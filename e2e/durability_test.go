package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tailor is the binary under test, built once by TestMain.
var tailor string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tailor-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tailor = filepath.Join(dir, "tailor")
	build := exec.Command("go", "build", "-o", tailor, "github.com/tailor-c2b/tailor/cmd/tailor")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build tailor:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running tailor server.
type process struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

// start runs "tailor ARGS..." and waits until it prints the URL it serves.
func start(t *testing.T, args ...string) *process {
	t.Helper()
	cmd := exec.Command(tailor, args...)
	var logs bytes.Buffer
	cmd.Stderr = &syncWriter{w: &logs}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: &logs}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "http://"); i >= 0 {
				f := strings.Fields(line[i:])
				select {
				case urls <- f[0]:
				default:
				}
			}
		}
	}()
	select {
	case p.url = <-urls:
	case <-time.After(60 * time.Second):
		t.Fatalf("tailor %s did not start; logs:\n%s", strings.Join(args, " "), logs.String())
	}
	return p
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// client is an API client with its own cookie jar.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// do sends a JSON request and decodes a JSON answer into out, returning the status.
func (c *client) do(method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if out != nil && res.StatusCode < 300 && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, fmt.Errorf("decode %s: %w", b, err)
		}
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return res.StatusCode, nil
}

func (c *client) must(method, path string, body, out any) {
	c.t.Helper()
	if _, err := c.do(method, path, body, out); err != nil {
		c.t.Fatal(err)
	}
}

type modelList struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
}

// TestSIGKILLLosesNoAcknowledgedSave streams design saves from several
// clients, kills the server with SIGKILL in the middle, restarts it on the
// same database and checks that every save the server acknowledged is there.
func TestSIGKILLLosesNoAcknowledgedSave(t *testing.T) {
	dbs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "tailor.db")}
	if dsn := os.Getenv("TAILOR_TEST_POSTGRES"); dsn != "" {
		dbs["postgres"] = freshSchema(t, dsn)
	} else {
		t.Log("TAILOR_TEST_POSTGRES is not set: PostgreSQL skipped")
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--log-level", "warn")
			c := newClient(t, p.url)
			c.must("POST", "/api/v1/auth/signup", map[string]string{"email": "kill@example.com", "password": "correct horse battery", "name": "Kim"}, nil)
			var models modelList
			c.must("GET", "/api/v1/models", nil, &models)
			modelID := models.Items[0].ID

			var mu sync.Mutex
			acked := map[string]string{} // design id -> name
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Go(func() {
					for i := 0; ctx.Err() == nil; i++ {
						name := fmt.Sprintf("w%d-%d", w, i)
						var d struct {
							ID string `json:"id"`
						}
						_, err := c.do("POST", "/api/v1/designs", map[string]any{
							"model_id": modelID, "name": name,
							"selection": map[string]string{"size": []string{"compact", "standard", "max"}[i%3], "colour": "black"},
						}, &d)
						if err != nil {
							return // the server is gone
						}
						mu.Lock()
						acked[d.ID] = name
						mu.Unlock()
					}
				})
			}
			time.Sleep(1500 * time.Millisecond)
			if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			p.cmd.Wait()
			cancel()
			wg.Wait()
			if len(acked) < 10 {
				t.Fatalf("only %d saves acknowledged before the kill; the test proves nothing", len(acked))
			}

			p = start(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--log-level", "warn")
			c = newClient(t, p.url)
			c.must("POST", "/api/v1/auth/login", map[string]string{"email": "kill@example.com", "password": "correct horse battery"}, nil)
			found := map[string]bool{}
			cursor := ""
			for {
				var page struct {
					Items []struct {
						ID   string `json:"id"`
						Name string `json:"name"`
					} `json:"items"`
					NextCursor string `json:"next_cursor"`
				}
				c.must("GET", "/api/v1/designs?limit=100&cursor="+cursor, nil, &page)
				for _, d := range page.Items {
					found[d.ID] = true
				}
				if page.NextCursor == "" {
					break
				}
				cursor = page.NextCursor
			}
			lost := 0
			for id, name := range acked {
				if !found[id] {
					lost++
					t.Errorf("acknowledged save %s (%s) is lost", id, name)
				}
			}
			t.Logf("%d saves acknowledged before SIGKILL, %d stored after restart, %d lost", len(acked), len(found), lost)
		})
	}
}

// TestServeShutsDownGracefully sends SIGTERM and expects a clean exit.
func TestServeShutsDownGracefully(t *testing.T) {
	p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "t.db"))
	res, err := http.Get(p.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/readyz = %d", res.StatusCode)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v; logs:\n%s", err, p.logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit 20 s after SIGTERM")
	}
	if !strings.Contains(p.logs.String(), "stopped") {
		t.Errorf("logs lack the shutdown:\n%s", p.logs)
	}
}
