#include "platform/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace parbench {
namespace {

char g_temporary_file[4096];

void note_temporary_file(const std::string& path) {
  const std::size_t n = std::min(path.size(), sizeof g_temporary_file - 1);
  std::memcpy(g_temporary_file, path.data(), n);
  g_temporary_file[n] = '\0';
}

}  // namespace

const char* temporary_file_being_written() {
  return g_temporary_file;
}

void write_atomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  auto fail = [&](const std::string& why) {
    throw std::runtime_error("cannot write report " + path + ": " + why);
  };
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) fail(ec.message());
  const std::string temp = path + ".tmp." + std::to_string(getpid());
  note_temporary_file(temp);
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      close(fd);
      unlink(temp.c_str());
      fail(why);
    }
    written += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(temp.c_str());
    fail(std::strerror(errno));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    unlink(temp.c_str());
    fail(why);
  }
}

}  // namespace parbench
