// parbench-compare: see tools/compare/README.md.
#include <unistd.h>

#include <exception>
#include <iostream>

#include "tools/compare/cli.hpp"

int main(int argc, char** argv) {
  try {
    const int status =
        parbench::compare::run(argc, argv, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1);
    std::cout.flush();
    return status;
  } catch (const std::exception& e) {
    // Not expected: every bad input has its own message. Still one line and status 2.
    std::cerr << "parbench-compare: internal error: " << e.what() << "\n";
    return parbench::compare::kBadInput;
  }
}
