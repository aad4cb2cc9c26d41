package bench

import (
	"bufio"
	"net/http"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkDemoStartup measures `tailor demo` from process start until it
// serves a ready server with its 3,000 simulated customers and their
// designs: the time a newcomer waits. Target: under 10 s. It reports the
// median of the runs (at least 3).
func BenchmarkDemoStartup(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "tailor")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/tailor-c2b/tailor/cmd/tailor").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	var times []time.Duration
	b.ResetTimer()
	for range max(b.N, 3) {
		times = append(times, demoStartup(b, bin))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(times[len(times)/2].Seconds(), "s-to-ready")
}

func demoStartup(b *testing.B, bin string) time.Duration {
	start := time.Now()
	cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--log-level", "warn")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "http://")
		if i < 0 {
			continue
		}
		url := strings.Fields(line[i:])[0]
		res, err := http.Get(url + "/readyz")
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("/readyz = %d", res.StatusCode)
		}
		return time.Since(start)
	}
	b.Fatal("tailor demo exited without serving")
	return 0
}
