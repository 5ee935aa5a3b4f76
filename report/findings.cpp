#include "report/findings.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "platform/machine.hpp"
#include "report/console.hpp"
#include "report/results.hpp"
#include "schema/names.hpp"
#include "schema/report.hpp"
#include "schema/text.hpp"
#include "stats/statistics.hpp"

namespace parbench {
namespace {

using nlohmann::json;
using schema::joined;

// printf into a std::string.
__attribute__((format(printf, 1, 2))) std::string format(const char* pattern, ...) {
  char text[512];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(text, sizeof text, pattern, args);
  va_end(args);
  return text;
}

// A benchmark's result as the findings weigh it: the typed entry of its median (or of its one
// repetition), with the parameters they compare by.
struct Result {
  const schema::Entry* entry = nullptr;
  std::string name;                             // run_name, as in the report
  std::string kernel, backend, launch, policy;  // policy without its grain
  int workers = 1;
  double seconds = 0;                       // the median's real time
  std::optional<std::pair<double, double>>  // the median's 95% interval, seconds
      interval;

  double number(const char* key) const { return has(key) ? entry->fields[key].get<double>() : 0; }
  bool has(const char* key) const {
    return entry->fields.contains(key) && entry->fields[key].is_number();
  }
  const json& params() const { return *entry->params; }
  double bytes() const { return params().value("bytes", 0.0); }
  std::string tasks() const { return params().value("tasks", ""); }
  double unit() const { return params().value("unit", 0.0); }
  std::string label() const { return backend + "/" + launch; }
};

// Its real time in seconds; 0 where it has none (Google Benchmark's NaN reads as null).
double real_seconds(const schema::Entry& e) {
  const auto it = e.fields.find("real_time");
  return it != e.fields.end() && it->is_number() ? it->get<double>() * e.seconds_per_unit : 0;
}

std::optional<std::pair<double, double>> interval_of(const schema::Entry& e) {
  const json& m = e.fields.value("measurement", json::object());
  const auto it = m.find("median_interval");
  if (it == m.end() || !it->is_array() || it->size() != 2 || !(*it)[0].is_number() ||
      !(*it)[1].is_number())
    return std::nullopt;
  return std::make_pair((*it)[0].get<double>() * e.seconds_per_unit,
                        (*it)[1].get<double>() * e.seconds_per_unit);
}

Result result_of(const schema::Entry& e) {
  Result r;
  r.entry = &e;
  r.name = e.run_name;
  const json& p = *e.params;
  r.kernel = p.value("kernel", "");
  r.backend = p.value("backend", "");
  r.launch = p.value("launch", "");
  r.policy = p.value("policy", "");
  r.policy = r.policy.substr(0, r.policy.find(':'));
  r.workers = p.value("workers", 1);
  r.seconds = real_seconds(e);
  r.interval = interval_of(e);
  return r;
}

// Verified, without an error, timed, and with parbench's parameters: evidence.
bool usable_entry(const schema::Entry& e) {
  return e.params && !e.error && e.fields.value("verified", false) && real_seconds(e) > 0;
}

// Reports made before the measurement engine carry no interval: their repetitions' order
// statistics give one, from 5 repetitions on (the range of 5 holds the median 94% of the time).
std::optional<std::pair<double, double>> interval_of_repetitions(
    const std::vector<double>& repetitions) {
  constexpr std::size_t kFewest = 5;
  if (repetitions.size() < kFewest) return std::nullopt;
  const auto interval = median_interval(repetitions);
  if (!interval) return std::nullopt;
  return std::make_pair(interval->low, interval->high);
}

std::vector<Result> results_of(const std::vector<schema::Entry>& entries) {
  std::map<std::string, const schema::Entry*> median, single;
  std::map<std::string, std::vector<double>> repetitions;  // seconds
  for (const auto& e : entries) {
    if (!usable_entry(e)) continue;
    if (e.aggregate && e.aggregate_name == "median") median[e.run_name] = &e;
    if (!e.aggregate) {
      single[e.run_name] = &e;
      repetitions[e.run_name].push_back(real_seconds(e));
    }
  }
  for (const auto& [name, times] : repetitions)
    if (times.size() == 1 && !median.count(name)) median[name] = single[name];
  std::vector<Result> results;
  for (const auto& [name, e] : median) {
    results.push_back(result_of(*e));
    if (!results.back().interval)
      results.back().interval = interval_of_repetitions(repetitions[name]);
  }
  return results;
}

// Both intervals known and apart: the difference is larger than the noise.
bool differs(const Result& a, const Result& b) {
  return a.interval && b.interval &&
         (a.interval->second < b.interval->first || b.interval->second < a.interval->first);
}

// What the findings ask of the report's registry of backends (context.backends), the only
// source of facts about a backend here.
class Backends {
 public:
  explicit Backends(schema::ReportedBackends registry) : registry_(std::move(registry)) {}
  bool reference(const std::string& backend) const {
    const schema::ReportedBackend* b = registry_.find(backend);
    return b != nullptr && b->reference;
  }
  bool per_job(const Result& r) const { return registry_.workers_per_job(r.backend, r.launch); }
  // The generic split of a result's policy ("" when the registry does not say).
  std::string split(const Result& r) const {
    const schema::ReportedPolicy* p = registry_.policy(r.kernel, r.backend, r.policy);
    return p != nullptr ? p->split : "";
  }
  bool longest_first(const Result& r) const {
    const schema::ReportedPolicy* p = registry_.policy(r.kernel, r.backend, r.policy);
    return p != nullptr && p->longest_first;
  }

 private:
  schema::ReportedBackends registry_;
};

struct Finding {
  Finding(std::string id, std::string question)
      : question(std::move(id)), title(std::move(question)) {}
  std::string question, title, answer;
  bool supported = true;
  std::vector<std::string> evidence;
  json figures = json::object();

  void rests_on(const Result& r) {
    if (std::find(evidence.begin(), evidence.end(), r.name) == evidence.end())
      evidence.push_back(r.name);
  }
  Finding& unsupported(std::string why) {
    supported = false;
    answer = std::move(why);
    return *this;
  }
  json to_json() const {
    return {{"question", question},   {"title", title},       {"answer", answer},
            {"supported", supported}, {"evidence", evidence}, {"figures", figures}};
  }
};

struct Inputs {
  std::vector<Result> results;
  Backends backends;
  const json& context;
  unsigned cpus;
};

std::vector<const Result*> where(const Inputs& in, const std::function<bool(const Result&)>& keep) {
  std::vector<const Result*> chosen;
  for (const auto& r : in.results)
    if (keep(r)) chosen.push_back(&r);
  return chosen;
}

// The worker count to answer at: the usable CPUs when measured, else the most below them,
// else the fewest above.
int answer_workers(const std::vector<const Result*>& rs, unsigned cpus) {
  std::set<int> counts;
  for (const Result* r : rs)
    if (r->workers > 1) counts.insert(r->workers);
  if (counts.empty()) return 0;
  if (counts.count(static_cast<int>(cpus))) return static_cast<int>(cpus);
  auto above = counts.upper_bound(static_cast<int>(cpus));
  if (above != counts.begin()) return *std::prev(above);
  return *above;
}

std::size_t last_level_cache(const json& context) {
  std::size_t bytes = 0;
  for (const auto& c : context.value("cache_levels", json::array()))
    if (c.value("type", "") != "Instruction") bytes = std::max(bytes, c.value("bytes", 0ul));
  return bytes;
}

double largest_sum_bytes(const Inputs& in) {
  double largest = 0;
  for (const auto& r : in.results)
    if (r.kernel == "sum") largest = std::max(largest, r.bytes());
  return largest;
}

std::string workers_text(int workers) {
  return format("%d worker%s", workers, workers == 1 ? "" : "s");
}

Finding bandwidth(const Inputs& in) {
  Finding f{"bandwidth", "How close does each backend get to the memory bandwidth?"};
  const double read = in.context.value("read_bandwidth", 0.0);
  const double largest = largest_sum_bytes(in);
  if (largest == 0 || read <= 0)
    return f.unsupported(
        "This report has no sum, or no calibrated read bandwidth to compare with.");
  const std::size_t llc = last_level_cache(in.context);
  if (llc != 0 && largest <= static_cast<double>(llc))
    return f.unsupported(format(
        "The largest sum here (%s) fits in the last-level cache (%s): its fractions of the read "
        "bandwidth measure the cache, not memory. The full suite, or --sizes past the cache, "
        "answers this.",
        bytes_text(static_cast<std::size_t>(largest)).c_str(), bytes_text(llc).c_str()));
  std::map<std::string, const Result*> best;  // per backend, the highest bandwidth
  for (const Result* r : where(in, [&](const Result& r) {
         return r.kernel == "sum" && r.bytes() == largest && r.has("bandwidth_fraction");
       })) {
    auto& b = best[r->backend];
    if (b == nullptr || r->number("bytes_per_second") > b->number("bytes_per_second")) b = r;
  }
  std::vector<const Result*> ranked;
  for (const auto& [backend, r] : best) ranked.push_back(r);
  std::sort(ranked.begin(), ranked.end(), [](const Result* a, const Result* b) {
    return a->number("bandwidth_fraction") > b->number("bandwidth_fraction");
  });
  std::vector<std::string> parts;
  for (const Result* r : ranked) {
    parts.push_back(format("%s %.2f (%s, %s)", r->backend.c_str(), r->number("bandwidth_fraction"),
                           r->policy.c_str(), workers_text(r->workers).c_str()));
    f.figures[r->backend] = r->number("bandwidth_fraction");
    f.rests_on(*r);
  }
  f.figures["bytes"] = largest;
  f.figures["read_bandwidth"] = read;
  f.answer = format(
      "At %s%s, the best run of each backend read at %s of the read bandwidth "
      "calibrated in this run (%.1f GB/s).",
      bytes_text(static_cast<std::size_t>(largest)).c_str(),
      llc != 0 ? format(" (past the %s last-level cache)", bytes_text(llc).c_str()).c_str() : "",
      joined(parts).c_str(), read / 1e9);
  if (ranked.front()->number("bandwidth_fraction") > 1.05)
    f.answer += " Above 1, a run read faster than the calibration did.";
  return f;
}

Finding split(const Inputs& in) {
  Finding f{"split", "Contiguous blocks or a strided split?"};
  const double largest = largest_sum_bytes(in);
  auto sums = where(in, [&](const Result& r) { return r.kernel == "sum" && r.bytes() == largest; });
  const int workers = answer_workers(sums, in.cpus);
  std::vector<std::string> parts;
  int apart = 0, pairs = 0;
  double low = 1e300, high = 0;
  for (const Result* block : sums) {
    if (block->workers != workers || in.backends.split(*block) != "block") continue;
    for (const Result* strided : sums) {
      if (strided->workers != workers || strided->label() != block->label() ||
          in.backends.split(*strided) != "cyclic")
        continue;
      const double ratio = block->seconds / strided->seconds;
      ++pairs;
      apart += differs(*block, *strided);
      low = std::min(low, ratio);
      high = std::max(high, ratio);
      parts.push_back(format("%s %.2f×%s", block->label().c_str(), ratio,
                             differs(*block, *strided) ? "" : " (within the noise)"));
      f.figures[block->label()] = ratio;
      f.rests_on(*block);
      f.rests_on(*strided);
    }
  }
  if (pairs == 0)
    return f.unsupported(
        "No backend ran both a block and a strided (cyclic) split of the same sum with more than "
        "one worker in this report.");
  f.figures["bytes"] = largest;
  f.figures["workers"] = workers;
  f.answer = format(
      "A strided split (data[i::P]) reads the %s array at %s of the bandwidth of "
      "contiguous blocks with %d workers.",
      bytes_text(static_cast<std::size_t>(largest)).c_str(), joined(parts).c_str(), workers);
  if (apart == 0)
    f.answer += " Here the two cannot be told apart: every difference is within the noise.";
  else if (high < 0.9)
    f.answer += format(
        " Blocks win (%.2f–%.2f×): each strided worker walks every cache line of "
        "the array and uses only 1/%d of it.",
        low, high, workers);
  else if (low > 1.1)
    f.answer += format(" The strided split wins (%.2f–%.2f×).", low, high);
  return f;
}

Finding launch(const Inputs& in) {
  Finding f{"launch",
            "Threads or processes: what do starting workers and handing them a job cost?"};
  auto launches = where(in, [](const Result& r) { return r.kernel == "launch"; });
  auto dispatches =
      where(in, [](const Result& r) { return r.kernel == "launch" && r.policy == "dispatch"; });
  const int workers = answer_workers(dispatches, in.cpus);
  auto find = [&](const Result& like, const std::string& policy) -> const Result* {
    for (const Result* r : launches)
      if (r->policy == policy && r->label() == like.label() && r->workers == like.workers) return r;
    return nullptr;
  };
  std::vector<std::string> kept, per_job, repaid;
  for (const Result* d : dispatches) {
    if (d->workers != workers) continue;
    f.rests_on(*d);
    if (in.backends.per_job(*d)) {
      per_job.push_back(format("%s %s", d->backend.c_str(), time_text(d->seconds).c_str()));
      f.figures[d->label() + "/dispatch"] = d->seconds;
      continue;
    }
    std::string text = format("%s %s", d->backend.c_str(), time_text(d->seconds).c_str());
    if (const Result* floor = find(*d, "floor")) {
      text += format(" (%.2f× its bare runtime)", d->seconds / floor->seconds);
      f.figures[d->label() + "/floor"] = floor->seconds;
      f.rests_on(*floor);
    }
    kept.push_back(text);
    f.figures[d->label() + "/dispatch"] = d->seconds;
  }
  if (kept.empty() && per_job.empty())
    return f.unsupported("This report has no dispatch of an empty job with more than one worker.");
  // A kept pool's start is repaid once the jobs it serves have saved as much.
  for (const Result* d : dispatches) {
    if (d->workers != workers || !in.backends.per_job(*d)) continue;
    for (const Result* start : launches) {
      if (start->policy != "start" || start->backend != d->backend || start->workers != workers)
        continue;
      const Result* pooled = find(*start, "dispatch");
      if (pooled == nullptr || pooled->seconds >= d->seconds) continue;
      const double jobs = std::ceil(start->seconds / (d->seconds - pooled->seconds));
      repaid.push_back(format("%s's after %.0f job%s (start %s)", d->backend.c_str(), jobs,
                              jobs == 1 ? "" : "s", time_text(start->seconds).c_str()));
      f.figures[start->label() + "/start"] = start->seconds;
      f.rests_on(*start);
    }
  }
  std::string answer;
  if (!kept.empty())
    answer = format("Handing an empty job to %d kept workers (a pool, team or arena) took %s.",
                    workers, joined(kept).c_str());
  if (!per_job.empty())
    answer += format("%sMaking %d new workers for every job took %s", answer.empty() ? "" : " ",
                     workers, joined(per_job).c_str()) +
              (repaid.empty() ? "." : "; a pool's start is repaid: " + joined(repaid) + ".");
  f.figures["workers"] = workers;
  f.answer = answer;
  return f;
}

// The task set most of the task benchmarks ran ("seed" when it is there).
std::string main_task_set(const std::vector<const Result*>& rs) {
  std::map<std::string, int> count;
  for (const Result* r : rs) ++count[r->tasks()];
  if (count.count("seed")) return "seed";
  std::string best;
  for (const auto& [tasks, n] : count)
    if (best.empty() || n > count[best]) best = tasks;
  return best;
}

std::string capitalized(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

std::string split_name(const Backends& backends, const Result& r) {
  if (backends.longest_first(r)) return "longest-first queue";
  const std::string split = backends.split(r);
  if (split == "dynamic") return "queue";
  if (split == "stealing") return "work stealing";
  return split;
}

// The task benchmarks of the main task set, without the reference backend's. Sleeping tasks
// leave the CPUs free, so the split alone decides their makespan: they are preferred.
std::vector<const Result*> uneven_tasks(const Inputs& in, std::string& set) {
  auto tasks = where(in, [](const Result& r) { return r.kernel == "sleep" && r.has("predicted"); });
  if (tasks.empty())
    tasks = where(in, [](const Result& r) { return r.kernel == "spin" && r.has("predicted"); });
  set = main_task_set(tasks);
  tasks.erase(std::remove_if(tasks.begin(), tasks.end(),
                             [&](const Result* r) {
                               return r->tasks() != set || in.backends.reference(r->backend);
                             }),
              tasks.end());
  return tasks;
}

// The shortest makespan of each split on `workers`, shortest first.
std::vector<const Result*> best_of_each_split(const Inputs& in,
                                              const std::vector<const Result*>& tasks,
                                              int workers) {
  std::map<std::string, const Result*> best;
  for (const Result* r : tasks) {
    if (r->workers != workers) continue;
    const std::string split = split_name(in.backends, *r);
    if (split.empty()) continue;
    auto& b = best[split];
    if (b == nullptr || r->seconds < b->seconds) b = r;
  }
  std::vector<const Result*> ranked;
  for (const auto& [split, r] : best) ranked.push_back(r);
  std::sort(ranked.begin(), ranked.end(),
            [](const Result* a, const Result* b) { return a->seconds < b->seconds; });
  return ranked;
}

Finding uneven(const Inputs& in) {
  Finding f{"uneven", "Uneven tasks: a static split, a queue, or work stealing?"};
  std::string set;
  const std::vector<const Result*> tasks = uneven_tasks(in, set);
  std::set<int> counts;
  for (const Result* r : tasks) counts.insert(r->workers);
  const int workers = counts.count(4) ? 4 : answer_workers(tasks, in.cpus);
  const std::vector<const Result*> ranked = best_of_each_split(in, tasks, workers);
  if (ranked.size() < 2)
    return f.unsupported(
        "This report has no task set run with two or more splits on the same "
        "workers.");
  std::vector<std::string> parts;
  const Result* static_best = nullptr;
  for (const Result* r : ranked) {
    const std::string split = split_name(in.backends, *r);
    parts.push_back(format("%s %s (model %s, %s)", split.c_str(), time_text(r->seconds).c_str(),
                           time_text(r->number("predicted")).c_str(), r->label().c_str()));
    f.figures[split] = r->seconds;
    f.figures[split + " model"] = r->number("predicted");
    f.rests_on(*r);
    if ((split == "block" || split == "cyclic") && static_best == nullptr) static_best = r;
  }
  const Result* first = ranked.front();
  const double bound = first->number("lower_bound");
  f.figures["lower_bound"] = bound;
  f.figures["workers"] = workers;
  f.answer = format(
      "%s tasks (%d of them, unit %s, %s) on %d workers, best of each split: %s; "
      "no split can beat %s.",
      capitalized(set).c_str(), first->params().value("task_count", 0),
      schema::duration_name(first->unit()).c_str(),
      first->kernel == "sleep" ? "sleeping" : "spinning", workers, joined(parts).c_str(),
      time_text(bound).c_str());
  const std::string winner = split_name(in.backends, *first);
  if (static_best != nullptr && static_best != first)
    f.answer +=
        differs(*first, *static_best)
            ? format(" %s beats the best static split by %.0f%%.", capitalized(winner).c_str(),
                     100 * (static_best->seconds / first->seconds - 1))
            : format(" %s and the best static split are within the noise.",
                     capitalized(winner).c_str());
  return f;
}

// Per worker count, the highest speedup over the reference of a task kernel and set.
std::map<int, const Result*> best_speedups(const Inputs& in, const std::string& kernel,
                                           const std::string& set) {
  std::map<int, const Result*> best;
  for (const auto& r : in.results) {
    if (r.kernel != kernel || r.tasks() != set || !r.has("speedup") ||
        in.backends.reference(r.backend))
      continue;
    auto& b = best[r.workers];
    if (b == nullptr || r.number("speedup") > b->number("speedup")) b = &r;
  }
  return best;
}

Finding oversubscription(const Inputs& in) {
  Finding f{"oversubscription",
            "More workers than CPUs: what do waiting (sleep) and computing (spin) tasks gain?"};
  const std::string set =
      main_task_set(where(in, [](const Result& r) { return r.kernel == "spin"; }));
  const auto sleep = best_speedups(in, "sleep", set);
  const auto spin = best_speedups(in, "spin", set);
  int most = 0;
  for (const auto& [w, r] : sleep)
    if (spin.count(w)) most = std::max(most, w);
  const int cpus = static_cast<int>(in.cpus);
  if (most <= cpus)
    return f.unsupported(
        format("No task set ran both asleep and spinning with more workers "
               "than the %d usable CPUs in this report.",
               cpus));
  const Result* s = sleep.at(most);
  const Result* c = spin.at(most);
  f.rests_on(*s);
  f.rests_on(*c);
  f.figures["workers"] = most;
  f.figures["cpus"] = cpus;
  f.figures["sleep_speedup"] = s->number("speedup");
  f.figures["spin_speedup"] = c->number("speedup");
  f.answer = format(
      "With %d workers on %d CPUs, the %s tasks ran %.2f× faster than on one "
      "worker when they sleep and %.2f× when they spin",
      most, cpus, set.c_str(), s->number("speedup"), c->number("speedup"));
  if (sleep.count(cpus) && spin.count(cpus)) {
    f.rests_on(*sleep.at(cpus));
    f.rests_on(*spin.at(cpus));
    f.figures["sleep_speedup_at_cpus"] = sleep.at(cpus)->number("speedup");
    f.figures["spin_speedup_at_cpus"] = spin.at(cpus)->number("speedup");
    f.answer += format(" (%.2f× and %.2f× with %d workers)", sleep.at(cpus)->number("speedup"),
                       spin.at(cpus)->number("speedup"), cpus);
  }
  f.answer += ": a waiting worker gives its CPU away, a computing one needs a CPU of its own.";
  return f;
}

Finding placement(const Inputs& in) {
  Finding f{"placement", "Where did the work run, and did placement matter?"};
  std::set<std::string> pins;
  int crowded = 0, placed = 0;
  for (const auto& r : in.results) {
    if (!r.entry->fields.contains("placement")) continue;
    const json& p = r.entry->fields["placement"];
    pins.insert(p.value("pin", ""));
    const auto cpus = p.value("cpu_of_worker", json::array());
    if (r.workers < 2 || r.workers > static_cast<int>(in.cpus) || cpus.size() < 2) continue;
    std::set<int> distinct;
    for (const auto& c : cpus)
      if (c.is_number_integer() && c.get<int>() >= 0) distinct.insert(c.get<int>());
    ++placed;
    crowded += distinct.size() < cpus.size();
  }
  const json& topology = in.context.value("topology", json::object());
  const int nodes = static_cast<int>(topology.value("numa_nodes", json::array()).size());
  f.figures["numa_nodes"] = nodes;
  f.figures["runs_with_shared_cpu"] = crowded;
  f.figures["runs_placed"] = placed;
  std::string seen;
  if (placed > 0)
    seen = format(
        " The operating system put two workers on one CPU, at their last look, in %d "
        "of %d runs with no more workers than CPUs.",
        crowded, placed);
  if (pins.size() > 1)
    f.answer = "This report mixes pinnings (" + joined({pins.begin(), pins.end()}) +
               "): compare its runs with parbench-compare." + seen;
  else {
    const std::string pin = pins.empty() ? in.context.value("pin", "none") : *pins.begin();
    const std::string where = nodes == 0   ? "NUMA nodes not recorded"
                              : nodes == 1 ? "on 1 NUMA node"
                                           : format("on %d NUMA nodes", nodes);
    f.unsupported(
        format("This run does not vary placement: every worker was placed with "
               "--pin=%s, %s, so it cannot say what placement costs here; a run with "
               "--pin=spread or --pin=compact, compared with this one, can.%s",
               pin.c_str(), where.c_str(), seen.c_str()));
  }
  return f;
}

Finding measurement(const Inputs& in) {
  Finding f{"measurement", "How well are these numbers known?"};
  const json& m = in.context.value("measurement", json::object());
  const double target = m.value("target", 0.02);
  int known = 0, undecided = 0, from_range = 0;
  std::map<double, int> within;  // by half-width: the target, 5%, 10%
  for (const auto& r : in.results) {
    if (!r.interval) continue;
    ++known;
    const double half =
        std::max(r.interval->second - r.seconds, r.seconds - r.interval->first) / r.seconds;
    if (r.entry->fields.contains("measurement"))
      undecided += !r.entry->fields["measurement"].value("decided", true);
    else
      ++from_range;
    for (double width : {target, 0.05, 0.10}) within[width] += width > 0 && half <= width;
  }
  const json& calibration = in.context.value("calibration", json::object());
  std::string drift;
  if (calibration.contains("drift") && calibration["drift"].is_number()) {
    drift = format(
        " The read bandwidth moved by %+.1f%% between the calibrations before and "
        "after the benchmarks.",
        100 * calibration["drift"].get<double>());
    f.figures["drift"] = calibration["drift"];
  }
  f.figures["benchmarks"] = in.results.size();
  f.figures["with_interval"] = known;
  if (known == 0)
    return f.unsupported(format("%zu benchmarks, none with a confidence interval of its median "
                                "(too few repetitions).",
                                in.results.size()) +
                         drift);
  f.figures["target"] = target;
  f.figures["within_target"] = within[target];
  f.figures["within_5%"] = within[0.05];
  f.figures["within_10%"] = within[0.10];
  f.figures["undecided"] = undecided;
  f.answer = format(
      "Of %d medians, %d are known within ±%g%%, %d within ±5%%, %d within ±10%% "
      "(%s).",
      known, within[target], 100 * target, within[0.05], within[0.10],
      from_range == 0 ? "95% confidence"
                      : "their repetitions' order statistics, at least 94% "
                        "confidence");
  if (m.contains("max_repetitions"))  // repeated until decided, not a fixed number of times
    f.answer += format(" %d stopped undecided, at a budget or at the most repetitions.", undecided);
  f.answer += drift;
  return f;
}

// Words of `text` on lines of at most `width` columns (counting UTF-8 characters), each after
// `indent`.
std::vector<std::string> wrapped(const std::string& text, std::size_t width,
                                 const std::string& indent) {
  auto columns = [](const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  };
  std::vector<std::string> lines;
  std::string line = indent;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    start = end + 1;
    if (line.size() > indent.size() && columns(line) + 1 + columns(word) > width) {
      lines.push_back(line);
      line = indent;
    }
    line += (line.size() > indent.size() ? " " : "") + word;
  }
  if (line.size() > indent.size()) lines.push_back(line);
  return lines;
}

// The report's entries, typed by the schema's reader; an entry that is not one is no evidence.
std::vector<schema::Entry> entries_of(const json& benchmarks) {
  std::vector<schema::Entry> entries;
  if (!benchmarks.is_array()) return entries;
  for (std::size_t i = 0; i < benchmarks.size(); ++i) try {
      entries.push_back(schema::read_entry(benchmarks[i], i));
    } catch (const schema::InputError&) {
    }
  return entries;
}

}  // namespace

json findings_of(const json& report) {
  static const json none = json::object();
  const json& context =
      report.contains("context") && report["context"].is_object() ? report["context"] : none;
  const std::vector<schema::Entry> entries = entries_of(report.value("benchmarks", json::array()));
  Inputs in{results_of(entries), Backends(schema::read_registry(context)), context,
            std::max(1u, context.value("usable_cpus", 1u))};
  json findings = json::array();
  for (const auto& make :
       {split, bandwidth, launch, uneven, oversubscription, placement, measurement})
    findings.push_back(make(in).to_json());
  return findings;
}

std::vector<std::string> findings_text(const json& findings, std::size_t width) {
  std::vector<std::string> lines{"What this run says about this machine:"};
  for (const auto& f : findings) {
    auto title = wrapped(
        f.value("title", "") + (f.value("supported", true) ? "" : " (not answered by this run)"),
        width, "  ");
    if (!title.empty()) title[0][0] = '-';
    auto answer = wrapped(f.value("answer", ""), width, "  ");
    lines.insert(lines.end(), title.begin(), title.end());
    lines.insert(lines.end(), answer.begin(), answer.end());
  }
  return lines;
}

}  // namespace parbench
