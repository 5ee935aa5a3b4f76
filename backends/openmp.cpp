// openmp: the compiler's OpenMP runtime and its own thread team. The team size is given on
// each parallel region (num_threads) with dynamic adjustment off, so the runtime must give
// exactly what was asked; start() checks what it really gave.
#include <omp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "backends/backend.hpp"
#include "backends/team.hpp"
#include "kernels/partition.hpp"

namespace parbench {
namespace {

class OpenMPBackend final : public Backend {
 public:
  unsigned start(const Work& work, unsigned workers) override {
    work_ = &work;
    workers_ = workers;
    check_threads_can_be_created(workers - 1);
    omp_set_dynamic(0);
    // The first region creates the team's threads: keep that out of every timed job.
    // Placement is done as for every backend, by pinning each team thread; the master comes
    // back to its own placement when the backend ends.
    if (pin_ != Pin::none) master_affinity_ = std::make_unique<SavedAffinity>();
    unsigned obtained = 0;
#pragma omp parallel num_threads(workers_)
    {
      pin_calling_thread(cpu_for_worker(pin_, static_cast<unsigned>(omp_get_thread_num())));
#pragma omp single
      obtained = static_cast<unsigned>(omp_get_num_threads());
    }
    slots_ = std::vector<WorkerSlot>(obtained);
    return obtained;
  }

  std::uint64_t run(const Policy& policy) override {
    const std::size_t n = work_->items();
    const std::size_t grain = policy.grain;
    const std::size_t pieces = piece_count(n, grain);
    auto run_piece = [&](std::size_t piece) {
      const unsigned w = static_cast<unsigned>(omp_get_thread_num());
      const std::size_t begin = piece * grain;
      slots_[w].partial += work_->run(w, begin, std::min(n, begin + grain), 1);
    };
#pragma omp parallel num_threads(workers_)
    {
      const unsigned w = static_cast<unsigned>(omp_get_thread_num());
      const unsigned p = static_cast<unsigned>(omp_get_num_threads());
      slots_[w].partial = 0;
#pragma omp barrier
      switch (policy.split) {
        case Split::block: {  // the assignment schedule(static) makes
          const Range r = block_range(n, p, w);
          if (r.size() > 0) slots_[w].partial = work_->run(w, r.begin, r.end, 1);
          break;
        }
        case Split::cyclic:  // schedule(static, 1): item i goes to thread i % p
          if (w < n) slots_[w].partial = work_->run(w, w, n, p);
          break;
        case Split::dynamic:
#pragma omp for schedule(dynamic, 1) nowait
          for (std::size_t piece = 0; piece < pieces; ++piece) run_piece(piece);
          break;
        case Split::guided:
#pragma omp for schedule(guided, 1) nowait
          for (std::size_t piece = 0; piece < pieces; ++piece) run_piece(piece);
          break;
        case Split::omp_tasks:
#pragma omp single nowait
          for (std::size_t piece = 0; piece < pieces; ++piece) {
#pragma omp task firstprivate(piece)
            run_piece(piece);
          }
          break;
        default:
          break;
      }
    }
    std::uint64_t total = 0;
    for (const auto& s : slots_) total += s.partial;
    return total;
  }

 private:
  const Work* work_ = nullptr;
  unsigned workers_ = 0;
  std::vector<WorkerSlot> slots_;
  std::unique_ptr<SavedAffinity> master_affinity_;
};

}  // namespace

std::unique_ptr<Backend> make_openmp_backend(const std::string&) {
  return std::make_unique<OpenMPBackend>();
}

}  // namespace parbench
