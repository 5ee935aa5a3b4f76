#pragma once
// How n items are cut into pieces. Pure arithmetic, no threading: every backend's static
// policies and every test of coverage use these.
#include <cstddef>

namespace parbench {

// The generic ways of handing a job's items to workers, as the schedule model and the report
// know them. Which runtime mechanism gives a split (a partitioner, an OpenMP schedule, a
// shared counter) is its backend's business.
enum class Split {
  block,     // one contiguous block per worker, fixed before the job
  cyclic,    // worker w takes items w, w + P, ...: the strided split data[w::P]
  dynamic,   // workers pull pieces of `grain` items in order from one shared counter (a queue)
  guided,    // workers pull shrinking pieces, never below `grain`, from one shared counter
  stealing,  // pieces split recursively and taken by idle workers: no fixed order
};

// "block", "cyclic", ...: the enumerator's name, for the report.
const char* to_string(Split split);

struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

// Piece i of n items cut into `parts` contiguous blocks whose sizes differ by at most one
// (the first n % parts blocks are one longer), the assignment OpenMP's schedule(static) makes.
Range block_range(std::size_t n, std::size_t parts, std::size_t i);

// How many of the indices start, start + stride, ... lie below n: the size of data[start::stride].
std::size_t strided_count(std::size_t n, std::size_t start, std::size_t stride);

// Number of pieces of at most `grain` items that cover n items.
inline std::size_t piece_count(std::size_t n, std::size_t grain) {
  return (n + grain - 1) / grain;
}

}  // namespace parbench
