// A backend defined in this file alone, registered at run time: "toy" runs every piece of a job
// on the calling thread, last worker's first. This program is parbench with toy added; the
// tests in tests/CMakeLists.txt run it and read its report with parbench-compare, the Python
// loader and plots/plot. Nothing else in parbench names it: that is what they show.
#include <memory>

#include "backends/backend.hpp"
#include "cli/run.hpp"
#include "kernels/partition.hpp"

namespace {

using namespace parbench;

// Its two splits, as its policies name them.
enum class Cut { blocks, stripes };

class ToyBackend final : public Backend {
 public:
  unsigned start(Work& work, unsigned workers) override {
    work_ = &work;
    workers_ = workers;
    return workers;
  }

 protected:
  Work& work() const override { return *work_; }

  std::uint64_t run_pass(const Policy& policy, Pass pass) override {
    const std::size_t n = work_->items();
    std::uint64_t total = 0;
    for (unsigned w = workers_; w-- > 0;) total += run_piece(policy.how<Cut>(), pass, w, n);
    return total;
  }

 private:
  std::uint64_t run_piece(Cut cut, Pass pass, unsigned w, std::size_t n) {
    switch (cut) {
      case Cut::blocks: {
        const Range r = block_range(n, workers_, w);
        return r.size() == 0 ? 0 : work_->apply(pass, w, r.begin, r.end, 1);
      }
      case Cut::stripes:
        return w < n ? work_->apply(pass, w, w, n, workers_) : 0;
    }
    return 0;
  }

  Work* work_ = nullptr;
  unsigned workers_ = 0;
};

BackendInfo toy_backend_info() {
  const std::vector<PolicyName> policies = {{"blocks", Split::block, false, false, Cut::blocks},
                                            {"stripes", Split::cyclic, false, false, Cut::stripes}};
  BackendInfo toy;
  toy.name = "toy";
  toy.launches = {"reverse"};
  toy.sum_policies = policies;
  toy.task_policies = policies;
  toy.create = [](const std::string&) -> std::unique_ptr<Backend> {
    return std::make_unique<ToyBackend>();
  };
  toy.timed_starts = {"reverse"};
  return toy;
}

}  // namespace

int main(int argc, char** argv) {
  parbench::register_backend(toy_backend_info());
  return parbench::run_parbench(argc, argv);
}
