#pragma once
// A lifeline to a process on another host: a TCP connection that the kernel breaks when that
// process ends, however it ends (SIGKILL included), so that a process that waits for it learns
// it is gone without its help. The watched process holds an Anchor (a listening socket whose
// thread only accepts and holds connections); each watcher holds a Lifeline to it. TCP
// keepalive notices a host that vanished without closing anything (a crash, a cut cable).
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace parbench {

class LifelineAnchor {
 public:
  // Listens on an ephemeral TCP port of every interface; an anchor that could not listen has an
  // empty address.
  LifelineAnchor();
  ~LifelineAnchor();
  LifelineAnchor(const LifelineAnchor&) = delete;
  LifelineAnchor& operator=(const LifelineAnchor&) = delete;
  // "port address address ...": this host's IPv4 addresses that other hosts may reach (loopback
  // only where there is no other).
  const std::string& address() const { return address_; }

 private:
  void hold_connections(const std::stop_token& stop);

  int fd_ = -1;
  std::string address_;
  std::vector<int> held_;  // the accepting thread's: connections closed when the process ends
  std::jthread acceptor_;  // last: stopped and joined before the rest is destroyed
};

class Lifeline {
 public:
  Lifeline() = default;
  // Connects to an anchor's `address` (each of its addresses in turn, a second at most each);
  // a lifeline that could not connect is never broken: it tells nothing.
  explicit Lifeline(const std::string& address);
  ~Lifeline();
  Lifeline(Lifeline&& other) noexcept;
  Lifeline& operator=(Lifeline&& other) noexcept;
  bool connected() const { return fd_ >= 0; }
  // The anchor's process has ended (its end of the connection is gone, or its host stopped
  // answering keepalive probes). Never blocks; safe from several threads.
  bool broken() const;

 private:
  int fd_ = -1;
};

}  // namespace parbench
