// fork + exec rather than posix_spawn: posix_spawn starts a child of a large process sooner
// (glibc's clone(CLONE_VFORK) copies no page tables) and reports a failed exec itself, but it
// cannot make the child die with its parent (PR_SET_PDEATHSIG), which is what keeps a server
// from outliving a parent killed by SIGKILL; Python's subprocess takes fork + exec for such
// preparations too. The server starts outside every job, so the copy of the page tables is
// never part of a timed job. Between fork and exec the child makes only async-signal-safe calls
// on what the parent made before: the parent may have other threads, one of them holding a lock
// of malloc's. A failed exec is told through a close-on-exec pipe, as posix_spawn does it.
#include "backends/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "backends/backend.hpp"
#include "platform/children.hpp"
#include "platform/clocks.hpp"

namespace parbench {
namespace {

constexpr double kGraceSeconds = 1.0;  // for a server to exit once its requests have ended

std::string frame(const nlohmann::json& message) {
  const std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (body.size() > kMostMessageBytes)
    throw std::invalid_argument("a message of " + std::to_string(body.size()) +
                                " bytes is longer than a server's channel carries");
  const auto n = static_cast<std::uint32_t>(body.size());
  std::string out = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)};
  return out + body;
}

std::uint32_t length_of(const char* header) {
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = n << 8 | static_cast<unsigned char>(header[i]);
  return n;
}

// The bytes as text, the unprintable ones escaped: what a garbled message looked like.
std::string shown(const std::string& bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// What is wrong with a message's length, if anything.
std::optional<std::string> bad_length(const char* header) {
  const std::uint32_t length = length_of(header);
  if (length <= kMostMessageBytes) return std::nullopt;
  std::ostringstream why;  // not string concatenation, which GCC 12 at -O3 warns of wrongly
  why << '"' << shown(std::string(header, 4)) << "\", a length of " << length
      << " bytes, more than the " << kMostMessageBytes << " a message may have";
  return why.str();
}

// The message's JSON; throws std::runtime_error saying what it began with when it is none.
nlohmann::json parse_body(const std::string& body) {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error("not JSON (" + std::string(e.what()) + "): \"" +
                             shown(body.substr(0, 60)) + (body.size() > 60 ? "...\"" : "\""));
  }
}

std::string describe_status(int status) {
  return (WIFSIGNALED(status) ? "was " : "") + how_it_ended(status);
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

// CPU seconds of the children `pid` has reaped: cutime and cstime, the 16th and 17th fields of
// /proc/<pid>/stat, in clock ticks.
double reaped_by(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t name_end = text.rfind(')');  // the name in parentheses may hold anything
  if (name_end == std::string::npos) return 0;
  std::istringstream fields(text.substr(name_end + 1));
  std::string field;
  long long ticks = 0;
  for (int i = 3; i <= 17 && fields >> field; ++i)
    if (i >= 16) ticks += std::strtoll(field.c_str(), nullptr, 10);
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

[[noreturn]] void exec_failed(int errors) {
  const int why = errno;
  [[maybe_unused]] const ssize_t told = write(errors, &why, sizeof why);
  _exit(127);
}

// The child, from fork to exec: async-signal-safe calls only.
[[noreturn]] void become_server(char* const* argv, int channel, int null_fd, int errors,
                                pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl
  setpgid(0, 0);  // its own group, which ends with it: whatever it starts goes too
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction by_default {};
  by_default.sa_handler = SIG_DFL;
  for (const int sig : {SIGPIPE, SIGXFSZ}) sigaction(sig, &by_default, nullptr);
  // Out of the way first, so that no dup2 below overwrites one of them.
  const int chan = fcntl(channel, F_DUPFD_CLOEXEC, 10);
  const int nul = fcntl(null_fd, F_DUPFD_CLOEXEC, 10);
  if (chan < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(2, 1) < 0 || dup2(chan, kServerFd) < 0)
    exec_failed(errors);
#ifdef CLOSE_RANGE_CLOEXEC
  close_range(kServerFd + 1, ~0U, CLOSE_RANGE_CLOEXEC);  // none of the parent's other files
#endif
  execv(argv[0], argv);
  exec_failed(errors);
}

}  // namespace

ServerProcess::ServerProcess(ServerCommand command, double timeout)
    : command_(std::move(command)), timeout_(timeout) {
  launch();
}

void ServerProcess::launch() {
  std::vector<std::string> strings = {command_.program};
  strings.insert(strings.end(), command_.arguments.begin(), command_.arguments.end());
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  int pair[2] = {-1, -1}, errors[2] = {-1, -1};
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0 ||
      pipe2(errors, O_CLOEXEC) != 0) {
    const std::string why = std::strerror(errno);
    for (const int fd : {null_fd, pair[0], pair[1], errors[0], errors[1]})
      if (fd >= 0) close(fd);
    throw WorkerFailure(command_.who + " could not be started: " + why);
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) become_server(argv.data(), pair[1], null_fd, errors[1], parent);
  const std::string why = std::strerror(errno);
  for (const int fd : {null_fd, pair[1], errors[1]}) close(fd);
  if (pid < 0) {
    close(pair[0]);
    close(errors[0]);
    throw WorkerFailure(command_.who + " could not be started: fork: " + why);
  }
  track_child(pid);
  setpgid(pid, pid);  // as the child does itself: its group exists before either goes on
  pid_ = pid;
  socket_ = pair[0];
  fcntl(socket_, F_SETFL, fcntl(socket_, F_GETFL) | O_NONBLOCK);
#ifdef SYS_pidfd_open
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#endif
  int exec_errno = 0;
  ssize_t n = 0;
  while ((n = read(errors[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
  }
  close(errors[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno))
    fail("could not run " + command_.program + ": " + std::strerror(exec_errno), 0);
}

nlohmann::json ServerProcess::call(const nlohmann::json& request) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_));
  send_by(request, deadline);
  nlohmann::json reply = receive_by(deadline);
  if (reply.is_object() && reply.contains("error")) {
    const nlohmann::json& error = reply["error"];
    throw WorkerFailure(command_.who + ": " +
                        (error.is_string() ? error.get<std::string>() : error.dump()));
  }
  return reply;
}

void ServerProcess::send(const nlohmann::json& message) {
  send_by(message, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(timeout_)));
}

nlohmann::json ServerProcess::receive() {
  return receive_by(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(timeout_)));
}

void ServerProcess::send_by(const nlohmann::json& message, Clock::time_point deadline) {
  throw_if_ended();
  const std::string bytes = frame(message);
  for (std::size_t sent = 0; sent < bytes.size();) {
    if (!wait_for(POLLOUT, deadline, "take a request")) fail_ended("before it took the request");
    // MSG_NOSIGNAL: a server that is gone is an error to report, not a SIGPIPE to die of.
    const ssize_t n =
        ::send(socket_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      fail_ended("before it took the request");
    }
  }
}

nlohmann::json ServerProcess::receive_by(Clock::time_point deadline) {
  throw_if_ended();
  char header[4];
  read_exactly(header, sizeof header, deadline);
  if (const auto why = bad_length(header))
    fail("sent a garbled reply: it began with " + *why + ": killed", 0);
  std::string body(length_of(header), '\0');
  read_exactly(body.data(), body.size(), deadline);
  try {
    return parse_body(body);
  } catch (const std::runtime_error& e) {
    fail("sent a garbled reply, " + std::string(e.what()) + ": killed", 0);
  }
}

bool ServerProcess::wait_for(short events, Clock::time_point deadline, const char* doing) {
  pollfd fds[2] = {{socket_, events, 0}, {pidfd_, POLLIN, 0}};
  const int n = poll_until(fds, pidfd_ >= 0 ? 2 : 1, deadline);
  if (n < 0) fail("could not be waited for: " + std::string(std::strerror(errno)) + ": killed", 0);
  if (n == 0)
    fail(std::string("did not ") + doing + " within " + seconds_text(timeout_) + ": killed", 0);
  // Ready, or its end closed (which the read or write then tells); else the child has exited,
  // though a process it started may hold its end of the channel.
  return fds[0].revents != 0;
}

void ServerProcess::read_exactly(char* into, std::size_t bytes, Clock::time_point deadline) {
  for (std::size_t got = 0; got < bytes;) {
    const char* when = got == 0 ? "before it replied" : "in the middle of its reply";
    if (!wait_for(POLLIN, deadline, "reply")) fail_ended(when);
    const ssize_t n = recv(socket_, into + got, bytes - got, MSG_DONTWAIT);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      fail_ended(when);  // its end is closed: it exited, or is about to
    }
  }
}

std::optional<std::string> ServerProcess::stop() {
  if (running()) {
    // On the socket itself, not this descriptor: the copies of it that children forked since
    // then inherited would keep the channel open.
    shutdown(socket_, SHUT_WR);
    end_child(kGraceSeconds);
  }
  return ended_;
}

void ServerProcess::end_child(double grace) {
  if (pid_ <= 0) return;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(grace));
  if (pidfd_ >= 0) {
    pollfd exited{pidfd_, POLLIN, 0};
    poll_until(&exited, 1, deadline);
  } else {
    // Without a pidfd (a kernel before 5.3), a look every millisecond.
    for (siginfo_t info{}; Clock::now() < deadline; info.si_pid = 0) {
      if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
          info.si_pid == pid_)
        break;
      const timespec ms{0, 1'000'000};
      nanosleep(&ms, nullptr);
    }
  }
  // Its group, before it is reaped (its id cannot be taken until then): the child if it still
  // runs, and whatever it started; not if the run's end already killed and reaped it.
  kill_child(pid_);
  int status = 0;
  reap_child(pid_, &status, true);
  ended_ = WIFEXITED(status) && WEXITSTATUS(status) == 0
               ? std::nullopt
               : std::optional<std::string>(describe_status(status));
  status_ = describe_status(status);
  for (int* fd : {&socket_, &pidfd_})
    if (*fd >= 0) close(std::exchange(*fd, -1));
  pid_ = -1;
}

void ServerProcess::fail(const std::string& what, double grace) {
  const std::string who = command_.who + " (pid " + std::to_string(pid_) + ")";
  end_child(grace);
  failure_ = who + " " + what;
  throw WorkerFailure(*failure_);
}

void ServerProcess::fail_ended(const char* when) {
  const std::string who = command_.who + " (pid " + std::to_string(pid_) + ")";
  end_child(kGraceSeconds);
  failure_ = who + " " + status_ + " " + when;
  throw WorkerFailure(*failure_);
}

void ServerProcess::throw_if_ended() const {
  if (running()) return;
  throw WorkerFailure(failure_ ? *failure_ + " (earlier)" : command_.who + " was stopped");
}

double ServerProcess::cpu_seconds() const {
  if (!running()) return 0;
  double total = reaped_by(pid_);
  clockid_t clock;
  if (clock_getcpuclockid(pid_, &clock) == 0) total += clock_seconds(clock);
  return total;
}

namespace {

// Reads `bytes` whole; false at the end of the channel before the first byte.
bool read_whole(int fd, char* into, std::size_t bytes) {
  for (std::size_t got = 0; got < bytes;) {
    const ssize_t n = read(fd, into + got, bytes - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0 && got == 0) {
      return false;
    } else if (n == 0 || errno != EINTR) {
      throw std::runtime_error("the server's channel broke in the middle of a message");
    }
  }
  return true;
}

}  // namespace

std::optional<nlohmann::json> ServerChannel::receive() {
  char header[4];
  if (!read_whole(fd_, header, sizeof header)) return std::nullopt;
  if (const auto why = bad_length(header))
    throw std::runtime_error("a garbled request: it began with " + *why);
  std::string body(length_of(header), '\0');
  if (!body.empty() && !read_whole(fd_, body.data(), body.size()))
    throw std::runtime_error("the server's channel ended in the middle of a message");
  return parse_body(body);
}

void ServerChannel::send(const nlohmann::json& message) {
  const std::string bytes = frame(message);
  for (std::size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0)
      sent += static_cast<std::size_t>(n);
    else if (n == 0)
      throw std::runtime_error("the server's channel is closed");
    else if (errno != EINTR)
      throw std::runtime_error("the server's channel is closed: " +
                               std::string(std::strerror(errno)));
  }
}

}  // namespace parbench
