#pragma once
// The parbench command as a function, so that a program that registers backends of its own
// (register_backend) first runs the same command over them.

namespace parbench {

// Runs parbench with these arguments (argv[0] is the program) and returns its exit status.
// Call it once per process, after any register_backend: it takes over SIGINT, SIGTERM and
// SIGHUP and initialises Google Benchmark, which keeps argv[0].
int run_parbench(int argc, char** argv);

}  // namespace parbench
