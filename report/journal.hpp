#pragma once
// The journal: every finished benchmark, appended and fsynced the moment it finishes, beside
// the report it will become (<report>.partial), so that a run that is killed loses nothing that
// finished. JSON Lines: a session header when a run starts or resumes, then one line per
// finished benchmark (reports/SCHEMA.md). While a run writes it, it holds a lock on it.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace parbench {

// One benchmark's entries, as the report shows them (repetitions and aggregates).
struct FinishedBenchmark {
  std::string name;  // the name it was registered under
  nlohmann::json entries;
};

// What a journal or a report holds.
struct RunRecord {
  std::vector<nlohmann::json> sessions;  // headers: {"parbench_journal", "session", "arguments"}
  std::vector<FinishedBenchmark> benchmarks;
  bool from_journal = false;
  bool complete = false;  // a report that says it is complete: nothing is left to run
};

// Reads a journal (a torn last line is dropped) or an uncompressed report, complete or not,
// through the reader of the schema (schema/read.hpp). Throws std::runtime_error with the path
// and a one-line reason when it is neither.
RunRecord read_run_record(const std::string& path);

// The header line that starts a session in a journal.
nlohmann::json session_header(nlohmann::json session, const std::vector<std::string>& arguments,
                              const std::vector<std::string>& selection);
// The line of one finished benchmark.
nlohmann::json benchmark_line(const FinishedBenchmark& b);

class Journal {
 public:
  // Creates `path` and locks it. Throws std::runtime_error when it already exists, saying
  // whether a running parbench holds it or a run that did not finish left it.
  static Journal create(const std::string& path);
  // Locks an existing journal to go on with it (--resume), cutting a torn last line off.
  static Journal reopen(const std::string& path);

  Journal() = default;
  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&& other) noexcept;
  ~Journal();

  // Appends one line and fsyncs it. A line that cannot be written (disk full) is cut off again,
  // kept, and tried first at the next append; false while any line is unwritten.
  bool append(const nlohmann::json& line);
  bool all_written() const { return unwritten_.empty(); }
  std::size_t unwritten() const { return unwritten_.size(); }
  // Once the final report is in place.
  void remove();
  const std::string& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  Journal(int fd, std::string path, off_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  bool write_line(const std::string& line);
  void cut_to_whole_lines();

  int fd_ = -1;
  std::string path_;
  off_t size_ = 0;  // bytes of whole lines
  std::vector<std::string> unwritten_;
};

}  // namespace parbench
