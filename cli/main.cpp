// parbench: the command over the backends compiled in.
#include "cli/run.hpp"

int main(int argc, char** argv) {
  return parbench::run_parbench(argc, argv);
}
