// The server process piece (backends/server_process.hpp) against children that misbehave: each
// failure a WorkerFailure that says what happened, the child reaped (no zombie), and quickly.
#include "backends/server_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "backends/backend.hpp"

namespace parbench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kPython = "/usr/bin/python3";

// Answers each request with itself, or with {"error": ...} for one that asks to be refused.
constexpr const char* kPythonEcho = R"(
import json, os, struct
def read(n):
    data = b''
    while len(data) < n:
        more = os.read(3, n - len(data))
        if not more:
            return None
        data += more
    return data
while True:
    header = read(4)
    if header is None:
        break
    request = json.loads(read(struct.unpack('>I', header)[0]))
    reply = {'error': request['refuse']} if 'refuse' in request else request
    out = json.dumps(reply).encode()
    os.write(3, struct.pack('>I', len(out)) + out)
)";

ServerCommand shell(const std::string& script) {
  return {"test server", "/bin/sh", {"-c", script}};
}

// Neither running nor a zombie: reaped, by us (waitpid knows no such child).
bool reaped(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD && kill(pid, 0) != 0 &&
         errno == ESRCH;
}

// Gone, or a zombie that is not ours to reap (a grandchild, its parent gone).
bool ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t name_end = text.rfind(')');
  return text.empty() || (name_end != std::string::npos && text.substr(name_end + 2, 1) == "Z");
}

// The WorkerFailure's text that `body` throws; "" when it throws none.
template <typename Body>
std::string failure_of(Body body) {
  try {
    body();
  } catch (const WorkerFailure& e) {
    return e.what();
  }
  return "";
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST(ServerProcess, PythonServerAnswersAndEndsWhenItsRequestsDo) {
  if (access(kPython, X_OK) != 0) GTEST_SKIP() << kPython << " is not here";
  ServerProcess server({"echo server", kPython, {"-c", kPythonEcho}}, 10);
  const pid_t pid = server.pid();
  const json request = {{"kind", "job"}, {"workers", 2}, {"text", "d\xc3\xa9j\xc3\xa0"}};
  EXPECT_EQ(server.call(request), request);
  EXPECT_EQ(failure_of([&] { server.call({{"refuse", "not today"}}); }), "echo server: not today");
  EXPECT_EQ(server.call({{"again", true}}), json({{"again", true}}));  // a refusal keeps it
  EXPECT_GT(server.cpu_seconds(), 0);
  EXPECT_EQ(server.stop(), std::nullopt);  // exited with status 0 once its requests ended
  EXPECT_TRUE(reaped(pid));
  EXPECT_FALSE(server.running());
  EXPECT_EQ(failure_of([&] { server.call(request); }), "echo server was stopped");
}

TEST(ServerProcess, ChildThatExitsMidJobIsAWorkerFailure) {
  ServerProcess server(shell("head -c 1 <&3 >/dev/null; exit 3"), 10);
  const pid_t pid = server.pid();
  const std::string failure = failure_of([&] { server.call({{"kind", "job"}}); });
  EXPECT_EQ(failure,
            "test server (pid " + std::to_string(pid) + ") exited with status 3 before it replied");
  EXPECT_TRUE(reaped(pid));
  // Every later request says so again, without waiting.
  EXPECT_EQ(failure_of([&] { server.call({{"kind", "job"}}); }), failure + " (earlier)");
  EXPECT_EQ(server.stop(), "exited with status 3");
}

TEST(ServerProcess, ChildKilledMidJobSaysBySignal) {
  ServerProcess server(shell("head -c 1 <&3 >/dev/null; kill -9 $$"), 10);
  const pid_t pid = server.pid();
  EXPECT_EQ(failure_of([&] {
              server.call({{"kind", "job"}});
            }),
            "test server (pid " + std::to_string(pid) +
                ") was killed by signal 9 (Killed) before it replied");
  EXPECT_TRUE(reaped(pid));
}

TEST(ServerProcess, ChildThatHangsIsKilledAtTheTimeout) {
  ServerProcess server(shell("exec sleep 30"), 0.2);
  const pid_t pid = server.pid();
  const auto start = Clock::now();
  EXPECT_EQ(failure_of([&] {
              server.call({{"kind", "job"}});
            }),
            "test server (pid " + std::to_string(pid) + ") did not reply within 0.2 s: killed");
  EXPECT_GE(seconds_since(start), 0.2);
  EXPECT_LT(seconds_since(start), 5);  // well before the 30 s the child would take
  EXPECT_TRUE(reaped(pid));
}

TEST(ServerProcess, ChildThatWritesGarbageIsKilledAtOnce) {
  ServerProcess server(
      shell("head -c 1 <&3 >/dev/null; printf 'hello, not a message' >&3; exec sleep 30"), 10);
  const pid_t pid = server.pid();
  const auto start = Clock::now();
  const std::string failure = failure_of([&] { server.call({{"kind", "job"}}); });
  EXPECT_NE(failure.find("(pid " + std::to_string(pid) +
                         ") sent a garbled reply: it began with "
                         "\"hell\", a length of 1751477356 bytes"),
            std::string::npos)
      << failure;
  EXPECT_LT(seconds_since(start), 5);  // well before the 30 s the child would take
  EXPECT_TRUE(reaped(pid));
}

TEST(ServerProcess, ReplyOfAGoodLengthThatIsNotJsonIsGarbage) {
  ServerProcess server(
      shell("head -c 1 <&3 >/dev/null; printf '\\000\\000\\000\\005{{{{{' >&3; exec sleep 30"), 10);
  const pid_t pid = server.pid();
  const std::string failure = failure_of([&] { server.call({{"kind", "job"}}); });
  EXPECT_NE(failure.find("sent a garbled reply, not JSON ("), std::string::npos) << failure;
  EXPECT_NE(failure.find("\"{{{{{\": killed"), std::string::npos) << failure;
  EXPECT_TRUE(reaped(pid));
}

TEST(ServerProcess, ProgramThatCannotRunIsAWorkerFailureAtStart) {
  const std::string failure = failure_of([] {
    ServerProcess server({"test server", "/nonexistent/server", {}}, 10);
  });
  EXPECT_NE(failure.find(") could not run /nonexistent/server: No such file or directory"),
            std::string::npos)
      << failure;
}

TEST(ServerProcess, EndingItEndsWhatItStartedToo) {
  char name[] = "/tmp/parbench-server-test-XXXXXX";
  const int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  close(fd);
  pid_t server_pid = -1;
  {
    ServerProcess server(
        shell(std::string("sleep 30 & echo $! > ") + name + "; cat <&3 >/dev/null"), 10);
    server_pid = server.pid();
    const auto start = Clock::now();
    std::string grandchild;
    while (grandchild.empty() && seconds_since(start) < 2) {
      std::ifstream(name) >> grandchild;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_FALSE(grandchild.empty());
    unlink(name);
    const pid_t sleeper = std::stoi(grandchild);
    EXPECT_FALSE(ended(sleeper));
    EXPECT_EQ(server.stop(), std::nullopt);  // cat saw the channel end, so the shell exited with 0
    const auto stopped = Clock::now();
    while (!ended(sleeper) && seconds_since(stopped) < 1)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_TRUE(ended(sleeper)) << "the server's own child outlived it";
  }
  EXPECT_TRUE(reaped(server_pid));
}

TEST(ServerProcess, ChannelOfTheServersSideReadsAndWritesFrames) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  ServerChannel parent(pair[0]), child(pair[1]);
  parent.send({{"kind", "spec"}});
  EXPECT_EQ(child.receive(), json({{"kind", "spec"}}));
  const char garbage[] = "\xff\xff\xff\xffnope";
  ASSERT_EQ(write(pair[0], garbage, sizeof garbage - 1), static_cast<ssize_t>(sizeof garbage - 1));
  EXPECT_THROW(child.receive(), std::runtime_error);
  close(pair[0]);
  char rest[16];
  while (read(pair[1], rest, sizeof rest) > 0) {
  }
  EXPECT_EQ(child.receive(), std::nullopt);  // the parent is gone: the end of the requests
  close(pair[1]);
}

}  // namespace
}  // namespace parbench
