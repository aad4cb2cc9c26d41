package xcsp

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// toulbar2Args are the options with which Toulbar2Count runs toulbar2 after
// the file name: count all solutions (-a) of cost below 1 (-ub=1) by
// backtracking with tree decomposition (-B=1) on a min-fill decomposition
// (-O=-3), without hybrid best-first search or preprocessing, which do not
// apply to counting.
var toulbar2Args = []string{"-ub=1", "-a", "-O=-3", "-B=1", "-hbfs:", "-nopre"}

// ErrLowerBound is returned, wrapped and together with the count, when
// toulbar2 stopped before it had seen every solution and printed a lower
// bound (">=").
var ErrLowerBound = errors.New("toulbar2 printed a lower bound on the number of solutions")

// ErrApproximate is returned, wrapped and together with the count, when the
// count printed by toulbar2 may not be exact: it printed an approximation
// ("~="), or a number above 2^53. This build of toulbar2 counts in floating
// point, so larger counts come out rounded (3^34 solutions print as
// 16677181699666568).
var ErrApproximate = errors.New("toulbar2 printed an approximate number of solutions")

// exactLimit is the largest count that toulbar2's floating-point counter
// holds exactly.
var exactLimit = new(big.Int).Lsh(big.NewInt(1), 53)

var (
	solutionsRe  = regexp.MustCompile(`Number of solutions\s*:\s*(=|>=|~=)\s*([0-9][0-9.eE+]*)`)
	noSolutionRe = regexp.MustCompile(`(?m)^No solution`)
)

// Toulbar2Count runs "toulbar2 file -ub=1 -a -O=-3 -B=1 -hbfs: -nopre" (in
// a temporary working directory) and returns the number of solutions it
// prints. With ErrLowerBound or
// ErrApproximate (test with errors.Is) the count is returned too, and is a
// bound or an approximation; with any other error it is nil.
func Toulbar2Count(ctx context.Context, file string) (*big.Int, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("toulbar2 %s: %w", file, err)
	}
	// toulbar2 leaves a file "sol" in its working directory: give it one of
	// its own.
	dir, err := os.MkdirTemp("", "toulbar2-")
	if err != nil {
		return nil, fmt.Errorf("toulbar2 %s: %w", file, err)
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, "toulbar2", append([]string{abs}, toulbar2Args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("toulbar2 %s: %w", file, ctx.Err())
	}
	n, perr := ParseToulbar2Count(string(out))
	if err != nil {
		return nil, fmt.Errorf("toulbar2 %s: %w: %s", file, err, tail(string(out)))
	}
	if n == nil {
		return nil, fmt.Errorf("toulbar2 %s: %w", file, perr)
	}
	return n, perr
}

// ParseToulbar2Count reads the number of solutions from the output of
// toulbar2 run with -a: the line "Number of solutions    : =  N" (or ">="
// or "~=", which give ErrLowerBound or ErrApproximate along with the
// count), or "No solution ..." when propagation alone proved that there is
// none. It returns a nil count and an error if the output says neither.
func ParseToulbar2Count(out string) (*big.Int, error) {
	m := solutionsRe.FindStringSubmatch(out)
	if m == nil {
		if noSolutionRe.MatchString(out) {
			return new(big.Int), nil
		}
		return nil, fmt.Errorf("no number of solutions in the output of toulbar2: %s", tail(out))
	}
	n, ok := new(big.Int).SetString(m[2], 10)
	exactDigits := ok
	if !ok {
		// A count printed in floating point, such as 1.5e+21.
		f, _, err := big.ParseFloat(m[2], 10, 256, big.ToNearestEven)
		if err != nil || f.Sign() < 0 {
			return nil, fmt.Errorf("cannot read the number of solutions %q printed by toulbar2", m[2])
		}
		n, _ = f.Int(nil)
	}
	switch {
	case m[1] == ">=":
		return n, fmt.Errorf("%w: %s", ErrLowerBound, m[2])
	case m[1] == "~=" || !exactDigits || n.Cmp(exactLimit) > 0:
		return n, fmt.Errorf("%w: %s", ErrApproximate, m[2])
	}
	return n, nil
}

// tail returns the last lines of a program's output, for error messages.
func tail(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " / ")
}
