#include "kernels/schedule.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <numeric>

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
      for (unsigned w = 0; w < current_.size(); ++w)
        if (current_[w] == kIdle) take(w, now);
      unsigned busy = 0;
      double shortest = 0;
      for (unsigned w = 0; w < current_.size(); ++w)
        if (current_[w] != kIdle) shortest = busy++ == 0 ? left_[w] : std::min(shortest, left_[w]);
      if (busy == 0) return now;
      const double rate = std::min(1.0, static_cast<double>(cpus_) / busy);
      now += shortest / rate;
      for (unsigned w = 0; w < current_.size(); ++w) {
        if (current_[w] == kIdle) continue;
        left_[w] -= shortest;
        if (left_[w] <= 1e-12 * (1 + shortest)) current_[w] = kIdle;
      }
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

}  // namespace

Prediction predict(const std::vector<double>& d, unsigned workers, Discipline discipline,
                   unsigned cpus) {
  const std::size_t n = d.size();
  cpus = cpus == 0 ? workers : std::min(cpus, workers);
  Simulation sim(d, workers, cpus);
  std::vector<std::size_t> in_order(n);
  std::iota(in_order.begin(), in_order.end(), 0);
  auto one = [](std::size_t) -> std::size_t { return 1; };
  std::string method;
  switch (discipline) {
    case Discipline::block:
      for (unsigned w = 0; w < workers; ++w) {
        const Range r = block_range(n, workers, w);
        for (std::size_t i = r.begin; i < r.end; ++i) sim.give(w, i);
      }
      method = "block: worker w runs its contiguous block in order";
      break;
    case Discipline::cyclic:
      for (std::size_t i = 0; i < n; ++i) sim.give(static_cast<unsigned>(i % workers), i);
      method = "cyclic: task i on worker i mod P, in order";
      break;
    case Discipline::queue:
      sim.share(in_order, one);
      method = "queue: greedy list schedule in list order";
      break;
    case Discipline::lpt:
      sim.share(longest_first(d), one);
      method = "lpt: greedy list schedule, longest first";
      break;
    case Discipline::guided:
      sim.share(in_order, [workers](std::size_t remaining) {
        return std::max<std::size_t>(1, (remaining + workers - 1) / workers);
      });
      method = "guided: a free worker takes ceil(remaining/P) tasks in order";
      break;
    case Discipline::stealing:
      sim.share(in_order, one);
      method =
          "stealing: no fixed order; predicted = greedy list schedule in list order, range = "
          "[lower bound, sum/c + (1 - 1/c) longest] (Graham), c = CPUs";
      break;
  }
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

}  // namespace parbench
