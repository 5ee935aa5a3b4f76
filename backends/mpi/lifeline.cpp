#include "backends/mpi/lifeline.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <sstream>
#include <utility>

#include "platform/clocks.hpp"

namespace parbench {
namespace {

// This host's IPv4 addresses that another host may reach. Loopback would reach a watcher's own
// host, where some other process may listen on the same port: offered only where there is no
// other address (then no other host can connect at all, only another name for this one).
std::vector<std::string> ipv4_addresses() {
  std::vector<std::string> outward, loopback;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
      char text[INET_ADDRSTRLEN] = {};
      const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) == nullptr) continue;
      (ntohl(in->sin_addr.s_addr) >> 24 == 127 ? loopback : outward).push_back(text);
    }
    freeifaddrs(list);
  }
  return outward.empty() ? loopback : outward;
}

// Keepalive probes after 10 s of silence, every 5 s, 3 unanswered: a host that is gone
// without a word breaks the lifeline in about 25 s.
void keep_alive(int fd) {
  const int on = 1, idle = 10, interval = 5, count = 3;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

// A nonblocking connect that gives up after `milliseconds`; the socket, or -1.
int connect_within(const std::string& ip, int port, int milliseconds) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &to.sin_addr) != 1) return -1;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  bool connected = connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
  if (!connected && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    connected = poll_for(&p, 1, milliseconds) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
  }
  if (!connected) {
    close(fd);
    return -1;
  }
  keep_alive(fd);
  return fd;
}

}  // namespace

LifelineAnchor::LifelineAnchor() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t length = sizeof any;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0 ||
      listen(fd_, SOMAXCONN) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&any), &length) != 0) {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return;
  }
  std::ostringstream address;
  address << ntohs(any.sin_port);
  for (const auto& ip : ipv4_addresses()) address << ' ' << ip;
  address_ = address.str();
  // Accepted, so that any number of watchers fit (a backlog holds at most somaxconn).
  acceptor_ = std::jthread([this](const std::stop_token& stop) { hold_connections(stop); });
}

void LifelineAnchor::hold_connections(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    pollfd p{fd_, POLLIN, 0};
    if (poll_for(&p, 1, 50) != 1) continue;
    const int connection = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    keep_alive(connection);
    held_.push_back(connection);
  }
}

LifelineAnchor::~LifelineAnchor() {
  if (acceptor_.joinable()) {
    acceptor_.request_stop();
    acceptor_.join();
  }
  for (const int connection : held_) close(connection);
  if (fd_ >= 0) close(fd_);
}

Lifeline::Lifeline(const std::string& address) {
  std::istringstream in(address);
  int port = 0;
  if (!(in >> port) || port < 1 || port > 65535) return;
  for (std::string ip; fd_ < 0 && in >> ip;) fd_ = connect_within(ip, port, 1000);
}

Lifeline::~Lifeline() {
  if (fd_ >= 0) close(fd_);
}

Lifeline::Lifeline(Lifeline&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Lifeline& Lifeline::operator=(Lifeline&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

bool Lifeline::broken() const {
  if (fd_ < 0) return false;
  // The anchor never writes: anything readable is its end closing (0 bytes) or resetting, or
  // keepalive giving up (ETIMEDOUT).
  pollfd p{fd_, POLLIN, 0};
  if (poll_for(&p, 1, 0) != 1) return false;
  char byte;
  const ssize_t n = recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

}  // namespace parbench
