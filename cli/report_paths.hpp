#pragma once
// Where a run's report goes, checked before anything runs and without touching a file that is
// already there: that file is replaced only by a whole new report.
#include <string>

namespace parbench {

struct ReportPaths {
  std::string shown;    // as given, for messages
  std::string target;   // the file the report is renamed into: a symlink's target, followed
  std::string journal;  // beside the target: target + ".partial"
};

// Refuses (std::invalid_argument, one line) a path that is not a regular file (a device, a
// FIFO, a folder), or whose folder cannot be written: a temporary file is made there and
// removed. Creates missing folders.
ReportPaths check_report_path(const std::string& out);

// "X.json" for n = 1, else "X-n.json": the names a default report path tries in turn.
std::string numbered_path(const std::string& path, unsigned n);

}  // namespace parbench
