#include "cli/options.hpp"

#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <stdexcept>

#include "backends/backend.hpp"
#include "kernels/tasks.hpp"
#include "platform/machine.hpp"
#include "platform/topology.hpp"
#include "schema/text.hpp"

namespace parbench {

namespace {

const std::vector<std::string> kKernels = {"sum", "sleep", "spin", "launch"};
constexpr unsigned kMaxWorkers = kMostWorkers;

std::size_t floor_pow2(std::size_t x) {
  return x == 0 ? 0 : std::bit_floor(x);
}

std::vector<unsigned> sorted_unique(std::vector<unsigned> w) {
  std::sort(w.begin(), w.end());
  w.erase(std::unique(w.begin(), w.end()), w.end());
  return w;
}

std::vector<std::size_t> default_size_list(const std::string& suite) {
  const DefaultSizes d = default_sizes();
  if (suite == "quick") return {d.in_cache, d.in_llc, d.beyond_llc};
  std::vector<std::size_t> sizes;
  for (std::size_t n = 1024; n < d.beyond_llc; n *= 4) sizes.push_back(n);
  sizes.push_back(d.beyond_llc);
  return sizes;
}

std::string default_report_path() {
  char host[256] = "host";
  gethostname(host, sizeof(host) - 1);
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", std::localtime(&now));
  return std::string("reports/local/") + host + "-" + stamp + ".json";
}

void check_known(const std::vector<std::string>& given, const std::vector<std::string>& known,
                 const std::string& what) {
  for (const auto& g : given)
    if (std::find(known.begin(), known.end(), g) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw std::invalid_argument("unknown " + what + " '" + g + "' (known: " + list + ")");
    }
}

// An array of n 8-byte elements must exist and leave a fifth of the available memory free.
void check_array_size(const std::string& what, std::size_t n) {
  if (n == 0) throw std::invalid_argument(what + " must be at least 1 element");
  const std::size_t available = available_memory_bytes();
  if (n > available / 8 / 5 * 4)
    throw std::invalid_argument(what + " " + std::to_string(n) + " (" +
                                std::to_string(n / (1 << 20) * 8) +
                                " MiB) does not fit in 80% of the available memory (" +
                                std::to_string(available >> 20) + " MiB)");
}

constexpr double kMaxMinTime = 3600;

// "2%" or "2" -> 0.02.
double parse_percentage(const std::string& what, std::string text) {
  if (!text.empty() && text.back() == '%') text.pop_back();
  char* end = nullptr;
  const double percent = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(percent))
    throw std::invalid_argument(what + " must be a percentage such as 2%, not '" + text + "'");
  return percent / 100;
}

void check_seconds(const std::string& what, double seconds, double most) {
  if (!(seconds > 0) || !std::isfinite(seconds) || seconds > most)
    throw std::invalid_argument(what + " must be more than 0 and at most " +
                                std::to_string(static_cast<long>(most)) + " seconds");
}

// "--benchmark_x=v" -> {"x", "v"}; "--benchmark_x" -> {"x", "true"}.
std::pair<std::string, std::string> benchmark_flag(const std::string& flag) {
  const std::string body = flag.substr(std::string("--benchmark_").size());
  const auto eq = body.find('=');
  if (eq == std::string::npos) return {body, "true"};
  return {body.substr(0, eq), body.substr(eq + 1)};
}

bool is_true(const std::string& v) {
  return v == "true" || v == "1" || v == "yes" || v == "t" || v == "y" || v == "on";
}

// Google Benchmark takes nonsense values for some of its flags without a word (0 repetitions
// run nothing); those are refused here. Print-only flags run nothing and write no report.
void check_benchmark_flags(Config& c) {
  const std::vector<std::string> flags = c.benchmark_flags;
  c.benchmark_flags.clear();
  for (const auto& flag : flags) {
    const auto [name, value] = benchmark_flag(flag);
    if (name == "list_tests") c.list_only = is_true(value);
    if (name == "repetitions") {
      long n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 100000)
        throw std::invalid_argument(
            "--benchmark_repetitions must be a whole number from 1 to "
            "100000, not '" +
            value + "'");
      c.measurement.repetitions = static_cast<unsigned>(n);  // the rounds repeat, not Google's
    }
    if (name == "out" || name == "out_format")
      throw std::invalid_argument(
          "parbench writes its report itself: give --out=PATH, not --benchmark_" + name);
    if (name == "min_time" || name == "min_warmup_time") {
      std::string number = value;
      if (!number.empty() && number.back() == 's') number.pop_back();
      char* end = nullptr;
      const double seconds = std::strtod(number.c_str(), &end);
      const bool iterations = !value.empty() && value.back() == 'x';
      if (!iterations && (number.empty() || *end != '\0' || !std::isfinite(seconds) ||
                          seconds < 0 || seconds > kMaxMinTime))
        throw std::invalid_argument("--benchmark_" + name +
                                    " must be a number of seconds from 0 to 3600, not '" + value +
                                    "'");
    }
    if (name != "repetitions") c.benchmark_flags.push_back(flag);
  }
}

void check_measurement(const Measurement& m) {
  if (m.repetitions > 100000) throw std::invalid_argument("repetitions must be at most 100000");
  if (!(m.target > 0) || !(m.target < 1))
    throw std::invalid_argument("target must be a percentage above 0 and below 100");
  if (m.max_repetitions < m.min_repetitions || m.max_repetitions > 100000)
    throw std::invalid_argument("max-repetitions must be from " +
                                std::to_string(m.min_repetitions) +
                                " (the fewest with a 95% interval of the median) to 100000; "
                                "--repetitions=N runs exactly N");
  check_seconds("benchmark-budget", m.benchmark_budget, 7 * 24 * 3600.0);
  if (m.run_budget != 0) check_seconds("run-budget", m.run_budget, 7 * 24 * 3600.0);
}

// Hands each launcher its flags and the watchdog, and checks the worker count its flag asks for;
// each backend that starts processes of its own, the watchdog.
void configure_launchers(const Config& c) {
  for (const auto& b : backends())
    if (b.configure) b.configure(RunSettings{.flags = {}, .job_timeout = c.job_timeout});
  for (const Launcher* l : launchers()) {
    RunSettings settings{.flags = {}, .job_timeout = c.job_timeout};
    std::vector<BackendFlag> flags = l->flags;
    flags.push_back(l->workers_flag);
    for (const auto& flag : flags)
      if (auto it = c.backend_flags.find(flag.name); it != c.backend_flags.end())
        settings.flags.insert(*it);
    l->configure(settings);
    if (auto it = settings.flags.find(l->workers_flag.name);
        it != settings.flags.end() && parse_count(it->second) > kMaxWorkers)
      throw std::invalid_argument(it->first.substr(2) + " must be between 1 and " +
                                  std::to_string(kMaxWorkers));
  }
}

void validate(Config& c) {
  std::vector<std::string> backend_names;
  for (const auto& b : backends()) backend_names.push_back(b.name);
  check_known(c.kernels, kKernels, "kernel");
  for (const auto& name : c.backends)
    if (const auto help = how_to_get_backend(name)) throw std::invalid_argument(*help);
  check_known(c.backends, backend_names, "backend");
  configure_launchers(c);
  for (const auto& launch : c.launches) {
    bool offered = false;
    for (const auto& name : c.backends) {
      const auto& l = find_backend(name)->launches;
      offered |= std::find(l.begin(), l.end(), launch) != l.end();
    }
    if (!offered) throw std::invalid_argument("no selected backend has launch '" + launch + "'");
  }
  std::vector<KernelKind> kinds;
  for (const auto& k : c.kernels)
    kinds.push_back(k == "sleep" || k == "spin" ? KernelKind::tasks : KernelKind::sum);
  for (const auto& policy : c.policies) {
    bool offered = false;
    std::string why;
    for (const auto& name : c.backends)
      for (KernelKind kind : kinds) try {
          parse_policy(*find_backend(name), kind, policy, 1);
          offered = true;
        } catch (const std::invalid_argument& e) {
          if (why.empty() || policy.find_first_of(":(") != std::string::npos) why = e.what();
        }
    if (!offered) throw std::invalid_argument(why);
  }
  for (const auto& spec : c.task_sets) check_task_set(parse_task_set(spec), c.unit);
  for (unsigned w : c.workers)
    if (w == 0 || w > kMaxWorkers)
      throw std::invalid_argument("workers must be between 1 and " + std::to_string(kMaxWorkers));
  for (std::size_t n : c.sizes) check_array_size("size", n);
  check_array_size("calibration size", c.calibration_size);
  check_measurement(c.measurement);
  check_seconds("min-time", c.min_time, kMaxMinTime);
  check_seconds("job-timeout", c.job_timeout, 7 * 24 * 3600.0);
  check_benchmark_flags(c);
}

}  // namespace

std::vector<unsigned> sweep_counts(unsigned cpus, unsigned cores, unsigned at_least) {
  constexpr std::size_t kMostCounts = 12;
  // Past the CPUs: oversubscription is one of the questions; with SMT, cores against PUs.
  const std::vector<unsigned> kept = sorted_unique({1, cores, cpus, 2 * cpus});
  std::vector<unsigned> powers;
  for (unsigned p = 2; p <= std::max(at_least, 2 * cpus); p *= 2)
    if (std::find(kept.begin(), kept.end(), p) == kept.end()) powers.push_back(p);
  // Every other power of two goes, from the top, until the sweep fits.
  while (kept.size() + powers.size() > kMostCounts && powers.size() > 1) {
    std::vector<unsigned> thinned;
    for (std::size_t i = powers.size() % 2; i < powers.size(); i += 2) thinned.push_back(powers[i]);
    powers = thinned;
  }
  std::vector<unsigned> w = kept;
  w.insert(w.end(), powers.begin(), powers.end());
  return sorted_unique(w);
}

unsigned sweep_cpus() {
  const Topology& t = topology();
  return t.source == "this system"
             ? usable_cpus()
             : static_cast<unsigned>(std::max<std::size_t>(1, t.allowed_pus.size()));
}

unsigned sweep_cores() {
  const Topology& t = topology();
  const std::vector<int> allowed = t.source == "this system" ? affinity_cpus() : t.allowed_pus;
  unsigned cores = 0;
  for (const auto& core : t.cores)
    cores += std::any_of(core.pus.begin(), core.pus.end(), [&](int pu) {
      return std::find(allowed.begin(), allowed.end(), pu) != allowed.end();
    });
  return std::clamp(cores, 1u, sweep_cpus());
}

std::vector<unsigned> workers_for(const Config& c, bool task_kernel) {
  if (!c.workers.empty()) return c.workers;
  const unsigned cpus = sweep_cpus();
  if (c.suite == "quick") return task_kernel ? sorted_unique({4, 2 * cpus}) : std::vector{cpus};
  return sweep_counts(cpus, sweep_cores(), task_kernel ? 16u : 1u);
}

std::size_t parse_count(const std::string& text) {
  std::size_t value = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || first == end)
    throw std::invalid_argument("'" + text + "' is not a count (e.g. 4096, 64K, 16M, 1G)");
  int shift = 0;
  if (end != last) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(*end)));
    shift = unit == 'K' ? 10 : unit == 'M' ? 20 : unit == 'G' ? 30 : -1;
    if (shift < 0 || end + 1 != last)
      throw std::invalid_argument("'" + text + "' is not a count (e.g. 4096, 64K, 16M, 1G)");
  }
  if (value > (SIZE_MAX >> shift)) throw std::invalid_argument("'" + text + "' is too large");
  return value << shift;
}

std::size_t parse_size(const std::string& text) {
  static const std::pair<const char*, int> kUnits[] = {
      {"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}};
  const std::string example = "'" + text +
                              "' is not a size (elements: 4096, 64K, 16M; bytes: "
                              "32KiB, 8MiB, 2GiB)";
  for (const auto& [suffix, shift] : kUnits) {
    const std::size_t n = std::strlen(suffix);
    if (text.size() <= n || text.compare(text.size() - n, n, suffix) != 0) continue;
    const std::string number = text.substr(0, text.size() - n);
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size())
      throw std::invalid_argument(example);
    if (value > (SIZE_MAX >> shift)) throw std::invalid_argument("'" + text + "' is too large");
    const std::size_t bytes = value << shift;
    if (bytes % sizeof(std::uint64_t) != 0)
      throw std::invalid_argument("'" + text + "' is not a whole number of 8-byte elements");
    return bytes / sizeof(std::uint64_t);
  }
  try {
    return parse_count(text);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(example);
  }
}

DefaultSizes default_sizes() {
  std::size_t l1 = 32 << 10;
  for (const auto& c : cache_levels())
    if (c.level == 1 && c.type != "Instruction" && c.bytes > 0) l1 = c.bytes;
  std::size_t llc = last_level_cache_bytes();
  if (llc == 0) llc = 32 << 20;
  // All workers together hold every L3 group of the machine (one per CCX or per socket): an
  // array beyond the last-level cache is beyond all of them.
  std::size_t all_l3 = 0;
  for (const auto& group : topology().l3_groups) all_l3 += group.bytes;
  const std::size_t llc_all = std::max(llc, all_l3);
  const std::size_t cap = floor_pow2(available_memory_bytes() / 4);
  // Far enough beyond the caches that they do not matter: an array only a few times the
  // last-level cache does not read at memory's bandwidth yet, so 8 times all the L3 groups
  // together, and at least 1 GiB.
  const std::size_t beyond = std::min(std::max(floor_pow2(8 * llc_all), std::size_t{1} << 30), cap);
  return {floor_pow2(l1 / 2) / 8, floor_pow2(llc / 4) / 8, beyond / 8};
}

// "serial, thread, ...": every backend, compiled in or registered.
static std::string backend_names() {
  std::vector<std::string> names;
  for (const auto& b : backends()) names.push_back(b.name);
  return schema::joined(names);
}

// "inline (serial); spawn, pool (thread); ...".
static std::string launch_names() {
  std::string text;
  for (const auto& b : backends()) {
    if (!text.empty()) text += "; ";
    text += schema::joined(b.launches);
    text += " (" + b.name + ")";
  }
  return text;
}

namespace {

// The flags whose value is text until the Config is resolved from it, with the defaults that
// depend on this machine.
struct OptionText {
  std::vector<std::string> sizes, workers;
  std::string mapping = "private", first_touch = "workers", calibration_size, target = "2%",
              interleave = "yes";
  std::string findings_of;  // taken before parsing (run.cpp): listed here for --help
  std::map<std::string, std::string> launcher_values;  // by flag, as given
  std::vector<std::string> launcher_flags;             // the launchers' flags, in --help order
  std::size_t default_calibration_size = default_sizes().beyond_llc;
};

// What runs: the kernels, backends, launches, policies, worker counts and sizes.
void add_selection_options(CLI::App& app, Config& c, OptionText& t) {
  app.add_option("--suite", c.suite, "Default kernels, workers and sizes: quick or full")
      ->check(CLI::IsMember({"quick", "full"}))
      ->capture_default_str();
  app.add_option("--kernels", c.kernels, "Kernels: sum, sleep, spin, launch (default: all)")
      ->delimiter(',');
  app.add_option("--backends", c.backends, "Backends: " + backend_names() + " (default: all)")
      ->delimiter(',');
  app.add_option("--launch", c.launches, "Launch modes: " + launch_names() + "; default: all")
      ->delimiter(',');
  app.add_option("--policies", c.policies,
                 "Policies, e.g. block,cyclic,dynamic:65536,static,static1,guided,auto,simple:4096,"
                 "affinity (default: every policy of each backend)")
      ->delimiter(',');
  app.add_option("--workers", t.workers,
                 "Worker counts (default: quick = usable CPUs; full = 1,2,4,.. to twice them)")
      ->delimiter(',');
  app.add_option("--sizes", t.sizes,
                 "Sum sizes: bytes (32KiB, 8MiB, 2GiB) or 8-byte elements (4096, 64K, 16M; "
                 "K/M/G = 2^10/2^20/2^30) (default: from the caches)")
      ->delimiter(',');
  app.add_option("--calibration-size", t.calibration_size,
                 "Size of the array the read bandwidth (every sum's ceiling) is measured on, as "
                 "for --sizes (default: beyond the last-level cache, " +
                     bytes_text(t.default_calibration_size * sizeof(std::uint64_t)) + ")");
}

// How many repetitions each benchmark gets, and in which order.
void add_measurement_options(CLI::App& app, Config& c, OptionText& t) {
  app.add_option("--repetitions", c.measurement.repetitions,
                 "Exactly this many repetitions of each benchmark (default: as many as it takes "
                 "to meet --target, from " +
                     std::to_string(c.measurement.min_repetitions) + ")");
  app.add_option("--target", t.target,
                 "Repeat a benchmark until the 95% confidence interval of its median is within "
                 "this percentage of it")
      ->capture_default_str();
  app.add_option("--max-repetitions", c.measurement.max_repetitions,
                 "Most repetitions of a benchmark that has not met the target")
      ->capture_default_str();
  app.add_option("--benchmark-budget", c.measurement.benchmark_budget,
                 "Seconds a benchmark may take before it stops short of the target, marked "
                 "undecided (default: quick 0.15, full 0.35)");
  app.add_option("--run-budget", c.measurement.run_budget,
                 "Seconds after which the run gives every benchmark only its fewest repetitions "
                 "(default: none)");
  app.add_option("--interleave", t.interleave,
                 "Run the repetitions of the benchmarks that measure the same work (kernel, size "
                 "or task set, workers) in interleaved rounds, in a shuffled order: yes or no")
      ->check(CLI::IsMember({"yes", "no"}))
      ->capture_default_str();
  app.add_option("--seed", c.measurement.seed,
                 "Seed of the order within rounds (default: a random one, written in the report)");
  app.add_option("--min-time", c.min_time, "Minimum seconds per repetition")->capture_default_str();
}

void add_task_options(CLI::App& app, Config& c) {
  app.add_option("--tasks", c.task_sets,
                 "Task set for sleep/spin, repeatable: seed (2,4,6,8,1,3,5,7), equal:N, "
                 "uniform:N[:SEED], increasing:N, straggler:N, heavy:N[:SEED], or a list 2,4,6,8 "
                 "(default: quick = seed; full = seed, uniform:32, straggler:8, heavy:32)");
  app.add_option("--unit", c.unit_text, "Duration of one unit of a task (e.g. 1ms, 10ms, 500us)")
      ->capture_default_str();
}

// Where the workers run and where the sum's pages lie.
void add_placement_options(CLI::App& app, Config& c, OptionText& t) {
  app.add_option("--pin", c.pin,
                 "Worker placement: none (the OS decides), compact (fill neighbouring CPUs), "
                 "spread (far apart: packages, nodes, L3 groups, cores; SMT siblings last), numa "
                 "(each worker on every CPU of one NUMA node, the nodes in turn)")
      ->check(CLI::IsMember({"none", "compact", "spread", "numa"}))
      ->capture_default_str();
  app.add_option("--data-mapping", t.mapping,
                 "How the sum's array is mapped: private (4 KiB pages), hugepages, shared")
      ->check(CLI::IsMember({"private", "hugepages", "shared"}))
      ->capture_default_str();
  app.add_option("--first-touch", t.first_touch,
                 "Who writes the sum's array first, which places its pages on a NUMA machine: "
                 "workers (each the pieces its policy reads) or serial (the calling thread)")
      ->check(CLI::IsMember({"workers", "serial"}))
      ->capture_default_str();
}

// Where the report goes, and the subcommands that run nothing.
void add_output_options(CLI::App& app, Config& c, OptionText& t) {
  app.add_option("--out", c.out, "Report path (default: reports/local/<host>-<time>.json)");
  app.add_option("--findings", t.findings_of,
                 "Print the findings of REPORT (made by any parbench version); with --out=FILE "
                 "also write the report with them there; run nothing");
  app.add_flag("--dry-run", c.dry_run,
               "Print how many benchmarks the selection has, its worker counts and sizes, and an "
               "estimate of how long it would take here (after a short read-bandwidth "
               "measurement), and run nothing");
  app.add_flag("--table", c.table,
               "Print Google Benchmark's table of every repetition instead of one line per "
               "benchmark");
  app.add_flag("--show-placement", c.show_placement,
               "Print the PU, package, NUMA node, L3 and core each worker would get with --pin "
               "for each worker count, and run nothing (HWLOC_XMLFILE shows another machine's)");
}

// Flags of the backends whose workers a launcher starts, each in its own words.
void add_launcher_options(CLI::App& app, OptionText& t) {
  for (const Launcher* l : launchers()) {
    std::vector<BackendFlag> flags = l->flags;
    flags.insert(flags.begin(), l->workers_flag);
    for (const auto& flag : flags)
      if (app.get_option_no_throw(flag.name) == nullptr) {
        app.add_option(flag.name, t.launcher_values[flag.name], flag.help)->type_name("N");
        t.launcher_flags.push_back(flag.name);
      }
  }
}

void add_job_timeout_option(CLI::App& app, Config& c) {
  app.add_option("--job-timeout", c.job_timeout,
                 "Seconds one job may run before it counts as hung (or ten times the "
                 "benchmark's mean job, if longer): its workers are ended and the run goes on")
      ->capture_default_str();
}

// A value given twice: the last one counts, as a command line built up in a script expects.
void let_the_last_value_win(CLI::App& app, const OptionText& t) {
  for (const char* scalar :
       {"--suite", "--calibration-size", "--repetitions", "--target", "--max-repetitions",
        "--benchmark-budget", "--run-budget", "--interleave", "--seed", "--min-time", "--unit",
        "--pin", "--data-mapping", "--first-touch", "--out", "--job-timeout"})
    app.get_option(scalar)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  for (const auto& flag : t.launcher_flags)
    app.get_option(flag)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

// What CLI11 did not know: Google Benchmark's --benchmark_* flags, passed on; anything else is
// refused.
void take_benchmark_flags(const CLI::App& app, Config& c) {
  for (const auto& extra : app.remaining()) {
    if (extra.rfind("--benchmark_", 0) != 0)
      throw std::invalid_argument("unknown argument '" + extra + "' (see --help)");
    c.benchmark_flags.push_back(extra);
  }
}

void resolve_measurement(const CLI::App& app, const OptionText& t, Config& c) {
  if (app.count("--repetitions") > 0 && c.measurement.repetitions == 0)
    throw std::invalid_argument("repetitions must be at least 1");
  if (app.count("--benchmark-budget") == 0)
    c.measurement.benchmark_budget = c.suite == "full" ? 0.35 : 0.15;
  c.measurement.target = parse_percentage("target", t.target);
  c.measurement.interleave = t.interleave == "yes";
  if (app.count("--seed") == 0) c.measurement.seed = std::random_device{}();
}

// The kernels, backends and worker counts; every kernel and every backend selected by default.
void resolve_selection(const OptionText& t, Config& c) {
  if (c.kernels.empty()) c.kernels = kKernels;
  if (c.backends.empty())
    for (const auto& b : backends())
      if (selected_by_default(b)) c.backends.push_back(b.name);
  for (const auto& w : t.workers) {
    const std::size_t n = parse_count(w);
    c.workers.push_back(n > kMaxWorkers ? kMaxWorkers + 1 : static_cast<unsigned>(n));
  }
}

// The sum's sizes (the suite's when none is given) and the calibration's.
void resolve_sizes(const OptionText& t, Config& c) {
  for (const auto& s : t.sizes) c.sizes.push_back(parse_size(s));
  c.calibration_size =
      t.calibration_size.empty() ? t.default_calibration_size : parse_size(t.calibration_size);
  if (c.sizes.empty()) c.sizes = default_size_list(c.suite);
}

void resolve_tasks(Config& c) {
  c.unit = parse_unit(c.unit_text);
  if (c.task_sets.empty())
    c.task_sets = c.suite == "quick"
                      ? std::vector<std::string>{"seed"}
                      : std::vector<std::string>{"seed", "uniform:32", "straggler:8", "heavy:32"};
}

// The launchers' flags that were given, for configure_launchers.
void take_launcher_flags(const CLI::App& app, const OptionText& t, Config& c) {
  for (const auto& flag : t.launcher_flags)
    if (app.count(flag) > 0) c.backend_flags[flag] = t.launcher_values.at(flag);
}

void resolve_placement(const OptionText& t, Config& c) {
  c.data_mapping = t.mapping == "shared"      ? Mapping::shared
                   : t.mapping == "hugepages" ? Mapping::private_hugepages
                                              : Mapping::private_pages;
  c.first_touch =
      t.first_touch == to_string(FirstTouch::serial) ? FirstTouch::serial : FirstTouch::workers;
}

// The report path (a free default name is found at start) and the arguments, for --resume.
void resolve_output(int argc, char** argv, Config& c) {
  c.out_is_default = c.out.empty();
  if (c.out.empty()) c.out = default_report_path();
  for (int i = 1; i < argc; ++i) c.arguments.push_back(argv[i]);
}

}  // namespace

ParseOutcome parse_options(int argc, char** argv) {
  Config c;
  OptionText t;
  CLI::App app{
      "parbench: what splitting work across workers really gives on this machine.\n"
      "Runs the kernels on every backend under Google Benchmark and writes a JSON report.\n"
      "Every --benchmark_* flag of Google Benchmark is accepted too (e.g. --benchmark_filter).",
      "parbench"};
  app.allow_extras();
  add_selection_options(app, c, t);
  add_measurement_options(app, c, t);
  add_task_options(app, c);
  add_placement_options(app, c, t);
  add_output_options(app, c, t);
  add_launcher_options(app, t);
  add_job_timeout_option(app, c);
  let_the_last_value_win(app, t);
  try {
    app.parse(argc, argv);
    take_benchmark_flags(app, c);
    resolve_measurement(app, t, c);
    resolve_selection(t, c);
    resolve_sizes(t, c);
    resolve_tasks(c);
    take_launcher_flags(app, t, c);
    resolve_placement(t, c);
    resolve_output(argc, argv, c);
    validate(c);
    c.sum_workers = workers_for(c, false);
    c.task_workers = workers_for(c, true);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return {std::nullopt, 0};
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "parbench: %s\n", e.what());
    return {std::nullopt, kBadInput};
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: %s\n", e.what());
    return {std::nullopt, kBadInput};
  }
  return {std::move(c), 0};
}

}  // namespace parbench
