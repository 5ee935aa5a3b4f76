#pragma once
// Anonymous memory mappings. Shared ones survive fork() as the same pages in parent and
// children, which is how a forked worker hands results back; private ones are what malloc
// gives a large array, copy-on-write after fork().
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace parbench {

enum class Mapping { private_pages, private_hugepages, shared };

const char* to_string(Mapping m);

// Owns one anonymous mapping; throws std::bad_alloc when the kernel refuses it.
class MappedRegion {
 public:
  MappedRegion() = default;
  MappedRegion(std::size_t bytes, Mapping mapping);
  MappedRegion(MappedRegion&& other) noexcept { swap(other); }
  MappedRegion& operator=(MappedRegion&& other) noexcept {
    MappedRegion(std::move(other)).swap(*this);
    return *this;
  }
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;
  ~MappedRegion();

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  // Children forked later do not get this mapping (MADV_DONTFORK): memory the parent keeps
  // for itself then adds nothing to what a fork() costs.
  void keep_out_of_children();
  void swap(MappedRegion& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(bytes_, other.bytes_);
  }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// A fixed-size array of T in MAP_SHARED memory, value-initialised. T must be trivially
// destructible: the pages are simply unmapped.
template <typename T>
class SharedArray {
  static_assert(std::is_trivially_destructible_v<T>);

 public:
  SharedArray() = default;
  explicit SharedArray(std::size_t count)
      : region_(count == 0 ? 0 : count * sizeof(T), Mapping::shared), count_(count) {
    for (std::size_t i = 0; i < count; ++i) new (data() + i) T();
  }
  T* data() const { return static_cast<T*>(region_.data()); }
  std::size_t size() const { return count_; }
  T& operator[](std::size_t i) const { return data()[i]; }
  T* begin() const { return data(); }
  T* end() const { return data() + count_; }

 private:
  MappedRegion region_;
  std::size_t count_ = 0;
};

}  // namespace parbench
