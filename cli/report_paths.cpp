#include "cli/report_paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace parbench {
namespace {

namespace fs = std::filesystem;

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Follows symlinks, so that the report replaces the link's target and the link stays.
std::string follow_symlinks(std::string path) {
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::error_code ec;
    const fs::path link = fs::read_symlink(path, ec);
    if (ec) throw std::invalid_argument("cannot read the symlink " + path + ": " + ec.message());
    path = (link.is_absolute() ? link : fs::path(path).parent_path() / link).string();
  }
  throw std::invalid_argument(path + ": too many levels of symlinks");
}

void check_folder_writable(const fs::path& folder, const std::string& shown) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw std::invalid_argument("cannot write report " + shown + ": " + ec.message());
  std::string probe = (folder / ".parbench-probe-XXXXXX").string();
  const int fd = mkstemp(probe.data());
  if (fd < 0)
    throw std::invalid_argument("cannot write report " + shown + ": " + std::strerror(errno));
  close(fd);
  unlink(probe.c_str());
}

}  // namespace

ReportPaths check_report_path(const std::string& out) {
  if (out.empty()) throw std::invalid_argument("the report path is empty");
  const std::string target = follow_symlinks(out);
  struct stat st {};
  if (stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw std::invalid_argument("will not replace " + out + ": it is " + kind_of(st.st_mode) +
                                ", not a report file");
  const fs::path folder =
      fs::path(target).has_parent_path() ? fs::path(target).parent_path() : fs::path(".");
  check_folder_writable(folder, out);
  return {out, target, target + ".partial"};
}

std::string numbered_path(const std::string& path, unsigned n) {
  if (n <= 1) return path;
  const fs::path p(path);
  return (p.parent_path() / (p.stem().string() + "-" + std::to_string(n) + p.extension().string()))
      .string();
}

}  // namespace parbench
