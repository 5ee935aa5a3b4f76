#include "platform/clocks.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <climits>
#include <cmath>

namespace parbench {

double clock_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double reaped_children_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

namespace {

int milliseconds_until(std::chrono::steady_clock::time_point deadline) {
  const auto left = deadline - std::chrono::steady_clock::now();
  if (left <= std::chrono::steady_clock::duration::zero()) return 0;
  const double ms = std::ceil(std::chrono::duration<double, std::milli>(left).count());
  return ms >= INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace

int poll_until(pollfd* fds, nfds_t count, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const int n = poll(fds, count, milliseconds_until(deadline));
    if (n >= 0 || errno != EINTR) return n;
  }
}

int poll_for(pollfd* fds, nfds_t count, int milliseconds) {
  return poll_until(fds, count,
                    std::chrono::steady_clock::now() + std::chrono::milliseconds(milliseconds));
}

}  // namespace parbench
