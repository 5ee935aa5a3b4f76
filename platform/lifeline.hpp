#pragma once
// A lifeline to a process on another host: a TCP connection that the kernel breaks when that
// process ends, however it ends (SIGKILL included), so that a process that waits for it learns
// it is gone without its help. The watched process holds an Anchor (a listening socket it never
// needs to serve: connections wait in its backlog); each watcher holds a Lifeline to it.
#include <string>

namespace parbench {

class LifelineAnchor {
 public:
  // Listens on an ephemeral TCP port of every interface, for up to `watchers` lifelines; an
  // anchor that could not listen has an empty address.
  explicit LifelineAnchor(unsigned watchers);
  ~LifelineAnchor();
  LifelineAnchor(const LifelineAnchor&) = delete;
  LifelineAnchor& operator=(const LifelineAnchor&) = delete;
  // "port address address ...": this host's IPv4 addresses, other hosts' reach first.
  const std::string& address() const { return address_; }

 private:
  int fd_ = -1;
  std::string address_;
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
  // The anchor's process has ended (its end of the connection is gone). Never blocks.
  bool broken() const;

 private:
  int fd_ = -1;
};

}  // namespace parbench
