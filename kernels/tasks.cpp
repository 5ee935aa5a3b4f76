#include "kernels/tasks.hpp"

#include "kernels/schedule.hpp"
#include "kernels/spec.hpp"
#include "platform/clocks.hpp"

#include <sys/prctl.h>
#include <time.h>

#include <charconv>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

namespace parbench {
namespace {

[[noreturn]] void bad(const std::string& spec, const std::string& why) {
  throw std::invalid_argument("task set '" + spec + "': " + why);
}

double parse_number(const std::string& spec, const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    bad(spec, "'" + text + "' is not a number");
  if (!std::isfinite(value)) bad(spec, "'" + text + "' is not finite");
  return value;
}

std::size_t parse_whole(const std::string& spec, const std::string& text) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    bad(spec, "'" + text + "' is not a whole number");
  return value;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.push_back("");
  return parts;
}

// A uniform double in [0, 1) from 53 random bits: std::uniform_real_distribution differs
// between standard libraries, and generated sets must be the same everywhere.
double unit_interval(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1p-53;
}

std::vector<double> generate(const std::string& spec, const std::string& kind, std::size_t n,
                             std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (kind == "equal")
      d[i] = 1;
    else if (kind == "increasing")
      d[i] = static_cast<double>(i + 1);
    else if (kind == "straggler")
      d[i] = i + 1 == n ? static_cast<double>(n - 1) : 1;
    // Rounded to 1/100 of a unit so that a report shows the durations exactly.
    else if (kind == "uniform")
      d[i] = std::round((1 + 9 * unit_interval(rng)) * 100) / 100;
    // Pareto, shape 1.5, scale 1, capped at 100 units: most tasks short, a few very long.
    else if (kind == "heavy")
      d[i] = std::round(std::min(100.0, std::pow(1 - unit_interval(rng), -1 / 1.5)) * 100) / 100;
    else
      bad(spec, "unknown kind '" + kind +
                    "' (seed, equal:N, uniform:N[:SEED], increasing:N, straggler:N, "
                    "heavy:N[:SEED], or a list like 2,4,6,8)");
  }
  if (kind == "straggler" && n == 1) d[0] = 1;
  return d;
}

}  // namespace

TaskSet parse_task_set(const std::string& spec) {
  if (spec == "seed") return {spec, {2, 4, 6, 8, 1, 3, 5, 7}};
  if (spec.empty()) bad(spec, "empty");
  const bool is_list = spec.find_first_not_of("0123456789.,eE+-") == std::string::npos;
  if (is_list) {
    TaskSet set{spec, {}};
    for (const auto& item : split(spec, ',')) {
      if (item.empty()) bad(spec, "empty entry");
      const double d = parse_number(spec, item);
      if (d <= 0) bad(spec, "durations must be positive, got " + item);
      set.durations.push_back(d);
    }
    return set;
  }
  const auto parts = split(spec, ':');
  if (parts.size() < 2 || parts.size() > 3) bad(spec, "expected KIND:COUNT[:SEED]");
  const std::size_t n = parse_whole(spec, parts[1]);
  if (n == 0) bad(spec, "needs at least one task");
  if (n > kMaxTasks) bad(spec, "more than " + std::to_string(kMaxTasks) + " tasks");
  const bool seeded = parts[0] == "uniform" || parts[0] == "heavy";
  if (parts.size() == 3 && !seeded) bad(spec, "only uniform and heavy take a seed");
  const std::uint64_t seed = parts.size() == 3 ? parse_whole(spec, parts[2]) : 1;
  return {spec, generate(spec, parts[0], n, seed)};
}

double parse_unit(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
    ++digits;
  const std::string number = text.substr(0, digits);
  const std::string suffix = text.substr(digits);
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  const double scale = suffix == "s"    ? 1
                       : suffix == "ms" ? 1e-3
                       : suffix == "us" ? 1e-6
                       : suffix == "ns" ? 1e-9
                                        : 0;
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() || scale == 0)
    throw std::invalid_argument("unit '" + text +
                                "' is not a duration (e.g. 1ms, 10ms, 500us, 1s)");
  const double seconds = value * scale;
  if (!(seconds >= 1e-6 && seconds <= 10))
    throw std::invalid_argument("unit '" + text + "' must be between 1us and 10s");
  return seconds;
}

void check_task_set(const TaskSet& set, double unit_seconds) {
  if (set.durations.empty()) bad(set.spec, "empty");
  if (set.durations.size() > kMaxTasks)
    bad(set.spec, "more than " + std::to_string(kMaxTasks) + " tasks");
  const double total =
      std::accumulate(set.durations.begin(), set.durations.end(), 0.0) * unit_seconds;
  if (total > kMaxSerialSeconds)
    bad(set.spec, "its tasks add up to " + std::to_string(total) + " s at this unit, more than " +
                      std::to_string(static_cast<int>(kMaxSerialSeconds)) + " s");
}

const char* to_string(TaskBody body) {
  return body == TaskBody::sleep ? "sleep" : "spin";
}

double monotonic_seconds() {
  return clock_seconds(CLOCK_MONOTONIC);
}

std::uint64_t run_task_body(TaskBody body, double seconds) {
  if (body == TaskBody::sleep) {
    // The default 50 us timer slack would add up over a worker's tasks.
    prctl(PR_SET_TIMERSLACK, 1UL);
    timespec deadline{};
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    const auto ns = static_cast<long long>(seconds * 1e9) + deadline.tv_nsec;
    deadline.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
    deadline.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) != 0) {
    }
    return 1;
  }
  // Computes in short bursts between reads of the thread's CPU clock, so that a thread that
  // shares its CPU takes longer in wall time, as real computation does.
  const double until = clock_seconds(CLOCK_THREAD_CPUTIME_ID) + seconds;
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  do {
    for (int i = 0; i < 256; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  } while (clock_seconds(CLOCK_THREAD_CPUTIME_ID) < until);
  return x | 1;
}

TaskWork::TaskWork(const TaskSet& set, double unit_seconds, TaskBody body,
                   std::vector<std::size_t> order)
    : spec_text_(set.spec),
      durations_(set.durations),
      unit_(unit_seconds),
      body_(body),
      order_(std::move(order)),
      records_(set.durations.size()),
      clock_(1) {}

namespace {

std::vector<std::size_t> task_order(const std::vector<double>& durations, bool by_length) {
  if (by_length) return longest_first(durations);
  std::vector<std::size_t> order(durations.size());
  std::iota(order.begin(), order.end(), 0);
  return order;
}

}  // namespace

TaskWork::TaskWork(const KernelSpec& spec)
    : TaskWork(parse_task_set(spec.tasks), spec.unit,
               spec.kernel == "sleep" ? TaskBody::sleep : TaskBody::spin,
               task_order(parse_task_set(spec.tasks).durations, spec.longest_first)) {}

void TaskWork::begin_job() {
  clock_[0].job += 1;
  clock_[0].duplicates.store(0);
  clock_[0].start = monotonic_seconds();
}

std::uint64_t TaskWork::run(unsigned worker, std::size_t begin, std::size_t end,
                            std::size_t stride) const {
  const JobClock& clock = clock_[0];
  saw(worker);
  std::uint64_t ran = 0;
  for (std::size_t i = begin; i < end; i += stride) {
    const std::size_t task = order_[i];
    TaskRecord& r = records_[task];
    const double start = monotonic_seconds() - clock.start;
    const std::uint64_t kept = run_task_body(body_, seconds(task));
    if (r.job.exchange(clock.job) == clock.job) clock_[0].duplicates.fetch_add(1);
    r.worker = static_cast<std::int32_t>(worker);
    r.start = start;
    r.end = monotonic_seconds() - clock.start;
    ran += kept != 0;
  }
  return ran;
}

bool TaskWork::describe(KernelSpec& spec) const {
  if (spec_text_.empty()) return false;
  spec = KernelSpec{};
  spec.kernel = to_string(body_);
  spec.tasks = spec_text_;
  spec.unit = unit_;
  // A set already longest first has one order either way.
  spec.longest_first = order_ == longest_first(durations_);
  return true;
}

void TaskWork::record_ran_elsewhere(std::size_t task, unsigned worker, double start, double end) {
  JobClock& clock = clock_[0];
  TaskRecord& r = records_[task];
  if (r.job.exchange(clock.job) == clock.job) clock.duplicates.fetch_add(1);
  r.worker = static_cast<std::int32_t>(worker);
  r.start = start;
  r.end = end;
}

std::optional<std::string> TaskWork::check_job() const {
  const JobClock& clock = clock_[0];
  if (clock.duplicates.load() != 0)
    return std::to_string(clock.duplicates.load()) + " task(s) ran more than once";
  for (std::size_t task = 0; task < records_.size(); ++task) {
    const TaskRecord& r = records_[task];
    if (r.job.load() != clock.job) return "task " + std::to_string(task) + " did not run";
    // 1 us of tolerance for the clock reads around the body.
    if (r.end - r.start < seconds(task) - 1e-6)
      return "task " + std::to_string(task) + " ended before its duration";
  }
  return std::nullopt;
}

}  // namespace parbench
