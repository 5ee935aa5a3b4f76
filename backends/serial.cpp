// serial: the whole job on the calling thread; the reference every speedup is measured against.
#include "backends/backend.hpp"

namespace parbench {
namespace {

class SerialBackend final : public Backend {
 public:
  unsigned start(Work& work, unsigned) override {
    work_ = &work;
    return 1;
  }

 protected:
  std::uint64_t run_pass(const Policy&, Pass pass) override {
    return work_->apply(pass, 0, 0, work_->items(), 1);
  }
  Work& work() const override { return *work_; }

 private:
  Work* work_ = nullptr;
};

}  // namespace

BackendInfo serial_backend_info() {
  return {.name = "serial",
          .launches = {"inline"},
          .sum_policies = {{"block", Split::block, false}},
          .task_policies = {{"block", Split::block, false}},
          .create = [](const std::string&) -> std::unique_ptr<Backend> {
            return std::make_unique<SerialBackend>();
          },
          .reference = true,
          .reports_children_cpu = false,
          .timed_starts = {},
          .workers_per_job = {},
          .launch_probes = nullptr,
          .runtime = nullptr,
          .dispatch_floor = std::nullopt,
          .sum_params = nullptr};
}

}  // namespace parbench
