// The big sum: how close each backend and split get to the machine's read bandwidth.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "engine/supervisor.hpp"
#include "kernels/spec.hpp"
#include "kernels/sum.hpp"
#include "platform/machine.hpp"
#include "platform/topology.hpp"
#include "schema/names.hpp"
#include "suites/variants.hpp"

namespace parbench {

namespace {

constexpr std::size_t kSumGrain = 1 << 16;  // 512 KiB pieces for the dynamic policies

bool makes_workers_per_job(const Variant& v) {
  const auto& per_job = v.backend->workers_per_job;
  return std::find(per_job.begin(), per_job.end(), v.launch) != per_job.end();
}

// Untimed jobs before the timing, returning what went wrong, if anything did. A forked child's
// first pass over pages it shares with its parent is slow (no page fault counted), and a pool's
// workers keep what they touched: that is set-up, not the steady state. A cyclic job (where the
// backend has one) has every worker touch every page, whichever pieces the measured policy hands it
// later; then one job of that policy. A launch that starts new workers in every job pays that
// first pass in each job: it is part of its cost.
std::optional<std::string> warm_up(Backend& backend, const Variant& v, std::uint64_t expected) {
  if (makes_workers_per_job(v)) return std::nullopt;
  try {
    if (const PolicyName* cyclic = find_policy(*v.backend, KernelKind::sum, Split::cyclic);
        cyclic != nullptr &&
        backend.run(parse_policy(*v.backend, KernelKind::sum, cyclic->name, 1)) != expected)
      return "wrong sum in the cyclic warm-up job";
    if (backend.run(v.policy) != expected) return "wrong sum in the warm-up job";
  } catch (const WorkerFailure& e) {
    return e.what();
  }
  return std::nullopt;
}

struct SumCase {
  Variant variant;
  unsigned workers;
  KernelSpec spec;
  Pin pin;
  FirstTouch first_touch;
  std::string name;
  std::string group;  // the benchmarks whose repetitions are interleaved with its own
};

// An array and who made it. On a machine with one NUMA node every page lies on that node
// whoever touches it first, so the benchmarks of one size, mapping and --first-touch read one
// array, made once (making a large one writes every page of it); with several nodes each
// benchmark makes its own, with its own workers and split, since that decides where its pages
// lie.
struct SumArray {
  std::string key;
  std::shared_ptr<SumWork> work;
  std::string made_for;  // the benchmark whose backend made it
};

bool array_per_benchmark() {
  return topology().numa_nodes.size() > 1;
}

std::string array_key(const SumCase& c) {
  return std::to_string(c.spec.size) + "/" + to_string(c.spec.mapping) + "/" +
         to_string(c.first_touch);
}

// The benchmarks whose repetitions run in interleaved rounds: those of one size and worker
// count. Where each makes its own array, only if all of their arrays fit in a quarter of the
// available memory at once; else each runs alone.
std::string group_of(const KernelSpec& spec, FirstTouch first_touch, unsigned workers,
                     std::size_t members, const std::string& name) {
  std::string group = std::to_string(spec.size) + "/" + to_string(spec.mapping) + "/" +
                      to_string(first_touch) + "/workers:" + std::to_string(workers);
  const std::size_t bytes = spec.size * sizeof(std::uint64_t);
  if (array_per_benchmark() && members * bytes > available_memory_bytes() / 4) group += "/" + name;
  return group;
}

// A started benchmark, kept across its repetitions: Google Benchmark calls the benchmark once
// per repetition, and the repetitions of a group's benchmarks run in interleaved rounds, while
// starting a fork pool and making a large array are too slow to redo for every repetition. The
// repetitions measure one pool's steady state; its start is measured on its own (the launch
// benchmarks), and the making of the array (the prepare pass) is recorded beside it.
struct StartedSum {
  SumArray array;  // declared first, so destroyed last: the workers go before what they read
  std::unique_ptr<Backend> backend;
  unsigned obtained = 0;
  Preparation preparation;
};

// The benchmarks of the group being measured, started, and the array of one size that the
// groups of that size read where one array serves them all.
struct SumState {
  std::string group;
  SumArray shared;
  std::map<std::string, StartedSum> started;  // by benchmark name
};

SumState& sum_state() {
  static SumState state;
  return state;
}

// The array for `c`: the shared one if it may be read as it lies, else a new one.
SumArray array_for(const SumCase& c) {
  if (array_per_benchmark())
    return {array_key(c), std::make_shared<SumWork>(c.spec.size, c.spec.mapping), c.name};
  SumArray& shared = sum_state().shared;
  if (shared.key == array_key(c) && shared.work) return shared;
  shared = SumArray{};  // the old array goes before the new one is made
  shared = {array_key(c), std::make_shared<SumWork>(c.spec.size, c.spec.mapping), c.name};
  return shared;
}

// Starts the backend, has it make the array (or finds it made) and warms it up, unless this
// benchmark is already started. A benchmark of another group ends the started ones first.
StartedSum* start_sum(benchmark::State& state, const SumCase& c) {
  SumState& all = sum_state();
  if (all.group != c.group) {
    all.started.clear();
    all.group = c.group;
  }
  if (auto it = all.started.find(c.name); it != all.started.end()) return &it->second;
  StartedSum s;
  const Variant& v = c.variant;
  if (!run_checked(state, [&] {
        s.array = array_for(c);
        s.backend = make_backend(*v.backend, v.launch);
        s.backend->set_pin(c.pin);
        s.obtained = s.backend->start(*s.array.work, c.workers);
        s.preparation = s.backend->prepare(v.policy, c.first_touch);
      }))
    return nullptr;
  if (const auto why = warm_up(*s.backend, v, s.array.work->expected())) {
    state.SkipWithError(why->c_str());
    return nullptr;
  }
  return &(all.started[c.name] = std::move(s));
}

// Who made the array, as asked or not (and why), in how long, and for which benchmark when it
// was made for another one and is read as it lies.
nlohmann::json first_touch_note(const SumCase& c, const StartedSum& started) {
  const Preparation& done = started.preparation;
  nlohmann::json note = {
      {"asked", to_string(c.first_touch)}, {"by", to_string(done.by)}, {"seconds", done.seconds}};
  if (started.array.made_for != c.name)
    note["made_for"] = started.array.made_for;
  else if (done.why)
    note["why"] = *done.why;
  return note;
}

void run_sum(benchmark::State& state, const SumCase& c, BenchmarkList& benchmarks) {
  const StartedSum* started_or_null = start_sum(state, c);
  if (started_or_null == nullptr) return;
  const StartedSum& started = *started_or_null;
  Backend* backend = started.backend.get();
  SumWork& work = *started.array.work;
  work.forget_cpus_seen();  // the group's other benchmarks read it too
  const std::uint64_t expected = work.expected();
  const double children_cpu_before = backend->children_cpu_seconds();
  std::uint64_t wrong = 0;
  bool ok = true;
  try {
    for (auto _ : state) {
      job_done();  // for the watchdog
      const std::uint64_t total = backend->run(c.variant.policy);
      benchmark::DoNotOptimize(total);
      if (total != expected) {
        ok = false;
        wrong = total;
      }
    }
  } catch (const WorkerFailure& e) {
    sum_state().started.erase(c.name);  // a pool that lost a worker is not reused
    state.SkipWithError(failure_text(e).c_str());
    return;
  }
  if (!ok) {
    state.SkipWithError(
        ("wrong sum " + std::to_string(wrong) + ", expected " + std::to_string(expected)).c_str());
    return;
  }
  backend->collect();
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * work.bytes()));
  benchmarks.note(c.name, {{"placement", placement_note(c.pin, work.cpus_seen(started.obtained))},
                           {"first_touch", first_touch_note(c, started)}});
  state.counters["verified"] = 1;
  state.counters["workers_obtained"] = started.obtained;
  if (c.variant.backend->reports_children_cpu)
    state.counters["children_cpu_time"] = benchmark::Counter(
        backend->children_cpu_seconds() - children_cpu_before, benchmark::Counter::kAvgIterations);
}

}  // namespace

void release_sum_data() {
  sum_state().started.clear();
  sum_state() = SumState{};
}

void register_sum_benchmarks(const Config& config, BenchmarkList& benchmarks) {
  const auto variants = select_variants(config, KernelKind::sum, kSumGrain);
  const auto worker_counts = config.sum_workers;
  for (std::size_t n : config.sizes)
    for (const auto& v : variants)
      for (unsigned workers : worker_counts) {
        if (v.backend->reference && workers != worker_counts.front()) continue;
        const unsigned w = v.backend->reference ? 1 : workers;
        nlohmann::json params = {{"kernel", "sum"},
                                 {"backend", v.backend->name},
                                 {"launch", v.launch},
                                 {"policy", v.policy.name()},
                                 {"workers", w},
                                 {"size", n},
                                 {"bytes", n * sizeof(std::uint64_t)}};
        if (v.backend->sum_params) params.update(v.backend->sum_params());
        const std::string name =
            benchmark_name("sum", *v.backend, v.launch, v.policy.name(),
                           "workers:" + std::to_string(w) +
                               "/bytes:" + schema::exact_bytes_text(n * sizeof(std::uint64_t)));
        KernelSpec spec;
        spec.kernel = "sum";
        spec.size = n;
        spec.mapping = config.data_mapping;
        const SumCase c{v,
                        w,
                        spec,
                        parse_pin(config.pin),
                        config.first_touch,
                        name,
                        group_of(spec, config.first_touch, w, variants.size(), name)};
        benchmarks.add(
            name, params, [c, &benchmarks](benchmark::State& s) { run_sum(s, c, benchmarks); },
            benchmark::kMicrosecond, c.group);
      }
}

}  // namespace parbench
