//go:build unix

package lineup

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used,
// which a machine shared with other work inflates less than the wall
// clock.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
