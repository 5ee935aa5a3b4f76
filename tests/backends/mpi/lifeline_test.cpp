// A lifeline breaks when the process it is tied to ends, however it ends, and not before.
#include "backends/mpi/lifeline.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace parbench {
namespace {

// A child process holding an anchor; its address comes back through a pipe.
struct AnchoredChild {
  pid_t pid = -1;
  std::string address;

  AnchoredChild() {
    int to_parent[2];
    if (pipe(to_parent) != 0) return;
    pid = fork();
    if (pid == 0) {
      close(to_parent[0]);
      LifelineAnchor anchor;
      const std::string& a = anchor.address();
      (void)!write(to_parent[1], a.data(), a.size());
      close(to_parent[1]);
      for (;;) pause();
    }
    close(to_parent[1]);
    char buffer[512];
    for (ssize_t n; (n = read(to_parent[0], buffer, sizeof buffer)) > 0;)
      address.append(buffer, static_cast<std::size_t>(n));
    close(to_parent[0]);
  }
  void kill_it() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
  }
  ~AnchoredChild() { kill_it(); }
};

bool breaks_within(const Lifeline& line, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (line.broken()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return line.broken();
}

TEST(Lifeline, HoldsWhileItsProcessLivesAndBreaksWhenItIsKilled) {
  AnchoredChild child;
  ASSERT_GT(child.pid, 0);
  ASSERT_FALSE(child.address.empty());
  const Lifeline line(child.address);
  ASSERT_TRUE(line.connected()) << child.address;
  EXPECT_FALSE(breaks_within(line, std::chrono::milliseconds(100)));
  child.kill_it();
  EXPECT_TRUE(breaks_within(line, std::chrono::seconds(5)));
}

TEST(Lifeline, ThatCannotConnectTellsNothing) {
  for (const std::string address : {"", "0", "1 127.0.0.1", "x y", "65536 not-an-address"}) {
    const Lifeline line(address);
    EXPECT_FALSE(line.connected()) << address;
    EXPECT_FALSE(line.broken()) << address;
  }
}

TEST(Lifeline, AnchorNamesAPortAndAddressesOfThisHost) {
  const LifelineAnchor anchor;
  std::istringstream address(anchor.address());
  int port = 0;
  std::string first_ip;
  ASSERT_TRUE(address >> port >> first_ip) << anchor.address();
  EXPECT_GT(port, 0);
  EXPECT_LE(port, 65535);
}

// The anchor accepts what it is offered, so that more watchers than a listen backlog holds
// (somaxconn) still connect; when it closes, every one of them breaks.
TEST(Lifeline, AnchorHoldsEveryWatcherAndEachBreaksWhenItCloses) {
  auto anchor = std::make_unique<LifelineAnchor>();
  std::vector<Lifeline> lines;
  for (int i = 0; i < 8; ++i) lines.emplace_back(anchor->address());
  for (const auto& line : lines) ASSERT_TRUE(line.connected()) << anchor->address();
  for (const auto& line : lines) EXPECT_FALSE(line.broken());
  anchor.reset();
  for (const auto& line : lines) EXPECT_TRUE(breaks_within(line, std::chrono::seconds(5)));
}

}  // namespace
}  // namespace parbench
