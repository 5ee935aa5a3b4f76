#include <gtest/gtest.h>

#include <algorithm>

#include "backends/backend.hpp"
#include "kernels/sum.hpp"
#include "platform/machine.hpp"
#include "platform/placement.hpp"

namespace parbench {
namespace {

TEST(Placement, EveryOrderUsesEachUsableCpuOnce) {
  for (Pin pin : {Pin::compact, Pin::spread}) {
    std::vector<int> order = placement_order(pin);
    std::vector<int> cpus = affinity_cpus();
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, cpus) << to_string(pin);
  }
  EXPECT_EQ(cpu_for_worker(Pin::none, 3), -1);
  const auto order = placement_order(Pin::compact);
  EXPECT_EQ(cpu_for_worker(Pin::compact, static_cast<unsigned>(order.size())), order[0]);
  EXPECT_THROW(parse_pin("everywhere"), std::invalid_argument);
}

// A pinned backend's workers run where they were told, and the caller gets its CPUs back.
TEST(Placement, PinnedWorkersRunWhereAsked) {
  const SumData data(1 << 16, Mapping::private_pages);
  const SumWork work(data);
  const auto before = thread_affinity_cpus();
  for (const auto& info : backends()) {
#if defined(__SANITIZE_THREAD__)
    if (info.name == "fork") continue;
#endif
    if (info.name == "serial") continue;
    for (const auto& launch : info.launches) {
      {
        auto backend = info.make(launch);
        backend->set_pin(Pin::compact);
        const unsigned workers = backend->start(work, 2);
        const Policy block = parse_policy(info, KernelKind::sum, info.sum_policies.front().name, 1);
        EXPECT_EQ(backend->run(block), data.expected());
        const auto seen = work.cpus_seen(workers);
        for (unsigned w = 0; w < workers; ++w)
          if (seen[w] >= 0) {  // TBB may leave a worker without a piece
            EXPECT_EQ(seen[w], cpu_for_worker(Pin::compact, w)) << info.name << "/" << launch;
          }
      }
      EXPECT_EQ(thread_affinity_cpus(), before) << info.name << "/" << launch;
    }
  }
}

}  // namespace
}  // namespace parbench
