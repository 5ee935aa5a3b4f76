#include "kernels/schedule.hpp"

#include <algorithm>
#include <numeric>

#include "kernels/partition.hpp"

namespace parbench {

double lower_bound(const std::vector<double>& durations, unsigned workers) {
  const double sum = std::accumulate(durations.begin(), durations.end(), 0.0);
  const double longest =
      durations.empty() ? 0 : *std::max_element(durations.begin(), durations.end());
  return std::max(sum / workers, longest);
}

std::vector<std::size_t> longest_first(const std::vector<double>& durations) {
  std::vector<std::size_t> order(durations.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return durations[a] > durations[b]; });
  return order;
}

namespace {

// Places tasks on workers one after the other and tracks when each worker is free.
struct Timeline {
  Timeline(std::size_t tasks, unsigned workers) : free_at(workers, 0.0), p{} {
    p.worker.resize(tasks);
    p.start.resize(tasks);
  }
  void place(std::size_t task, unsigned w, double duration) {
    p.worker[task] = w;
    p.start[task] = free_at[w];
    free_at[w] += duration;
  }
  // The worker free first; ties go to the lowest index, as a FIFO queue's first taker.
  unsigned first_free() const {
    return static_cast<unsigned>(std::min_element(free_at.begin(), free_at.end()) -
                                 free_at.begin());
  }
  Prediction finish(const std::vector<double>& durations, unsigned workers, std::string method) {
    p.makespan = free_at.empty() ? 0 : *std::max_element(free_at.begin(), free_at.end());
    p.upper = p.makespan;
    p.lower_bound = lower_bound(durations, workers);
    p.method = std::move(method);
    return std::move(p);
  }
  std::vector<double> free_at;
  Prediction p;
};

Prediction greedy(const std::vector<double>& d, unsigned workers,
                  const std::vector<std::size_t>& order, std::string method) {
  Timeline t(d.size(), workers);
  for (std::size_t task : order) t.place(task, t.first_free(), d[task]);
  return t.finish(d, workers, std::move(method));
}

}  // namespace

Prediction predict(const std::vector<double>& d, unsigned workers, Discipline discipline) {
  const std::size_t n = d.size();
  std::vector<std::size_t> in_order(n);
  std::iota(in_order.begin(), in_order.end(), 0);
  switch (discipline) {
    case Discipline::block: {
      Timeline t(n, workers);
      for (unsigned w = 0; w < workers; ++w) {
        const Range r = block_range(n, workers, w);
        for (std::size_t i = r.begin; i < r.end; ++i) t.place(i, w, d[i]);
      }
      return t.finish(d, workers, "block: worker w runs its contiguous block in order");
    }
    case Discipline::cyclic: {
      Timeline t(n, workers);
      for (std::size_t i = 0; i < n; ++i) t.place(i, static_cast<unsigned>(i % workers), d[i]);
      return t.finish(d, workers, "cyclic: task i on worker i mod P, in order");
    }
    case Discipline::queue:
      return greedy(d, workers, in_order, "queue: greedy list schedule in list order");
    case Discipline::lpt:
      return greedy(d, workers, longest_first(d), "lpt: greedy list schedule, longest first");
    case Discipline::guided: {
      Timeline t(n, workers);
      for (std::size_t next = 0; next < n;) {
        const std::size_t chunk = std::max<std::size_t>(1, (n - next + workers - 1) / workers);
        const unsigned w = t.first_free();
        for (std::size_t i = next; i < std::min(n, next + chunk); ++i) t.place(i, w, d[i]);
        next += chunk;
      }
      return t.finish(d, workers, "guided: a free worker takes ceil(remaining/P) tasks in order");
    }
    case Discipline::stealing: {
      Prediction p = greedy(d, workers, in_order,
                            "stealing: no fixed order; predicted = greedy list schedule in list "
                            "order, range = [lower bound, sum/P + (1 - 1/P) longest] (Graham)");
      const double sum = std::accumulate(d.begin(), d.end(), 0.0);
      const double longest = n == 0 ? 0 : *std::max_element(d.begin(), d.end());
      p.upper = sum / workers + (1.0 - 1.0 / workers) * longest;
      return p;
    }
  }
  return {};
}

}  // namespace parbench
