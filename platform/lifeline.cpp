#include "platform/lifeline.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <utility>
#include <vector>

namespace parbench {
namespace {

// This host's IPv4 addresses, loopback last: a watcher on another host reaches one of the
// others; one on this host (or in its network namespace) any.
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
  outward.insert(outward.end(), loopback.begin(), loopback.end());
  return outward;
}

// A nonblocking connect that gives up after `seconds`; the socket, or -1.
int connect_within(const std::string& ip, int port, int milliseconds) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &to.sin_addr) != 1) return -1;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) return fd;
  if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (poll(&p, 1, milliseconds) == 1 &&
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0)
      return fd;
  }
  close(fd);
  return -1;
}

}  // namespace

LifelineAnchor::LifelineAnchor(unsigned watchers) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t length = sizeof any;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0 ||
      listen(fd_, static_cast<int>(watchers) + 1) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&any), &length) != 0) {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return;
  }
  std::ostringstream address;
  address << ntohs(any.sin_port);
  for (const auto& ip : ipv4_addresses()) address << ' ' << ip;
  address_ = address.str();
}

LifelineAnchor::~LifelineAnchor() {
  if (fd_ >= 0) close(fd_);
}

Lifeline::Lifeline(const std::string& address) {
  std::istringstream in(address);
  int port = 0;
  in >> port;
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
  // The anchor never writes: anything readable is its end closing (0 bytes) or resetting.
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, 0) != 1) return false;
  char byte;
  const ssize_t n = recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

}  // namespace parbench
