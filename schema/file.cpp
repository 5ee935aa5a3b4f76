// Reading a report's file: only regular files, never more than a cap, gzip or not.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "schema/read.hpp"

namespace parbench::schema {
namespace {

bool starts_gzip(const unsigned char* data, std::size_t size) {
  return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

std::string mib_text(std::size_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

std::string larger_than(std::size_t max_bytes, const char* what) {
  return "larger than " + mib_text(max_bytes) + ": not " + what;
}

// The text of a gzip file: reference reports are committed compressed, and reading them must
// not need a step by hand. The cap is checked before each piece is kept, so a gzip bomb stops
// at `max_bytes`, not once it is all in memory. Members that follow the first
// (`cat a.gz b.gz`) are read too, as gzip(1) does.
std::string gunzip(const std::string& data, std::size_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw InputError("cannot start zlib");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string text;
  char buffer[1 << 16];
  for (int rc = Z_OK; rc != Z_STREAM_END;) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) throw InputError("not a whole gzip file");
    const std::size_t produced = sizeof buffer - z.avail_out;
    if (text.size() + produced > max_bytes)
      throw InputError("larger than " + mib_text(max_bytes) + " once decompressed: not a report");
    text.append(buffer, produced);
    if (rc == Z_STREAM_END && starts_gzip(z.next_in, z.avail_in)) {
      if (inflateReset(&z) != Z_OK) throw InputError("not a whole gzip file");
      rc = Z_OK;
    }
  }
  return text;
}

// Only regular files are read: a FIFO or a socket blocks until someone writes, a device such
// as /dev/zero never ends.
void require_regular(mode_t mode, const char* what) {
  if (S_ISREG(mode)) return;
  const std::string not_what = std::string(", not ") + what;
  if (S_ISDIR(mode)) throw InputError("is a directory" + not_what);
  if (S_ISFIFO(mode))
    throw InputError("is a FIFO (named pipe)" + not_what + ": only regular files are read");
  if (S_ISCHR(mode) || S_ISBLK(mode)) throw InputError("is a device" + not_what);
  if (S_ISSOCK(mode)) throw InputError("is a socket" + not_what);
  throw InputError("is not a regular file" + not_what);
}

std::string errno_text(const char* doing) {
  return std::string(doing) + ": " + std::strerror(errno);
}

}  // namespace

bool is_gzip(std::string_view bytes) {
  return starts_gzip(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string read_regular_file(const std::string& path, std::size_t max_bytes, const char* what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw InputError(errno_text("cannot open"));
  require_regular(info.st_mode, what);
  if (static_cast<std::size_t>(info.st_size) > max_bytes)
    throw InputError(larger_than(max_bytes, what));
  // O_NONBLOCK and the second look: the path may name something else by the time it is opened.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw InputError(errno_text("cannot open"));
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_fd{fd};
  if (::fstat(fd, &info) != 0) throw InputError(errno_text("cannot read"));
  require_regular(info.st_mode, what);
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError(errno_text("cannot read"));
    if (n == 0) return bytes;
    // The size stat gave is not the last word: the file may grow, and /proc reports 0.
    if (bytes.size() + static_cast<std::size_t>(n) > max_bytes)
      throw InputError(larger_than(max_bytes, what));
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string read_report_text(const std::string& path, std::size_t max_bytes) {
  std::string bytes = read_regular_file(path, max_bytes, "a report");
  return is_gzip(bytes) ? gunzip(bytes, max_bytes) : bytes;
}

}  // namespace parbench::schema
