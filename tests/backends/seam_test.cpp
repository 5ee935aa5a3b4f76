// The seam between harness, kernels and backends: policies belong to their backend, kernel
// specs make the same work anywhere, backends can be registered at run time, and the prepare
// pass places each piece's pages where the worker that reads it runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "backends/backend.hpp"
#include "kernels/partition.hpp"
#include "kernels/spec.hpp"
#include "kernels/sum.hpp"
#include "kernels/tasks.hpp"
#include "platform/placement.hpp"
#include "platform/topology.hpp"
#include "tests/coverage_work.hpp"

namespace parbench {
namespace {

const BackendInfo& first_non_reference() {
  for (const auto& b : backends())
    if (!b.reference) return b;
  throw std::logic_error("no backend besides the reference");
}

TEST(Seam, ABackendRefusesAnotherBackendsPolicy) {
  const BackendInfo& reference = *find_backend(backends().front().name);
  const BackendInfo& other = first_non_reference();
  testing::CoverageWork work(10);
  auto backend = make_backend(other, other.launches.front());
  backend->start(work, 1);
  const Policy foreign =
      parse_policy(reference, KernelKind::sum, reference.sum_policies[0].name, 1);
  EXPECT_THROW(backend->run(foreign), std::invalid_argument);
  const Policy own = parse_policy(other, KernelKind::sum, other.sum_policies[0].name, 1);
  EXPECT_EQ(backend->run(own), 10u);
}

TEST(Seam, EveryPolicyNamesAGenericSplitTheModelKnows) {
  for (const auto& b : backends())
    for (const auto* list : {&b.sum_policies, &b.task_policies})
      for (const auto& p : *list) EXPECT_STRNE(to_string(p.split), "unknown") << b.name;
}

TEST(Seam, RegisteringABackendTwiceOrIncompleteIsRefused) {
  BackendInfo copy = backends().front();
  EXPECT_THROW(register_backend(copy), std::invalid_argument);
  copy.name = "nameless-launch";
  copy.launches.clear();
  EXPECT_THROW(register_backend(copy), std::invalid_argument);
}

TEST(KernelSpec, RoundTripsThroughJsonAndMakesTheSameWork) {
  KernelSpec sum;
  sum.kernel = "sum";
  sum.size = 1000;
  sum.mapping = Mapping::shared;
  KernelSpec tasks;
  tasks.kernel = "spin";
  tasks.tasks = "uniform:16:7";
  tasks.unit = 1e-4;
  tasks.longest_first = true;
  for (const KernelSpec& spec : {sum, tasks}) {
    const KernelSpec back = spec_from_json(nlohmann::json::parse(to_json(spec).dump()));
    EXPECT_EQ(to_json(back), to_json(spec));
    EXPECT_EQ(make_work(back)->items(), make_work(spec)->items());
  }
  EXPECT_EQ(make_work(sum)->items(), 1000u);
  EXPECT_TRUE(make_work(sum)->has_data());
  EXPECT_EQ(make_work(tasks)->items(), 16u);
  EXPECT_THROW(spec_from_json({{"kernel", "sum"}}), std::invalid_argument);
  EXPECT_THROW(spec_from_json({{"kernel", "sum"}, {"size", "big"}, {"mapping", "private"}}),
               std::invalid_argument);
  EXPECT_THROW(make_work(spec_from_json({{"kernel", "fft"}})), std::invalid_argument);
}

// The nodes of the CPUs the workers ran on.
std::set<int> nodes_of(const std::vector<int>& cpus) {
  std::set<int> nodes;
  for (int cpu : cpus)
    if (cpu >= 0) nodes.insert(numa_node_of_pu(topology(), cpu));
  return nodes;
}

std::set<int> nodes_holding(const std::uint64_t* data, std::size_t begin, std::size_t end) {
  const auto nodes = memory_nodes_of(data + begin, (end - begin) * sizeof(std::uint64_t));
  return {nodes.begin(), nodes.end()};
}

// Every backend's workers make the array with its block split: its pages lie on the nodes of
// the CPUs the workers ran on, and each worker's block of a hand-split pool on its own node.
// One node here: the mechanism and its bookkeeping run; the nodes can only agree.
TEST(FirstTouch, WorkersPlaceTheirPiecesOnTheirNodes) {
  constexpr std::size_t kPages = 256;
  constexpr std::size_t n = kPages * 4096 / sizeof(std::uint64_t);
  try {
    SumWork probe(512, Mapping::private_pages);
    probe.prepare_serially();
    memory_nodes_of(probe.data(), 4096);
  } catch (const std::runtime_error& e) {
    GTEST_SKIP() << e.what();
  }
  for (const auto& info : backends()) {
#if defined(__SANITIZE_THREAD__)
    if (info.reports_children_cpu) continue;  // processes: TSan does not support fork()
#endif
    const PolicyName* block = find_policy(info, KernelKind::sum, Split::block);
    if (block == nullptr) continue;
    for (const auto& launch : info.launches) {
      SumWork work(n, Mapping::shared);
      auto backend = make_backend(info, launch);
      backend->set_pin(Pin::compact);
      const unsigned workers = backend->start(work, 2);
      const Policy policy = parse_policy(info, KernelKind::sum, block->name, 1);
      const Preparation made = backend->prepare(policy, FirstTouch::workers);
      EXPECT_EQ(made.by, FirstTouch::workers)
          << info.name << "/" << launch << ": " << made.why.value_or("");
      EXPECT_EQ(backend->run(policy), work.expected()) << info.name << "/" << launch;
      // Shared pages that only forked workers touched are not yet in this process's page
      // tables, where the kernel looks: a read maps them without moving them.
      EXPECT_EQ(sum_contiguous(work.data(), 0, n), work.expected());
      const std::set<int> expected = nodes_of(work.cpus_seen(workers));
      const std::set<int> holding = nodes_holding(work.data(), 0, n);
      EXPECT_FALSE(holding.empty()) << info.name << "/" << launch << ": no page was made";
      for (int node : holding)
        EXPECT_TRUE(expected.count(node)) << info.name << "/" << launch << " node " << node;
      // Pinned compact: worker w ran on cpu_for_worker(compact, w) and read block w.
      for (unsigned w = 0; w < workers && !info.reference; ++w) {
        const Range r = block_range(n, workers, w);
        const std::set<int> own = nodes_of({cpu_for_worker(Pin::compact, w)});
        if (info.name == "thread" || info.name == "fork") {  // block_range is their split
          EXPECT_EQ(nodes_holding(work.data(), r.begin, r.end), own) << info.name << " w" << w;
        }
      }
    }
  }
}

TEST(FirstTouch, SerialIsTheCallerAndPrivatePagesStaySerialForProcesses) {
  for (const auto& info : backends()) {
#if defined(__SANITIZE_THREAD__)
    if (info.reports_children_cpu) continue;
#endif
    const PolicyName* block = find_policy(info, KernelKind::sum, Split::block);
    for (const auto& launch : info.launches) {
      SumWork work(1 << 14, Mapping::private_pages);
      auto backend = make_backend(info, launch);
      backend->start(work, 2);
      const Policy policy = parse_policy(info, KernelKind::sum, block->name, 1);
      const Preparation made = backend->prepare(policy, FirstTouch::serial);
      EXPECT_EQ(made.by, FirstTouch::serial);
      EXPECT_FALSE(made.why);
      EXPECT_EQ(backend->run(policy), work.expected()) << info.name << "/" << launch;

      // Processes cannot write pages their parent keeps private: the caller does, and says so.
      SumWork kept(1 << 14, Mapping::private_pages);
      auto other = make_backend(info, launch);
      // mpi outside mpirun is a team of one: the caller itself, no other process.
      const unsigned started = other->start(kept, 2);
      const bool processes = info.reports_children_cpu && started > 1;
      const Preparation asked = other->prepare(policy, FirstTouch::workers);
      EXPECT_EQ(asked.by, processes ? FirstTouch::serial : FirstTouch::workers);
      EXPECT_EQ(!asked.why, !processes) << asked.why.value_or("");
      EXPECT_EQ(other->run(policy), kept.expected()) << info.name << "/" << launch;
    }
  }
}

}  // namespace
}  // namespace parbench
