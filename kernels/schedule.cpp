#include "kernels/schedule.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "kernels/partition.hpp"

namespace parbench {

double lower_bound(const std::vector<double>& durations, unsigned workers) {
  const double sum = std::accumulate(durations.begin(), durations.end(), 0.0);
  const double longest =
      durations.empty() ? 0 : *std::max_element(durations.begin(), durations.end());
  return std::max(sum / workers, longest);
}

Discipline discipline_of(Split split, bool longest_first) {
  switch (split) {
    case Split::block:
      return Discipline::block;
    case Split::cyclic:
      return Discipline::cyclic;
    case Split::dynamic:
      return longest_first ? Discipline::lpt : Discipline::queue;
    case Split::guided:
      return Discipline::guided;
    case Split::stealing:
      return Discipline::stealing;
  }
  return Discipline::stealing;
}

std::vector<std::size_t> longest_first(const std::vector<double>& durations) {
  std::vector<std::size_t> order(durations.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return durations[a] > durations[b]; });
  return order;
}

namespace {

// Runs the policy as events: a free worker takes its next task (from its own list for static
// policies, from the shared list otherwise), busy workers advance at min(1, cpus/busy), and the
// next event is the earliest completion. Workers freed at the same instant take work in index
// order, as the first taker of a FIFO queue would.
class Simulation {
 public:
  Simulation(const std::vector<double>& durations, unsigned workers, unsigned cpus)
      : d_(durations), cpus_(cpus), own_(workers), current_(workers, kIdle), left_(workers, 0) {
    p_.worker.assign(d_.size(), 0);
    p_.start.assign(d_.size(), 0);
  }

  // Static policies: worker w runs exactly these tasks, in this order.
  void give(unsigned w, std::size_t task) { own_[w].push_back(task); }
  // Dynamic policies: a free worker with nothing of its own takes `chunk(remaining)` tasks.
  template <typename Chunk>
  void share(std::vector<std::size_t> order, Chunk chunk) {
    shared_ = std::move(order);
    chunk_ = chunk;
  }

  double run() {
    double now = 0;
    for (;;) {
      start_free_workers(now);
      if (busy() == 0) return now;
      const double shortest = shortest_left();
      now += shortest / rate(cpus_);
      advance(shortest);
    }
  }

  // The steps of run(), for a driver that shares CPUs among several simulations (predict_corun).
  void start_free_workers(double now) {
    for (unsigned w = 0; w < current_.size(); ++w)
      if (current_[w] == kIdle) take(w, now);
  }
  unsigned busy() const {
    unsigned n = 0;
    for (const std::size_t task : current_) n += task != kIdle;
    return n;
  }
  // The least work a busy worker has left (busy() > 0).
  double shortest_left() const {
    double shortest = -1;
    for (unsigned w = 0; w < current_.size(); ++w)
      if (current_[w] != kIdle && (shortest < 0 || left_[w] < shortest)) shortest = left_[w];
    return shortest;
  }
  // How fast each busy worker advances when its busy workers share `cpus` fairly.
  double rate(double cpus) const { return std::min(1.0, cpus / busy()); }
  // Every busy worker does `work`; those whose task is done are free.
  void advance(double work) {
    for (unsigned w = 0; w < current_.size(); ++w) {
      if (current_[w] == kIdle) continue;
      left_[w] -= work;
      if (left_[w] <= 1e-12 * (1 + work)) current_[w] = kIdle;
    }
  }

  Prediction& prediction() { return p_; }

 private:
  static constexpr std::size_t kIdle = static_cast<std::size_t>(-1);

  void take(unsigned w, double now) {
    if (own_[w].empty() && next_shared_ < shared_.size()) {
      const std::size_t n = chunk_(shared_.size() - next_shared_);
      for (std::size_t i = 0; i < n && next_shared_ < shared_.size(); ++i)
        own_[w].push_back(shared_[next_shared_++]);
    }
    if (own_[w].empty()) return;
    const std::size_t task = own_[w].front();
    own_[w].pop_front();
    current_[w] = task;
    left_[w] = d_[task];
    p_.worker[task] = w;
    p_.start[task] = now;
  }

  const std::vector<double>& d_;
  unsigned cpus_;
  std::vector<std::deque<std::size_t>> own_;
  std::vector<std::size_t> current_;
  std::vector<double> left_;
  std::vector<std::size_t> shared_;
  std::size_t next_shared_ = 0;
  std::function<std::size_t(std::size_t)> chunk_;
  Prediction p_;
};

// Gives the simulation its tasks as the discipline hands them out; how, in words.
std::string assign(Simulation& sim, const std::vector<double>& d, unsigned workers,
                   Discipline discipline) {
  const std::size_t n = d.size();
  std::vector<std::size_t> in_order(n);
  std::iota(in_order.begin(), in_order.end(), 0);
  auto one = [](std::size_t) -> std::size_t { return 1; };
  switch (discipline) {
    case Discipline::block:
      for (unsigned w = 0; w < workers; ++w) {
        const Range r = block_range(n, workers, w);
        for (std::size_t i = r.begin; i < r.end; ++i) sim.give(w, i);
      }
      return "block: worker w runs its contiguous block in order";
    case Discipline::cyclic:
      for (std::size_t i = 0; i < n; ++i) sim.give(static_cast<unsigned>(i % workers), i);
      return "cyclic: task i on worker i mod P, in order";
    case Discipline::queue:
      sim.share(in_order, one);
      return "queue: greedy list schedule in list order";
    case Discipline::lpt:
      sim.share(longest_first(d), one);
      return "lpt: greedy list schedule, longest first";
    case Discipline::guided:
      sim.share(in_order, [workers](std::size_t remaining) {
        return std::max<std::size_t>(1, (remaining + workers - 1) / workers);
      });
      return "guided: a free worker takes ceil(remaining/P) tasks in order";
    case Discipline::stealing:
      sim.share(in_order, one);
      return "stealing: no fixed order; predicted = greedy list schedule in list order, range = "
             "[lower bound, sum/c + (1 - 1/c) longest] (Graham), c = CPUs";
  }
  return "";
}

}  // namespace

Prediction predict(const std::vector<double>& d, unsigned workers, Discipline discipline,
                   unsigned cpus) {
  const std::size_t n = d.size();
  cpus = cpus == 0 ? workers : std::min(cpus, workers);
  Simulation sim(d, workers, cpus);
  std::string method = assign(sim, d, workers, discipline);
  if (cpus < workers)
    method +=
        "; " + std::to_string(workers) + " workers share " + std::to_string(cpus) + " CPUs fairly";
  const double makespan = sim.run();
  Prediction p = std::move(sim.prediction());
  p.makespan = makespan;
  p.upper = p.makespan;
  p.lower_bound = lower_bound(d, cpus);
  p.method = method;
  if (discipline == Discipline::stealing) {
    const double sum = std::accumulate(d.begin(), d.end(), 0.0);
    const double longest = n == 0 ? 0 : *std::max_element(d.begin(), d.end());
    p.upper = std::max(p.makespan, sum / cpus + (1.0 - 1.0 / cpus) * longest);
  }
  return p;
}

namespace {

// Both jobs' simulations, advanced together to each next completion in either.
class TwoJobs {
 public:
  TwoJobs(const CorunJob& a, const CorunJob& b, unsigned cpus, bool shared, bool uses_cpu)
      : a_(a.durations, a.workers, a.workers),
        b_(b.durations, b.workers, b.workers),
        own_a_(std::max(1u, a.cpus)),
        own_b_(std::max(1u, b.cpus)),
        cpus_(std::max(1u, cpus)),
        shared_(shared),
        uses_cpu_(uses_cpu) {
    method_ = "A: " + assign(a_, a.durations, a.workers, a.discipline) +
              "; B: " + assign(b_, b.durations, b.workers, b.discipline);
  }

  void run() {
    double now = 0;
    for (;;) {
      a_.start_free_workers(now);
      b_.start_free_workers(now);
      if (a_.busy() == 0 && a_end_ < 0) {
        a_end_ = now;
        b_work_by_a_end_ = b_work_;
      }
      if (b_.busy() == 0 && b_end_ < 0) b_end_ = now;
      if (a_.busy() == 0 && b_.busy() == 0) break;
      now += step();
    }
  }

  double a_end() const { return a_end_; }
  double b_end() const { return b_end_; }
  double b_work_by_a_end() const { return b_work_by_a_end_; }
  const std::string& method() const { return method_; }

 private:
  // Advances both jobs to the next completion in either; the time it took.
  double step() {
    const double rate_a = a_.busy() ? rate(a_, own_a_) : 0;
    const double rate_b = b_.busy() ? rate(b_, own_b_) : 0;
    double dt = std::numeric_limits<double>::infinity();
    if (rate_a > 0) dt = std::min(dt, a_.shortest_left() / rate_a);
    if (rate_b > 0) dt = std::min(dt, b_.shortest_left() / rate_b);
    b_work_ += dt * rate_b * b_.busy();
    if (rate_a > 0) a_.advance(dt * rate_a);
    if (rate_b > 0) b_.advance(dt * rate_b);
    return dt;
  }

  double rate(const Simulation& job, unsigned own) const {
    if (!uses_cpu_) return 1;
    if (!shared_) return job.rate(own);
    return std::min(1.0, static_cast<double>(cpus_) / (a_.busy() + b_.busy()));
  }

  Simulation a_, b_;
  unsigned own_a_, own_b_, cpus_;
  bool shared_, uses_cpu_;
  double a_end_ = -1, b_end_ = -1, b_work_ = 0, b_work_by_a_end_ = 0;
  std::string method_;
};

}  // namespace

CorunPrediction predict_corun(const CorunJob& a, const CorunJob& b, unsigned cpus, bool shared,
                              bool uses_cpu) {
  if (a.workers == 0 || b.workers == 0 || cpus == 0 || (!shared && (a.cpus == 0 || b.cpus == 0)))
    throw std::invalid_argument("predict_corun: every job needs a worker and a CPU");
  TwoJobs both(a, b, cpus, shared, uses_cpu);
  both.run();
  CorunPrediction p;
  p.a_end = both.a_end();
  p.b_end = both.b_end();
  const double b_work = std::accumulate(b.durations.begin(), b.durations.end(), 0.0);
  if (p.a_end > 0) p.b_rate_during = std::min(both.b_work_by_a_end(), b_work) / p.a_end;
  if (p.b_end > p.a_end) p.b_rate_after = (b_work - both.b_work_by_a_end()) / (p.b_end - p.a_end);
  // B alone: an empty A, the same sizing.
  CorunJob none = a;
  none.durations.clear();
  TwoJobs alone(none, b, cpus, shared, uses_cpu);
  alone.run();
  if (alone.b_end() > 0) p.b_rate_alone = b_work / alone.b_end();
  p.method = both.method() +
             (!uses_cpu ? "; tasks use no CPU"
              : shared  ? "; every busy worker shares all " + std::to_string(cpus) + " CPUs fairly"
                        : "; each job's busy workers share its own CPUs (A " +
                             std::to_string(a.cpus) + ", B " + std::to_string(b.cpus) + ")");
  return p;
}

}  // namespace parbench
