package lineup

// ProcessCPU lends the external tests (package lineup_test, which can
// import lineupgen) the CPU clock of cputime_*_test.go.
var ProcessCPU = processCPU
