#include "platform/mapping.hpp"

#include <sys/mman.h>

namespace parbench {

const char* to_string(Mapping m) {
  switch (m) {
    case Mapping::private_pages:
      return "private";
    case Mapping::private_hugepages:
      return "private_hugepages";
    case Mapping::shared:
      return "shared";
  }
  return "?";
}

MappedRegion::MappedRegion(std::size_t bytes, Mapping mapping) : bytes_(bytes) {
  if (bytes == 0) return;
  const int visibility = mapping == Mapping::shared ? MAP_SHARED : MAP_PRIVATE;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, visibility | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Transparent huge pages cut the page tables that fork() must copy by 512x; asking either
  // way makes the mapping's cost independent of the system's default THP mode.
  if (mapping == Mapping::private_hugepages) madvise(p, bytes, MADV_HUGEPAGE);
  if (mapping == Mapping::private_pages) madvise(p, bytes, MADV_NOHUGEPAGE);
  data_ = p;
}

void MappedRegion::keep_out_of_children() {
  if (data_ != nullptr) madvise(data_, bytes_, MADV_DONTFORK);
}

MappedRegion::~MappedRegion() {
  if (data_ != nullptr) munmap(data_, bytes_);
}

}  // namespace parbench
