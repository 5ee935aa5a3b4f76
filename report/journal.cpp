#include "report/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <variant>

#include "schema/read.hpp"

namespace parbench {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error(path + ": " + why);
}

RunRecord record_from(schema::JournalContents journal) {
  RunRecord record;
  record.from_journal = true;
  record.sessions = std::move(journal.sessions);
  for (auto& b : journal.benchmarks)
    record.benchmarks.push_back({std::move(b.name), std::move(b.entries)});
  return record;
}

// Google Benchmark names a run after the benchmark and how it is timed; parbench registers every
// benchmark timed the same way (suite.cpp), so the registered name is the run's less that.
std::string registered_name(std::string run_name) {
  const std::string suffix = "/process_time/real_time";
  if (run_name.size() > suffix.size() &&
      run_name.compare(run_name.size() - suffix.size(), suffix.size(), suffix) == 0)
    run_name.resize(run_name.size() - suffix.size());
  return run_name;
}

RunRecord record_from(schema::ReportContents report) {
  const nlohmann::json& context = report.context;
  if (!context.contains("arguments"))
    throw schema::InputError("not a report of this parbench: no arguments");
  RunRecord record;
  record.complete = context.value("complete", false) == true;
  if (context.contains("sessions") && context["sessions"].is_array())
    for (const auto& s : context["sessions"]) record.sessions.push_back(s);
  else
    record.sessions.push_back(session_header(context, context["arguments"], {}));
  // Entries of one benchmark are consecutive.
  for (auto& entry : report.benchmarks) {
    const std::string name = registered_name(entry.value("run_name", entry.value("name", "")));
    if (record.benchmarks.empty() || record.benchmarks.back().name != name)
      record.benchmarks.push_back({name, nlohmann::json::array()});
    record.benchmarks.back().entries.push_back(std::move(entry));
  }
  return record;
}

// Where a journal's whole lines end: a torn last line starts there.
std::size_t whole_bytes(const std::string& path) {
  return schema::split_journal(
             schema::read_regular_file(path, schema::kMaxReportBytes, "a journal"))
      .whole_bytes;
}

// A resumed run writes its report back where the report it resumes was (unless --out says
// otherwise), and always uncompressed: a gzip file would be replaced by plain JSON under a
// name that says gzip.
std::string text_to_resume(const std::string& path) {
  std::string text = schema::read_regular_file(path, schema::kMaxReportBytes, "a report");
  if (schema::is_gzip(text))
    throw schema::InputError("is gzip-compressed: resume from the report it holds (gunzip -k)");
  return text;
}

}  // namespace

RunRecord read_run_record(const std::string& path) {
  try {
    return std::visit([](auto&& contents) { return record_from(std::move(contents)); },
                      schema::parse_contents(text_to_resume(path)));
  } catch (const schema::InputError& e) {
    fail(path, e.what());
  }
}

nlohmann::json session_header(nlohmann::json session, const std::vector<std::string>& arguments,
                              const std::vector<std::string>& selection) {
  nlohmann::json header = {
      {"parbench_journal", 1}, {"session", std::move(session)}, {"arguments", arguments}};
  if (!selection.empty()) header["selection"] = selection;
  return header;
}

nlohmann::json benchmark_line(const FinishedBenchmark& b) {
  return {{"benchmark", b.name}, {"entries", b.entries}};
}

Journal Journal::create(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    flock(fd, LOCK_EX | LOCK_NB);
    return Journal(fd, path, 0);
  }
  if (errno != EEXIST) fail(path, std::strerror(errno));
  const int other = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const bool held = other >= 0 && flock(other, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  if (other >= 0) close(other);
  if (held) fail(path, "another parbench is writing this run's journal");
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && st.st_size == 0 && unlink(path.c_str()) == 0)
    return create(path);  // left empty by a run killed before its first line: nothing to keep
  fail(path, "a run that did not finish left its journal here: finish it with --resume=" + path +
                 ", or remove it");
}

Journal Journal::reopen(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) fail(path, std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    fail(path, "another parbench is writing this journal");
  }
  std::size_t whole = 0;
  try {
    whole = whole_bytes(path);
  } catch (const schema::InputError& e) {
    close(fd);
    fail(path, e.what());
  }
  if (ftruncate(fd, static_cast<off_t>(whole)) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    fail(path, why);
  }
  return Journal(fd, path, static_cast<off_t>(whole));
}

Journal::Journal(Journal&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      size_(other.size_),
      unwritten_(std::move(other.unwritten_)) {
  other.fd_ = -1;
}

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    size_ = other.size_;
    unwritten_ = std::move(other.unwritten_);
    other.fd_ = -1;
  }
  return *this;
}

Journal::~Journal() {
  if (fd_ >= 0) close(fd_);
}

// No torn line stays behind: a reader would take it for the end of the journal. Should even
// that fail, the reader drops a torn last line, and the next append starts after it.
void Journal::cut_to_whole_lines() {
  [[maybe_unused]] const int failed = ftruncate(fd_, size_);
}

bool Journal::write_line(const std::string& line) {
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      cut_to_whole_lines();
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  if (fdatasync(fd_) != 0) {
    cut_to_whole_lines();
    return false;
  }
  size_ += static_cast<off_t>(line.size());
  return true;
}

bool Journal::append(const nlohmann::json& line) {
  if (fd_ < 0) return false;
  unwritten_.push_back(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  std::size_t done = 0;
  while (done < unwritten_.size() && write_line(unwritten_[done])) ++done;
  unwritten_.erase(unwritten_.begin(), unwritten_.begin() + static_cast<std::ptrdiff_t>(done));
  return unwritten_.empty();
}

void Journal::remove() {
  if (fd_ < 0) return;
  unlink(path_.c_str());
  close(fd_);
  fd_ = -1;
}

}  // namespace parbench
