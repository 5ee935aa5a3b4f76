// serial: the whole job on the calling thread; the reference every speedup is measured against.
#include "backends/backend.hpp"

namespace parbench {
namespace {

class SerialBackend final : public Backend {
 public:
  unsigned start(const Work& work, unsigned) override {
    work_ = &work;
    return 1;
  }
  std::uint64_t run(const Policy&) override { return work_->run(0, 0, work_->items(), 1); }

 private:
  const Work* work_ = nullptr;
};

}  // namespace

std::unique_ptr<Backend> make_serial_backend(const std::string&) {
  return std::make_unique<SerialBackend>();
}

}  // namespace parbench
