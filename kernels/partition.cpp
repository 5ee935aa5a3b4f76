#include "kernels/partition.hpp"

namespace parbench {

const char* to_string(Split split) {
  switch (split) {
    case Split::block:
      return "block";
    case Split::cyclic:
      return "cyclic";
    case Split::dynamic:
      return "dynamic";
    case Split::guided:
      return "guided";
    case Split::stealing:
      return "stealing";
  }
  return "unknown";
}

Range block_range(std::size_t n, std::size_t parts, std::size_t i) {
  const std::size_t base = n / parts;
  const std::size_t extra = n % parts;
  const std::size_t begin = i * base + (i < extra ? i : extra);
  return {begin, begin + base + (i < extra ? 1 : 0)};
}

std::size_t strided_count(std::size_t n, std::size_t start, std::size_t stride) {
  return start >= n ? 0 : (n - start + stride - 1) / stride;
}

}  // namespace parbench
