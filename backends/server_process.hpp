#pragma once
// A server process: the child a backend starts once, outside timing, when its workers live in
// another process that it hands jobs to as messages (a copy of this program with arguments of
// its own, /usr/bin/python3 with a script). Whatever goes wrong with the child (it died, it did
// not answer within the timeout, it answered garbage) becomes a WorkerFailure that says which
// and names the child; the child is then killed and reaped, as it is when its ServerProcess
// ends, and so is every process it started (its process group). It dies with the thread that
// started it (PR_SET_PDEATHSIG), and a run that ends early kills it with the workers it tracks
// (platform/children.hpp).
//
// The channel is one stream socket, the child's file descriptor 3 (kServerFd), that carries
// messages both ways, each a 4-byte big-endian length followed by that many bytes of JSON
// (UTF-8). The child's stdin is /dev/null and its stdout the parent's stderr, so that nothing it
// prints is taken for a reply or mixed into the parent's output; its stderr is the parent's.
// It starts with no signal blocked and SIGPIPE at its default, whatever the parent set.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace parbench {

inline constexpr int kServerFd = 3;
// The longest message either side sends: a longer length is garbage (text a server printed
// where a length belongs reads as hundreds of MB, which must not be waited for as a reply).
// The largest reply, the records of kMaxTasks tasks, is a few MB.
inline constexpr std::uint32_t kMostMessageBytes = std::uint32_t{64} << 20;

struct ServerCommand {
  std::string who;                     // names it in every failure, as the user knows it
  std::string program;                 // a path, run as it is: "/proc/self/exe"
  std::vector<std::string> arguments;  // after the program's name
};

class ServerProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts the child; throws WorkerFailure when it cannot be (no such program, fork failed).
  // `timeout`: the seconds each request may take to be sent and each reply to come.
  ServerProcess(ServerCommand command, double timeout);
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Sends a request and waits for its reply, within the timeout. A reply with an "error"
  // member is the server refusing the request: a WorkerFailure with that text, the server kept.
  nlohmann::json call(const nlohmann::json& request);
  void send(const nlohmann::json& message);
  nlohmann::json receive();

  // Ends the child: closes its requests (a server ends when they do), gives it a second to
  // exit, then kills its process group, and reaps it. None when it exited with status 0, else
  // how it ended. After a failure, how it ended then.
  std::optional<std::string> stop();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // -1 once reaped
  // CPU seconds the running child has used so far, all its threads and the children it has
  // reaped (Google Benchmark counts only this process's); 0 once it is reaped.
  double cpu_seconds() const;

 private:
  void launch();
  void send_by(const nlohmann::json& message, Clock::time_point deadline);
  nlohmann::json receive_by(Clock::time_point deadline);
  // Waits for the socket to be readable (POLLIN) or writable; false when the child is gone.
  bool wait_for(short events, Clock::time_point deadline, const char* doing);
  void read_exactly(char* into, std::size_t bytes, Clock::time_point deadline);
  // Ends the child, within `grace` seconds of its own or killed, and reaps it.
  void end_child(double grace);
  // The child failed: ended (`grace` as above), then thrown as a WorkerFailure.
  [[noreturn]] void fail(const std::string& what, double grace);
  [[noreturn]] void fail_ended(const char* doing);
  void throw_if_ended() const;

  ServerCommand command_;
  double timeout_;
  pid_t pid_ = -1;
  int socket_ = -1;  // the parent's end, nonblocking
  int pidfd_ = -1;   // readable once the child has exited; -1 where the kernel has none
  std::optional<std::string> ended_;    // how it ended: none when with status 0
  std::string status_;                  // how it ended, in words, whatever it was
  std::optional<std::string> failure_;  // why it was ended, once a failure ended it
};

// The child's side of the channel, for a server that is a copy of this program: blocking
// messages on kServerFd.
class ServerChannel {
 public:
  explicit ServerChannel(int fd = kServerFd) : fd_(fd) {}
  // The next message; none once the parent has closed the channel (the server's cue to end).
  // Throws std::runtime_error for a garbled one.
  std::optional<nlohmann::json> receive();
  // Throws std::runtime_error when the parent is gone.
  void send(const nlohmann::json& message);

 private:
  int fd_;
};

}  // namespace parbench
