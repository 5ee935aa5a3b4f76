#pragma once
// Files for the tests of what parbench-compare refuses to read: a folder that is removed
// afterwards, FIFOs, sparse files that claim to be huge, gzip members; and the message a text
// that is no report gets.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <zlib.h>

#include "schema/report.hpp"

namespace parbench::compare {

// The schema's reader, as the tests of parbench-compare call it.
using schema::InputError;
using schema::kMaxReportBytes;
using schema::parse_report;
using schema::read_report;
using schema::registry_before_context_backends;

}  // namespace parbench::compare

namespace parbench::compare::testing {

// The reader's message for `text`, or "" when it reads as a report.
inline std::string error_of(std::string_view text) {
  try {
    parse_report(text, "x.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parbench-compare-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(file(name), std::ios::binary) << bytes;
    return file(name);
  }

  // A file that says it holds `bytes` but takes no disk: stat sees its size at once.
  std::string sparse(const std::string& name, off_t bytes) const {
    write(name, "");
    if (truncate(file(name).c_str(), bytes) != 0) throw std::runtime_error("truncate failed");
    return file(name);
  }

  std::string fifo(const std::string& name) const {
    if (mkfifo(file(name).c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

// One gzip member holding `data`.
inline std::string gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

}  // namespace parbench::compare::testing
